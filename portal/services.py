"""Writes of the portal: a citizen's submission (through the same registration as every appeal), their rating
(the callback service), and the Open311 keys."""

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from appeals.models import Appeal, AppealKind, AppealSource, Callback
from appeals.services import AppealDraft, Registered, Reporter, appeal_callback, appeal_register
from campaigns.services.photos import ProcessedImage, photo_process
from core.errors import DomainError, InvalidInput
from portal.models import Consultation, ConsultationAnswer, Open311Key, PortalPhoto, PublicRequest

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


MAX_QUESTIONS = 5


def consultation_check_questions(questions: list[dict[str, Any]]) -> None:
    """At most 5 questions, each a text with no choices (free text) or 2–8 short choices."""
    if not 1 <= len(questions) <= MAX_QUESTIONS:
        raise InvalidInput("征集需要1至5个问题", code="invalid_input", details={"questions": "1至5个问题"})
    for question in questions:
        choices = question.get("choices") or []
        if not str(question.get("text", "")).strip() or (choices and not 2 <= len(choices) <= 8):
            message = "每个问题需要题目；选择题需要2至8个选项"
            raise InvalidInput(message, code="invalid_input", details={"questions": message})


def consultation_answer(
    *,
    consultation: Consultation,
    answers: list[str],
    region_code: str,
    anonymous: bool,
    reporter: Reporter,
) -> Registered:
    """A citizen's answers to an open consultation, registered as one suggestion linked to it."""
    today = timezone.localdate()
    if not (consultation.is_published and consultation.starts <= today <= consultation.ends):
        raise DomainError("该征集未开放", code="consultation_closed")
    pairs = [
        {"question": str(q["text"]), "answer": a}
        for q, a in zip(consultation.questions, answers, strict=True)
        if a
    ]
    if not pairs:
        raise InvalidInput(
            "请至少回答一个问题", code="invalid_input", details={"answers": "请至少回答一个问题"}
        )
    description = "\n".join(f"问：{p['question']}\n答：{p['answer']}" for p in pairs)
    registered = portal_submit(
        draft=AppealDraft(
            kind=AppealKind.SUGGESTION,
            source=AppealSource.PORTAL,
            title=f"征集：{consultation.title}"[:100],
            description=description,
            region_code=region_code,
            category_code="suggestion.public_service",
            anonymous=anonymous,
            reporter=reporter,
        )
    )
    ConsultationAnswer.objects.create(consultation=consultation, appeal=registered.appeal, answers=pairs)
    return registered


@transaction.atomic
def consultation_adopt(*, answer: ConsultationAnswer, adopted: bool, public_reply: str) -> ConsultationAnswer:
    """采纳: the unit marks an answer adopted with the reply the public reads; taking it back keeps the reply."""
    if adopted and not public_reply.strip():
        message = "采纳时请填写公开答复"
        raise InvalidInput(message, code="invalid_input", details={"public_reply": message})
    answer.adopted, answer.public_reply = adopted, public_reply.strip()
    answer.save(update_fields=["adopted", "public_reply"])
    return answer
