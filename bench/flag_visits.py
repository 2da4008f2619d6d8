"""The plausibility checks (`flag_visits`) on a flood of same-place visits, and what they do to other writers.

    .venv/bin/python bench/flag_visits.py                     # SQLite: a fresh demo under var/bench_flags/
    DATABASE_URL=postgres://... .venv/bin/python bench/flag_visits.py --visits 20000

Issue 12 item 2: after 2,000 visits to one place, one run held SQLite's write lock for over 9 minutes and every
other write failed. This adds N visits (default 20,000) by one visitor to one village, all unchecked: same
notes, same GPS point, started a few seconds apart (bursts, copies and travel checks all fire on each), then
runs visits_flag() while another thread issues an API token every 50 ms, a write like any request's. Prints the
run's seconds, the flags added, the longest batch transaction (the longest hold of the write lock), and the
token writer's median, p95 and worst latency. Targets: every batch ≤ 1 s, no token write failing.
With --scale M on PostgreSQL, first adds M background visits with `seed_scale --visits M --method copy`.
"""

import argparse
import os
import threading
import time
import types
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from _support import ROOT, django_setup, percentile, summary

TARGET_BATCH_S = 1.0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--visits", type=int, default=20_000)
    parser.add_argument("--scale", type=int, default=0, help="background visits to add first (PostgreSQL)")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        var = Path(os.environ.setdefault("ZOUFANG_VAR_DIR", str(ROOT / "var" / "bench_flags")))
        (var / "zoufang.sqlite3").unlink(missing_ok=True)
    django_setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count
    from django.utils import timezone

    import campaigns.services.flags as flags
    from campaigns.models import Campaign, Responsibility, Visit, VisitFlag
    from campaigns.services import notes_digest, visits_flag
    from org.models import User
    from org.services import token_issue

    call_command("migrate", verbosity=0)
    if not Campaign.objects.exists():
        call_command("seed_demo", verbosity=0)
    if args.scale:
        call_command("seed_scale", visits=args.scale, method="copy", verbosity=0)
    Visit.objects.filter(flags_checked_at__isnull=True).update(flags_checked_at=timezone.now())
    responsibility = Responsibility.objects.select_related("campaign").filter(visitor__isnull=False).first()
    assert responsibility is not None and responsibility.region_id is not None
    campaign, visitor, place = responsibility.campaign, responsibility.visitor, responsibility.region_id
    notes = "入户走访，宣传反诈知识，群众反映总体平稳，未发现矛盾纠纷"
    start = timezone.now() - timedelta(days=1)
    rows = [
        Visit(
            uuid=uuid.uuid4(),
            campaign=campaign,
            visitor=visitor,
            region_id=place,
            started_at=start + timedelta(seconds=3 * i),
            latitude="26.260000",
            longitude="107.520000",
            notes=notes,
            notes_digest=notes_digest(notes),
            content_hash=f"bench-flags-{i}",
        )
        for i in range(args.visits)
    ]
    t0 = time.perf_counter()
    Visit.objects.bulk_create(rows, batch_size=2000)
    total = Visit.objects.count()
    print(
        f"{connection.vendor}: {total:,} visits, {args.visits:,} of them new to one place "
        f"({place}) by one visitor; written in {time.perf_counter() - t0:.1f} s"
    )

    # The length of each batch's transaction: the time a batch holds the write lock.
    batches: list[float] = []
    original_atomic = flags.transaction.atomic

    class TimedAtomic:
        def __init__(self, *a: Any, **kw: Any) -> None:
            self.inner = original_atomic(*a, **kw)

        def __enter__(self) -> Any:
            self.t = time.perf_counter()
            return self.inner.__enter__()

        def __exit__(self, *exc: Any) -> Any:
            result = self.inner.__exit__(*exc)
            batches.append(time.perf_counter() - self.t)
            return result

    # Only the module's own reference is replaced: the batches' transactions are timed, no one else's.
    flags.transaction = types.SimpleNamespace(atomic=TimedAtomic)  # type: ignore[assignment]

    user = User.objects.filter(is_active=True).exclude(pk=visitor.pk).first()
    assert user is not None
    waits: list[float] = []
    failures: list[str] = []
    done = threading.Event()

    def writer() -> None:
        while not done.is_set():
            t = time.perf_counter()
            try:
                token_issue(user=user, name="bench")
            except Exception as error:
                failures.append(type(error).__name__ + ": " + str(error)[:80])
            waits.append((time.perf_counter() - t) * 1000)
            time.sleep(0.05)
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    t0 = time.perf_counter()
    added = visits_flag()
    seconds = time.perf_counter() - t0
    done.set()
    thread.join()
    flags.transaction = transaction
    kinds = dict(
        VisitFlag.objects.filter(visit__content_hash__startswith="bench-flags-")
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    w = summary(waits)
    print(
        f"visits_flag: {seconds:.1f} s, {added:,} flags {kinds}; {len(batches)} batch transactions, "
        f"longest {max(batches):.2f} s, median {sorted(batches)[len(batches) // 2]:.2f} s, "
        f"p95 {percentile(batches, 95):.2f} s"
    )
    print(
        f"token writes beside it: {w['n']:.0f}, median {w['p50']:.0f} ms, p95 {w['p95']:.0f} ms, "
        f"worst {max(waits):.0f} ms, failed {len(failures)} {failures[:3]}"
    )
    ok = max(batches) <= TARGET_BATCH_S and not failures
    print("target met" if ok else f"TARGET MISSED (batch ≤ {TARGET_BATCH_S} s, no failed write)")
    with transaction.atomic():
        Visit.objects.filter(content_hash__startswith="bench-flags-").delete()


if __name__ == "__main__":
    main()
