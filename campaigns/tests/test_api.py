"""The visits and campaigns API against the personas: idempotency, batches, scope, progress."""

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from appeals.models import Appeal, AppealSource
from campaigns.models import Campaign, Enterprise, Metric, Target, Visit, VisitProblem
from tests.support import api_client

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2027, 1, 10, 12, 0, tzinfo=SHANGHAI)
VILLAGE = "522701001001"
OTHER_VILLAGE = "522701001002"
FUQUAN_VILLAGE = "522702001001"


def visit_body(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "place_code": VILLAGE,
        "started_at": "2027-01-10T09:30:00+08:00",
        "households_reached": 12,
        "people_met": 30,
        "notes": "走访广惠社区，了解欠薪情况。",
        "location": {"lat": 26.2594, "lng": 107.5186},
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def problem_body(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "kind": "request",
        "title": "春节前讨要工资",
        "description": "在工地务工八个月，工资被拖欠。",
        "category": "labour.wage_arrears",
        "reporter": {"name": "张三", "phone": "13812345678"},
    }
    values.update(overrides)
    return values


def post(client: Client, path: str, body: Any):
    return client.post(path, body, content_type="application/json")


def rows() -> tuple[int, int, int]:
    return Visit.objects.count(), Appeal.objects.count(), VisitProblem.objects.count()


@pytest.fixture(autouse=True)
def _now() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def campaign(personas) -> Campaign:
    return Campaign.objects.create(name="冬春大走访", starts=date(2027, 1, 1), ends=date(2027, 3, 31))


def test_a_visit_with_two_problems_answers_201_with_two_visit_appeals(personas, campaign) -> None:
    body = visit_body(problems=[problem_body(), problem_body(kind="dispute", category="land.boundary")])
    response = post(api_client(personas.visitor), "/api/v1/visits", body)
    assert response.status_code == 201, response.content.decode()
    out = response.json()
    assert out["campaign_id"] == campaign.pk and out["place_code"] == VILLAGE
    assert out["location"] == {"lat": 26.2594, "lng": 107.5186}
    assert len(out["problems"]) == 2 and all(p["secret"] for p in out["problems"])
    appeals = Appeal.objects.filter(pk__in=[p["appeal_id"] for p in out["problems"]])
    assert {a.source for a in appeals} == {AppealSource.VISIT}
    assert {a.visit_link.visit_id for a in appeals} == {out["id"]}


def test_the_same_body_again_answers_200_with_the_same_record(personas, campaign) -> None:
    client, body = api_client(personas.visitor), visit_body(problems=[problem_body()])
    first = post(client, "/api/v1/visits", body).json()
    before = rows()
    again = post(client, "/api/v1/visits", body)
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert rows() == before


def test_the_same_uuid_with_another_body_answers_409(personas, campaign) -> None:
    client, body = api_client(personas.visitor), visit_body()
    assert post(client, "/api/v1/visits", body).status_code == 201
    before = rows()
    response = post(client, "/api/v1/visits", {**body, "people_met": 31})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "uuid_conflict"
    assert rows() == before


def test_a_place_outside_scope_answers_422_like_an_unknown_one(personas, campaign) -> None:
    client = api_client(personas.visitor)
    outside = post(client, "/api/v1/visits", visit_body(place_code=FUQUAN_VILLAGE))
    unknown = post(client, "/api/v1/visits", visit_body(place_code="522701999999"))
    assert outside.status_code == unknown.status_code == 422
    assert outside.json()["error"] == unknown.json()["error"]
    assert rows() == (0, 0, 0)


@pytest.mark.parametrize(
    "overrides",
    [
        {"started_at": "2027-01-10T09:30:00"},  # no time zone
        {"households_reached": -1},
        {"people_met": 10_001},
        {"notes": "x" * 2001},
        {"unknown": 1},
        {"place_code": None},
        {"enterprise": 1},  # both a village and an enterprise
    ],
)
def test_bad_input_answers_422_and_writes_nothing(personas, campaign, overrides) -> None:
    response = post(api_client(personas.visitor), "/api/v1/visits", visit_body(**overrides))
    assert response.status_code == 422, response.content.decode()
    assert response.json()["error"]["details"]
    assert rows() == (0, 0, 0)


def test_an_enterprise_visit_is_placed_in_its_region(personas, campaign) -> None:
    enterprise = Enterprise.objects.create(name="都匀某建筑公司", region_id=VILLAGE)
    response = post(
        api_client(personas.visitor), "/api/v1/visits", visit_body(place_code=None, enterprise=enterprise.pk)
    )
    assert response.status_code == 201, response.content.decode()
    assert response.json()["enterprise_id"] == enterprise.pk
    assert response.json()["place_code"] == VILLAGE


def test_a_batch_with_one_bad_item_stores_the_others(personas, campaign) -> None:
    items = [
        visit_body(),
        visit_body(households_reached=-5),
        visit_body(place_code=FUQUAN_VILLAGE),
        visit_body(),
    ]
    response = post(api_client(personas.visitor), "/api/v1/visits/batch", {"visits": items})
    assert response.status_code == 200, response.content.decode()
    out = response.json()
    assert [r["status"] for r in out["results"]] == [201, 422, 422, 201]
    assert [r["index"] for r in out["results"]] == [0, 1, 2, 3]
    assert out["results"][1]["uuid"] == items[1]["uuid"]
    assert out["results"][2]["error"]["code"] == "invalid_input"
    assert (out["created"], out["repeated"], out["failed"]) == (2, 0, 2)
    assert Visit.objects.count() == 2


def test_a_batch_sent_twice_is_all_repeats(personas, campaign) -> None:
    client = api_client(personas.visitor)
    items = [visit_body(), visit_body(problems=[problem_body()]), visit_body()]
    first = post(client, "/api/v1/visits/batch", {"visits": items}).json()
    before = rows()
    again = post(client, "/api/v1/visits/batch", {"visits": items}).json()
    assert [r["status"] for r in first["results"]] == [201, 201, 201]
    assert [r["status"] for r in again["results"]] == [200, 200, 200]
    assert [r["id"] for r in again["results"]] == [r["id"] for r in first["results"]]
    assert rows() == before


def test_a_batch_over_500_answers_422(personas, campaign) -> None:
    response = post(
        api_client(personas.visitor), "/api/v1/visits/batch", {"visits": [visit_body() for _ in range(501)]}
    )
    assert response.status_code == 422
    assert Visit.objects.count() == 0


def test_the_list_shows_visits_in_scope_only(personas, campaign) -> None:
    for _ in range(3):
        assert post(api_client(personas.visitor), "/api/v1/visits", visit_body()).status_code == 201
    mine = api_client(personas.supervisor).get("/api/v1/visits").json()
    assert len(mine["items"]) == 3
    assert api_client(personas.other_leader).get("/api/v1/visits").json() == {
        "items": [],
        "next_cursor": None,
    }


def test_the_list_filters_and_pages_newest_first(personas, campaign) -> None:
    client = api_client(personas.visitor)
    for day in (5, 6, 7):
        body = visit_body(
            started_at=f"2027-01-0{day}T09:00:00+08:00", place_code=OTHER_VILLAGE if day == 7 else VILLAGE
        )
        assert post(client, "/api/v1/visits", body).status_code == 201
    page = client.get("/api/v1/visits", {"limit": 2}).json()
    assert [v["started_at"][:10] for v in page["items"]] == ["2027-01-07", "2027-01-06"]
    rest = client.get("/api/v1/visits", {"limit": 2, "cursor": page["next_cursor"]}).json()
    assert [v["started_at"][:10] for v in rest["items"]] == ["2027-01-05"] and rest["next_cursor"] is None
    assert len(client.get("/api/v1/visits", {"region": VILLAGE}).json()["items"]) == 2
    assert len(client.get("/api/v1/visits", {"from": "2027-01-06", "to": "2027-01-06"}).json()["items"]) == 1
    assert (
        len(
            client.get("/api/v1/visits", {"visitor": personas.visitor.pk, "campaign": campaign.pk}).json()[
                "items"
            ]
        )
        == 3
    )


def test_campaigns_lists_the_active_ones_to_everyone(personas, campaign) -> None:
    Campaign.objects.create(name="旧活动", starts=date(2026, 1, 1), ends=date(2026, 3, 1), is_active=False)
    for user in personas.all().values():
        assert [c["name"] for c in api_client(user).get("/api/v1/campaigns").json()] == ["冬春大走访"]


def test_progress_counts_targets_against_achieved(personas, campaign) -> None:
    client = api_client(personas.visitor)
    enterprise = Enterprise.objects.create(name="都匀某建筑公司", region_id=VILLAGE)
    bodies = [
        visit_body(households_reached=10),
        visit_body(households_reached=5, problems=[problem_body(kind="dispute", category="land.boundary")]),
        visit_body(place_code=OTHER_VILLAGE, households_reached=7),
        visit_body(place_code=None, enterprise=enterprise.pk, households_reached=0),
    ]
    assert post(client, "/api/v1/visits/batch", {"visits": bodies}).json()["created"] == 4
    Target.objects.create(
        campaign=campaign, unit=personas.duyun_police, metric=Metric.HOUSEHOLDS, quantity=44
    )
    Target.objects.create(campaign=campaign, unit=personas.duyun_police, metric=Metric.VILLAGES, quantity=4)
    Target.objects.create(campaign=campaign, unit=personas.duyun_hr, metric=Metric.DISPUTES, quantity=3)
    Target.objects.create(campaign=campaign, unit=personas.fuquan_hr, metric=Metric.HOUSEHOLDS, quantity=9)
    out = api_client(personas.supervisor).get(f"/api/v1/campaigns/{campaign.pk}/progress").json()
    assert out["scope"] == {"households": 22, "villages": 2, "enterprises": 1, "disputes": 1}
    units = {(u["unit_id"], u["metric"]): (u["target"], u["achieved"], u["completion"]) for u in out["units"]}
    assert units == {
        (personas.duyun_police.pk, "households"): (44, 22, 0.5),
        (personas.duyun_police.pk, "villages"): (4, 2, 0.5),
        (personas.duyun_hr.pk, "disputes"): (3, 0, 0.0),
    }
    other = api_client(personas.other_leader).get(f"/api/v1/campaigns/{campaign.pk}/progress").json()
    assert other["scope"] == {"households": 0, "villages": 0, "enterprises": 0, "disputes": 0}
    assert [(u["unit_id"], u["achieved"]) for u in other["units"]] == [(personas.fuquan_hr.pk, 0)]


def test_progress_of_a_missing_campaign_answers_404(personas, campaign) -> None:
    assert api_client(personas.supervisor).get("/api/v1/campaigns/987654/progress").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/visits"),
        ("post", "/api/v1/visits"),
        ("post", "/api/v1/visits/batch"),
        ("get", "/api/v1/campaigns"),
        ("get", "/api/v1/campaigns/1/progress"),
    ],
)
def test_anonymous_requests_answer_401(db, method, path) -> None:
    response = getattr(Client(), method)(
        path, {} if method == "get" else None, content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_leader_may_not_record_visits(personas, campaign) -> None:
    response = post(
        api_client(personas.other_leader), "/api/v1/visits", visit_body(place_code=FUQUAN_VILLAGE)
    )
    assert response.status_code == 403


def test_coverage_by_region_counts_visited_villages_one_level_down(personas, campaign) -> None:
    enterprise = Enterprise.objects.create(name="都匀某建筑公司", region_id=OTHER_VILLAGE)
    bodies = [
        visit_body(),
        visit_body(),
        visit_body(place_code=None, enterprise=enterprise.pk),
    ]
    assert (
        post(api_client(personas.visitor), "/api/v1/visits/batch", {"visits": bodies}).json()["created"] == 3
    )
    township = VILLAGE[:9] + "000"
    out = (
        api_client(personas.supervisor)
        .get(f"/api/v1/campaigns/{campaign.pk}/coverage?region={township}")
        .json()
    )
    villages = {row["code"]: row for row in out["rows"]}
    assert out["region"]["code"] == township and out["definition"]
    # The enterprise visit does not count for the village it lies in.
    assert villages[VILLAGE]["visited"] == 1 and villages[VILLAGE]["visits"] == 2
    assert villages[OTHER_VILLAGE]["visited"] == 0 and villages[OTHER_VILLAGE]["coverage"] == 0.0
    assert out["totals"]["visited"] == 1
    assert out["totals"]["villages"] == len(villages) > 1
    assert out["totals"]["coverage"] == 1 / len(villages)
    county = api_client(personas.supervisor).get(f"/api/v1/campaigns/{campaign.pk}/coverage").json()
    assert county["totals"]["visited"] == 1 and all(r["level"] == 4 for r in county["rows"])


@pytest.mark.parametrize("region", ["522702001000", "999999999999", "52270"])
def test_coverage_of_a_region_outside_scope_answers_404_like_a_missing_one(
    personas, campaign, region
) -> None:
    response = api_client(personas.supervisor).get(
        f"/api/v1/campaigns/{campaign.pk}/coverage?region={region}"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
