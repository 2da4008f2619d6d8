"""The insights API (DESIGN §10): the metrics of DESIGN §6 over a period, a region and a unit."""

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from core.api import responses
from core.errors import InvalidInput
from core.period import REPORTING_DEFAULT, period_or_default
from insights.schemas import RankingOut, RankingQuery, SummaryOut, SummaryQuery, WeightsIn, WeightsOut
from insights.selectors import (
    DEFINITIONS,
    LEAGUES,
    Ranking,
    RankingRow,
    failing,
    league_min_samples,
    league_weights,
    metrics_summary,
    rankings,
)
from insights.selectors.counters import counters_refreshed_at
from insights.selectors.rankings import THRESHOLDS
from insights.services import score_weights_set
from org.auth import api_user
from org.permissions import access_region, access_unit

router = Router(tags=["insights"])


def ranking_json(ranking: Ranking) -> dict[str, Any]:
    def row(r: RankingRow) -> dict[str, Any]:
        return {**asdict(r), "failing": failing(r.counted_rates)}

    region = ranking.region
    return {
        "league": ranking.league,
        "period": {"starts": ranking.period.starts, "ends": ranking.period.ends},
        "region": {"code": region.code, "name": region.name} if region else None,
        "weights": ranking.weights,
        "min_samples": ranking.min_samples,
        "thresholds": THRESHOLDS,
        "rows": [row(r) for r in ranking.rows],
        "red": [row(r) for r in ranking.red],
        "black": [row(r) for r in ranking.black],
        "insufficient": [row(r) for r in ranking.insufficient],
        "labels": {key: str(d.label) for key, d in DEFINITIONS.items()},
        "definitions": {key: str(d.text) for key, d in DEFINITIONS.items()},
        "as_of": counters_refreshed_at(),
    }


@router.get(
    "/metrics/summary",
    response=responses(SummaryOut, 404),
    by_alias=True,
    summary="The metrics of DESIGN §6, with their counts and definitions",
)
def get_summary(request: HttpRequest, filters: Query[SummaryQuery]) -> dict[str, Any]:
    """Over what the user may see. 422 for a period of less than a day or more than three years or a malformed
    region code; 404 alike for a region or unit that does not exist or lies outside the user's scope."""
    user = api_user(request)
    period = period_or_default(starts=filters.starts, ends=filters.ends)
    region = access_region(user, filters.region) if filters.region else None
    unit = access_unit(user, filters.unit) if filters.unit is not None else None
    summary = metrics_summary(user=user, period=period, region=region, unit=unit)
    return {
        "period": {"starts": period.starts, "ends": period.ends},
        "region": {"code": region.code, "name": region.name} if region else None,
        "unit": {"id": unit.pk, "name": unit.name} if unit else None,
        **summary.rates,
        "counts": summary.counts,
        "as_of": counters_refreshed_at(),
        "labels": {key: str(d.label) for key, d in DEFINITIONS.items()},
        "definitions": {key: str(d.text) for key, d in DEFINITIONS.items()},
    }


@router.get(
    "/rankings",
    response=responses(RankingOut, 404),
    by_alias=True,
    summary="A league ranked by its composite score, with the 红黑榜",
)
def get_rankings(request: HttpRequest, filters: Query[RankingQuery]) -> dict[str, Any]:
    """Counties, townships or departments in the user's scope (and `region`), each with its rates, counts and
    score; without `from` and `to`, the last complete month. 422 for an unknown league or a bad period, 404 alike
    for a region missing or out of scope."""
    user = api_user(request)
    period = period_or_default(starts=filters.starts, ends=filters.ends, preset=REPORTING_DEFAULT)
    region = access_region(user, filters.region) if filters.region else None
    return ranking_json(rankings(user=user, league=filters.league, period=period, region=region))


@router.get(
    "/rankings/weights",
    response=responses(WeightsOut),
    summary="A league's score weights and its rates' minimum samples",
)
def get_weights(request: HttpRequest, league: str) -> dict[str, Any]:
    api_user(request)
    if league not in LEAGUES:
        raise InvalidInput("排名类别不存在", code="invalid_input", details={"league": list(LEAGUES)})
    return {"league": league, "weights": league_weights(league), "min_samples": league_min_samples(league)}


@router.put(
    "/rankings/weights",
    response=responses(WeightsOut, 403),
    summary="Set a league's score weights and minimum samples (admins)",
)
def put_weights(request: HttpRequest, body: WeightsIn) -> dict[str, Any]:
    """All or nothing: 422 with a detail per bad weight, and nothing stored."""
    user = api_user(request)
    score_weights_set(
        actor=user, league=body.league, weights=dict(body.weights), min_samples=dict(body.min_samples)
    )
    return {
        "league": body.league,
        "weights": league_weights(body.league),
        "min_samples": league_min_samples(body.league),
    }
