"""What each role's home page shows: the figures of the user's scope and the work of their role."""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from org.models import Role, User
from org.permissions import regions_visible_to, units_visible_to, user_scope

# The order in which a person holding several roles sees them: field work first, oversight last.
ROLE_ORDER = [
    Role.VISITOR,
    Role.HANDLER,
    Role.UNIT_HEAD,
    Role.DISPATCHER,
    Role.SUPERVISOR,
    Role.LEADER,
    Role.ADMIN,
]

ROLE_DUTIES: dict[str, Promise] = {
    Role.VISITOR: _(
        "Visit the villages, communities and enterprises you are responsible for, record what people raise, "
        "and resolve what you can on the spot."
    ),
    Role.HANDLER: _(
        "Accept the items assigned to your unit in time, work them, and file the result and the reply to the "
        "citizen before the deadline."
    ),
    Role.UNIT_HEAD: _("Approve replies and extensions, and watch your unit's queue, deadlines and ranking."),
    Role.DISPATCHER: _(
        "Review incoming problems, classify them, merge duplicates and assign each to a lead unit with a deadline."
    ),
    Role.SUPERVISOR: _(
        "Watch overdue and key items, issue supervision orders, spot-check visits and follow up rectification."
    ),
    Role.LEADER: _(
        "Follow the campaign's progress, the rates and rankings, hot issues and decision reports."
    ),
    Role.ADMIN: _("Maintain units, people and roles, regions and the reference data of the platform."),
}


@dataclass(frozen=True)
class Link:
    label: Promise
    url: str


@dataclass(frozen=True)
class HomeSection:
    role: str
    title: str
    duties: Promise
    links: list[Link] = field(default_factory=list)


@dataclass(frozen=True)
class ScopeFigures:
    counties: int
    townships: int
    villages: int
    units: int


def scope_figures(user: User) -> ScopeFigures:
    """Counts of what lies in the user's scope, in two queries."""
    regions = regions_visible_to(user).aggregate(
        counties=Count("code", filter=Q(level=3)),
        townships=Count("code", filter=Q(level=4)),
        villages=Count("code", filter=Q(level=5)),
    )
    return ScopeFigures(**regions, units=units_visible_to(user).count())


# Who finds the campaign's pages (progress, coverage, ledger) on their home page.
CAMPAIGN_ROLES = (Role.VISITOR, Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN)


def _campaign_links() -> list[Link]:
    """The campaigns, the coverage of the one running today (if any) and the visit ledger."""
    today = timezone.localdate()
    running = (
        Campaign.objects.filter(is_active=True, starts__lte=today, ends__gte=today)
        .order_by("-starts", "-id")
        .first()
    )
    links = [Link(_("Campaigns"), reverse("campaigns:list"))]
    if running is not None:
        links.append(
            Link(_("Visit coverage"), reverse("campaigns:coverage", kwargs={"campaign_id": running.pk}))
        )
    links.append(Link(_("Visit ledger"), reverse("campaigns:ledger")))
    return links


def _oversight_links(role: str) -> list[Link]:
    """Dashboards, rankings, notices and the ledgers of oversight, as each role uses them (DESIGN §1)."""
    links: list[Link] = []
    if role in (Role.LEADER, Role.SUPERVISOR, Role.ADMIN, Role.DISPATCHER):
        links.append(Link(_("Dashboard"), reverse("insights:overview")))
    if role != Role.VISITOR:
        links.append(Link(_("Rankings"), reverse("rankings:rankings")))
    if role in (Role.LEADER, Role.SUPERVISOR, Role.ADMIN, Role.UNIT_HEAD):
        links.append(Link(_("Notices"), reverse("notices:list")))
    if role in (Role.LEADER, Role.SUPERVISOR, Role.ADMIN):
        links.append(Link(_("Decision report"), reverse("report:form")))
    if role in (Role.LEADER, Role.SUPERVISOR, Role.ADMIN, Role.UNIT_HEAD, Role.HANDLER):
        links.append(Link(_("Interviews"), reverse("oversight:interviews")))
        links.append(Link(_("Rectification ledger"), reverse("oversight:rectifications")))
    links.append(Link(_("Good practices"), reverse("oversight:practices")))
    return links


def _links(role: str, user: User) -> list[Link]:
    links = [Link(_("API documentation"), reverse("api-v1:openapi-view"))]
    if role == Role.DISPATCHER:
        links = [
            Link(_("Dispatch queue"), reverse("appeals:dispatch")),
            Link(_("Register an appeal"), reverse("appeals:new")),
            *links,
        ]
    elif role in (Role.HANDLER, Role.UNIT_HEAD):
        links = [Link(_("Unit queue"), reverse("appeals:unit")), *links]
    elif role == Role.VISITOR:
        links = [Link(_("Register an appeal"), reverse("appeals:new")), *links]
    if role == Role.SUPERVISOR:
        links = [
            Link(_("Doubtful visits"), reverse("campaigns:flags")),
            Link(_("Spot-checks"), reverse("campaigns:spot-checks")),
            *links,
        ]
    if role in CAMPAIGN_ROLES:
        links = [*links[:-1], *_campaign_links(), links[-1]]
    links = [*links[:-1], *_oversight_links(role), links[-1]]
    if role == Role.ADMIN and user.is_staff:
        links = [
            Link(_("Units"), reverse("admin:org_unit_changelist")),
            Link(_("Users"), reverse("admin:org_user_changelist")),
            Link(_("Roles"), reverse("admin:org_membership_changelist")),
            Link(_("Regions"), reverse("admin:geo_region_changelist")),
            Link(_("Audit log"), reverse("admin:core_auditevent_changelist")),
            *links,
        ]
    return links


def home_sections(user: User) -> list[HomeSection]:
    roles = user_scope(user).roles
    return [
        HomeSection(
            role=role.value, title=str(role.label), duties=ROLE_DUTIES[role], links=_links(role, user)
        )
        for role in ROLE_ORDER
        if role in roles
    ]
