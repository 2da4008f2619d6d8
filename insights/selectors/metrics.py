"""The metrics of DESIGN §6, exactly as defined there, computed in SQL from the appeals' timeline, visits and
targets. Each definition below is also what the API returns next to its number.

The period is [from, to) in Asia/Shanghai dates. The appeal metrics count `AppealEvent` rows whose `at` lies in
the period (a range on the index `event_kind_at`), of appeals the user may see, whose region lies in the region
filter. A unit filter keeps the events attributed to that unit: the event's `unit` (the lead unit for an
assignment, a resolution, a reopening; the acting unit for an acceptance or a return), or, for a callback and a
registration, which no unit does, the appeal's lead unit. One aggregate query per family of metrics.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import connection, transaction
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Least
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from appeals.models import AppealEvent, AppealKind, Satisfaction, TaskRole, UnitTask
from campaigns.models import Target, Visit
from campaigns.permissions import campaigns_visible_to
from campaigns.selectors.visits import target_achieved
from core.errors import InvalidInput
from geo.models import Region, code_prefix, subtree_bounds
from org.models import Unit, User
from org.permissions import units_visible_to, user_scope

Kind = AppealEvent.Kind
MAX_YEARS = 3
# A callback and a registration are nobody's doing; they count for the appeal's lead unit.
APPEAL_ATTRIBUTED = (Kind.CALLBACK, Kind.REGISTERED)
RESOLUTIONS = (Kind.RESOLVED, Kind.RESOLVED_ON_SITE)
SATISFIED = (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)


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


# --- the period ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """[starts, ends): from the start of the first day to the start of `ends`, in Asia/Shanghai."""

    starts: date
    ends: date

    @property
    def start_at(self) -> datetime:
        return _midnight(self.starts)

    @property
    def end_at(self) -> datetime:
        return _midnight(self.ends)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, month=3, day=1)


def period_between(*, starts: date, ends: date) -> Period:
    """The period [starts, ends); refused unless it is at least one day and at most three years long."""
    if starts >= ends:
        raise InvalidInput(
            "统计期的结束日期应晚于开始日期", code="invalid_input", details={"to": "应晚于开始日期"}
        )
    if ends > _years_after(starts, MAX_YEARS):
        raise InvalidInput(
            f"统计期最长{MAX_YEARS}年", code="invalid_input", details={"to": f"统计期最长{MAX_YEARS}年"}
        )
    return Period(starts=starts, ends=ends)


# --- the result -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricsSummary:
    period: Period
    region: Region | None
    unit: Unit | None
    rates: dict[str, float | None]  # RATE_KEYS → a fraction 0–1, None when its denominator is 0
    counts: dict[str, int]  # the numerators and denominators behind the rates


@contextmanager
def _without_jit() -> Iterator[None]:
    """PostgreSQL's JIT compiles these aggregates for longer than they run: their correlated probes inflate the
    cost estimate past `jit_above_cost`. On 1M events, a year of a county: 3.2 s with JIT, 0.55 s without."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def metrics_summary(
    *, user: User, period: Period, region: Region | None = None, unit: Unit | None = None
) -> MetricsSummary:
    """The rates of DESIGN §6 with the counts behind them, over what the user may see, narrowed by the filters.

    The caller has obtained `region` and `unit` through access_region / access_unit.
    """
    with _without_jit():
        events = _event_counts(user=user, period=period, region=region, unit=unit)
        disputes = _dispute_counts(user=user, period=period, region=region, unit=unit)
        coverage = _coverage_counts(user=user, period=period, region=region, unit=unit)
        targets, completion = _target_counts(user=user, period=period, region=region, unit=unit)
    counts = events | disputes | coverage | targets
    c = counts
    rates = {
        "on_time_acceptance_rate": _rate(c["accepted_on_time"], c["assigned"]),
        "on_time_resolution_rate": _rate(c["resolved_on_time"], c["resolved"]),
        "solved_rate": _rate(c["callbacks_solved"], c["callbacks"]),
        "satisfaction_rate": _rate(c["callbacks_satisfied"], c["callbacks_rated"]),
        "reopen_rate": _rate(c["reopened"], c["resolved"] + c["resolved_on_site"]),
        "return_rate": _rate(c["returned"], c["assigned"]),
        "dispute_resolution_rate": _rate(c["disputes_resolved"], c["disputes"]),
        "visit_coverage": _rate(c["villages_visited"], c["villages"]),
        "target_completion": completion,
    }
    return MetricsSummary(period=period, region=region, unit=unit, rates=rates, counts=counts)


# --- appeal events ----------------------------------------------------------------------------------------------


def _appeal_visible_q(user: User) -> Q:
    """appeals_visible_to(user) as a condition on an event row: the appeal's region lies in the user's scope, or
    one of the user's units has a task in it. The task list is one uncorrelated subquery, hashed once."""
    scope = user_scope(user)
    if scope.everything:
        return Q()
    has_part = (
        Q(appeal_id__in=UnitTask.objects.filter(unit_id__in=scope.unit_ids).values("appeal_id"))
        if scope.unit_ids
        else Q(pk__in=[])
    )
    return scope.region_q("appeal__region__code") | has_part


def _attributed_to(unit: Unit) -> Q:
    return Q(kind__in=APPEAL_ATTRIBUTED, appeal__lead_unit_id=unit.pk) | (
        ~Q(kind__in=APPEAL_ATTRIBUTED) & Q(unit_id=unit.pk)
    )


def _events(
    *, user: User, period: Period, region: Region | None, unit: Unit | None, kinds: tuple[str, ...]
) -> QuerySet[AppealEvent]:
    events = AppealEvent.objects.filter(kind__in=kinds, at__gte=period.start_at, at__lt=period.end_at)
    events = events.filter(_appeal_visible_q(user))
    if region is not None:
        events = events.filter(appeal__region__code__range=subtree_bounds(region.prefix))
    if unit is not None:
        events = events.filter(_attributed_to(unit))
    return events


def _accepted_on_time() -> Exists:
    """For an ASSIGNED event: the assigned unit signed for this assignment by its sign deadline.

    Its acceptance lies after the assignment and before the appeal's next assignment or reopening (both start a
    new sign clock). Within one appeal, event ids follow the timeline: it is written under the appeal's lock.
    """
    next_cycle = AppealEvent.objects.filter(
        appeal_id=OuterRef(OuterRef("appeal_id")),
        kind__in=(Kind.ASSIGNED, Kind.REOPENED),
        id__gt=OuterRef(OuterRef("pk")),
        id__lt=OuterRef("pk"),
    )
    return Exists(
        AppealEvent.objects.filter(
            appeal_id=OuterRef("appeal_id"),
            kind=Kind.ACCEPTED,
            unit_id=OuterRef("unit_id"),
            id__gt=OuterRef("pk"),
            data__role=TaskRole.LEAD.value,
            data__on_time=True,
        ).filter(~Exists(next_cycle))
    )


def _event_counts(*, user: User, period: Period, region: Region | None, unit: Unit | None) -> dict[str, int]:
    kinds = (Kind.ASSIGNED, Kind.RETURNED, Kind.RESOLVED, Kind.RESOLVED_ON_SITE, Kind.CALLBACK, Kind.REOPENED)
    events = _events(user=user, period=period, region=region, unit=unit, kinds=kinds)
    assigned = Q(kind=Kind.ASSIGNED)
    callback = Q(kind=Kind.CALLBACK)
    return events.aggregate(
        assigned=Count("pk", filter=assigned),
        accepted_on_time=Count("pk", filter=assigned & Q(_accepted_on_time())),
        returned=Count("pk", filter=Q(kind=Kind.RETURNED, data__role=TaskRole.LEAD.value)),
        resolved=Count("pk", filter=Q(kind=Kind.RESOLVED)),
        resolved_on_time=Count("pk", filter=Q(kind=Kind.RESOLVED, data__on_time=True)),
        resolved_on_site=Count("pk", filter=Q(kind=Kind.RESOLVED_ON_SITE)),
        reopened=Count("pk", filter=Q(kind=Kind.REOPENED)),
        callbacks=Count("pk", filter=callback),
        callbacks_solved=Count("pk", filter=callback & Q(data__solved=True)),
        callbacks_rated=Count("pk", filter=callback & Q(data__satisfaction__in=Satisfaction.values)),
        callbacks_satisfied=Count("pk", filter=callback & Q(data__satisfaction__in=[*SATISFIED])),
    )


def _dispute_counts(
    *, user: User, period: Period, region: Region | None, unit: Unit | None
) -> dict[str, int]:
    registered = _events(user=user, period=period, region=region, unit=unit, kinds=(Kind.REGISTERED,)).filter(
        appeal__kind=AppealKind.DISPUTE
    )
    before_end = AppealEvent.objects.filter(appeal_id=OuterRef("appeal_id"), at__lt=period.end_at)
    merged = Exists(before_end.filter(kind=Kind.MERGED))
    # Resolved and not reopened since: the last of its resolutions and reopenings before the end is a resolution.
    last_outcome = Subquery(
        before_end.filter(kind__in=(*RESOLUTIONS, Kind.REOPENED)).order_by("-at", "-id").values("kind")[:1]
    )
    return (
        registered.filter(~merged)
        .annotate(outcome=last_outcome)
        .aggregate(
            disputes=Count("pk"),
            disputes_resolved=Count("pk", filter=Q(outcome__in=RESOLUTIONS)),
        )
    )


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


def _target_counts(
    *, user: User, period: Period, region: Region | None, unit: Unit | None
) -> tuple[dict[str, int], float | None]:
    campaigns = campaigns_visible_to(user).filter(starts__lt=period.ends, ends__gte=period.starts)
    targets = Target.objects.filter(campaign__in=campaigns, unit__in=units_visible_to(user))
    if region is not None:
        targets = targets.filter(unit__region__code__range=subtree_bounds(region.prefix))
    if unit is not None:
        targets = targets.filter(unit=unit)
    # Achieved ÷ target, capped at 1; a target of 0 is met. The share is computed once per target in an inner
    # query (Django nests it because it holds subqueries) and averaged outside.
    share = Case(
        When(quantity=0, then=Value(1.0)),
        default=Least(Cast(target_achieved(), FloatField()) / Cast(F("quantity"), FloatField()), Value(1.0)),
        output_field=FloatField(),
    )
    result = targets.annotate(share=share).aggregate(
        targets=Count("pk"), targets_met=Count("pk", filter=Q(share__gte=1.0)), completion=Avg("share")
    )
    completion = result.pop("completion")
    return result, float(completion) if completion is not None else None
