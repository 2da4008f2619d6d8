"""Interviews (约谈), the rectification ledger (整改) and good practices (经验做法) under /api/v1/oversight/.

Lists are what the user may see (the rows of the units in their scope), newest first, paged by keyset.
Supervisors and administrators write in the units their grants cover (403 for other roles, 404 for a unit
outside their regions); the responsible unit's handlers and head report progress on its rectification items.
Every change names the `version` it acts on (409 when stale).
"""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from core.api import Page, responses
from core.audit import audit_list_page
from core.pagination import keyset_paginate
from core.period import period_between
from org.auth import api_user
from org.permissions import access_unit
from oversight.permissions import (
    access_interview,
    access_practice,
    access_rectification,
    interviews_visible_to,
    practices_visible_to,
    rectifications_visible_to,
)
from oversight.schemas import (
    FollowUpIn,
    HoldIn,
    InterviewDetailOut,
    InterviewEditIn,
    InterviewIn,
    InterviewOut,
    InterviewQuery,
    PracticeEditIn,
    PracticeIn,
    PracticeOut,
    PracticeQuery,
    PrefillOut,
    PrefillQuery,
    ProgressIn,
    RectificationDetailOut,
    RectificationEditIn,
    RectificationIn,
    RectificationOut,
    RectificationQuery,
    RowVersionIn,
    VerifyIn,
    interview_detail_out,
    interview_out,
    practice_out,
    prefill_out,
    rectification_detail_out,
    rectification_out,
)
from oversight.selectors import (
    INTERVIEW_ORDER,
    PRACTICE_ORDER,
    RECTIFICATION_ORDER,
    LedgerFilters,
    interview_list,
    interview_prefill,
    practice_list,
    rectification_list,
)
from oversight.services import (
    interview_close,
    interview_create,
    interview_edit,
    interview_follow_up,
    interview_hold,
    practice_create,
    practice_edit,
    practice_publish,
    rectification_create,
    rectification_edit,
    rectification_progress,
    rectification_verify,
)

router = Router()
CHANGE = (403, 404, 409)

# --- interviews -----------------------------------------------------------------------------------------------


@router.get(
    "/oversight/interviews",
    response=responses(Page[InterviewOut]),
    by_alias=True,
    summary="Interviews (约谈) of the units in my scope, latest first",
)
def list_interviews(request: HttpRequest, filters: Query[InterviewQuery]) -> dict[str, Any]:
    """`from`/`to`: held on or after / on or before these days."""
    user = api_user(request)
    rows = interview_list(
        interviews_visible_to(user),
        LedgerFilters(unit=filters.unit, status=filters.status, starts=filters.starts, ends=filters.ends),
    )
    page = keyset_paginate(rows, order=INTERVIEW_ORDER, cursor=filters.cursor, limit=filters.limit)
    audit_list_page(
        request=request, actor=user, listing="interviews", cursor=filters.cursor, rows=len(page.items)
    )
    return {"items": [interview_out(i) for i in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/oversight/interviews/prefill",
    response=responses(PrefillOut, 404),
    by_alias=True,
    summary="The reasons for interviewing a unit: its rates over a period that fall short",
)
def prefill_interview(request: HttpRequest, filters: Query[PrefillQuery]) -> dict[str, Any]:
    """A good rate under 0.8, or a reopen or return rate over 0.1, falls short; a rate without a
    denominator (null) never does. 404 alike for a unit absent or out of scope."""
    user = api_user(request)
    unit = access_unit(user, filters.unit)
    period = period_between(starts=filters.starts, ends=filters.ends)
    return prefill_out(interview_prefill(user=user, unit=unit, period=period), unit_id=unit.pk)


@router.post(
    "/oversight/interviews",
    response=responses(InterviewDetailOut, 403, 404, status=201),
    by_alias=True,
    summary="Record an interview (约谈) of a unit",
)
def create_interview(request: HttpRequest, payload: InterviewIn) -> Status:
    """Supervisors and administrators. Reasons name rates (see the metrics); every linked appeal and the
    notice must be visible to the recorder (else 404)."""
    user = api_user(request)
    unit = access_unit(user, payload.unit)
    interview = interview_create(actor=user, unit=unit, data=payload.data())
    return Status(201, interview_detail_out(access_interview(user, interview.pk)))


@router.get(
    "/oversight/interviews/{interview_id}",
    response=responses(InterviewDetailOut, 404),
    by_alias=True,
    summary="An interview with its appeals and follow-ups",
)
def get_interview(request: HttpRequest, interview_id: int) -> dict[str, Any]:
    return interview_detail_out(access_interview(api_user(request), interview_id))


@router.patch(
    "/oversight/interviews/{interview_id}",
    response=responses(InterviewDetailOut, *CHANGE),
    by_alias=True,
    summary="Correct an interview not yet closed",
)
def edit_interview(request: HttpRequest, interview_id: int, payload: InterviewEditIn) -> dict[str, Any]:
    user = api_user(request)
    interview = access_interview(user, interview_id)
    interview_edit(actor=user, interview=interview, data=payload.data(), expected_version=payload.version)
    return interview_detail_out(access_interview(user, interview_id))


@router.post(
    "/oversight/interviews/{interview_id}/hold",
    response=responses(InterviewDetailOut, *CHANGE),
    by_alias=True,
    summary="The interview took place: record its summary",
)
def hold_interview(request: HttpRequest, interview_id: int, payload: HoldIn) -> dict[str, Any]:
    """409 `not_scheduled` unless scheduled, `not_yet` before its date."""
    user = api_user(request)
    interview = access_interview(user, interview_id)
    interview_hold(actor=user, interview=interview, summary=payload.summary, expected_version=payload.version)
    return interview_detail_out(access_interview(user, interview_id))


@router.post(
    "/oversight/interviews/{interview_id}/follow-ups",
    response=responses(InterviewDetailOut, *CHANGE),
    by_alias=True,
    summary="Record a follow-up (回访督办) of the unit's commitments",
)
def follow_up_interview(request: HttpRequest, interview_id: int, payload: FollowUpIn) -> dict[str, Any]:
    """`on` lies between the interview's day and today; 409 `not_held` before it is held or once closed."""
    user = api_user(request)
    interview = access_interview(user, interview_id)
    interview_follow_up(
        actor=user, interview=interview, on=payload.on, note=payload.note, expected_version=payload.version
    )
    return interview_detail_out(access_interview(user, interview_id))


@router.post(
    "/oversight/interviews/{interview_id}/close",
    response=responses(InterviewDetailOut, *CHANGE),
    by_alias=True,
    summary="Close a followed-up interview",
)
def close_interview(request: HttpRequest, interview_id: int, payload: RowVersionIn) -> dict[str, Any]:
    user = api_user(request)
    interview = access_interview(user, interview_id)
    interview_close(actor=user, interview=interview, expected_version=payload.version)
    return interview_detail_out(access_interview(user, interview_id))


# --- rectifications -------------------------------------------------------------------------------------------


@router.get(
    "/oversight/rectifications",
    response=responses(Page[RectificationOut]),
    summary="The rectification ledger (整改台账) of the units in my scope, newest first",
)
def list_rectifications(request: HttpRequest, filters: Query[RectificationQuery]) -> dict[str, Any]:
    """`from`/`to`: recorded on or after / on or before these days; `status=overdue`: open or in progress
    past the due date."""
    user = api_user(request)
    rows = rectification_list(
        rectifications_visible_to(user),
        LedgerFilters(
            unit=filters.unit,
            status=filters.status,
            source=filters.source,
            starts=filters.starts,
            ends=filters.ends,
        ),
    )
    page = keyset_paginate(rows, order=RECTIFICATION_ORDER, cursor=filters.cursor, limit=filters.limit)
    audit_list_page(
        request=request, actor=user, listing="rectifications", cursor=filters.cursor, rows=len(page.items)
    )
    return {"items": [rectification_out(r) for r in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/oversight/rectifications",
    response=responses(RectificationDetailOut, 403, 404, status=201),
    summary="Open a rectification item (整改事项) for a unit",
)
def create_rectification(request: HttpRequest, payload: RectificationIn) -> Status:
    """Supervisors and administrators; every linked appeal and the interview must be visible (else 404)."""
    user = api_user(request)
    unit = access_unit(user, payload.unit)
    item = rectification_create(actor=user, unit=unit, data=payload.data())
    return Status(201, rectification_detail_out(access_rectification(user, item.pk)))


@router.get(
    "/oversight/rectifications/{item_id}",
    response=responses(RectificationDetailOut, 404),
    summary="A rectification item with its appeals and progress updates",
)
def get_rectification(request: HttpRequest, item_id: int) -> dict[str, Any]:
    return rectification_detail_out(access_rectification(api_user(request), item_id))


@router.patch(
    "/oversight/rectifications/{item_id}",
    response=responses(RectificationDetailOut, *CHANGE),
    summary="Correct a rectification item not yet verified",
)
def edit_rectification(request: HttpRequest, item_id: int, payload: RectificationEditIn) -> dict[str, Any]:
    user = api_user(request)
    item = access_rectification(user, item_id)
    rectification_edit(actor=user, item=item, data=payload.data(), expected_version=payload.version)
    return rectification_detail_out(access_rectification(user, item_id))


@router.post(
    "/oversight/rectifications/{item_id}/progress",
    response=responses(RectificationDetailOut, *CHANGE),
    summary="Report progress; `done` reports the rectification finished",
)
def report_progress(request: HttpRequest, item_id: int, payload: ProgressIn) -> dict[str, Any]:
    """The responsible unit's handlers and head, or its supervisors; 409 `not_pending` once reported done."""
    user = api_user(request)
    item = access_rectification(user, item_id)
    rectification_progress(
        actor=user, item=item, note=payload.note, done=payload.done, expected_version=payload.version
    )
    return rectification_detail_out(access_rectification(user, item_id))


@router.post(
    "/oversight/rectifications/{item_id}/verify",
    response=responses(RectificationDetailOut, *CHANGE),
    summary="Verify (验收) an item reported done, or send it back",
)
def verify_rectification(request: HttpRequest, item_id: int, payload: VerifyIn) -> dict[str, Any]:
    """Supervisors and administrators; 409 `not_done` unless reported done."""
    user = api_user(request)
    item = access_rectification(user, item_id)
    rectification_verify(
        actor=user, item=item, passed=payload.passed, note=payload.note, expected_version=payload.version
    )
    return rectification_detail_out(access_rectification(user, item_id))


# --- good practices -------------------------------------------------------------------------------------------


@router.get(
    "/oversight/practices",
    response=responses(Page[PracticeOut]),
    by_alias=True,
    summary="Good practices (经验做法) of the units in my scope",
)
def list_practices(request: HttpRequest, filters: Query[PracticeQuery]) -> dict[str, Any]:
    """Published ones; supervisors and administrators also see drafts. `from`/`to`: periods overlapping
    these days."""
    user = api_user(request)
    rows = practice_list(
        practices_visible_to(user),
        LedgerFilters(
            unit=filters.unit,
            status=filters.status,
            category=filters.category,
            starts=filters.starts,
            ends=filters.ends,
        ),
    )
    page = keyset_paginate(rows, order=PRACTICE_ORDER, cursor=filters.cursor, limit=filters.limit)
    audit_list_page(
        request=request, actor=user, listing="practices", cursor=filters.cursor, rows=len(page.items)
    )
    return {"items": [practice_out(p) for p in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/oversight/practices",
    response=responses(PracticeOut, 403, 404, status=201),
    by_alias=True,
    summary="Write up a good practice of a unit (unpublished)",
)
def create_practice(request: HttpRequest, payload: PracticeIn) -> Status:
    user = api_user(request)
    unit = access_unit(user, payload.unit)
    practice = practice_create(actor=user, unit=unit, data=payload.data())
    return Status(201, practice_out(access_practice(user, practice.pk)))


@router.get(
    "/oversight/practices/{practice_id}",
    response=responses(PracticeOut, 404),
    by_alias=True,
    summary="A good practice",
)
def get_practice(request: HttpRequest, practice_id: int) -> dict[str, Any]:
    return practice_out(access_practice(api_user(request), practice_id))


@router.patch(
    "/oversight/practices/{practice_id}",
    response=responses(PracticeOut, *CHANGE),
    by_alias=True,
    summary="Edit a good practice",
)
def edit_practice(request: HttpRequest, practice_id: int, payload: PracticeEditIn) -> dict[str, Any]:
    user = api_user(request)
    practice = access_practice(user, practice_id)
    practice_edit(actor=user, practice=practice, data=payload.data(), expected_version=payload.version)
    return practice_out(access_practice(user, practice_id))


@router.post(
    "/oversight/practices/{practice_id}/publish",
    response=responses(PracticeOut, *CHANGE),
    by_alias=True,
    summary="Publish a good practice to everyone in scope",
)
def publish_practice(request: HttpRequest, practice_id: int, payload: RowVersionIn) -> dict[str, Any]:
    user = api_user(request)
    practice = access_practice(user, practice_id)
    practice_publish(actor=user, practice=practice, published=True, expected_version=payload.version)
    return practice_out(access_practice(user, practice_id))


@router.post(
    "/oversight/practices/{practice_id}/unpublish",
    response=responses(PracticeOut, *CHANGE),
    by_alias=True,
    summary="Withdraw a good practice to a draft",
)
def unpublish_practice(request: HttpRequest, practice_id: int, payload: RowVersionIn) -> dict[str, Any]:
    user = api_user(request)
    practice = access_practice(user, practice_id)
    practice_publish(actor=user, practice=practice, published=False, expected_version=payload.version)
    return practice_out(access_practice(user, practice_id))
