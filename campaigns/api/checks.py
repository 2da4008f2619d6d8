"""The plausibility flags supervisors read, and spot-checks (抽查回访): draw a sample, read it, record calls."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from campaigns.permissions import (
    FLAG_ROLES,
    SPOT_CHECK_ROLES,
    SPOT_CHECK_VIEW_ROLES,
    access_campaign,
    access_spot_check,
    access_spot_check_item,
    visits_visible_to,
)
from campaigns.schemas import (
    FlaggedVisitOut,
    FlagQuery,
    HouseholdContactOut,
    SpotCheckIn,
    SpotCheckItemOut,
    SpotCheckOut,
    SpotCheckRecordIn,
    flagged_visit_out,
    spot_check_item_out,
    spot_check_out,
)
from campaigns.selectors import (
    FLAG_ORDER,
    FlagFilters,
    flagged_visits,
    spot_check_items,
)
from campaigns.services import spot_check_draw, spot_check_record, spot_check_reveal_contact
from core.api import Page, responses
from core.audit import audit_list_page
from core.pagination import keyset_paginate
from org.auth import api_user
from org.permissions import access_unit, require_role

router = Router()


@router.get(
    "/visit-flags",
    response=responses(Page[FlaggedVisitOut], 403),
    summary="Flagged visits in my scope, newest first",
)
def list_visit_flags(request: HttpRequest, filters: Query[FlagQuery]) -> dict[str, Any]:
    """Visits the plausibility checks found reasons to doubt; each flag with its reason and figures."""
    user = api_user(request)
    require_role(user, *FLAG_ROLES)
    visits = flagged_visits(
        visits_visible_to(user),
        FlagFilters(kind=filters.kind, region=filters.region, campaign=filters.campaign),
    )
    page = keyset_paginate(visits, order=FLAG_ORDER, cursor=filters.cursor, limit=filters.limit)
    audit_list_page(
        request=request, actor=user, listing="visit_flags", cursor=filters.cursor, rows=len(page.items)
    )
    return {"items": [flagged_visit_out(v) for v in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/spot-checks",
    response=responses(SpotCheckOut, 403, 404, status=201),
    summary="Draw a random sample of a unit's visits to call back",
)
def create_spot_check(request: HttpRequest, payload: SpotCheckIn) -> Status:
    """Supervisors of the unit's region; 422 `no_visits` when the unit recorded none in the campaign."""
    user = api_user(request)
    require_role(user, *SPOT_CHECK_ROLES)
    campaign = access_campaign(user, payload.campaign)
    unit = access_unit(user, payload.unit)
    check = spot_check_draw(actor=user, campaign=campaign, unit=unit, size=payload.size)
    check = access_spot_check(user, check.pk)
    return Status(201, spot_check_out(check, spot_check_items(check)))


@router.get(
    "/spot-checks/{spot_check_id}",
    response=responses(SpotCheckOut, 403, 404),
    summary="A spot-check with its sampled visits and their results",
)
def get_spot_check(request: HttpRequest, spot_check_id: int) -> dict[str, Any]:
    user = api_user(request)
    require_role(user, *SPOT_CHECK_VIEW_ROLES)
    check = access_spot_check(user, spot_check_id)
    return spot_check_out(check, spot_check_items(check))


@router.post(
    "/spot-checks/{spot_check_id}/items/{item_id}",
    response=responses(SpotCheckItemOut, 403, 404, 409),
    summary="Record what the household said when called back",
)
def record_spot_check_item(
    request: HttpRequest, spot_check_id: int, item_id: int, payload: SpotCheckRecordIn
) -> dict[str, Any]:
    """`satisfaction` only with `confirmed`; the supervisor who recorded an item may correct it (others: 409)."""
    user = api_user(request)
    require_role(user, *SPOT_CHECK_ROLES)
    check = access_spot_check(user, spot_check_id)
    item = access_spot_check_item(check, item_id)
    spot_check_record(
        actor=user, item=item, outcome=payload.outcome, satisfaction=payload.satisfaction, note=payload.note
    )
    return spot_check_item_out(spot_check_items(check).get(pk=item.pk))


@router.post(
    "/spot-checks/{spot_check_id}/items/{item_id}/contact",
    response=responses(HouseholdContactOut, 404),
    summary="Reveal the household contact of a sampled visit (audited)",
)
def reveal_spot_check_contact(request: HttpRequest, spot_check_id: int, item_id: int) -> Any:
    """For the supervisor who drew the spot-check, to call the household back; anyone else, and an item without
    a contact, get 404 as for a missing item. Every reveal is written to the audit log."""
    user = api_user(request)
    item = access_spot_check_item(access_spot_check(user, spot_check_id), item_id)
    return spot_check_reveal_contact(actor=user, item=item, request=request)
