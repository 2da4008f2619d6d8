"""The campaigns API (DESIGN §10): visits one at a time or in batches from the field app, the visit list,
the running campaigns and their progress."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.schema import DjangoGetter
from pydantic import ModelWrapValidatorHandler, ValidationError, ValidationInfo, model_validator

from campaigns.models import Campaign, Visit
from campaigns.permissions import access_campaign, campaigns_visible_to, visits_visible_to
from campaigns.schemas import (
    BatchIn,
    BatchOut,
    CampaignOut,
    CoverageOut,
    ProgressOut,
    VisitIn,
    VisitOut,
    VisitQuery,
    batch_item_out,
    coverage_out,
    progress_out,
    visit_out,
)
from campaigns.selectors import VISIT_ORDER, VisitFilters, campaign_progress, visits_filter
from campaigns.selectors.coverage import COVERAGE_DEFINITION, COVERAGE_PAGE, area_access, campaign_coverage
from campaigns.services import VisitData, visit_record, visits_record_batch
from core.api import Page, batch_out, batch_refused, responses
from core.audit import audit_list_page
from core.pagination import MAX_LIMIT, keyset_paginate
from org.auth import api_user

router = Router()


class _BatchVisitIn(VisitIn):
    """VisitIn for one item of a batch, a plain JSON object, validated once.

    ninja's root validator validates a body twice when unknown fields are refused: once as given, then again
    through its Django getter. For a JSON object both passes see the same values (VisitIn has no resolvers), so
    the first pass's answer is the answer; in a batch of 500 the second pass cost about a tenth of the request.
    """

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(
        cls, values: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo
    ) -> Any:
        if type(values) is dict:
            return handler(values)
        handler(values)
        return handler(DjangoGetter(values, cls, info.context))


def _moment(value: datetime | date | None, *, end: bool = False) -> datetime | None:
    """A date means the whole local day: `from` its start, `to` the start of the next day."""
    if value is None or isinstance(value, datetime):
        return value
    day = value + timedelta(days=1) if end else value
    return timezone.make_aware(datetime.combine(day, time.min))


@router.post(
    "/visits",
    response={**responses(VisitOut, 403, 409, status=201), 200: VisitOut},
    summary="Record a visit (idempotent by uuid)",
)
def create_visit(request: HttpRequest, payload: VisitIn) -> Status:
    """201 stored; 200 the same uuid and body again (the stored record); 409 `uuid_conflict` for the same uuid
    with another body. Each problem becomes an appeal with source `visit`, linked to the visit."""
    recorded = visit_record(actor=api_user(request), data=payload.data())
    visit = Visit.objects.select_related("visitor", "region", "enterprise").get(pk=recorded.visit.pk)
    return Status(201 if recorded.created else 200, visit_out(visit, secrets=recorded.secrets))


@router.post("/visits/batch", response=responses(BatchOut, 403), summary="Record up to 500 visits")
def create_visits(request: HttpRequest, payload: BatchIn) -> dict[str, Any]:
    """Each visit is taken or refused on its own; `results` follow the input order."""
    items: list[dict[str, Any] | None] = [None] * len(payload.visits)
    valid: list[tuple[int, VisitData]] = []
    for i, raw in enumerate(payload.visits):
        try:
            valid.append((i, _BatchVisitIn.model_validate(raw).data()))
        except ValidationError as exc:
            items[i] = batch_refused(i, raw, exc, id=None)
    results = visits_record_batch(actor=api_user(request), visits=[d for _, d in valid])
    for (i, _), result in zip(valid, results, strict=True):
        items[i] = batch_item_out(result, index=i)
    return batch_out([item for item in items if item is not None])


@router.get("/visits", response=responses(Page[VisitOut]), summary="Visits in my scope, newest first")
def list_visits(request: HttpRequest, filters: Query[VisitQuery]) -> dict[str, Any]:
    visits = visits_filter(
        visits_visible_to(api_user(request)),
        VisitFilters(
            campaign=filters.campaign,
            visitor=filters.visitor,
            region=filters.region,
            started_from=_moment(filters.started_from),
            started_to=_moment(filters.started_to, end=True),
        ),
    )
    page = keyset_paginate(visits, order=VISIT_ORDER, cursor=filters.cursor, limit=filters.limit)
    audit_list_page(
        request=request,
        actor=api_user(request),
        listing="visits",
        cursor=filters.cursor,
        rows=len(page.items),
    )
    return {"items": [visit_out(v) for v in page.items], "next_cursor": page.next_cursor}


@router.get("/campaigns", response=responses(list[CampaignOut]), summary="Active campaigns")
def list_campaigns(request: HttpRequest) -> QuerySet[Campaign]:
    return campaigns_visible_to(api_user(request))


@router.get(
    "/campaigns/{campaign_id}/progress",
    response=responses(ProgressOut, 404),
    summary="Targets against achieved, in my scope",
)
def get_progress(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    user = api_user(request)
    return progress_out(campaign_progress(campaign=access_campaign(user, campaign_id), user=user))


@router.get(
    "/campaigns/{campaign_id}/coverage",
    response=responses(CoverageOut, 404, 422),
    summary="Visit coverage by region, one level down",
)
def get_coverage(
    request: HttpRequest,
    campaign_id: int,
    region: str | None = None,
    cursor: str | None = None,
    limit: int = Query(COVERAGE_PAGE, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    """走访覆盖率 of `region` (default: the widest area of your scope) in `totals`, and of each area one level
    down (counties, townships, or a township's villages) in keyset pages by code: `items` (also as `rows`) and
    `next_cursor` to pass as `cursor` for the next page. 404 alike for a region that does not exist or holds
    none of your scope; 422 for a damaged cursor."""
    user = api_user(request)
    campaign = access_campaign(user, campaign_id)
    coverage = campaign_coverage(
        campaign=campaign, user=user, region=area_access(user, region), cursor=cursor, limit=limit
    )
    return coverage_out(coverage, definition=str(COVERAGE_DEFINITION))
