"""Visit coverage (走访覆盖率) by area, the villages nobody has visited and who answers for them, and the page."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse

from campaigns.models import Campaign, Enterprise, Responsibility
from campaigns.selectors.coverage import (
    area_access,
    area_root,
    campaign_coverage,
    unvisited_export_rows,
    unvisited_villages,
)
from campaigns.tests.factories import (
    FUQUAN_VILLAGE,
    GUANGHUI_VILLAGES,
    SHANGHAI,
    WENFENG,
    WENFENG_VILLAGE,
    make_campaign,
    make_visit,
)
from core.errors import NotFound
from core.models import AuditEvent
from geo.models import Region
from tests.support import DUYUN, FUQUAN, GUANGHUI, PREFECTURE, client_for, response_bytes, xlsx_rows


@pytest.fixture
def visited(personas) -> Campaign:
    """Three Guanghui communities (one twice) and one in Wenfeng visited; an enterprise visit in a fourth
    Guanghui community; one Fuquan village visited; and another campaign's visit in a fifth."""
    campaign = make_campaign()
    v = personas.visitor
    for code in GUANGHUI_VILLAGES[:3]:
        make_visit(v, campaign, place=code, households=5, tally=True)
    make_visit(v, campaign, households=7, place=GUANGHUI_VILLAGES[0], tally=True)
    make_visit(v, campaign, place=WENFENG_VILLAGE, households=5, tally=True)
    factory = Enterprise.objects.create(name="都匀毛尖茶业有限公司", region_id=GUANGHUI_VILLAGES[3])
    make_visit(v, campaign, enterprise=factory, place=GUANGHUI_VILLAGES[3], households=5, tally=True)
    make_visit(personas.other_handler, campaign, place=FUQUAN_VILLAGE, households=5, tally=True)
    other = make_campaign(name="另一次走访")
    make_visit(v, other, place=GUANGHUI_VILLAGES[4], households=5, tally=True)
    return campaign


def test_coverage_counts_villages_with_a_visit_over_villages_in_scope_by_township(personas, visited) -> None:
    duyun = Region.objects.get(pk=DUYUN)
    coverage = campaign_coverage(campaign=visited, user=personas.dispatcher, region=duyun)
    rows = {row.region.code: row for row in coverage.rows}
    assert coverage.villages == Region.objects.filter(code__startswith="522701", level=5).count()
    # The enterprise visit, the Fuquan village and the other campaign's visit do not count.
    assert coverage.visited == 4
    assert (rows[GUANGHUI].villages, rows[GUANGHUI].visited, rows[GUANGHUI].unvisited) == (13, 3, 10)
    assert rows[GUANGHUI].visits == 4
    assert rows[GUANGHUI].rate == pytest.approx(3 / 13)
    assert (rows[WENFENG].visited, rows[WENFENG].visits) == (1, 1)
    assert all(code.startswith("522701") for code in rows)


def test_coverage_of_the_prefecture_groups_by_county_and_counts_only_the_scope(personas, visited) -> None:
    prefecture = Region.objects.get(pk=PREFECTURE)
    everywhere = campaign_coverage(campaign=visited, user=personas.prefecture_supervisor, region=prefecture)
    rows = {row.region.code: row for row in everywhere.rows}
    assert len(rows) == 12
    assert (rows[DUYUN].visited, rows[FUQUAN].visited) == (4, 1)
    assert everywhere.villages == 1464
    # A Duyun dispatcher looking at the prefecture sees Duyun only.
    duyun_only = campaign_coverage(campaign=visited, user=personas.dispatcher, region=prefecture)
    assert [row.region.code for row in duyun_only.rows] == [DUYUN]


def test_coverage_of_a_township_lists_its_villages_one_by_one(personas, visited) -> None:
    township = Region.objects.get(pk=GUANGHUI)
    coverage = campaign_coverage(campaign=visited, user=personas.township_handler, region=township)
    assert [row.region.code for row in coverage.rows] == GUANGHUI_VILLAGES
    assert [row.visited for row in coverage.rows] == [1, 1, 1] + [0] * 10
    assert coverage.rows[0].visits == 2


def test_unvisited_villages_are_those_without_a_visit_of_the_campaign_in_scope(personas, visited) -> None:
    township = Region.objects.get(pk=GUANGHUI)
    codes = list(
        unvisited_villages(campaign=visited, user=personas.township_handler, region=township).values_list(
            "code", flat=True
        )
    )
    assert codes == GUANGHUI_VILLAGES[3:]
    duyun = Region.objects.get(pk=DUYUN)
    everywhere = unvisited_villages(campaign=visited, user=personas.dispatcher, region=duyun)
    assert not everywhere.filter(code__in=[*GUANGHUI_VILLAGES[:3], WENFENG_VILLAGE]).exists()
    assert not everywhere.filter(code=FUQUAN_VILLAGE).exists()


def test_unvisited_export_names_the_responsible_visitors(personas, visited) -> None:
    Responsibility.objects.create(campaign=visited, visitor=personas.visitor, region_id=GUANGHUI_VILLAGES[3])
    Responsibility.objects.create(campaign=visited, visitor=personas.handler, region_id=GUANGHUI_VILLAGES[3])
    township = Region.objects.get(pk=GUANGHUI)
    rows = list(unvisited_export_rows(campaign=visited, user=personas.dispatcher, region=township))
    assert len(rows) == 10
    county, town, _village, code, people, _phones = rows[0]
    assert (county, town, code) == ("都匀市", "广惠街道", GUANGHUI_VILLAGES[3])
    assert set(people.split("、")) == {"王走访", "李经办"}
    assert rows[1][4] == ""


def test_the_area_asked_for_must_hold_part_of_the_scope(personas) -> None:
    assert area_root(personas.dispatcher).code == DUYUN
    assert area_root(personas.township_handler).code == GUANGHUI
    assert area_root(personas.prefecture_supervisor).code == PREFECTURE
    # The prefecture holds Duyun, so a Duyun dispatcher may open it (and sees Duyun in it).
    assert area_access(personas.dispatcher, PREFECTURE).code == PREFECTURE
    # A village stands for its township.
    assert area_access(personas.dispatcher, GUANGHUI_VILLAGES[0]).code == GUANGHUI
    for code in (FUQUAN, "522702001000", "999999999999", "x"):
        with pytest.raises(NotFound):
            area_access(personas.dispatcher, code)


def test_coverage_page_shows_the_rate_its_definition_and_the_unvisited(personas, visited) -> None:
    Responsibility.objects.create(campaign=visited, visitor=personas.visitor, region_id=GUANGHUI_VILLAGES[5])
    url = reverse("campaigns:coverage", kwargs={"campaign_id": visited.pk})
    response = client_for(personas.township_handler).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="coverage-rate">23.1%<' in html
    assert "不计入" in html or "do not count" in html
    assert GUANGHUI_VILLAGES[5] in html and "王走访" in html
    # Every persona sees the page for its own scope; an area elsewhere is answered like a missing one.
    for user in personas.all().values():
        assert client_for(user).get(url).status_code == 200
    assert client_for(personas.dispatcher).get(url, {"region": FUQUAN}).status_code == 404
    assert client_for(personas.other_leader).get(url, {"region": GUANGHUI}).status_code == 404
    missing = reverse("campaigns:coverage", kwargs={"campaign_id": visited.pk + 999})
    assert client_for(personas.dispatcher).get(missing).status_code == 404


def test_coverage_and_unvisited_exports_are_workbooks_and_audited(personas, visited) -> None:
    url = reverse("campaigns:coverage", kwargs={"campaign_id": visited.pk})
    client = client_for(personas.dispatcher)
    table = xlsx_rows(response_bytes(client.get(url, {"export": "coverage"})))
    assert len(table) == 1 + Region.objects.filter(code__startswith="522701", level=4).count()
    guanghui = next(row for row in table if row[1] == GUANGHUI)
    assert guanghui[0] == "广惠街道"
    assert [float(x) for x in guanghui[2:5]] == [13, 3, 10]
    assert float(guanghui[5]) == pytest.approx(23.1)
    unvisited = xlsx_rows(response_bytes(client.get(url, {"region": GUANGHUI, "export": "unvisited"})))
    assert len(unvisited) == 1 + 10
    assert unvisited[1][3] == GUANGHUI_VILLAGES[3]
    events = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).order_by("id")
    assert [(e.data["export"], e.data["rows"], e.actor_id) for e in events] == [
        ("campaign_coverage", len(table) - 1, personas.dispatcher.pk),
        ("unvisited_villages", 10, personas.dispatcher.pk),
    ]
    assert events[1].data["filters"] == {"campaign": visited.pk, "region": GUANGHUI}


def test_unvisited_list_pages_by_code(personas, visited) -> None:
    url = reverse("campaigns:coverage", kwargs={"campaign_id": visited.pk})
    client = client_for(personas.dispatcher)
    first = client.get(url)
    assert first.context["next_url"] is not None
    seen = [row.village.code for row in first.context["unvisited"]]
    second = client.get(url + first.context["next_url"].split("#")[0])
    more = [row.village.code for row in second.context["unvisited"]]
    assert seen and more and max(seen) < min(more)


def test_visits_after_the_period_still_count_for_their_campaign(personas) -> None:
    campaign = make_campaign()
    make_visit(
        personas.visitor,
        campaign,
        at=datetime(2027, 4, 1, 9, 0, tzinfo=SHANGHAI) + timedelta(hours=1),
        place=GUANGHUI_VILLAGES[0],
        households=5,
        tally=True,
    )
    township = Region.objects.get(pk=GUANGHUI)
    assert campaign_coverage(campaign=campaign, user=personas.dispatcher, region=township).visited == 1
