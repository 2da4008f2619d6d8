"""Reads of the region tree."""

from django.db.models import Q, QuerySet

from geo.models import Region, subtree_bounds


def regions_filter(
    regions: QuerySet[Region],
    *,
    parent: str | None = None,
    level: int | None = None,
    within: str | None = None,
    q: str | None = None,
) -> QuerySet[Region]:
    """Narrow a (scoped) region queryset by parent, level, subtree prefix and name."""
    if parent:
        regions = regions.filter(parent_id=parent)
    if level:
        regions = regions.filter(level=level)
    if within:
        regions = regions.filter(code__range=subtree_bounds(within))
    if q:
        regions = regions.filter(Q(name__contains=q) | Q(code__startswith=q))
    return regions
