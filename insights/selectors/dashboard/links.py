"""Links to the lists behind the numbers, with the filters those lists apply."""

from datetime import date
from typing import Any

from django.urls import reverse

from core.period import Period
from core.web import url_with_query
from geo.models import Region
from org.models import Unit


def list_url(name: str, params: dict[str, Any], **kwargs: Any) -> str:
    return url_with_query(reverse(name, kwargs=kwargs or None), params)


def list_days(starts: date, last: date) -> dict[str, str]:
    """The lists take both days inclusive (the counters' period is [starts, ends))."""
    return {"from": starts.isoformat(), "to": last.isoformat()}


def appeals_url(**params: Any) -> str:
    """The appeals list (appeals.views.lists) with these filters."""
    return list_url("appeals:list", params)


def visits_url(**params: Any) -> str:
    return list_url("campaigns:ledger", params)


def dashboard_url(
    region: Region | None = None, *, unit: Unit | None = None, period: Period | None = None
) -> str:
    """The page of a county, township or unit dashboard over the period."""
    params = {"from": period.starts.isoformat(), "to": period.ends.isoformat()} if period else {}
    if unit is not None:
        return list_url("insights:unit", params, unit_id=unit.pk)
    if region is None or region.level < Region.Level.COUNTY:
        return list_url("insights:overview", params)
    name = "insights:county" if region.level == Region.Level.COUNTY else "insights:township"
    return list_url(name, params, code=region.code)
