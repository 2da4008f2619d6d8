"""Who sees and who changes the oversight rows (DESIGN §4).

A row belongs to a unit: it is visible to those who see the unit (`org.permissions.units_visible_to`), and
answered 404 alike when absent or out of scope. Supervisors and administrators write, in the units their
grants cover; the interviewed or responsible unit's handlers and head read their own rows and report progress
on their rectification items. Good practices are read by everyone in scope once published.
"""

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from core.errors import Forbidden, InvalidInput, NotFound
from geo.models import Region, ancestor_codes, subtree_bounds
from org.models import Role, Unit, User
from org.permissions import UNIT_STAFF, user_scope
from oversight.models import GoodPractice, Interview, Notice, NoticeStatus, Rectification

OVERSIGHT_ROLES = (Role.SUPERVISOR, Role.ADMIN)
# Who reads the interviews and the rectification ledger: the overseers, leaders, and the units concerned.
LEDGER_READ_ROLES = (Role.LEADER, Role.SUPERVISOR, Role.ADMIN, *UNIT_STAFF)


def is_overseer(user: User) -> bool:
    """Whether the user supervises anywhere: the ledgers offer them their forms."""
    return user_scope(user).holds(*OVERSIGHT_ROLES)


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


# --- notices (通报) ---------------------------------------------------------------------------------------
# A draft is read and written only by supervisors and administrators whose grants cover the notice's region. A
# published notice is read by those (supervisors, administrators, leaders, unit heads) whose grants lie in its
# region or under it: a prefecture notice reaches the counties it ranks, a county notice is not read by the
# county next door.

NOTICE_WRITE_ROLES = (Role.SUPERVISOR, Role.ADMIN)
NOTICE_READ_ROLES = (Role.SUPERVISOR, Role.ADMIN, Role.LEADER, Role.UNIT_HEAD)
# A notice covers a prefecture or a county; townships appear in a county's ranking.
NOTICE_LEVELS = (Region.Level.PREFECTURE, Region.Level.COUNTY)


def may_read_notices(user: User) -> bool:
    return user_scope(user).holds(*NOTICE_READ_ROLES)


def require_notice_reader(user: User) -> None:
    """403 for roles that never read notices (visitors, handlers, dispatchers)."""
    if not user_scope(user).holds(*NOTICE_READ_ROLES):
        raise Forbidden("无权查看通报")


def require_notice_writer(user: User) -> None:
    """403 for roles that never draft or publish notices."""
    if not user_scope(user).holds(*NOTICE_WRITE_ROLES):
        raise Forbidden("只有督查员或管理员可以起草、印发通报")


def may_write_notice(user: User, notice: Notice) -> bool:
    return user_scope(user).covers(notice.region_id, *NOTICE_WRITE_ROLES)


def notices_visible_to(user: User) -> QuerySet[Notice]:
    scope = user_scope(user)
    if scope.everything:
        return Notice.objects.all()
    published = Q(pk__in=[])
    drafts = Q(pk__in=[])
    for grant in scope.grants:
        inside = Q(region__code__range=subtree_bounds(grant.prefix))
        if grant.role in NOTICE_READ_ROLES:
            above = Q(region_id__in=ancestor_codes(grant.prefix.ljust(12, "0")))
            published |= inside | above
        if grant.role in NOTICE_WRITE_ROLES:
            drafts |= inside
    return Notice.objects.filter((Q(status=NoticeStatus.PUBLISHED) & published) | drafts)


def access_notice(user: User, notice_id: int) -> Notice:
    """The notice if the user may read it; 404 alike for absent, out of scope, and another's draft."""
    require_notice_reader(user)
    try:
        return (
            notices_visible_to(user).select_related("region", "created_by", "published_by").get(pk=notice_id)
        )
    except Notice.DoesNotExist:
        raise NotFound("通报不存在") from None


def require_notice_editor(user: User, notice: Notice) -> None:
    """403 for readers who may not write; 404 for a writer whose grants do not cover the notice's region."""
    require_notice_writer(user)
    if not may_write_notice(user, notice):
        raise NotFound("通报不存在")


def notice_regions(user: User) -> QuerySet[Region]:
    """The prefectures and counties the user may draft notices for."""
    scope = user_scope(user)
    regions = Region.objects.filter(level__in=NOTICE_LEVELS).order_by("code")
    if scope.everything:
        return regions
    covered = Q(pk__in=[])
    for grant in scope.grants:
        if grant.role in NOTICE_WRITE_ROLES:
            covered |= Q(code__range=subtree_bounds(grant.prefix))
    return regions.filter(covered)


def check_notice_region(user: User, region: Region) -> None:
    """The region of a new notice: covered by the user's supervisor or admin grant (else 404), and a
    prefecture or county (else 422)."""
    require_notice_writer(user)
    if not user_scope(user).covers(region.code, *NOTICE_WRITE_ROLES):
        raise NotFound("区划不存在")
    if region.level not in NOTICE_LEVELS:
        raise InvalidInput(
            "通报按州或县（市）编发，请选择州或县（市）",
            code="invalid_input",
            details={"region": "应为州或县（市）"},
        )
