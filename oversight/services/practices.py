"""经验做法: supervisors write up what a unit did well; once published, everyone in scope reads it and notices
cite it for their period and region."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from appeals.models import Category
from core.db import lock_at_version
from core.errors import DomainError
from org.models import Unit, User
from oversight.models import GoodPractice
from oversight.permissions import require_overseer
from oversight.services.common import check_text, refuse

MAX_TAGS, MAX_TAG_LENGTH = 10, 20


@dataclass(frozen=True)
class PracticeData:
    title: str
    summary: str
    period_starts: date
    period_ends: date
    body: str = ""
    category_id: int | None = None
    tags: Sequence[str] = field(default_factory=tuple)


def _checked(data: PracticeData) -> dict[str, Any]:
    problems: dict[str, str] = {}
    values: dict[str, Any] = {
        "title": check_text(problems, "title", data.title, max_length=200),
        "summary": check_text(problems, "summary", data.summary, max_length=500),
        "body": check_text(problems, "body", data.body, max_length=20000, required=False),
        "period_starts": data.period_starts,
        "period_ends": data.period_ends,
        "category": None,
    }
    if data.period_ends <= data.period_starts:
        problems["period_ends"] = "结束日期应晚于开始日期"
    if data.category_id is not None:
        values["category"] = Category.objects.filter(pk=data.category_id, is_active=True).first()
        if values["category"] is None:
            problems["category"] = "问题类别不存在"
    tags = list(dict.fromkeys(t.strip() for t in data.tags if t.strip()))
    if len(tags) > MAX_TAGS:
        problems["tags"] = f"标签最多{MAX_TAGS}个"
    for tag in tags:
        check_text(problems, "tags", tag, max_length=MAX_TAG_LENGTH)
    values["tags"] = tags
    refuse(problems)
    return values


@transaction.atomic
def practice_create(*, actor: User, unit: Unit, data: PracticeData) -> GoodPractice:
    """Write up a good practice of `unit`, unpublished until a supervisor publishes it."""
    require_overseer(actor, unit)
    return GoodPractice.objects.create(unit=unit, created_by=actor, **_checked(data))


@transaction.atomic
def practice_edit(
    *, actor: User, practice: GoodPractice, data: PracticeData, expected_version: int
) -> GoodPractice:
    """Edit the write-up; a published practice stays published."""
    require_overseer(actor, practice.unit)
    locked = lock_at_version(GoodPractice.objects.all(), pk=practice.pk, expected_version=expected_version)
    values = _checked(data)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*values, "version", "updated_at"])
    return locked


@transaction.atomic
def practice_publish(
    *, actor: User, practice: GoodPractice, published: bool, expected_version: int
) -> GoodPractice:
    """Publish a practice to everyone in scope, or withdraw it to a draft."""
    require_overseer(actor, practice.unit)
    locked = lock_at_version(GoodPractice.objects.all(), pk=practice.pk, expected_version=expected_version)
    if locked.is_published == published:
        raise DomainError("已发布" if published else "尚未发布", code="unchanged")
    locked.is_published = published
    locked.published_at = timezone.now() if published else None
    locked.save(update_fields=["is_published", "published_at", "version", "updated_at"])
    return locked
