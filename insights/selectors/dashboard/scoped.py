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


def in_region(rows: QuerySet[Any], field: str, *, user: User, region: Region | None) -> QuerySet[Any]:
    """Visit counters within the user's regions (every unit sees the visits of its subtree) and the region."""
    rows = rows.filter(user_scope(user).region_q(field))
    return _within(rows, field, region)


def in_territory(rows: QuerySet[Any], field: str, *, user: User, region: Region | None) -> QuerySet[Any]:
    """Appeal counters within the user's territory (DESIGN §4: a functional department's appeals are not
    an area's, so the area counters answer only for territorial units, as appeals_visible_to does)."""
    rows = rows.filter(user_scope(user).territory_q(field))
    return _within(rows, field, region)


def _within(rows: QuerySet[Any], field: str, region: Region | None) -> QuerySet[Any]:
    if region is not None:
        rows = rows.filter(**{f"{field}__range": subtree_bounds(region.prefix)})
    return rows


def between(rows: QuerySet[Any], period: Period) -> QuerySet[Any]:
    return rows.filter(day__gte=period.starts, day__lt=period.ends)


def visit_rows(*, user: User, period: Period, region: Region | None) -> QuerySet[VisitDay]:
    return in_region(between(VisitDay.objects.all(), period), "area", user=user, region=region)
