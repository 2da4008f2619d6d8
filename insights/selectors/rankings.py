"""Rankings (DESIGN §6): the metrics per county, township or department in one grouped query per family, a
composite score with editable weights and minimum samples, and the 红黑榜.

Fairness, because notices and interviews are built on these numbers:
- A rate counts for a member only when its denominator reaches the rate's minimum sample (default 5, editable
  with the weights); visit coverage and target completion are measured on villages and targets, not cases, and
  count whenever they are defined.
- The score is 100 × Σ weight × value ÷ Σ weight over the counted rates (the missing rates' weights are left out
  and the rest rescaled); the reopen and return rates count as (1 − rate), since less is better.
- A member is scored only when its counted rates carry at least half of the league's total weight and include
  at least one appeal-based rate; otherwise it has no score (`insufficient`) and is listed as 数据不足.
- Ties share a rank (competition ranking on the score as printed, two decimals: 1, 1, 3). The 红榜 holds the
  members ranked 1–5 (more on ties), the 黑榜 those ranked 1–5 from the bottom, worst first, never a member of
  the 红榜.
"""

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
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
    sample_of,
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
# Measured on villages and targets, not on appeals: no minimum sample, and alone they never make a score.
SAMPLE_EXEMPT = frozenset({"visit_coverage", "target_completion"})
APPEAL_RATES = tuple(key for key in RATE_KEYS if key not in SAMPLE_EXEMPT)
DEFAULT_MIN_SAMPLE = 5
MAX_MIN_SAMPLE = 1000
# A member is scored when its counted rates carry at least this share of the league's total weight.
MIN_WEIGHT_SHARE = 0.5
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
    counted: tuple[str, ...] = ()  # the rates the score is built on
    insufficient: bool = False  # too few counted rates: 数据不足, no score, no rank

    @property
    def counted_rates(self) -> dict[str, float | None]:
        """The rates the score is built on; the others are too thin to judge the member by."""
        return {key: self.rates[key] for key in self.counted}


@dataclass(frozen=True)
class Ranking:
    league: str
    period: Period
    region: Region | None
    weights: dict[str, float]
    rows: list[RankingRow]
    red: list[RankingRow] = field(default_factory=list)  # ranked 1–5, more on ties
    black: list[RankingRow] = field(default_factory=list)  # ranked 1–5 from the bottom, worst first
    insufficient: list[RankingRow] = field(default_factory=list)  # 数据不足, by name
    min_samples: dict[str, int] = field(default_factory=dict)


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


def league_min_samples(league: str) -> dict[str, int]:
    """The league's minimum sample of each appeal-based rate: the stored ones over the default."""
    samples = dict.fromkeys(APPEAL_RATES, DEFAULT_MIN_SAMPLE)
    samples.update(
        ScoreWeight.objects.filter(league=league, metric__in=APPEAL_RATES).values_list("metric", "min_sample")
    )
    return samples


def score(rates: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    total = weight_sum = 0.0
    for key, value in rates.items():
        w = weights.get(key, 0.0)
        if value is None or w <= 0:
            continue
        total += w * ((1 - value) if key in INVERSE else value)
        weight_sum += w
    return round(100 * total / weight_sum, 2) if weight_sum else None


def counted_rates(
    rates: Mapping[str, float | None],
    counts: Mapping[str, int],
    *,
    weights: Mapping[str, float],
    min_samples: Mapping[str, int],
) -> tuple[str, ...]:
    """The rates a member is scored on: defined, weighted, and (for appeal-based ones) on enough cases."""
    return tuple(
        key
        for key in RATE_KEYS
        if rates.get(key) is not None
        and weights.get(key, 0) > 0
        and (key in SAMPLE_EXEMPT or sample_of(key, counts) >= min_samples.get(key, DEFAULT_MIN_SAMPLE))
    )


def fair_score(
    rates: Mapping[str, float | None],
    counts: Mapping[str, int],
    *,
    weights: Mapping[str, float],
    min_samples: Mapping[str, int],
) -> tuple[float | None, tuple[str, ...]]:
    """The score over the counted rates and those rates; None when they carry less than half of the total
    weight or hold no appeal-based rate (数据不足)."""
    counted = counted_rates(rates, counts, weights=weights, min_samples=min_samples)
    total = sum(w for key, w in weights.items() if key in RATE_KEYS and w > 0)
    carried = sum(weights[key] for key in counted)
    if not total or carried < MIN_WEIGHT_SHARE * total or not set(counted) - SAMPLE_EXEMPT:
        return None, counted
    return score({key: rates[key] for key in counted}, weights), counted


def ranked_with_ties(rows: list[RankingRow]) -> list[RankingRow]:
    """The scored rows best first, each with its competition rank: equal scores share a rank (1, 1, 3)."""
    ordered = sorted((r for r in rows if r.score is not None), key=lambda r: (-(r.score or 0), r.name))
    result: list[RankingRow] = []
    for position, row in enumerate(ordered, start=1):
        same = result and result[-1].score == row.score
        result.append(replace(row, rank=result[-1].rank if same else position))
    return result


def boards(ranked: list[RankingRow]) -> tuple[list[RankingRow], list[RankingRow]]:
    """红榜 and 黑榜 of rows ranked by ranked_with_ties: ranks 1–5 (more on ties), and ranks 1–5 counted from the
    bottom, worst first, leaving out the 红榜's members (a member tied with first place is never lagging)."""
    red = [r for r in ranked if (r.rank or 0) <= BOARD]
    keys = {r.key for r in red}
    scores = sorted(r.score or 0 for r in ranked)
    black = [
        r for r in reversed(ranked) if r.key not in keys and bisect_left(scores, r.score or 0) + 1 <= BOARD
    ]
    return red, black


def rankings(*, user: User, league: str, period: Period, region: Region | None = None) -> Ranking:
    """The league's members in the user's scope (and `region`), ranked by their fair composite score."""
    if league not in LEAGUES:
        raise InvalidInput("排名类别不存在", code="invalid_input", details={"league": list(LEAGUES)})
    weights = league_weights(league)
    min_samples = league_min_samples(league)
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
        value, counted = fair_score(rates, full, weights=weights, min_samples=min_samples)
        rows.append(
            RankingRow(
                key=key,
                name=name,
                rates=rates,
                counts=full,
                score=value,
                counted=counted,
                insufficient=value is None,
            )
        )
    ranked = ranked_with_ties(rows)
    insufficient = sorted((r for r in rows if r.score is None), key=lambda r: r.name)
    red, black = boards(ranked)
    return Ranking(
        league=league,
        period=period,
        region=region,
        weights=weights,
        rows=ranked + insufficient,
        red=red,
        black=black,
        insufficient=insufficient,
        min_samples=min_samples,
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
    "APPEAL_RATES",
    "BOARD",
    "DEFAULT_MIN_SAMPLE",
    "DEFAULT_WEIGHTS",
    "LEAGUES",
    "SAMPLE_EXEMPT",
    "THRESHOLDS",
    "Ranking",
    "RankingRow",
    "boards",
    "failing",
    "fair_score",
    "league_min_samples",
    "league_weights",
    "ranked_with_ties",
    "rankings",
    "score",
]
