"""The dashboard API: GET /api/v1/dashboard, the figures of the leader's, county and unit views in one JSON."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from core.api import responses
from insights.api import default_period
from insights.schemas import PeriodOut, RegionRef, SummaryQuery, UnitRef
from insights.selectors.dashboard import access_dashboard, dashboard_overview, overview_json
from org.auth import api_user

router = Router(tags=["insights"])


class FigureOut(Schema):
    key: str
    label: str
    value: int
    url: str | None = Field(..., description="the list behind the number, with its filters")


class RateOut(Schema):
    key: str
    label: str
    definition: str = Field(..., description="to show beside the number")
    value: float | None = Field(..., description="0–1; null when its denominator is 0")
    url: str | None = Field(..., description="the page that breaks the rate down")


class HeatRowOut(Schema):
    code: str
    name: str
    appeals: int = Field(..., description="appeals registered in the period")
    appeals_url: str
    visits: int = Field(..., description="visits started in the period")
    visits_url: str
    rates: dict[str, float | None]
    url: str = Field(..., description="the area's own dashboard")


class OverdueItemOut(Schema):
    id: int
    code: str
    title: str
    lead_unit: str | None
    resolve_due: datetime
    days_overdue: int = Field(..., description="whole days past the resolve deadline")
    url: str


class WeekOut(Schema):
    iso: str = Field(..., description="ISO week, e.g. 2025-W10")
    starts: date = Field(..., description="first day of the week within the period")
    ends: date = Field(..., description="last day of the week within the period (inclusive)")
    registered: int | None = Field(..., description="appeals registered (region views)")
    registered_url: str | None
    assigned: int | None = Field(..., description="assignments received (the unit view)")
    resolved: int = Field(..., description="resolutions, by a unit or on site")
    visits: int | None
    visits_url: str | None


class CampaignLineOut(Schema):
    campaign_id: int
    campaign: str
    metric: str
    metric_label: str
    target: int = Field(..., description="the targets of the units in view, summed")
    achieved: int
    url: str
    coverage_url: str


class DashboardOut(Schema):
    period: PeriodOut
    region: RegionRef | None
    unit: UnitRef | None
    level: str = Field(..., description="prefecture, county, township or unit")
    rates: list[RateOut]
    counts: dict[str, int] = Field(..., description="the numerators and denominators behind the rates")
    appeals: FigureOut | None = Field(..., description="appeals registered in the period (region views)")
    visits: FigureOut | None
    by_kind: list[FigureOut] | None = Field(..., description="null below county level")
    by_status: list[FigureOut] | None = Field(..., description="current status; null below county level")
    by_risk: list[FigureOut] | None = Field(
        ..., description="disputes by risk colour; null below county level"
    )
    by_category: list[FigureOut] | None = Field(..., description="the top ten categories, then other")
    overdue: FigureOut = Field(..., description="items past their resolve deadline now")
    overdue_items: list[OverdueItemOut] = Field(..., description="the ten most overdue")
    heat_level: str | None = Field(..., description="county or township: what the heat rows are")
    heat: list[HeatRowOut]
    weeks: list[WeekOut]
    campaigns: list[CampaignLineOut] = Field(..., description="running campaigns' targets against achieved")
    queue: list[FigureOut] | None = Field(..., description="the unit view: open tasks by state")
    as_of: datetime | None = Field(..., description="when the counters last caught up with the events")


@router.get(
    "/dashboard",
    response=responses(DashboardOut, 403, 404),
    by_alias=True,
    summary="The dashboard of a region (default: the user's scope) or of a unit, every number with its list",
)
def get_dashboard(request: HttpRequest, filters: Query[SummaryQuery]) -> dict[str, Any]:
    """Leaders, supervisors, admins and dispatchers see their scope's regions and units; handlers and unit
    heads their own units; 403 for anyone else. 404 alike for a region or unit missing or out of scope, 422
    for a bad period, a village, or a region and a unit together."""
    user = api_user(request)
    region, unit = access_dashboard(user, region_code=filters.region, unit_id=filters.unit)
    period = default_period(filters.starts, filters.ends)
    return overview_json(dashboard_overview(user=user, period=period, region=region, unit=unit))
