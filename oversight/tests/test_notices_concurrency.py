"""Publishing notices at the same moment on PostgreSQL: every notice gets its own number, none is skipped or
given twice, and one notice published twice at once is published once."""

import threading
from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection

from conftest import DUYUN
from core.errors import DomainError
from oversight.models import Notice, NoticeCounter, NoticeStatus
from oversight.services.notices import notice_publish

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks"),
    pytest.mark.django_db(transaction=True),
]


def race(*actions: Callable[[], object]) -> list[object]:
    """Run the actions in threads released together; each result is a value or the DomainError raised."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(i: int, action: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[i] = action()
        except DomainError as error:
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


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
