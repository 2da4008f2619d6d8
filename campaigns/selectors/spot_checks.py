"""Reads of spot-checks (抽查回访): who sees which, each check's results, and a unit's figures, all in SQL.

A spot-check is visible where its unit's region lies in the user's scope, to the roles that oversee visits.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from campaigns.models import Campaign, SpotCheck, SpotCheckItem, SpotCheckOutcome, Target, VisitTally
from geo.models import subtree_bounds
from org.models import Membership, Role, Unit, User
from org.permissions import units_visible_to, user_scope

SPOT_CHECK_ORDER = ("-created_at", "-id")

_CALLED = ~Q(items__outcome=SpotCheckOutcome.PENDING)


def with_results(checks: QuerySet[SpotCheck]) -> QuerySet[SpotCheck]:
    """Each check with `sampled`, `called`, `confirmed`, `denied`, `unreachable` counted in SQL."""
    return checks.annotate(
        sampled=Count("items"),
        called=Count("items", filter=_CALLED),
        confirmed=Count("items", filter=Q(items__outcome=SpotCheckOutcome.CONFIRMED)),
        denied=Count("items", filter=Q(items__outcome=SpotCheckOutcome.DENIED)),
        unreachable=Count("items", filter=Q(items__outcome=SpotCheckOutcome.UNREACHABLE)),
    ).select_related("campaign", "unit", "drawn_by")


def confirmation_rate(confirmed: int, denied: int) -> float | None:
    """Confirmed ÷ calls that reached a household (confirmed + denied); None before any call got through."""
    reached = confirmed + denied
    return confirmed / reached if reached else None


SPOT_CHECK_ITEM_ORDER = ("visit__started_at", "id")


def spot_check_items(spot_check: SpotCheck) -> QuerySet[SpotCheckItem]:
    """The sampled visits, the oldest visit first."""
    return spot_check.items.select_related(
        "visit__region__parent", "visit__visitor", "visit__enterprise", "checked_by"
    ).order_by(*SPOT_CHECK_ITEM_ORDER)


def spot_check_results(spot_check: SpotCheck) -> dict[str, int]:
    """`sampled`, `called`, `confirmed`, `denied`, `unreachable` of one check, in one aggregate."""
    return spot_check.items.aggregate(
        sampled=Count("id"),
        called=Count("id", filter=~Q(outcome=SpotCheckOutcome.PENDING)),
        confirmed=Count("id", filter=Q(outcome=SpotCheckOutcome.CONFIRMED)),
        denied=Count("id", filter=Q(outcome=SpotCheckOutcome.DENIED)),
        unreachable=Count("id", filter=Q(outcome=SpotCheckOutcome.UNREACHABLE)),
    )


def drawable_units(user: User, campaign: Campaign) -> QuerySet[Unit]:
    """Units in the regions where the user checks (supervisor, admin) that have targets or visits in the campaign."""
    scope = user_scope(user)
    units = Unit.objects.filter(is_active=True)
    if not scope.everything:
        prefixes = {g.prefix for g in scope.grants if g.role in (Role.SUPERVISOR, Role.ADMIN)}
        units = units.filter(
            reduce(or_, (Q(region__code__range=subtree_bounds(p)) for p in prefixes), Q(pk__in=[]))
        )
    # The visitors' tallies, not the visits: a member's tally in the campaign is one seek in visittally_key.
    members = Membership.objects.filter(unit=OuterRef(OuterRef("pk"))).values("user")
    has_visits = Exists(VisitTally.objects.filter(campaign=campaign, visitor__in=members))
    has_targets = Exists(Target.objects.filter(campaign=campaign, unit=OuterRef("pk")))
    return units.filter(has_targets | has_visits).order_by("name", "id")


@dataclass(frozen=True)
class UnitSpotChecks:
    """A unit's call-back results in a campaign: visits sampled, calls made and what the households said."""

    unit_id: int
    unit_name: str
    sampled: int
    called: int
    confirmed: int
    denied: int
    unreachable: int

    @property
    def confirmation_rate(self) -> float | None:
        return confirmation_rate(self.confirmed, self.denied)


def unit_spot_checks(*, campaign: Campaign, user: User) -> list[UnitSpotChecks]:
    """The spot-check figures of each unit the user sees that was checked in the campaign, one SQL query."""
    rows = (
        SpotCheckItem.objects.filter(
            spot_check__campaign=campaign, spot_check__unit__in=units_visible_to(user)
        )
        .values("spot_check__unit_id", "spot_check__unit__name")
        .annotate(
            sampled=Count("visit", distinct=True),
            called=Count("id", filter=~Q(outcome=SpotCheckOutcome.PENDING)),
            confirmed=Count("id", filter=Q(outcome=SpotCheckOutcome.CONFIRMED)),
            denied=Count("id", filter=Q(outcome=SpotCheckOutcome.DENIED)),
            unreachable=Count("id", filter=Q(outcome=SpotCheckOutcome.UNREACHABLE)),
        )
        .order_by("spot_check__unit__name", "spot_check__unit_id")
    )
    return [
        UnitSpotChecks(
            unit_id=r["spot_check__unit_id"],
            unit_name=r["spot_check__unit__name"],
            sampled=r["sampled"],
            called=r["called"],
            confirmed=r["confirmed"],
            denied=r["denied"],
            unreachable=r["unreachable"],
        )
        for r in rows
    ]
