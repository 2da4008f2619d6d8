"""The insights API (DESIGN §10): the metrics of DESIGN §6 over a period, a region and a unit."""

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from core.api import responses
from insights.schemas import SummaryOut, SummaryQuery
from insights.selectors import DEFINITIONS, metrics_summary, period_between
from org.auth import api_user
from org.permissions import access_region, access_unit

router = Router(tags=["insights"])


@router.get(
    "/metrics/summary",
    response=responses(SummaryOut, 404),
    by_alias=True,
    summary="The metrics of DESIGN §6, with their counts and definitions",
)
def get_summary(request: HttpRequest, filters: Query[SummaryQuery]) -> dict[str, Any]:
    """Over what the user may see. 422 for a period of less than a day or more than three years or a malformed
    region code; 404 alike for a region or unit that does not exist or lies outside the user's scope."""
    user = api_user(request)
    today = timezone.localdate()
    period = period_between(
        starts=filters.starts or today.replace(day=1), ends=filters.ends or today + timedelta(days=1)
    )
    region = access_region(user, filters.region) if filters.region else None
    unit = access_unit(user, filters.unit) if filters.unit is not None else None
    summary = metrics_summary(user=user, period=period, region=region, unit=unit)
    return {
        "period": {"starts": period.starts, "ends": period.ends},
        "region": {"code": region.code, "name": region.name} if region else None,
        "unit": {"id": unit.pk, "name": unit.name} if unit else None,
        **summary.rates,
        "counts": summary.counts,
        "labels": {key: str(d.label) for key, d in DEFINITIONS.items()},
        "definitions": {key: str(d.text) for key, d in DEFINITIONS.items()},
    }
