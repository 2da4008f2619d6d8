"""The portal API for the field app: the consultations (征集) open at my 包保 places, and the answers visitors
heard, in batches, idempotent by the phone's UUID (DESIGN §2.3) like visits."""

from typing import Any

from django.http import HttpRequest
from ninja import Router
from pydantic import ValidationError

from campaigns.selectors.places import places_of
from core.api import batch_out, batch_refused, responses
from org.auth import api_user
from portal.schemas import (
    AnswerBatchIn,
    AnswerBatchOut,
    FieldAnswerIn,
    FieldConsultationsOut,
    answer_result_out,
    field_consultation_out,
)
from portal.selectors import consultations_open_at
from portal.services import FieldAnswerData, consultation_answers_record_batch

router = Router(tags=["portal"])


@router.get(
    "/me/consultations",
    response=responses(FieldConsultationsOut),
    summary="Consultations open now at my places (包保)",
)
def my_consultations(request: HttpRequest) -> dict[str, Any]:
    """The consultations (征集) open today whose unit's region holds one of my 包保 villages, with their
    questions and the villages where each is asked; the field app keeps them for offline use."""
    villages = places_of(user=api_user(request)).villages.values_list("code", flat=True)
    return {"items": [field_consultation_out(found) for found in consultations_open_at(villages)]}


@router.post(
    "/consultations/answers/batch",
    response=responses(AnswerBatchOut, 403),
    summary="Record up to 200 consultation answers heard on visits",
)
def record_answers(request: HttpRequest, payload: AnswerBatchIn) -> dict[str, Any]:
    """Each item is one person's answers, taken or refused on its own; `results` follow the input order:
    201 stored (a suggestion with source `visit` linked to the consultation), 200 the same uuid and body
    again (the stored record), 409 `uuid_conflict` for the same uuid with another body, 422 refused with
    `details`: a place that is unknown or outside my scope (`place_code`), a consultation that is not asked
    there (`consultation_not_here`) or was not open on `answered_at` (`consultation_closed`), an answer that
    is not one of the question's choices or too long (`answers`: {index: message}), an unknown visit. A
    refused item writes nothing."""
    items: list[dict[str, Any] | None] = [None] * len(payload.items)
    valid: list[tuple[int, FieldAnswerData]] = []
    for i, raw in enumerate(payload.items):
        try:
            valid.append((i, FieldAnswerIn.model_validate(raw).data()))
        except ValidationError as exc:
            items[i] = batch_refused(i, raw, exc, id=None, appeal_id=None)
    results = consultation_answers_record_batch(actor=api_user(request), answers=[d for _, d in valid])
    for (i, _), result in zip(valid, results, strict=True):
        items[i] = {**answer_result_out(result), "index": i}
    return batch_out([item for item in items if item is not None])
