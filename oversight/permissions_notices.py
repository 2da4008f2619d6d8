"""Who reads and who writes notices (通报).

A draft is read and written only by supervisors and administrators whose grants cover the notice's region. A
published notice is read by those (supervisors, administrators, leaders, unit heads) whose grants lie in its
region or under it: a prefecture notice reaches the counties it ranks, a county notice is not read by the
county next door. Absent and out of scope are answered with the same 404.
"""

from django.db.models import Q, QuerySet

from core.errors import Forbidden, InvalidInput, NotFound
from geo.models import Region, ancestor_codes, subtree_bounds
from org.models import Role, User
from org.permissions import user_scope
from oversight.models import Notice, NoticeStatus

NOTICE_WRITE_ROLES = (Role.SUPERVISOR, Role.ADMIN)
NOTICE_READ_ROLES = (Role.SUPERVISOR, Role.ADMIN, Role.LEADER, Role.UNIT_HEAD)
# A notice covers a prefecture or a county; townships appear in a county's ranking.
NOTICE_LEVELS = (Region.Level.PREFECTURE, Region.Level.COUNTY)


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
