"""约谈: supervisors record the interview of a unit whose metrics or cases fell short, then follow it up.

scheduled → held (the summary is written) → followed_up (one or more checks on the commitments) → closed.
Every change names the version the client read (409 when stale). Nothing here is personal data of citizens:
the interviewee is the unit's responsible person, and linked appeals are named by their tracking codes.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.db import lock_at_version
from core.errors import DomainError, InvalidInput, NotFound
from insights.selectors.metrics import RATE_KEYS
from org.models import Unit, User
from oversight.models import Interview, InterviewFollowUp, InterviewStatus
from oversight.permissions import notices_citable_by, require_overseer
from oversight.services.common import check_text, refuse, visible_appeals

MAX_COMMITMENTS = 30
MAX_REASONS = len(RATE_KEYS)


@dataclass(frozen=True)
class Reason:
    """A metric that fell short, with its value over the period [starts, ends) when it was read."""

    metric: str
    value: float | None
    starts: date
    ends: date

    def as_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "value": self.value,
            "from": self.starts.isoformat(),
            "to": self.ends.isoformat(),
        }


@dataclass(frozen=True)
class InterviewData:
    held_on: date
    place: str
    interviewers: str
    interviewee: str
    commitments: Sequence[str]
    follow_up_due: date
    summary: str = ""
    reasons: Sequence[Reason] = ()
    notice_id: int | None = None
    appeal_ids: Sequence[int] = field(default_factory=tuple)


def _checked(data: InterviewData) -> dict[str, Any]:
    """The interview's columns from `data`, or 422 with every field's reason."""
    problems: dict[str, str] = {}
    values: dict[str, Any] = {
        "held_on": data.held_on,
        "follow_up_due": data.follow_up_due,
        "place": check_text(problems, "place", data.place, max_length=200),
        "interviewers": check_text(problems, "interviewers", data.interviewers, max_length=200),
        "interviewee": check_text(problems, "interviewee", data.interviewee, max_length=100),
        "summary": check_text(problems, "summary", data.summary, max_length=5000, required=False),
    }
    commitments = [c.strip() for c in data.commitments if c.strip()]
    if not commitments:
        problems["commitments"] = "请至少填写一项整改承诺"
    elif len(commitments) > MAX_COMMITMENTS:
        problems["commitments"] = f"整改承诺最多{MAX_COMMITMENTS}项"
    else:
        for item in commitments:
            check_text(problems, "commitments", item, max_length=500)
    values["commitments"] = commitments
    if data.follow_up_due <= data.held_on:
        problems["follow_up_due"] = "回访督办日期应晚于约谈日期"
    if len(data.reasons) > MAX_REASONS:
        problems["reasons"] = f"约谈事由最多{MAX_REASONS}项"
    for reason in data.reasons:
        if reason.metric not in RATE_KEYS:
            problems["reasons"] = f"未知的指标：{reason.metric[:40]}"
        elif reason.value is not None and not 0 <= reason.value <= 1:
            problems["reasons"] = "指标值应在0至1之间"
        elif reason.starts >= reason.ends:
            problems["reasons"] = "统计期的结束日期应晚于开始日期"
    if len({r.metric for r in data.reasons}) != len(data.reasons):
        problems["reasons"] = "同一指标只能列一次"
    refuse(problems)
    values["reasons"] = [r.as_json() for r in data.reasons]
    return values


@transaction.atomic
def interview_create(*, actor: User, unit: Unit, data: InterviewData) -> Interview:
    """Record an interview of `unit`, scheduled, with the metrics, notice and appeals that led to it."""
    require_overseer(actor, unit)
    values = _checked(data)
    notice = None
    if data.notice_id is not None:
        notice = notices_citable_by(actor).filter(pk=data.notice_id).first()
        if notice is None:
            raise NotFound("通报不存在")
    appeals = visible_appeals(actor, data.appeal_ids)
    interview = Interview.objects.create(unit=unit, notice=notice, created_by=actor, **values)
    interview.appeals.set(appeals)
    return interview


@transaction.atomic
def interview_edit(
    *, actor: User, interview: Interview, data: InterviewData, expected_version: int
) -> Interview:
    """Correct what was recorded, until the interview is closed; the unit and its cause stay as recorded."""
    require_overseer(actor, interview.unit)
    locked = lock_at_version(Interview.objects.all(), pk=interview.pk, expected_version=expected_version)
    if locked.status == InterviewStatus.CLOSED:
        raise DomainError("约谈已结束，不能再修改", code="closed")
    values = _checked(data)
    values.pop("reasons")
    if locked.status != InterviewStatus.SCHEDULED and not values["summary"]:
        raise InvalidInput(
            "约谈已举行，请填写约谈情况", code="invalid_input", details={"summary": "不能为空"}
        )
    for name, value in values.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*values, "version", "updated_at"])
    return locked


@transaction.atomic
def interview_hold(
    *, actor: User, interview: Interview, summary: str, expected_version: int, today: date | None = None
) -> Interview:
    """The interview took place: its summary is written; it cannot be held before its date."""
    require_overseer(actor, interview.unit)
    locked = lock_at_version(Interview.objects.all(), pk=interview.pk, expected_version=expected_version)
    if locked.status != InterviewStatus.SCHEDULED:
        raise DomainError("只能对待约谈的记录登记约谈情况", code="not_scheduled")
    if locked.held_on > (today or timezone.localdate()):
        raise DomainError("约谈日期未到，不能登记为已约谈", code="not_yet")
    problems: dict[str, str] = {}
    locked.summary = check_text(problems, "summary", summary, max_length=5000)
    refuse(problems)
    locked.status = InterviewStatus.HELD
    locked.save(update_fields=["summary", "status", "version", "updated_at"])
    return locked


@transaction.atomic
def interview_follow_up(
    *,
    actor: User,
    interview: Interview,
    on: date,
    note: str,
    expected_version: int,
    today: date | None = None,
) -> InterviewFollowUp:
    """A check on the commitments, on a day between the interview and today."""
    require_overseer(actor, interview.unit)
    locked = lock_at_version(Interview.objects.all(), pk=interview.pk, expected_version=expected_version)
    if locked.status not in (InterviewStatus.HELD, InterviewStatus.FOLLOWED_UP):
        raise DomainError("只能对已约谈、未结束的记录登记回访督办", code="not_held")
    problems: dict[str, str] = {}
    note = check_text(problems, "note", note, max_length=2000)
    if not locked.held_on <= on <= (today or timezone.localdate()):
        problems["on"] = "回访日期应在约谈日期与今天之间"
    refuse(problems)
    locked.status = InterviewStatus.FOLLOWED_UP
    locked.save(update_fields=["status", "version", "updated_at"])
    return InterviewFollowUp.objects.create(interview=locked, on=on, note=note, by=actor)


@transaction.atomic
def interview_close(*, actor: User, interview: Interview, expected_version: int) -> Interview:
    """Close an interview whose commitments were followed up at least once."""
    require_overseer(actor, interview.unit)
    locked = lock_at_version(Interview.objects.all(), pk=interview.pk, expected_version=expected_version)
    if locked.status != InterviewStatus.FOLLOWED_UP:
        raise DomainError("回访督办后才能结束约谈", code="not_followed_up")
    locked.status = InterviewStatus.CLOSED
    locked.save(update_fields=["status", "version", "updated_at"])
    return locked
