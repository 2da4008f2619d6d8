"""The dashboards: the leader's overview, a county's or township's view, a unit's view; each with a period
picker, charts drawn by static/js/dashboard.js from the page's JSON, numbers that open their lists, and its
tables (areas, overdue items) as Excel."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import Forbidden, NotFound
from core.exports import EXPORT_CHUNK, xlsx_response
from core.period import PRESETS, Period, percent, period_from_request
from core.web import query_string, request_user, url_with_query
from geo.models import Region
from insights.permissions import access_dashboard, may_see_overview, staff_units
from insights.selectors.dashboard import (
    HEAT_RATES,
    Overview,
    dashboard_overview,
    dashboard_root,
    dashboard_url,
    days_overdue,
    overdue_rows,
    overview_json,
)
from insights.selectors.hotmap import hot_map
from insights.selectors.metrics import DEFINITIONS
from insights.selectors.rankings import INVERSE, THRESHOLDS, RankingRow, rankings
from org.models import Unit, UnitLevel, User
from org.permissions import regions_visible_to
from text.redact import redact

# The presets of the dashboards' period picker.
PICKER = ("this_month", "last_month", "this_quarter", "this_year")
SERIES: dict[str, Promise] = {
    "registered": _("Appeals registered"),
    "assigned": _("Assignments received"),
    "resolved": _("Resolutions"),
    "visits": _("Visits"),
}


# --- presentation helpers -----------------------------------------------------------------------------------


def heat_class(key: str, value: float | None) -> str:
    """good, fair or poor against the line the notices print (insights.selectors.rankings.THRESHOLDS)."""
    if value is None:
        return "heat-none"
    line = THRESHOLDS.get(key, 0.8)
    if key in INVERSE:
        return "heat-good" if value <= line / 2 else "heat-fair" if value <= line else "heat-poor"
    return "heat-good" if value >= min(1.0, line + 0.1) else "heat-fair" if value >= line else "heat-poor"


@dataclass(frozen=True)
class HeatCell:
    text: str
    css: str


def _period(request: HttpRequest) -> tuple[Period, str]:
    period, preset = period_from_request(request)
    return period, preset if preset in PICKER else "custom"


def _window(period: Period) -> dict[str, str]:
    return {"from": period.starts.isoformat(), "to": period.ends.isoformat()}


def _common(overview: Overview, preset: str) -> dict[str, Any]:
    period = overview.period
    as_of = timezone.localtime(overview.as_of) if overview.as_of else None
    return {
        "overview": overview,
        "period": period,
        "last_day": period.ends - timedelta(days=1),
        "preset": preset,
        "presets": [(key, PRESETS[key], query_string({"period": key})) for key in PICKER],
        "rates": [(rate, percent(rate.value), heat_class(rate.key, rate.value)) for rate in overview.rates],
        "as_of": as_of,
        "as_of_today": as_of is not None and as_of.date() == timezone.localdate(),
        "export_overdue": query_string({**_window(period), "export": "overdue"}),
        "chart_data": {**overview_json(overview), "series": {k: str(v) for k, v in SERIES.items()}},
        "definitions": [(str(d.label), str(d.text)) for d in DEFINITIONS.values()],
    }


# --- the overview and the area views ------------------------------------------------------------------------


@login_required
def overview(request: HttpRequest) -> HttpResponseBase:
    """The leader's overview: the prefecture, or the user's scope; unit staff are sent to their unit's view."""
    user = request_user(request)
    if not may_see_overview(user):
        units = staff_units(user)
        if units:
            return redirect(url_with_query(dashboard_url(unit=units[0]), list(request.GET.items())))
        raise Forbidden(gettext("Dashboards are for leaders, supervisors, dispatchers and unit staff."))
    return _area_page(request, user, code=None, level=None)


@login_required
def county(request: HttpRequest, code: str) -> HttpResponseBase:
    return _area_page(request, request_user(request), code=code, level=Region.Level.COUNTY)


@login_required
def township(request: HttpRequest, code: str) -> HttpResponseBase:
    return _area_page(request, request_user(request), code=code, level=Region.Level.TOWNSHIP)


def _area_page(request: HttpRequest, user: User, *, code: str | None, level: int | None) -> HttpResponseBase:
    region, _unit = access_dashboard(user, region_code=code)
    if level is not None and (region is None or region.level != level):
        raise NotFound(gettext("No such county or township."))
    period, preset = _period(request)
    export = request.GET.get("export")
    if export == "overdue":
        return _overdue_export(request, user, period=period, region=region, unit=None)
    result = dashboard_overview(user=user, period=period, region=region, unit=None)
    if export == "heat":
        return _heat_export(request, user, result)
    max_appeals = max((row.appeals for row in result.heat), default=0)
    context = {
        **_common(result, preset),
        "title": region.name if region is not None else gettext("All regions in my scope"),
        "trail": _trail(user, region, period),
        "heat_labels": [(key, DEFINITIONS[key].label) for key in HEAT_RATES],
        "heat_rows": [
            (
                row,
                f"{row.appeals / max_appeals:.2f}" if max_appeals else "0",
                [HeatCell(percent(row.rates[k]), heat_class(k, row.rates[k])) for k in HEAT_RATES],
            )
            for row in result.heat
        ],
        "export_heat": query_string({**_window(period), "export": "heat"}),
        "hot_map": hot_map(user=user, period=period, region=region),
    }
    return render(request, "insights/dashboard.html", context)


def _trail(user: User, region: Region | None, period: Period) -> list[tuple[str, str]]:
    """The views above this one that the user may open: the overview, then the county of a township."""
    root = dashboard_root(user)
    if region is None or (root is not None and root.code == region.code):
        return []
    trail = [(gettext("Overview"), dashboard_url(None, period=period))]
    parent = region.parent
    if (
        region.level == Region.Level.TOWNSHIP
        and parent is not None
        and (root is None or root.level < Region.Level.COUNTY)
        and regions_visible_to(user).filter(pk=parent.code).exists()
    ):
        trail.append((parent.name, dashboard_url(parent, period=period)))
    return trail


# --- the unit view ------------------------------------------------------------------------------------------


@login_required
def unit(request: HttpRequest, unit_id: int) -> HttpResponseBase:
    """A unit's rates, open tasks, overdue items and rank, for unit staff (their own units) and overseers."""
    user = request_user(request)
    _region, the_unit = access_dashboard(user, unit_id=unit_id)
    assert the_unit is not None  # access_dashboard answers a unit when asked for one
    period, preset = _period(request)
    if request.GET.get("export") == "overdue":
        return _overdue_export(request, user, period=period, region=None, unit=the_unit)
    result = dashboard_overview(user=user, period=period, region=None, unit=the_unit)
    rank, ranked = unit_rank(user=user, unit=the_unit, period=period)
    mine = staff_units(user)
    context = {
        **_common(result, preset),
        "unit": the_unit,
        "rank": rank,
        "ranked": ranked,
        "own_units": [(u, dashboard_url(unit=u, period=period)) for u in mine] if len(mine) > 1 else [],
        "queue_url": url_with_query(reverse("appeals:unit"), {"unit": the_unit.pk})
        if the_unit in mine
        else None,
        "overview_url": dashboard_url(None, period=period) if may_see_overview(user) else None,
    }
    return render(request, "insights/dashboard_unit.html", context)


def unit_rank(*, user: User, unit: Unit, period: Period) -> tuple[RankingRow | None, int]:
    """The unit's row in its league (departments; a township government ranks as its township) among those the
    user sees, and how many are ranked; (None, 0) for a unit in no league."""
    if unit.level in (UnitLevel.PREFECTURE, UnitLevel.COUNTY):
        league, key = "department", str(unit.pk)
    elif unit.level == UnitLevel.TOWNSHIP:
        league, key = "township", unit.region_id[:9].ljust(12, "0")
    else:
        return None, 0
    ranking = rankings(user=user, league=league, period=period)
    row = next((r for r in ranking.rows if r.key == key), None)
    return row, sum(1 for r in ranking.rows if r.rank is not None)


# --- exports ------------------------------------------------------------------------------------------------


def _span(period: Period) -> str:
    return f"{period.starts:%Y%m%d}-{period.ends - timedelta(days=1):%Y%m%d}"


def _heat_export(request: HttpRequest, user: User, result: Overview) -> HttpResponseBase:
    area = gettext("County") if result.heat_level == "county" else gettext("Township")
    headers = [
        area,
        gettext("Region code"),
        gettext("Appeals registered"),
        gettext("Visits"),
        *[str(DEFINITIONS[key].label) for key in HEAT_RATES],
    ]
    rows = (
        [row.name, row.code, row.appeals, row.visits, *[percent(row.rates[k]) for k in HEAT_RATES]]
        for row in result.heat
    )
    name = result.region.name if result.region else gettext("All regions")
    return xlsx_response(
        rows=rows,
        headers=headers,
        filename=f"看板-{name}-分区统计-{_span(result.period)}.xlsx",
        sheet=area,
        actor=user,
        request=request,
        what="dashboard_areas",
        filters={"region": result.region.code if result.region else None, **_window(result.period)},
        widths=(18, 14, 10, 10, *[12] * len(HEAT_RATES)),
    )


def _overdue_export(
    request: HttpRequest, user: User, *, period: Period, region: Region | None, unit: Unit | None
) -> HttpResponseBase:
    """Every item overdue now in the view (the page shows the ten most overdue), most overdue first."""
    now = timezone.now()
    rows = overdue_rows(user, region=region, unit=unit)

    def lines() -> Any:
        for appeal in rows.iterator(chunk_size=EXPORT_CHUNK):
            yield [
                appeal.code,
                redact(appeal.title),
                appeal.lead_unit.name if appeal.lead_unit else "",
                appeal.resolve_due,
                days_overdue(appeal.resolve_due, now),  # type: ignore[arg-type]
            ]

    name = unit.name if unit else region.name if region else gettext("All regions")
    return xlsx_response(
        rows=lines(),
        headers=[
            gettext("Tracking code"),
            gettext("Title"),
            gettext("Lead unit"),
            gettext("Resolve due"),
            gettext("Days overdue"),
        ],
        filename=f"看板-{name}-超期事项-{timezone.localdate():%Y%m%d}.xlsx",
        sheet=gettext("Overdue"),
        actor=user,
        request=request,
        what="dashboard_overdue",
        filters={"region": region.code if region else None, "unit": unit.pk if unit else None},
        widths=(18, 40, 24, 17, 10),
    )


__all__ = ["county", "overview", "township", "unit", "unit_rank"]
