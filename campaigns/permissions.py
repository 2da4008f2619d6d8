"""Who sees which visits and campaigns: a visit is visible where its place lies in the user's scope (DESIGN §4)."""

from django.db.models import QuerySet

from campaigns.models import Campaign, Visit
from core.errors import NotFound
from org.models import User
from org.permissions import user_scope


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
