"""Batch ingest of field visits over HTTP (issue 4: ≥ 2,000 visits/s on SQLite and on PostgreSQL).

    ZOUFANG_VAR_DIR=/tmp/vb .venv/bin/python bench/visit_ingest_http.py --setup
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zoufang_bench .venv/bin/python bench/visit_ingest_http.py --setup

Starts gunicorn as `bin/serve` configures it (gthread, --workers 2 --threads 8) on 127.0.0.1:8300; --clients
threads each take a token (POST /api/v1/auth/token as qiannan.visitor1, prefecture scope) and send
--requests POST /api/v1/visits/batch of --size generated visits without problems (random villages of the
prefecture, fresh UUIDs) over their own keep-alive connection. Every answer must say all `created`. The bodies
are encoded before the clock starts. visits/s of a run = visits stored / wall time from the first request to the
last answer; --runs runs, median reported. Then bench/visit_ingest.py (in process, same database) runs as a
subprocess and the ratio HTTP / in-process is printed. The visits stored are deleted at the end.
--setup runs `migrate` and `seed_demo --appeals 0 --bulk-appeals 0` first (idempotent).
"""

import argparse
import http.client
import json
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta

from _support import (
    HOST,
    PORT,
    ROOT,
    Gunicorn,
    bench_campaign_id,
    database_label,
    django_setup,
    machine,
    prefecture_villages,
    prepare_database,
    summary,
    token_for,
)

TARGET = 2_000
USERNAME = "qiannan.visitor1"
PATH = "/api/v1/visits/batch"


def bodies(count: int, size: int, *, villages: list[str], rng: random.Random) -> list[bytes]:
    from django.utils import timezone

    now = timezone.now()
    out = []
    for _ in range(count):
        visits = [
            {
                "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "place_code": rng.choice(villages),
                "started_at": (now - timedelta(minutes=rng.randint(1, 60 * 24 * 20))).isoformat(),
                "households_reached": rng.randint(0, 40),
                "people_met": rng.randint(0, 80),
                "notes": "入户走访，了解群众生产生活情况，宣传反诈知识。",
                "problems": [],
            }
            for _ in range(size)
        ]
        out.append(json.dumps({"visits": visits}, ensure_ascii=False).encode())
    return out


def client(
    token: str, work: list[bytes], start: threading.Barrier, latencies: list[float], errors: list[str]
) -> None:
    conn = http.client.HTTPConnection(HOST, PORT, timeout=120)
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Authorization": f"Bearer {token}",
    }
    start.wait()
    for body in work:
        began = time.perf_counter()
        conn.request("POST", PATH, body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        latencies.append((time.perf_counter() - began) * 1000)
        if response.status != 200:
            errors.append(f"{response.status} {payload[:300]!r}")
            continue
        answer = json.loads(payload)
        if answer["created"] != len(answer["results"]):
            errors.append(f"created {answer['created']} of {len(answer['results'])}: {answer['results'][0]}")
    conn.close()


def in_process_median(batches: int) -> float | None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "visit_ingest.py"), "--batches", str(batches)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    print(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-500:])
    found = re.search(r"median ([\d,]+) visits/s", done.stdout)
    return float(found.group(1).replace(",", "")) if found else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=5, help="batch requests per client and run")
    parser.add_argument("--size", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--in-process-batches", type=int, default=10)
    parser.add_argument("--setup", action="store_true", help="migrate and seed the demo organisation first")
    args = parser.parse_args()
    if args.setup:
        prepare_database()
    django_setup()
    from campaigns.models import Visit

    campaign_id = bench_campaign_id()
    villages = prefecture_villages()
    if not villages:
        raise SystemExit("no villages: run with --setup (migrate + seed_demo)")
    rng = random.Random(2027)
    per_run = args.clients * args.requests * args.size
    print(
        f"{database_label()}, {machine()}: {args.clients} clients × {args.requests} requests × {args.size} "
        f"visits per run, gunicorn gthread {args.workers}×{args.threads}"
    )
    rates: list[float] = []
    latencies: list[float] = []
    try:
        with Gunicorn(args.workers, args.threads, sqlite_ok=True):
            tokens = [token_for(USERNAME) for _ in range(args.clients)]
            # One small batch first: imports, connections and caches of both workers warm up.
            for warm in bodies(4, 50, villages=villages, rng=rng):
                errors: list[str] = []
                client(tokens[0], [warm], threading.Barrier(1), [], errors)
                if errors:
                    raise SystemExit(f"warm-up refused: {errors[0]}")
            for run in range(1, args.runs + 1):
                work = [bodies(args.requests, args.size, villages=villages, rng=rng) for _ in tokens]
                start = threading.Barrier(args.clients + 1)
                run_latencies: list[float] = []
                errors = []
                threads = [
                    threading.Thread(target=client, args=(token, mine, start, run_latencies, errors))
                    for token, mine in zip(tokens, work, strict=True)
                ]
                for thread in threads:
                    thread.start()
                start.wait()
                began = time.perf_counter()
                for thread in threads:
                    thread.join()
                elapsed = time.perf_counter() - began
                if errors:
                    raise SystemExit(f"run {run}: {len(errors)} requests failed, first: {errors[0]}")
                rates.append(per_run / elapsed)
                latencies.extend(run_latencies)
                s = summary(run_latencies)
                print(
                    f"run {run}: {per_run:,} visits in {elapsed:6.2f} s = {rates[-1]:7,.0f} visits/s; "
                    f"request p50 {s['p50']:.0f} ms, p95 {s['p95']:.0f} ms"
                )
    finally:
        deleted = Visit.objects.filter(campaign_id=campaign_id).delete()[0]
        print(f"cleaned up: {deleted:,} rows")
    median = statistics.median(rates)
    s = summary(latencies)
    print(
        f"HTTP: median {median:,.0f} visits/s over {len(rates)} runs (target ≥ {TARGET:,}) "
        f"{'OK' if median >= TARGET else 'BELOW TARGET'}; request p50 {s['p50']:.0f} ms, p95 {s['p95']:.0f} ms"
    )
    in_process = in_process_median(args.in_process_batches)
    if in_process:
        print(
            f"in process (bench/visit_ingest.py): median {in_process:,.0f} visits/s; HTTP / in-process = "
            f"{median / in_process:.2f}"
        )


if __name__ == "__main__":
    main()
