"""The decision report (决策参考): key numbers, risks, recommendations by their rules, the pages, the Word file,
the API, and who may read it."""

from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
import time_machine
from django.contrib.staticfiles import finders
from docx import Document

from appeals.services import Reporter
from core.models import AuditEvent
from core.period import period_between, preset_period
from insights.selectors.report import DecisionReport, decision_report
from insights.services import counters_refresh
from insights.tests.factories import (
    FUQUAN_VILLAGE,
    GUANGHUI_VILLAGE,
    WENFENG_VILLAGE,
    assign,
    campaign,
    handled,
    march,
    min_samples,
    moment,
    registered,
    visit,
)
from tests.support import DUYUN, FUQUAN, Personas, client_for

MARCH = period_between(starts=date(2025, 3, 1), ends=date(2025, 4, 1))
QUERY = {"from": "2025-03-01", "to": "2025-04-01"}
NOW = march(31, 12)
WAGE_TEXT = "广惠街道锦绣家园建筑工地包工头拖欠二十多名农民工工资三万余元，春节前讨薪无果。"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def dispute(actor, when, colour: str, *, title: str, category: str, place: str = WENFENG_VILLAGE):
    return registered(
        actor,
        when,
        kind="dispute",
        risk_colour=colour,
        category_code=category,
        title=title,
        description=title,
        region_code=place,
        reporter=Reporter(name="李四", phone="13911112222"),
    )


@pytest.fixture
def history(personas: Personas) -> Personas:
    """March 2025 in 都匀市: three wage appeals in 广惠 (new this month; one resolved late, one overdue), a red
    dispute open since 2 March, another since 29 March, an orange one; one appeal in February; one visit.
    福泉市: a red dispute of its own."""
    p = personas
    min_samples(1)
    d = p.dispatcher
    campaign()
    with time_machine.travel(NOW, tick=False):
        handled(p, march(3), resolved_at=march(20), description=WAGE_TEXT)
        overdue = registered(d, march(10), title="包工头欠薪", description=WAGE_TEXT)
        assign(d, overdue, march(10), unit=p.duyun_hr)
        registered(d, march(12), title="工程款拖欠导致工资未发", description=WAGE_TEXT)
        dispute(d, march(2), "red", title="林地边界长期争执", category="land.boundary")
        dispute(d, march(29), "red", title="宅基地界址争执", category="land.homestead")
        dispute(d, march(15), "orange", title="灌溉用水纠纷", category="neighbour.water")
        registered(d, moment(2, 10), region_code=WENFENG_VILLAGE)
        dispute(
            p.other_leader,
            march(5),
            "red",
            title="福泉林权争执",
            category="land.boundary",
            place=FUQUAN_VILLAGE,
        )
        visit(p.visitor, march(5), place=GUANGHUI_VILLAGE)
        counters_refresh()
    return p


def report_for(user, **filters) -> DecisionReport:
    with time_machine.travel(NOW, tick=False):
        return decision_report(user=user, period=MARCH, **filters)


def number(report: DecisionReport, key: str):
    return next(n for n in report.key_numbers if n.key == key)


# --- the selector ------------------------------------------------------------------------------------------


def test_key_numbers_carry_the_previous_period_and_the_change(history) -> None:
    report = report_for(history.supervisor)
    registered_ = number(report, "appeals_registered")
    assert (registered_.value, registered_.previous, registered_.change) == (6, 1, 5)
    visits = number(report, "visits")
    assert (visits.value, visits.previous) == (1, 0)
    resolution = number(report, "on_time_resolution_rate")
    assert resolution.is_rate and resolution.value == 0.0 and resolution.previous is None
    assert resolution.label and resolution.definition
    assert report.previous.starts == date(2025, 1, 29) and report.previous.ends == date(2025, 3, 1)


def test_risks_list_open_red_and_orange_disputes_longest_open_first(history) -> None:
    report = report_for(history.supervisor)
    assert report.open_disputes == {"red": 2, "orange": 1, "yellow": 0, "blue": 0}
    assert [(r.title, r.colour, r.days_open) for r in report.risks] == [
        ("林地边界长期争执", "red", 29),
        ("灌溉用水纠纷", "orange", 16),
        ("宅基地界址争执", "red", 2),
    ]
    assert report.risks[0].place_name.startswith("文峰街道云宫社区")
    assert report.red_stale == 1
    assert report.overdue == 1
    assert "李四" not in str(report.risks) and "13911112222" not in str(report.risks)


def test_a_rate_below_its_line_recommends_its_remedy_and_names_the_weakest_department(history) -> None:
    report = report_for(history.supervisor)
    label = number(report, "on_time_resolution_rate").label
    [advice] = [r for r in report.recommendations if r.rule == "metric" and r.trigger.startswith(label)]
    assert "都匀市人力资源和社会保障局" in advice.text and "督办" in advice.text
    assert "80.0%" in advice.trigger and "都匀市人力资源和社会保障局 0.0%" in advice.trigger


def test_a_growing_or_new_hot_issue_is_proposed_as_the_months_issue(history) -> None:
    report = report_for(history.supervisor)
    assert [(h.place_code, h.appeals) for h in report.hot] == [("522701001000", 3)]
    [advice] = [r for r in report.recommendations if r.rule == "hot"]
    assert "每月一题" in advice.text and "都匀市广惠街道“" in advice.text and "等3件诉求" in advice.text
    assert "本期3件" in advice.trigger and "上期0件" in advice.trigger


def test_a_hot_issue_that_did_not_grow_enough_is_not_proposed(history) -> None:
    with time_machine.travel(NOW, tick=False):
        for day in (10, 12, 14):
            registered(history.dispatcher, moment(2, day), title="去年欠薪", description=WAGE_TEXT)
        counters_refresh()
    report = report_for(history.supervisor)
    [hot] = report.hot
    assert hot.growth == 1.0
    assert not [r for r in report.recommendations if r.rule == "hot"]


def test_red_disputes_open_over_seven_days_and_overdue_items_are_escalated(history) -> None:
    rules = {r.rule: r for r in report_for(history.supervisor).recommendations}
    assert "提级督办" in rules["red"].text and "1件" in rules["red"].trigger
    assert "督办单" in rules["overdue"].text and "1件" in rules["overdue"].trigger


def test_with_no_activity_only_the_unvisited_villages_call_for_action(personas) -> None:
    counters_refresh()
    report = report_for(personas.supervisor)
    # Every appeal rate is undefined (no denominator) and never fires; the villages exist and nobody visited.
    [advice] = report.recommendations
    assert advice.rule == "metric" and advice.trigger.startswith(
        f"{number(report, 'visit_coverage').label} 0.0%"
    )
    assert report.hot == [] and report.risks == [] and report.overdue == 0


def test_the_report_is_the_readers_own_scope(history) -> None:
    report = report_for(history.other_leader)
    assert report.hot == [] and [r.title for r in report.risks] == ["福泉林权争执"]
    assert number(report, "appeals_registered").value == 1
    assert report.place_name == "福泉市"


# --- the pages ---------------------------------------------------------------------------------------------


def test_the_report_page_renders_every_part(history) -> None:
    with time_machine.travel(NOW, tick=False):
        response = client_for(history.supervisor).get("/insights/report/view/", QUERY)
    assert response.status_code == 200
    page = response.content.decode()
    for part in (
        'data-testid="key-numbers"',
        'data-testid="hot-issues"',
        'data-testid="risks"',
        'data-testid="recommendations"',
        "data-print",
        'href="/static/css/report.css"',
    ):
        assert part in page
    stylesheet = Path(str(finders.find("css/report.css"))).read_text()
    assert "@media print" in stylesheet and "size: A4" in stylesheet
    assert "都匀市广惠街道：" in page and "林地边界长期争执" in page and "每月一题" in page
    assert "/appeals/?ids=" in page
    assert "/insights/report/docx?from=2025-03-01&amp;to=2025-04-01" in page


def test_the_form_opens_the_report_for_a_preset_or_a_custom_period(history) -> None:
    client = client_for(history.supervisor)
    assert client.get("/insights/report/").status_code == 200
    custom = client.get(
        "/insights/report/",
        {"go": "1", "preset": "custom", "region": DUYUN, "from": "2025-03-01", "last": "2025-03-31"},
    )
    assert custom.status_code == 302
    assert custom["Location"] == f"/insights/report/view/?from=2025-03-01&to=2025-04-01&region={DUYUN}"
    with time_machine.travel(NOW, tick=False):
        preset = client.get("/insights/report/", {"go": "1", "preset": "last_month", "region": ""})
    assert preset["Location"] == "/insights/report/view/?from=2025-02-01&to=2025-03-01"


def test_a_custom_period_without_dates_stays_on_the_form_with_a_message(history) -> None:
    response = client_for(history.supervisor).get(
        "/insights/report/", {"go": "1", "preset": "custom"}, follow=True
    )
    assert response.status_code == 200 and "请填写开始和结束日期" in response.content.decode()


def test_presets_cover_months_quarters_and_the_year() -> None:
    today = date(2025, 5, 14)
    assert preset_period("this_month", today) == period_between(
        starts=date(2025, 5, 1), ends=date(2025, 5, 15)
    )
    assert preset_period("last_month", today) == period_between(
        starts=date(2025, 4, 1), ends=date(2025, 5, 1)
    )
    assert preset_period("this_quarter", today).starts == date(2025, 4, 1)
    assert preset_period("last_quarter", today) == period_between(
        starts=date(2025, 1, 1), ends=date(2025, 4, 1)
    )
    assert preset_period("last_quarter", date(2025, 2, 3)).starts == date(2024, 10, 1)
    assert preset_period("this_year", today).starts == date(2025, 1, 1)


# --- the Word file -----------------------------------------------------------------------------------------


def tables_of(content: bytes) -> list[list[list[str]]]:
    document = Document(BytesIO(content))
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def test_the_docx_opens_and_holds_the_key_numbers_and_hot_issues_tables_and_is_audited(history) -> None:
    with time_machine.travel(NOW, tick=False):
        response = client_for(history.supervisor).get("/insights/report/docx", QUERY)
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    assert "attachment" in response["Content-Disposition"]
    tables = tables_of(response.content)
    key_numbers = next(t for t in tables if t[0] == ["指标", "本期", "上期", "变化"])
    assert len(key_numbers) == 1 + 11
    assert any(row[1:] == ["6", "1", "+5（+500.0%）"] for row in key_numbers)
    hot = next(
        t for t in tables if t[0] == ["排名", "问题ID", "热度指数", "时间范围", "地点/人群", "问题描述"]
    )
    assert hot[1][0] == "1" and hot[1][1].startswith("522701-2025-") and hot[1][4] == "都匀市广惠街道"
    assert any("林地边界长期争执" in row[1] for t in tables for row in t)
    text = "\n".join(p.text for p in Document(BytesIO(response.content)).paragraphs)
    assert "每月一题" in text and "提级督办" in text
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert event.actor == history.supervisor and event.data["export"] == "decision_report"
    assert event.data["filters"] == {"from": "2025-03-01", "to": "2025-04-01", "region": None}


# --- the API -----------------------------------------------------------------------------------------------


def test_the_api_answers_the_report_as_json(history) -> None:
    with time_machine.travel(NOW, tick=False):
        response = client_for(history.prefecture_supervisor).get(
            "/api/v1/reports/decision", {**QUERY, "region": DUYUN}
        )
    assert response.status_code == 200
    body = response.json()
    assert body["period"] == {"from": "2025-03-01", "to": "2025-04-01"}
    assert body["region"] == {"code": DUYUN, "name": "都匀市"}
    assert body["hot"][0]["place_code"] == "522701001000" and body["hot"][0]["period"]["from"] == "2025-03-01"
    assert {r["rule"] for r in body["recommendations"]} >= {"metric", "hot", "red", "overdue"}
    assert "热度指数" in body["hotness_formula"] or "Hotness" in body["hotness_formula"]
    assert "\\u" not in response.content.decode()


def test_the_api_docx_is_a_word_file_and_audited(history) -> None:
    response = client_for(history.admin).get("/api/v1/reports/decision.docx", QUERY)
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    assert tables_of(response.content)[0][0] == ["指标", "本期", "上期", "变化"]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED, actor=history.admin).count() == 1


# --- who may read it ---------------------------------------------------------------------------------------

READERS = ("supervisor", "prefecture_supervisor", "other_leader", "admin")
OTHERS = ("visitor", "handler", "unit_head", "other_handler", "dispatcher", "township_handler")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/reports/decision",
        "/api/v1/reports/decision.docx",
        "/insights/report/view/",
        "/insights/report/docx",
        "/insights/report/",
    ],
)
def test_only_leaders_supervisors_and_admins_read_reports(personas, url) -> None:
    counters_refresh()
    for name in READERS:
        assert client_for(getattr(personas, name)).get(url, QUERY).status_code == 200, name
    for name in OTHERS:
        assert client_for(getattr(personas, name)).get(url, QUERY).status_code == 403, name
    assert not AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORTED, actor__username__in=OTHERS
    ).exists()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/reports/decision",
        "/api/v1/reports/decision.docx",
        "/insights/report/view/",
        "/insights/report/docx",
    ],
)
def test_a_region_out_of_scope_is_answered_like_a_missing_one(personas, url) -> None:
    client = client_for(personas.other_leader)
    outside = client.get(url, {**QUERY, "region": DUYUN})
    missing = client.get(url, {**QUERY, "region": "522799000000"})
    assert outside.status_code == missing.status_code == 404
    if url.startswith("/api/"):
        assert outside.json() == missing.json()
    assert client.get(url, {**QUERY, "region": FUQUAN}).status_code == 200
    assert not AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORTED, data__filters__region=DUYUN
    ).exists()


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2025-04-01", "to": "2025-03-01"},
        {"from": "2025-03-01", "to": "2025-04-01", "region": GUANGHUI_VILLAGE},
        {"from": "yesterday"},
        {"region": "5227"},
    ],
)
def test_bad_input_is_refused_with_details(personas, params) -> None:
    response = client_for(personas.supervisor).get("/api/v1/reports/decision", params)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"


def test_a_bad_period_on_the_page_returns_to_the_form_with_a_message(personas) -> None:
    response = client_for(personas.supervisor).get(
        "/insights/report/view/", {"from": "2025-04-01", "to": "2025-03-01"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/insights/report/"
    assert "统计期的结束日期应晚于开始日期" in response.content.decode()


def test_signed_out_callers_are_refused(personas) -> None:
    from django.test import Client

    assert Client().get("/api/v1/reports/decision").status_code == 401
    assert Client().get("/insights/report/view/").status_code == 302
