"""The dashboard API: its numbers, read from the counters, equal the lists their links open; scope per persona;
refusals (403 for a visitor, 404 alike for out of scope, 422 for bad input)."""

import re
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.http import QueryDict
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appeals.views.lists import list_query
from campaigns.models import Visit
from campaigns.permissions import visits_visible_to
from campaigns.selectors import visits_filter
from campaigns.views.ledger import ledger_query
from core.period import period_between
from insights.permissions import access_dashboard
from insights.selectors.dashboard import dashboard_overview
from insights.services import counters_refresh
from insights.tests.factories import (
    DUYUN,
    FUQUAN,
    GUANGHUI,
    GUANGHUI_VILLAGE,
    MARCH_PARAMS,
    WENFENG,
    march,
    registered,
)
from tests.support import client_for

URL = "/api/v1/dashboard"


def get(client: Client, **params: Any) -> tuple[Any, Any]:
    response = client.get(URL, params)
    return response, response.json()


def list_count(user, url: str) -> int:
    """How many rows the appeals list shows for a dashboard link, through the page's own filter parsing."""
    assert url.startswith("/appeals/")
    request = RequestFactory().get(url)
    request.user = user
    return list_query(request, user).rows(user, now=timezone.now()).count()


def page_count(user, url: str) -> int:
    """The count the appeals list page prints for the link (the page a leader lands on)."""
    response = client_for(user).get(url)
    assert response.status_code == 200
    return int(response.context["total"])


def visit_count(user, url: str) -> int:
    assert url.startswith("/campaigns/visits/")
    request = RequestFactory().get(url)
    request.user = user
    filters = ledger_query(request, user).filters()
    return visits_filter(visits_visible_to(user), filters).count()


# --- the numbers and their lists ----------------------------------------------------------------------------


def test_the_county_numbers_equal_the_lists_their_links_open(scene) -> None:
    p = scene
    response, body = get(client_for(p.supervisor), **MARCH_PARAMS, region=DUYUN)
    assert response.status_code == 200
    assert body["level"] == "county" and body["region"]["code"] == DUYUN
    assert body["period"] == MARCH_PARAMS
    assert body["appeals"]["value"] == 5  # the April item and 福泉市's are out
    assert page_count(p.supervisor, body["appeals"]["url"]) == 5
    kinds = {f["key"]: f for f in body["by_kind"]}
    assert (kinds["request"]["value"], kinds["dispute"]["value"], kinds["tip"]["value"]) == (3, 2, 0)
    for figure in body["by_kind"] + body["by_status"] + body["by_risk"] + body["by_category"]:
        assert list_count(p.supervisor, figure["url"]) == figure["value"], figure
    statuses = {f["key"]: f["value"] for f in body["by_status"]}
    # A satisfied callback closes the item; the unsatisfied one awaits the dispatcher, still resolved.
    assert statuses == {
        "registered": 1,
        "assigned": 1,
        "in_progress": 1,
        "awaiting_approval": 0,
        "resolved": 1,
        "closed": 1,
        "merged": 0,
    }
    risks = {f["key"]: f["value"] for f in body["by_risk"]}
    assert (risks["red"], risks["orange"], risks["yellow"]) == (1, 1, 0)
    assert sum(f["value"] for f in body["by_category"]) == 5


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ({"from": "2025-02-20", "to": "2025-04-03"}, 6),  # loose days, the whole of March, loose days
        ({"from": "2025-03-05", "to": "2025-03-12"}, 2),  # inside one month: days only
        ({"from": "2025-03-01", "to": "2025-04-01"}, 5),  # one whole month
    ],
)
def test_categories_add_whole_months_and_loose_days_to_the_count_of_their_lists(
    scene, period, expected
) -> None:
    _response, body = get(client_for(scene.supervisor), **period, region=DUYUN)
    assert sum(f["value"] for f in body["by_category"]) == body["appeals"]["value"] == expected
    for figure in body["by_category"]:
        assert list_count(scene.supervisor, figure["url"]) == figure["value"], figure


def test_overdue_counts_the_open_items_past_their_deadline_and_lists_the_most_overdue(scene) -> None:
    p = scene
    _response, body = get(client_for(p.supervisor), **MARCH_PARAMS, region=DUYUN)
    assert body["overdue"]["value"] == 2  # the red dispute (assigned) and the contract item (in progress)
    assert list_count(p.supervisor, body["overdue"]["url"]) == 2
    items = body["overdue_items"]
    assert [i["title"] for i in items] == ["宅基地边界纠纷", "劳动合同未续签"]  # most overdue first
    assert items[0]["lead_unit"] == p.duyun_hr.name and items[0]["days_overdue"] > 300
    assert set(items[0]) == {"id", "code", "title", "lead_unit", "resolve_due", "days_overdue", "url"}
    assert "张" not in str(items)  # no personal data on the dashboard


def test_the_heat_table_splits_the_county_into_townships_and_links_each(scene) -> None:
    p = scene
    _response, body = get(client_for(p.dispatcher), **MARCH_PARAMS, region=DUYUN)
    assert body["heat_level"] == "township"
    rows = {row["code"]: row for row in body["heat"]}
    assert all(code.startswith("522701") for code in rows)
    guanghui, wenfeng = rows[GUANGHUI], rows[WENFENG]
    assert (guanghui["appeals"], wenfeng["appeals"]) == (3, 2)
    assert list_count(p.dispatcher, guanghui["appeals_url"]) == 3
    assert list_count(p.dispatcher, wenfeng["appeals_url"]) == 2
    assert (guanghui["visits"], wenfeng["visits"]) == (2, 1)
    assert visit_count(p.dispatcher, guanghui["visits_url"]) == 2
    assert guanghui["rates"]["satisfaction_rate"] == 1.0 and wenfeng["rates"]["satisfaction_rate"] == 0.0
    assert guanghui["url"].startswith(f"/insights/township/{GUANGHUI}/")


def test_the_prefecture_overview_has_a_row_per_county_and_the_whole_prefecture_in_its_totals(scene) -> None:
    p = scene
    _response, body = get(client_for(p.prefecture_supervisor), **MARCH_PARAMS)
    assert body["level"] == "prefecture" and body["region"]["code"] == "522700000000"
    assert body["heat_level"] == "county" and len(body["heat"]) == 12
    counties = {row["code"]: row for row in body["heat"]}
    assert (counties[DUYUN]["appeals"], counties[FUQUAN]["appeals"]) == (5, 1)
    assert body["appeals"]["value"] == 6 == page_count(p.prefecture_supervisor, body["appeals"]["url"])
    assert body["overdue"]["value"] == 3 == list_count(p.prefecture_supervisor, body["overdue"]["url"])
    assert counties[DUYUN]["url"].startswith(f"/insights/county/{DUYUN}/")


def test_weeks_cover_the_period_and_sum_to_its_totals(scene) -> None:
    p = scene
    _response, body = get(client_for(p.supervisor), **MARCH_PARAMS, region=DUYUN)
    weeks = body["weeks"]
    assert weeks[0]["starts"] == "2025-03-01" and weeks[-1]["ends"] == "2025-03-31"
    assert [w["iso"] for w in weeks][:2] == ["2025-W09", "2025-W10"]
    assert sum(w["registered"] for w in weeks) == body["appeals"]["value"]
    assert sum(w["visits"] for w in weeks) == body["visits"]["value"] == 3
    assert sum(w["resolved"] for w in weeks) == 2
    week_of_the_10th = next(w for w in weeks if w["starts"] == "2025-03-10")
    assert week_of_the_10th["registered"] == 3
    assert list_count(p.supervisor, week_of_the_10th["registered_url"]) == 3
    assert visit_count(p.supervisor, week_of_the_10th["visits_url"]) == week_of_the_10th["visits"] == 0


def test_rates_carry_labels_definitions_and_the_page_behind_them(scene) -> None:
    p = scene
    _response, body = get(client_for(p.supervisor), **MARCH_PARAMS, region=DUYUN)
    rates = {r["key"]: r for r in body["rates"]}
    assert rates["satisfaction_rate"]["value"] == 0.5
    assert rates["satisfaction_rate"]["label"] == "满意率" and rates["satisfaction_rate"]["definition"]
    assert rates["satisfaction_rate"]["url"].startswith("/insights/rankings/?league=township")
    assert rates["visit_coverage"]["url"] == f"/campaigns/{p.spring.pk}/coverage/?region={DUYUN}"
    assert rates["dispute_resolution_rate"]["value"] == 0.0
    assert (
        list_count(p.supervisor, rates["dispute_resolution_rate"]["url"]) == body["counts"]["disputes"] == 2
    )


def test_campaign_progress_sums_the_targets_against_the_visits(scene) -> None:
    p = scene
    _response, body = get(client_for(p.supervisor), **MARCH_PARAMS, region=DUYUN)
    (line,) = body["campaigns"]
    assert (line["campaign_id"], line["metric"], line["target"], line["achieved"]) == (
        p.spring.pk,
        "households",
        100,
        25,
    )
    assert line["coverage_url"] == f"/campaigns/{p.spring.pk}/coverage/?region={DUYUN}"


def test_the_figures_wait_for_the_counters_and_say_when_they_were_counted(scene) -> None:
    p = scene
    registered(p.dispatcher, march(20), region_code=GUANGHUI_VILLAGE)
    _response, before = get(client_for(p.supervisor), **MARCH_PARAMS, region=DUYUN)
    assert before["appeals"]["value"] == 5 and before["as_of"]
    counters_refresh()
    _response, after = get(client_for(p.supervisor), **MARCH_PARAMS, region=DUYUN)
    assert after["appeals"]["value"] == 6 == page_count(p.supervisor, after["appeals"]["url"])


def test_a_township_view_answers_without_the_per_county_breakdowns(scene) -> None:
    p = scene
    _response, body = get(client_for(p.supervisor), **MARCH_PARAMS, region=GUANGHUI)
    assert body["level"] == "township" and body["appeals"]["value"] == 3
    assert body["by_kind"] is None and body["by_status"] is None and body["heat_level"] is None
    assert sum(f["value"] for f in body["by_category"]) == 3
    for figure in body["by_category"]:
        assert list_count(p.supervisor, figure["url"]) == figure["value"]


def test_the_other_category_lists_what_the_top_ten_leave_out(scene) -> None:
    p = scene
    for i, code in enumerate(["labour.social_insurance", "infrastructure.roads"] * 5):
        registered(p.dispatcher, march(20 + i // 4), region_code=GUANGHUI_VILLAGE, category_code=code)
    counters_refresh()
    _response, body = get(client_for(p.supervisor), **MARCH_PARAMS, region=DUYUN)
    categories = body["by_category"]
    assert sum(f["value"] for f in categories) == body["appeals"]["value"] == 15
    for figure in categories:
        assert list_count(p.supervisor, figure["url"]) == figure["value"], figure


# --- the unit view ------------------------------------------------------------------------------------------


def test_the_unit_view_counts_its_open_tasks_and_overdue_items_as_its_lists_do(scene) -> None:
    p = scene
    response, body = get(client_for(p.unit_head), **MARCH_PARAMS, unit=p.duyun_hr.pk)
    assert response.status_code == 200 and body["level"] == "unit" and body["unit"]["id"] == p.duyun_hr.pk
    queue = {f["key"]: f for f in body["queue"]}
    assert (queue["assigned"]["value"], queue["accepted"]["value"]) == (1, 1)
    for figure in body["queue"]:
        assert page_count(p.unit_head, figure["url"]) == figure["value"]
    assert body["overdue"]["value"] == 2 == page_count(p.unit_head, body["overdue"]["url"])
    assert body["counts"]["assigned"] == 4 and body["counts"]["resolved"] == 2
    assert sum(w["assigned"] for w in body["weeks"]) == 4
    assert body["appeals"] is None and body["by_kind"] is None and body["heat"] == []


# --- who sees what ------------------------------------------------------------------------------------------


def test_each_persona_gets_its_view_or_its_refusal(scene) -> None:
    p = scene
    expected = {
        "visitor": 403,
        "handler": 403,  # unit staff see their unit's view, not the overview
        "unit_head": 403,
        "other_handler": 403,
        "township_handler": 403,
        "dispatcher": 200,
        "supervisor": 200,
        "prefecture_supervisor": 200,
        "other_leader": 200,
        "admin": 200,
    }
    for name, user in p.all().items():
        response = client_for(user).get(URL, MARCH_PARAMS)
        assert response.status_code == expected[name], name
        if response.status_code == 403:
            assert response.json()["error"]["code"] == "forbidden"


def test_another_countys_leader_sees_nothing_of_it(scene) -> None:
    p = scene
    leader = client_for(p.other_leader)
    response, body = get(leader, **MARCH_PARAMS)
    assert body["region"]["code"] == FUQUAN and body["appeals"]["value"] == 1
    assert body["overdue"]["value"] == 1 and body["overdue_items"][0]["title"] == "福泉欠薪"
    assert all(row["code"].startswith("522702") for row in body["heat"])
    missing_region = leader.get(URL, {**MARCH_PARAMS, "region": "522799999000"})
    missing_unit = leader.get(URL, {**MARCH_PARAMS, "unit": "999999"})
    for response, missing in (
        (leader.get(URL, {**MARCH_PARAMS, "region": DUYUN}), missing_region),
        (leader.get(URL, {**MARCH_PARAMS, "region": GUANGHUI}), missing_region),
        (leader.get(URL, {**MARCH_PARAMS, "unit": p.duyun_hr.pk}), missing_unit),
    ):
        assert response.status_code == missing.status_code == 404
        assert response.json()["error"] == missing.json()["error"]


def test_unit_staff_see_only_their_own_units(scene) -> None:
    p = scene
    assert client_for(p.handler).get(URL, {**MARCH_PARAMS, "unit": p.duyun_hr.pk}).status_code == 200
    other = client_for(p.handler).get(URL, {**MARCH_PARAMS, "unit": p.duyun_police.pk})
    assert other.status_code == 404  # in the county, but not the handler's unit
    assert client_for(p.visitor).get(URL, {**MARCH_PARAMS, "unit": p.duyun_police.pk}).status_code == 403
    assert client_for(p.supervisor).get(URL, {**MARCH_PARAMS, "unit": p.duyun_police.pk}).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2025-04-01", "to": "2025-03-01"},
        {"from": "2020-01-01", "to": "2025-01-01"},
        {"region": "5227"},
        {"region": GUANGHUI_VILLAGE},
        {"region": DUYUN, "unit": 1},
        {"unit": "abc"},
    ],
)
def test_bad_input_is_refused_with_details(scene, params) -> None:
    response = client_for(scene.supervisor).get(URL, params)
    assert response.status_code == 422
    assert response.json()["error"]["code"] in ("invalid_input", "validation_error")


def test_the_api_needs_a_signed_in_user(scene) -> None:
    assert Client().get(URL, MARCH_PARAMS).status_code == 401


def test_the_overview_reads_appeals_only_for_the_overdue_items_and_never_the_timeline(scene) -> None:
    p = scene
    region, unit = access_dashboard(p.supervisor, region_code=DUYUN)
    period = period_between(starts=date(2025, 3, 1), ends=date(2025, 4, 1))
    with CaptureQueriesContext(connection) as queries:
        overview = dashboard_overview(user=p.supervisor, period=period, region=region, unit=unit)
    assert overview.appeals is not None and overview.appeals.value == 5
    sql = [q["sql"] for q in queries.captured_queries]
    on_appeals = [q for q in sql if re.search(r'FROM "appeals_appeal"', q)]
    assert len(on_appeals) == 2 and all('"resolve_due" <' in q for q in on_appeals)  # count, the ten shown
    assert not [q for q in sql if '"appeals_appealevent"' in q]
    assert len(sql) <= 30


def test_links_keep_the_period_as_inclusive_days(scene) -> None:
    _response, body = get(client_for(scene.supervisor), **MARCH_PARAMS, region=DUYUN)
    query = parse_qs(urlsplit(body["appeals"]["url"]).query)
    assert query == {"region": [DUYUN], "from": ["2025-03-01"], "to": ["2025-03-31"]}
    assert QueryDict(urlsplit(body["visits"]["url"]).query)["to"] == "2025-03-31"
    assert Visit.objects.count() == 3


def test_the_endpoint_is_declared_in_the_openapi_document(scene) -> None:
    schema = client_for(scene.supervisor).get("/api/v1/openapi.json").json()
    operation = schema["paths"][URL]["get"]
    assert {"200", "401", "403", "404", "422"} <= set(operation["responses"])
    assert {p["name"] for p in operation["parameters"]} == {"from", "to", "region", "unit"}
    response, body = get(client_for(scene.supervisor), **MARCH_PARAMS, region=DUYUN)
    assert "都匀市" in response.content.decode()  # Chinese as it is, not escaped
    assert set(body) == set(schema["components"]["schemas"]["DashboardOut"]["properties"])
