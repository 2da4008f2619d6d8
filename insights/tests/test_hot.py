"""Hot issues (热点) on hand-built appeals: clusters, growth, distinct reporters, risk, the index, scope."""

from dataclasses import asdict
from datetime import date
from typing import Any

import pytest

from appeals.models import Appeal
from appeals.services import Reporter
from core.period import period_between
from geo.models import Region
from insights.selectors.hot import HotIssue, hot_issues, hotness
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


def caller(phone: str, name: str = "张三") -> dict[str, Any]:
    return {"reporter": Reporter(name=name, phone=phone)}


ANONYMOUS: dict[str, Any] = {"anonymous": True, "reporter": Reporter()}


def wages(actor, when, *, place: str = GUANGHUI_VILLAGE, title: str = "工地拖欠工资", **who: object):
    return registered(actor, when, region_code=place, category_code="labour.wage_arrears", title=title, **who)


def quarrel(actor, when, *, place: str = WENFENG_VILLAGE, colour: str = "red", **who: object):
    return registered(
        actor,
        when,
        region_code=place,
        category_code="neighbour.dispute",
        kind="dispute",
        risk_colour=colour,
        parties_count=3,
        title="宅旁空地归属争执",
        **who,
    )


@pytest.fixture
def clusters(personas: Personas) -> Personas:
    """广惠 wage arrears: 4 in March (one reporter twice, phone written two ways; one anonymous), 1 in February.
    文峰 disputes: 3 red ones in March by two reporters, 3 in February. 广惠 boundaries: only 2 in March.
    福泉 wage arrears: 5 in March. Plus one 广惠 wage appeal in April, outside the period."""
    d = personas.dispatcher
    wages(d, march(2), title="春节前讨要工资", **caller("13800000001"))
    wages(d, march(5), title="工地老板拖欠工资", **caller("138-0000-0001"))
    wages(d, march(9), title="包工头失联欠薪", **caller("13800000002"))
    wages(d, march(20), title="工地拖欠工资", **ANONYMOUS)
    wages(d, moment(2, 10), **caller("13800000009"))
    wages(d, moment(4, 2), **caller("13800000009"))
    quarrel(d, march(3), **caller("13900000003"))
    quarrel(d, march(4), **caller("13900000003"))
    quarrel(d, march(6), **caller("13900000004"))
    for day in (3, 4, 5):
        quarrel(d, moment(2, day), colour="yellow", **caller("13900000005"))
    for day in (7, 8):
        registered(
            d,
            march(day),
            region_code=GUANGHUI_VILLAGE,
            category_code="land.boundary",
            **caller("13600000001"),
        )
    for day in range(1, 6):
        wages(personas.other_leader, march(day), place=FUQUAN_VILLAGE, **caller(f"1370000000{day}"))
    return personas


def by_place(issues: list[HotIssue]) -> dict[str, HotIssue]:
    return {f"{i.place_code}-{i.category_code}": i for i in issues}


def test_clusters_of_three_or_more_are_ranked_by_the_hotness_index(clusters) -> None:
    issues = hot_issues(user=clusters.dispatcher, period=MARCH)
    found = by_place(issues)
    assert set(found) == {f"{GUANGHUI}-labour.wage_arrears", f"{WENFENG}-neighbour.dispute"}
    wage, dispute = found[f"{GUANGHUI}-labour.wage_arrears"], found[f"{WENFENG}-neighbour.dispute"]
    # wages:   0.35·4/4 + 0.20·3/3 + 0.15·3/3 + 0.20·0 + 0.10·4/9  = 0.7444
    # dispute: 0.35·3/4 + 0.20·2/3 + 0.15·1/3 + 0.20·1 + 0.10·9/9  = 0.7458
    assert (wage.index, dispute.index) == (74.4, 74.6)
    assert [i.key for i in issues] == [dispute.key, wage.key]
    assert [i.rank for i in issues] == [1, 2]


def test_counts_reporters_growth_risk_and_support_per_cluster(clusters) -> None:
    found = by_place(hot_issues(user=clusters.dispatcher, period=MARCH))
    wage = found[f"{GUANGHUI}-labour.wage_arrears"]
    # The April appeal is outside; the same phone written with dashes is one reporter; the anonymous one counts.
    assert (wage.appeals, wage.reporters, wage.previous, wage.growth) == (4, 3, 1, 4.0)
    assert (wage.risk, wage.support) == (0.0, 4)
    dispute = found[f"{WENFENG}-neighbour.dispute"]
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


def test_a_region_narrows_the_clusters(clusters) -> None:
    wenfeng = Region.objects.get(pk=WENFENG)
    issues = hot_issues(user=clusters.dispatcher, period=MARCH, region=wenfeng)
    assert [i.category_code for i in issues] == ["neighbour.dispute"]


def test_limit_keeps_the_hottest(clusters) -> None:
    [top] = hot_issues(user=clusters.dispatcher, period=MARCH, limit=1)
    assert top.category_code == "neighbour.dispute" and top.rank == 1


def test_the_description_names_place_and_category_and_recent_titles_and_no_personal_data(clusters) -> None:
    wage = by_place(hot_issues(user=clusters.dispatcher, period=MARCH))[f"{GUANGHUI}-labour.wage_arrears"]
    assert wage.place_name == "都匀市广惠街道"
    assert wage.titles == ["工地拖欠工资", "包工头失联欠薪", "工地老板拖欠工资"]
    assert wage.description.startswith("都匀市广惠街道拖欠农民工工资问题：工地拖欠工资")
    text = str(asdict(wage))
    assert "1380000000" not in text and "张三" not in text


def test_each_row_links_to_the_appeals_list_of_its_cluster(clusters) -> None:
    wage = by_place(hot_issues(user=clusters.dispatcher, period=MARCH))[f"{GUANGHUI}-labour.wage_arrears"]
    assert wage.url == (
        "/appeals/?category=labour.wage_arrears&region=522701001000&from=2025-03-01&to=2025-03-31"
    )


def test_no_appeals_no_hot_issues(personas) -> None:
    assert hot_issues(user=personas.dispatcher, period=MARCH) == []


def test_the_index_weights_sum_to_one_hundred_at_every_maximum() -> None:
    maxima = {"appeals": 10, "reporters": 8, "support": 12}
    assert hotness(appeals=10, reporters=8, growth=5.0, risk=1.0, support=12, maxima=maxima) == 100.0
    assert hotness(appeals=10, reporters=8, growth=1.0, risk=0.0, support=12, maxima=maxima) == 70.0


def test_the_link_lists_exactly_the_clusters_appeals(clusters) -> None:
    wage = by_place(hot_issues(user=clusters.dispatcher, period=MARCH))[f"{GUANGHUI}-labour.wage_arrears"]
    page = client_for(clusters.dispatcher).get(wage.url).content.decode()
    ours = Appeal.objects.filter(category__code="labour.wage_arrears", region_id=GUANGHUI_VILLAGE)
    inside = [a.code for a in ours if MARCH.start_at <= a.created_at < MARCH.end_at]
    outside = [a.code for a in ours if a.code not in inside]
    assert len(inside) == wage.appeals and len(outside) == 2
    assert all(code in page for code in inside) and not any(code in page for code in outside)
