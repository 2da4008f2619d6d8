"""Reads of the campaigns app: the visit list and campaign progress, computed in SQL."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from appeals.models import AppealKind
from campaigns.models import Campaign, Metric, Target, Visit, VisitProblem, VisitTally
from campaigns.permissions import visits_visible_to
from campaigns.selectors.spot_checks import UnitSpotChecks, unit_spot_checks
from geo.models import subtree_bounds
from org.models import Membership, User
from org.permissions import units_visible_to

VISIT_ORDER = ("-started_at", "-id")


@dataclass(frozen=True)
class VisitFilters:
    campaign: int | None = None
    visitor: int | None = None
    region: str | None = None
    started_from: datetime | None = None
    started_to: datetime | None = None


def visits_filter(visits: QuerySet[Visit], filters: VisitFilters) -> QuerySet[Visit]:
    if filters.campaign is not None:
        visits = visits.filter(campaign_id=filters.campaign)
    if filters.visitor is not None:
        visits = visits.filter(visitor_id=filters.visitor)
    if filters.region:
        visits = visits.filter(region__code__range=subtree_bounds(filters.region))
    if filters.started_from is not None:
        visits = visits.filter(started_at__gte=filters.started_from)
    if filters.started_to is not None:
        visits = visits.filter(started_at__lt=filters.started_to)
    return visits.select_related("visitor", "region", "enterprise").prefetch_related(
        "problems__appeal", "photos"
    )


@dataclass(frozen=True)
class Achieved:
    households: int
    villages: int
    enterprises: int
    disputes: int

    def of(self, metric: str) -> int:
        return int(getattr(self, metric))


@dataclass(frozen=True)
class UnitProgress:
    unit_id: int
    unit_name: str
    metric: str
    target: int
    achieved: int


@dataclass(frozen=True)
class Progress:
    campaign: Campaign
    scope: Achieved
    units: list[UnitProgress]
    # Call-back results (抽查回访) of the units the user sees: what a unit's figures are worth.
    spot_checks: list[UnitSpotChecks] = field(default_factory=list)


def _scalar(queryset: QuerySet, expression: Any, *, group: str) -> Coalesce:
    """A correlated subquery returning one aggregate over `queryset` (one group: `group` is fixed), else 0."""
    rows = queryset.order_by().values(group).annotate(v=expression).values("v")[:1]
    return Coalesce(Subquery(rows), Value(0), output_field=IntegerField())


def target_achieved() -> Case:
    """A Target row's achievement, in SQL: the campaign's visits by the members of the target's unit (households
    reached, distinct villages/communities, distinct enterprises), or the disputes raised on those visits.
    Read from the visitors' tallies (VisitTally, kept by the visit service), so a target costs a
    few index probes however many visits there are. Only the branch of the target's metric is evaluated."""
    members = Membership.objects.filter(unit=OuterRef(OuterRef("unit"))).values("user")
    tallies = VisitTally.objects.filter(campaign=OuterRef("campaign"), visitor__in=members)
    villages = Count("region", distinct=True, filter=Q(enterprise_id=0))
    enterprises = Count("enterprise_id", distinct=True, filter=~Q(enterprise_id=0))
    return Case(
        When(metric=Metric.HOUSEHOLDS, then=_scalar(tallies, Sum("households"), group="campaign")),
        When(metric=Metric.VILLAGES, then=_scalar(tallies, villages, group="campaign")),
        When(metric=Metric.ENTERPRISES, then=_scalar(tallies, enterprises, group="campaign")),
        When(metric=Metric.DISPUTES, then=_scalar(tallies, Sum("disputes"), group="campaign")),
        default=Value(0),
        output_field=IntegerField(),
    )


def campaign_progress(*, campaign: Campaign, user: User) -> Progress:
    """Targets against achieved for the units the user sees, and the totals of the visits in their scope.

    A unit's achievement counts the visits its members recorded; the scope totals count the visits whose place
    lies in the user's scope. Villages are distinct villages/communities visited, enterprises distinct
    enterprises, disputes the appeals of kind dispute raised on visits.
    """
    visits = visits_visible_to(user).filter(campaign=campaign)
    totals = visits.aggregate(
        households=Coalesce(Sum("households_reached"), 0),
        villages=Count("region", distinct=True, filter=Q(enterprise__isnull=True)),
        enterprises=Count("enterprise", distinct=True),
    )
    disputes = VisitProblem.objects.filter(visit__in=visits, appeal__kind=AppealKind.DISPUTE).count()
    targets = (
        Target.objects.filter(campaign=campaign, unit__in=units_visible_to(user))
        .select_related("unit")
        .annotate(achieved=target_achieved())
        .order_by("unit__name", "unit_id", "metric")
    )
    return Progress(
        campaign=campaign,
        scope=Achieved(
            households=totals["households"],
            villages=totals["villages"],
            enterprises=totals["enterprises"],
            disputes=disputes,
        ),
        units=[
            UnitProgress(
                unit_id=t.unit_id,
                unit_name=t.unit.name,
                metric=t.metric,
                target=t.quantity,
                achieved=t.achieved,
            )
            for t in targets
        ],
        spot_checks=unit_spot_checks(campaign=campaign, user=user),
    )
