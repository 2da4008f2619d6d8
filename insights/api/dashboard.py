"""The dashboard API: GET /api/v1/dashboard, the figures of the leader's, county and unit views in one JSON."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from core.api import responses
from core.period import period_or_default
from insights.permissions import access_dashboard
from insights.schemas import DashboardOut, SummaryQuery
from insights.selectors.dashboard import dashboard_overview, overview_json
from org.auth import api_user

router = Router(tags=["insights"])


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
    period = period_or_default(starts=filters.starts, ends=filters.ends)
    return overview_json(dashboard_overview(user=user, period=period, region=region, unit=unit))
