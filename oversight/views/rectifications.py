"""整改台账 pages: the ledger with filters, keyset pages and an Excel export; a new item; one item with its
progress updates, the unit's progress form and the supervisor's verification."""

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
from core.web import add_details, keyset_page, query_string, refusals, request_user
from org.permissions import access_unit, require_role
from oversight.forms import ProgressForm, RectificationForm, VerifyForm
from oversight.models import (
    RECTIFICATION_PENDING,
    Interview,
    Rectification,
    RectificationSource,
    RectificationStatus,
)
from oversight.permissions import (
    OVERSIGHT_ROLES,
    access_interview,
    access_rectification,
    is_overseer,
    may_oversee,
    may_report,
    rectifications_visible_to,
)
from oversight.selectors import OVERDUE, RECTIFICATION_ORDER, rectification_list
from oversight.services import (
    RectificationData,
    rectification_create,
    rectification_progress,
    rectification_verify,
)
from oversight.views.filters import filter_params, list_filters, unit_options

STATUSES = [*RectificationStatus.values, OVERDUE]
EXPORT_HEADERS = [
    _("Recorded on"),
    _("Source"),
    _("Responsible unit"),
    _("Problem"),
    _("Measures"),
    _("Due"),
    _("Status"),
    _("Overdue"),
    _("Latest progress"),
    _("Verification note"),
    _("Verified at"),
    _("Linked appeals"),
    _("Recorded by"),
]


def _filters(request: HttpRequest) -> Any:
    return list_filters(request, statuses=STATUSES, sources=RectificationSource.values)


@login_required
def rectifications(request: HttpRequest) -> HttpResponseBase:
    """整改台账: the rectification items of the units in the user's scope, newest first."""
    user = request_user(request)
    filters = _filters(request)
    visible = rectifications_visible_to(user)
    page = keyset_page(request, rectification_list(visible, filters), RECTIFICATION_ORDER)
    today = timezone.localdate()
    context = {
        "rows": [(r, r.is_overdue(today)) for r in page.items],
        "filters": filters,
        "statuses": [*RectificationStatus.choices, (OVERDUE, _("overdue"))],
        "sources": RectificationSource.choices,
        "units": unit_options(visible),
        "can_create": is_overseer(user),
        "next_url": query_string(**filter_params(filters, cursor=page.next_cursor))
        if page.next_cursor
        else None,
        "first_url": query_string(**filter_params(filters)) if request.GET.get("cursor") else None,
        "export_query": query_string(**filter_params(filters)),
    }
    return render(request, "oversight/rectifications.html", context)


@login_required
def rectifications_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered ledger as an .xlsx (audited)."""
    user = request_user(request)
    filters = _filters(request)
    rows = (
        rectification_list(rectifications_visible_to(user), filters)
        .prefetch_related("appeals", "updates")
        .order_by(*RECTIFICATION_ORDER)
    )
    today = timezone.localdate()

    def lines() -> Any:
        for r in rows.iterator(chunk_size=EXPORT_CHUNK):
            updates = list(r.updates.all())
            yield (
                timezone.localtime(r.created_at).date(),
                r.get_source_display(),
                r.unit.name,
                r.problem,
                r.measures,
                r.due,
                r.get_status_display(),
                gettext("yes") if r.is_overdue(today) else "",
                updates[-1].note if updates else "",
                r.verification_note,
                r.verified_at,
                "、".join(a.code for a in r.appeals.all()),
                r.created_by.get_full_name(),
            )

    return xlsx_response(
        rows=lines(),
        headers=[str(h) for h in EXPORT_HEADERS],
        filename=f"整改台账-{timezone.localdate():%Y%m%d}.xlsx",
        sheet="整改台账",
        actor=user,
        request=request,
        what="rectifications",
        filters={k: v for k, v in filter_params(filters).items() if v is not None},
        widths=(11, 10, 22, 40, 40, 11, 8, 6, 30, 30, 16, 24, 10),
    )


@login_required
def rectification_new(request: HttpRequest) -> HttpResponse:
    """A new rectification item; from an interview's page it is that interview's, for its unit."""
    user = request_user(request)
    require_role(user, *OVERSIGHT_ROLES)
    interview: Interview | None = None
    wanted = request.POST.get("interview") or request.GET.get("interview")
    if wanted:
        if not str(wanted).isdigit():
            raise NotFound()
        interview = access_interview(user, int(wanted))
    initial = {"interview": interview.pk, "unit": interview.unit_id} if interview else {}
    form = RectificationForm(request.POST or None, initial=initial, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = rectification_create(
                actor=user,
                unit=access_unit(user, data["unit"]),
                data=RectificationData(
                    source=data["source"],
                    problem=data["problem"],
                    measures=data["measures"],
                    due=data["due"],
                    interview_id=interview.pk if interview else None,
                    appeal_ids=tuple(a.pk for a in data["appeals"]),
                ),
            )
        except InvalidInput as exc:
            add_details(form, exc)
        else:
            messages.success(request, gettext("The rectification item was opened."))
            return redirect("oversight:rectification", item.pk)
    context = {"form": form, "interview": interview}
    return render(request, "oversight/rectification_new.html", context, status=400 if form.errors else 200)


@login_required
def rectification_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    """One item: problem, measures, due date, appeals, progress updates, and the actions open to the user."""
    user = request_user(request)
    item: Rectification = access_rectification(user, item_id)
    version = {"version": item.version}
    context = {
        "item": item,
        "overdue": item.is_overdue(),
        "appeals": list(item.appeals.select_related("category").order_by("id")),
        "updates": list(item.updates.select_related("by")),
        "progress_form": ProgressForm(initial=version)
        if item.status in RECTIFICATION_PENDING and may_report(user, item)
        else None,
        "verify_form": VerifyForm(initial=version | {"passed": "1"})
        if item.status == RectificationStatus.DONE and may_oversee(user, item.unit)
        else None,
    }
    return render(request, "oversight/rectification.html", context)


@login_required
@require_POST
def rectification_action(request: HttpRequest, item_id: int, action: str) -> HttpResponse:
    """progress or verify; a refusal comes back as a message on the item's page."""
    user = request_user(request)
    item = access_rectification(user, item_id)
    forms_by_action = {"progress": ProgressForm, "verify": VerifyForm}
    if action not in forms_by_action:
        raise NotFound()
    form = forms_by_action[action](request.POST)
    if not form.is_valid():
        errors = [str(e) for errs in form.errors.values() for e in errs]
        messages.error(request, "；".join(errors[:3]))
        return redirect("oversight:rectification", item.pk)
    data = form.cleaned_data
    with refusals(request):
        if action == "progress":
            rectification_progress(
                actor=user, item=item, note=data["note"], done=data["done"], expected_version=data["version"]
            )
            messages.success(request, gettext("The progress was reported."))
        else:
            rectification_verify(
                actor=user,
                item=item,
                passed=data["passed"],
                note=data["note"],
                expected_version=data["version"],
            )
            messages.success(request, gettext("The verification was recorded."))
    return redirect("oversight:rectification", item.pk)
