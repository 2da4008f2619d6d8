"""The demo appeals (driven through the services) and the scale data (bulk) that seed_demo and seed_scale write."""

import itertools
from collections import Counter
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from appeals.models import (
    OPEN_TASK_STATUSES,
    Appeal,
    AppealEvent,
    AppealStatus,
    ExtensionRequest,
    TaskRole,
    TaskStatus,
)
from core.errors import DomainError
from demo.appeals import seed_demo_appeals
from demo.units import demo_seed

TODAY = datetime(2027, 1, 20, 15, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
E = AppealEvent.Kind
# Events that do not change the state; the last of the others tells the state.
ASIDE = {
    E.URGED,
    E.ESCALATED,
    E.NOTE,
    E.SUPERVISED,
    E.DUPLICATE_ADDED,
    E.REPORTED,
    E.EXTENSION_REQUESTED,
    E.EXTENSION_APPROVED,
    E.EXTENSION_DENIED,
    E.CO_UNIT_LAPSED,
}
STATUS_AFTER = {
    E.REGISTERED: {AppealStatus.REGISTERED},
    E.RETURNED: {AppealStatus.REGISTERED},
    E.ASSIGNED: {AppealStatus.ASSIGNED},
    E.REOPENED: {AppealStatus.ASSIGNED},
    E.ACCEPTED: {AppealStatus.IN_PROGRESS},
    E.REPLY_SUBMITTED: {AppealStatus.AWAITING_APPROVAL},
    E.REPLY_REJECTED: {AppealStatus.IN_PROGRESS},
    E.RESOLVED: {AppealStatus.RESOLVED},
    E.RESOLVED_ON_SITE: {AppealStatus.RESOLVED},
    E.CALLBACK: {AppealStatus.CLOSED, AppealStatus.RESOLVED},
    E.CLOSED: {AppealStatus.CLOSED},
    E.REJECTED: {AppealStatus.CLOSED},
    E.MERGED: {AppealStatus.MERGED},
}


def check_timelines(appeals: list[Appeal]) -> None:
    """Every timeline starts with its registration and ends in the appeal's status; open items have tasks."""
    for appeal in appeals:
        events = sorted(appeal.events.all(), key=lambda e: (e.at, e.id))
        assert events[0].kind == E.REGISTERED and events[0].at == appeal.created_at, appeal.code
        assert all(a.at <= b.at for a, b in itertools.pairwise(events)), appeal.code
        last = [e for e in events if e.kind not in ASIDE][-1]
        assert appeal.status in STATUS_AFTER[AppealEvent.Kind(last.kind)], (appeal.code, last.kind)
        assert appeal.awaiting_decision == (
            last.kind == E.CALLBACK and appeal.status == AppealStatus.RESOLVED
        )
        if appeal.status in (AppealStatus.ASSIGNED, AppealStatus.IN_PROGRESS):
            leads = [
                t for t in appeal.tasks.all() if t.role == TaskRole.LEAD and t.status in OPEN_TASK_STATUSES
            ]
            assert [t.unit_id for t in leads] == [appeal.lead_unit_id], appeal.code
            assert appeal.resolve_due is not None and appeal.sign_due is not None
        service_calls = sum(
            1
            for e in events
            if e.kind
            not in (
                E.REGISTERED,
                E.RESOLVED_ON_SITE,
                E.DUPLICATE_ADDED,
                E.URGED,
                E.ESCALATED,
                E.CO_UNIT_LAPSED,
            )
        )
        assert appeal.version == 1 + service_calls, appeal.code


@pytest.fixture
def demo(qiannan: None) -> None:
    demo_seed()


@pytest.mark.django_db
def test_demo_appeals_reach_every_state_with_timelines_the_workflow_allows(demo: None) -> None:
    summary = seed_demo_appeals(count=150, today=TODAY)
    assert summary.created == Appeal.objects.count() == 150
    assert set(summary.by_status) == set(AppealStatus.values)
    appeals = list(Appeal.objects.prefetch_related("events", "tasks"))
    check_timelines(appeals)
    events = Counter(AppealEvent.objects.values_list("kind", flat=True))
    for kind in (
        E.RETURNED,
        E.REOPENED,
        E.MERGED,
        E.REJECTED,
        E.RESOLVED_ON_SITE,
        E.CALLBACK,
        E.URGED,
        E.ESCALATED,
        E.SUPERVISED,
        E.EXTENSION_APPROVED,
        E.REPORTED,
    ):
        assert events[kind], kind
    assert ExtensionRequest.objects.filter(status="pending").exists()
    assert Appeal.objects.filter(status=AppealStatus.REGISTERED, returned_at__isnull=False).exists()
    assert Appeal.objects.filter(awaiting_decision=True).exists()
    assert Appeal.objects.filter(
        status=AppealStatus.IN_PROGRESS, resolve_due__lt=TODAY, urged_at__isnull=False
    )
    assert Appeal.objects.filter(status=AppealStatus.CLOSED, callbacks__satisfaction="satisfied").exists()
    assert Appeal.objects.filter(anonymous=True).exists()
    times = AppealEvent.objects.values_list("at", flat=True)
    assert TODAY - timedelta(days=121) <= min(times) and max(times) <= TODAY
    assert len({a.region_id[:6] for a in appeals}) == 12


@pytest.mark.django_db
def test_a_second_demo_seeding_adds_nothing(demo: None) -> None:
    seed_demo_appeals(count=20, today=TODAY)
    before = (Appeal.objects.count(), AppealEvent.objects.count())
    again = seed_demo_appeals(count=20, today=TODAY + timedelta(days=3))
    assert again.skipped and again.created == 0
    assert (Appeal.objects.count(), AppealEvent.objects.count()) == before


@pytest.mark.django_db
def test_demo_appeals_are_the_same_given_the_same_day(demo: None) -> None:
    def run() -> list[tuple[str, str, str, datetime]]:
        with transaction.atomic():
            seed_demo_appeals(count=25, today=TODAY)
            rows = list(Appeal.objects.order_by("code").values_list("code", "title", "status", "created_at"))
            transaction.set_rollback(True)
        return rows

    assert run() == run()


@pytest.mark.django_db
def test_demo_appeals_need_the_demo_cadres(qiannan: None) -> None:
    with pytest.raises(DomainError):
        seed_demo_appeals(count=5, today=TODAY)


@pytest.mark.django_db
def test_seed_scale_writes_appeals_with_unique_codes_and_whole_histories(demo: None) -> None:
    out = StringIO()
    call_command("seed_scale", "--appeals", "500", "--batch", "200", stdout=out)
    output = out.getvalue()
    assert "500/500 appeals" in output and "visits" not in output
    appeals = list(Appeal.objects.prefetch_related("events", "tasks"))
    assert len(appeals) == 500 == len({a.code for a in appeals})
    assert {a.status for a in appeals} == set(AppealStatus.values)
    check_timelines(appeals)
    assert Appeal.objects.filter(status=AppealStatus.IN_PROGRESS, urged_at__isnull=False).exists()
    assert all(t.status in TaskStatus.values for a in appeals for t in a.tasks.all())
    merged = Appeal.objects.filter(status=AppealStatus.MERGED).select_related("duplicate_of").first()
    assert merged is not None and merged.duplicate_of is not None
    assert merged.duplicate_of.events.filter(kind=E.DUPLICATE_ADDED, data__duplicate=merged.pk).exists()


@pytest.mark.django_db
def test_seed_scale_refuses_without_the_demo(qiannan: None) -> None:
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_scale", "--appeals", "10", stdout=StringIO())
    assert not Appeal.objects.exists()
