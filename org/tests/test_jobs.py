"""The job queue end to end: the purge task is enqueued into real SQLite and Redis storage, dequeued and run."""

import os
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import redis
from django.utils import timezone
from huey.storage import RedisStorage, SqliteStorage

from org.models import ApiToken
from org.services import token_issue
from org.tasks import purge_expired_tokens

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["sqlite", "redis"])
def job_queue(request, tmp_path):
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = False
    saved = HUEY.storage
    name = f"zoufang-test-{uuid.uuid4().hex[:8]}"
    if request.param == "sqlite":
        HUEY.storage = SqliteStorage(name, filename=str(tmp_path / "jobs.sqlite3"))
    else:
        if not _redis_reachable():
            if os.environ.get("REDIS_URL"):
                pytest.fail(f"REDIS_URL is set but Redis does not answer at {REDIS_URL}")
            pytest.skip("Redis is not running here (CI runs this with REDIS_URL set)")
        HUEY.storage = RedisStorage(name, url=REDIS_URL)
    yield HUEY
    HUEY.storage.flush_all()
    HUEY.storage = saved


# A worker closes stale connections around each job, as a real worker must, so no test transaction may wrap it.
@pytest.mark.django_db(transaction=True)
def test_purge_task_runs_through_the_queue(job_queue, personas) -> None:
    old = token_issue(user=personas.handler).token
    live = token_issue(user=personas.handler).token
    ApiToken.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=8))

    purge_expired_tokens()
    assert job_queue.pending_count() == 1
    assert ApiToken.objects.count() == 2  # nothing runs until a worker takes the job
    job_queue.execute(job_queue.dequeue())

    assert job_queue.pending_count() == 0
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [live.pk]


@pytest.mark.django_db
def test_recently_expired_and_revoked_tokens_are_kept_a_week_for_the_record(personas) -> None:
    token = token_issue(user=personas.handler).token
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - timedelta(days=6), revoked_at=timezone.now() - timedelta(days=6)
    )
    assert purge_expired_tokens.call_local() == 0
    assert ApiToken.objects.count() == 1


def test_purge_is_scheduled_hourly() -> None:
    from huey.contrib.djhuey import HUEY

    shanghai = ZoneInfo("Asia/Shanghai")
    due = {task.name for task in HUEY.read_periodic(datetime(2027, 1, 4, 9, 17, tzinfo=shanghai))}
    not_due = {task.name for task in HUEY.read_periodic(datetime(2027, 1, 4, 9, 18, tzinfo=shanghai))}
    assert "purge_expired_tokens" in due
    assert "purge_expired_tokens" not in not_due
