"""The dashboards (DESIGN §6, §7): a leader's overview of a region and a unit's view, over a period.

Every figure is read from the daily counters of insights.models (sums over day ranges and region-code ranges),
except two questions the counters cannot answer and an index can: the items overdue now (Appeal on its
(status, resolve_due) index, the shown list limited) and a unit's open tasks (UnitTask on its queue index). The
rates come from metrics_summary. Each figure carries the URL of the list behind it, built with the same filters
the list applies, so the number clicked is the number of rows that open.

AppealDay, the breakdown by kind, status and risk colour, is kept per county: for a township (or a scope
narrower than a county) those breakdowns are None rather than wrong.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import CharField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr, TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from appeals.models import (
    Appeal,
    AppealKind,
    AppealStatus,
    Category,
    RiskColour,
    TaskStatus,
)
from appeals.permissions import appeals_visible_to
from appeals.selectors import AppealFilters, appeals_filter
from campaigns.models import Campaign, Metric, Target
from campaigns.permissions import campaigns_visible_to
from campaigns.selectors.visits import target_achieved
from core.errors import Forbidden, InvalidInput, NotFound
from geo.models import Region, subtree_bounds
from insights.models import (
    COUNT_FIELDS,
    AppealDay,
    AreaDay,
    CategoryDay,
    CategoryMonth,
    UnitDay,
    VisitDay,
)
from insights.selectors.metrics import (
    DEFINITIONS,
    DISPUTE_COUNTS,
    EVENT_COUNTS,
    RATE_KEYS,
    Period,
    dispute_rows,
    metrics_summary,
    rates_of,
    without_jit,
)
from insights.services import counters_refreshed_at
from org.models import Role, Unit, User
from org.permissions import access_region, access_unit, units_visible_to, user_scope

# Who sees the overview and the county views (DESIGN §1); unit staff see the view of their own unit.
OVERVIEW_ROLES = (Role.LEADER, Role.SUPERVISOR, Role.ADMIN, Role.DISPATCHER)
UNIT_ROLES = (Role.HANDLER, Role.UNIT_HEAD)
TOP_CATEGORIES = 10
OVERDUE_SHOWN = 10
# The rates of a heat-table row: those the event and dispute counters answer per area.
HEAT_RATES = (
    "on_time_acceptance_rate",
    "on_time_resolution_rate",
    "solved_rate",
    "satisfaction_rate",
    "dispute_resolution_rate",
)
COUNTY_LENGTH, TOWNSHIP_LENGTH = 6, 9


# --- the result ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A number with its name and the list behind it (None: no list answers it)."""

    key: str
    label: str
    value: int
    url: str | None


@dataclass(frozen=True)
class Rate:
    key: str
    label: str
    definition: str
    value: float | None  # 0–1; None when its denominator is 0
    url: str | None


@dataclass(frozen=True)
class HeatRow:
    """A county or township of the view: its appeals and visits in the period and its rates."""

    code: str
    name: str
    appeals: int
    appeals_url: str
    visits: int
    visits_url: str
    rates: dict[str, float | None]
    url: str  # the area's own dashboard


@dataclass(frozen=True)
class OverdueItem:
    """An item past its resolve deadline: no personal data."""

    id: int
    code: str
    title: str
    lead_unit: str | None
    resolve_due: datetime
    days_overdue: int
    url: str


@dataclass(frozen=True)
class Week:
    """One ISO week of the period (Monday; the first and last weeks are cut to the period)."""

    starts: date
    ends: date  # the last day, inclusive
    registered: int | None  # appeals registered (the region view)
    registered_url: str | None
    assigned: int | None  # assignments received (the unit view)
    resolved: int  # resolutions, by a unit or on site
    visits: int | None
    visits_url: str | None

    @property
    def iso(self) -> str:
        year, week, _day = self.starts.isocalendar()
        return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class CampaignLine:
    """A running campaign's targets of one metric, summed over the units in view, against what they achieved."""

    campaign_id: int
    campaign: str
    metric: str
    metric_label: str
    target: int
    achieved: int
    url: str
    coverage_url: str


@dataclass(frozen=True)
class Overview:
    period: Period
    region: Region | None
    unit: Unit | None
    level: str  # prefecture, county, township or unit: what the view is of
    rates: list[Rate]
    counts: dict[str, int]
    appeals: Figure | None
    visits: Figure | None
    by_kind: list[Figure] | None
    by_status: list[Figure] | None
    by_risk: list[Figure] | None
    by_category: list[Figure] | None
    overdue: Figure
    overdue_items: list[OverdueItem]
    heat_level: str | None  # county or township: what the heat rows are
    heat: list[HeatRow]
    weeks: list[Week]
    campaigns: list[CampaignLine]
    queue: list[Figure]  # the unit view: its open tasks by state
    as_of: datetime | None


# --- who sees what ------------------------------------------------------------------------------------------


def dashboard_root(user: User) -> Region | None:
    """The region a leader's overview opens on: the one subtree of their scope, or the one prefecture of an
    unrestricted user; None when the scope is several subtrees."""
    scope = user_scope(user)
    if scope.everything:
        prefectures = list(Region.objects.filter(level=Region.Level.PREFECTURE).order_by("code")[:2])
        return prefectures[0] if len(prefectures) == 1 else None
    if len(scope.prefixes) == 1:
        return Region.objects.filter(pk=scope.prefixes[0].ljust(12, "0")).first()
    return None


def staff_units(user: User) -> list[Unit]:
    """The active units in which the user is a handler or unit head, whose unit view they open."""
    ids = user_scope(user).units_with(*UNIT_ROLES)
    return list(Unit.objects.filter(pk__in=ids, is_active=True).order_by("name", "id"))


def access_dashboard(
    user: User, *, region_code: str | None = None, unit_id: int | None = None
) -> tuple[Region | None, Unit | None]:
    """The region or unit whose dashboard the user asks for: 403 for a role without dashboards (a visitor;
    unit staff outside their unit view), 404 alike for a region or unit absent or outside the scope (for unit
    staff, any unit not their own), 422 for both at once. No region and no unit: the overview's root."""
    scope = user_scope(user)
    if unit_id is not None and region_code:
        raise InvalidInput(
            "按区域或按单位统计，二者选一", code="invalid_input", details={"unit": "与区域不能同时指定"}
        )
    if unit_id is not None:
        if scope.holds(*OVERVIEW_ROLES):
            return None, access_unit(user, unit_id)
        if scope.holds(*UNIT_ROLES):
            if unit_id not in scope.units_with(*UNIT_ROLES):
                raise NotFound("单位不存在")
            return None, access_unit(user, unit_id)
        raise Forbidden("无权查看统计看板")
    if not scope.holds(*OVERVIEW_ROLES):
        raise Forbidden("无权查看统计看板")
    if region_code:
        return access_region(user, region_code), None
    return dashboard_root(user), None


# --- links to the lists behind the numbers ------------------------------------------------------------------


def _url(name: str, params: dict[str, Any], **kwargs: Any) -> str:
    pairs: list[tuple[str, Any]] = []
    for key, value in params.items():
        if value is None or value == "":
            continue
        if isinstance(value, list | tuple):
            pairs.extend((key, v) for v in value)
        else:
            pairs.append((key, value))
    base = reverse(name, kwargs=kwargs or None)
    return f"{base}?{urlencode(pairs)}" if pairs else base


def _days(starts: date, last: date) -> dict[str, str]:
    """The lists take both days inclusive (the counters' period is [starts, ends))."""
    return {"from": starts.isoformat(), "to": last.isoformat()}


def appeals_url(**params: Any) -> str:
    """The appeals list (appeals.views.lists) with these filters."""
    return _url("appeals:list", params)


def visits_url(**params: Any) -> str:
    return _url("campaigns:ledger", params)


def dashboard_url(
    region: Region | None = None, *, unit: Unit | None = None, period: Period | None = None
) -> str:
    """The page of a county, township or unit dashboard over the period."""
    params = {"from": period.starts.isoformat(), "to": period.ends.isoformat()} if period else {}
    if unit is not None:
        return _url("insights:unit", params, unit_id=unit.pk)
    if region is None or region.level < Region.Level.COUNTY:
        return _url("insights:overview", params)
    name = "insights:county" if region.level == Region.Level.COUNTY else "insights:township"
    return _url(name, params, code=region.code)


# --- the overview ---------------------------------------------------------------------------------------------


def dashboard_overview(*, user: User, period: Period, region: Region | None, unit: Unit | None) -> Overview:
    """The figures of a region (or of the user's whole scope) or of a unit over the period, each with its list.

    The caller obtained `region` and `unit` through access_dashboard. PostgreSQL's JIT is off for these reads:
    it compiled the campaign lines' correlated sums for 28 ms of their 34 ms."""
    with without_jit():
        return _overview(user=user, period=period, region=region, unit=unit)


def _overview(*, user: User, period: Period, region: Region | None, unit: Unit | None) -> Overview:
    now = timezone.now()
    last = period.ends - timedelta(days=1)
    code = region.code if region is not None else None
    running = list(
        campaigns_visible_to(user)
        .filter(starts__lt=period.ends, ends__gte=period.starts)
        .order_by("-starts", "-id")
    )
    campaigns = _campaign_lines(user=user, running=running, region=region, unit=unit)
    if unit is not None:
        summary = metrics_summary(user=user, period=period, unit=unit)
        late = _overdue(user, now=now, region=None).filter(lead_unit=unit)
        overdue_link = appeals_url(lead_unit=unit.pk, overdue=1)
        return Overview(
            period=period,
            region=None,
            unit=unit,
            level="unit",
            rates=_rates(summary.rates, period=period, region=None, unit=unit, running=running),
            counts=summary.counts,
            appeals=None,
            visits=None,
            by_kind=None,
            by_status=None,
            by_risk=None,
            by_category=None,
            overdue=Figure("overdue", gettext("Overdue (as lead unit)"), late.count(), overdue_link),
            overdue_items=_overdue_items(late, now=now),
            heat_level=None,
            heat=[],
            weeks=_unit_weeks(unit=unit, period=period),
            campaigns=campaigns,
            queue=_queue(user, unit),
            as_of=counters_refreshed_at(),
        )
    listed = {"region": code, **_days(period.starts, last)}
    categories = _category_rows(user=user, period=period, region=region)
    total = sum(categories.values())
    breakdowns = _appeal_day_breakdowns(user=user, period=period, region=region, listed=listed)
    late = _overdue(user, now=now, region=region)
    heat_level = _heat_level(region)
    cells = _area_weeks(user=user, period=period, region=region, level=heat_level)
    visits_total = sum(c.visits for c in cells)
    disputes = _dispute_groups(user=user, period=period, region=region, level=heat_level)
    # The view's event and dispute counts are the sums of its heat-table groups: not read a second time.
    summed = dict.fromkeys((*EVENT_COUNTS, *DISPUTE_COUNTS), 0)
    for c in cells:
        for key in EVENT_COUNTS:
            summed[key] += c.events[key]
    for group in disputes.values():
        for key in DISPUTE_COUNTS:
            summed[key] += group[key]
    summary = metrics_summary(user=user, period=period, region=region, summed=summed)
    return Overview(
        period=period,
        region=region,
        unit=None,
        level=_level(region),
        rates=_rates(summary.rates, period=period, region=region, unit=None, running=running),
        counts=summary.counts,
        appeals=Figure("appeals", gettext("Appeals registered"), total, appeals_url(**listed)),
        visits=Figure("visits", gettext("Visits"), visits_total, visits_url(**listed)),
        by_kind=breakdowns[0] if breakdowns else None,
        by_status=breakdowns[1] if breakdowns else None,
        by_risk=breakdowns[2] if breakdowns else None,
        by_category=_top_categories(categories, total=total, listed=listed),
        overdue=Figure("overdue", gettext("Overdue now"), late.count(), appeals_url(region=code, overdue=1)),
        overdue_items=_overdue_items(late, now=now),
        heat_level=heat_level,
        heat=_heat(user=user, period=period, region=region, level=heat_level, cells=cells, disputes=disputes)
        if heat_level
        else [],
        weeks=_region_weeks(period=period, region=region, cells=cells),
        campaigns=campaigns,
        queue=[],
        as_of=counters_refreshed_at(),
    )


def _level(region: Region | None) -> str:
    if region is None or region.level <= Region.Level.PREFECTURE:
        return "prefecture"
    return "county" if region.level == Region.Level.COUNTY else "township"


def _heat_level(region: Region | None) -> str | None:
    if region is None or region.level <= Region.Level.PREFECTURE:
        return "county"
    return "township" if region.level == Region.Level.COUNTY else None


def _in_region(rows: QuerySet[Any], field: str, *, user: User, region: Region | None) -> QuerySet[Any]:
    rows = rows.filter(user_scope(user).region_q(field))
    if region is not None:
        rows = rows.filter(**{f"{field}__range": subtree_bounds(region.prefix)})
    return rows


def _between(rows: QuerySet[Any], period: Period) -> QuerySet[Any]:
    return rows.filter(day__gte=period.starts, day__lt=period.ends)


def _visit_rows(*, user: User, period: Period, region: Region | None) -> QuerySet[VisitDay]:
    return _in_region(_between(VisitDay.objects.all(), period), "area", user=user, region=region)


# --- rates --------------------------------------------------------------------------------------------------


def _rates(
    values: dict[str, float | None],
    *,
    period: Period,
    region: Region | None,
    unit: Unit | None,
    running: list[Campaign],
) -> list[Rate]:
    """The rates with the page that explains each: the ranking one level down, the dispute list, the
    campaign's coverage and progress."""
    window = {"from": period.starts.isoformat(), "to": period.ends.isoformat()}
    code = region.code if region is not None else None
    if unit is not None:
        ranking = _url("rankings:rankings", {"league": "department", **window})
    elif region is None or region.level <= Region.Level.PREFECTURE:
        ranking = _url("rankings:rankings", {"league": "county", **window, "region": code})
    else:
        ranking = _url("rankings:rankings", {"league": "township", **window, "region": code})
    campaign = running[0] if running else None
    coverage_region = unit.region_id if unit is not None else code
    urls: dict[str, str | None] = dict.fromkeys(RATE_KEYS, ranking)
    urls["dispute_resolution_rate"] = (
        None
        if unit is not None
        else appeals_url(
            kind=AppealKind.DISPUTE, region=code, **_days(period.starts, period.ends - timedelta(days=1))
        )
    )
    urls["visit_coverage"] = (
        _url("campaigns:coverage", {"region": coverage_region}, campaign_id=campaign.pk) if campaign else None
    )
    urls["target_completion"] = _url("campaigns:detail", {}, campaign_id=campaign.pk) if campaign else None
    return [
        Rate(
            key=key,
            label=str(DEFINITIONS[key].label),
            definition=str(DEFINITIONS[key].text),
            value=values.get(key),
            url=urls[key],
        )
        for key in RATE_KEYS
    ]


# --- breakdowns of the appeals registered in the period ----------------------------------------------------


def _county_grained(user: User, region: Region | None) -> bool:
    """Whether AppealDay (kept per county) answers for this region, or for the whole scope."""
    if region is not None:
        return region.level <= Region.Level.COUNTY
    scope = user_scope(user)
    return scope.everything or all(len(prefix) <= COUNTY_LENGTH for prefix in scope.prefixes)


def _appeal_day_breakdowns(
    *, user: User, period: Period, region: Region | None, listed: dict[str, Any]
) -> tuple[list[Figure], list[Figure], list[Figure]] | None:
    """By kind, by current status, and disputes by risk colour: one grouped read of AppealDay."""
    if not _county_grained(user, region):
        return None
    rows = _in_region(_between(AppealDay.objects.all(), period), "county", user=user, region=region)
    kinds: dict[str, int] = defaultdict(int)
    statuses: dict[str, int] = defaultdict(int)
    risks: dict[str, int] = defaultdict(int)
    for row in rows.values("kind", "status", "risk_colour").annotate(n=Sum("appeals")).order_by():
        kinds[row["kind"]] += row["n"]
        statuses[row["status"]] += row["n"]
        if row["kind"] == AppealKind.DISPUTE:
            risks[row["risk_colour"]] += row["n"]
    by_kind = [
        Figure(value, str(label), kinds.get(value, 0), appeals_url(**listed, kind=value))
        for value, label in AppealKind.choices
    ]
    by_status = [
        Figure(value, str(label), statuses.get(value, 0), appeals_url(**listed, status=value))
        for value, label in AppealStatus.choices
    ]
    by_risk = [
        Figure(
            value, str(label), risks.get(value, 0), appeals_url(**listed, kind="dispute", risk_colour=value)
        )
        for value, label in RiskColour.choices
    ]
    if risks.get(""):
        # A dispute registered without a colour (an import, an older record).
        by_risk.append(
            Figure(
                "", gettext("No colour"), risks[""], appeals_url(**listed, kind="dispute", risk_colour="none")
            )
        )
    return by_kind, by_status, by_risk


def _category_rows(*, user: User, period: Period, region: Region | None) -> dict[int, int]:
    """Appeals registered in the period by category: the whole months from CategoryMonth, the loose days
    from CategoryDay."""
    first, last = period.whole_months
    loose = CategoryDay.objects.filter(
        Q(day__gte=period.starts, day__lt=first) | Q(day__gte=last, day__lt=period.ends)
    )
    months = CategoryMonth.objects.filter(month__gte=first, month__lt=last)
    counts: dict[int, int] = defaultdict(int)
    for rows in (loose, months):
        in_view = _in_region(rows, "area", user=user, region=region)
        for row in in_view.values("category_id").annotate(n=Sum("appeals")).order_by():
            counts[row["category_id"]] += row["n"]
    return {category: n for category, n in counts.items() if n}


def _top_categories(counts: dict[int, int], *, total: int, listed: dict[str, Any]) -> list[Figure]:
    """The ten commonest categories, then 其他 (the rest, listed as "none of these ten")."""
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_CATEGORIES]
    categories = Category.objects.select_related("parent").in_bulk([pk for pk, _n in top])
    figures = []
    for pk, n in top:
        category = categories[pk]
        label = f"{category.parent.name}·{category.name}" if category.parent else category.name
        figures.append(Figure(category.code, label, n, appeals_url(**listed, category=category.code)))
    rest = total - sum(n for _pk, n in top)
    if rest:
        codes = [categories[pk].code for pk, _n in top]
        figures.append(Figure("other", gettext("Other"), rest, appeals_url(**listed, not_category=codes)))
    return figures


# --- overdue ------------------------------------------------------------------------------------------------


def _overdue(user: User, *, now: datetime, region: Region | None) -> QuerySet[Appeal]:
    """Items past their resolve deadline, exactly as the list's overdue=1 filter selects them."""
    prefix = region.prefix if region is not None else None
    return appeals_filter(appeals_visible_to(user, within=prefix), AppealFilters(overdue=True), now=now)


def overdue_rows(user: User, *, region: Region | None, unit: Unit | None) -> QuerySet[Appeal]:
    """All the items overdue now in the view, most overdue first (the export of the dashboard's list)."""
    rows = _overdue(user, now=timezone.now(), region=region)
    if unit is not None:
        rows = rows.filter(lead_unit=unit)
    return (
        rows.select_related("lead_unit")
        .only("id", "code", "title", "resolve_due", "lead_unit__name")
        .order_by("resolve_due", "id")
    )


def days_overdue(due: datetime, now: datetime) -> int:
    """Whole days past the deadline (0: less than a day)."""
    return max(0, (now - due).days)


def _overdue_items(rows: QuerySet[Appeal], *, now: datetime) -> list[OverdueItem]:
    shown = (
        rows.select_related("lead_unit")
        .only("id", "code", "title", "resolve_due", "lead_unit__name")
        .order_by("resolve_due", "id")[:OVERDUE_SHOWN]
    )
    return [
        OverdueItem(
            id=appeal.pk,
            code=appeal.code,
            title=appeal.title,
            lead_unit=appeal.lead_unit.name if appeal.lead_unit else None,
            resolve_due=appeal.resolve_due,  # type: ignore[arg-type]
            days_overdue=days_overdue(appeal.resolve_due, now),  # type: ignore[arg-type]
            url=reverse("appeals:detail", kwargs={"appeal_id": appeal.pk}),
        )
        for appeal in shown
    ]


# --- the heat table -----------------------------------------------------------------------------------------


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


def _area_weeks(*, user: User, period: Period, region: Region | None, level: str | None) -> list[AreaWeek]:
    """The event and visit counters by heat-table area and ISO week: one grouped read of AreaDay and one of
    VisitDay serve the heat table, the weekly trends and the visit total."""
    group: dict[str, Any] = {"week": TruncWeek("day")}
    if level is not None:
        length = COUNTY_LENGTH if level == "county" else TOWNSHIP_LENGTH
        group["g"] = Substr("area", 1, length, output_field=CharField())
    events = _in_region(_between(AreaDay.objects.all(), period), "area", user=user, region=region)
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
    visits = _visit_rows(user=user, period=period, region=region)
    for row in visits.values(**group).annotate(n=Coalesce(Sum("visits"), 0)).order_by():
        n = row.pop("n")
        cell(row).visits += n
    return list(cells.values())


def _dispute_groups(
    *, user: User, period: Period, region: Region | None, level: str | None
) -> dict[str, dict[str, int]]:
    """化解率's counts by heat-table area (12-digit code; "" when the view has no heat table): one grouped read."""
    rows, counts = dispute_rows(period)
    rows = _in_region(rows, "area", user=user, region=region)
    if level is None:
        total = rows.aggregate(**counts)
        return {"": {key: total[key] for key in DISPUTE_COUNTS}}
    length = COUNTY_LENGTH if level == "county" else TOWNSHIP_LENGTH
    group = Substr("area", 1, length, output_field=CharField())
    return {row.pop("g").ljust(12, "0"): row for row in rows.values(g=group).annotate(**counts).order_by()}


def _heat(
    *,
    user: User,
    period: Period,
    region: Region | None,
    level: str,
    cells: list[AreaWeek],
    disputes: dict[str, dict[str, int]],
) -> list[HeatRow]:
    """One row per county (or township) of the view, from the area-week counts and the dispute groups. AreaDay's
    `registered` counts the appeals registered (see _region_weeks)."""
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
    window = _days(period.starts, period.ends - timedelta(days=1))
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


def _region_weeks(*, period: Period, region: Region | None, cells: list[AreaWeek]) -> list[Week]:
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
            registered_url=appeals_url(region=code, **_days(first, last)),
            assigned=None,
            resolved=resolved[monday],
            visits=visits[monday],
            visits_url=visits_url(region=code, **_days(first, last)),
        )
        for monday, first, last in _weeks_of(period)
    ]


def _unit_weeks(*, unit: Unit, period: Period) -> list[Week]:
    rows = _by_week(
        _between(UnitDay.objects.filter(unit=unit), period),
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


# --- campaigns and the unit's queue -------------------------------------------------------------------------


def _campaign_lines(
    *, user: User, running: list[Campaign], region: Region | None, unit: Unit | None
) -> list[CampaignLine]:
    """Per running campaign and metric: the targets of the units in view summed, and their achievement."""
    if not running:
        return []
    targets = Target.objects.filter(campaign__in=running, unit__in=units_visible_to(user))
    if region is not None:
        targets = targets.filter(unit__region__code__range=subtree_bounds(region.prefix))
    if unit is not None:
        targets = targets.filter(unit=unit)
    # One row per target (a few per unit): each target's achievement is a handful of probes of the tallies.
    sums: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in targets.annotate(achieved=target_achieved()).values(
        "campaign_id", "metric", "quantity", "achieved"
    ):
        entry = sums[(row["campaign_id"], row["metric"])]
        entry[0] += row["quantity"]
        entry[1] += row["achieved"]
    labels = dict(Metric.choices)
    coverage_region = unit.region_id if unit is not None else (region.code if region is not None else None)
    lines = []
    for campaign in running:
        for metric in Metric.values:
            if (campaign.pk, metric) not in sums:
                continue
            target, achieved = sums[(campaign.pk, metric)]
            lines.append(
                CampaignLine(
                    campaign_id=campaign.pk,
                    campaign=campaign.name,
                    metric=metric,
                    metric_label=str(labels[metric]),
                    target=target,
                    achieved=achieved,
                    url=_url("campaigns:detail", {}, campaign_id=campaign.pk),
                    coverage_url=_url(
                        "campaigns:coverage", {"region": coverage_region}, campaign_id=campaign.pk
                    ),
                )
            )
    return lines


QUEUE_STATES: dict[str, Any] = {
    TaskStatus.ASSIGNED.value: _("To accept"),
    TaskStatus.ACCEPTED.value: _("Working"),
}


def _queue(user: User, unit: Unit) -> list[Figure]:
    """The unit's open tasks by state, counted as the list's unit filter selects them."""
    visible = appeals_visible_to(user)
    return [
        Figure(
            state,
            str(label),
            appeals_filter(visible, AppealFilters(unit=unit.pk, task_status=state)).count(),
            appeals_url(unit=unit.pk, task=state),
        )
        for state, label in QUEUE_STATES.items()
    ]


# --- the JSON of the API and of the pages' charts ----------------------------------------------------------


def _figures(items: Iterable[Figure] | None) -> list[dict[str, Any]] | None:
    return None if items is None else [vars(f) for f in items]


def overview_json(overview: Overview) -> dict[str, Any]:
    """The overview as plain data: what GET /api/v1/dashboard answers and the pages' charts read."""
    region, unit = overview.region, overview.unit
    return {
        "period": {"starts": overview.period.starts, "ends": overview.period.ends},
        "region": {"code": region.code, "name": region.name} if region else None,
        "unit": {"id": unit.pk, "name": unit.name} if unit else None,
        "level": overview.level,
        "rates": [vars(r) for r in overview.rates],
        "counts": overview.counts,
        "appeals": vars(overview.appeals) if overview.appeals else None,
        "visits": vars(overview.visits) if overview.visits else None,
        "by_kind": _figures(overview.by_kind),
        "by_status": _figures(overview.by_status),
        "by_risk": _figures(overview.by_risk),
        "by_category": _figures(overview.by_category),
        "overdue": vars(overview.overdue),
        "overdue_items": [vars(item) for item in overview.overdue_items],
        "heat_level": overview.heat_level,
        "heat": [vars(row) for row in overview.heat],
        "weeks": [{**vars(week), "iso": week.iso} for week in overview.weeks],
        "campaigns": [vars(line) for line in overview.campaigns],
        "queue": _figures(overview.queue),
        "as_of": overview.as_of,
    }


__all__ = [
    "OVERVIEW_ROLES",
    "UNIT_ROLES",
    "CampaignLine",
    "Figure",
    "HeatRow",
    "OverdueItem",
    "Overview",
    "Rate",
    "Week",
    "access_dashboard",
    "appeals_url",
    "dashboard_overview",
    "dashboard_root",
    "dashboard_url",
    "days_overdue",
    "overdue_rows",
    "overview_json",
    "staff_units",
    "visits_url",
]
