"""Who sees which dashboards, rankings and reports (DESIGN §1): the insights app's role sets and its access.

Leaders, supervisors, admins and the command centre's dispatchers watch the dashboards of their scope; handlers
and unit heads open their own unit's view; everyone but a visitor reads the rankings; leaders, supervisors and
admins read the decision report; admins set the rankings' weights.
"""

from core.errors import Forbidden, InvalidInput, NotFound
from geo.models import Region
from insights.selectors.dashboard import dashboard_root
from org.models import Role, Unit, User
from org.permissions import UNIT_STAFF, access_region, access_unit, require_role, user_scope

OVERVIEW_ROLES = (Role.LEADER, Role.SUPERVISOR, Role.ADMIN, Role.DISPATCHER)
UNIT_ROLES = UNIT_STAFF
RANKING_ROLES = (*OVERVIEW_ROLES, *UNIT_ROLES)
REPORT_ROLES = (Role.LEADER, Role.SUPERVISOR, Role.ADMIN)
HOT_ROLES = OVERVIEW_ROLES
WEIGHT_ROLES = (Role.ADMIN,)


def may_see_overview(user: User) -> bool:
    """The area dashboards are for overseers of a territorial unit (块): the area counters count an area's
    appeals, which a functional department does not see as a whole (DESIGN §4)."""
    return user_scope(user).holds_in_territory(*OVERVIEW_ROLES)


def may_see_rankings(user: User) -> bool:
    return user_scope(user).holds(*RANKING_ROLES)


def may_read_reports(user: User) -> bool:
    return user_scope(user).holds(*REPORT_ROLES)


def may_edit_weights(user: User) -> bool:
    return user_scope(user).holds(*WEIGHT_ROLES)


def staff_units(user: User) -> list[Unit]:
    """The active units whose unit view the user opens: where they are a handler or unit head, or an overseer
    of a functional department."""
    scope = user_scope(user)
    overseen = {g.unit_id for g in scope.grants if not g.territorial and g.role in OVERVIEW_ROLES}
    ids = scope.units_with(*UNIT_ROLES) | overseen
    return list(Unit.objects.filter(pk__in=ids, is_active=True).order_by("name", "id"))


def access_dashboard(
    user: User, *, region_code: str | None = None, unit_id: int | None = None
) -> tuple[Region | None, Unit | None]:
    """The region or unit whose dashboard the user asks for: 403 for a role without dashboards (a visitor;
    unit staff outside their unit view), 404 alike for a region or unit absent or outside the scope (for unit
    staff, any unit not their own), 422 for both at once. No region and no unit: the overview's root."""
    scope = user_scope(user)
    if unit_id is not None and region_code:
        raise InvalidInput(
            "按区域或按单位统计，二者选一", code="invalid_input", details={"unit": "与区域不能同时指定"}
        )
    if unit_id is not None:
        if scope.holds(*OVERVIEW_ROLES):
            return None, access_unit(user, unit_id)
        if scope.holds(*UNIT_ROLES):
            if unit_id not in scope.units_with(*UNIT_ROLES):
                raise NotFound("单位不存在")
            return None, access_unit(user, unit_id)
        raise Forbidden("无权查看统计看板")
    if not scope.holds_in_territory(*OVERVIEW_ROLES):
        raise Forbidden("无权查看统计看板")
    if region_code:
        return access_region(user, region_code), None
    return dashboard_root(user), None


def access_report(*, user: User, region_code: str | None) -> Region | None:
    """Leaders, supervisors and admins read reports (others 403); the region must lie in their scope (404 alike
    for absent and out of scope)."""
    require_role(user, *REPORT_ROLES)
    return access_region(user, region_code) if region_code else None


def may_see_hot_issues(user: User) -> bool:
    return user_scope(user).holds(*HOT_ROLES)


def access_hot_issues(*, user: User, region_code: str | None) -> Region | None:
    """Leaders, supervisors, dispatchers and admins read hot issues (others 403); the region must lie in their
    scope (404 alike for absent and out of scope)."""
    require_role(user, *HOT_ROLES)
    return access_region(user, region_code) if region_code else None
