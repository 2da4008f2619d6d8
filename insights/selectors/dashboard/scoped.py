"""The counters' rows of a view: within the user's regions, the region asked for and the period."""

from typing import Any

from django.db.models import QuerySet

from core.period import Period
from geo.models import Region, subtree_bounds
from insights.models import (
    VisitDay,
)
from org.models import User
from org.permissions import user_scope

# Who sees the overview and the county views (DESIGN §1); unit staff see the view of their own unit.


def in_region(rows: QuerySet[Any], field: str, *, user: User, region: Region | None) -> QuerySet[Any]:
    rows = rows.filter(user_scope(user).region_q(field))
    if region is not None:
        rows = rows.filter(**{f"{field}__range": subtree_bounds(region.prefix)})
    return rows


def between(rows: QuerySet[Any], period: Period) -> QuerySet[Any]:
    return rows.filter(day__gte=period.starts, day__lt=period.ends)


def visit_rows(*, user: User, period: Period, region: Region | None) -> QuerySet[VisitDay]:
    return in_region(between(VisitDay.objects.all(), period), "area", user=user, region=region)
