"""The decision report pages: the form (period presets or custom, a region in scope), the printable report and
its Word file. Leaders, supervisors and admins; a region out of scope is answered 404 like a missing one."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput
from core.period import (
    PRESETS,
    REPORTING_DEFAULT,
    Period,
    end_from_last_day,
    parse_day,
    percent,
    period_between,
    period_or_default,
    preset_period,
)
from core.web import request_user, url_with_query
from geo.models import Region
from insights.docx import decision_report_download, report_title
from insights.permissions import REPORT_ROLES, access_report
from insights.selectors.hot import CLUSTERING, HOTNESS_FORMULA
from insights.selectors.report import RED_DAYS, DecisionReport, change_words, decision_report, shown
from org.models import User
from org.permissions import regions_visible_to, require_role

CUSTOM: Promise = _("Custom period")
COLOUR_LABELS: dict[str, Promise] = {
    "red": _("Red"),
    "orange": _("Orange"),
    "yellow": _("Yellow"),
    "blue": _("Blue"),
}


def requested_period(request: HttpRequest) -> Period:
    """?from=&to= as the API reads them, the period [from, to); the last complete month when absent."""
    return period_or_default(
        starts=parse_day(request.GET.get("from"), field="from"),
        ends=parse_day(request.GET.get("to"), field="to"),
        preset=REPORTING_DEFAULT,
    )


def _period_params(period: Period, region: Region | None) -> dict[str, str | None]:
    return {
        "from": period.starts.isoformat(),
        "to": period.ends.isoformat(),
        "region": region.code if region else None,
    }


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
    last: str  # the inclusive last day, as people type it
    region: str


@login_required
def report_form(request: HttpRequest) -> HttpResponseBase:
    """The form; submitted (`go`), it resolves the preset and opens the printable report."""
    user = request_user(request)
    require_role(user, *REPORT_ROLES)
    state = FormState(
        preset=request.GET.get("preset", REPORTING_DEFAULT),
        starts=request.GET.get("from", "").strip(),
        last=request.GET.get("last", "").strip(),
        region=request.GET.get("region", "").strip(),
    )
    if request.GET.get("go"):
        region = access_report(user=user, region_code=state.region or None)
        try:
            if state.preset == "custom":
                starts = parse_day(state.starts, field="from")
                ends = end_from_last_day(parse_day(state.last, field="last"))
                if starts is None or ends is None:
                    raise InvalidInput("请填写开始和结束日期", code="invalid_input", details={"from": "必填"})
                period = period_between(starts=starts, ends=ends)
            else:
                period = preset_period(state.preset, timezone.localdate())
        except InvalidInput as exc:
            messages.error(request, exc.message)
        else:
            return redirect(url_with_query(reverse("insights:report-view"), _period_params(period, region)))
    context = {
        "state": state,
        "presets": [*PRESETS.items(), ("custom", CUSTOM)],
        "regions": region_options(user),
    }
    return render(request, "insights/report_form.html", context)


def _report(request: HttpRequest) -> DecisionReport | None:
    """The report the query asks for; None (with a message) when the period is not understood."""
    user = request_user(request)
    region = access_report(user=user, region_code=request.GET.get("region", "").strip() or None)
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
        return redirect("insights:report")
    context = {
        "report": report,
        "title": report_title(report),
        "period_words": report.period.text,
        "previous_words": report.previous.text,
        "numbers": [
            (n, shown(n, n.value), shown(n, n.previous), change_words(n)) for n in report.key_numbers
        ],
        "hot": [(h, percent(h.risk)) for h in report.hot],
        "colours": [(COLOUR_LABELS[c], c, n) for c, n in report.open_disputes.items()],
        "colour_labels": COLOUR_LABELS,
        "formula": HOTNESS_FORMULA,
        "clustering": CLUSTERING,
        "red_days": RED_DAYS,
        "docx_url": url_with_query(
            reverse("insights:report-docx"), _period_params(report.period, report.region)
        ),
        "form_url": reverse("insights:report"),
    }
    return render(request, "insights/report.html", context)


@login_required
def report_docx(request: HttpRequest) -> HttpResponseBase:
    """The Word file of the same report; audited."""
    report = _report(request)
    if report is None:
        return redirect("insights:report")
    return decision_report_download(report=report, actor=request_user(request), request=request)
