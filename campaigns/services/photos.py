"""Writes of the campaigns app: photos taken on a visit, uploaded by the field app after the visit arrived.

A photo is idempotent by its client UUID like the visit (DESIGN §2.3): the same UUID with the same bytes answers
the stored photo; the same UUID with other bytes, or on another visit, is refused with `uuid_conflict`.

What is stored is never the file the phone sent: it is decoded, turned upright, downscaled and encoded again as
a JPEG without any metadata, so EXIF (GPS, camera serial numbers, owner names) never reaches the disk. The
location is kept only when the cadre chose to send it, and then in the photo's columns.
"""

import hashlib
import io
import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

from campaigns.models import Visit, VisitPhoto
from core.errors import DomainError, InvalidInput, NotFound
from org.models import User

MAX_PHOTO_BYTES = 15 * 1024 * 1024
# A decompression bomb is a small file that decodes to a huge bitmap; 40 MP is beyond any phone camera's JPEG.
MAX_PHOTO_PIXELS = 40_000_000
MAX_PHOTOS_PER_VISIT = 20
LONG_EDGE = 1600
JPEG_QUALITY = 82
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP")


@dataclass(frozen=True)
class RecordedPhoto:
    photo: VisitPhoto
    created: bool


@dataclass(frozen=True)
class ProcessedImage:
    content: bytes
    width: int
    height: int


def _refuse(message: str, field: str = "file") -> InvalidInput:
    return InvalidInput(message, code="invalid_input", details={field: message})


def photo_process(content: bytes) -> ProcessedImage:
    """The photo upright, its long edge at most 1600 px, as a JPEG with no metadata; InvalidInput if it is
    not a JPEG, PNG or WebP image, or too large."""
    if len(content) > MAX_PHOTO_BYTES:
        raise _refuse(f"照片不能超过{MAX_PHOTO_BYTES // (1024 * 1024)} MB")
    try:
        image = Image.open(io.BytesIO(content), formats=PHOTO_FORMATS)
    except Image.DecompressionBombError:
        raise _refuse("照片像素过多") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise _refuse("不是可识别的图片（支持 JPEG、PNG、WebP）") from None
    with image:
        width, height = image.size
        # Checked on the header, before anything is decoded.
        if width * height > MAX_PHOTO_PIXELS:
            raise _refuse(f"照片像素过多（最多{MAX_PHOTO_PIXELS // 10_000}万像素）")
        if width < 1 or height < 1:
            raise _refuse("不是可识别的图片（支持 JPEG、PNG、WebP）")
        scale = min(1.0, LONG_EDGE / max(width, height))
        try:
            if image.format in ("JPEG", "MPO") and scale < 1:
                # Let the JPEG decoder skip detail we would throw away (DCT scaling): less memory and time.
                image.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((LONG_EDGE, LONG_EDGE), Image.Resampling.LANCZOS)
            rgb = _flatten(upright)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            raise _refuse("图片已损坏，无法读取") from None
    # Nothing from the original travels on: no EXIF, XMP, ICC profile or comment.
    rgb.info = {}
    out = io.BytesIO()
    rgb.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return ProcessedImage(content=out.getvalue(), width=rgb.width, height=rgb.height)


def _flatten(image: Image.Image) -> Image.Image:
    """RGB, with transparent parts on white rather than on whatever colour the hidden pixels hold."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _conflict(message: str, photo_uuid: UUID) -> DomainError:
    return DomainError(message, code="uuid_conflict", details={"uuid": str(photo_uuid)})


def _repeat(existing: VisitPhoto, *, visit: Visit, digest: str) -> RecordedPhoto:
    if existing.visit_id != visit.pk:
        raise _conflict("该编号的照片属于另一条走访记录", existing.uuid)
    if existing.content_hash != digest:
        raise _conflict("该编号的照片已存在且内容不同", existing.uuid)
    return RecordedPhoto(photo=existing, created=False)


def _check_location(latitude: Decimal | None, longitude: Decimal | None) -> None:
    if (latitude is None) != (longitude is None):
        raise _refuse("经纬度须同时填写", "location")
    if (
        latitude is not None
        and longitude is not None
        and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
    ):
        raise _refuse("经纬度超出范围", "location")


@transaction.atomic
def visit_photo_add(
    *,
    actor: User,
    visit_uuid: UUID,
    photo_uuid: UUID,
    content: bytes,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    taken_at: datetime | None = None,
    now: datetime | None = None,
) -> RecordedPhoto:
    """Attach a photo to a visit the actor recorded, stored downscaled without metadata; a repeat answers the
    stored photo."""
    now = now or timezone.now()
    # Locked so that two uploads to one visit count its photos one after the other.
    visit = Visit.objects.select_for_update().filter(uuid=visit_uuid, visitor=actor).first()
    if visit is None:
        raise NotFound("走访记录不存在")
    digest = hashlib.sha256(content).hexdigest()
    existing = VisitPhoto.objects.filter(uuid=photo_uuid).first()
    if existing is not None:
        return _repeat(existing, visit=visit, digest=digest)
    _check_location(latitude, longitude)
    if taken_at is not None and timezone.is_naive(taken_at):
        raise _refuse("请带时区", "taken_at")
    if visit.photos.count() >= MAX_PHOTOS_PER_VISIT:
        raise InvalidInput(
            f"每条走访记录最多{MAX_PHOTOS_PER_VISIT}张照片",
            code="too_many_photos",
            details={"file": f"每条走访记录最多{MAX_PHOTOS_PER_VISIT}张照片"},
        )
    processed = photo_process(content)
    photo = VisitPhoto(
        uuid=photo_uuid,
        visit=visit,
        width=processed.width,
        height=processed.height,
        size=len(processed.content),
        content_hash=digest,
        latitude=latitude,
        longitude=longitude,
        taken_at=taken_at,
        created_at=now,
    )
    # The name comes from the model's upload_to (visits/<year>/<month>/<uuid>.jpg), never from the phone.
    photo.image.save(f"{photo_uuid}.jpg", ContentFile(processed.content), save=False)
    try:
        with transaction.atomic():
            photo.save(force_insert=True)
    except IntegrityError:
        # Another request stored this UUID between our read and our insert; our file is not needed.
        photo.image.delete(save=False)
        return _repeat(VisitPhoto.objects.get(uuid=photo_uuid), visit=visit, digest=digest)
    except BaseException:
        photo.image.delete(save=False)
        raise
    return RecordedPhoto(photo=photo, created=True)
