"""Writes of the portal: a citizen's submission (through the same registration as every appeal), their rating
(the callback service), the Open311 keys, a unit's consultations (征集) with the adoption of answers, and the
answers to them from the portal and, heard by visitors, from the field app (idempotent by the phone's UUID,
like visits)."""

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from appeals.models import Appeal, AppealKind, AppealSource, Callback
from appeals.services import AppealDraft, Registered, Reporter, appeal_callback, appeal_register
from campaigns.models import Visit
from campaigns.permissions import RECORD_ROLES
from campaigns.services.photos import ProcessedImage, photo_process
from core.audit import audit_record
from core.db import lock_at_version
from core.errors import DomainError, Forbidden, InvalidInput
from core.models import AuditEvent
from geo.models import Region
from org.models import Unit, User
from org.permissions import Scope, user_scope
from portal.models import Consultation, ConsultationAnswer, Open311Key, PortalPhoto, PublicRequest
from portal.selectors import consultation_reaches

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
MAX_CHOICES = 8
MAX_QUESTION_CHARS = 200
MAX_CHOICE_CHARS = 50
PERIOD_BACKWARDS = "结束日期不能早于开始日期"
# A consultation runs for a campaign season at most; a longer one is a typo in a year.
MAX_PERIOD_DAYS = 366


def _question_problem(question: dict[str, Any]) -> str:
    text = str(question.get("text", "")).strip()
    choices = [str(c).strip() for c in question.get("choices") or []]
    if not text:
        return "题目不能为空"
    if len(text) > MAX_QUESTION_CHARS:
        return f"题目不能超过{MAX_QUESTION_CHARS}字"
    if choices and not 2 <= len(choices) <= MAX_CHOICES:
        return f"选择题需要2至{MAX_CHOICES}个选项"
    if any(not c for c in choices):
        return "选项不能为空"
    if any(len(c) > MAX_CHOICE_CHARS for c in choices):
        return f"每个选项不能超过{MAX_CHOICE_CHARS}字"
    if len(set(choices)) != len(choices):
        return "选项不能重复"
    return ""


def consultation_check_questions(questions: list[dict[str, Any]]) -> None:
    """At most 5 questions, each a text with no choices (free text) or 2–8 short, distinct, non-empty choices;
    the refusal names the first question at fault."""
    if not 1 <= len(questions) <= MAX_QUESTIONS:
        message = f"征集需要1至{MAX_QUESTIONS}个问题"
        raise InvalidInput(message, code="invalid_input", details={"questions": message})
    texts = [str(q.get("text", "")).strip() for q in questions]
    for number, question in enumerate(questions, start=1):
        problem = _question_problem(question)
        if problem:
            message = f"第{number}题：{problem}"
            raise InvalidInput(message, code="invalid_input", details={"questions": message})
    if len(set(texts)) != len(texts):
        # The answers are kept by question text (ConsultationAnswer.answers), so two alike would be one.
        message = "问题不能重复"
        raise InvalidInput(message, code="invalid_input", details={"questions": message})


@dataclass(frozen=True)
class ConsultationData:
    title: str
    text: str
    starts: date
    ends: date
    questions: list[dict[str, Any]]


def _clean_questions(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cleaned: list[dict[str, Any]] = []
    for question in questions:
        choices = [str(c).strip() for c in question.get("choices") or []]
        item: dict[str, Any] = {"text": str(question.get("text", "")).strip()}
        if choices:
            item["choices"] = choices
        cleaned.append(item)
    return cleaned


def _checked_consultation(data: ConsultationData) -> dict[str, Any]:
    problems: dict[str, str] = {}
    title, text = data.title.strip(), data.text.strip()
    if not title:
        problems["title"] = "请填写征集主题"
    elif len(title) > 100:
        problems["title"] = "主题不能超过100字"
    if not text:
        problems["text"] = "请填写征集说明"
    elif len(text) > 2000:
        problems["text"] = "说明不能超过2000字"
    if data.ends < data.starts:
        problems["ends"] = PERIOD_BACKWARDS
    elif (data.ends - data.starts).days >= MAX_PERIOD_DAYS:
        problems["ends"] = "征集期限最长一年"
    questions = _clean_questions(data.questions)
    try:
        consultation_check_questions(questions)
    except InvalidInput as exc:
        problems["questions"] = exc.message
    if problems:
        first = next(iter(problems.values()))
        raise InvalidInput(first, code="invalid_input", details=problems)
    return {"title": title, "text": text, "starts": data.starts, "ends": data.ends, "questions": questions}


def _audit(actor: User, request: HttpRequest | None, target: Any, what: str, **data: Any) -> None:
    audit_record(
        action=AuditEvent.Action.PUBLIC_TEXT_CHANGED,
        actor=actor,
        request=request,
        target=target,
        data={"what": what, **data},
    )


@transaction.atomic
def consultation_create(
    *, actor: User, unit: Unit, data: ConsultationData, request: HttpRequest | None = None
) -> Consultation:
    """A unit's new consultation, a draft until published; audited."""
    created = Consultation.objects.create(unit=unit, **_checked_consultation(data))
    _audit(actor, request, created, "consultation_created", title=created.title)
    return created


@transaction.atomic
def consultation_edit(
    *,
    actor: User,
    consultation: Consultation,
    data: ConsultationData,
    expected_version: int,
    request: HttpRequest | None = None,
) -> Consultation:
    """Edit the topic, period, text and questions; the questions are frozen once anyone answered (their answers
    are kept against the questions as asked), and an edit of a version someone changed meanwhile is refused."""
    locked = lock_at_version(
        Consultation.objects.all(), pk=consultation.pk, expected_version=expected_version
    )
    values = _checked_consultation(data)
    if values["questions"] != locked.questions and locked.answers.exists():
        message = "已有群众回答，问题不能再修改（可修改主题、期限和说明）"
        raise InvalidInput(message, code="questions_frozen", details={"questions": message})
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    for name, value in values.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*values, "version", "updated_at"])
    _audit(actor, request, locked, "consultation_edited", fields=changed)
    return locked


@transaction.atomic
def consultation_publish(
    *,
    actor: User,
    consultation: Consultation,
    published: bool,
    expected_version: int,
    request: HttpRequest | None = None,
) -> Consultation:
    """Publish the consultation on the portal (answers are taken within its period), or withdraw it."""
    locked = lock_at_version(
        Consultation.objects.all(), pk=consultation.pk, expected_version=expected_version
    )
    if locked.is_published == published:
        raise DomainError("该征集已发布" if published else "该征集尚未发布", code="unchanged")
    if published and locked.ends < timezone.localdate():
        message = "征集期限已过，请先修改结束日期"
        raise InvalidInput(message, code="invalid_input", details={"ends": message})
    locked.is_published = published
    locked.save(update_fields=["is_published", "version", "updated_at"])
    _audit(actor, request, locked, "consultation_published" if published else "consultation_withdrawn")
    return locked


MAX_ANSWER_LENGTH = 500
SUGGESTION_CATEGORY = "suggestion.public_service"


def _answer_pairs(consultation: Consultation, answers: Sequence[str]) -> list[dict[str, str]]:
    """(question, answer) for each question answered, as asked; InvalidInput naming each answer that is wrong."""
    questions = consultation.questions
    if len(answers) != len(questions):
        message = f"应按顺序回答{len(questions)}个问题（未答的填空）"
        raise InvalidInput(message, code="invalid_input", details={"answers": message})
    wrong: dict[int, str] = {}
    for i, (question, answer) in enumerate(zip(questions, answers, strict=True)):
        choices = [str(c) for c in question.get("choices") or []]
        if answer and choices and answer not in choices:
            wrong[i] = "请从选项中选择：" + "、".join(choices)
        elif len(answer) > MAX_ANSWER_LENGTH:
            wrong[i] = f"不能超过{MAX_ANSWER_LENGTH}字"
    if wrong:
        raise InvalidInput("回答有误，请检查后重试", code="invalid_input", details={"answers": wrong})
    pairs = [{"question": str(q["text"]), "answer": a} for q, a in zip(questions, answers, strict=True) if a]
    if not pairs:
        raise InvalidInput(
            "请至少回答一个问题", code="invalid_input", details={"answers": "请至少回答一个问题"}
        )
    return pairs


def _suggestion(
    consultation: Consultation,
    pairs: list[dict[str, str]],
    *,
    source: str,
    region_code: str,
    anonymous: bool,
    reporter: Reporter,
) -> AppealDraft:
    return AppealDraft(
        kind=AppealKind.SUGGESTION,
        source=source,
        title=f"征集：{consultation.title}"[:100],
        description="\n".join(f"问：{p['question']}\n答：{p['answer']}" for p in pairs),
        region_code=region_code,
        category_code=SUGGESTION_CATEGORY,
        anonymous=anonymous,
        reporter=reporter,
    )


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
    if not consultation_reaches(consultation, region_code):
        # A unit asks the places of its own region (as on its posters and in the field app).
        message = f"该征集面向{consultation.unit.region.name}的群众，请选择该地区内的村（社区）"
        raise InvalidInput(message, code="invalid_input", details={"region_code": message})
    pairs = _answer_pairs(consultation, answers)
    registered = portal_submit(
        draft=_suggestion(
            consultation,
            pairs,
            source=AppealSource.PORTAL,
            region_code=region_code,
            anonymous=anonymous,
            reporter=reporter,
        )
    )
    ConsultationAnswer.objects.create(consultation=consultation, appeal=registered.appeal, answers=pairs)
    return registered


# --- answers heard in the field app --------------------------------------------------------------------------

MAX_ANSWER_BATCH = 200
# Phones' clocks drift; an answer "in the future" by more than this is a typing error (as for visits).
CLOCK_SKEW = timedelta(minutes=10)
UNKNOWN_PLACE = "地点不存在或不在您的工作范围内"
NOT_HERE = "该征集不存在或未在此地开展"


@dataclass(frozen=True)
class FieldAnswerData:
    """One person's answers heard by a visitor, as the field app sent them (shape already checked)."""

    uuid: UUID
    consultation_id: int
    place_code: str
    answered_at: datetime
    answers: tuple[str, ...]
    anonymous: bool = False
    reporter: Reporter = field(default_factory=Reporter)
    visit_uuid: UUID | None = None


@dataclass(frozen=True)
class RecordedAnswer:
    answer: ConsultationAnswer
    created: bool


@dataclass(frozen=True)
class AnswerResult:
    """One item of a batch: `status` 201 (stored), 200 (repeat), 409 or 422 with `error`."""

    index: int
    uuid: UUID
    status: int
    answer_id: int | None = None
    appeal_id: int | None = None
    error: DomainError | None = None


def field_answer_hash(data: FieldAnswerData) -> str:
    """SHA-256 of the canonical JSON of what was sent: sorted keys, UTC time, no whitespace."""
    plain = asdict(data)
    plain["answered_at"] = data.answered_at.astimezone(UTC).isoformat()
    raw = json.dumps(plain, default=str, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


def _repeat(existing: ConsultationAnswer, *, actor: User, digest: str) -> RecordedAnswer:
    if existing.content_hash != digest or existing.appeal.registered_by_id != actor.pk:
        raise DomainError(
            "该编号的征集意见已存在且内容不同", code="uuid_conflict", details={"uuid": str(existing.uuid)}
        )
    return RecordedAnswer(answer=existing, created=False)


def _check_field_answer(
    data: FieldAnswerData, *, actor: User, scope: Scope, now: datetime
) -> tuple[Consultation, list[dict[str, str]], Visit | None]:
    region = Region.objects.filter(pk=data.place_code, level=Region.Level.VILLAGE).first()
    # Outside the actor's scope is answered like an unknown place, so scope cannot be probed.
    if region is None or not scope.covers(region.code, *RECORD_ROLES):
        raise InvalidInput(UNKNOWN_PLACE, code="invalid_input", details={"place_code": UNKNOWN_PLACE})
    consultation = (
        Consultation.objects.filter(pk=data.consultation_id, is_published=True).select_related("unit").first()
    )
    if consultation is None or not consultation_reaches(consultation, region.code):
        raise InvalidInput(NOT_HERE, code="consultation_not_here", details={"consultation": NOT_HERE})
    if timezone.is_naive(data.answered_at) or data.answered_at > now + CLOCK_SKEW:
        message = "记录时间不能晚于当前时间"
        raise InvalidInput(message, code="invalid_input", details={"answered_at": message})
    # An answer heard on the last day and sent once the phone finds network later still counts.
    day = timezone.localdate(data.answered_at)
    if not consultation.starts <= day <= consultation.ends:
        message = f"该征集的时间为{consultation.starts}至{consultation.ends}"
        raise InvalidInput("该征集未开放", code="consultation_closed", details={"answered_at": message})
    visit = None
    if data.visit_uuid is not None:
        visit = Visit.objects.filter(uuid=data.visit_uuid, visitor=actor).first()
        if visit is None:
            message = "走访记录不存在"
            raise InvalidInput(message, code="invalid_input", details={"visit_uuid": message})
    return consultation, _answer_pairs(consultation, data.answers), visit


@transaction.atomic
def consultation_answer_record(
    *, actor: User, data: FieldAnswerData, now: datetime | None = None
) -> RecordedAnswer:
    """One person's answers heard by a visitor, registered as a suggestion (source visit) linked to the
    consultation and the visit; the same UUID again answers the stored record, with other content 409."""
    scope = user_scope(actor)
    if not scope.holds(*RECORD_ROLES):
        raise Forbidden("只有走访干部可以登记征集意见")
    now = now or timezone.now()
    digest = field_answer_hash(data)
    existing = ConsultationAnswer.objects.filter(uuid=data.uuid).select_related("appeal").first()
    if existing is not None:
        return _repeat(existing, actor=actor, digest=digest)
    consultation, pairs, visit = _check_field_answer(data, actor=actor, scope=scope, now=now)
    draft = _suggestion(
        consultation,
        pairs,
        source=AppealSource.VISIT,
        region_code=data.place_code,
        anonymous=data.anonymous,
        reporter=data.reporter,
    )
    try:
        with transaction.atomic():
            registered = appeal_register(draft=draft, actor=actor)
            answer = ConsultationAnswer.objects.create(
                consultation=consultation,
                appeal=registered.appeal,
                answers=pairs,
                uuid=data.uuid,
                content_hash=digest,
                visit=visit,
            )
    except IntegrityError:
        # Another request stored this UUID between our read and our insert.
        stored = ConsultationAnswer.objects.select_related("appeal").get(uuid=data.uuid)
        return _repeat(stored, actor=actor, digest=digest)
    return RecordedAnswer(answer=answer, created=True)


def consultation_answers_record_batch(
    *, actor: User, answers: Sequence[FieldAnswerData], now: datetime | None = None
) -> list[AnswerResult]:
    """Up to 200 answers from the field app, each taken or refused on its own (its own transaction), in order."""
    if len(answers) > MAX_ANSWER_BATCH:
        raise InvalidInput(
            f"每批最多{MAX_ANSWER_BATCH}条征集意见",
            code="batch_too_large",
            details={"items": len(answers)},
        )
    if not user_scope(actor).holds(*RECORD_ROLES):
        raise Forbidden("只有走访干部可以登记征集意见")
    now = now or timezone.now()
    results = []
    for i, data in enumerate(answers):
        try:
            recorded = consultation_answer_record(actor=actor, data=data, now=now)
        except DomainError as exc:
            results.append(AnswerResult(i, data.uuid, exc.status, error=exc))
            continue
        answer = recorded.answer
        status = 201 if recorded.created else 200
        results.append(AnswerResult(i, data.uuid, status, answer_id=answer.pk, appeal_id=answer.appeal_id))
    return results


@transaction.atomic
def consultation_adopt(
    *,
    answer: ConsultationAnswer,
    adopted: bool,
    public_reply: str,
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> ConsultationAnswer:
    """采纳: the unit marks an answer adopted with the reply the public reads; taking it back keeps the reply.
    Audited, as the reply is published in the unit's name."""
    if adopted and not public_reply.strip():
        message = "采纳时请填写公开答复"
        raise InvalidInput(message, code="invalid_input", details={"public_reply": message})
    if len(public_reply.strip()) > 1000:
        message = "公开答复不能超过1000字"
        raise InvalidInput(message, code="invalid_input", details={"public_reply": message})
    answer.adopted, answer.public_reply = adopted, public_reply.strip()
    answer.save(update_fields=["adopted", "public_reply"])
    if actor is not None:
        _audit(
            actor,
            request,
            answer,
            "answer_adopted" if adopted else "answer_unadopted",
            consultation=answer.consultation_id,
        )
    return answer
