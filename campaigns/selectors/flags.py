"""Reads of the plausibility flags: the flagged visits a supervisor sees, and each reason in words."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext

from campaigns.models import FlagKind, Visit, VisitFlag
from geo.models import subtree_bounds

FLAG_ORDER = ("-started_at", "-id")


@dataclass(frozen=True)
class FlagFilters:
    kind: str | None = None
    region: str | None = None
    campaign: int | None = None


def flagged_visits(visits: QuerySet[Visit], filters: FlagFilters) -> QuerySet[Visit]:
    """The flagged ones among `visits`, with their flags; order by FLAG_ORDER (partial indexes on `flagged`)."""
    visits = visits.filter(flagged=True)
    if filters.kind:
        visits = visits.filter(Exists(VisitFlag.objects.filter(visit=OuterRef("pk"), kind=filters.kind)))
    if filters.region:
        visits = visits.filter(region__code__range=subtree_bounds(filters.region))
    if filters.campaign is not None:
        visits = visits.filter(campaign_id=filters.campaign)
    return visits.select_related("visitor", "region__parent", "enterprise").prefetch_related(
        Prefetch("flags", queryset=VisitFlag.objects.order_by("kind"))
    )


def _ids(values: object) -> str:
    return "、".join(f"#{v}" for v in values) if isinstance(values, list) else ""


def flag_reason(flag: VisitFlag) -> str:
    """The flag's reason with its figures, as a supervisor reads it."""
    d = flag.details if isinstance(flag.details, dict) else {}
    try:
        if flag.kind == FlagKind.BURST:
            return gettext(
                "%(count)s visits by the same visitor within %(minutes)s minutes (also %(ids)s)"
            ) % {
                "count": d["count"],
                "minutes": d["minutes"],
                "ids": _ids(d["visits"]),
            }
        if flag.kind == FlagKind.IMPOSSIBLE_TRAVEL:
            if d["kmh"] is None:
                return gettext("%(km)s km from visit #%(visit)s at the same moment") % d
            return gettext("%(km)s km from visit #%(visit)s in %(minutes)s minutes: %(kmh)s km/h") % d
        if flag.kind == FlagKind.FAR_FROM_TOWNSHIP:
            if d["reference"] == "seat":
                return gettext("%(km)s km from the seat of %(township_name)s") % d
            return gettext("%(km)s km from the centre of %(visits)s located visits in %(township_name)s") % d
        if flag.kind == FlagKind.COPIED_NOTES:
            return gettext("The same notes appear on %(count)s visits (also %(ids)s)") % {
                "count": d["count"],
                "ids": _ids(d["visits"]),
            }
    except (KeyError, TypeError):
        pass
    return str(flag.get_kind_display())
