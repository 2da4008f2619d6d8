"""整改台账: a problem a unit must put right by a date, from a case review, a chronic problem, an inspection
or public opinion, possibly from an interview.

open → in_progress (the first progress update) → done (the unit reports it done) → verified (a supervisor
checks it), or back to in_progress when the check fails. Overdue is not a status: an open or in-progress item
past its due date is shown as overdue. Every change names the version the client read (409 when stale).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.db import lock_at_version
from core.errors import DomainError, Forbidden, InvalidInput, NotFound
from org.models import Unit, User
from oversight.models import (
    RECTIFICATION_PENDING,
    Rectification,
    RectificationSource,
    RectificationStatus,
    RectificationUpdate,
)
from oversight.permissions import interviews_visible_to, may_report, require_overseer
from oversight.services.common import check_text, refuse, visible_appeals


@dataclass(frozen=True)
class RectificationData:
    source: str
    problem: str
    due: date
    measures: str = ""
    interview_id: int | None = None
    appeal_ids: Sequence[int] = field(default_factory=tuple)


def _checked(data: RectificationData) -> dict[str, Any]:
    problems: dict[str, str] = {}
    values: dict[str, Any] = {
        "source": data.source,
        "due": data.due,
        "problem": check_text(problems, "problem", data.problem, max_length=2000),
        "measures": check_text(problems, "measures", data.measures, max_length=5000, required=False),
    }
    if data.source not in RectificationSource.values:
        problems["source"] = "问题来源无效"
    refuse(problems)
    return values


@transaction.atomic
def rectification_create(*, actor: User, unit: Unit, data: RectificationData) -> Rectification:
    """Open a rectification item for `unit`, with the appeals and the interview it comes from."""
    require_overseer(actor, unit)
    values = _checked(data)
    interview = None
    if data.interview_id is not None:
        interview = interviews_visible_to(actor).filter(pk=data.interview_id).first()
        if interview is None:
            raise NotFound("约谈记录不存在")
        if interview.unit_id != unit.pk:
            raise InvalidInput(
                "整改责任单位应与被约谈单位一致",
                code="invalid_input",
                details={"interview": "不是该单位的约谈"},
            )
    appeals = visible_appeals(actor, data.appeal_ids)
    item = Rectification.objects.create(unit=unit, interview=interview, created_by=actor, **values)
    item.appeals.set(appeals)
    return item


@transaction.atomic
def rectification_edit(
    *, actor: User, item: Rectification, data: RectificationData, expected_version: int
) -> Rectification:
    """Correct the problem, measures, source or due date of an item not yet verified."""
    require_overseer(actor, item.unit)
    locked = lock_at_version(Rectification.objects.all(), pk=item.pk, expected_version=expected_version)
    if locked.status == RectificationStatus.VERIFIED:
        raise DomainError("整改已验收，不能再修改", code="verified")
    values = _checked(data)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*values, "version", "updated_at"])
    return locked


@transaction.atomic
def rectification_progress(
    *, actor: User, item: Rectification, note: str, done: bool = False, expected_version: int
) -> RectificationUpdate:
    """A progress report by the unit or a supervisor; `done` reports the rectification finished."""
    if not may_report(actor, item):
        raise Forbidden("只有责任单位或督查人员可以报送整改进展")
    locked = lock_at_version(Rectification.objects.all(), pk=item.pk, expected_version=expected_version)
    if locked.status not in RECTIFICATION_PENDING:
        raise DomainError("整改已报完成，不能再报送进展", code="not_pending")
    problems: dict[str, str] = {}
    note = check_text(problems, "note", note, max_length=2000)
    refuse(problems)
    before = locked.status
    fields = ["status", "version", "updated_at"]
    if done:
        locked.status, locked.done_at = RectificationStatus.DONE, timezone.now()
        fields.append("done_at")
    else:
        locked.status = RectificationStatus.IN_PROGRESS
    locked.save(update_fields=fields)
    return RectificationUpdate.objects.create(
        item=locked, note=note, by=actor, status=locked.status if locked.status != before else ""
    )


@transaction.atomic
def rectification_verify(
    *, actor: User, item: Rectification, passed: bool, note: str, expected_version: int
) -> Rectification:
    """A supervisor checks an item reported done: verified, or back to in progress with the reason."""
    require_overseer(actor, item.unit)
    locked = lock_at_version(Rectification.objects.all(), pk=item.pk, expected_version=expected_version)
    if locked.status != RectificationStatus.DONE:
        raise DomainError("只能验收已报完成的整改事项", code="not_done")
    problems: dict[str, str] = {}
    note = check_text(problems, "note", note, max_length=2000)
    refuse(problems)
    if passed:
        locked.status, locked.verification_note = RectificationStatus.VERIFIED, note
        locked.verified_by, locked.verified_at = actor, timezone.now()
    else:
        locked.status, locked.done_at = RectificationStatus.IN_PROGRESS, None
    locked.save(
        update_fields=[
            "status",
            "verification_note",
            "verified_by",
            "verified_at",
            "done_at",
            "version",
            "updated_at",
        ]
    )
    RectificationUpdate.objects.create(
        item=locked, note=note if passed else f"验收未通过：{note}", by=actor, status=locked.status
    )
    return locked
