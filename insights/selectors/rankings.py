"""Rankings (DESIGN §6): the metrics per county, township or department in one grouped query per family, a
composite score with editable weights, and the 红黑榜 (the top five and the bottom five of a league).

The score is 100 × Σ weight × value ÷ Σ weight over the metrics a member has a value for; the reopen and return
rates count as (1 − rate), since less is better. A member with no value at all has no score and no rank.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    Sum,
)
from django.db.models.functions import Coalesce, Substr
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from campaigns.models import Visit
from core.errors import InvalidInput
from core.period import Period
from geo.models import Region, subtree_bounds
from insights.models import COUNT_FIELDS, AreaDay, ScoreWeight, UnitDay
from insights.selectors.metrics import (
    RATE_KEYS,
    TARGET_AGGREGATES,
    dispute_rows,
    rates_of,
    targets_running,
    without_jit,
)
from org.models import UnitLevel, User
from org.permissions import units_visible_to, user_scope

LEAGUES: dict[str, Promise] = {
    "county": _("Counties"),
    "township": _("Townships"),
    "department": _("Departments"),
}
# Less is better: these count in the score as 1 − rate, and fail above their threshold.
INVERSE = frozenset({"reopen_rate", "return_rate"})
DEFAULT_WEIGHTS: dict[str, float] = {
    "on_time_acceptance_rate": 10,
    "on_time_resolution_rate": 20,
    "solved_rate": 15,
    "satisfaction_rate": 20,
    "reopen_rate": 5,
    "return_rate": 5,
    "dispute_resolution_rate": 10,
    "visit_coverage": 10,
    "target_completion": 5,
}
# A "good" rate fails below 80 %, a reopen or return rate above 10 %: the lines the notices print.
THRESHOLDS: dict[str, float] = {key: 0.1 if key in INVERSE else 0.8 for key in RATE_KEYS}
BOARD = 5
PREFIX = {"county": 6, "township": 9}


@dataclass(frozen=True)
class RankingRow:
    key: str  # a region code, or a unit id as text
    name: str
    rates: dict[str, float | None]
    counts: dict[str, int]
    score: float | None
    rank: int | None = None


@dataclass(frozen=True)
class Ranking:
    league: str
    period: Period
    region: Region | None
    weights: dict[str, float]
    rows: list[RankingRow]
    red: list[RankingRow] = field(default_factory=list)  # the top five
    black: list[RankingRow] = field(default_factory=list)  # the bottom five, worst first


def failing(rates: dict[str, float | None]) -> list[str]:
    """The metrics of a row past their threshold (see THRESHOLDS); undefined ones never fail."""
    result = []
    for key in RATE_KEYS:
        value = rates.get(key)
        if value is None:
            continue
        if (value > THRESHOLDS[key]) if key in INVERSE else (value < THRESHOLDS[key]):
            result.append(key)
    return result


def league_weights(league: str) -> dict[str, float]:
    """The league's weights: the stored ones over the defaults."""
    weights = dict(DEFAULT_WEIGHTS)
    weights.update(
        {w.metric: float(w.weight) for w in ScoreWeight.objects.filter(league=league, metric__in=RATE_KEYS)}
    )
    return weights


def score(rates: dict[str, float | None], weights: dict[str, float]) -> float | None:
    total = weight_sum = 0.0
    for key, value in rates.items():
        w = weights.get(key, 0.0)
        if value is None or w <= 0:
            continue
        total += w * ((1 - value) if key in INVERSE else value)
        weight_sum += w
    return round(100 * total / weight_sum, 2) if weight_sum else None


def rankings(*, user: User, league: str, period: Period, region: Region | None = None) -> Ranking:
    """The league's members in the user's scope (and `region`), ranked by their composite score."""
    if league not in LEAGUES:
        raise InvalidInput("排名类别不存在", code="invalid_input", details={"league": list(LEAGUES)})
    weights = league_weights(league)
    with without_jit():
        if league == "department":
            members, counts = _departments(user=user, period=period, region=region)
        else:
            members, counts = _areas(user=user, period=period, region=region, length=PREFIX[league])
    rows = []
    for key, name in members:
        c = counts.get(key, {})
        full = {f: int(c.get(f, 0)) for f in (*COUNT_FIELDS, *EXTRA_COUNTS)}
        rates = rates_of(full, c.get("completion"))
        rows.append(RankingRow(key=key, name=name, rates=rates, counts=full, score=score(rates, weights)))
    ranked = sorted((r for r in rows if r.score is not None), key=lambda r: (-(r.score or 0), r.name))
    ranked = [RankingRow(**{**r.__dict__, "rank": i}) for i, r in enumerate(ranked, start=1)]
    unranked = sorted((r for r in rows if r.score is None), key=lambda r: r.name)
    red = ranked[:BOARD]
    black = [r for r in reversed(ranked) if r not in red][:BOARD]
    return Ranking(
        league=league,
        period=period,
        region=region,
        weights=weights,
        rows=ranked + unranked,
        red=red,
        black=black,
    )


EXTRA_COUNTS = ("disputes", "disputes_resolved", "villages", "villages_visited", "targets", "targets_met")


def _sums() -> dict[str, Any]:
    return {f: Coalesce(Sum(f), 0) for f in COUNT_FIELDS}


def _visited(period: Period) -> Exists:
    return Exists(
        Visit.objects.filter(
            region_id=OuterRef("code"),
            enterprise__isnull=True,
            started_at__gte=period.start_at,
            started_at__lt=period.end_at,
        )
    )


def _coverage_by(prefix_length: int, *, user: User, period: Period, region: Region | None) -> dict[str, dict]:
    villages = Region.objects.filter(level=Region.Level.VILLAGE).filter(user_scope(user).region_q("code"))
    if region is not None:
        villages = villages.filter(code__range=subtree_bounds(region.prefix))
    rows = (
        villages.values(g=Substr("code", 1, prefix_length))
        .annotate(villages=Count("code"), villages_visited=Count("code", filter=Q(_visited(period))))
        .order_by()
    )
    return {row.pop("g"): row for row in rows}


def _areas(
    *, user: User, period: Period, region: Region | None, length: int
) -> tuple[list[tuple[str, str]], dict[str, dict[str, Any]]]:
    scope = user_scope(user)
    level = Region.Level.COUNTY if length == 6 else Region.Level.TOWNSHIP
    regions = Region.objects.filter(level=level).filter(scope.region_q("code"))
    if region is not None:
        regions = regions.filter(code__range=subtree_bounds(region.prefix))
    members = [(code, name) for code, name in regions.order_by("code").values_list("code", "name")]
    counts: dict[str, dict[str, Any]] = defaultdict(dict)

    def key(prefix: str) -> str:
        return prefix.ljust(12, "0")

    group = Substr("area", 1, length, output_field=CharField())
    events = AreaDay.objects.filter(day__gte=period.starts, day__lt=period.ends).filter(
        scope.region_q("area")
    )
    dispute_days, dispute_counts = dispute_rows(period)
    disputes = dispute_days.filter(scope.region_q("area"))
    if region is not None:
        bounds = subtree_bounds(region.prefix)
        events, disputes = events.filter(area__range=bounds), disputes.filter(area__range=bounds)
    for row in events.values(g=group).annotate(**_sums()).order_by():
        counts[key(row.pop("g"))].update(row)
    for row in disputes.values(g=group).annotate(**dispute_counts).order_by():
        counts[key(row.pop("g"))].update(row)
    for g, row in _coverage_by(length, user=user, period=period, region=region).items():
        counts[key(g)].update(row)
    targets = targets_running(user=user, period=period).filter(
        unit__region__level__in=_levels_at_or_below(level)
    )
    for row in (
        targets.values(g=Substr("unit__region_id", 1, length)).annotate(**TARGET_AGGREGATES).order_by()
    ):
        counts[key(row.pop("g"))].update(row)
    return members, counts


def _levels_at_or_below(level: int) -> list[int]:
    return [lv for lv in Region.Level.values if lv >= level]


def _departments(
    *, user: User, period: Period, region: Region | None
) -> tuple[list[tuple[str, str]], dict[str, dict[str, Any]]]:
    """Units at prefecture or county level (the departments, not the township offices) in scope."""
    units = units_visible_to(user).filter(is_active=True, level__in=[UnitLevel.PREFECTURE, UnitLevel.COUNTY])
    if region is not None:
        units = units.filter(region__code__range=subtree_bounds(region.prefix))
    unit_rows = list(
        units.order_by("region_id", "name").values_list("pk", "name", "region_id", "region__level")
    )
    members = [(str(pk), name) for pk, name, _, _ in unit_rows]
    ids = [pk for pk, _, _, _ in unit_rows]
    counts: dict[str, dict[str, Any]] = defaultdict(dict)
    events = UnitDay.objects.filter(unit_id__in=ids, day__gte=period.starts, day__lt=period.ends)
    for row in events.values("unit_id").annotate(**_sums()).order_by():
        counts[str(row.pop("unit_id"))].update(row)
    disputes, dispute_counts = dispute_rows(period)
    for row in disputes.filter(unit_id__in=ids).values("unit_id").annotate(**dispute_counts).order_by():
        counts[str(row.pop("unit_id"))].update(row)
    # A department's coverage is its area's: the prefecture's or its county's villages.
    coverage = _coverage_by(6, user=user, period=period, region=None)
    everywhere = {
        "villages": sum(r["villages"] for r in coverage.values()),
        "villages_visited": sum(r["villages_visited"] for r in coverage.values()),
    }
    for pk, _name, code, level in unit_rows:
        counts[str(pk)].update(everywhere if level == Region.Level.PREFECTURE else coverage.get(code[:6], {}))
    for row in (
        targets_running(user=user, period=period)
        .filter(unit_id__in=ids)
        .values("unit_id")
        .annotate(**TARGET_AGGREGATES)
        .order_by()
    ):
        counts[str(row.pop("unit_id"))].update(row)
    return members, counts


__all__ = [
    "BOARD",
    "DEFAULT_WEIGHTS",
    "LEAGUES",
    "THRESHOLDS",
    "Ranking",
    "RankingRow",
    "failing",
    "league_weights",
    "rankings",
    "score",
]
