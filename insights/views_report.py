"""The decision report pages: the form (period presets or custom, a region in scope), the printable report and
its Word file. Leaders, supervisors and admins; a region out of scope is answered 404 like a missing one."""

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from appeals.views.common import query, request_user
from core.errors import Forbidden, InvalidInput, NotFound
from geo.models import Region
from insights.report_docx import decision_report_download, report_title
from insights.selectors.hot import HOTNESS_FORMULA
from insights.selectors.metrics import Period, period_between, preset_period
from insights.selectors.report import (
    RED_DAYS,
    REPORT_ROLES,
    DecisionReport,
    access_report,
    change_words,
    decision_report,
    percent,
    period_words,
    shown,
)
from org.models import User
from org.permissions import regions_visible_to, require_role

PRESETS: dict[str, Promise] = {
    "this_month": _("This month so far"),
    "last_month": _("Last month"),
    "this_quarter": _("This quarter so far"),
    "last_quarter": _("Last quarter"),
    "this_year": _("This year so far"),
    "custom": _("Custom period"),
}
COLOUR_LABELS: dict[str, Promise] = {
    "red": _("Red"),
    "orange": _("Orange"),
    "yellow": _("Yellow"),
    "blue": _("Blue"),
}


def _day(raw: str, field: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("日期格式应为YYYY-MM-DD", code="invalid_input", details={field: raw}) from None


def requested_period(request: HttpRequest) -> Period:
    """?from=&to= as the API reads them, the period [from, to); this month so far when absent."""
    default = preset_period("this_month", timezone.localdate())
    starts = _day(request.GET.get("from", "").strip(), "from") or default.starts
    ends = _day(request.GET.get("to", "").strip(), "to") or default.ends
    return period_between(starts=starts, ends=ends)


def _region(user: User, code: str) -> Region | None:
    """The report's region as the web answers it: 403 for a role that reads no reports, 404 out of scope."""
    try:
        return access_report(user=user, region_code=code or None)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    except NotFound as exc:
        raise Http404(exc.message) from None


def region_options(user: User) -> list[Region]:
    """The prefecture, counties and townships the user may report on, in code order (a tree by code)."""
    return list(
        regions_visible_to(user)
        .filter(level__in=[Region.Level.PREFECTURE, Region.Level.COUNTY, Region.Level.TOWNSHIP])
        .order_by("code")
    )


@dataclass(frozen=True)
class FormState:
    preset: str
    starts: str
    ends: str
    region: str


@login_required
def report_form(request: HttpRequest) -> HttpResponseBase:
    """The form; submitted (`go`), it resolves the preset and opens the printable report."""
    user = request_user(request)
    try:
        require_role(user, *REPORT_ROLES)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    state = FormState(
        preset=request.GET.get("preset", "this_month"),
        starts=request.GET.get("from", "").strip(),
        ends=request.GET.get("to", "").strip(),
        region=request.GET.get("region", "").strip(),
    )
    if request.GET.get("go"):
        region = _region(user, state.region)
        try:
            if state.preset == "custom":
                starts, ends = _day(state.starts, "from"), _day(state.ends, "to")
                if starts is None or ends is None:
                    raise InvalidInput("请填写开始和结束日期", code="invalid_input", details={"from": "必填"})
                period = period_between(starts=starts, ends=ends)
            else:
                period = preset_period(state.preset, timezone.localdate())
        except InvalidInput as exc:
            messages.error(request, exc.message)
        else:
            params = query(
                **{"from": period.starts.isoformat(), "to": period.ends.isoformat()},
                region=region.code if region else None,
            )
            return redirect(reverse("report:view") + params)
    context = {
        "state": state,
        "presets": list(PRESETS.items()),
        "regions": region_options(user),
    }
    return render(request, "insights/report_form.html", context)


def _report(request: HttpRequest) -> DecisionReport | None:
    """The report the query asks for; None (with a message) when the period is not understood."""
    user = request_user(request)
    region = _region(user, request.GET.get("region", "").strip())
    try:
        period = requested_period(request)
        return decision_report(user=user, period=period, region=region)
    except InvalidInput as exc:
        messages.error(request, exc.message)
        return None


@login_required
def report_view(request: HttpRequest) -> HttpResponseBase:
    """The printable report: A4, no navigation when printed, each part on a new page."""
    report = _report(request)
    if report is None:
        return redirect("report:form")
    params = query(
        **{"from": report.period.starts.isoformat(), "to": report.period.ends.isoformat()},
        region=report.region.code if report.region else None,
    )
    context = {
        "report": report,
        "title": report_title(report),
        "period_words": period_words(report.period),
        "previous_words": period_words(report.previous),
        "numbers": [
            (n, shown(n, n.value), shown(n, n.previous), change_words(n)) for n in report.key_numbers
        ],
        "hot": [(h, percent(h.risk)) for h in report.hot],
        "colours": [(COLOUR_LABELS[c], c, n) for c, n in report.open_disputes.items()],
        "colour_labels": COLOUR_LABELS,
        "formula": HOTNESS_FORMULA,
        "red_days": RED_DAYS,
        "docx_url": reverse("report:docx") + params,
        "form_url": reverse("report:form"),
    }
    return render(request, "insights/report.html", context)


@login_required
def report_docx(request: HttpRequest) -> HttpResponseBase:
    """The Word file of the same report; audited."""
    report = _report(request)
    if report is None:
        return redirect("report:form")
    return decision_report_download(report=report, actor=request_user(request), request=request)
