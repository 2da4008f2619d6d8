"""Writes of the portal: a citizen's submission (through the same registration as every appeal), their rating
(the callback service), and the Open311 keys."""

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction

from appeals.models import Appeal, Callback
from appeals.services import AppealDraft, Registered, appeal_callback, appeal_register
from campaigns.services.photos import ProcessedImage, photo_process
from core.errors import InvalidInput
from portal.models import Open311Key, PortalPhoto, PublicRequest

MAX_PORTAL_PHOTOS = 3
# The page shrinks photos to 1600 px before sending (a few hundred kB); the server takes at most this much.
MAX_PORTAL_PHOTO_BYTES = 4 * 1024 * 1024
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")


@dataclass(frozen=True)
class Upload:
    content: bytes
    content_type: str


def _check_photos(photos: list[Upload]) -> list[ProcessedImage]:
    """Every photo decoded and re-encoded before anything is written, so a bad one refuses the whole form."""
    if len(photos) > MAX_PORTAL_PHOTOS:
        raise InvalidInput(
            f"最多上传{MAX_PORTAL_PHOTOS}张照片",
            code="too_many_photos",
            details={"photos": f"最多{MAX_PORTAL_PHOTOS}张"},
        )
    processed: list[ProcessedImage] = []
    for upload in photos:
        if upload.content_type not in PHOTO_TYPES:
            message = "只能上传 JPEG、PNG 或 WebP 图片"
            raise InvalidInput(message, code="invalid_input", details={"photos": message})
        if len(upload.content) > MAX_PORTAL_PHOTO_BYTES:
            message = f"每张照片不能超过{MAX_PORTAL_PHOTO_BYTES // (1024 * 1024)} MB"
            raise InvalidInput(message, code="photo_too_large", details={"photos": message})
        try:
            processed.append(photo_process(upload.content))
        except InvalidInput as exc:
            raise InvalidInput(exc.message, code="invalid_input", details={"photos": exc.message}) from None
    return processed


def portal_submit(
    *,
    draft: AppealDraft,
    photos: Sequence[Upload] = (),
    channel: str = PublicRequest.Channel.PORTAL,
    key: Open311Key | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Registered:
    """A citizen's own submission: registered like any appeal (routing by the dispatcher as for every source),
    with its photos stored without EXIF; the secret is in the answer and nowhere else."""
    stored = _check_photos(list(photos))
    # Registered outside this transaction, so that the county's code counter is held for one UPDATE and not
    # for the whole submission (appeals.services.codes); every refusal happens before anything is written.
    registered = appeal_register(draft=draft, actor=None)
    with transaction.atomic():
        PublicRequest.objects.create(
            appeal=registered.appeal, channel=channel, key=key, latitude=latitude, longitude=longitude
        )
        for image in stored:
            photo = PortalPhoto(
                appeal=registered.appeal, width=image.width, height=image.height, size=len(image.content)
            )
            photo.image.save(f"{photo.uuid}.jpg", ContentFile(image.content), save=False)
            photo.save()
    return registered


@transaction.atomic
def portal_rate(*, appeal: Appeal, solved: bool, satisfaction: str, note: str = "") -> Appeal:
    """The citizen's rating on the portal, recorded as the callback (回访); unsatisfied waits for a reopen."""
    return appeal_callback(
        appeal=appeal,
        actor=None,
        expected_version=appeal.version,
        solved=solved,
        satisfaction=satisfaction,
        method=Callback.Method.PORTAL,
        note=note,
    )


def new_key() -> tuple[str, str]:
    """A fresh api_key and the hash that is kept of it."""
    raw = secrets.token_urlsafe(24)
    return raw, hashlib.sha256(raw.encode()).hexdigest()


def open311_key_issue(*, name: str) -> tuple[Open311Key, str]:
    """A new key for one integration; the key itself is returned once and only its hash is kept."""
    raw, digest = new_key()
    return Open311Key.objects.create(name=name, key_hash=digest, prefix=raw[:6]), raw
