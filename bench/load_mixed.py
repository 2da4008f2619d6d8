"""Load test: the seven personas' mixed workload (bench/locustfile.py) against gunicorn on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zoufang_bench .venv/bin/python bench/load_mixed.py \\
        [--users 14] [--minutes 5]

Needs the demo (seed_demo) in that database. Starts gunicorn as bin/serve does (2 workers × 8 threads), runs
locust headless on 127.0.0.1 with two accounts of each role, then checks: no 5xx answer, and no lost write
(every visit and appeal the server acknowledged is in the database). Prints throughput, median and p95 per
endpoint, the trivial endpoint (/healthz) beside them. The per-address rate limit is raised for the run (all
users come from 127.0.0.1); the per-token limit stays as configured.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _support import HOST, PASSWORD, PORT, ROOT, Gunicorn, database_label, django_setup, machine
from create_throughput import bodies

ROLES = ["visitor", "dispatcher", "handler", "unit_head", "supervisor", "leader", "admin"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=14)
    parser.add_argument("--minutes", type=float, default=5)
    args = parser.parse_args()
    django_setup()
    from django.db.models import Q

    from appeals.models import Appeal
    from campaigns.models import Visit
    from org.models import Membership

    # Accounts of 都匀市 and of the prefecture, whose scope holds the villages the appeal bodies name.
    in_duyun = Q(unit__region__code__startswith="522701") | Q(unit__level="prefecture")
    accounts = {
        role: list(
            Membership.objects.filter(in_duyun, role=role, user__is_active=True)
            .order_by("user__username")
            .values_list("user__username", flat=True)
            .distinct()[:2]
        )
        for role in ROLES
    }
    missing = [role for role, names in accounts.items() if not names]
    if missing:
        raise SystemExit(f"no demo accounts for {missing}: run seed_demo first")
    work = Path(tempfile.mkdtemp(prefix="zoufang-load-"))
    plan, created = work / "plan.json", work / "created.json"
    plan.write_text(
        json.dumps({"accounts": accounts, "password": PASSWORD, "appeals": bodies(300), "villages": []}),
        encoding="utf-8",
    )
    os.environ["API_RATE_PER_IP"] = "1000000"
    before = {"visits": Visit.objects.count(), "appeals": Appeal.objects.count()}
    # SQLite only for a smoke run of the script; the figures are PostgreSQL's.
    with Gunicorn(sqlite_ok=True):
        env = {**os.environ, "LOCUST_PLAN": str(plan), "LOCUST_CREATED": str(created)}
        subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--host",
                f"http://{HOST}:{PORT}",
                "-u",
                str(args.users),
                "-r",
                str(max(1, args.users // 7)),
                "-t",
                f"{int(args.minutes * 60)}s",
                "--csv",
                str(work / "run"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env=env,
            check=False,
            cwd=ROOT / "bench",
        )
    made = json.loads(created.read_text(encoding="utf-8"))
    found_visits = Visit.objects.filter(uuid__in=made["visits"]).count()
    found_appeals = Appeal.objects.filter(pk__in=made["appeals"]).count()
    rows = list(csv.DictReader((work / "run_stats.csv").open(encoding="utf-8")))
    failures = list(csv.DictReader((work / "run_failures.csv").open(encoding="utf-8")))
    server_errors = sum(
        int(f["Occurrences"]) for f in failures if "50" in f["Error"] or "Internal Server Error" in f["Error"]
    )
    print(
        f"{database_label()}, {machine()}; {args.users} users for {args.minutes:g} min; data before: {before}"
    )
    print("| endpoint | requests | req/s | median ms | p95 ms | failures |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['Name'] if row['Name'] != 'Aggregated' else '**all**'} | {row['Request Count']} | "
            f"{float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} | {row['Failure Count']} |"
        )
    print(
        f"writes acknowledged: {len(made['visits'])} visits, {len(made['appeals'])} appeals; in the database: "
        f"{found_visits} visits, {found_appeals} appeals; server errors: {server_errors}"
    )
    for f in failures[:10]:
        print("failure:", f["Method"], f["Name"], f["Error"][:160], f["Occurrences"])
    lost = len(made["visits"]) - found_visits + len(made["appeals"]) - found_appeals
    sys.exit(0 if server_errors == 0 and lost == 0 else 1)


if __name__ == "__main__":
    main()
