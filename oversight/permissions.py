"""Who sees and who changes the oversight rows (DESIGN §4).

A row belongs to a unit: it is visible to those who see the unit (`org.permissions.units_visible_to`), and
answered 404 alike when absent or out of scope. Supervisors and administrators write, in the units their
grants cover; the interviewed or responsible unit's handlers and head read their own rows and report progress
on their rectification items. Good practices are read by everyone in scope once published.
"""

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from core.errors import Forbidden, NotFound
from geo.models import subtree_bounds
from org.models import Role, Unit, User
from org.permissions import user_scope
from oversight.models import GoodPractice, Interview, Notice, NoticeStatus, Rectification

OVERSIGHT_ROLES = (Role.SUPERVISOR, Role.ADMIN)
UNIT_STAFF = (Role.HANDLER, Role.UNIT_HEAD)


def _unit_rows_q(user: User) -> Q:
    """Rows whose unit the user sees: a unit in the scope's regions or one of the user's own units."""
    return user_scope(user).records_q(region_field="unit__region__code", unit_field="unit_id")


def require_overseer(user: User, unit: Unit) -> None:
    """403 for a role that never writes here; 404 for a unit outside the regions of the user's grants."""
    scope = user_scope(user)
    if not scope.holds(*OVERSIGHT_ROLES):
        raise Forbidden("只有督查人员可以执行此操作")
    if not scope.covers(unit.region_id, *OVERSIGHT_ROLES):
        raise NotFound("单位不存在")


def overseeable_units(user: User) -> QuerySet[Unit]:
    """The active units in the regions where the user holds a supervising role: the choices of the forms."""
    scope = user_scope(user)
    units = Unit.objects.filter(is_active=True).select_related("region")
    if scope.everything:
        return units
    ranges = [
        Q(region__code__range=subtree_bounds(g.prefix)) for g in scope.grants if g.role in OVERSIGHT_ROLES
    ]
    return units.filter(reduce(or_, ranges, Q(pk__in=[])))


def may_oversee(user: User, unit: Unit) -> bool:
    return user_scope(user).covers(unit.region_id, *OVERSIGHT_ROLES)


def may_report(user: User, item: Rectification) -> bool:
    """Whether the user may add a progress update: the responsible unit's staff, or its overseers."""
    scope = user_scope(user)
    return item.unit_id in scope.units_with(*UNIT_STAFF) or may_oversee(user, item.unit)


def interviews_visible_to(user: User) -> QuerySet[Interview]:
    return Interview.objects.filter(_unit_rows_q(user))


def access_interview(user: User, interview_id: int) -> Interview:
    """The interview if the user sees its unit; 404 alike for absent and out of scope."""
    try:
        return (
            interviews_visible_to(user)
            .select_related("unit__region", "notice", "created_by")
            .get(pk=interview_id)
        )
    except Interview.DoesNotExist:
        raise NotFound("约谈记录不存在") from None


def rectifications_visible_to(user: User) -> QuerySet[Rectification]:
    return Rectification.objects.filter(_unit_rows_q(user))


def access_rectification(user: User, item_id: int) -> Rectification:
    """The rectification item if the user sees its unit; 404 alike for absent and out of scope."""
    try:
        return (
            rectifications_visible_to(user)
            .select_related("unit__region", "interview", "created_by", "verified_by")
            .get(pk=item_id)
        )
    except Rectification.DoesNotExist:
        raise NotFound("整改事项不存在") from None


def practices_visible_to(user: User) -> QuerySet[GoodPractice]:
    """Published practices of the units in scope; drafts only to those who may write them."""
    visible = GoodPractice.objects.filter(_unit_rows_q(user))
    if user_scope(user).holds(*OVERSIGHT_ROLES):
        return visible
    return visible.filter(is_published=True)


def access_practice(user: User, practice_id: int) -> GoodPractice:
    """The good practice if the user may read it; 404 alike for absent, unpublished and out of scope."""
    try:
        return (
            practices_visible_to(user)
            .select_related("unit__region", "category", "created_by")
            .get(pk=practice_id)
        )
    except GoodPractice.DoesNotExist:
        raise NotFound("经验做法不存在") from None


def notices_citable_by(user: User) -> QuerySet[Notice]:
    """Published notices whose region lies in the user's scope: those an interview may name as its cause."""
    return Notice.objects.filter(user_scope(user).region_q("region__code"), status=NoticeStatus.PUBLISHED)
