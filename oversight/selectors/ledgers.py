"""Reads of the interview list, the rectification ledger and the good-practices library, with their filters.

Each list is newest first in an order that ends in `-id`, so it pages by keyset (core.pagination). The caller
passes the queryset of what the user may see (oversight.permissions); filters only narrow it.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from geo.models import Region, subtree_bounds
from org.models import User
from oversight.models import (
    RECTIFICATION_PENDING,
    GoodPractice,
    Interview,
    Rectification,
)
from oversight.permissions import practices_visible_to

INTERVIEW_ORDER = ("-held_on", "-id")
RECTIFICATION_ORDER = ("-created_at", "-id")
PRACTICE_ORDER = ("-period_starts", "-id")
# The ledger's status filter also takes "overdue": open or in progress past the due date.
OVERDUE = "overdue"


@dataclass(frozen=True)
class LedgerFilters:
    """`starts`/`ends` are days, both included: held on (interviews), recorded on (rectifications), or the
    practice's period overlapping them (practices)."""

    unit: int | None = None
    status: str | None = None
    source: str | None = None
    category: str | None = None
    starts: date | None = None
    ends: date | None = None


def _day_bounds(filters: LedgerFilters, field: str) -> Q:
    q = Q()
    if filters.starts:
        q &= Q(**{f"{field}__gte": filters.starts})
    if filters.ends:
        q &= Q(**{f"{field}__lte": filters.ends})
    return q


def interview_list(visible: QuerySet[Interview], filters: LedgerFilters) -> QuerySet[Interview]:
    rows = visible.select_related("unit", "created_by").filter(_day_bounds(filters, "held_on"))
    if filters.unit:
        rows = rows.filter(unit_id=filters.unit)
    if filters.status:
        rows = rows.filter(status=filters.status)
    return rows


def rectification_list(
    visible: QuerySet[Rectification], filters: LedgerFilters, *, today: date | None = None
) -> QuerySet[Rectification]:
    rows = visible.select_related("unit", "created_by", "interview").filter(
        _day_bounds(filters, "created_at__date")
    )
    if filters.unit:
        rows = rows.filter(unit_id=filters.unit)
    if filters.source:
        rows = rows.filter(source=filters.source)
    if filters.status == OVERDUE:
        rows = rows.filter(status__in=RECTIFICATION_PENDING, due__lt=today or timezone.localdate())
    elif filters.status:
        rows = rows.filter(status=filters.status)
    return rows


def practice_list(visible: QuerySet[GoodPractice], filters: LedgerFilters) -> QuerySet[GoodPractice]:
    rows = visible.select_related("unit", "category", "created_by")
    if filters.starts:
        rows = rows.filter(period_ends__gt=filters.starts)
    if filters.ends:
        rows = rows.filter(period_starts__lte=filters.ends)
    if filters.unit:
        rows = rows.filter(unit_id=filters.unit)
    if filters.status == "published":
        rows = rows.filter(is_published=True)
    elif filters.status == "draft":
        rows = rows.filter(is_published=False)
    if filters.category:
        # A level-1 category takes in its level-2 ones.
        rows = rows.filter(Q(category__code=filters.category) | Q(category__parent__code=filters.category))
    return rows


def practices_for(*, user: User, starts: date, ends: date, region: Region | None) -> QuerySet[GoodPractice]:
    """The published good practices the user may read whose period overlaps [starts, ends), of units in
    `region`'s subtree when one is given, oldest period first: what a notice for that period cites."""
    rows = practices_visible_to(user).filter(
        is_published=True, period_starts__lt=ends, period_ends__gt=starts
    )
    if region is not None:
        rows = rows.filter(unit__region__code__range=subtree_bounds(region.prefix))
    return rows.select_related("unit", "category").order_by("period_starts", "id")
