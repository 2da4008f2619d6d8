"""诉求列表: the appeals in the user's scope, filtered, newest first in keyset pages, and the filtered list as
Excel (all rows, streamed, audited, the reporter masked). The dashboards' numbers open here with their filters,
so the count this page prints is the number that was clicked."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext

from appeals.exports import appeal_list_export
from appeals.models import (
    ACTIVE_STATUSES,
    Appeal,
    AppealKind,
    AppealStatus,
    Category,
    RiskColour,
    TaskStatus,
)
from appeals.permissions import appeals_visible_to
from appeals.selectors import NO_COLOUR, AppealFilters, appeals_filter, categories_active
from appeals.views.countdowns import Countdown, countdown, countdown_formats
from core.errors import InvalidInput
from core.period import parse_day
from core.text import plain_text
from core.web import keyset_page, query_string, request_user
from geo.models import Region
from org.models import Unit, User
from org.permissions import access_region, access_unit, units_visible_to, user_scope

# Newest first, on the appeal_created / appeal_region_created / appeal_status_created indexes.
LIST_ORDER = ("-created_at", "-id")
TASK_STATES = (TaskStatus.ASSIGNED.value, TaskStatus.ACCEPTED.value)
TRUE = ("1", "on", "true")
MAX_IDS = 500  # a hot issue links to at most 300 of its appeals (insights.selectors.hot.URL_IDS)


@dataclass(frozen=True)
class ListQuery:
    """The list's filters as the page, its export and the dashboards' links spell them in the query string.

    `from` and `to` are days of registration, both included; `unit` with `task` keeps the items in which that
    unit has an open part (to accept, working); `not_category` leaves categories out (the dashboards' 其他)."""

    kind: str | None = None
    statuses: tuple[str, ...] = ()
    category: str | None = None
    not_categories: tuple[str, ...] = ()
    region: Region | None = None
    created_from: date | None = None
    created_to: date | None = None
    lead_unit: Unit | None = None
    unit: Unit | None = None
    task: str | None = None
    overdue: bool = False
    risk_colour: str | None = None
    q: str | None = None
    ids: tuple[int, ...] = ()
    ignored: list[str] = field(default_factory=list, compare=False)

    def params(self, **extra: Any) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "status": list(self.statuses),
            "category": self.category,
            "not_category": list(self.not_categories),
            "region": self.region.code if self.region else None,
            "from": self.created_from.isoformat() if self.created_from else None,
            "to": self.created_to.isoformat() if self.created_to else None,
            "lead_unit": self.lead_unit.pk if self.lead_unit else None,
            "unit": self.unit.pk if self.unit else None,
            "task": self.task if self.unit else None,
            "overdue": "1" if self.overdue else None,
            "risk_colour": self.risk_colour,
            "q": self.q,
            "ids": ",".join(str(i) for i in self.ids) or None,
            **extra,
        }

    def rows(self, user: User, *, now: datetime, paged: bool = False) -> QuerySet[Appeal]:
        """The appeals of this list: those the user sees in its region, narrowed by the other filters (`paged`:
        for one page of it, see appeals_visible_to)."""
        appeals = appeals_visible_to(user, within=self.region.prefix if self.region else None, paged=paged)
        filters = AppealFilters(
            status=self.statuses,
            unit=self.unit.pk if self.unit else None,
            task_status=self.task if self.unit else None,
            lead_unit=self.lead_unit.pk if self.lead_unit else None,
            kind=self.kind,
            category=self.category,
            not_categories=self.not_categories,
            risk_colour=self.risk_colour,
            created_from=self.created_from,
            created_to=self.created_to,
            overdue=True if self.overdue else None,
            q=self.q,
            ids=self.ids,
        )
        return appeals_filter(appeals, filters, now=now)


def _choice(request: HttpRequest, name: str, allowed: list[str], ignored: list[str]) -> str | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    if raw not in allowed:
        ignored.append(name)
        return None
    return raw


def _day(request: HttpRequest, name: str, ignored: list[str]) -> date | None:
    try:
        return parse_day(request.GET.get(name), field=name)
    except InvalidInput:
        ignored.append(name)
        return None


def _keyword(request: HttpRequest, ignored: list[str]) -> str | None:
    """Words the title or description contains, or a tracking code; plain text of at most 50 characters."""
    raw = request.GET.get("q", "")
    try:
        return plain_text(raw, max_length=50, required=False) or None
    except ValueError:
        ignored.append("q")
        return None


def _ids(request: HttpRequest, ignored: list[str]) -> tuple[int, ...]:
    """A list of appeal ids (a hot issue's link), comma-separated, at most MAX_IDS."""
    raw = request.GET.get("ids", "").strip()
    if not raw:
        return ()
    parts = raw.split(",")
    if len(parts) > MAX_IDS or not all(p.isdigit() and len(p) <= 18 for p in parts):
        ignored.append("ids")
        return ()
    return tuple(int(p) for p in parts)


def _unit(request: HttpRequest, user: User, name: str, ignored: list[str]) -> Unit | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        ignored.append(name)
        return None
    return access_unit(user, int(raw))


def list_query(request: HttpRequest, user: User) -> ListQuery:
    """The filters of the request; one not understood is ignored (and said so), a region or unit outside the
    user's scope is 404, as if absent."""
    ignored: list[str] = []
    statuses = []
    for status in request.GET.getlist("status"):
        if status in AppealStatus.values:
            statuses.append(status)
        elif status:
            ignored.append("status")
    code = request.GET.get("region", "").strip()
    region = None
    if code:
        region = access_region(user, code)
    unit = _unit(request, user, "unit", ignored)
    return ListQuery(
        kind=_choice(request, "kind", AppealKind.values, ignored),
        statuses=tuple(statuses),
        category=request.GET.get("category", "").strip()[:40] or None,
        not_categories=tuple(c[:40] for c in request.GET.getlist("not_category") if c)[:50],
        region=region,
        created_from=_day(request, "from", ignored),
        created_to=_day(request, "to", ignored),
        lead_unit=_unit(request, user, "lead_unit", ignored),
        unit=unit,
        task=_choice(request, "task", list(TASK_STATES), ignored) if unit else None,
        overdue=request.GET.get("overdue", "") in TRUE,
        risk_colour=_choice(request, "risk_colour", [*RiskColour.values, NO_COLOUR], ignored),
        q=_keyword(request, ignored),
        ids=_ids(request, ignored),
        ignored=ignored,
    )


def region_choices(user: User) -> list[tuple[Region, int]]:
    """The counties and townships in the user's scope, each township after its county, with its depth."""
    areas = Region.objects.filter(level__in=(Region.Level.COUNTY, Region.Level.TOWNSHIP)).filter(
        user_scope(user).region_q("code")
    )
    return [(area, 0 if area.level == Region.Level.COUNTY else 1) for area in areas.order_by("code")]


@dataclass(frozen=True)
class ListRow:
    appeal: Appeal
    countdown: Countdown | None  # while a unit works the item


@login_required
def appeal_list(request: HttpRequest) -> HttpResponseBase:
    """The appeals the user may see, narrowed by the filters; ?export=xlsx answers the whole filtered list."""
    user = request_user(request)
    filters = list_query(request, user)
    if filters.ignored:
        messages.error(request, gettext("A filter was not understood and is ignored."))
    now = timezone.now()
    appeals = filters.rows(user, now=now)
    if request.GET.get("export") == "xlsx":
        return appeal_list_export(
            request=request,
            user=user,
            appeals=appeals.order_by(*LIST_ORDER),
            filters={k: v for k, v in filters.params().items() if v not in (None, "", [])},
        )
    one_page = filters.rows(user, now=now, paged=True).select_related(
        "category", "region__parent", "lead_unit"
    )
    page = keyset_page(request, one_page, LIST_ORDER)
    rows = [
        ListRow(
            appeal=appeal,
            countdown=countdown(appeal.resolve_due, now) if appeal.status in ACTIVE_STATUSES else None,
        )
        for appeal in page.items
    ]
    params = filters.params()
    context = {
        "filters": filters,
        "rows": rows,
        "total": appeals.count(),
        "kinds": AppealKind.choices,
        "statuses": AppealStatus.choices,
        "colours": [*RiskColour.choices, (NO_COLOUR, gettext("No colour"))],
        "categories": categories_active(),
        "regions": region_choices(user),
        "units": units_visible_to(user).filter(is_active=True).order_by("region_id", "name"),
        "extra": _extra_filters(filters),
        "next_url": query_string({**params, "cursor": page.next_cursor}) if page.next_cursor else None,
        "first_url": query_string(params) if request.GET.get("cursor") else None,
        "export_url": query_string({**params, "export": "xlsx"}),
        "clear_url": query_string({}),
        "countdown_formats": countdown_formats(),
    }
    return render(request, "appeals/appeal_list.html", context)


def _extra_filters(filters: ListQuery) -> list[str]:
    """The filters the form has no field for, spelled out above the list (they come from the dashboards)."""
    extra = []
    if filters.not_categories:
        names = Category.objects.filter(code__in=filters.not_categories).values_list("name", flat=True)
        extra.append(gettext("Categories other than: %(names)s") % {"names": "、".join(names)})
    if filters.unit is not None:
        state = dict(TaskStatus.choices).get(filters.task or "", gettext("open"))
        extra.append(gettext("%(unit)s has a part: %(state)s") % {"unit": filters.unit.name, "state": state})
    if len(filters.statuses) > 1:
        labels = dict(AppealStatus.choices)
        extra.append(
            gettext("Status: %(names)s") % {"names": "、".join(str(labels[s]) for s in filters.statuses)}
        )
    return extra
