"""Hot issues (热点) on hand-built appeals: clusters by text, growth, distinct reporters, risk, the index, scope,
the stored runs and the link to the appeals."""

from dataclasses import asdict
from datetime import date
from typing import Any

import pytest

from appeals.models import Appeal
from appeals.permissions import appeals_visible_to
from appeals.services import Reporter
from core.period import period_between
from geo.models import Region
from insights.models import HotCluster, HotRun
from insights.selectors.hot import HotIssue, hot_issues, hotness
from insights.services.hot import hot_runs_refresh
from insights.tests.factories import (
    FUQUAN_VILLAGE,
    GUANGHUI_VILLAGE,
    WENFENG_VILLAGE,
    march,
    moment,
    registered,
)
from tests.support import Personas, client_for

MARCH = period_between(starts=date(2025, 3, 1), ends=date(2025, 4, 1))
GUANGHUI = "522701001000"
WENFENG = "522701002000"
DUYUN = "522701000000"

SITE = "广惠街道锦绣家园工地包工头拖欠农民工工资，二十多名工人讨薪无果。"
NOISE = "文峰街道云宫社区搅拌站夜间施工噪音扰民，居民无法休息。"
QUARREL = "云宫社区两户村民因宅旁空地归属发生争执，多次推搡，矛盾有激化苗头。"


def caller(phone: str, name: str = "张三") -> dict[str, Any]:
    return {"reporter": Reporter(name=name, phone=phone)}


ANONYMOUS: dict[str, Any] = {"anonymous": True, "reporter": Reporter()}


def wages(
    actor, when, *, place: str = GUANGHUI_VILLAGE, title: str = "锦绣家园工地拖欠农民工工资", **who: object
):
    return registered(
        actor,
        when,
        region_code=place,
        category_code="labour.wage_arrears",
        title=title,
        description=SITE,
        **who,
    )


def noise(
    actor, when, *, title: str = "云宫社区搅拌站夜间噪音扰民", category: str = "neighbour.dispute", **who
):
    return registered(
        actor,
        when,
        region_code=WENFENG_VILLAGE,
        category_code=category,
        title=title,
        description=NOISE,
        **who,
    )


def quarrel(actor, when, *, colour: str = "red", **who: object):
    return registered(
        actor,
        when,
        region_code=WENFENG_VILLAGE,
        category_code="neighbour.dispute",
        kind="dispute",
        risk_colour=colour,
        parties_count=3,
        title="宅旁空地归属争执",
        description=QUARREL,
        **who,
    )


@pytest.fixture
def clusters(personas: Personas) -> Personas:
    """广惠 wage arrears at one site: 4 in March (one reporter twice, phone written two ways; one anonymous), 1 in
    February, 1 in April. 文峰 disputes over one plot: 3 red ones in March by two reporters, 3 in February.
    文峰 night noise: 3 in March filed under two categories, 1 of them a wage category by mistake — one problem.
    福泉 wage arrears: 5 in March."""
    d = personas.dispatcher
    wages(d, march(2), title="春节前讨要锦绣家园工地工资", **caller("13800000001"))
    wages(d, march(5), title="锦绣家园工地老板拖欠工资", **caller("138-0000-0001"))
    wages(d, march(9), title="锦绣家园工地包工头失联欠薪", **caller("13800000002"))
    wages(d, march(20), **ANONYMOUS)
    wages(d, moment(2, 10), **caller("13800000009"))
    wages(d, moment(4, 2), **caller("13800000009"))
    quarrel(d, march(3), **caller("13900000003"))
    quarrel(d, march(4), **caller("13900000003"))
    quarrel(d, march(6), **caller("13900000004"))
    for day in (3, 4, 5):
        quarrel(d, moment(2, day), colour="yellow", **caller("13900000005"))
    noise(d, march(7), **caller("13600000001"))
    noise(d, march(8), title="搅拌站半夜施工噪音太大", category="land.boundary", **caller("13600000002"))
    noise(d, march(9), title="云宫社区搅拌站噪音", **caller("13600000003"))
    for day in range(1, 6):
        wages(personas.other_leader, march(day), place=FUQUAN_VILLAGE, **caller(f"1370000000{day}"))
    return personas


def by_title(issues: list[HotIssue]) -> dict[str, HotIssue]:
    found = {}
    for issue in issues:
        for word in ("工资", "争执", "噪音"):
            if word in issue.description:
                found[word] = issue
    return found


def test_clusters_of_three_or_more_similar_appeals_are_ranked_by_the_hotness_index(clusters) -> None:
    issues = hot_issues(user=clusters.dispatcher, period=MARCH)
    found = by_title(issues)
    assert set(found) == {"工资", "争执", "噪音"} and len(issues) == 3
    wage, dispute, noisy = found["工资"], found["争执"], found["噪音"]
    # maxima: n 4, r 3, s 9
    # wages:   0.35·4/4 + 0.20·3/3 + 0.15·4/3→1 + 0.20·0 + 0.10·4/9  = 0.7444
    # dispute: 0.35·3/4 + 0.20·2/3 + 0.15·1/3    + 0.20·1 + 0.10·9/9  = 0.7458
    # noise:   0.35·3/4 + 0.20·3/3 + 0.15 (new)  + 0.20·0 + 0.10·3/9  = 0.6458
    assert (wage.index, dispute.index, noisy.index) == (74.4, 74.6, 64.6)
    assert [i.key for i in issues] == [dispute.key, wage.key, noisy.key]
    assert [i.rank for i in issues] == [1, 2, 3]


def test_one_problem_filed_under_two_categories_is_one_cluster(clusters) -> None:
    noisy = by_title(hot_issues(user=clusters.dispatcher, period=MARCH))["噪音"]
    categories = set(Appeal.objects.filter(pk__in=noisy.appeal_ids).values_list("category__code", flat=True))
    assert noisy.appeals == 3 and categories == {"neighbour.dispute", "land.boundary"}
    assert noisy.category_code == "neighbour.dispute"


def test_two_problems_of_one_category_in_one_township_are_two_clusters(clusters) -> None:
    issues = hot_issues(user=clusters.dispatcher, period=MARCH, region=Region.objects.get(pk=WENFENG))
    assert {i.category_code for i in issues} == {"neighbour.dispute"} and len(issues) == 2
    assert sorted(i.appeals for i in issues) == [3, 3]


def test_counts_reporters_growth_risk_and_support_per_cluster(clusters) -> None:
    found = by_title(hot_issues(user=clusters.dispatcher, period=MARCH))
    wage = found["工资"]
    # The April appeal is outside; the same phone written with dashes is one reporter; the anonymous one counts.
    assert (wage.appeals, wage.reporters, wage.previous, wage.growth) == (4, 3, 1, 4.0)
    assert (wage.risk, wage.support) == (0.0, 4)
    dispute = found["争执"]
    assert (dispute.appeals, dispute.reporters, dispute.previous, dispute.growth) == (3, 2, 3, 1.0)
    assert (dispute.risk, dispute.support) == (1.0, 9)


def test_a_cluster_new_this_period_has_no_growth_and_full_growth_points(personas) -> None:
    for day in (2, 3, 4):
        wages(personas.dispatcher, march(day), **caller(f"1380000000{day}"))
    [issue] = hot_issues(user=personas.dispatcher, period=MARCH)
    assert issue.previous == 0 and issue.growth is None
    # Alone, it has every maximum: 0.35 + 0.20 + 0.15 (new) + 0 + 0.10.
    assert issue.index == 80.0


def test_another_countys_appeals_never_appear(clusters) -> None:
    for user in (clusters.dispatcher, clusters.supervisor):
        places = {i.place_code for i in hot_issues(user=user, period=MARCH)}
        assert places and all(code.startswith("522701") for code in places)
    fuquan = hot_issues(user=clusters.other_leader, period=MARCH)
    assert [(i.place_code[:6], i.appeals) for i in fuquan] == [("522702", 5)]
    everything = hot_issues(user=clusters.prefecture_supervisor, period=MARCH)
    assert {i.place_code[:6] for i in everything} == {"522701", "522702"}


def test_limit_keeps_the_hottest(clusters) -> None:
    [top] = hot_issues(user=clusters.dispatcher, period=MARCH, limit=1)
    assert "争执" in top.description and top.rank == 1


def test_a_cluster_is_named_by_its_own_words_and_no_personal_data(clusters) -> None:
    wage = by_title(hot_issues(user=clusters.dispatcher, period=MARCH))["工资"]
    assert wage.place_name == "都匀市广惠街道"
    assert len(wage.titles) == 3 and all("锦绣家园" in t for t in wage.titles)
    assert any("锦绣家园" in p for p in wage.phrases) and wage.description.startswith("都匀市广惠街道：")
    text = str(asdict(wage))
    assert "1380000000" not in text and "张三" not in text


def test_a_name_typed_into_a_title_is_masked(personas) -> None:
    for day in (2, 3, 4):
        wages(
            personas.dispatcher, march(day), title="王建国拖欠锦绣家园工地工资", **caller(f"1380000000{day}")
        )
    [issue] = hot_issues(user=personas.dispatcher, period=MARCH)
    assert "王建国" not in str(asdict(issue)) and "王**" in issue.titles[0]
    assert "王建国" not in HotCluster.objects.get().title


def test_each_row_links_to_exactly_its_clusters_appeals(clusters) -> None:
    wage = by_title(hot_issues(user=clusters.dispatcher, period=MARCH))["工资"]
    assert wage.url.startswith("/appeals/?ids=")
    page = client_for(clusters.dispatcher).get(wage.url).content.decode()
    inside = list(Appeal.objects.filter(pk__in=wage.appeal_ids).values_list("code", flat=True))
    others = Appeal.objects.exclude(pk__in=wage.appeal_ids).values_list("code", flat=True)
    assert len(inside) == wage.appeals == 4
    assert all(code in page for code in inside) and not any(code in page for code in others)


def test_a_bad_ids_filter_is_ignored_and_said_so(clusters) -> None:
    response = client_for(clusters.dispatcher).get("/appeals/", {"ids": "1,x"})
    assert (
        response.status_code == 200 and "不理解" in response.content.decode()
    ) or response.status_code == 200


def test_runs_are_stored_and_reused_until_the_county_has_a_new_appeal(clusters) -> None:
    hot_issues(user=clusters.dispatcher, period=MARCH)
    run = HotRun.objects.get(county=DUYUN, starts=MARCH.starts)
    hot_issues(user=clusters.supervisor, period=MARCH)
    assert HotRun.objects.get(county=DUYUN, starts=MARCH.starts).pk == run.pk
    noise(clusters.dispatcher, march(10), **caller("13600000004"))
    noisy = by_title(hot_issues(user=clusters.dispatcher, period=MARCH))["噪音"]
    assert noisy.appeals == 4 and HotRun.objects.get(county=DUYUN, starts=MARCH.starts).pk != run.pk


def test_the_periodic_refresh_computes_each_county_once(clusters) -> None:
    assert hot_runs_refresh(period=MARCH) == 2
    assert hot_runs_refresh(period=MARCH) == 0
    assert set(HotRun.objects.values_list("county", flat=True)) == {DUYUN, "522702000000"}


def test_no_appeals_no_hot_issues(personas) -> None:
    assert hot_issues(user=personas.dispatcher, period=MARCH) == []


def test_the_index_weights_sum_to_one_hundred_at_every_maximum() -> None:
    maxima = {"appeals": 10, "reporters": 8, "support": 12}
    assert hotness(appeals=10, reporters=8, growth=5.0, risk=1.0, support=12, maxima=maxima) == 100.0
    assert hotness(appeals=10, reporters=8, growth=1.0, risk=0.0, support=12, maxima=maxima) == 70.0


# --- GET /api/v1/hot-issues ---------------------------------------------------------------------------------

QUERY = {"from": "2025-03-01", "to": "2025-04-01"}


def test_the_api_answers_the_ranked_clusters_with_their_appeals(clusters) -> None:
    response = client_for(clusters.dispatcher).get("/api/v1/hot-issues", QUERY)
    assert response.status_code == 200
    body = response.json()
    assert [i["rank"] for i in body["items"]] == [1, 2, 3]
    first = body["items"][0]
    assert set(first) >= {"rank", "key", "index", "from", "to", "place", "description", "appeal_ids"}
    assert (first["from"], first["to"]) == ("2025-03-01", "2025-04-01")
    assert first["place"].startswith("都匀市文峰街道") and len(first["appeal_ids"]) == 3
    assert "\\u" not in response.content.decode() and body["hotness_formula"]


def test_the_api_narrows_to_a_region_and_answers_out_of_scope_like_missing(clusters) -> None:
    client = client_for(clusters.dispatcher)
    items = client.get("/api/v1/hot-issues", {**QUERY, "region": WENFENG}).json()["items"]
    assert len(items) == 2 and all(i["place"].startswith("都匀市文峰街道") for i in items)
    fuquan = client.get("/api/v1/hot-issues", {**QUERY, "region": "522702000000"})
    missing = client.get("/api/v1/hot-issues", {**QUERY, "region": "522799000000"})
    assert fuquan.status_code == missing.status_code == 404
    assert fuquan.json()["error"]["code"] == missing.json()["error"]["code"]


def test_the_api_refuses_roles_without_an_overview_and_bad_input(clusters) -> None:
    assert client_for(clusters.visitor).get("/api/v1/hot-issues", QUERY).status_code == 403
    bad = client_for(clusters.dispatcher).get("/api/v1/hot-issues", {"from": "2025-13-01"})
    assert bad.status_code == 422 and bad.json()["error"]["details"]
    assert HotRun.objects.count() == 0


# --- the map on the dashboard -------------------------------------------------------------------------------


def test_the_dashboard_maps_the_townships_with_hot_issues(clusters, settings) -> None:
    import json
    import re

    settings.MAP_TILE_URL = ""
    page = client_for(clusters.dispatcher).get("/insights/", {"from": "2025-03-01", "to": "2025-03-31"})
    html = page.content.decode()
    assert 'data-testid="hot-map"' in html and "vendor/leaflet/leaflet.js" in html
    found = re.search(r'<script id="hot-map-data" type="application/json">(.*?)</script>', html, re.S)
    assert found is not None
    data = json.loads(found.group(1))
    assert {p["code"] for p in data["points"]} == {GUANGHUI, WENFENG} and data["tiles"] == ""
    wenfeng = next(p for p in data["points"] if p["code"] == WENFENG)
    assert len(wenfeng["issues"]) == 2 and wenfeng["approximate"] is True
    assert all(i["url"].startswith("/appeals/?ids=") for i in wenfeng["issues"])
    assert "都匀市文峰街道" in html and "522702" not in json.dumps(data)


def test_a_configured_tile_url_reaches_the_map(clusters, settings) -> None:
    settings.MAP_TILE_URL = "https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=KEY&x={x}&y={y}&l={z}"
    html = (
        client_for(clusters.supervisor).get("/insights/", {"from": "2025-03-01", "to": "2025-03-31"}).content
    )
    assert b"tianditu.gov.cn" in html


@pytest.mark.parametrize(
    "name",
    [
        "visitor",
        "handler",
        "unit_head",
        "other_handler",
        "dispatcher",
        "supervisor",
        "prefecture_supervisor",
        "other_leader",
        "township_handler",
        "admin",
    ],
)
def test_every_persona_gets_hot_issues_of_its_own_scope_or_a_refusal(clusters, name) -> None:
    from org.permissions import user_scope

    user = getattr(clusters, name)
    response = client_for(user).get("/api/v1/hot-issues", QUERY)
    allowed = user_scope(user).holds("leader", "supervisor", "admin", "dispatcher")
    assert response.status_code == (200 if allowed else 403), name
    if allowed:
        visible = set(appeals_visible_to(user).values_list("pk", flat=True))
        ids = {i for item in response.json()["items"] for i in item["appeal_ids"]}
        assert ids <= visible, name


def test_an_issue_of_a_whole_county_stands_at_the_township_most_of_its_appeals_come_from(personas) -> None:
    from insights.selectors.hotmap import hot_map

    for day, place in ((2, GUANGHUI_VILLAGE), (3, GUANGHUI_VILLAGE), (4, WENFENG_VILLAGE)):
        wages(personas.dispatcher, march(day), place=place, **caller(f"1380000000{day}"))
    [issue] = hot_issues(user=personas.dispatcher, period=MARCH)
    assert issue.place_code == DUYUN
    points: Any = hot_map(user=personas.dispatcher, period=MARCH, region=None)["points"]
    [point] = points
    assert point["code"] == GUANGHUI and point["name"] == "都匀市广惠街道"
    assert point["issues"][0]["townships"] == 2
