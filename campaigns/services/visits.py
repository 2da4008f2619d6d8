"""Writes of the campaigns app: recording field visits, one at a time or in batches from the field app.

A visit is idempotent by its client UUID (DESIGN §2.3): the same UUID with the same content answers the stored
record and writes nothing; the same UUID with other content is refused with `uuid_conflict`.

Who may record: visitors, and the cadres who also go out on visits (dispatchers, handlers, unit heads), each
within the region subtree of the unit in which they hold that role. Leaders and supervisors only read.
"""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from appeals.models import AppealKind, AppealSource
from appeals.services import AppealDraft, appeal_register
from campaigns.models import Campaign, Enterprise, Visit, VisitProblem
from campaigns.permissions import RECORD_ROLES
from campaigns.services.flags import notes_digest
from campaigns.services.tallies import visit_tally_add
from core.errors import DomainError, Forbidden, InvalidInput
from geo.models import Region
from org.models import User
from org.permissions import Scope, user_scope

MAX_BATCH = 500
MAX_COUNT = 10_000
# A visit logged just after midnight on the day after a campaign ends, or typed a day early, still counts.
CAMPAIGN_TOLERANCE = timedelta(days=1)
# Phones' clocks drift; a visit "in the future" by more than this is a typing error.
CLOCK_SKEW = timedelta(minutes=10)
UNKNOWN_PLACE = "走访地点不存在或不在您的工作范围内"


@dataclass(frozen=True)
class ProblemData:
    """A problem heard on the visit; an empty `draft.region_code` means the visit's place."""

    draft: AppealDraft
    on_site_reply: str = ""


@dataclass(frozen=True)
class VisitData:
    """A visit as submitted, already checked for shape (lengths, markup, ranges) by the schema."""

    uuid: UUID
    started_at: datetime
    place_code: str = ""
    enterprise_id: int | None = None
    campaign_id: int | None = None
    households_reached: int = 0
    people_met: int = 0
    notes: str = ""
    suggestions: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    form_version: int = 1
    problems: tuple[ProblemData, ...] = field(default_factory=tuple)
    # The household met, optional: someone a spot-check can call back (personal data, masked when shown).
    household_name: str = ""
    household_phone: str = ""


@dataclass(frozen=True)
class RecordedVisit:
    visit: Visit
    created: bool
    secrets: dict[int, str] = field(default_factory=dict)  # appeal id → secret, shown once on creation


@dataclass(frozen=True)
class BatchResult:
    """One item of a batch: `status` 201 (stored), 200 (repeat), 409 or 422 with `error`."""

    index: int
    uuid: UUID
    status: int
    visit_id: int | None = None
    error: DomainError | None = None


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date | UUID | Decimal):
        return str(value)
    raise TypeError(type(value).__name__)


def visit_content_hash(data: VisitData) -> str:
    """SHA-256 of the canonical JSON of the submitted visit: sorted keys, UTC times, no whitespace."""
    # Shallow on purpose: dataclasses.asdict deep-copies every field and was a third of a batch's time.
    plain = {f.name: getattr(data, f.name) for f in fields(data)}
    plain["problems"] = [asdict(p) for p in data.problems]
    # Fields added after the first form leave the hash of bodies without them as it was, so a phone that
    # resends an old outbox entry after an upgrade still gets its stored record back instead of a conflict.
    for later in ("suggestions", "household_name", "household_phone"):
        if not plain[later]:
            del plain[later]
    raw = json.dumps(plain, default=_canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


def _require_recorder(actor: User) -> Scope:
    scope = user_scope(actor)
    if not scope.holds(*RECORD_ROLES):
        raise Forbidden("只有走访干部可以登记走访")
    return scope


def _repeat(existing: Visit, digest: str) -> Visit:
    if existing.content_hash != digest:
        raise DomainError(
            "该编号的走访记录已存在且内容不同", code="uuid_conflict", details={"uuid": str(existing.uuid)}
        )
    return existing


@dataclass
class _Lookups:
    """Everything a batch needs to check its visits, read in one query per table."""

    existing: dict[UUID, Visit]
    regions: dict[str, Region]
    enterprises: dict[int, Enterprise]
    campaigns: list[Campaign]

    @classmethod
    def load(cls, items: Sequence[VisitData]) -> "_Lookups":
        codes = {d.place_code for d in items if d.place_code}
        enterprise_ids = {d.enterprise_id for d in items if d.enterprise_id is not None}
        return cls(
            existing={v.uuid: v for v in Visit.objects.filter(uuid__in=[d.uuid for d in items])},
            regions={r.code: r for r in Region.objects.filter(code__in=codes, level=Region.Level.VILLAGE)},
            enterprises={e.pk: e for e in Enterprise.objects.filter(pk__in=enterprise_ids, is_active=True)},
            campaigns=list(Campaign.objects.filter(is_active=True).order_by("-starts", "-id")),
        )


def _campaign(data: VisitData, campaigns: list[Campaign]) -> Campaign:
    day = timezone.localdate(data.started_at)

    def covers(c: Campaign) -> bool:
        return c.starts - CAMPAIGN_TOLERANCE <= day <= c.ends + CAMPAIGN_TOLERANCE

    if data.campaign_id is not None:
        chosen = next((c for c in campaigns if c.pk == data.campaign_id), None)
        if chosen is None:
            raise InvalidInput(
                "走访活动不存在或已停止", code="invalid_input", details={"campaign": "走访活动不存在或已停止"}
            )
        if not covers(chosen):
            raise InvalidInput(
                "走访时间不在走访活动期间内",
                code="invalid_input",
                details={"started_at": f"应在{chosen.starts}至{chosen.ends}之间"},
            )
        return chosen
    running = next((c for c in campaigns if covers(c)), None)
    if running is None:
        raise InvalidInput(
            "走访时间没有正在进行的走访活动", code="invalid_input", details={"campaign": "请选择走访活动"}
        )
    return running


def _prepare(
    data: VisitData, *, actor: User, scope: Scope, lookups: _Lookups, now: datetime, digest: str
) -> Visit:
    """The unsaved visit, or InvalidInput naming every field that is wrong."""
    problems: dict[str, str] = {}
    region_code, enterprise = "", None
    if bool(data.place_code) == (data.enterprise_id is not None):
        problems["place_code"] = "请填写村（社区）代码或企业，二者选一"
    elif data.place_code:
        region = lookups.regions.get(data.place_code)
        # Outside the actor's scope is answered like an unknown place, so scope cannot be probed.
        if region is None or not scope.covers(region.code, *RECORD_ROLES):
            problems["place_code"] = UNKNOWN_PLACE
        else:
            region_code = region.code
    else:
        assert data.enterprise_id is not None
        enterprise = lookups.enterprises.get(data.enterprise_id)
        if enterprise is None or not scope.covers(enterprise.region_id, *RECORD_ROLES):
            problems["enterprise"] = UNKNOWN_PLACE
        else:
            region_code = enterprise.region_id
    for name in ("households_reached", "people_met"):
        if not 0 <= getattr(data, name) <= MAX_COUNT:
            problems[name] = f"应在0至{MAX_COUNT}之间"
    if timezone.is_naive(data.started_at):
        problems["started_at"] = "请带时区"
    elif data.started_at > now + CLOCK_SKEW:
        problems["started_at"] = "走访时间不能晚于当前时间"
    if (data.latitude is None) != (data.longitude is None):
        problems["location"] = "经纬度须同时填写"
    if problems:
        raise InvalidInput(
            problems.get("place_code") or problems.get("enterprise") or "输入有误，请检查后重试",
            code="invalid_input",
            details=problems,
        )
    campaign = _campaign(data, lookups.campaigns)
    return Visit(
        uuid=data.uuid,
        campaign=campaign,
        visitor=actor,
        region_id=region_code,
        enterprise=enterprise,
        started_at=data.started_at,
        latitude=data.latitude,
        longitude=data.longitude,
        households_reached=data.households_reached,
        people_met=data.people_met,
        notes=data.notes,
        notes_digest=notes_digest(data.notes),
        suggestions=data.suggestions,
        household_name=data.household_name.strip(),
        household_phone=data.household_phone.strip(),
        form_version=data.form_version,
        content_hash=digest,
        created_at=now,
    )


def _register_problems(visit: Visit, data: VisitData, *, actor: User, now: datetime) -> dict[int, str]:
    secrets: dict[int, str] = {}
    for i, problem in enumerate(data.problems):
        draft = problem.draft
        overrides: dict[str, Any] = {"source": AppealSource.VISIT}
        if not draft.region_code:
            overrides["region_code"] = visit.region_id
        if not draft.address and visit.enterprise is not None:
            overrides["address"] = visit.enterprise.name[:200]
        draft = replace(draft, **overrides)
        try:
            registered = appeal_register(
                draft=draft, actor=actor, on_site_reply=problem.on_site_reply, at=now
            )
        except InvalidInput as exc:
            raise InvalidInput(exc.message, code=exc.code, details={"problems": {i: exc.details}}) from None
        VisitProblem.objects.create(visit=visit, appeal=registered.appeal)
        secrets[registered.appeal.pk] = registered.secret
    return secrets


@transaction.atomic
def visit_record(*, actor: User, data: VisitData, now: datetime | None = None) -> RecordedVisit:
    """Store a visit and register its problems as appeals (source visit); a repeat answers the stored visit."""
    scope = _require_recorder(actor)
    now = now or timezone.now()
    digest = visit_content_hash(data)
    lookups = _Lookups.load([data])
    existing = lookups.existing.get(data.uuid)
    if existing is not None:
        return RecordedVisit(visit=_repeat(existing, digest), created=False)
    visit = _prepare(data, actor=actor, scope=scope, lookups=lookups, now=now, digest=digest)
    try:
        with transaction.atomic():
            visit.save(force_insert=True)
    except IntegrityError:
        # Another request stored this UUID between our read and our insert.
        return RecordedVisit(visit=_repeat(Visit.objects.get(uuid=data.uuid), digest), created=False)
    secrets = _register_problems(visit, data, actor=actor, now=now)
    disputes = sum(1 for problem in data.problems if problem.draft.kind == AppealKind.DISPUTE)
    visit_tally_add(visits=[visit], disputes={visit.pk: disputes})
    return RecordedVisit(visit=visit, created=True, secrets=secrets)


def visits_record_batch(
    *, actor: User, visits: Sequence[VisitData], now: datetime | None = None
) -> list[BatchResult]:
    """Record up to 500 visits, each on its own merits; results in input order.

    Visits without problems are checked against lookups read once and inserted together in one transaction;
    visits with problems go one by one through `visit_record`, each in its own transaction.
    """
    if len(visits) > MAX_BATCH:
        raise InvalidInput(
            f"每批最多{MAX_BATCH}条走访记录", code="batch_too_large", details={"visits": len(visits)}
        )
    scope = _require_recorder(actor)
    now = now or timezone.now()
    lookups = _Lookups.load(visits)
    results: dict[int, BatchResult] = {}
    fresh: list[tuple[int, Visit]] = []
    slow: list[int] = []
    first: dict[UUID, tuple[int, str]] = {}  # a UUID's first occurrence in this batch, and its digest
    later: list[tuple[int, int, str]] = []  # (index, index of the first occurrence, digest)
    for i, data in enumerate(visits):
        digest = visit_content_hash(data)
        try:
            existing = lookups.existing.get(data.uuid)
            if existing is not None:
                results[i] = BatchResult(i, data.uuid, 200, visit_id=_repeat(existing, digest).pk)
            elif data.uuid in first:
                later.append((i, first[data.uuid][0], digest))
            elif data.problems:
                first[data.uuid] = (i, digest)
                slow.append(i)
            else:
                first[data.uuid] = (i, digest)
                fresh.append(
                    (i, _prepare(data, actor=actor, scope=scope, lookups=lookups, now=now, digest=digest))
                )
        except DomainError as exc:
            results[i] = BatchResult(i, data.uuid, exc.status, error=exc)
    _insert(fresh, visits, actor=actor, now=now, results=results)
    for i in slow:
        try:
            recorded = visit_record(actor=actor, data=visits[i], now=now)
            results[i] = BatchResult(i, visits[i].uuid, 201 if recorded.created else 200, recorded.visit.pk)
        except DomainError as exc:
            results[i] = BatchResult(i, visits[i].uuid, exc.status, error=exc)
    for i, j, digest in later:
        if digest != first[visits[i].uuid][1]:
            conflict = DomainError(
                "该编号的走访记录已存在且内容不同",
                code="uuid_conflict",
                details={"uuid": str(visits[i].uuid)},
            )
            results[i] = BatchResult(i, visits[i].uuid, 409, error=conflict)
        else:
            done = results[j]
            status = 200 if done.error is None else done.status
            results[i] = BatchResult(i, visits[i].uuid, status, done.visit_id, done.error)
    return [results[i] for i in range(len(visits))]


def _insert(
    fresh: list[tuple[int, Visit]],
    visits: Sequence[VisitData],
    *,
    actor: User,
    now: datetime,
    results: dict[int, BatchResult],
) -> None:
    if not fresh:
        return
    try:
        with transaction.atomic():
            Visit.objects.bulk_create([visit for _, visit in fresh])
            visit_tally_add(visits=[visit for _, visit in fresh], disputes={})
    except IntegrityError:
        # A concurrent request stored some of these UUIDs first: take them one at a time.
        for i, _visit in fresh:
            try:
                recorded = visit_record(actor=actor, data=visits[i], now=now)
                results[i] = BatchResult(
                    i, visits[i].uuid, 201 if recorded.created else 200, recorded.visit.pk
                )
            except DomainError as exc:
                results[i] = BatchResult(i, visits[i].uuid, exc.status, error=exc)
        return
    for i, visit in fresh:
        results[i] = BatchResult(i, visit.uuid, 201, visit_id=visit.pk)
