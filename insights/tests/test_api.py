"""GET /api/v1/metrics/summary: its keys for every persona, its scope, and its refusals."""

import pytest
import time_machine

from insights.selectors import RATE_KEYS
from insights.services import counters_refresh
from insights.tests.factories import assign, handled, march, registered
from tests.support import client_for

URL = "/api/v1/metrics/summary"
MARCH = {"from": "2025-03-01", "to": "2025-04-01"}
COUNT_KEYS = {
    "assigned",
    "accepted_on_time",
    "returned",
    "resolved",
    "resolved_on_time",
    "resolved_on_site",
    "reopened",
    "callbacks",
    "callbacks_solved",
    "callbacks_rated",
    "callbacks_satisfied",
    "disputes",
    "disputes_resolved",
    "villages",
    "villages_visited",
    "targets",
    "targets_met",
}


@pytest.fixture
def history(personas):
    p = personas
    handled(p, march(3), resolved_at=march(3, 15))
    late = registered(p.dispatcher, march(4, 9))
    assign(p.dispatcher, late, march(4), unit=p.duyun_hr)
    counters_refresh()
    return p


def get(user, **params):
    return client_for(user).get(URL, params)


def test_every_persona_gets_every_metric_with_counts_and_definitions(history) -> None:
    for name, user in history.all().items():
        response = get(user, **MARCH)
        assert response.status_code == 200, name
        body = response.json()
        assert set(RATE_KEYS) <= set(body), name
        assert set(body["counts"]) == COUNT_KEYS
        assert set(body["definitions"]) == set(RATE_KEYS) == set(body["labels"])
        assert all(body["definitions"].values())
        assert body["period"] == {"from": "2025-03-01", "to": "2025-04-01"}
        assert (body["region"], body["unit"]) == (None, None)
        assert all(body[key] is None or 0 <= body[key] <= 1 for key in RATE_KEYS)


def test_the_numbers_are_the_users_own_scope(history) -> None:
    mine = get(history.dispatcher, **MARCH).json()
    assert (mine["counts"]["assigned"], mine["counts"]["accepted_on_time"]) == (2, 1)
    assert mine["on_time_acceptance_rate"] == 0.5 and mine["on_time_resolution_rate"] == 1
    assert mine["solved_rate"] is None  # no callback: undefined, not 0
    theirs = get(history.other_leader, **MARCH).json()
    assert theirs["counts"]["assigned"] == 0 and theirs["on_time_acceptance_rate"] is None


def test_filters_are_echoed(history) -> None:
    p = history
    body = get(p.dispatcher, **MARCH, region="522701001000").json()
    assert body["region"] == {"code": "522701001000", "name": "广惠街道"}
    assert body["counts"]["assigned"] == 2
    body = get(p.dispatcher, **MARCH, unit=p.duyun_hr.pk).json()
    assert body["unit"] == {"id": p.duyun_hr.pk, "name": p.duyun_hr.name}
    assert body["counts"]["assigned"] == 2
    assert body["as_of"] is not None


def test_a_region_and_a_unit_together_or_a_village_are_refused(history) -> None:
    p = history
    both = get(p.dispatcher, **MARCH, region="522701001000", unit=p.duyun_hr.pk)
    assert both.status_code == 422 and "unit" in both.json()["error"]["details"]
    village = get(p.dispatcher, **MARCH, region="522701001001")
    assert village.status_code == 422 and "region" in village.json()["error"]["details"]


def test_without_dates_the_period_is_this_month_so_far(history) -> None:
    with time_machine.travel(march(20), tick=False):
        body = get(history.dispatcher).json()
    assert body["period"] == {"from": "2025-03-01", "to": "2025-03-21"}
    assert body["counts"]["assigned"] == 2


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2025-03-01", "to": "2025-03-01"},
        {"from": "2025-04-01", "to": "2025-03-01"},
        {"from": "2022-03-01", "to": "2025-03-02"},
        {"from": "2025-02-30", "to": "2025-03-01"},
        {"from": "yesterday", "to": "2025-03-01"},
        {**MARCH, "region": "5227"},
        {**MARCH, "region": "52270100100x"},
        {**MARCH, "unit": "0"},
        {**MARCH, "unit": "abc"},
    ],
)
def test_bad_input_is_refused_with_details(personas, params) -> None:
    response = get(personas.dispatcher, **params)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input" and error["details"]


def test_a_region_or_unit_outside_the_scope_is_answered_like_a_missing_one(personas) -> None:
    p = personas
    missing_region = get(p.dispatcher, **MARCH, region="522799999999")
    other_region = get(p.dispatcher, **MARCH, region="522702000000")
    assert missing_region.status_code == other_region.status_code == 404
    assert missing_region.json() == other_region.json()
    missing_unit = get(p.dispatcher, **MARCH, unit=999_999)
    other_unit = get(p.dispatcher, **MARCH, unit=p.fuquan_hr.pk)
    assert missing_unit.status_code == other_unit.status_code == 404
    assert missing_unit.json() == other_unit.json()
    # The other county's leader may not look into 都匀市 either; their own county is theirs.
    assert get(p.other_leader, **MARCH, region="522701000000").status_code == 404
    assert get(p.other_leader, **MARCH, unit=p.duyun_hr.pk).status_code == 404
    assert get(p.other_leader, **MARCH, region="522702000000").status_code == 200
    assert get(p.other_leader, **MARCH, unit=p.fuquan_hr.pk).status_code == 200


def test_signed_out_callers_are_refused(personas) -> None:
    from django.test import Client

    response = Client().get(URL, MARCH)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_chinese_is_not_escaped_and_the_schema_is_declared(personas) -> None:
    response = get(personas.dispatcher, **MARCH, region="522701001000")
    assert "广惠街道" in response.content.decode()
    schema = client_for(personas.dispatcher).get("/api/v1/openapi.json").json()
    operation = schema["paths"][URL]["get"]
    assert {"200", "404", "422"} <= set(operation["responses"])
    assert {p["name"] for p in operation["parameters"]} == {"from", "to", "region", "unit"}
