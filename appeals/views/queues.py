"""The dispatcher's queue and the units' queues, each exported to Excel as filtered (all pages)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from appeals.exports import dispatch_export, unit_queue_export
from appeals.models import ACTIVE_STATUSES, OPEN_TASK_STATUSES, Appeal, AppealStatus, TaskStatus, UnitTask
from appeals.permissions import DISPATCH_ROLES, UNIT_STAFF, appeals_visible_to
from appeals.selectors import AppealFilters, appeals_filter, dispatcher_counts, ordered
from appeals.services import RoutingSuggestion, category_suggestions, routing_suggest
from appeals.services.text_models import Suggested
from appeals.views.countdowns import SOON, Countdown, countdown, countdown_formats
from core.web import keyset_page, query_string, request_user
from geo.models import subtree_bounds
from org.models import Role, Unit, User
from org.permissions import require_role, user_scope


@dataclass(frozen=True)
class Tab:
    key: str
    label: Promise
    count: int | None
    url: str


DISPATCH_TABS: dict[str, tuple[Promise, AppealFilters, str]] = {
    "new": (_("New"), AppealFilters(status=(AppealStatus.REGISTERED,), returned=False), "newest"),
    "returned": (_("Returned"), AppealFilters(status=(AppealStatus.REGISTERED,), returned=True), "newest"),
    "overdue": (_("Overdue"), AppealFilters(overdue=True), "due"),
    "awaiting": (_("Awaiting decision"), AppealFilters(awaiting_decision=True), "newest"),
    "all": (_("All"), AppealFilters(), "newest"),
}
ROUTED_TABS = ("new", "returned")


@dataclass(frozen=True)
class DispatchRow:
    appeal: Appeal
    suggestion: RoutingSuggestion | None
    countdown: Countdown | None
    # the text model's first category when it differs from the one registered (a hint to reclassify)
    category_hint: Suggested | None = None


def _dispatcher_appeals(user: User) -> QuerySet[Appeal]:
    """The visible appeals in the regions where the user is a dispatcher (not those of their other roles)."""
    scope = user_scope(user)
    visible = appeals_visible_to(user)
    if scope.everything:
        return visible
    prefixes = {grant.prefix for grant in scope.grants if grant.role == Role.DISPATCHER}
    in_regions = reduce(
        or_, (Q(region__code__range=subtree_bounds(prefix)) for prefix in prefixes), Q(pk__in=[])
    )
    return visible.filter(in_regions)


@login_required
def dispatch_queue(request: HttpRequest) -> HttpResponseBase:
    """调度台: new, returned, overdue and awaiting items of the dispatcher's regions; the tab as Excel on request."""
    user = request_user(request)
    require_role(user, *DISPATCH_ROLES)
    tab = request.GET.get("tab", "new")
    if tab not in DISPATCH_TABS:
        tab = "new"
    now = timezone.now()
    appeals = _dispatcher_appeals(user)
    _label, filters, order = DISPATCH_TABS[tab]
    queryset, fields = ordered(appeals_filter(appeals, filters, now=now), order, unit=filters.unit)
    if request.GET.get("export") == "xlsx":
        return dispatch_export(
            request=request,
            user=user,
            tab=tab,
            label=str(DISPATCH_TABS[tab][0]),
            appeals=queryset,
            order=fields,
        )
    counts = dispatcher_counts(appeals, now=now)
    page = keyset_page(request, queryset.select_related("category__parent", "region__parent"), fields)
    hints = category_suggestions(appeals=list(page.items)) if tab in ROUTED_TABS else {}
    rows = [
        DispatchRow(
            appeal=appeal,
            suggestion=routing_suggest(appeal=appeal) if tab in ROUTED_TABS else None,
            countdown=countdown(appeal.resolve_due, now) if appeal.status in ACTIVE_STATUSES else None,
            category_hint=hint
            if (hint := hints.get(appeal.pk)) and hint.code != appeal.category.code
            else None,
        )
        for appeal in page.items
    ]
    tabs = [
        Tab(key=key, label=label, count=counts.get(key), url=query_string(tab=key))
        for key, (label, _f, _o) in DISPATCH_TABS.items()
    ]
    context = {
        "tabs": tabs,
        "tab": tab,
        "rows": rows,
        "routed": tab in ROUTED_TABS,
        "next_url": query_string(tab=tab, cursor=page.next_cursor) if page.next_cursor else None,
        "first_url": query_string(tab=tab) if request.GET.get("cursor") else None,
        "export_url": query_string(tab=tab, export="xlsx"),
        "countdown_formats": countdown_formats(),
    }
    return render(request, "appeals/dispatch.html", context)


# --- unit queue -----------------------------------------------------------------------------------------

OPEN = Q(status__in=OPEN_TASK_STATUSES)
UNIT_TABS: dict[str, tuple[Promise, Callable[[datetime], Q], tuple[str, ...]]] = {
    "accept": (_("To accept"), lambda now: Q(status=TaskStatus.ASSIGNED), ("sign_due", "id")),
    "working": (_("Working"), lambda now: Q(status=TaskStatus.ACCEPTED), ("resolve_due", "id")),
    # The unit head's queue: the lead handlers' replies waiting for approval (审核答复意见).
    "approve": (_("Replies to approve"), lambda now: Q(status=TaskStatus.SUBMITTED), ("done_at", "id")),
    "soon": (
        _("Due within 24 h"),
        lambda now: OPEN & Q(resolve_due__gte=now, resolve_due__lt=now + SOON),
        ("resolve_due", "id"),
    ),
    "overdue": (_("Overdue"), lambda now: OPEN & Q(resolve_due__lt=now), ("resolve_due", "id")),
}


@dataclass(frozen=True)
class UnitRow:
    task: UnitTask
    sign: Countdown | None
    resolve: Countdown | None


@login_required
def unit_queue(request: HttpRequest) -> HttpResponseBase:
    """The queue of each of the user's units: to accept, working, due within 24 hours, overdue; the tab as
    Excel on request."""
    user = request_user(request)
    require_role(user, *UNIT_STAFF)
    units = list(
        Unit.objects.filter(pk__in=user_scope(user).units_with(*UNIT_STAFF), is_active=True).order_by(
            "name", "id"
        )
    )
    unit_param = request.GET.get("unit", "")
    unit = next((u for u in units if str(u.pk) == unit_param), units[0] if units else None)
    tab = request.GET.get("tab", "accept")
    if tab not in UNIT_TABS:
        tab = "accept"
    context: dict[str, Any] = {"units": units, "unit": unit, "tab": tab, "rows": [], "tabs": []}
    if unit is not None:
        now = timezone.now()
        # A unit's own tasks are in its people's scope by definition (DESIGN §4: "plus records assigned to
        # their unit"), so the queue reads the task table directly, on its (unit, status, resolve_due) index.
        open_tasks = UnitTask.objects.filter(
            unit=unit, status__in=[*OPEN_TASK_STATUSES, TaskStatus.SUBMITTED]
        )
        _label, make_q, order = UNIT_TABS[tab]
        if request.GET.get("export") == "xlsx":
            return unit_queue_export(
                request=request,
                user=user,
                unit=unit,
                tab=tab,
                label=str(UNIT_TABS[tab][0]),
                tasks=open_tasks.filter(make_q(now)),
                order=order,
            )
        counts = open_tasks.aggregate(
            **{key: Count("id", filter=make_q(now)) for key, (_l, make_q, _o) in UNIT_TABS.items()}
        )
        tasks = open_tasks.filter(make_q(now)).select_related(
            "appeal",
            "appeal__category",
            "appeal__category__parent",
            "appeal__region",
            "appeal__region__parent",
        )
        page = keyset_page(request, tasks, order)
        context["rows"] = [
            UnitRow(
                task=task,
                sign=countdown(task.sign_due, now) if task.status == TaskStatus.ASSIGNED else None,
                # A filed reply has stopped the clock: no countdown while it waits for approval.
                resolve=countdown(task.resolve_due, now) if task.status in OPEN_TASK_STATUSES else None,
            )
            for task in page.items
        ]
        context["tabs"] = [
            Tab(key=key, label=label, count=counts[key], url=query_string(unit=unit.pk, tab=key))
            for key, (label, _q, _o) in UNIT_TABS.items()
        ]
        context["unit_links"] = [(u, query_string(unit=u.pk, tab=tab)) for u in units]
        context["next_url"] = (
            query_string(unit=unit.pk, tab=tab, cursor=page.next_cursor) if page.next_cursor else None
        )
        context["first_url"] = query_string(unit=unit.pk, tab=tab) if request.GET.get("cursor") else None
        context["export_url"] = query_string(unit=unit.pk, tab=tab, export="xlsx")
        context["countdown_formats"] = countdown_formats()
    return render(request, "appeals/unit_queue.html", context)
