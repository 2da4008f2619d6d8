"""The heat table (an area's appeals, visits and rates) and the weekly trends, from the daily counters."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import CharField, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr, TruncWeek

from core.period import Period
from geo.models import Region, subtree_bounds
from insights.models import (
    COUNT_FIELDS,
    AreaDay,
    UnitDay,
)
from insights.selectors.dashboard.links import appeals_url, dashboard_url, list_days, visits_url
from insights.selectors.dashboard.results import COUNTY_LENGTH, HEAT_RATES, TOWNSHIP_LENGTH, HeatRow, Week
from insights.selectors.dashboard.scoped import between, in_territory, visit_rows
from insights.selectors.metrics import (
    DISPUTE_COUNTS,
    dispute_rows,
    rates_of,
)
from org.models import Unit, User
from org.permissions import user_scope

# Who sees the overview and the county views (DESIGN §1); unit staff see the view of their own unit.


def _zero_counts() -> dict[str, int]:
    keys = (*COUNT_FIELDS, "disputes", "disputes_resolved", "villages", "villages_visited")
    return dict.fromkeys(keys, 0)


@dataclass
class AreaWeek:
    """The counts of one area (a county or township of the heat table; "" when the view has none) in one week."""

    area: str
    week: date
    events: dict[str, int]
    visits: int


def area_weeks(*, user: User, period: Period, region: Region | None, level: str | None) -> list[AreaWeek]:
    """The event and visit counters by heat-table area and ISO week: one grouped read of AreaDay and one of
    VisitDay serve the heat table, the weekly trends and the visit total."""
    group: dict[str, Any] = {"week": TruncWeek("day")}
    if level is not None:
        length = COUNTY_LENGTH if level == "county" else TOWNSHIP_LENGTH
        group["g"] = Substr("area", 1, length, output_field=CharField())
    events = in_territory(between(AreaDay.objects.all(), period), "area", user=user, region=region)
    sums = {f: Coalesce(Sum(f), 0) for f in COUNT_FIELDS}
    cells: dict[tuple[str, date], AreaWeek] = {}

    def cell(row: dict[str, Any]) -> AreaWeek:
        week = row.pop("week")
        week = week.date() if isinstance(week, datetime) else week
        area = row.pop("g", "").ljust(12, "0") if level is not None else ""
        if (area, week) not in cells:
            cells[(area, week)] = AreaWeek(
                area=area, week=week, events=dict.fromkeys(COUNT_FIELDS, 0), visits=0
            )
        return cells[(area, week)]

    for row in events.values(**group).annotate(**sums).order_by():
        cell(row).events.update(row)
    visits = visit_rows(user=user, period=period, region=region)
    for row in visits.values(**group).annotate(n=Coalesce(Sum("visits"), 0)).order_by():
        n = row.pop("n")
        cell(row).visits += n
    return list(cells.values())


def dispute_groups(
    *, user: User, period: Period, region: Region | None, level: str | None
) -> dict[str, dict[str, int]]:
    """化解率's counts by heat-table area (12-digit code; "" when the view has no heat table): one grouped read."""
    rows, counts = dispute_rows(period)
    rows = in_territory(rows, "area", user=user, region=region)
    if level is None:
        total = rows.aggregate(**counts)
        return {"": {key: total[key] for key in DISPUTE_COUNTS}}
    length = COUNTY_LENGTH if level == "county" else TOWNSHIP_LENGTH
    group = Substr("area", 1, length, output_field=CharField())
    return {row.pop("g").ljust(12, "0"): row for row in rows.values(g=group).annotate(**counts).order_by()}


def heat_rows(
    *,
    user: User,
    period: Period,
    region: Region | None,
    level: str,
    cells: list[AreaWeek],
    disputes: dict[str, dict[str, int]],
) -> list[HeatRow]:
    """One row per county (or township) of the view, from the area-week counts and the dispute groups. AreaDay's
    `registered` counts the appeals registered (see region_weeks)."""
    scope = user_scope(user)
    region_level = Region.Level.COUNTY if level == "county" else Region.Level.TOWNSHIP
    areas = Region.objects.filter(level=region_level).filter(scope.region_q("code"))
    if region is not None:
        areas = areas.filter(code__range=subtree_bounds(region.prefix))
    counts: dict[str, dict[str, int]] = defaultdict(_zero_counts)
    visits: dict[str, int] = defaultdict(int)
    for c in cells:
        for key, value in c.events.items():
            counts[c.area][key] += value
        visits[c.area] += c.visits
    for code, row in disputes.items():
        counts[code].update(row)
    window = list_days(period.starts, period.ends - timedelta(days=1))
    rows = []
    for area in areas.order_by("code"):
        rates = rates_of(counts[area.code], None)
        rows.append(
            HeatRow(
                code=area.code,
                name=area.name,
                appeals=counts[area.code]["registered"],
                appeals_url=appeals_url(region=area.code, **window),
                visits=visits[area.code],
                visits_url=visits_url(region=area.code, **window),
                rates={k: rates[k] for k in HEAT_RATES},
                url=dashboard_url(area, period=period),
            )
        )
    return rows


# --- weekly trends ------------------------------------------------------------------------------------------


def _weeks_of(period: Period) -> list[tuple[date, date, date]]:
    """(Monday, first day in the period, last day in the period) for each ISO week the period touches."""
    last = period.ends - timedelta(days=1)
    monday = period.starts - timedelta(days=period.starts.weekday())
    weeks = []
    while monday <= last:
        weeks.append((monday, max(monday, period.starts), min(monday + timedelta(days=6), last)))
        monday += timedelta(days=7)
    return weeks


def _by_week(rows: QuerySet[Any], **sums: Any) -> dict[date, dict[str, int]]:
    result: dict[date, dict[str, int]] = {}
    for row in rows.values(week=TruncWeek("day")).annotate(**sums).order_by():
        week = row.pop("week")
        week = week.date() if isinstance(week, datetime) else week
        result[week] = row
    return result


def region_weeks(*, period: Period, region: Region | None, cells: list[AreaWeek]) -> list[Week]:
    """A registration's event is written at the appeal's creation, in its region: AreaDay's `registered` is
    the count the list's created-day and region filters select."""
    code = region.code if region is not None else None
    registered: dict[date, int] = defaultdict(int)
    resolved: dict[date, int] = defaultdict(int)
    visits: dict[date, int] = defaultdict(int)
    for c in cells:
        registered[c.week] += c.events["registered"]
        resolved[c.week] += c.events["resolved"] + c.events["resolved_on_site"]
        visits[c.week] += c.visits
    return [
        Week(
            starts=first,
            ends=last,
            registered=registered[monday],
            registered_url=appeals_url(region=code, **list_days(first, last)),
            assigned=None,
            resolved=resolved[monday],
            visits=visits[monday],
            visits_url=visits_url(region=code, **list_days(first, last)),
        )
        for monday, first, last in _weeks_of(period)
    ]


def unit_weeks(*, unit: Unit, period: Period) -> list[Week]:
    rows = _by_week(
        between(UnitDay.objects.filter(unit=unit), period),
        assigned=Sum("assigned"),
        resolved=Sum("resolved") + Sum("resolved_on_site"),
    )
    return [
        Week(
            starts=first,
            ends=last,
            registered=None,
            registered_url=None,
            assigned=rows.get(monday, {}).get("assigned", 0),
            resolved=rows.get(monday, {}).get("resolved", 0),
            visits=None,
            visits_url=None,
        )
        for monday, first, last in _weeks_of(period)
    ]
