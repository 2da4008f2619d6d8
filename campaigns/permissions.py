"""Who sees which visits and campaigns: a visit is visible where its place lies in the user's scope (DESIGN §4)."""

from uuid import UUID

from django.db.models import QuerySet

from campaigns.models import Campaign, SpotCheck, SpotCheckItem, Visit, VisitPhoto
from core.errors import NotFound
from org.models import Role, User
from org.permissions import user_scope

# Who records visits: field visitors, and the dispatchers and unit staff who also go out.
RECORD_ROLES = (Role.VISITOR, Role.DISPATCHER, Role.HANDLER, Role.UNIT_HEAD)
# Who makes the campaign's plan (targets, 包保 responsibilities), and who reads it.
PLAN_ROLES = (Role.ADMIN, Role.DISPATCHER)
PLAN_VIEW_ROLES = (*PLAN_ROLES, Role.SUPERVISOR, Role.LEADER)
# Who draws and records spot-checks (抽查回访), and who oversees them where the checked unit lies in their scope.
SPOT_CHECK_ROLES = (Role.SUPERVISOR, Role.ADMIN)
SPOT_CHECK_VIEW_ROLES = (Role.SUPERVISOR, Role.LEADER, Role.ADMIN)
# Who reviews the visits the plausibility checks doubt.
FLAG_ROLES = (Role.SUPERVISOR, Role.LEADER, Role.DISPATCHER, Role.ADMIN)
# Who finds the campaign's pages (progress, coverage, ledger) on their home page.
CAMPAIGN_ROLES = (Role.VISITOR, Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN)


def may_plan(user: User) -> bool:
    """Whether the user may plan anywhere (the page shows its forms); each write checks the place too."""
    return user_scope(user).holds(*PLAN_ROLES)


def plans_at(user: User, region_code: str) -> bool:
    return user_scope(user).covers(region_code, *PLAN_ROLES)


def may_see_plan(user: User) -> bool:
    return user_scope(user).holds(*PLAN_VIEW_ROLES)


def may_spot_check(user: User) -> bool:
    return user_scope(user).holds(*SPOT_CHECK_ROLES)


def visits_visible_to(user: User) -> QuerySet[Visit]:
    return Visit.objects.filter(user_scope(user).region_q("region__code"))


def campaigns_visible_to(user: User) -> QuerySet[Campaign]:
    """Active campaigns are prefecture-wide: every signed-in user sees them."""
    return Campaign.objects.filter(is_active=True)


def access_campaign(user: User, campaign_id: int) -> Campaign:
    """The campaign if the user may see it; 404 alike for absent and inactive."""
    try:
        return campaigns_visible_to(user).get(pk=campaign_id)
    except Campaign.DoesNotExist:
        raise NotFound("走访活动不存在") from None


def access_visit(user: User, visit_id: int) -> Visit:
    """The visit if its place lies in the user's scope; 404 alike for absent and out of scope."""
    try:
        return visits_visible_to(user).get(pk=visit_id)
    except Visit.DoesNotExist:
        raise NotFound("走访记录不存在") from None


def access_visit_photo(user: User, photo_uuid: UUID) -> VisitPhoto:
    """The photo if its visit is visible to the user; 404 alike for absent and out of scope."""
    try:
        return VisitPhoto.objects.get(uuid=photo_uuid, visit__in=visits_visible_to(user))
    except VisitPhoto.DoesNotExist:
        raise NotFound("照片不存在") from None


def spot_checks_visible_to(user: User) -> QuerySet[SpotCheck]:
    return SpotCheck.objects.filter(user_scope(user).region_q("unit__region__code"))


def access_spot_check(user: User, spot_check_id: int) -> SpotCheck:
    """The spot-check if its unit lies in the user's scope; 404 alike for absent and out of scope."""
    try:
        return (
            spot_checks_visible_to(user).select_related("campaign", "unit", "drawn_by").get(pk=spot_check_id)
        )
    except SpotCheck.DoesNotExist:
        raise NotFound("抽查不存在") from None


def access_spot_check_item(spot_check: SpotCheck, item_id: int) -> SpotCheckItem:
    """One sampled visit of a spot-check already accessed; 404 for an item of another check."""
    try:
        return spot_check.items.select_related("spot_check__unit").get(pk=item_id)
    except SpotCheckItem.DoesNotExist:
        raise NotFound("抽查记录不存在") from None
