"""经验做法 pages: the library with filters, keyset pages and an Excel export; writing, editing, publishing."""

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

from appeals.models import Category
from core.errors import InvalidInput, NotFound
from core.exports import EXPORT_CHUNK, xlsx_response
from core.web import add_details, keyset_page, query_string, refusals, request_user
from org.permissions import access_unit, require_role
from oversight.forms import PracticeForm, VersionForm
from oversight.models import GoodPractice
from oversight.permissions import (
    OVERSIGHT_ROLES,
    access_practice,
    is_overseer,
    may_oversee,
    practices_visible_to,
)
from oversight.selectors import PRACTICE_ORDER, practice_list
from oversight.services import PracticeData, practice_create, practice_edit, practice_publish
from oversight.views.filters import filter_params, list_filters, unit_options

STATUSES = [("published", _("published")), ("draft", _("draft"))]
EXPORT_HEADERS = [
    _("Title"),
    _("Unit"),
    _("Category"),
    _("Tags"),
    _("Period from"),
    _("Period to (last day)"),
    _("Published"),
    _("Summary"),
    _("Body"),
]


def _filters(request: HttpRequest) -> Any:
    categories = list(Category.objects.filter(is_active=True).values_list("code", flat=True))
    return list_filters(request, statuses=[s for s, _label in STATUSES], categories=categories)


@login_required
def practices(request: HttpRequest) -> HttpResponseBase:
    """经验做法: the good practices of the units in the user's scope, latest period first."""
    user = request_user(request)
    filters = _filters(request)
    visible = practices_visible_to(user)
    page = keyset_page(request, practice_list(visible, filters), PRACTICE_ORDER)
    overseer = is_overseer(user)
    context = {
        "rows": page.items,
        "filters": filters,
        "statuses": STATUSES if overseer else [],
        "categories": Category.objects.filter(is_active=True, parent__isnull=True),
        "units": unit_options(visible),
        "can_create": overseer,
        "next_url": query_string(**filter_params(filters, cursor=page.next_cursor))
        if page.next_cursor
        else None,
        "first_url": query_string(**filter_params(filters)) if request.GET.get("cursor") else None,
        "export_query": query_string(**filter_params(filters)),
    }
    return render(request, "oversight/practices.html", context)


@login_required
def practices_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered library as an .xlsx (audited)."""
    user = request_user(request)
    filters = _filters(request)
    rows = practice_list(practices_visible_to(user), filters).order_by(*PRACTICE_ORDER)

    def lines() -> Any:
        for p in rows.iterator(chunk_size=EXPORT_CHUNK):
            yield (
                p.title,
                p.unit.name,
                p.category.name if p.category else "",
                "、".join(p.tags),
                p.period_starts,
                p.period_last_day,
                gettext("yes") if p.is_published else gettext("no"),
                p.summary,
                p.body,
            )

    return xlsx_response(
        rows=lines(),
        headers=[str(h) for h in EXPORT_HEADERS],
        filename=f"经验做法-{timezone.localdate():%Y%m%d}.xlsx",
        sheet="经验做法",
        actor=user,
        request=request,
        what="good_practices",
        filters={k: v for k, v in filter_params(filters).items() if v is not None},
        widths=(30, 22, 14, 20, 11, 11, 6, 40, 60),
    )


def _data(form: PracticeForm) -> PracticeData:
    data = form.cleaned_data
    return PracticeData(
        title=data["title"],
        summary=data["summary"],
        body=data["body"],
        category_id=data["category"],
        tags=tuple(data["tags"]),
        period_starts=data["period_starts"],
        period_ends=data["period_ends"],
    )


@login_required
def practice_new(request: HttpRequest) -> HttpResponse:
    """Write up a good practice; it stays a draft until published."""
    user = request_user(request)
    require_role(user, *OVERSIGHT_ROLES)
    form = PracticeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            practice = practice_create(
                actor=user, unit=access_unit(user, form.cleaned_data["unit"]), data=_data(form)
            )
        except InvalidInput as exc:
            add_details(form, exc)
        else:
            messages.success(request, gettext("The good practice was saved as a draft."))
            return redirect("oversight:practice", practice.pk)
    context = {"form": form, "practice": None}
    return render(request, "oversight/practice_form.html", context, status=400 if form.errors else 200)


@login_required
def practice_edit_page(request: HttpRequest, practice_id: int) -> HttpResponse:
    """Edit the write-up; the unit stays."""
    user = request_user(request)
    require_role(user, *OVERSIGHT_ROLES)
    practice: GoodPractice = access_practice(user, practice_id)
    if not may_oversee(user, practice.unit):
        raise NotFound()
    initial = {
        "unit": practice.unit_id,
        "title": practice.title,
        "summary": practice.summary,
        "body": practice.body,
        "category": practice.category_id,
        "tags": "，".join(practice.tags),
        "period_starts": practice.period_starts,
        "period_ends": practice.period_ends,
    }
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None:
        data["unit"] = str(practice.unit_id)
    form = PracticeForm(data, initial=initial, user=user)
    form.fields["unit"].disabled = True
    if request.method == "POST" and form.is_valid():
        version = request.POST.get("version", "")
        with refusals(request):
            practice_edit(
                actor=user,
                practice=practice,
                data=_data(form),
                expected_version=int(version) if version.isdigit() else 0,
            )
            messages.success(request, gettext("The good practice was saved."))
            return redirect("oversight:practice", practice.pk)
    context = {"form": form, "practice": practice}
    return render(request, "oversight/practice_form.html", context, status=400 if form.errors else 200)


@login_required
def practice_detail(request: HttpRequest, practice_id: int) -> HttpResponse:
    user = request_user(request)
    practice = access_practice(user, practice_id)
    can_act = may_oversee(user, practice.unit)
    context = {
        "practice": practice,
        "can_act": can_act,
        "publish_form": VersionForm(initial={"version": practice.version}) if can_act else None,
    }
    return render(request, "oversight/practice.html", context)


@login_required
@require_POST
def practice_action(request: HttpRequest, practice_id: int, action: str) -> HttpResponse:
    """publish or unpublish; a refusal comes back as a message on the practice's page."""
    user = request_user(request)
    practice = access_practice(user, practice_id)
    if action not in ("publish", "unpublish"):
        raise NotFound()
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Check the fields."))
        return redirect("oversight:practice", practice.pk)
    with refusals(request):
        practice_publish(
            actor=user,
            practice=practice,
            published=action == "publish",
            expected_version=form.cleaned_data["version"],
        )
        messages.success(
            request,
            gettext("The good practice was published.")
            if action == "publish"
            else gettext("The good practice was withdrawn to a draft."),
        )
    return redirect("oversight:practice", practice.pk)
