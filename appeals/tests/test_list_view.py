"""The appeals list (/appeals/), where the dashboards' numbers open: its filters, scope, keyset pages, refusals,
and its Excel export (every filtered row, the reporter masked, audited)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from appeals.models import Appeal
from appeals.services import Reporter
from appeals.tests.factories import REPORTER, REPORTER_PHONE, assigned, register
from core.models import AuditEvent
from org.models import Role
from org.tests.factories import make_member
from tests.support import client_for, response_bytes, xlsx_rows

URL = "/appeals/"
SHANGHAI = ZoneInfo("Asia/Shanghai")
WENFENG_VILLAGE = "522701002001"
FUQUAN_VILLAGE = "522702001001"


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def appeals(personas):
    """都匀市: a request assigned on 3 March (overdue now), a red dispute on 10 March, a (yellow) dispute in
    文峰街道 on 31 March late at night, a request on 1 April; 福泉市: one request."""
    p = personas
    reporter = Reporter(name="张三丰", phone="13812345678", id_number="52270119800101123X")
    items = {
        "assigned": assigned(p, at=at(3, 3), reporter=reporter, title="三月欠薪"),
        "red": register(
            p.dispatcher,
            at=at(3, 10),
            kind="dispute",
            risk_colour="red",
            category_code="land.boundary",
            title="宅基地边界纠纷",
        ),
        "plain": register(
            p.dispatcher,
            at=at(3, 31, 23),
            kind="dispute",
            region_code=WENFENG_VILLAGE,
            category_code="neighbour.dispute",
            title="邻里纠纷",
        ),
        "april": register(p.dispatcher, at=at(4, 1, 0), title="四月欠薪"),
    }
    fuquan_dispatcher = make_member(username="fuquan_dispatcher", unit=p.fuquan_plc, role=Role.DISPATCHER)
    p.fuquan = register(fuquan_dispatcher, at=at(3, 5), region_code=FUQUAN_VILLAGE, title="福泉欠薪")
    p.items = items
    return p


def titles(response) -> list[str]:
    assert response.status_code == 200
    return [row.appeal.title for row in response.context["rows"]]


def test_the_list_shows_the_scope_newest_first_with_its_count(appeals) -> None:
    response = client_for(appeals.supervisor).get(URL)
    assert titles(response) == ["四月欠薪", "邻里纠纷", "宅基地边界纠纷", "三月欠薪"]  # not 福泉市's
    assert response.context["total"] == 4
    assert 'data-count="4"' in response.content.decode()
    assert titles(client_for(appeals.other_leader).get(URL)) == ["福泉欠薪"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "dispute"}, ["邻里纠纷", "宅基地边界纠纷"]),
        ({"status": "assigned"}, ["三月欠薪"]),
        ({"status": ["assigned", "registered"], "kind": "request"}, ["四月欠薪", "三月欠薪"]),
        ({"category": "land.boundary"}, ["宅基地边界纠纷"]),
        ({"category": "land"}, ["宅基地边界纠纷"]),  # a top-level category holds its children
        ({"not_category": ["land.boundary", "labour.wage_arrears"]}, ["邻里纠纷"]),
        ({"region": "522701002000"}, ["邻里纠纷"]),
        ({"from": "2025-03-10", "to": "2025-03-31"}, ["邻里纠纷", "宅基地边界纠纷"]),  # both days included
        ({"to": "2025-03-09"}, ["三月欠薪"]),
        ({"overdue": "1"}, ["三月欠薪"]),
        ({"risk_colour": "red"}, ["宅基地边界纠纷"]),
        ({"risk_colour": "yellow"}, ["邻里纠纷"]),  # a dispute's colour defaults to yellow
    ],
)
def test_each_filter_narrows_the_list(appeals, params, expected) -> None:
    assert titles(client_for(appeals.supervisor).get(URL, params)) == expected


def test_a_dispute_without_a_colour_is_listed_under_none(appeals) -> None:
    # Registration colours a dispute yellow by default; older ledgers brought in by bulk loads may carry none.
    Appeal.objects.filter(pk=appeals.items["plain"].pk).update(risk_colour="")
    client = client_for(appeals.supervisor)
    assert titles(client.get(URL, {"kind": "dispute", "risk_colour": "none"})) == ["邻里纠纷"]
    assert titles(client.get(URL, {"risk_colour": "yellow"})) == []


def test_the_unit_filters_keep_its_lead_items_and_its_open_parts(appeals) -> None:
    p = appeals
    client = client_for(p.supervisor)
    assert titles(client.get(URL, {"lead_unit": p.duyun_hr.pk})) == ["三月欠薪"]
    assert titles(client.get(URL, {"unit": p.duyun_hr.pk, "task": "assigned"})) == ["三月欠薪"]
    assert titles(client.get(URL, {"unit": p.duyun_hr.pk, "task": "accepted"})) == []
    assert titles(client.get(URL, {"lead_unit": p.duyun_police.pk})) == []


def test_a_region_or_unit_outside_the_scope_is_not_found_like_a_missing_one(appeals) -> None:
    leader = client_for(appeals.other_leader)
    assert leader.get(URL, {"region": "522701000000"}).status_code == 404
    assert leader.get(URL, {"region": "522799999000"}).status_code == 404
    assert leader.get(URL, {"lead_unit": appeals.duyun_hr.pk}).status_code == 404
    assert leader.get(URL, {"unit": 999999}).status_code == 404


def test_a_filter_not_understood_is_ignored_and_said_so(appeals) -> None:
    response = client_for(appeals.supervisor).get(URL, {"kind": "nonsense", "from": "March", "status": "x"})
    assert len(titles(response)) == 4
    assert len(list(response.context["messages"])) == 1
    assert response.context["filters"].ignored == ["status", "kind", "from"]


def test_the_list_needs_a_signed_in_user(appeals) -> None:
    response = Client().get(URL)
    assert response.status_code == 302 and "next=/appeals/" in response["Location"]


def test_pages_follow_the_cursor_without_gaps_or_repeats(appeals, monkeypatch) -> None:
    monkeypatch.setattr("core.web.PAGE_SIZE", 3)
    client = client_for(appeals.supervisor)
    first = client.get(URL, {"region": "522701000000"})
    assert len(first.context["rows"]) == 3 and first.context["next_url"]
    second = client.get(URL + first.context["next_url"])
    assert titles(first) + titles(second) == ["四月欠薪", "邻里纠纷", "宅基地边界纠纷", "三月欠薪"]
    assert second.context["next_url"] is None and "region=522701000000" in first.context["next_url"]
    forged = client.get(URL, {"cursor": "bm9uc2Vuc2U"})
    assert forged.status_code == 200 and len(titles(forged)) == 3


def test_the_export_holds_every_filtered_row_masked_and_is_audited(appeals, monkeypatch) -> None:
    monkeypatch.setattr("core.web.PAGE_SIZE", 1)
    response = client_for(appeals.supervisor).get(URL, {"kind": "request", "export": "xlsx"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    rows = xlsx_rows(response_bytes(response))
    assert [row[1] for row in rows[1:]] == ["四月欠薪", "三月欠薪"]
    march = rows[2]
    assert (march[REPORTER], march[REPORTER_PHONE]) == ("张**", "138****5678")
    content = "".join("".join(row) for row in rows)
    assert "张三丰" not in content and "13812345678" not in content and "52270119800101123X" not in content
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).latest("id")
    assert event.actor_id == appeals.supervisor.pk
    assert event.data["export"] == "appeal_list" and event.data["rows"] == 2
    assert event.data["filters"] == {"kind": "request"}


def test_the_export_keeps_to_the_scope(appeals) -> None:
    response = client_for(appeals.other_leader).get(URL, {"export": "xlsx"})
    rows = xlsx_rows(response_bytes(response))
    assert [row[1] for row in rows[1:]] == ["福泉欠薪"]
