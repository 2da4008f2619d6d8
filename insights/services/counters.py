"""Keeping the counters of insights.models in step with the appeal events and visits.

An appeal event's contribution to the daily counts never changes once it is written (the timeline is
append-only, and an acceptance's "on time" is settled when it is recorded), so a refresh folds in only the
events written since the last one and adds their counts. What does change, a dispute's standing and an appeal's
status or category, is rebuilt for the appeals that have new events. A full refresh rebuilds everything.

The watermark is safe against transactions still in flight: on PostgreSQL the maximum ids are read under a
SHARE lock, which waits for every open writer of the table (an id is only taken inside an INSERT, which holds
ROW EXCLUSIVE until commit); on SQLite a single writer commits ids in order.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Concat, Substr, TruncDate, TruncMonth
from django.utils import timezone

from appeals.models import Appeal, AppealEvent, AppealKind, Satisfaction, TaskRole
from campaigns.models import Visit, VisitProblem
from campaigns.services.tallies import visit_tallies_rebuild
from core.bulk import insert_rows, renamed_rows, upsert_add
from core.period import local_midnight
from insights.models import (
    COUNT_FIELDS,
    COUNTER_STATE,
    AppealDay,
    AreaDay,
    CategoryDay,
    CategoryMonth,
    CounterState,
    DisputeDay,
    DisputeSpan,
    UnitDay,
    VisitDay,
)

Kind = AppealEvent.Kind
RESOLUTIONS = (Kind.RESOLVED, Kind.RESOLVED_ON_SITE)
SATISFIED = (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)
# A callback and a registration are nobody's doing; they count for the appeal's lead unit.
APPEAL_ATTRIBUTED = (Kind.CALLBACK, Kind.REGISTERED)


@dataclass(frozen=True)
class RefreshResult:
    events: int  # appeal events folded in
    visits: int
    appeals: int  # appeals whose status, category or dispute standing was rebuilt
    full: bool


def _tz() -> Any:
    return timezone.get_default_timezone()


def _day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=_tz())


def area_of(field: str) -> Concat:
    """A region code cut to its township: 522701002003 → 522701002000 (coarser codes are unchanged)."""
    return Concat(Substr(field, 1, 9), Value("000"), output_field=models.CharField())


def county_of(field: str) -> Concat:
    return Concat(Substr(field, 1, 6), Value("000000"), output_field=models.CharField())


# --- event contributions --------------------------------------------------------------------------------------


def _event_aggregates() -> dict[str, Count]:
    callback = Q(kind=Kind.CALLBACK)
    return {
        "registered": Count("pk", filter=Q(kind=Kind.REGISTERED)),
        "assigned": Count("pk", filter=Q(kind=Kind.ASSIGNED)),
        "returned": Count("pk", filter=Q(kind=Kind.RETURNED, data__role=TaskRole.LEAD.value)),
        "resolved": Count("pk", filter=Q(kind=Kind.RESOLVED)),
        "resolved_on_time": Count("pk", filter=Q(kind=Kind.RESOLVED, data__on_time=True)),
        "resolved_on_site": Count("pk", filter=Q(kind=Kind.RESOLVED_ON_SITE)),
        "reopened": Count("pk", filter=Q(kind=Kind.REOPENED)),
        "callbacks": Count("pk", filter=callback),
        "callbacks_solved": Count("pk", filter=callback & Q(data__solved=True)),
        "callbacks_rated": Count("pk", filter=callback & Q(data__satisfaction__in=Satisfaction.values)),
        "callbacks_satisfied": Count("pk", filter=callback & Q(data__satisfaction__in=[*SATISFIED])),
    }


COUNTED_KINDS = (
    Kind.REGISTERED,
    Kind.ASSIGNED,
    Kind.RETURNED,
    Kind.RESOLVED,
    Kind.RESOLVED_ON_SITE,
    Kind.REOPENED,
    Kind.CALLBACK,
)


def _accepted_on_time(events: QuerySet[AppealEvent]) -> QuerySet[AppealEvent]:
    """Lead acceptances made by their sign deadline, each with the time of the assignment it answers: the
    appeal's last assignment or reopening before it, which must be an assignment to the accepting unit (a
    reopening or a new assignment starts a new sign clock). Within one appeal, ids follow the timeline: events
    are written under the appeal's lock."""
    before = AppealEvent.objects.filter(
        appeal_id=OuterRef("appeal_id"), kind__in=(Kind.ASSIGNED, Kind.REOPENED), id__lt=OuterRef("pk")
    ).order_by("-id")
    return (
        events.filter(kind=Kind.ACCEPTED, data__role=TaskRole.LEAD.value, data__on_time=True)
        .annotate(
            cycle_kind=Subquery(before.values("kind")[:1]),
            cycle_unit=Subquery(before.values("unit_id")[:1]),
            cycle_at=Subquery(before.values("at")[:1]),
        )
        .filter(cycle_kind=Kind.ASSIGNED, cycle_unit=F("unit_id"))
    )


def _event_rows(
    events: QuerySet[AppealEvent],
) -> tuple[dict[tuple, dict[str, int]], dict[tuple, dict[str, int]]]:
    """The counts the events contribute, by (day, area) and by (unit, day)."""
    by_area: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNT_FIELDS, 0))
    by_unit: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNT_FIELDS, 0))
    counted = events.filter(kind__in=COUNTED_KINDS)
    for row in (
        counted.values(day=_day("at"), area=area_of("appeal__region_id"))
        .annotate(**_event_aggregates())
        .order_by()
    ):
        key = (row.pop("day"), row.pop("area"))
        _add(by_area[key], row)
    attributed = Coalesce(
        models.Case(
            models.When(kind__in=APPEAL_ATTRIBUTED, then=F("appeal__lead_unit_id")),
            default=F("unit_id"),
        ),
        Value(0),
    )
    for row in (
        counted.exclude(kind=Kind.REGISTERED)
        .values(day=_day("at"), attributed=attributed)
        .annotate(**_event_aggregates())
        .order_by()
    ):
        key = (row.pop("attributed"), row.pop("day"))
        if key[0]:
            _add(by_unit[key], row)
    accepted = _accepted_on_time(events)
    for row in (
        accepted.values(day=_day("cycle_at"), area=area_of("appeal__region_id"))
        .annotate(n=Count("pk"))
        .order_by()
    ):
        by_area[(row["day"], row["area"])]["accepted_on_time"] += row["n"]
    for row in accepted.values("unit_id", day=_day("cycle_at")).annotate(n=Count("pk")).order_by():
        by_unit[(row["unit_id"], row["day"])]["accepted_on_time"] += row["n"]
    return by_area, by_unit


def _add(into: dict[str, int], row: dict[str, Any]) -> None:
    for key, value in row.items():
        into[key] += value


# --- what is rebuilt per appeal -------------------------------------------------------------------------------


def _day_ranges(days: Iterable[date]) -> Q:
    """created_at within any of these days, consecutive days joined into one range."""
    q = Q(pk__in=[])
    runs: list[list[date]] = []
    for day in sorted(set(days)):
        if runs and day == runs[-1][1] + timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    for first, last in runs:
        q |= Q(created_at__gte=local_midnight(first), created_at__lt=local_midnight(last + timedelta(days=1)))
    return q


def _rebuild_appeal_days(days: set[date] | None) -> None:
    """AppealDay and CategoryDay for the appeals registered on these days (None: all days)."""
    appeals = Appeal.objects.all()
    if days is not None:
        if not days:
            return
        appeals = appeals.filter(_day_ranges(days))
        AppealDay.objects.filter(day__in=days).delete()
        CategoryDay.objects.filter(day__in=days).delete()
    else:
        AppealDay.objects.all().delete()
        CategoryDay.objects.all().delete()
    status_rows = (
        appeals.values("kind", "status", "risk_colour", day=_day("created_at"), county=county_of("region_id"))
        .annotate(appeals=Count("pk"))
        .order_by()
    )
    insert_rows(AppealDay, status_rows)
    category_rows = (
        appeals.values("category_id", day=_day("created_at"), area=area_of("region_id"))
        .annotate(appeals=Count("pk"))
        .order_by()
    )
    insert_rows(CategoryDay, category_rows)
    months = CategoryDay.objects.all()
    if days is not None:
        firsts = {day.replace(day=1) for day in days}
        CategoryMonth.objects.filter(month__in=firsts).delete()
        months = months.filter(_month_ranges(firsts))
    else:
        CategoryMonth.objects.all().delete()
    insert_rows(
        CategoryMonth,
        months.values("area", "category_id", month=TruncMonth("day"))
        .annotate(appeals=Sum("appeals"))
        .order_by(),
    )


def _month_ranges(firsts: set[date]) -> Q:
    q = Q(pk__in=[])
    for first in firsts:
        q |= Q(day__gte=first, day__lt=(first + timedelta(days=32)).replace(day=1))
    return q


def _rebuild_dispute_spans(appeal_ids: QuerySet[Any] | None) -> None:
    """Each dispute's registration (the row without `resolved_on`), with one row per span during which it stood
    resolved: from a resolution to the reopening that ended it. A resolution that follows another without a
    reopening between (the workflow allows none; an import might) starts no span of its own, so a dispute's
    spans never overlap and the dispute counts need no DISTINCT (see metrics.dispute_rows)."""
    disputes = Appeal.objects.filter(kind=AppealKind.DISPUTE)
    previous = Subquery(
        AppealEvent.objects.filter(
            appeal_id=OuterRef("appeal_id"), kind__in=(*RESOLUTIONS, Kind.REOPENED), id__lt=OuterRef("pk")
        )
        .order_by("-id")
        .values("kind")[:1]
    )
    resolutions = (
        AppealEvent.objects.filter(kind__in=RESOLUTIONS, appeal__kind=AppealKind.DISPUTE)
        .annotate(previous=previous)
        .filter(Q(previous__isnull=True) | Q(previous=Kind.REOPENED))
    )
    if appeal_ids is not None:
        disputes = disputes.filter(pk__in=appeal_ids)
        resolutions = resolutions.filter(appeal_id__in=appeal_ids)
        DisputeSpan.objects.filter(appeal_id__in=appeal_ids).delete()
    else:
        DisputeSpan.objects.all().delete()

    def merged_at(appeal: str) -> Subquery:
        merges = AppealEvent.objects.filter(appeal_id=OuterRef(appeal), kind=Kind.MERGED)
        return Subquery(merges.order_by("at").values("at")[:1])

    base = disputes.annotate(merged_at=merged_at("pk")).values(
        "pk",
        "lead_unit_id",
        registered_on=_day("created_at"),
        area=area_of("region_id"),
        merged_on=_day("merged_at"),
    )
    insert_rows(DisputeSpan, renamed_rows(base, pk="appeal_id", lead_unit_id="unit_id"))
    reopened_at = Subquery(
        AppealEvent.objects.filter(appeal_id=OuterRef("appeal_id"), kind=Kind.REOPENED, id__gt=OuterRef("pk"))
        .order_by("id")
        .values("at")[:1]
    )
    spans = resolutions.annotate(merged_at=merged_at("appeal_id"), reopened_at=reopened_at).values(
        "appeal_id",
        "appeal__lead_unit_id",
        registered_on=_day("appeal__created_at"),
        area=area_of("appeal__region_id"),
        merged_on=_day("merged_at"),
        resolved_on=_day("at"),
        reopened_on=_day("reopened_at"),
    )
    insert_rows(DisputeSpan, renamed_rows(spans, appeal__lead_unit_id="unit_id"))


def _rebuild_dispute_days(days: set[date] | None) -> None:
    """DisputeDay for the disputes registered on these days (None: all days), from their spans: run after
    _rebuild_dispute_spans."""
    spans = DisputeSpan.objects.all()
    if days is not None:
        if not days:
            return
        spans = spans.filter(registered_on__in=days)
        DisputeDay.objects.filter(day__in=days).delete()
    else:
        DisputeDay.objects.all().delete()
    standing = Q(resolved_on__isnull=False, reopened_on__isnull=True, merged_on__isnull=True)
    rows = (
        spans.values("area", "unit_id", day=F("registered_on"))
        .annotate(
            disputes=Count("pk", filter=Q(resolved_on__isnull=True, merged_on__isnull=True)),
            resolved=Count("pk", filter=standing),
        )
        .order_by()
    )
    insert_rows(DisputeDay, rows)


# --- visits --------------------------------------------------------------------------------------------------


def _visit_rows(visits: QuerySet[Visit]) -> dict[tuple, dict[str, int]]:
    rows: dict[tuple, dict[str, int]] = defaultdict(lambda: {"visits": 0, "households": 0, "problems": 0})
    for row in (
        visits.values("campaign_id", day=_day("started_at"), area=area_of("region_id"))
        .annotate(visits=Count("pk"), households=Coalesce(Sum("households_reached"), 0))
        .order_by()
    ):
        key = (row.pop("day"), row.pop("area"), row.pop("campaign_id"))
        _add(rows[key], row)
    problems = VisitProblem.objects.filter(visit__in=visits)
    for row in (
        problems.values("visit__campaign_id", day=_day("visit__started_at"), area=area_of("visit__region_id"))
        .annotate(n=Count("pk"))
        .order_by()
    ):
        rows[(row["day"], row["area"], row["visit__campaign_id"])]["problems"] += row["n"]
    return rows


# --- the refresh ---------------------------------------------------------------------------------------------


def _watermarks() -> tuple[int, int]:
    """The highest event and visit ids below which every row is committed."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"LOCK TABLE {AppealEvent._meta.db_table}, {Visit._meta.db_table} IN SHARE MODE"
                )
        events = AppealEvent.objects.aggregate(m=Max("id"))["m"] or 0
        visits = Visit.objects.aggregate(m=Max("id"))["m"] or 0
    return events, visits


def counters_refresh(*, full: bool = False) -> RefreshResult:
    """Fold the events and visits written since the last refresh into the counters (all of them when `full`).

    Runs under a lock on the state row, so two refreshes never fold the same rows twice."""
    event_max, visit_max = _watermarks()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # The planner guesses the JSON and subquery filters leave one row and then joins the appeals
                # by a nested loop over a sequential scan per row: at 2M appeals it never finishes. Hash joins
                # cost one scan; JIT compiles these statements for longer than they run.
                cursor.execute("SET LOCAL enable_nestloop = off")
                cursor.execute("SET LOCAL jit = off")
                # Grouping millions of visits or events sorts in memory rather than on disk.
                cursor.execute("SET LOCAL work_mem = '256MB'")
        state, _ = CounterState.objects.get_or_create(name=COUNTER_STATE)
        state = CounterState.objects.select_for_update().get(pk=state.pk)
        if full:
            AreaDay.objects.all().delete()
            UnitDay.objects.all().delete()
            VisitDay.objects.all().delete()
            state.last_event_id = state.last_visit_id = 0
        events = AppealEvent.objects.filter(id__gt=state.last_event_id, id__lte=event_max)
        visits = Visit.objects.filter(id__gt=state.last_visit_id, id__lte=visit_max)
        n_events = events.count()
        n_visits = visits.count()
        by_area, by_unit = _event_rows(events)
        upsert_add(AreaDay, ("day", "area"), by_area)
        upsert_add(UnitDay, ("unit_id", "day"), by_unit)
        upsert_add(VisitDay, ("day", "area", "campaign_id"), _visit_rows(visits))
        if full:
            _rebuild_appeal_days(None)
            _rebuild_dispute_spans(None)
            _rebuild_dispute_days(None)
            visit_tallies_rebuild()
            touched = Appeal.objects.count()
        else:
            touched_ids = events.values("appeal_id").distinct()
            days = {
                d
                for d in Appeal.objects.filter(pk__in=touched_ids)
                .annotate(d=_day("created_at"))
                .values_list("d", flat=True)
                .distinct()
            }
            _rebuild_appeal_days(days)
            _rebuild_dispute_spans(touched_ids)
            _rebuild_dispute_days(days)
            touched = touched_ids.count()
        state.last_event_id, state.last_visit_id = event_max, visit_max
        state.refreshed_at = timezone.now()
        state.save(update_fields=["last_event_id", "last_visit_id", "refreshed_at"])
    return RefreshResult(events=n_events, visits=n_visits, appeals=touched, full=full)
