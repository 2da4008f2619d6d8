"""Excel exports of the dispatcher's and the units' queues: the list's rows on every page, in scope, with the
reporter masked, dates in Beijing time, audited; refused like the page."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from appeals.exports import DISPATCH_HEADERS, UNIT_HEADERS
from appeals.models import Appeal
from appeals.services import Reporter, appeal_accept
from appeals.tests.factories import CODE, REGISTERED, REPORTER, REPORTER_PHONE, assigned, register
from core.models import AuditEvent
from tests.support import client_for, response_bytes, xlsx_rows

SHANGHAI = ZoneInfo("Asia/Shanghai")
FUQUAN_VILLAGE = "522702001001"
NAME, PHONE = "张三丰", "13812345678"


def excel_time(serial: str) -> datetime:
    """An Excel date-time cell's serial number as a naive wall-clock time, to the minute."""
    moment = datetime(1899, 12, 30) + timedelta(days=float(serial))
    return (moment + timedelta(seconds=30)).replace(second=0, microsecond=0)


def listed(client, url: str, params: dict[str, str]) -> list[str]:
    """The tracking codes of every page of a queue, following its cursor."""
    codes: list[str] = []
    next_url: str | None = ""
    while next_url is not None:
        response = client.get(url + next_url, params if not next_url else None)
        codes += [
            (row.appeal if hasattr(row, "appeal") else row.task.appeal).code
            for row in response.context["rows"]
        ]
        next_url = response.context["next_url"]
    return codes


def exported(client, url: str, params: dict[str, str]) -> list[list[str]]:
    response = client.get(url, {**params, "export": "xlsx"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    return xlsx_rows(response_bytes(response))


@pytest.fixture
def small_pages(monkeypatch) -> None:
    monkeypatch.setattr("core.web.PAGE_SIZE", 2)


# --- the dispatcher's queue ------------------------------------------------------------------------------


@pytest.mark.parametrize("tab", ["new", "returned", "overdue", "awaiting", "all"])
def test_the_dispatch_export_holds_the_tabs_rows_on_every_page_and_nothing_out_of_scope(
    personas, small_pages, tab
) -> None:
    new = [register(personas.dispatcher, title=f"新诉求{i}") for i in range(5)]
    overdue = assigned(personas, at=timezone.now() - timedelta(days=30), title="超期的诉求")
    # Registered on the citizen portal (no actor), in 福泉.
    outside = register(None, region_code=FUQUAN_VILLAGE, title="福泉的诉求")  # type: ignore[arg-type]
    client = client_for(personas.dispatcher)
    url = reverse("appeals:dispatch")
    table = exported(client, url, {"tab": tab})
    assert table[0] == [str(h) for h in DISPATCH_HEADERS] and table[0][0] == "受理编号"
    assert [row[CODE] for row in table[1:]] == listed(client, url, {"tab": tab})
    assert outside.code not in {row[CODE] for row in table}
    expected = {"new": new, "overdue": [overdue], "all": [*new, overdue]}.get(tab, [])
    assert {row[CODE] for row in table[1:]} == {a.code for a in expected}
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert event.actor == personas.dispatcher
    assert event.data["export"] == "dispatch_queue" and event.data["rows"] == len(expected)
    assert event.data["filters"] == {"tab": tab}


def test_the_dispatch_export_masks_reporters_and_shows_beijing_time(personas) -> None:
    at = datetime(2027, 1, 10, 1, 5, tzinfo=ZoneInfo("UTC"))
    named = register(personas.dispatcher, at=at, reporter=Reporter(name=NAME, phone=PHONE))
    anonymous = register(personas.dispatcher, reporter=Reporter(), anonymous=True, title="匿名反映")
    table = exported(client_for(personas.dispatcher), reverse("appeals:dispatch"), {"tab": "new"})
    rows = {row[CODE]: row for row in table[1:]}
    assert (rows[named.code][REPORTER], rows[named.code][REPORTER_PHONE]) == ("张**", "138****5678")
    assert (rows[anonymous.code][REPORTER], rows[anonymous.code][REPORTER_PHONE]) == ("匿名", "")
    cells = {cell for row in table for cell in row}
    assert not any(NAME in c or PHONE in c for c in cells)
    assert excel_time(rows[named.code][REGISTERED]) == datetime(
        2027, 1, 10, 9, 5
    )  # 01:05 UTC is 09:05 in Beijing


def test_the_dispatch_export_masks_a_name_and_a_phone_typed_into_a_title(personas) -> None:
    typed = register(personas.dispatcher, title="包工头王建国拖欠工资，电话13987654321")
    table = exported(client_for(personas.dispatcher), reverse("appeals:dispatch"), {"tab": "new"})
    [row] = [row for row in table[1:] if row[CODE] == typed.code]
    assert "王建国" not in row[1] and "13987654321" not in row[1] and "拖欠工资" in row[1]


@pytest.mark.parametrize("name", ["visitor", "handler", "unit_head", "supervisor", "other_leader"])
def test_the_dispatch_export_is_refused_like_the_page_without_writing_an_audit_row(personas, name) -> None:
    register(personas.dispatcher)
    client = client_for(getattr(personas, name))
    url = reverse("appeals:dispatch")
    assert client.get(url).status_code == client.get(url, {"export": "xlsx"}).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()


def test_the_queue_pages_link_to_their_export_with_the_tab(personas) -> None:
    dispatch = client_for(personas.dispatcher).get(reverse("appeals:dispatch"), {"tab": "overdue"})
    assert 'href="?tab=overdue&amp;export=xlsx"' in dispatch.content.decode()
    unit = client_for(personas.handler).get(reverse("appeals:unit"), {"tab": "working"})
    assert f'href="?unit={personas.duyun_hr.pk}&amp;tab=working&amp;export=xlsx"' in unit.content.decode()


# --- the unit's queue -------------------------------------------------------------------------------------


def test_the_unit_export_holds_the_tabs_tasks_on_every_page_with_the_units_part(
    personas, small_pages
) -> None:
    to_accept = [assigned(personas, title=f"待签收{i}") for i in range(3)]
    in_work = assigned(personas, title="办理中")
    working = appeal_accept(appeal=in_work, actor=personas.handler, expected_version=in_work.version)
    client = client_for(personas.handler)
    url = reverse("appeals:unit")
    table = exported(client, url, {"tab": "accept"})
    assert table[0] == [str(h) for h in UNIT_HEADERS]
    assert [row[CODE] for row in table[1:]] == listed(client, url, {"tab": "accept"})
    assert {row[CODE] for row in table[1:]} == {a.code for a in to_accept}
    assert working.code not in {row[CODE] for row in table}
    assert table[1][len(UNIT_HEADERS) - 3] == "牵头单位 · 待签收"
    worked = exported(client, url, {"tab": "working"})
    assert [row[CODE] for row in worked[1:]] == [working.code]
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).earliest("id")
    assert event.data == {
        "export": "unit_queue",
        "rows": 3,
        "truncated": False,
        "filters": {"unit": personas.duyun_hr.pk, "tab": "accept"},
    }


def test_the_unit_export_masks_reporters(personas) -> None:
    appeal = assigned(personas, reporter=Reporter(name=NAME, phone=PHONE))
    table = exported(client_for(personas.unit_head), reverse("appeals:unit"), {"tab": "accept"})
    row = next(r for r in table[1:] if r[CODE] == appeal.code)
    assert (row[REPORTER], row[REPORTER_PHONE]) == ("张**", "138****5678")
    assert not any(NAME in c or PHONE in c for r in table for c in r)


def test_another_units_export_never_holds_our_tasks_even_when_it_names_our_unit(personas) -> None:
    ours = assigned(personas)
    theirs = assigned(personas, title="福泉的事项")
    Appeal.objects.filter(pk=theirs.pk).update(region_id=FUQUAN_VILLAGE)
    theirs.tasks.update(unit=personas.fuquan_hr)
    client = client_for(personas.other_handler)
    # A forged ?unit= of a unit the user does not belong to falls back to the user's own unit.
    table = exported(client, reverse("appeals:unit"), {"unit": str(personas.duyun_hr.pk), "tab": "accept"})
    assert [row[CODE] for row in table[1:]] == [theirs.code]
    assert ours.code not in {c for r in table for c in r}
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert event.data["filters"]["unit"] == personas.fuquan_hr.pk


@pytest.mark.parametrize("name", ["visitor", "dispatcher", "supervisor", "other_leader", "admin"])
def test_the_unit_export_is_refused_like_the_page(personas, name) -> None:
    assigned(personas)
    client = client_for(getattr(personas, name))
    url = reverse("appeals:unit")
    assert client.get(url).status_code == client.get(url, {"export": "xlsx"}).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()


def test_an_anonymous_visitor_is_sent_to_sign_in_for_either_export(client, db) -> None:
    for url in (reverse("appeals:dispatch"), reverse("appeals:unit")):
        response = client.get(url, {"export": "xlsx"})
        assert response.status_code == 302 and "login" in response["Location"]
