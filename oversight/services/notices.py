"""Notices (通报): generated from the metrics as a draft, edited section by section, then published with the
next document number of the year."""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.db import lock_at_version
from core.errors import DomainError
from core.period import Period
from geo.models import Region
from org.models import User
from oversight.models import Notice, NoticeCounter, NoticeStatus
from oversight.permissions import check_notice_region, require_notice_editor
from oversight.selectors.notices import (
    SECTION_KEYS,
    document_number,
    notice_content,
    notice_issuer,
    notice_title,
)
from oversight.services.common import check_text, refuse

MAX_SECTION_TEXT = 10000
MAX_ADDRESSEE = 200


@dataclass(frozen=True)
class NoticeEdit:
    """What a draft's editor may change; None leaves a part as it is."""

    title: str | None = None
    addressee: str | None = None
    sections: dict[str, str] = field(default_factory=dict)


@transaction.atomic
def notice_draft(*, user: User, period: Period, region: Region) -> Notice:
    """Generate a draft notice for the period and region from the metrics, the rankings, the overdue items and
    the good practices, as the user sees them."""
    check_notice_region(user, region)
    return Notice.objects.create(
        title=notice_title(region, period.starts, period.ends),
        issuer=notice_issuer(region),
        period_starts=period.starts,
        period_ends=period.ends,
        region=region,
        content=notice_content(user=user, period=period, region=region),
        created_by=user,
    )


def _refuse_published(notice: Notice) -> None:
    if notice.status != NoticeStatus.DRAFT:
        raise DomainError("通报已印发，不能再修改", code="notice_published")


@transaction.atomic
def notice_edit(*, notice: Notice, actor: User, expected_version: int, edit: NoticeEdit) -> Notice:
    """Change a draft's title, addressee or section texts; a published notice is final."""
    require_notice_editor(actor, notice)
    locked = lock_at_version(Notice.objects.all(), pk=notice.pk, expected_version=expected_version)
    _refuse_published(locked)
    problems: dict[str, str] = {}
    fields = ["content", "version", "updated_at"]
    content: dict[str, Any] = dict(locked.content)
    if edit.title is not None:
        locked.title = check_text(problems, "title", edit.title, max_length=200)
        fields.append("title")
    if edit.addressee is not None:
        content["addressee"] = check_text(
            problems, "addressee", edit.addressee, max_length=MAX_ADDRESSEE, required=False
        )
    unknown = sorted(set(edit.sections) - set(SECTION_KEYS))
    for key in unknown:
        problems[f"sections.{key}"] = "没有这一部分"
    texts = {
        key: check_text(problems, f"sections.{key}", text, max_length=MAX_SECTION_TEXT, required=False)
        for key, text in edit.sections.items()
        if key in SECTION_KEYS
    }
    refuse(problems)
    content["sections"] = [
        {**part, "text": texts[part["key"]]} if part.get("key") in texts else part
        for part in content.get("sections", [])
    ]
    locked.content = content
    locked.save(update_fields=fields)
    return locked


@transaction.atomic
def notice_publish(*, notice: Notice, actor: User, expected_version: int) -> Notice:
    """印发: give the draft the next document number of the year and freeze it.

    The year's counter row is locked until the transaction ends, so numbers follow the order of publishing
    with no gaps and no repeats."""
    require_notice_editor(actor, notice)
    locked = lock_at_version(Notice.objects.all(), pk=notice.pk, expected_version=expected_version)
    if locked.status != NoticeStatus.DRAFT:
        raise DomainError("通报已印发，不能重复印发", code="already_published")
    now = timezone.now()
    year = timezone.localtime(now).year
    NoticeCounter.objects.get_or_create(year=year)
    counter = NoticeCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    locked.number = document_number(year, counter.last)
    locked.status = NoticeStatus.PUBLISHED
    locked.published_by = actor
    locked.published_at = now
    locked.save(update_fields=["number", "status", "published_by", "published_at", "version", "updated_at"])
    return locked
