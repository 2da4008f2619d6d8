"""The deadline sweep: urge at the resolve deadline, escalate after the grace period, never twice."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from appeals.models import Appeal, AppealEvent, Notification, Supervision
from appeals.services import appeal_decide_extension, appeal_request_extension, sweep_deadlines
from appeals.tests.factories import accepted, assigned, fresh, register

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEDNESDAY = datetime(2025, 3, 12, 10, 0, tzinfo=SHANGHAI)
# 马上就办: resolve by Thursday 03-13 23:59:59; escalation after 5 more working days, Thursday 03-20.
AFTER_RESOLVE_DUE = datetime(2025, 3, 14, 9, 0, tzinfo=SHANGHAI)
AFTER_GRACE = datetime(2025, 3, 21, 9, 0, tzinfo=SHANGHAI)


def events(kind: str) -> int:
    return AppealEvent.objects.filter(kind=kind).count()


def test_nothing_happens_before_the_deadline(personas) -> None:
    assigned(personas, at=WEDNESDAY)
    result = sweep_deadlines(now=datetime(2025, 3, 13, 23, 59, tzinfo=SHANGHAI))
    assert (result.urged, result.escalated) == (0, 0)


def test_urge_at_the_deadline_once(personas) -> None:
    appeal = accepted(personas, at=WEDNESDAY)
    register(personas.dispatcher, at=WEDNESDAY)  # not assigned: no clock, never urged
    result = sweep_deadlines(now=AFTER_RESOLVE_DUE)
    assert (result.urged, result.escalated) == (1, 0)
    appeal = fresh(appeal)
    assert appeal.urged_at == AFTER_RESOLVE_DUE
    urge = appeal.events.get(kind="urged")
    assert (urge.actor, urge.unit, urge.at) == (None, personas.duyun_hr, AFTER_RESOLVE_DUE)
    assert Supervision.objects.get().level == "urge"
    assert set(Notification.objects.filter(kind="urged").values_list("user__username", flat=True)) == {
        "handler",
        "unit_head",
    }
    assert sweep_deadlines(now=AFTER_RESOLVE_DUE).urged == 0
    assert events("urged") == 1
    assert fresh(appeal).version == appeal.version  # the sweep does not invalidate what people are editing


def test_escalate_to_the_supervisors_of_the_level_above(personas) -> None:
    accepted(personas, at=WEDNESDAY)
    result = sweep_deadlines(now=AFTER_GRACE)
    assert (result.urged, result.escalated) == (1, 1)
    escalated = set(Notification.objects.filter(kind="escalated").values_list("user__username", flat=True))
    assert escalated == {"prefecture_supervisor"}  # the county lead unit's level above is the prefecture
    assert sweep_deadlines(now=AFTER_GRACE) == type(result)(urged=0, escalated=0)


def test_resolved_items_are_not_urged(personas) -> None:
    from appeals.services import appeal_resolve

    appeal = accepted(personas, at=WEDNESDAY)
    appeal_resolve(
        appeal=appeal,
        actor=personas.handler,
        expected_version=3,
        reply="经核查，拖欠的工资已全额支付给当事人。",
        now=WEDNESDAY,
    )
    assert sweep_deadlines(now=AFTER_GRACE).urged == 0


def test_an_approved_extension_rearms_the_urge(personas) -> None:
    with time_machine.travel(WEDNESDAY, tick=False):
        appeal = accepted(personas, category_code="labour.contract")  # due Wednesday 03-26
        appeal_request_extension(
            appeal=appeal, actor=personas.handler, expected_version=3, days=2, reason="x"
        )
    urge_day = datetime(2025, 3, 27, 9, 0, tzinfo=SHANGHAI)
    # Decided late: the item was urged meanwhile, and the new deadline lies ahead again.
    assert sweep_deadlines(now=urge_day).urged == 1
    with time_machine.travel(urge_day, tick=False):
        appeal = appeal_decide_extension(
            appeal=fresh(appeal), actor=personas.unit_head, expected_version=4, approve=True
        )
    assert appeal.urged_at is None
    assert appeal.resolve_due == datetime(2025, 3, 28, 23, 59, 59, tzinfo=SHANGHAI)
    assert sweep_deadlines(now=datetime(2025, 3, 29, 9, 0, tzinfo=SHANGHAI)).urged == 1


def test_the_command_prints_a_summary(personas, capsys) -> None:
    accepted(personas, at=WEDNESDAY)
    with time_machine.travel(AFTER_RESOLVE_DUE, tick=False):
        call_command("sweep_deadlines")
    assert capsys.readouterr().out.strip() == "deadline sweep: 1 urged, 0 escalated"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency needs PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_urge_each_item_once(personas) -> None:
    for _ in range(30):
        assigned(personas, at=WEDNESDAY)
    barrier = threading.Barrier(2)
    results = []

    def run(offset: int) -> None:
        barrier.wait()
        try:
            results.append(sweep_deadlines(now=AFTER_GRACE.replace(microsecond=offset)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.urged for r in results) == 30 and sum(r.escalated for r in results) == 30
    assert events("urged") == events("escalated") == 30
    assert Appeal.objects.filter(urged_at__isnull=True).count() == 0
