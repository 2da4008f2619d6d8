"""Publishing notices at the same moment on PostgreSQL: every notice gets its own number, none is skipped or
given twice, and one notice published twice at once is published once."""

from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection

from core.errors import DomainError
from oversight.models import Notice, NoticeCounter, NoticeStatus
from oversight.services.notices import notice_publish
from tests.support import DUYUN, race

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks"),
    pytest.mark.django_db(transaction=True),
]


def drafted(author) -> Notice:
    return Notice.objects.create(
        title="关于2025年3月都匀市大走访工作情况的通报",
        issuer="都匀市大走访工作领导小组办公室",
        period_starts=date(2025, 3, 1),
        period_ends=date(2025, 4, 1),
        region_id=DUYUN,
        created_by=author,
    )


def publishing(personas, notice: Notice) -> Callable[[], object]:
    return lambda: notice_publish(notice=notice, actor=personas.supervisor, expected_version=1)


def test_notices_published_at_once_get_consecutive_numbers(personas) -> None:
    notices = [drafted(personas.supervisor) for _ in range(4)]
    results = race(*(publishing(personas, n) for n in notices))
    assert not [r for r in results if isinstance(r, DomainError)]
    year = NoticeCounter.objects.get().year
    numbers = sorted(Notice.objects.values_list("number", flat=True))
    assert numbers == sorted(f"黔南走访办通〔{year}〕{n}号" for n in range(1, 5))
    assert NoticeCounter.objects.get().last == 4


def test_one_notice_published_twice_at_once_is_published_once(personas) -> None:
    notice = drafted(personas.supervisor)
    results = race(publishing(personas, notice), publishing(personas, notice))
    errors = [r for r in results if isinstance(r, DomainError)]
    assert len(errors) == 1 and errors[0].status == 409
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PUBLISHED and notice.version == 2
    assert NoticeCounter.objects.get().last == 1
