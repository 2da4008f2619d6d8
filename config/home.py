"""The home page and the header's navigation: which pages each role opens (DESIGN §1).

They live here, above every app, because they link into all of them; each link is offered by the role sets and
`may_*` predicates of the app that owns the page.
"""

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from appeals.permissions import (
    DISPATCH_ROLES,
    REGISTER_ROLES,
    RISK_ROLES,
    may_dispatch,
    may_register,
    may_work_unit_queue,
)
from appeals.selectors import unread_count
from campaigns.models import Campaign
from campaigns.permissions import CAMPAIGN_ROLES, RECORD_ROLES
from core.web import request_user, url_with_query
from insights.permissions import (
    OVERVIEW_ROLES,
    RANKING_ROLES,
    REPORT_ROLES,
    may_read_reports,
    may_see_overview,
    may_see_rankings,
)
from org.models import Role, User
from org.permissions import UNIT_STAFF, may_enrol_otp, regions_visible_to, units_visible_to, user_scope
from org.selectors import user_memberships
from oversight.permissions import LEDGER_READ_ROLES, NOTICE_READ_ROLES, may_read_notices
from portal.permissions import may_read_consultations

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
    if role in OVERVIEW_ROLES:
        links.append(Link(_("Dashboard"), reverse("insights:overview")))
    if role in RANKING_ROLES:
        links.append(Link(_("Rankings"), reverse("insights:rankings")))
    if role in NOTICE_READ_ROLES:
        links.append(Link(_("Notices"), reverse("oversight:notices")))
    if role in REPORT_ROLES:
        links.append(Link(_("Decision report"), reverse("insights:report")))
    if role in LEDGER_READ_ROLES:
        links.append(Link(_("Interviews"), reverse("oversight:interviews")))
        links.append(Link(_("Rectification ledger"), reverse("oversight:rectifications")))
    links.append(Link(_("Good practices"), reverse("oversight:practices")))
    return links


def _links(role: str, user: User) -> list[Link]:
    links = [Link(_("API documentation"), reverse("api-v1:openapi-view"))]
    if role in DISPATCH_ROLES:
        links = [
            Link(_("Dispatch queue"), reverse("appeals:dispatch")),
            Link(_("Register an appeal"), reverse("appeals:new")),
            *links,
        ]
    elif role == Role.UNIT_HEAD:
        links = [
            Link(_("Unit queue"), reverse("appeals:unit")),
            Link(_("Replies to approve"), url_with_query(reverse("appeals:unit"), tab="approve")),
            *links,
        ]
    elif role in UNIT_STAFF:
        links = [Link(_("Unit queue"), reverse("appeals:unit")), *links]
    elif role in REGISTER_ROLES:
        links = [Link(_("Register an appeal"), reverse("appeals:new")), *links]
    if role in RECORD_ROLES:
        links = [Link(_("Field app for visits (phone, works offline)"), reverse("field:shell")), *links]
    if role in RISK_ROLES:
        links = [Link(_("Risk warnings"), reverse("appeals:risks")), *links]
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


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The home page: one section for each role the user holds, in the order of their daily work."""
    user = request_user(request)
    context = {"sections": home_sections(user), "figures": scope_figures(user)}
    return render(request, "home.html", context)


def navigation(request: HttpRequest) -> dict[str, object]:
    """The signed-in user's units and roles, the pages their roles open, and their unread notifications, for
    the header of every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "my_memberships": user_memberships(user),
        "my_scope": user_scope(user),
        "unread_notifications": unread_count(user.pk),
        "nav_dispatch": may_dispatch(user),
        "nav_unit_queue": may_work_unit_queue(user),
        "nav_register": may_register(user),
        "nav_dashboard": may_see_overview(user),
        "nav_rankings": may_see_rankings(user),
        "nav_notices": may_read_notices(user),
        "nav_report": may_read_reports(user),
        "nav_consultations": may_read_consultations(user),
        "nav_two_factor": may_enrol_otp(user),
    }
