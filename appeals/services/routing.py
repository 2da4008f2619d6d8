"""Routing: (category, region subtree) → unit kinds, resolved to the concrete units of the appeal's region."""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef

from appeals.models import Appeal, RoutingRule
from geo.models import ancestor_codes
from org.models import Membership, Unit
from org.permissions import UNIT_STAFF


@dataclass(frozen=True)
class RoutingSuggestion:
    lead: Unit | None
    co_units: list[Unit] = field(default_factory=list)
    rule: RoutingRule | None = None


def units_for_kinds(*, region_code: str, kinds: list[str]) -> dict[str, Unit]:
    """For each kind, the active unit of that kind nearest above the region (township before county) that has
    someone to work the item: a unit without an active handler or head is never proposed (DESIGN §5)."""
    ancestors = ancestor_codes(region_code)
    depth = {code: i for i, code in enumerate(ancestors)}
    found: dict[str, Unit] = {}
    staffed = Membership.objects.filter(unit=OuterRef("pk"), role__in=UNIT_STAFF, user__is_active=True)
    units = (
        Unit.objects.filter(kind__in=kinds, region_id__in=ancestors, is_active=True)
        .filter(Exists(staffed))
        .select_related("region")
    )
    for unit in sorted(units, key=lambda u: depth[u.region_id]):
        found.setdefault(unit.kind, unit)
    return found


def routing_rule_for(*, appeal: Appeal) -> RoutingRule | None:
    """The most specific active rule: the appeal's own category before its parent, then the longest prefix."""
    categories = [appeal.category_id] + ([appeal.category.parent_id] if appeal.category.parent_id else [])
    rules = [
        rule
        for rule in RoutingRule.objects.filter(category_id__in=categories, is_active=True)
        if appeal.region_id.startswith(rule.region_prefix)
    ]
    if not rules:
        return None
    return min(rules, key=lambda r: (categories.index(r.category_id), -len(r.region_prefix)))


def routing_suggest(*, appeal: Appeal) -> RoutingSuggestion:
    """The units the rules point to for this appeal; the dispatcher decides."""
    rule = routing_rule_for(appeal=appeal)
    if rule is None:
        return RoutingSuggestion(lead=None)
    kinds = [rule.lead_kind, *rule.co_kinds]
    units = units_for_kinds(region_code=appeal.region_id, kinds=kinds)
    lead = units.get(rule.lead_kind)
    co_units = [units[k] for k in rule.co_kinds if k in units and units[k] != lead]
    return RoutingSuggestion(lead=lead, co_units=co_units, rule=rule)
