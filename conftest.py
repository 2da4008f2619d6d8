"""Fixtures shared by every app's tests: the region tree, the personas of DESIGN §1, API clients."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from org.models import Role, Unit, UnitKind, User
from org.tests.factories import ensure_qiannan, ensure_reference, make_member, make_unit

DUYUN = "522701000000"
FUQUAN = "522702000000"
PREFECTURE = "522700000000"
GUANGHUI = "522701001000"  # a township (街道) of 都匀市


def pytest_configure(config: Any) -> None:
    # Tests render templates without running collectstatic first.
    settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    # Flushing a test database must get past the audit table's append-only trigger (core/migrations/0003).
    from django.core.management.commands import flush

    from core.db import audit_maintenance

    original = flush.Command.handle

    def handle(self: Any, *args: Any, **options: Any) -> Any:
        with audit_maintenance():
            return original(self, *args, **options)

    flush.Command.handle = handle  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _immediate_jobs() -> Iterator[None]:
    """Jobs run in-process during tests, except where a test builds its own queue."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield
    HUEY.immediate = False


@pytest.fixture(autouse=True)
def _plain_segmenter() -> Iterator[None]:
    """Segment without the database's dictionary unless a test gives its own (text.chinese.reset_terms)."""
    from text.chinese import reset_terms

    reset_terms(())
    yield
    reset_terms()


@pytest.fixture
def qiannan(db: None) -> None:
    """The reference data the migrations load (regions, calendar, categories, policies, routing rules).

    A transactional test flushes them away; this puts them back for the tests after it.
    """
    ensure_qiannan()
    ensure_reference()


@dataclass
class Personas:
    """The people every endpoint is checked against (STYLE.md, Tests)."""

    visitor: User  # 都匀市公安局 field visitor
    handler: User  # 都匀市人社局 handler: the owning unit in most scenarios
    unit_head: User  # 都匀市人社局 head
    other_handler: User  # 福泉市人社局 handler: another unit, another county
    dispatcher: User  # 都匀市委政法委 dispatcher
    supervisor: User  # 都匀市委政法委 supervisor
    prefecture_supervisor: User  # 黔南州委政法委 supervisor: the level above 都匀市
    other_leader: User  # 福泉市委政法委 leader: another county
    township_handler: User  # 广惠街道办事处 handler
    admin: User  # 黔南州委政法委 administrator
    duyun_hr: Unit
    duyun_plc: Unit
    duyun_police: Unit
    fuquan_hr: Unit
    fuquan_plc: Unit
    prefecture_plc: Unit
    guanghui: Unit

    def all(self) -> dict[str, User]:
        return {name: value for name, value in vars(self).items() if isinstance(value, User)}


@pytest.fixture
def personas(qiannan: None) -> Personas:
    prefecture_plc = make_unit(kind=UnitKind.POLITICAL_LEGAL, region_code=PREFECTURE, name="黔南州委政法委")
    duyun_plc = make_unit(kind=UnitKind.POLITICAL_LEGAL, region_code=DUYUN, name="都匀市委政法委")
    duyun_hr = make_unit(kind=UnitKind.HUMAN_RESOURCES, region_code=DUYUN, name="都匀市人力资源和社会保障局")
    duyun_police = make_unit(kind=UnitKind.POLICE, region_code=DUYUN, name="都匀市公安局")
    fuquan_plc = make_unit(kind=UnitKind.POLITICAL_LEGAL, region_code=FUQUAN, name="福泉市委政法委")
    fuquan_hr = make_unit(
        kind=UnitKind.HUMAN_RESOURCES, region_code=FUQUAN, name="福泉市人力资源和社会保障局"
    )
    guanghui = make_unit(kind=UnitKind.TOWNSHIP_GOVERNMENT, region_code=GUANGHUI, name="广惠街道办事处")
    return Personas(
        visitor=make_member(username="visitor", unit=duyun_police, role=Role.VISITOR, full_name="王走访"),
        handler=make_member(username="handler", unit=duyun_hr, role=Role.HANDLER, full_name="李经办"),
        unit_head=make_member(username="unit_head", unit=duyun_hr, role=Role.UNIT_HEAD, full_name="赵局长"),
        other_handler=make_member(
            username="other_handler", unit=fuquan_hr, role=Role.HANDLER, full_name="陈经办"
        ),
        dispatcher=make_member(
            username="dispatcher", unit=duyun_plc, role=Role.DISPATCHER, full_name="刘调度"
        ),
        supervisor=make_member(
            username="supervisor", unit=duyun_plc, role=Role.SUPERVISOR, full_name="杨督查"
        ),
        prefecture_supervisor=make_member(
            username="prefecture_supervisor", unit=prefecture_plc, role=Role.SUPERVISOR, full_name="黄督查"
        ),
        other_leader=make_member(
            username="other_leader", unit=fuquan_plc, role=Role.LEADER, full_name="周书记"
        ),
        township_handler=make_member(
            username="township_handler", unit=guanghui, role=Role.HANDLER, full_name="吴干事"
        ),
        admin=make_member(username="admin", unit=prefecture_plc, role=Role.ADMIN, full_name="孙管理"),
        duyun_hr=duyun_hr,
        duyun_plc=duyun_plc,
        duyun_police=duyun_police,
        fuquan_hr=fuquan_hr,
        fuquan_plc=fuquan_plc,
        prefecture_plc=prefecture_plc,
        guanghui=guanghui,
    )


def client_for(user: User) -> Client:
    """A browser-like client signed in as `user` (session auth, CSRF enforced like a real browser)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


@pytest.fixture
def as_user() -> Any:
    return client_for
