"""Reads of units and people."""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet

from geo.models import subtree_bounds
from org.models import Membership, Unit, User
from org.permissions import UNIT_STAFF


def units_filter(
    units: QuerySet[Unit],
    *,
    kind: str | None = None,
    level: str | None = None,
    region: str | None = None,
    q: str | None = None,
) -> QuerySet[Unit]:
    """Narrow a (scoped) unit queryset; `region` is a code prefix whose subtree the unit's region lies in."""
    if kind:
        units = units.filter(kind=kind)
    if level:
        units = units.filter(level=level)
    if region:
        units = units.filter(region__code__range=subtree_bounds(region))
    if q:
        units = units.filter(name__contains=q)
    return units.select_related("region")


def user_memberships(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, unit__is_active=True).select_related("unit", "unit__region")


def units_without_staff(unit_ids: Iterable[int]) -> list[Unit]:
    """Those of these units in which no active person works appeals (no handler or unit head): an item given
    to one would wait for ever, so routing never proposes them and assigning to one warns."""
    staffed = Membership.objects.filter(unit=OuterRef("pk"), role__in=UNIT_STAFF, user__is_active=True)
    return list(Unit.objects.filter(pk__in=list(unit_ids)).exclude(Exists(staffed)).order_by("name"))
