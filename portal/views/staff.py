"""The unit's side of consultations (征集): its list, creating and editing one, publishing it, and reading the
answers (by question and by similar text) to adopt them with a public reply. Signed-in members of the unit."""

from dataclasses import replace
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import Forbidden, InvalidInput, StaleVersion
from core.web import add_details, keyset_page, query_string, refusals, request_user, url_with_query
from org.models import User
from portal.exports import consultation_answers_xlsx
from portal.forms import ConsultationEditForm
from portal.models import Consultation, ConsultationAnswer
from portal.permissions import (
    NOT_RUNNING_MESSAGE,
    access_consultation_unit,
    access_unit_answer,
    access_unit_consultation,
    consultation_run_units,
    consultation_units,
    may_read_consultations,
    may_run_consultation,
    unit_consultations,
)
from portal.selectors import (
    ANSWER_ORDER,
    CONSULTATION_ORDER,
    answer_cards,
    answers_by_question,
    consultation_answer_rows,
    consultation_list,
)
from portal.services import (
    ConsultationData,
    consultation_adopt,
    consultation_create,
    consultation_edit,
    consultation_publish,
)


def _member(request: HttpRequest) -> User:
    user = request_user(request)
    if not may_read_consultations(user):
        raise Forbidden("只有单位工作人员可以查看征集")
    return user


def _runner(request: HttpRequest) -> User:
    user = request_user(request)
    if not may_run_consultation(user):
        raise Forbidden(NOT_RUNNING_MESSAGE)
    return user


@login_required
@require_GET
def consultations(request: HttpRequest) -> HttpResponse:
    """The consultations of the user's units, latest period first, with their answers and adoptions."""
    user = _member(request)
    page = keyset_page(request, consultation_list(unit_consultations(user)), CONSULTATION_ORDER)
    context = {
        "rows": page.items,
        "runs": may_run_consultation(user),
        "run_units": consultation_run_units(user),
        "next_url": query_string(cursor=page.next_cursor) if page.next_cursor else None,
        "first_url": "?" if request.GET.get("cursor") else None,
    }
    return render(request, "portal/staff_consultations.html", context)


def _data(form: ConsultationEditForm, questions: list[dict[str, Any]]) -> ConsultationData:
    data = form.cleaned_data
    return ConsultationData(
        title=data["title"], text=data["text"], starts=data["starts"], ends=data["ends"], questions=questions
    )


def _form_page(
    request: HttpRequest,
    form: ConsultationEditForm,
    consultation: Consultation | None,
    *,
    status: int = 200,
    answered: int = 0,
) -> HttpResponse:
    context = {"form": form, "consultation": consultation, "answered": answered}
    return render(request, "portal/staff_consultation_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def consultation_new(request: HttpRequest) -> HttpResponse:
    """A new consultation of one of the user's units, saved as a draft."""
    user = _runner(request)
    units = [(u.pk, u.name) for u in consultation_units(user)]
    today = timezone.localdate()
    initial = {"starts": today, "ends": today + timedelta(days=30), "q0_kind": "text"}
    form = ConsultationEditForm(request.POST or None, units=units, initial=initial)
    if request.method == "GET":
        return _form_page(request, form, None)
    if form.is_valid():
        try:
            created = consultation_create(
                actor=user,
                unit=access_consultation_unit(user, form.cleaned_data["unit"]),
                data=_data(form, form.questions()),
                request=request,
            )
        except InvalidInput as exc:
            add_details(form, exc)
        else:
            messages.success(
                request, gettext("The consultation was saved as a draft; publish it when ready.")
            )
            return redirect("portal:staff_consultation_edit", created.pk)
    return _form_page(request, form, None, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def consultation_edit_page(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """Edit a consultation; its questions are frozen once answered; an edit of a stale version is refused."""
    user = request_user(request)
    item = access_unit_consultation(user, consultation_id, to_run=True)
    answered = item.answers.count()
    form = ConsultationEditForm(
        request.POST if request.method == "POST" else None,
        initial=ConsultationEditForm.initial_for(item),
        questions_frozen=answered > 0,
    )
    if request.method == "GET":
        return _form_page(request, form, item, answered=answered)
    status = 422
    if form.is_valid():
        version = request.POST.get("version", "")
        questions = item.questions if form.questions_frozen else form.questions()
        try:
            consultation_edit(
                actor=user,
                consultation=item,
                data=_data(form, questions),
                expected_version=int(version) if version.isdigit() else 0,
                request=request,
            )
        except InvalidInput as exc:
            add_details(form, exc)
        except StaleVersion as exc:
            form.add_error(None, exc.message)
            status = 409
        else:
            messages.success(request, gettext("The consultation was saved."))
            return redirect("portal:staff_consultation_edit", item.pk)
    return _form_page(request, form, item, status=status, answered=answered)


@login_required
@require_POST
def consultation_publish_page(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """Publish on the portal or withdraw; a refusal comes back as a message on the edit page."""
    user = request_user(request)
    item = access_unit_consultation(user, consultation_id, to_run=True)
    version = request.POST.get("version", "")
    published = request.POST.get("published") == "1"
    with refusals(request):
        consultation_publish(
            actor=user,
            consultation=item,
            published=published,
            expected_version=int(version) if version.isdigit() else 0,
            request=request,
        )
        messages.success(
            request,
            gettext("Published on the portal.") if published else gettext("Withdrawn from the portal."),
        )
    return redirect("portal:staff_consultation_edit", item.pk)


# The answers page's tabs: all answers, the adopted ones, those not adopted yet (?adopted=1 / 0).
_ADOPTED_TABS = {"": None, "1": True, "0": False}


def _adopted_tab(request: HttpRequest) -> tuple[str, bool | None]:
    """The tab asked for (an unknown one is the whole list) and the adoption it selects."""
    tab = request.GET.get("adopted", "")
    return (tab, _ADOPTED_TABS[tab]) if tab in _ADOPTED_TABS else ("", None)


def _answers_page(
    request: HttpRequest,
    item: Consultation,
    *,
    refused: tuple[ConsultationAnswer, str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    tab, adopted = _adopted_tab(request)
    page = keyset_page(request, consultation_answer_rows(item, adopted=adopted), ANSWER_ORDER)
    cards = answer_cards(page.items)
    if refused is not None:
        # The refused answer first with what was typed and why, wherever it stands in the list.
        answer, message, typed = refused
        [card] = answer_cards([answer])
        cards = [replace(card, reply=typed, error=message), *(c for c in cards if c.answer.pk != answer.pk)]
    numbers = item.answers.aggregate(total=Count("pk"), adopted=Count("pk", filter=Q(adopted=True)))
    total, adopted_n = numbers["total"], numbers["adopted"]
    labels = {"": gettext("All"), "1": pgettext("answers", "Adopted"), "0": gettext("Not adopted")}
    counts = {"": total, "1": adopted_n, "0": total - adopted_n}
    path = reverse("portal:answers", args=[item.pk])
    context = {
        "consultation": item,
        "groups": answers_by_question(item),
        "total": total,
        "adopted": adopted_n,
        "cards": cards,
        "runs": may_run_consultation(request_user(request), item),
        "tab": tab,
        "tabs": [
            {
                "key": key,
                "url": url_with_query(path, adopted=key) + "#adopt",
                "label": labels[key],
                "count": counts[key],
            }
            for key in _ADOPTED_TABS
        ],
        "tabs_label": gettext("Answers by adoption"),
        "next_url": query_string(adopted=tab, cursor=page.next_cursor) if page.next_cursor else None,
        "first_url": query_string(adopted=tab) if request.GET.get("cursor") else None,
    }
    return render(request, "portal/answers.html", context, status=status)


@login_required
@require_GET
def answers(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """The unit's page of a consultation's answers: by question, by similar text, and one by one to adopt."""
    item = access_unit_consultation(request_user(request), consultation_id)
    return _answers_page(request, item)


@login_required
@require_POST
def answer_adopt(request: HttpRequest, consultation_id: int, answer_id: int) -> HttpResponse:
    """采纳 with the public reply, or take the adoption back; a refusal is shown beside the answer."""
    user = request_user(request)
    answer = access_unit_answer(user, consultation_id, answer_id)
    adopted = request.POST.get("adopted") == "1"
    reply = request.POST.get("public_reply", "")
    try:
        consultation_adopt(answer=answer, adopted=adopted, public_reply=reply, actor=user, request=request)
    except InvalidInput as exc:
        item = answer.consultation
        messages.error(request, exc.message)
        return _answers_page(request, item, refused=(answer, exc.message, reply), status=422)
    messages.success(
        request,
        gettext("Adopted; the reply shows on the portal.")
        if adopted
        else gettext("The adoption was taken back."),
    )
    url = url_with_query(
        reverse("portal:answers", args=[consultation_id]),
        adopted=request.POST.get("tab"),
        cursor=request.POST.get("cursor"),
    )
    return redirect(f"{url}#answer-{answer.pk}")


@login_required
@require_GET
def answers_xlsx(request: HttpRequest, consultation_id: int) -> FileResponse:
    """The answers as the page's tab shows them (all, adopted, not adopted), to Excel."""
    item = access_unit_consultation(request_user(request), consultation_id)
    _, adopted = _adopted_tab(request)
    return consultation_answers_xlsx(
        request=request, actor=request_user(request), consultation=item, adopted=adopted
    )
