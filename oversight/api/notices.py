"""The notices API (DESIGN §10): draft a notice from the metrics, edit it, publish it, download it as Word."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from core.api import ErrorOut, Page, responses
from core.officedoc import DOCX_CONTENT_TYPE
from core.pagination import keyset_paginate
from core.period import period_between
from org.auth import api_user
from org.permissions import access_region
from oversight.docx import notice_docx_response
from oversight.models import Notice
from oversight.permissions import (
    access_notice,
    notices_visible_to,
    require_notice_reader,
    require_notice_writer,
)
from oversight.schemas import NoticeEditIn, NoticeIn, NoticeListItem, NoticeOut, NoticeQuery, VersionIn
from oversight.selectors.notices import NOTICE_ORDER, NoticeFilters, notice_list
from oversight.services.notices import NoticeEdit, notice_draft, notice_edit, notice_publish

router = Router()


def _out(notice: Notice, *, content: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": notice.pk,
        "title": notice.title,
        "issuer": notice.issuer,
        "number": notice.number,
        "status": notice.status,
        "version": notice.version,
        "period": {"starts": notice.period_starts, "ends": notice.period_ends},
        "region": {"code": notice.region.code, "name": notice.region.name},
        "created_at": notice.created_at,
        "published_at": notice.published_at,
    }
    if content:
        data["content"] = notice.content
    return data


@router.post(
    "/notices",
    response=responses(NoticeOut, 403, 404, status=201),
    by_alias=True,
    summary="Draft a notice (通报) for a period and a region from the metrics",
)
def create_notice(request: HttpRequest, payload: NoticeIn) -> Status:
    """Supervisors and administrators covering the region; 404 for a region out of scope, 422 for a township
    or village, or a period of less than a day or more than three years."""
    user = api_user(request)
    require_notice_writer(user)
    period = period_between(starts=payload.starts, ends=payload.ends)
    region = access_region(user, payload.region)
    notice = notice_draft(user=user, period=period, region=region)
    return Status(201, _out(access_notice(user, notice.pk)))


@router.get(
    "/notices",
    response=responses(Page[NoticeListItem], 403, 404),
    by_alias=True,
    summary="Notices I may read, newest first",
)
def list_notices(request: HttpRequest, filters: Query[NoticeQuery]) -> dict[str, Any]:
    user = api_user(request)
    require_notice_reader(user)
    region = access_region(user, filters.region) if filters.region else None
    rows = notice_list(
        notices_visible_to(user), NoticeFilters(status=filters.status, region=region, year=filters.year)
    )
    page = keyset_paginate(rows, order=NOTICE_ORDER, cursor=filters.cursor, limit=filters.limit)
    return {"items": [_out(n, content=False) for n in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/notices/{notice_id}", response=responses(NoticeOut, 403, 404), by_alias=True, summary="One notice"
)
def get_notice(request: HttpRequest, notice_id: int) -> dict[str, Any]:
    return _out(access_notice(api_user(request), notice_id))


def _edit(request: HttpRequest, notice_id: int, payload: NoticeEditIn) -> dict[str, Any]:
    user = api_user(request)
    notice = access_notice(user, notice_id)
    edit = NoticeEdit(title=payload.title, addressee=payload.addressee, sections=payload.sections)
    notice_edit(notice=notice, actor=user, expected_version=payload.version, edit=edit)
    return _out(access_notice(user, notice_id))


@router.patch(
    "/notices/{notice_id}",
    response=responses(NoticeOut, 403, 404, 409),
    by_alias=True,
    summary="Edit a draft notice's title, addressee or section texts",
)
def patch_notice(request: HttpRequest, notice_id: int, payload: NoticeEditIn) -> dict[str, Any]:
    """409 `stale_version` when someone changed it since `version`; 409 `notice_published` once published."""
    return _edit(request, notice_id, payload)


@router.post(
    "/notices/{notice_id}",
    response=responses(NoticeOut, 403, 404, 409),
    by_alias=True,
    summary="Edit a draft notice (the same as PATCH, for clients without PATCH)",
)
def post_notice(request: HttpRequest, notice_id: int, payload: NoticeEditIn) -> dict[str, Any]:
    return _edit(request, notice_id, payload)


@router.post(
    "/notices/{notice_id}/publish",
    response=responses(NoticeOut, 403, 404, 409),
    by_alias=True,
    summary="Publish (印发) a draft: it gets the next document number of the year",
)
def publish_notice(request: HttpRequest, notice_id: int, payload: VersionIn) -> dict[str, Any]:
    """409 `already_published` for a published notice, `stale_version` for an outdated version."""
    user = api_user(request)
    notice = access_notice(user, notice_id)
    notice_publish(notice=notice, actor=user, expected_version=payload.version)
    return _out(access_notice(user, notice_id))


@router.get(
    "/notices/{notice_id}/docx",
    response={401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="The notice as a Word file in the official document layout",
    openapi_extra={
        "responses": {
            "200": {
                "description": "the .docx file",
                "content": {DOCX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def get_notice_docx(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = access_notice(api_user(request), notice_id)
    return notice_docx_response(notice, actor=api_user(request), request=request)
