"""The campaigns API for the field app's photos and places: photo uploads after the visit arrived (idempotent
by the photo's client UUID), a visit's photos, and the places the caller answers for (包保)."""

from decimal import Decimal
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from campaigns.permissions import access_visit
from campaigns.schemas import MyPlacesOut, PhotoForm, PhotoOut, my_places_out, photo_out
from campaigns.selectors.places import places_of
from campaigns.services import MAX_PHOTO_BYTES, visit_photo_add
from core.api import responses
from core.errors import InvalidInput
from org.auth import api_user

router = Router()


def _coordinate(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(f"{value:.6f}")


@router.post(
    "/visits/{uuid:visit_uuid}/photos",
    # 405: a visit named by a number, not a uuid, is the path of the photo list, which only reads.
    response={**responses(PhotoOut, 404, 405, 409, status=201), 200: PhotoOut},
    summary="Add a photo to my visit (idempotent by uuid)",
)
def add_photo(
    request: HttpRequest,
    visit_uuid: UUID,
    payload: Form[PhotoForm],
    file: File[UploadedFile],
) -> Status:
    """multipart/form-data: `uuid`, `file` (JPEG, PNG or WebP, ≤ 15 MB, ≤ 40 MP), optional `lat`/`lng` (only
    when the location is kept on purpose) and `taken_at`. Stored downscaled (long edge ≤ 1600 px) as a JPEG
    without EXIF. 201 stored; 200 the same uuid and bytes again; 409 `uuid_conflict` for the same uuid with
    other bytes or on another visit; 404 for a visit that is missing or not recorded by you."""
    if file.size is not None and file.size > MAX_PHOTO_BYTES:
        message = f"照片不能超过{MAX_PHOTO_BYTES // (1024 * 1024)} MB"
        raise InvalidInput(message, code="invalid_input", details={"file": message})
    recorded = visit_photo_add(
        actor=api_user(request),
        visit_uuid=visit_uuid,
        photo_uuid=payload.uuid,
        content=file.read(),
        latitude=_coordinate(payload.lat),
        longitude=_coordinate(payload.lng),
        taken_at=payload.taken_at,
    )
    return Status(201 if recorded.created else 200, photo_out(recorded.photo))


@router.get(
    "/visits/{int:visit_id}/photos",
    response=responses(list[PhotoOut], 404),
    summary="The photos of a visit in my scope",
)
def list_photos(request: HttpRequest, visit_id: int) -> list[dict[str, Any]]:
    visit = access_visit(api_user(request), visit_id)
    return [photo_out(p) for p in visit.photos.all()]


@router.get("/me/places", response=responses(MyPlacesOut), summary="Places I answer for (包保)")
def my_places(request: HttpRequest) -> dict[str, Any]:
    """My responsibilities in active campaigns: villages/communities with their township, and enterprises with
    their region; the field app lists them first."""
    return my_places_out(places_of(user=api_user(request)))
