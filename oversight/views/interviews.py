"""约谈 pages: the list with filters, keyset pages and an Excel export; the form prefilled from the metrics;
one interview with its actions."""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.errors import InvalidInput, NotFound
from core.exports import EXPORT_CHUNK, xlsx_response
from core.period import Period, parse_day, period_between
from core.web import add_details, keyset_page, query_string, refusals, request_user
from insights.selectors.metrics import DEFINITIONS
from org.permissions import access_unit, require_role
from oversight.forms import FollowUpForm, InterviewForm, InterviewHoldForm, PrefillForm, VersionForm
from oversight.models import Interview, InterviewStatus
from oversight.permissions import (
    OVERSIGHT_ROLES,
    access_interview,
    interviews_visible_to,
    is_overseer,
    may_oversee,
)
from oversight.selectors import INTERVIEW_ORDER, Prefill, falls_short, interview_list, interview_prefill
from oversight.services import (
    InterviewData,
    Reason,
    interview_close,
    interview_create,
    interview_follow_up,
    interview_hold,
)
from oversight.views.filters import filter_params, list_filters, unit_options

EXPORT_HEADERS = [
    _("Held on"),
    _("Unit"),
    _("Status"),
    _("Interviewee"),
    _("Interviewers"),
    _("Venue"),
    _("Reasons"),
    _("Commitments"),
    _("Follow-up due"),
    _("Follow-ups"),
    _("Linked appeals"),
    _("Recorded by"),
]


def reason_text(reason: dict[str, Any]) -> str:
    """约谈事由 as a line: 按时办结率 42% (2026-10-01 – 2026-10-31), the period by its inclusive last day (the
    reason keeps the exclusive `to` of the metrics API)."""
    definition = DEFINITIONS.get(reason.get("metric", ""))
    label = str(definition.label) if definition else reason.get("metric", "")
    value = reason.get("value")
    shown = "—" if value is None else f"{value * 100:.0f}%"
    ends = parse_day(str(reason.get("to") or ""), field="to")
    last = (ends - timedelta(days=1)).isoformat() if ends else ""
    return f"{label} {shown} ({reason.get('from')} – {last})"


@login_required
def interviews(request: HttpRequest) -> HttpResponseBase:
    """约谈: the interviews of the units in the user's scope, latest first; exported as Excel on request."""
    user = request_user(request)
    filters = list_filters(request, statuses=InterviewStatus.values)
    visible = interviews_visible_to(user)
    rows = interview_list(visible, filters)
    page = keyset_page(request, rows, INTERVIEW_ORDER)
    context = {
        "rows": page.items,
        "filters": filters,
        "statuses": InterviewStatus.choices,
        "units": unit_options(visible),
        "can_create": is_overseer(user),
        "next_url": query_string(**filter_params(filters, cursor=page.next_cursor))
        if page.next_cursor
        else None,
        "first_url": query_string(**filter_params(filters)) if request.GET.get("cursor") else None,
        "export_query": query_string(**filter_params(filters)),
    }
    return render(request, "oversight/interviews.html", context)


@login_required
def interviews_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered interview list as an .xlsx (audited)."""
    user = request_user(request)
    filters = list_filters(request, statuses=InterviewStatus.values)
    rows = (
        interview_list(interviews_visible_to(user), filters)
        .prefetch_related("appeals", "follow_ups")
        .order_by(*INTERVIEW_ORDER)
    )

    def lines() -> Any:
        for i in rows.iterator(chunk_size=EXPORT_CHUNK):
            yield (
                i.held_on,
                i.unit.name,
                i.get_status_display(),
                i.interviewee,
                i.interviewers,
                i.place,
                "\n".join(reason_text(r) for r in i.reasons),
                "\n".join(i.commitments),
                i.follow_up_due,
                len(i.follow_ups.all()),
                "、".join(a.code for a in i.appeals.all()),
                i.created_by.get_full_name(),
            )

    return xlsx_response(
        rows=lines(),
        headers=[str(h) for h in EXPORT_HEADERS],
        filename=f"约谈台账-{timezone.localdate():%Y%m%d}.xlsx",
        sheet="约谈台账",
        actor=user,
        request=request,
        what="interviews",
        filters={k: v for k, v in filter_params(filters).items() if v is not None},
        widths=(11, 22, 8, 10, 16, 16, 36, 40, 11, 6, 24, 10),
    )


def _prefill(request: HttpRequest, form: PrefillForm) -> tuple[Prefill | None, Period | None]:
    """The unit's rates over the chosen period, when the prefill form names both."""
    if not form.is_valid():
        return None, None
    user = request_user(request)
    try:
        unit = access_unit(user, form.cleaned_data["unit"])
        period = period_between(starts=form.cleaned_data["starts"], ends=form.cleaned_data["ends"])
    except InvalidInput as exc:
        add_details(form, exc, {"to": "ends"})
        return None, None
    return interview_prefill(user=user, unit=unit, period=period), period


@login_required
def interview_new(request: HttpRequest) -> HttpResponse:
    """A new interview; with a unit and a period, the metrics that fell short are offered as its reasons."""
    user = request_user(request)
    require_role(user, *OVERSIGHT_ROLES)
    prefill_form = PrefillForm(request.GET or None, user=user)
    prefill, period = _prefill(request, prefill_form) if request.GET else (None, None)
    if request.method == "POST":
        form = InterviewForm(request.POST, user=user)
        if form.is_valid():
            interview = _create(request, form)
            if interview is not None:
                messages.success(request, gettext("The interview was recorded."))
                return redirect("oversight:interview", interview.pk)
    else:
        initial: dict[str, Any] = {}
        if prefill is not None and period is not None:
            initial = {
                "unit": prefill_form.cleaned_data["unit"],
                "starts": period.starts,
                "ends": period.ends,
                "reasons": [r.metric for r in prefill.reasons],
            }
        form = InterviewForm(initial=initial, user=user)
    rates = (
        [
            (str(d.label), prefill.rates[key], falls_short(key, prefill.rates[key]))
            for key, d in DEFINITIONS.items()
        ]
        if prefill is not None
        else []
    )
    context = {"form": form, "prefill_form": prefill_form, "rates": rates}
    return render(request, "oversight/interview_new.html", context, status=400 if form.errors else 200)


def _create(request: HttpRequest, form: InterviewForm) -> Interview | None:
    """The interview from a valid form; its reasons carry the values the metrics give now."""
    user = request_user(request)
    data = form.cleaned_data
    try:
        unit = access_unit(user, data["unit"])
        reasons: tuple[Reason, ...] = ()
        if data["reasons"]:
            period = period_between(starts=data["starts"], ends=data["ends"])
            rates = interview_prefill(user=user, unit=unit, period=period).rates
            reasons = tuple(
                Reason(metric=key, value=rates[key], starts=period.starts, ends=period.ends)
                for key in data["reasons"]
            )
        return interview_create(
            actor=user,
            unit=unit,
            data=InterviewData(
                held_on=data["held_on"],
                place=data["place"],
                interviewers=data["interviewers"],
                interviewee=data["interviewee"],
                summary=data["summary"],
                commitments=tuple(data["commitments"]),
                follow_up_due=data["follow_up_due"],
                reasons=reasons,
                notice_id=data["notice"],
                appeal_ids=tuple(a.pk for a in data["appeals"]),
            ),
        )
    except InvalidInput as exc:
        add_details(form, exc, {"to": "ends"})
    return None


@login_required
def interview_detail(request: HttpRequest, interview_id: int) -> HttpResponse:
    """One interview: its reasons, commitments, appeals, follow-ups, and the actions its status allows."""
    user = request_user(request)
    interview = access_interview(user, interview_id)
    can_act = may_oversee(user, interview.unit)
    version = {"version": interview.version}
    status = interview.status
    context = {
        "interview": interview,
        "reasons": [reason_text(r) for r in interview.reasons],
        "appeals": list(interview.appeals.select_related("category").order_by("id")),
        "follow_ups": list(interview.follow_ups.select_related("by")),
        "rectifications": list(interview.rectifications.order_by("-created_at")),
        "can_act": can_act,
        "hold_form": InterviewHoldForm(initial=version | {"summary": interview.summary})
        if can_act and status == InterviewStatus.SCHEDULED
        else None,
        "follow_up_form": FollowUpForm(initial=version)
        if can_act and status in (InterviewStatus.HELD, InterviewStatus.FOLLOWED_UP)
        else None,
        "close_form": VersionForm(initial=version)
        if can_act and status == InterviewStatus.FOLLOWED_UP
        else None,
    }
    return render(request, "oversight/interview.html", context)


def _invalid(request: HttpRequest, form: Any) -> None:
    errors = [str(e) for errs in form.errors.values() for e in errs]
    messages.error(request, "；".join(errors[:3]) or gettext("Check the fields."))


@login_required
@require_POST
def interview_action(request: HttpRequest, interview_id: int, action: str) -> HttpResponse:
    """hold, follow-up or close; a refusal comes back as a message on the interview's page."""
    user = request_user(request)
    interview = access_interview(user, interview_id)
    forms_by_action = {"hold": InterviewHoldForm, "follow-up": FollowUpForm, "close": VersionForm}
    if action not in forms_by_action:
        raise NotFound()
    form = forms_by_action[action](request.POST)
    if not form.is_valid():
        _invalid(request, form)
        return redirect("oversight:interview", interview.pk)
    data = form.cleaned_data
    with refusals(request):
        if action == "hold":
            interview_hold(
                actor=user, interview=interview, summary=data["summary"], expected_version=data["version"]
            )
            messages.success(request, gettext("The interview is recorded as held."))
        elif action == "follow-up":
            interview_follow_up(
                actor=user,
                interview=interview,
                on=data["on"],
                note=data["note"],
                expected_version=data["version"],
            )
            messages.success(request, gettext("The follow-up was recorded."))
        else:
            interview_close(actor=user, interview=interview, expected_version=data["version"])
            messages.success(request, gettext("The interview is closed."))
    return redirect("oversight:interview", interview.pk)
