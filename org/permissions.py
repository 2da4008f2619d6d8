"""The data-scope rule of DESIGN §4 (条块), implemented once.

*Territorial* units (块: 政法委, 信访局, township governments, village committees) see the records whose region
lies in their region subtree (`Scope.territory`). *Functional* departments (条: police, courts, 人社, 住建, …)
see the appeals in which their own unit, or a unit of the same kind inside their region subtree, has a part
(`Scope.lines`, applied by appeals.permissions.appeals_visible_to); everyone sees the appeals their own unit
registered. The other records (visits, campaigns, regions, units, the oversight rows) follow the region
subtree of every unit (`Scope.prefixes`): a police cadre visits the villages of their county. Every list,
detail, export and endpoint obtains its objects through these functions, and answers "absent" and "outside
your scope" with the same 404.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q, QuerySet

from core.errors import Forbidden, NotFound
from geo.models import Region, code_prefix, subtree_bounds
from org.models import Membership, Role, Unit, UnitKind, User

# The staff of a unit that works appeals: its handlers and its head.
UNIT_STAFF = (Role.HANDLER, Role.UNIT_HEAD)
# 块: the units that answer for an area, not for a line of work (DESIGN §4).
TERRITORIAL_KINDS = frozenset(
    {UnitKind.POLITICAL_LEGAL, UnitKind.PETITION, UnitKind.TOWNSHIP_GOVERNMENT, UnitKind.VILLAGE_COMMITTEE}
)


@dataclass(frozen=True)
class Grant:
    """One membership as the scope rule sees it: a role held in a unit whose region subtree is `prefix`."""

    unit_id: int
    role: str
    prefix: str
    kind: str = UnitKind.POLITICAL_LEGAL

    @property
    def territorial(self) -> bool:
        return self.kind in TERRITORIAL_KINDS


@dataclass(frozen=True)
class Scope:
    everything: bool
    prefixes: tuple[str, ...]
    unit_ids: frozenset[int]
    roles: frozenset[str]
    grants: tuple[Grant, ...] = ()
    # The subtrees of the user's territorial units, and (kind, subtree) of their functional ones.
    territory: tuple[str, ...] = ()
    lines: tuple[tuple[str, str], ...] = ()

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

    def holds_territory(self, prefix: str) -> bool:
        """Whether the whole region subtree of this code prefix lies in the user's territorial units' areas."""
        return self.everything or any(prefix.startswith(p) for p in self.territory)

    def territory_q(self, field: str) -> Q:
        """Rows whose 12-digit region code in `field` lies in a territorial unit's subtree (块)."""
        if self.everything:
            return Q()
        ranges = [Q(**{f"{field}__range": subtree_bounds(prefix)}) for prefix in self.territory]
        return reduce(or_, ranges, Q(pk__in=[]))

    def holds_in_territory(self, *roles: str) -> bool:
        """Whether one of these roles is held in a territorial unit (a superuser holds them all)."""
        return self.everything or any(g.territorial and g.role in roles for g in self.grants)

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
                "unit_id", "role", "unit__region_id", "unit__region__level", "unit__kind"
            )
        )
        grants = tuple(
            Grant(unit_id, role, code_prefix(code, level), kind) for unit_id, role, code, level, kind in rows
        )
        scope = Scope(
            everything=user.is_superuser,
            prefixes=_minimal_prefixes({g.prefix for g in grants}),
            unit_ids=frozenset(g.unit_id for g in grants),
            roles=frozenset(g.role for g in grants),
            grants=grants,
            territory=_minimal_prefixes({g.prefix for g in grants if g.territorial}),
            lines=tuple(sorted({(g.kind, g.prefix) for g in grants if not g.territorial})),
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


# Who may turn on two-factor login (TOTP): the privileged roles.
OTP_ROLES = (Role.ADMIN, Role.SUPERVISOR)


def is_administrator(user: User) -> bool:
    """Superusers, admin-site staff and holders of the admin role: the users ADMIN_2FA_REQUIRED covers."""
    return user.is_superuser or user.is_staff or user_scope(user).holds(Role.ADMIN)


def may_enrol_otp(user: User) -> bool:
    return is_administrator(user) or user_scope(user).holds(*OTP_ROLES)
