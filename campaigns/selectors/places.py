"""Reads of the campaigns app: the places a cadre answers for (包保), shown first in the field app."""

from dataclasses import dataclass

from django.db.models import QuerySet

from campaigns.models import Enterprise, Responsibility
from geo.models import Region
from org.models import User


@dataclass(frozen=True)
class MyPlaces:
    """Villages/communities (with their township as `parent`) and enterprises (with their region and its
    township), each once however many active campaigns assign it."""

    villages: QuerySet[Region]
    enterprises: QuerySet[Enterprise]


def places_of(*, user: User) -> MyPlaces:
    """The user's responsibilities in active campaigns."""
    mine = Responsibility.objects.filter(visitor=user, campaign__is_active=True)
    return MyPlaces(
        villages=Region.objects.filter(pk__in=mine.filter(region__isnull=False).values("region"))
        .select_related("parent")
        .order_by("code"),
        enterprises=Enterprise.objects.filter(
            is_active=True, pk__in=mine.filter(enterprise__isnull=False).values("enterprise")
        )
        .select_related("region__parent")
        .order_by("region_id", "name", "id"),
    )
