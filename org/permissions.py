"""The data-scope rule of DESIGN §4, implemented once.

A user sees records whose region lies in the region subtree of one of their units, plus records assigned to
one of their units. Every list, detail, export and endpoint obtains its objects through these functions, and
answers "absent" and "outside your scope" with the same 404.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q, QuerySet

from core.errors import Forbidden, NotFound
from geo.models import Region, code_prefix, subtree_bounds
from org.models import Membership, Role, Unit, User

# The staff of a unit that works appeals: its handlers and its head.
UNIT_STAFF = (Role.HANDLER, Role.UNIT_HEAD)


@dataclass(frozen=True)
class Grant:
    """One membership as the scope rule sees it: a role held in a unit whose region subtree is `prefix`."""

    unit_id: int
    role: str
    prefix: str


@dataclass(frozen=True)
class Scope:
    everything: bool
    prefixes: tuple[str, ...]
    unit_ids: frozenset[int]
    roles: frozenset[str]
    grants: tuple[Grant, ...] = ()

    def holds(self, *roles: str) -> bool:
        """Whether one of these roles is held anywhere (a superuser holds them all)."""
        return self.everything or bool(self.roles.intersection(roles))

    def covers(self, region_code: str, *roles: str) -> bool:
        """Whether one of these roles is held in a unit whose region subtree holds `region_code`."""
        if self.everything:
            return True
        return any(g.role in roles and region_code.startswith(g.prefix) for g in self.grants)

    def units_with(self, *roles: str) -> frozenset[int]:
        """The units in which the user holds one of these roles."""
        return frozenset(g.unit_id for g in self.grants if g.role in roles)

    def holds_subtree(self, prefix: str) -> bool:
        """Whether the whole region subtree of this code prefix lies in the scope's regions."""
        return self.everything or any(prefix.startswith(p) for p in self.prefixes)

    def region_q(self, field: str) -> Q:
        """Rows whose 12-digit region code in `field` lies in one of the scope's subtrees."""
        if self.everything:
            return Q()
        ranges = [Q(**{f"{field}__range": subtree_bounds(prefix)}) for prefix in self.prefixes]
        return reduce(or_, ranges, Q(pk__in=[]))

    def records_q(self, *, region_field: str, unit_field: str) -> Q:
        """Rows in the scope's regions or assigned to one of its units."""
        if self.everything:
            return Q()
        return self.region_q(region_field) | Q(**{f"{unit_field}__in": self.unit_ids})


def _minimal_prefixes(prefixes: set[str]) -> tuple[str, ...]:
    """Drop prefixes covered by a shorter one: 5227 covers 522701."""
    kept: list[str] = []
    for prefix in sorted(prefixes, key=len):
        if not any(prefix.startswith(k) for k in kept):
            kept.append(prefix)
    return tuple(sorted(kept))


def user_scope(user: Any) -> Scope:
    """The user's scope, computed once per user object (and so once per request)."""
    cached = getattr(user, "_zoufang_scope", None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        scope = Scope(everything=False, prefixes=(), unit_ids=frozenset(), roles=frozenset())
    else:
        rows = list(
            Membership.objects.filter(user=user, unit__is_active=True).values_list(
                "unit_id", "role", "unit__region_id", "unit__region__level"
            )
        )
        scope = Scope(
            everything=user.is_superuser,
            prefixes=_minimal_prefixes({code_prefix(code, level) for _, _, code, level in rows}),
            unit_ids=frozenset(unit_id for unit_id, _, _, _ in rows),
            roles=frozenset(role for _, role, _, _ in rows),
            grants=tuple(
                Grant(unit_id, role, code_prefix(code, level)) for unit_id, role, code, level in rows
            ),
        )
    user._zoufang_scope = scope
    return scope


def require_role(user: User, *roles: Role) -> None:
    """Refuse with 403 unless the user holds one of these roles (a superuser holds them all)."""
    if not user_scope(user).holds(*roles):
        raise Forbidden()


def units_visible_to(user: User) -> QuerySet[Unit]:
    scope = user_scope(user)
    if scope.everything:
        # region_q is an empty Q here, and `Q() | other` is just `other`: say "all" outright.
        return Unit.objects.all()
    return Unit.objects.filter(scope.region_q("region__code") | Q(pk__in=scope.unit_ids))


def regions_visible_to(user: User) -> QuerySet[Region]:
    return Region.objects.filter(user_scope(user).region_q("code"))


def access_unit(user: User, unit_id: int) -> Unit:
    """The unit if the user may see it; 404 alike for absent and out of scope."""
    try:
        return units_visible_to(user).select_related("region", "parent").get(pk=unit_id)
    except Unit.DoesNotExist:
        raise NotFound("单位不存在") from None


def access_region(user: User, code: str) -> Region:
    """The region if it lies in the user's scope; 404 alike for absent and out of scope."""
    try:
        return regions_visible_to(user).select_related("parent").get(pk=code)
    except Region.DoesNotExist:
        raise NotFound("区划不存在") from None
