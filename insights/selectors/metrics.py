"""The metrics of DESIGN §6, exactly as defined there, computed in SQL from the appeals' timeline, visits and
targets. Each definition below is also what the API returns next to its number.

The period is [from, to) in Asia/Shanghai dates. The appeal metrics sum the daily counters that
`insights.services.counters_refresh` folds from the `AppealEvent` timeline (every few minutes; the answer says
when): events whose day lies in the period, of appeals whose region lies in the user's regions and in the region
filter, which goes down to townships. A unit filter keeps the events attributed to that unit: the event's `unit`
(the lead unit for an assignment, a resolution, a reopening; the acting unit for an acceptance or a return), or,
for a callback and a registration, which no unit does, the appeal's lead unit. Visit coverage and target
completion read the villages and the visitors' tallies directly. One aggregate query per family of metrics.
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Least
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from campaigns.models import Target, Visit
from campaigns.permissions import campaigns_visible_to
from campaigns.selectors.visits import target_achieved
from core.errors import InvalidInput
from core.period import Period
from geo.models import Region, code_prefix, subtree_bounds
from insights.models import COUNT_FIELDS, AreaDay, DisputeDay, DisputeSpan, UnitDay
from org.models import Unit, User
from org.permissions import units_visible_to, user_scope


@dataclass(frozen=True)
class Definition:
    label: Promise
    text: Promise


DEFINITIONS: dict[str, Definition] = {
    # 及时签收率
    "on_time_acceptance_rate": Definition(
        _("On-time acceptance rate"),
        _(
            "Assignments to a lead unit in the period that the unit accepted by its sign deadline (before the "
            "item was assigned again or reopened), divided by all assignments in the period."
        ),
    ),
    # 按时办结率
    "on_time_resolution_rate": Definition(
        _("On-time resolution rate"),
        _(
            "Resolutions by the lead unit in the period made by the resolve deadline (an approved extension "
            "moves the deadline), divided by all resolutions by a lead unit in the period. On-site resolutions "
            "have no deadline and are not counted."
        ),
    ),
    # 解决率
    "solved_rate": Definition(
        _("Solved rate"),
        _(
            "Callbacks in the period in which the citizen said the problem was solved, divided by all "
            "callbacks in the period."
        ),
    ),
    # 满意率
    "satisfaction_rate": Definition(
        _("Satisfaction rate"),
        _(
            "Callbacks in the period rated satisfied or basically satisfied, divided by the callbacks in the "
            "period that carry a rating."
        ),
    ),
    # 重办率
    "reopen_rate": Definition(
        _("Reopen rate"),
        _(
            "Items reopened in the period after an unsatisfied callback, divided by the resolutions in the "
            "period (by a lead unit or on site)."
        ),
    ),
    # 退回率
    "return_rate": Definition(
        _("Return rate"),
        _("Items returned by their lead unit in the period, divided by the assignments in the period."),
    ),
    # 化解率
    "dispute_resolution_rate": Definition(
        _("Dispute resolution rate"),
        _(
            "Disputes registered in the period and not merged into another by its end that, at the end of "
            "the period, were resolved (by a unit or on site) and not reopened since, divided by those "
            "disputes."
        ),
    ),
    # 走访覆盖率
    "visit_coverage": Definition(
        _("Visit coverage"),
        _(
            "Villages and communities in scope (with a unit: in the unit's area) with at least one visit "
            "started in the period, enterprise visits not included, divided by all villages and communities "
            "in scope."
        ),
    ),
    # 目标完成率
    "target_completion": Definition(
        _("Target completion"),
        _(
            "For the targets of the campaigns running in the period, of the units in scope: the mean of "
            "achieved divided by target, a target exceeded counting as fully met. Achieved counts the "
            "campaign's visits by the unit's members, as the campaign progress does."
        ),
    ),
}
RATE_KEYS = tuple(DEFINITIONS)
# Each rate with the counts behind it: numerator, denominator(s). The denominator is the rate's sample.
RATE_COUNTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "on_time_acceptance_rate": ("accepted_on_time", ("assigned",)),
    "on_time_resolution_rate": ("resolved_on_time", ("resolved",)),
    "solved_rate": ("callbacks_solved", ("callbacks",)),
    "satisfaction_rate": ("callbacks_satisfied", ("callbacks_rated",)),
    "reopen_rate": ("reopened", ("resolved", "resolved_on_site")),
    "return_rate": ("returned", ("assigned",)),
    "dispute_resolution_rate": ("disputes_resolved", ("disputes",)),
    "visit_coverage": ("villages_visited", ("villages",)),
    "target_completion": ("targets_met", ("targets",)),
}


def sample_of(key: str, counts: Mapping[str, int]) -> int:
    """The denominator of a rate (see RATE_COUNTS): how many cases it is measured on."""
    return sum(counts.get(name, 0) for name in RATE_COUNTS[key][1])


# --- the result -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricsSummary:
    period: Period
    region: Region | None
    unit: Unit | None
    rates: dict[str, float | None]  # RATE_KEYS → a fraction 0–1, None when its denominator is 0
    counts: dict[str, int]  # the numerators and denominators behind the rates


@contextmanager
def without_jit() -> Iterator[None]:
    """PostgreSQL's JIT compiles these aggregates for longer than they run: their correlated probes inflate the
    cost estimate past `jit_above_cost`. On 1M events, a year of a county: 3.2 s with JIT, 0.55 s without."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def rates_of(c: dict[str, int], completion: float | None) -> dict[str, float | None]:
    """The rates of DESIGN §6 from their counts (see DEFINITIONS); None where the denominator is 0."""
    return {
        "on_time_acceptance_rate": _rate(c["accepted_on_time"], c["assigned"]),
        "on_time_resolution_rate": _rate(c["resolved_on_time"], c["resolved"]),
        "solved_rate": _rate(c["callbacks_solved"], c["callbacks"]),
        "satisfaction_rate": _rate(c["callbacks_satisfied"], c["callbacks_rated"]),
        "reopen_rate": _rate(c["reopened"], c["resolved"] + c["resolved_on_site"]),
        "return_rate": _rate(c["returned"], c["assigned"]),
        "dispute_resolution_rate": _rate(c["disputes_resolved"], c["disputes"]),
        "visit_coverage": _rate(c["villages_visited"], c["villages"]),
        "target_completion": float(completion) if completion is not None else None,
    }


# The counts metrics_summary sums from the event counters and from the disputes' rows.
EVENT_COUNTS = tuple(f for f in COUNT_FIELDS if f != "registered")
DISPUTE_COUNTS = ("disputes", "disputes_resolved")


def metrics_summary(
    *,
    user: User,
    period: Period,
    region: Region | None = None,
    unit: Unit | None = None,
    summed: dict[str, int] | None = None,
) -> MetricsSummary:
    """The rates of DESIGN §6 with the counts behind them, over what the user may see, narrowed by the filters.

    The caller has obtained `region` and `unit` through access_region / access_unit. The counters go down to
    townships, so a village region is refused; a unit's numbers are its own, so a region with a unit is too.
    `summed`: the EVENT_COUNTS and DISPUTE_COUNTS of this same view when the caller has added them up already
    (the dashboard, from its heat table), so they are not read twice.
    """
    if region is not None and region.level == Region.Level.VILLAGE:
        raise InvalidInput(
            "统计到乡镇（街道）一级，请选择乡镇或更大的区域",
            code="invalid_input",
            details={"region": "不能是村（社区）"},
        )
    if region is not None and unit is not None:
        raise InvalidInput(
            "按区域或按单位统计，二者选一", code="invalid_input", details={"unit": "与区域不能同时指定"}
        )
    with without_jit():
        if summed is None:
            events = _event_counts(user=user, period=period, region=region, unit=unit)
            disputes = _dispute_counts(user=user, period=period, region=region, unit=unit)
        else:
            events = {key: summed[key] for key in EVENT_COUNTS}
            disputes = {key: summed[key] for key in DISPUTE_COUNTS}
        coverage = _coverage_counts(user=user, period=period, region=region, unit=unit)
        targets, completion = _target_counts(user=user, period=period, region=region, unit=unit)
    counts = events | disputes | coverage | targets
    rates = rates_of(counts, completion)
    return MetricsSummary(period=period, region=region, unit=unit, rates=rates, counts=counts)


# --- appeal events (from the daily counters) ---------------------------------------------------------------


def _area_rows(*, user: User, period: Period, region: Region | None) -> QuerySet[AreaDay]:
    rows = AreaDay.objects.filter(day__gte=period.starts, day__lt=period.ends).filter(
        user_scope(user).territory_q("area")
    )
    if region is not None:
        rows = rows.filter(area__range=subtree_bounds(region.prefix))
    return rows


def _event_counts(*, user: User, period: Period, region: Region | None, unit: Unit | None) -> dict[str, int]:
    rows: QuerySet[AreaDay] | QuerySet[UnitDay]
    if unit is not None:
        rows = UnitDay.objects.filter(unit=unit, day__gte=period.starts, day__lt=period.ends)
    else:
        rows = _area_rows(user=user, period=period, region=region)
    return rows.aggregate(**{f: Coalesce(Sum(f), 0) for f in EVENT_COUNTS})


def dispute_rows(period: Period) -> tuple[QuerySet[Any], dict[str, Aggregate | Coalesce]]:
    """化解率's rows for the period, and the aggregates that count them: `disputes` (registered in the period and
    not merged by its end) and `disputes_resolved` (of those, the ones standing resolved at its end). Either
    kind of row has `area` and `unit` to filter and group by.

    A period that runs to today asks how its disputes stand now: DisputeDay's sums, a few rows a day. One that
    ended earlier asks how they stood at its end: the spans, a row per dispute without `resolved_on` and a row
    per span during which it stood resolved (a dispute's spans never overlap, so at most one of its rows
    stands at any moment)."""
    if period.ends > timezone.localdate():
        days = DisputeDay.objects.filter(day__gte=period.starts, day__lt=period.ends)
        return days, {
            "disputes": Coalesce(Sum("disputes"), 0),
            "disputes_resolved": Coalesce(Sum("resolved"), 0),
        }
    ends = period.ends
    spans = DisputeSpan.objects.filter(registered_on__gte=period.starts, registered_on__lt=ends).filter(
        Q(merged_on__isnull=True) | Q(merged_on__gte=ends)
    )
    standing = Q(resolved_on__lt=ends) & (Q(reopened_on__isnull=True) | Q(reopened_on__gte=ends))
    return spans, {
        "disputes": Count("pk", filter=Q(resolved_on__isnull=True)),
        "disputes_resolved": Count("pk", filter=standing),
    }


def _dispute_counts(
    *, user: User, period: Period, region: Region | None, unit: Unit | None
) -> dict[str, int]:
    rows, counts = dispute_rows(period)
    if unit is not None:
        rows = rows.filter(unit=unit)
    else:
        rows = rows.filter(user_scope(user).territory_q("area"))
        if region is not None:
            rows = rows.filter(area__range=subtree_bounds(region.prefix))
    return rows.aggregate(**counts)


# --- visits and targets --------------------------------------------------------------------------------------


def _coverage_counts(
    *, user: User, period: Period, region: Region | None, unit: Unit | None
) -> dict[str, int]:
    villages = Region.objects.filter(level=Region.Level.VILLAGE).filter(user_scope(user).region_q("code"))
    if region is not None:
        villages = villages.filter(code__range=subtree_bounds(region.prefix))
    if unit is not None:
        villages = villages.filter(code__range=subtree_bounds(code_prefix(unit.region_id, unit.region.level)))
    # The visit list's index (region, -started_at) answers each village's question with one probe.
    visited = Exists(
        Visit.objects.filter(
            region_id=OuterRef("code"),
            enterprise__isnull=True,
            started_at__gte=period.start_at,
            started_at__lt=period.end_at,
        )
    )
    return villages.aggregate(villages=Count("code"), villages_visited=Count("code", filter=Q(visited)))


def targets_running(*, user: User, period: Period) -> QuerySet[Target]:
    """The targets of the campaigns running in the period, of the units the user sees, each with its `share`:
    achieved ÷ target, capped at 1 (a target of 0 is met)."""
    campaigns = campaigns_visible_to(user).filter(starts__lt=period.ends, ends__gte=period.starts)
    share = Case(
        When(quantity=0, then=Value(1.0)),
        default=Least(Cast(target_achieved(), FloatField()) / Cast(F("quantity"), FloatField()), Value(1.0)),
        output_field=FloatField(),
    )
    return Target.objects.filter(campaign__in=campaigns, unit__in=units_visible_to(user)).annotate(
        share=share
    )


TARGET_AGGREGATES = {
    "targets": Count("pk"),
    "targets_met": Count("pk", filter=Q(share__gte=1.0)),
    "completion": Avg("share"),
}


def _target_counts(
    *, user: User, period: Period, region: Region | None, unit: Unit | None
) -> tuple[dict[str, int], float | None]:
    targets = targets_running(user=user, period=period)
    if region is not None:
        targets = targets.filter(unit__region__code__range=subtree_bounds(region.prefix))
    if unit is not None:
        targets = targets.filter(unit=unit)
    # The share is computed once per target in an inner query (Django nests it because it holds subqueries)
    # and averaged outside.
    result = targets.aggregate(**TARGET_AGGREGATES)
    completion = result.pop("completion")
    return result, float(completion) if completion is not None else None
