"""通报 pages: the list with filters, keyset pages and an Excel export; drafting from a period and a region; the
notice as an official-looking page, edited section by section while a draft; publishing; the Word file."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import Forbidden, InvalidInput, NotFound
from core.exports import EXPORT_CHUNK, xlsx_response
from core.officedoc import chinese_number
from core.period import period_between, reporting_period
from core.web import add_details, keyset_page, query_string, refusals, request_user
from geo.models import Region
from org.models import User
from oversight.docx import notice_docx_response
from oversight.forms import NoticeForm
from oversight.models import Notice, NoticeStatus
from oversight.permissions import (
    access_notice,
    may_write_notice,
    notice_regions,
    notices_visible_to,
    require_notice_reader,
    require_notice_writer,
)
from oversight.selectors.notices import (
    NOTICE_ORDER,
    SECTION_KEYS,
    NoticeFilters,
    notice_list,
    paragraphs,
    section,
)
from oversight.services.notices import NoticeEdit, notice_draft, notice_edit, notice_publish

EXPORT_HEADERS = [
    _("Document number"),
    _("Title"),
    _("Issuer"),
    _("Region"),
    _("Period from"),
    _("Period to (last day)"),
    _("Status"),
    _("Drafted by"),
    _("Drafted at"),
    _("Published at"),
]


def _reader(request: HttpRequest) -> User:
    user = request_user(request)
    require_notice_reader(user)
    return user


def _filters(request: HttpRequest, visible: Any) -> NoticeFilters:
    status = request.GET.get("status", "").strip()
    code = request.GET.get("region", "").strip()
    raw_year = request.GET.get("year", "").strip()
    region = None
    if code:
        region = Region.objects.filter(pk=code, code__in=visible.values("region_id")).first()
        if region is None:
            messages.error(request, gettext("A filter was not understood and is ignored."))
    year = int(raw_year) if raw_year.isdigit() and 2000 <= int(raw_year) <= 2100 else None
    if raw_year and year is None:
        messages.error(request, gettext("A filter was not understood and is ignored."))
    return NoticeFilters(status=status if status in NoticeStatus.values else None, region=region, year=year)


def _params(filters: NoticeFilters, **extra: Any) -> dict[str, Any]:
    return {
        "status": filters.status,
        "region": filters.region.code if filters.region else None,
        "year": filters.year,
        **extra,
    }


@login_required
def notices(request: HttpRequest) -> HttpResponseBase:
    """通报: the notices the user may read, newest first."""
    user = _reader(request)
    visible = notices_visible_to(user)
    filters = _filters(request, visible)
    page = keyset_page(request, notice_list(visible, filters), NOTICE_ORDER)
    context = {
        "rows": page.items,
        "filters": filters,
        "statuses": NoticeStatus.choices,
        "regions": Region.objects.filter(code__in=visible.values("region_id")).order_by("code"),
        "can_create": notice_regions(user).exists(),
        "next_url": query_string(**_params(filters, cursor=page.next_cursor)) if page.next_cursor else None,
        "first_url": query_string(**_params(filters)) if request.GET.get("cursor") else None,
        "export_query": query_string(**_params(filters)),
    }
    return render(request, "oversight/notices.html", context)


@login_required
def notices_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered list as an .xlsx (audited)."""
    user = _reader(request)
    visible = notices_visible_to(user)
    filters = _filters(request, visible)
    rows = notice_list(visible, filters).order_by(*NOTICE_ORDER)
    statuses = dict(NoticeStatus.choices)

    def lines() -> Any:
        for n in rows.iterator(chunk_size=EXPORT_CHUNK):
            yield (
                n.number,
                n.title,
                n.issuer,
                n.region.name,
                n.period_starts,
                n.period_last_day,
                str(statuses.get(n.status, n.status)),
                n.created_by.get_full_name(),
                n.created_at,
                n.published_at,
            )

    return xlsx_response(
        rows=lines(),
        headers=[str(h) for h in EXPORT_HEADERS],
        filename=f"通报-{timezone.localdate():%Y%m%d}.xlsx",
        sheet="通报",
        actor=user,
        request=request,
        what="notices",
        filters={k: v for k, v in _params(filters).items() if v is not None},
        widths=(24, 50, 30, 16, 11, 11, 8, 10, 17, 17),
    )


@login_required
def notice_new(request: HttpRequest) -> HttpResponse:
    """Draft a notice from the metrics of a period and a region (the last complete month by default)."""
    user = request_user(request)
    require_notice_writer(user)
    default = reporting_period()
    initial = {"starts": default.starts, "ends": default.ends}
    form = NoticeForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            region = notice_regions(user).get(pk=data["region"])
            period = period_between(starts=data["starts"], ends=data["ends"])
            notice = notice_draft(user=user, period=period, region=region)
        except Region.DoesNotExist:
            raise NotFound("区划不存在") from None
        except InvalidInput as exc:
            add_details(form, exc, aliases={"to": "ends", "from": "starts"})
        else:
            messages.success(request, gettext("The notice was drafted from the metrics; check and edit it."))
            return redirect("oversight:notice", notice.pk)
    return render(request, "oversight/notice_new.html", {"form": form}, status=400 if form.errors else 200)


def _sections(notice: Notice) -> list[dict[str, Any]]:
    return [
        {**part, "numeral": chinese_number(i), "paragraphs": paragraphs(part.get("text", ""))}
        for i, part in enumerate(notice.content.get("sections", []), start=1)
    ]


@login_required
def notice_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    """The notice as it will be printed; a draft's texts are edited here, section by section."""
    user = _reader(request)
    notice: Notice = access_notice(user, notice_id)
    editable = notice.status == NoticeStatus.DRAFT and may_write_notice(user, notice)
    if request.method == "POST":
        if not editable:
            raise Forbidden(gettext("Only a draft can be edited, by its supervisors."))
        version = request.POST.get("version", "")
        edit = NoticeEdit(
            title=request.POST.get("title"),
            addressee=request.POST.get("addressee"),
            sections={key: request.POST[key] for key in SECTION_KEYS if key in request.POST},
        )
        with refusals(request):
            notice_edit(
                notice=notice,
                actor=user,
                expected_version=int(version) if version.isdigit() else 0,
                edit=edit,
            )
            messages.success(request, gettext("The draft was saved."))
        return redirect("oversight:notice", notice.pk)
    context = {
        "notice": notice,
        "sections": _sections(notice),
        "definitions": notice.content.get("definitions", []),
        "editable": editable,
        "is_draft": notice.status == NoticeStatus.DRAFT,
    }
    return render(request, "oversight/notice.html", context)


@login_required
def notice_publish_view(request: HttpRequest, notice_id: int) -> HttpResponse:
    """印发 in two steps, without script: a draft's supervisor first sees what goes out (title, period, the units
    named as lagging) and confirms; the confirmed POST gives the next document number. A refusal comes back as a
    message on the notice's page."""
    user = _reader(request)
    notice: Notice = access_notice(user, notice_id)
    confirmed = request.method == "POST" and request.POST.get("confirm") == "1"
    if not confirmed and notice.status == NoticeStatus.DRAFT and may_write_notice(user, notice):
        lagging = [item["name"] for item in (section(notice, "problems") or {}).get("items", [])]
        return render(request, "oversight/notice_publish.html", {"notice": notice, "lagging": lagging})
    if request.method != "POST":
        return redirect("oversight:notice", notice.pk)
    version = request.POST.get("version", "")
    with refusals(request):
        published = notice_publish(
            notice=notice, actor=user, expected_version=int(version) if version.isdigit() else 0
        )
        messages.success(request, gettext("Published as %(number)s.") % {"number": published.number})
    return redirect("oversight:notice", notice.pk)


@login_required
def notice_docx_view(request: HttpRequest, notice_id: int) -> HttpResponse:
    """The Word file in the official document layout."""
    user = _reader(request)
    return notice_docx_response(access_notice(user, notice_id), actor=user, request=request)
