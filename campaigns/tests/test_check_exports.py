"""Excel exports of the supervisors' lists: doubtful visits, spot-checks and a spot-check's items. Each holds the
page's rows on every page, in the user's scope and with its filters, Beijing times, an audit row; refused alike."""

from datetime import datetime, timedelta

import pytest

from campaigns.models import Campaign, SpotCheck, Visit
from campaigns.services import spot_check_draw, spot_check_record, visits_flag
from campaigns.tests.factories import FUQUAN_VILLAGE, NOTES, NOW, T0, make_visit
from campaigns.views.checks import FLAG_HEADERS, SPOT_CHECK_HEADERS, SPOT_CHECK_ITEM_HEADERS
from core.models import AuditEvent
from tests.support import client_for, response_bytes, xlsx_rows

FLAGS = "/campaigns/flags/"
CHECKS = "/campaigns/spot-checks/"
OVERSEERS = ("supervisor", "dispatcher", "prefecture_supervisor", "admin", "other_leader")
OTHERS = ("visitor", "handler", "unit_head", "other_handler", "township_handler")


def excel_time(serial: str) -> datetime:
    moment = datetime(1899, 12, 30) + timedelta(days=float(serial))
    return (moment + timedelta(seconds=30)).replace(second=0, microsecond=0)


def exported(user, url: str, params: dict[str, str] | None = None) -> list[list[str]]:
    response = client_for(user).get(url, {**(params or {}), "export": "xlsx"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    return xlsx_rows(response_bytes(response))


def paged(user, url: str, params: dict[str, str], attribute: str) -> list[int]:
    """The ids of every page of a list, following its cursor."""
    client = client_for(user)
    ids: list[int] = []
    next_url: str | None = ""
    while next_url is not None:
        response = client.get(url + next_url, params if not next_url else None)
        ids += [getattr(row, attribute).pk for row in response.context["rows"]]
        next_url = response.context["next_url"]
    return ids


@pytest.fixture
def campaign(personas) -> Campaign:
    return Campaign.objects.create(
        name="冬春大走访", starts=T0.date().replace(day=1), ends=T0.date() + timedelta(60)
    )


@pytest.fixture
def small_pages(monkeypatch) -> None:
    monkeypatch.setattr("core.web.PAGE_SIZE", 2)


@pytest.fixture
def flagged(personas, campaign) -> list[Visit]:
    """A burst in 都匀 (four visits), a copied note in 福泉 (two visits), one plausible visit."""
    burst = [make_visit(personas.visitor, campaign, at=T0 + timedelta(minutes=m)) for m in (0, 1, 2, 3)]
    copies = [
        make_visit(
            personas.other_handler, campaign, at=T0 + timedelta(days=d), place=FUQUAN_VILLAGE, notes=NOTES
        )
        for d in (1, 2)
    ]
    make_visit(personas.visitor, campaign, at=T0 + timedelta(days=3))
    assert visits_flag(now=NOW) == 6
    return [*burst, *copies]


# --- doubtful visits ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", OVERSEERS)
def test_the_flag_export_holds_every_page_of_the_list_in_scope(personas, flagged, small_pages, name) -> None:
    user = getattr(personas, name)
    table = exported(user, FLAGS)
    assert table[0] == [str(h) for h in FLAG_HEADERS] and table[0][0] == "走访记录"
    ids = [int(row[0]) for row in table[1:]]
    assert ids == paged(user, FLAGS, {}, "visit")
    fuquan = {v.pk for v in flagged if v.region_id == FUQUAN_VILLAGE}
    duyun = {v.pk for v in flagged} - fuquan
    assert set(ids) == {"other_leader": fuquan, "supervisor": duyun, "dispatcher": duyun}.get(
        name, fuquan | duyun
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert (event.actor, event.data["export"], event.data["rows"]) == (user, "visit_flags", len(ids))


def test_the_flag_export_follows_kind_and_county_with_reasons_and_beijing_times(personas, flagged) -> None:
    user = personas.prefecture_supervisor
    copies = exported(user, FLAGS, {"kind": "copied_notes"})
    assert len(copies) == 1 + 2
    row = copies[1]
    assert (row[1], row[2], row[6]) == ("冬春大走访", "福泉市", personas.other_handler.get_full_name())
    assert row[8].startswith("记录雷同：") and "2" in row[8]
    assert excel_time(row[7]) == (T0 + timedelta(days=2)).replace(tzinfo=None)
    duyun = exported(user, FLAGS, {"county": "522701000000"})
    assert {int(r[0]) for r in duyun[1:]} == {v.pk for v in flagged[:4]}
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).latest("id")
    assert event.data["filters"] == {"county": "522701000000"}


@pytest.mark.parametrize("name", OTHERS)
def test_the_flag_export_is_refused_like_the_page(personas, flagged, name) -> None:
    client = client_for(getattr(personas, name))
    assert client.get(FLAGS).status_code == client.get(FLAGS, {"export": "xlsx"}).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()


# --- spot-checks -------------------------------------------------------------------------------------------


@pytest.fixture
def checks(personas, campaign) -> list[SpotCheck]:
    """Three checks of the 都匀市公安局's visits, one call-back recorded; one of 福泉市人社局's visits."""
    for h in range(4):
        make_visit(
            personas.visitor, campaign, at=T0 + timedelta(hours=h), notes=f"第{h}次入户走访，了解群众诉求。"
        )
    make_visit(personas.other_handler, campaign, at=T0, place=FUQUAN_VILLAGE)
    drawn = [
        spot_check_draw(actor=personas.supervisor, campaign=campaign, unit=personas.duyun_police, size=2)
        for _ in range(3)
    ]
    item = drawn[0].items.earliest("id")
    spot_check_record(actor=personas.supervisor, item=item, outcome="confirmed", satisfaction="satisfied")
    drawn.append(
        spot_check_draw(
            actor=personas.prefecture_supervisor, campaign=campaign, unit=personas.fuquan_hr, size=1
        )
    )
    return drawn


CHECKS_SEEN = {"supervisor": 3, "prefecture_supervisor": 4, "admin": 4, "other_leader": 1}


@pytest.mark.parametrize("name", list(CHECKS_SEEN))
def test_the_spot_check_export_holds_every_page_in_scope_with_results(
    personas, checks, small_pages, name
) -> None:
    user = getattr(personas, name)
    table = exported(user, CHECKS)
    assert table[0] == [str(h) for h in SPOT_CHECK_HEADERS]
    assert len(table) - 1 == CHECKS_SEEN[name]
    listed = paged(user, CHECKS, {}, "check")
    by_id = {c.pk: c for c in checks}
    assert [row[3] for row in table[1:]] == [by_id[pk].unit.name for pk in listed]
    if name == "other_leader":
        assert {row[3] for row in table[1:]} == {personas.fuquan_hr.name}
    first = next((row for row in table[1:] if row[7] == "1"), None)
    if name != "other_leader":
        assert first is not None and first[5:11] == ["2", "1", "1", "0", "0", "100"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert (event.data["export"], event.data["rows"]) == ("spot_checks", CHECKS_SEEN[name])


def test_a_spot_checks_items_export_holds_its_sample_and_call_backs(personas, checks) -> None:
    check = checks[0]
    table = exported(personas.supervisor, f"{CHECKS}{check.pk}/")
    assert table[0] == [str(h) for h in SPOT_CHECK_ITEM_HEADERS]
    items = list(check.items.order_by("visit__started_at", "id"))
    assert [int(row[0]) for row in table[1:]] == [i.visit_id for i in items]
    called = next(row for row in table[1:] if row[10] == "群众确认走访属实")
    assert (called[11], called[13]) == ("满意", personas.supervisor.get_full_name())
    assert called[1:3] == ["都匀市", "广惠街道"] and called[8].startswith("第")
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert event.data["export"] == "spot_check_items" and event.data["filters"] == {"spot_check": check.pk}


def test_a_spot_check_out_of_scope_is_the_same_404_for_the_page_and_its_export(personas, checks) -> None:
    client = client_for(personas.other_leader)
    duyun = f"{CHECKS}{checks[0].pk}/"
    missing = f"{CHECKS}999999/"
    for url in (duyun, missing):
        assert client.get(url).status_code == client.get(url, {"export": "xlsx"}).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()


@pytest.mark.parametrize("name", [*OTHERS, "dispatcher"])
def test_the_spot_check_exports_are_refused_like_the_pages(personas, checks, name) -> None:
    client = client_for(getattr(personas, name))
    for url in (CHECKS, f"{CHECKS}{checks[0].pk}/"):
        assert client.get(url).status_code == client.get(url, {"export": "xlsx"}).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()


def test_the_pages_link_to_their_exports_with_their_filters(personas, checks) -> None:
    client = client_for(personas.supervisor)
    assert 'href="?kind=burst&amp;export=xlsx"' in client.get(FLAGS, {"kind": "burst"}).content.decode()
    assert 'href="?export=xlsx"' in client.get(CHECKS).content.decode()
    assert 'href="?export=xlsx"' in client.get(f"{CHECKS}{checks[0].pk}/").content.decode()
