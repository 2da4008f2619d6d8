"""Reads of the campaigns app: the visit list and campaign progress, computed in SQL."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from appeals.models import AppealKind
from campaigns.models import Campaign, Metric, Target, Visit, VisitProblem, VisitTally
from campaigns.selectors.spot_checks import UnitSpotChecks, unit_spot_checks
from geo.models import subtree_bounds
from org.models import Membership, User
from org.permissions import units_visible_to, user_scope

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


TARGET_ORDER = ("unit__name", "unit_id", "metric")


def targets_achieved(*, campaign: Campaign, user: User) -> QuerySet[Target]:
    """The targets of the units the user sees, each with `achieved` (target_achieved), in TARGET_ORDER: the
    plan page reads it in keyset pages, campaign_progress whole."""
    return (
        Target.objects.filter(campaign=campaign, unit__in=units_visible_to(user))
        .select_related("unit")
        .annotate(achieved=target_achieved())
        .order_by(*TARGET_ORDER)
    )


def unit_progress(target: Target) -> UnitProgress:
    achieved: int = getattr(target, "achieved", 0)
    return UnitProgress(
        unit_id=target.unit_id,
        unit_name=target.unit.name,
        metric=target.metric,
        target=target.quantity,
        achieved=achieved,
    )


def scope_achieved(*, campaign: Campaign, user: User) -> Achieved:
    """What the visits whose place lies in the user's scope achieved, summed from the visitors' tallies (a
    tally's region is its visits' place): households, distinct villages/communities, distinct enterprises; and
    the disputes raised on them, counted on the appeals' current kind (a reclassified one follows)."""
    scope = user_scope(user)
    totals = VisitTally.objects.filter(scope.region_q("region__code"), campaign=campaign).aggregate(
        households=Coalesce(Sum("households"), 0),
        villages=Count("region", distinct=True, filter=Q(enterprise_id=0)),
        enterprises=Count("enterprise_id", distinct=True, filter=~Q(enterprise_id=0)),
    )
    disputes = VisitProblem.objects.filter(
        scope.region_q("visit__region__code"), visit__campaign=campaign, appeal__kind=AppealKind.DISPUTE
    ).count()
    return Achieved(
        households=totals["households"],
        villages=totals["villages"],
        enterprises=totals["enterprises"],
        disputes=disputes,
    )


def campaign_progress(*, campaign: Campaign, user: User, with_units: bool = True) -> Progress:
    """Targets against achieved for the units the user sees, and the totals of the visits in their scope.

    A unit's achievement counts the visits its members recorded; the scope totals count the visits whose place
    lies in the user's scope. Villages are distinct villages/communities visited, enterprises distinct
    enterprises, disputes the appeals of kind dispute raised on visits.
    """
    units = [unit_progress(t) for t in targets_achieved(campaign=campaign, user=user)] if with_units else []
    return Progress(
        campaign=campaign,
        scope=scope_achieved(campaign=campaign, user=user),
        units=units,
        spot_checks=unit_spot_checks(campaign=campaign, user=user),
    )
