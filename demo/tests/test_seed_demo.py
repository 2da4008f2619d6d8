import json
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from core.models import AuditEvent
from demo.units import COUNTIES, DEFAULT_PASSWORD, DEPARTMENT_KINDS, PREFECTURE_CODE
from geo.models import Region, subtree_bounds
from org.models import Membership, Role, Unit, UnitKind, UnitLevel, User

ACCOUNT_KEYS = ["username", "password", "role", "unit", "unit_id", "unit_kind", "region_code"]
NEW_PASSWORD = "another-demo-pass-2028"


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--appeals", "0", "--bulk-appeals", "0", "--visits", "0", *args, stdout=out)
    return out.getvalue()


def accounts(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def can_log_in(username: str, password: str) -> bool:
    request = RequestFactory().post(reverse("org:login"))
    return authenticate(request, username=username, password=password) is not None


def row_counts() -> dict[str, int]:
    return {
        "regions": Region.objects.count(),
        "units": Unit.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.mark.django_db
def test_seed_on_an_empty_database_loads_qiannan_and_creates_every_unit() -> None:
    assert not Region.objects.exists()
    seed()
    assert Region.objects.filter(level=Region.Level.TOWNSHIP).count() == 109
    assert Unit.objects.count() == 13 * len(DEPARTMENT_KINDS) + 109
    assert Unit.objects.filter(level=UnitLevel.PREFECTURE).count() == len(DEPARTMENT_KINDS)
    assert Unit.objects.filter(level=UnitLevel.COUNTY).count() == 12 * len(DEPARTMENT_KINDS)
    townships = Unit.objects.filter(level=UnitLevel.TOWNSHIP)
    assert townships.count() == townships.filter(kind=UnitKind.TOWNSHIP_GOVERNMENT).count() == 109
    assert not Unit.objects.filter(kind=UnitKind.VILLAGE_COMMITTEE).exists()


@pytest.mark.django_db
def test_units_carry_official_names_and_county_units_answer_to_the_prefecture_unit_of_their_kind() -> None:
    seed()
    names = dict(
        ((code, kind), name) for code, kind, name in Unit.objects.values_list("region_id", "kind", "name")
    )
    assert names[(PREFECTURE_CODE, UnitKind.POLITICAL_LEGAL)] == "黔南州委政法委"
    assert names[(PREFECTURE_CODE, UnitKind.COURT)] == "黔南州中级人民法院"
    assert names[("522701000000", UnitKind.COURT)] == "都匀市人民法院"
    assert names[("522701000000", UnitKind.HUMAN_RESOURCES)] == "都匀市人力资源和社会保障局"
    assert names[("522701000000", UnitKind.ECOLOGY)] == "黔南州生态环境局都匀分局"
    assert names[("522732000000", UnitKind.POLITICAL_LEGAL)] == "三都水族自治县委政法委"
    assert names[("522701001000", UnitKind.TOWNSHIP_GOVERNMENT)] == "广惠街道办事处"
    assert names[("522701106000", UnitKind.TOWNSHIP_GOVERNMENT)] == "墨冲镇人民政府"
    for unit in Unit.objects.filter(level=UnitLevel.COUNTY).select_related("parent"):
        assert unit.parent is not None
        assert (unit.parent.region_id, unit.parent.kind) == (PREFECTURE_CODE, unit.kind)
    assert not Unit.objects.filter(level=UnitLevel.PREFECTURE, parent__isnull=False).exists()


@pytest.mark.django_db
def test_seed_creates_about_two_hundred_named_cadres_in_every_role() -> None:
    seed()
    users = User.objects.all()
    assert 190 <= users.count() <= 260
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    for user in users:
        assert 2 <= len(user.full_name) <= 3 and all("\u4e00" <= ch <= "\u9fff" for ch in user.full_name)
        assert len(user.phone) == 11 and user.phone.startswith("1") and user.phone.isdigit()
        assert user.username.isascii()
    assert users.values("full_name").distinct().count() == users.count()
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert not users.exclude(username="admin").filter(is_staff=True).exists()
    two_roles = Membership.objects.filter(user__username="duyun.justice.unit_head")
    assert set(two_roles.values_list("role", flat=True)) == {Role.UNIT_HEAD, Role.HANDLER}


@pytest.mark.django_db
def test_every_county_has_a_leader_supervisor_dispatcher_visitors_and_handlers() -> None:
    seed()
    for code, county in COUNTIES.items():
        in_county = Membership.objects.filter(unit__region__code__range=subtree_bounds(code[:6]))
        committee_roles = set(
            in_county.filter(unit__region_id=code, unit__kind=UnitKind.POLITICAL_LEGAL).values_list(
                "role", flat=True
            )
        )
        assert {Role.LEADER, Role.SUPERVISOR, Role.DISPATCHER, Role.VISITOR} <= committee_roles, county
        handled = set(in_county.filter(role=Role.HANDLER).values_list("unit__kind", flat=True))
        assert {
            UnitKind.HUMAN_RESOURCES,
            UnitKind.HOUSING,
            UnitKind.NATURAL_RESOURCES,
            UnitKind.POLICE,
            UnitKind.JUSTICE,
            UnitKind.PETITION,
            UnitKind.TOWNSHIP_GOVERNMENT,
        } <= handled, county
        assert in_county.filter(role=Role.UNIT_HEAD).count() >= 6, county
        assert User.objects.filter(username=f"{county.login}.dispatcher").exists()


@pytest.mark.django_db
def test_second_run_changes_no_row_and_writes_the_same_accounts_file(tmp_path: Path) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    seed("--accounts-out", str(first))
    before = row_counts()
    output = seed("--accounts-out", str(second))
    assert row_counts() == before
    assert output.splitlines()[0].startswith(
        "demo seeded: units 0 created, 0 updated; users 0 created, 0 updated; memberships 0 granted"
    )
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.django_db
def test_new_grants_are_audited_once() -> None:
    seed()
    granted = AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_GRANTED).count()
    assert granted == Membership.objects.count()
    seed()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_GRANTED).count() == granted


@pytest.mark.django_db
def test_accounts_file_lists_every_membership_in_the_fixed_shape(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    seed("--accounts-out", str(path))
    text = path.read_text(encoding="utf-8")
    assert "黔南州委政法委" in text
    rows = accounts(path)
    assert len(rows) == Membership.objects.count()
    units = Unit.objects.in_bulk()
    for row in rows:
        assert list(row) == ACCOUNT_KEYS
        unit = units[row["unit_id"]]
        assert (row["unit"], row["unit_kind"], row["region_code"]) == (unit.name, unit.kind, unit.region_id)
        assert len(row["region_code"]) == 12
        assert row["password"] == DEFAULT_PASSWORD
        assert Membership.objects.filter(user__username=row["username"], unit=unit, role=row["role"]).exists()
    usernames = [row["username"] for row in rows]
    assert usernames.count("duyun.justice.unit_head") == 2
    assert {row["role"] for row in rows} == set(Role.values)


@pytest.mark.django_db
def test_an_account_from_the_file_can_sign_in_through_the_login_page(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    seed("--accounts-out", str(path))
    row = next(row for row in accounts(path) if row["username"] == "duyun.dispatcher")
    client = Client()
    response = client.post(reverse("org:login"), {"username": row["username"], "password": row["password"]})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username="duyun.dispatcher").pk)


@pytest.mark.django_db
def test_a_rerun_with_another_password_changes_every_demo_password(tmp_path: Path) -> None:
    seed()
    path = tmp_path / "accounts.json"
    output = seed("--password", NEW_PASSWORD, "--accounts-out", str(path))
    users = User.objects.all()
    assert f"users 0 created, {users.count()} updated" in output
    assert all(user.check_password(NEW_PASSWORD) for user in users)
    assert {row["password"] for row in accounts(path)} == {NEW_PASSWORD}
    assert can_log_in("qiannan.leader", NEW_PASSWORD)
    assert not can_log_in("qiannan.leader", DEFAULT_PASSWORD)


@pytest.mark.django_db
def test_a_weak_password_is_refused_and_nothing_is_written() -> None:
    with pytest.raises(CommandError, match="密码"):
        seed("--password", "12345678")
    assert not Unit.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_rerun_restores_a_renamed_unit_and_a_deactivated_user() -> None:
    seed()
    Unit.objects.filter(region_id="522701000000", kind=UnitKind.POLICE).update(name="改名")
    User.objects.filter(username="duyun.visitor2").update(is_active=False)
    output = seed()
    assert "units 0 created, 1 updated; users 0 created, 1 updated" in output
    assert Unit.objects.get(region_id="522701000000", kind=UnitKind.POLICE).name == "都匀市公安局"
    assert User.objects.get(username="duyun.visitor2").is_active


@pytest.mark.django_db
def test_output_names_one_login_per_role_for_the_prefecture_and_duyun() -> None:
    lines = seed().splitlines()
    assert len(lines) == 2 + len(Role) + (len(Role) - 1)  # 都匀市 has no administrator
    table = [line.split() for line in lines[2:]]
    prefecture = {role: username for role, username, unit in table if unit.startswith("黔南州")}
    duyun = {role: username for role, username, unit in table if unit.startswith("都匀市")}
    assert set(prefecture) == set(Role.values)
    assert set(duyun) == set(Role.values) - {Role.ADMIN}
    assert prefecture["admin"] == "admin"
    assert duyun["dispatcher"] == "duyun.dispatcher"
