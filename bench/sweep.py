"""The deadline sweep over the whole database (DESIGN §9: set-based, never a Python loop over rows).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zoufang_bench .venv/bin/python bench/sweep.py

Runs appeals.services.sweep_deadlines(now=T) in-process, T fixed at start: a first run that claims the items due
(urges, escalations, their events, supervision rows and notifications) and a second run with nothing left to do.
Between repetitions it re-arms the database: the rows the run stamped with T get urged_at/escalated_at NULL again
and the events, supervision rows and notifications written at T are deleted, so the database ends as it began.
Prints each run and the medians. Target: ≤ 10 s.
"""

import argparse
import statistics
import time

from _support import django_setup

TARGET_S = 10.0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    django_setup()
    from django.db import transaction
    from django.utils import timezone

    from appeals.models import ACTIVE_STATUSES, Appeal, AppealEvent, Notification, Supervision
    from appeals.services import sweep_deadlines

    now = timezone.now()
    active = Appeal.objects.filter(status__in=ACTIVE_STATUSES)
    print(
        f"dataset: {Appeal.objects.count():,} appeals, {active.count():,} active; due now and not yet urged: "
        f"{active.filter(urged_at__isnull=True, resolve_due__lte=now).count():,}, not yet escalated: "
        f"{active.filter(escalated_at__isnull=True, escalate_due__lte=now).count():,}"
    )

    def rearm() -> None:
        with transaction.atomic():
            Appeal.objects.filter(urged_at=now).update(urged_at=None)
            Appeal.objects.filter(escalated_at=now).update(escalated_at=None)
            AppealEvent.objects.filter(at=now, kind__in=["urged", "escalated"]).delete()
            Supervision.objects.filter(created_at=now, level__in=["urge", "escalate"]).delete()
            Notification.objects.filter(created_at=now, kind__in=["urged", "escalated"]).delete()

    first: list[float] = []
    second: list[float] = []
    try:
        for run in range(1, args.runs + 1):
            started = time.perf_counter()
            result = sweep_deadlines(now=now)
            first.append(time.perf_counter() - started)
            notified = Notification.objects.filter(created_at=now).count()
            started = time.perf_counter()
            again = sweep_deadlines(now=now)
            second.append(time.perf_counter() - started)
            print(
                f"run {run}: first {first[-1]:.2f} s ({result.urged:,} urged, {result.escalated:,} escalated, "
                f"{notified:,} notifications); second {second[-1]:.3f} s ({again.urged} urged, "
                f"{again.escalated} escalated)"
            )
            rearm()
    finally:
        rearm()
    verdict = "PASS" if statistics.median(first) <= TARGET_S else "FAIL"
    print(
        f"median: first run {statistics.median(first):.2f} s, second run {statistics.median(second):.3f} s "
        f"(target ≤ {TARGET_S:.0f} s: {verdict})"
    )


if __name__ == "__main__":
    main()
