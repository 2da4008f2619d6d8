"""Issue 12 items 4 and 5 and the TOTP bullet: who may do what is audited everywhere; passwords revoke tokens,
can be changed by their owner and reset by an administrator with a forced change; two-factor login."""

import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.audit import audit_verify
from core.models import AuditEvent
from org.models import ApiToken, Role
from org.services import otp_enrolment_device, token_issue
from org.tests.factories import PASSWORD, make_user
from tests.support import client_for

NEW_PASSWORD = "a-much-better-passphrase-7"


def _since(start: int, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=start, action=action).order_by("id"))


@pytest.fixture
def start(db) -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.fixture
def root(db):
    user = make_user(username="root")
    user.is_superuser = user.is_staff = True
    user.save()
    return user


def _admin_change_form(user, **overrides) -> dict[str, object]:
    data: dict[str, object] = {
        "username": user.username,
        "full_name": user.full_name,
        "phone": "",
        "email": "",
        "is_active": "on",
        "groups": [],
        "user_permissions": [],
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- item 4 -------------------------------------------------------------------------------------------------


def test_granting_superuser_and_staff_in_the_admin_is_audited_with_old_and_new(root, start, qiannan) -> None:
    target = make_user(username="clerk")
    client = Client()
    client.force_login(root)
    response = client.post(
        reverse("admin:org_user_change", args=[target.pk]),
        _admin_change_form(target, is_staff="on", is_superuser="on"),
        REMOTE_ADDR="10.9.8.7",
    )
    assert response.status_code == 302, response.content[:2000]
    [row] = _since(start, "privileges_changed")
    assert (row.username, row.object_id, row.ip) == ("root", str(target.pk), "10.9.8.7")
    assert row.data == {
        "changes": {"is_staff": {"old": False, "new": True}, "is_superuser": {"old": False, "new": True}}
    }


def test_deactivating_and_group_changes_in_the_admin_are_audited(root, start, qiannan) -> None:
    target = make_user(username="clerk")
    group = Group.objects.create(name="审核员")
    client = Client()
    client.force_login(root)
    client.post(
        reverse("admin:org_user_change", args=[target.pk]),
        _admin_change_form(target, is_active=None, groups=[group.pk]),
    )
    [privileges] = _since(start, "privileges_changed")
    assert privileges.data == {"changes": {"is_active": {"old": True, "new": False}}}
    [groups] = _since(start, "groups_changed")
    assert (groups.username, groups.data) == ("root", {"added": ["审核员"]})


def test_permission_and_group_changes_outside_the_admin_are_audited(db, start) -> None:
    target = make_user(username="clerk")
    group = Group.objects.create(name="导出")
    permission = Permission.objects.get(codename="view_auditevent")
    target.user_permissions.add(permission)
    group.permissions.add(permission)
    group.user_set.add(target)
    target.groups.clear()
    target.user_permissions.remove(permission)
    rows = [(r.action, r.object_type, r.data) for r in AuditEvent.objects.filter(id__gt=start).order_by("id")]
    assert rows == [
        ("permissions_changed", "org.user", {"added": ["core.view_auditevent"]}),
        ("permissions_changed", "auth.group", {"added": ["core.view_auditevent"]}),
        ("groups_changed", "org.user", {"added": ["导出"]}),
        ("groups_changed", "org.user", {"removed": ["导出"]}),
        ("permissions_changed", "org.user", {"removed": ["core.view_auditevent"]}),
    ]
    assert audit_verify().broken_id is None


def test_a_role_created_directly_is_audited_too(personas, start) -> None:
    personas.visitor.memberships.create(unit=personas.duyun_plc, role=Role.SUPERVISOR)
    [row] = _since(start, "role_granted")
    assert row.data["role"] == "supervisor"


def test_a_login_writes_no_privilege_row(personas, start) -> None:
    Client().post(reverse("org:login"), {"username": "handler", "password": PASSWORD})
    assert _since(start, "privileges_changed") == []


# --- item 5 -------------------------------------------------------------------------------------------------


def test_a_password_change_revokes_the_users_api_tokens(personas, start) -> None:
    key = token_issue(user=personas.handler).key
    other = token_issue(user=personas.visitor).key
    personas.handler.set_password(NEW_PASSWORD)
    personas.handler.save()
    assert Client(headers={"authorization": f"Bearer {key}"}).get("/api/v1/me").status_code == 401
    assert Client(headers={"authorization": f"Bearer {other}"}).get("/api/v1/me").status_code == 200
    [row] = _since(start, "password_changed")
    assert row.data["tokens_revoked"] == 1


def test_a_user_changes_their_own_password_on_a_page_of_the_site(personas, start) -> None:
    token_issue(user=personas.handler)
    client = Client()
    client.force_login(personas.handler)
    page = client.get(reverse("org:password_change"))
    assert page.status_code == 200
    assert "修改密码" in page.content.decode()
    refused = client.post(
        reverse("org:password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert refused.status_code == 200
    assert not ApiToken.objects.filter(user=personas.handler, revoked_at__isnull=False).exists()
    response = client.post(
        reverse("org:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    personas.handler.refresh_from_db()
    assert personas.handler.check_password(NEW_PASSWORD)
    assert not ApiToken.objects.filter(user=personas.handler, revoked_at__isnull=True).exists()
    # Still signed in after the change (the session follows the new password).
    assert client.get("/").status_code == 200
    [row] = _since(start, "password_changed")
    assert row.username == "handler"


def test_an_admin_reset_forces_a_change_at_next_login(root, personas, start) -> None:
    admin_client = Client()
    admin_client.force_login(root)
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[personas.handler.pk]),
        {
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "must_change": "on",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content[:3000]
    personas.handler.refresh_from_db()
    assert personas.handler.must_change_password
    [row] = _since(start, "password_reset")
    assert (row.username, row.object_id) == ("root", str(personas.handler.pk))

    # The user signs in with the new password and is led to the change page from every page.
    client = Client()
    login = client.post(reverse("org:login"), {"username": "handler", "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert client.get("/appeals/")["Location"].startswith(reverse("org:password_change"))
    assert client.get(reverse("org:password_change")).status_code == 200
    api = client.get("/api/v1/me")
    assert (api.status_code, api.json()["error"]["code"]) == (403, "password_change_required")
    # No token either, until the change is made.
    issued = Client().post(
        "/api/v1/auth/token",
        json.dumps({"username": "handler", "password": NEW_PASSWORD}),
        content_type="application/json",
    )
    assert (issued.status_code, issued.json()["error"]["code"]) == (403, "password_change_required")

    changed = client.post(
        reverse("org:password_change"),
        {"old_password": NEW_PASSWORD, "new_password1": PASSWORD + "x", "new_password2": PASSWORD + "x"},
    )
    assert changed.status_code == 302
    personas.handler.refresh_from_db()
    assert not personas.handler.must_change_password
    assert client.get("/appeals/").status_code == 200


# --- two-factor login ---------------------------------------------------------------------------------------


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _enrol(user) -> TOTPDevice:
    client = Client()
    client.force_login(user)
    page = client.get(reverse("org:two_factor"))
    assert page.status_code == 200
    assert 'data-testid="otp-qr"' in page.content.decode()
    device = otp_enrolment_device(user=user)
    assert client.post(reverse("org:two_factor"), {"code": "000000"}).status_code == 200
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert client.post(reverse("org:two_factor"), {"code": _code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_a_supervisor_enrols_and_then_signs_in_with_the_code(personas, start) -> None:
    device = _enrol(personas.supervisor)
    assert len(_since(start, "otp_enrolled")) == 1
    client = Client()
    without = client.post(reverse("org:login"), {"username": "supervisor", "password": PASSWORD})
    assert without.status_code == 200
    assert "此账号已开启两步验证" in without.content.decode()
    device.refresh_from_db()
    device.last_t = -1  # the enrolment code may not be used again; a fresh step is simulated
    device.save()
    ok = client.post(
        reverse("org:login"), {"username": "supervisor", "password": PASSWORD, "otp_token": _code(device)}
    )
    assert ok.status_code == 302
    # An administrator removing the device (a lost phone) is audited too.
    device.delete()
    [removed] = _since(start, "otp_removed")
    assert removed.object_id == str(personas.supervisor.pk)


def test_a_handler_may_not_enrol(personas) -> None:
    assert client_for(personas.handler).get(reverse("org:two_factor")).status_code == 403


def test_api_tokens_of_an_enrolled_user_need_the_otp_field(personas) -> None:
    device = _enrol(personas.supervisor)
    device.last_t = -1
    device.save()

    def ask(**extra: str):
        body = {"username": "supervisor", "password": PASSWORD, **extra}
        return Client().post("/api/v1/auth/token", json.dumps(body), content_type="application/json")

    missing = ask()
    assert (missing.status_code, missing.json()["error"]["code"]) == (401, "otp_required")
    wrong = ask(otp="123456" if _code(device) != "123456" else "654321")
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (401, "otp_invalid")
    # django-otp throttles a device after a wrong code; the wait is skipped here.
    device.refresh_from_db()
    device.throttle_reset()
    assert ask(otp=_code(device)).status_code == 201


def test_mandatory_two_factor_sends_an_admin_to_enrolment_first(personas, settings) -> None:
    settings.ADMIN_2FA_REQUIRED = True
    client = client_for(personas.admin)
    response = client.get("/appeals/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("org:two_factor"))
    api = client.get("/api/v1/me")
    assert (api.status_code, api.json()["error"]["code"]) == (403, "otp_required")
    token = Client().post(
        "/api/v1/auth/token",
        json.dumps({"username": "admin", "password": PASSWORD}),
        content_type="application/json",
    )
    assert (token.status_code, token.json()["error"]["code"]) == (403, "otp_enrolment_required")
    # Other roles are not held to it.
    assert client_for(personas.handler).get("/appeals/").status_code == 200
