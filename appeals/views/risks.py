"""四色预警: the open disputes of the user's scope by risk colour, red first, each with its clock."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from appeals.models import ACTIVE_STATUSES, OPEN_DISPUTE_STATUSES, Appeal, AppealKind, RiskColour
from appeals.permissions import RISK_ROLES, appeals_visible_to
from appeals.views.countdowns import Countdown, countdown, countdown_formats
from appeals.views.queues import Tab
from core.web import keyset_page, query_string, request_user
from org.permissions import require_role

# Red first: key, cross-department disputes; blue last: latent ones (DESIGN §3, 四色预警).
COLOURS = (RiskColour.RED, RiskColour.ORANGE, RiskColour.YELLOW, RiskColour.BLUE)
# Oldest first within a colour, on the appeal_open_dispute index.
ORDER = ("created_at", "id")


@dataclass(frozen=True)
class RiskRow:
    appeal: Appeal
    days_open: int
    countdown: Countdown | None  # while a unit works it


def _days(since: datetime, now: datetime) -> int:
    return (timezone.localdate(now) - timezone.localdate(since)).days


@login_required
def risks(request: HttpRequest) -> HttpResponse:
    """One colour at a time (?colour=red, the default), with the count of every colour above."""
    user = request_user(request)
    require_role(user, *RISK_ROLES)
    colour = request.GET.get("colour", RiskColour.RED)
    if colour not in RiskColour.values:
        colour = RiskColour.RED
    now = timezone.now()
    disputes = appeals_visible_to(user).filter(kind=AppealKind.DISPUTE, status__in=OPEN_DISPUTE_STATUSES)
    counts = disputes.aggregate(**{c.value: Count("pk", filter=Q(risk_colour=c.value)) for c in COLOURS})
    rows = disputes.filter(risk_colour=colour).select_related("category", "region__parent", "lead_unit")
    page = keyset_page(request, rows, ORDER)
    context = {
        "colour": colour,
        "tab": colour,
        "tabs": [
            Tab(key=c.value, label=c.label, count=counts[c.value], url=query_string(colour=c.value))
            for c in COLOURS
        ],
        "rows": [
            RiskRow(
                appeal=appeal,
                days_open=_days(appeal.created_at, now),
                countdown=countdown(appeal.resolve_due, now) if appeal.status in ACTIVE_STATUSES else None,
            )
            for appeal in page.items
        ],
        "next_url": query_string(colour=colour, cursor=page.next_cursor) if page.next_cursor else None,
        "first_url": query_string(colour=colour) if request.GET.get("cursor") else None,
        "countdown_formats": countdown_formats(),
    }
    return render(request, "appeals/risks.html", context)
