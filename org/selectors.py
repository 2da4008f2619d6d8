"""Reads of units and people."""

from django.db.models import QuerySet

from geo.models import subtree_bounds
from org.models import Membership, Unit, User


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
