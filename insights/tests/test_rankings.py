"""Rankings: leagues grouped in SQL, the composite score with its weights, the 红黑榜, scope and refusals."""

import pytest

from core.errors import Forbidden, InvalidInput
from core.period import period_between
from insights.models import ScoreWeight
from insights.selectors import failing, rankings
from insights.selectors.rankings import DEFAULT_WEIGHTS, score
from insights.services import score_weights_set
from insights.tests.factories import MARCH_PARAMS, march, min_samples
from tests.support import api_client, client_for

MARCH = period_between(starts=march(1).date(), ends=march(31).date().replace(month=4, day=1))


def test_the_county_league_ranks_every_county_in_scope_with_its_own_counts(season) -> None:
    p = season
    min_samples(1)
    ranking = rankings(user=p.prefecture_supervisor, league="county", period=MARCH)
    by_key = {row.key: row for row in ranking.rows}
    assert len(by_key) == 12  # every county of the prefecture is a member, ranked or not
    duyun, fuquan = by_key["522701000000"], by_key["522702000000"]
    assert (duyun.counts["assigned"], duyun.counts["callbacks"], duyun.counts["callbacks_solved"]) == (
        3,
        2,
        1,
    )
    assert (fuquan.counts["assigned"], fuquan.counts["accepted_on_time"]) == (1, 0)
    assert duyun.rank == 1 and [r.key for r in ranking.red] == [duyun.key] and not ranking.black
    # 福泉市's one item gives acceptance and return rates only (15 of 100 weight): not enough to be judged; the
    # others have only their (zero) visit coverage. None of them is on a board.
    assert fuquan.insufficient and fuquan.score is None and fuquan.rank is None
    assert {r.key for r in ranking.insufficient} == set(by_key) - {duyun.key}
    assert ranking.rows[0] == duyun and all(r.insufficient for r in ranking.rows[1:])


def test_the_township_league_splits_a_county_and_sums_to_it(season) -> None:
    p = season
    townships = rankings(user=p.dispatcher, league="township", period=MARCH)
    by_key = {row.key: row for row in townships.rows}
    assert by_key["522701001000"].counts["assigned"] == 2
    assert by_key["522701002000"].counts["assigned"] == 1
    assert all(key.startswith("522701") for key in by_key)  # the dispatcher's county only
    assert by_key["522701002000"].rates["solved_rate"] == 0.0
    assert "solved_rate" in failing(by_key["522701002000"].rates)


def test_the_department_league_holds_county_departments_not_township_offices(season) -> None:
    p = season
    ranking = rankings(user=p.prefecture_supervisor, league="department", period=MARCH)
    by_key = {row.key: row for row in ranking.rows}
    assert str(p.guanghui.pk) not in by_key
    assert by_key[str(p.duyun_hr.pk)].counts["assigned"] == 2
    assert by_key[str(p.fuquan_hr.pk)].counts["assigned"] == 1
    assert by_key[str(p.fuquan_hr.pk)].rates["on_time_acceptance_rate"] == 0.0


def test_the_score_weighs_the_defined_rates_and_inverts_reopen_and_return() -> None:
    assert score({"solved_rate": 1.0, "reopen_rate": 0.0}, {"solved_rate": 1, "reopen_rate": 1}) == 100
    assert score({"solved_rate": 0.5, "satisfaction_rate": None}, DEFAULT_WEIGHTS) == 50
    assert score({"solved_rate": None}, DEFAULT_WEIGHTS) is None


def test_weights_change_the_order_and_only_admins_may_set_them(season) -> None:
    p = season
    min_samples(1, "county")
    with pytest.raises(Forbidden):
        score_weights_set(actor=p.supervisor, league="township", weights={"solved_rate": 0})
    zero = dict.fromkeys(DEFAULT_WEIGHTS, 0)
    score_weights_set(actor=p.admin, league="county", weights={**zero, "on_time_acceptance_rate": 100})
    ranking = rankings(user=p.prefecture_supervisor, league="county", period=MARCH)
    assert ranking.weights["solved_rate"] == 0
    assert ranking.red[0].score == pytest.approx(100 * 3 / 3)  # 都匀市 accepted all three on time


def test_bad_weights_are_refused_with_details_and_nothing_is_stored(personas) -> None:
    with pytest.raises(InvalidInput) as refused:
        score_weights_set(actor=personas.admin, league="county", weights={"solved_rate": 150, "nonsense": 1})
    assert set(refused.value.details) == {"solved_rate", "nonsense"}
    with pytest.raises(InvalidInput):
        score_weights_set(actor=personas.admin, league="county", weights=dict.fromkeys(DEFAULT_WEIGHTS, 0))
    assert not ScoreWeight.objects.exists()


def test_the_api_answers_every_persona_in_scope_and_refuses_the_rest(season) -> None:
    p = season
    for name, user in p.all().items():
        response = client_for(user).get("/api/v1/rankings", {"league": "county", **MARCH_PARAMS})
        assert response.status_code == 200, name
    other = client_for(p.other_leader).get("/api/v1/rankings", {"league": "township", **MARCH_PARAMS}).json()
    assert other["rows"] and all(row["key"].startswith("522702") for row in other["rows"])
    body = client_for(p.dispatcher).get("/api/v1/rankings", {"league": "township", **MARCH_PARAMS}).json()
    assert len(body["red"]) <= 5 and body["labels"]["solved_rate"] and body["as_of"]
    out = client_for(p.other_leader).get("/api/v1/rankings", {"league": "county", "region": "522701000000"})
    assert out.status_code == 404
    bad = client_for(p.dispatcher).get("/api/v1/rankings", {"league": "village"})
    assert bad.status_code == 422
    put = api_client(p.supervisor).put(
        "/api/v1/rankings/weights",
        {"league": "county", "weights": {"solved_rate": 1}},
        content_type="application/json",
    )
    assert put.status_code == 403
    put = api_client(p.admin).put(
        "/api/v1/rankings/weights",
        {"league": "county", "weights": {"solved_rate": -1}},
        content_type="application/json",
    )
    assert put.status_code == 422 and "solved_rate" in put.json()["error"]["details"]
