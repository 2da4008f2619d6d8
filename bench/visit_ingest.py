"""Batch ingest of field visits, in process (issue 4: ≥ 2,000 visits/s on SQLite and on PostgreSQL).

    .venv/bin/python bench/visit_ingest.py [--batches 20] [--size 500]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zoufang_bench .venv/bin/python bench/visit_ingest.py

Needs `migrate` and `seed_demo` first. Ensures a campaign running today ("基准测试走访"), then calls
`visits_record_batch` as qiannan.visitor1 (prefecture scope) on --batches batches of --size generated visits
without problems (random villages of the prefecture, fresh UUIDs), and prints visits/s per batch and the median.
A final round sends the last batch again (all repeats). The visits it stored are deleted at the end.
"""

import argparse
import random
import statistics
import time
import uuid
from datetime import timedelta

from _support import django_setup, machine

TARGET = 2_000
USERNAME = "qiannan.visitor1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--size", type=int, default=500)
    args = parser.parse_args()
    django_setup()
    from django.db import connection
    from django.utils import timezone

    from campaigns.models import Campaign, Visit
    from campaigns.services import VisitData, visits_record_batch
    from geo.models import Region
    from org.models import User

    actor = User.objects.get(username=USERNAME)
    today = timezone.localdate()
    campaign, _ = Campaign.objects.get_or_create(
        name="基准测试走访",
        defaults={"starts": today - timedelta(days=30), "ends": today + timedelta(days=30)},
    )
    villages = list(
        Region.objects.filter(level=Region.Level.VILLAGE, code__startswith="5227").values_list(
            "code", flat=True
        )
    )
    rng = random.Random(2027)
    now = timezone.now()

    def batch() -> list[VisitData]:
        return [
            VisitData(
                uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                started_at=now - timedelta(minutes=rng.randint(1, 60 * 24 * 20)),
                place_code=rng.choice(villages),
                campaign_id=campaign.pk,
                households_reached=rng.randint(0, 40),
                people_met=rng.randint(0, 80),
                notes="入户走访，了解群众生产生活情况，宣传反诈知识。",
            )
            for _ in range(args.size)
        ]

    rates: list[float] = []
    stored = 0
    last: list[VisitData] = []
    try:
        for number in range(1, args.batches + 1):
            last = batch()
            began = time.perf_counter()
            results = visits_record_batch(actor=actor, visits=last)
            elapsed = time.perf_counter() - began
            created = sum(1 for r in results if r.status == 201)
            if created != len(last):
                raise SystemExit(f"batch {number}: only {created} of {len(last)} stored: {results[0]}")
            stored += created
            rates.append(len(last) / elapsed)
            print(
                f"batch {number:2d}: {len(last)} visits in {elapsed * 1000:7.1f} ms = {rates[-1]:8.0f} visits/s"
            )
        began = time.perf_counter()
        repeats = visits_record_batch(actor=actor, visits=last)
        elapsed = time.perf_counter() - began
        assert all(r.status == 200 for r in repeats)
        print(
            f"repeat : {len(last)} visits in {elapsed * 1000:7.1f} ms = {len(last) / elapsed:8.0f} visits/s"
        )
    finally:
        deleted = Visit.objects.filter(campaign=campaign).delete()[0]
        print(f"cleaned up: {deleted:,} rows")
    median = statistics.median(rates)
    print(
        f"{connection.vendor}, {machine()}: median {median:,.0f} visits/s over {len(rates)} batches of "
        f"{args.size} (target ≥ {TARGET:,}) {'OK' if median >= TARGET else 'BELOW TARGET'}"
    )


if __name__ == "__main__":
    main()
