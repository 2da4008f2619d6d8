import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from core.audit import audit_record
from core.models import AuditEvent
from org.models import Role
from org.services import membership_grant, membership_revoke
from org.tests.factories import PASSWORD


@pytest.fixture
def event(personas) -> AuditEvent:
    return audit_record(action=AuditEvent.Action.LOGIN, actor=personas.handler, data={"k": "v"})


def test_login_logout_and_failed_login_are_audited(personas, client) -> None:
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    client.post(
        reverse("org:login"), {"username": "handler", "password": "wrong-password"}, REMOTE_ADDR="10.1.2.3"
    )
    client.post(reverse("org:login"), {"username": "handler", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    client.post(reverse("org:logout"), REMOTE_ADDR="10.1.2.3")
    rows = list(
        AuditEvent.objects.filter(id__gt=start)
        .order_by("id")
        .values_list("action", "username", "actor_id", "ip")
    )
    assert rows == [
        ("login_failed", "handler", None, "10.1.2.3"),
        ("login", "handler", personas.handler.pk, "10.1.2.3"),
        ("logout", "handler", personas.handler.pk, "10.1.2.3"),
    ]


def test_role_grant_and_revoke_are_audited(personas) -> None:
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    membership = membership_grant(
        user=personas.visitor, unit=personas.duyun_plc, role=Role.DISPATCHER, actor=personas.admin
    )
    membership_grant(
        user=personas.visitor, unit=personas.duyun_plc, role=Role.DISPATCHER, actor=personas.admin
    )
    membership_revoke(membership=membership, actor=personas.admin)
    rows = list(
        AuditEvent.objects.filter(id__gt=start)
        .order_by("id")
        .values_list("action", "username", "object_id", "data")
    )
    detail = {"unit_id": personas.duyun_plc.pk, "unit": "都匀市委政法委", "role": "dispatcher"}
    assert rows == [
        ("role_granted", "admin", str(personas.visitor.pk), detail),
        ("role_revoked", "admin", str(personas.visitor.pk), detail),
    ]


def test_audit_rows_cannot_be_updated_through_the_model(event) -> None:
    event.action = AuditEvent.Action.LOGOUT
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_audit_rows_cannot_be_updated_or_deleted_in_the_database(event) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action=AuditEvent.Action.LOGOUT)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == AuditEvent.Action.LOGIN


def test_admin_shows_audit_rows_but_cannot_change_or_delete_them(personas, event, client) -> None:
    personas.admin.is_staff = personas.admin.is_superuser = True
    personas.admin.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(personas.admin)
    assert client.get(reverse("admin:core_auditevent_changelist")).status_code == 200
    change_url = reverse("admin:core_auditevent_change", args=[event.pk])
    # The change page is a read-only view; posting to it is refused.
    assert client.get(change_url).status_code == 200
    assert client.post(change_url, {"action": "logout"}).status_code == 403
    assert (
        client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert client.get(reverse("admin:core_auditevent_add")).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == AuditEvent.Action.LOGIN
