"""The leader's dashboard at scale (issue 5): with 2,000,000 appeals and 10,000,000 visits on PostgreSQL, the
dashboard API p95 ≤ 300 ms and within 2× of the bare SQL it runs, measured in the same run; a notice .docx ≤ 5 s.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zoufang_bench .venv/bin/python bench/dashboard.py

The database holds `seed_demo` plus `seed_scale --appeals 2000000 --visits 10000000` and a full counter refresh
(`refresh_counters --full`, timed here with --rebuild). Starts gunicorn as `bin/serve` configures it on
127.0.0.1:8300, takes a token as qiannan.leader (prefecture scope), and sends --requests GET requests one after
another over one keep-alive connection for each of: /api/v1/dashboard for this month and for the last 365
days, /api/v1/metrics/summary and /api/v1/rankings (counties, townships, departments) for the last 365 days.
Latencies are wall-clock per answer, the first --warmup discarded.

The bare SQL: the statements the dashboard selector issues for the same user and period are captured in process
(CaptureQueriesContext) and replayed through a plain cursor, the whole set timed --requests times; the ratio is
API p50 ÷ SQL p50 and API p95 ÷ SQL p95. The notice: a prefecture notice for the last full month is drafted and
rendered to .docx in process, --docx-runs times, median reported.
"""

import argparse
import statistics
import time
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from _support import Gunicorn, database_label, django_setup, machine, request, summary, token_for

LEADER = "qiannan.leader"


def timed_get(path: str, params: dict[str, str], token: str, n: int, warmup: int) -> list[float]:
    import http.client

    from _support import HOST, PORT

    conn = http.client.HTTPConnection(HOST, PORT, timeout=120)
    url = f"{path}?{urlencode(params)}"
    latencies = []
    for i in range(n + warmup):
        started = time.perf_counter()
        status, body = request("GET", url, token=token, connection=conn)
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            raise SystemExit(f"{url}: {status} {str(body)[:300]}")
        if i >= warmup:
            latencies.append(elapsed)
    conn.close()
    return latencies


def bare_sql(starts: date, ends: date, n: int) -> tuple[list[float], int]:
    """Replay the dashboard selector's statements through a plain cursor: (milliseconds per set, statements)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from core.period import period_between
    from insights.permissions import access_dashboard
    from insights.selectors.dashboard import dashboard_overview
    from org.models import User

    user = User.objects.get(username=LEADER)
    period = period_between(starts=starts, ends=ends)
    region, _unit = access_dashboard(user)  # the API's own choice: the leader's prefecture
    with CaptureQueriesContext(connection) as captured:
        dashboard_overview(user=user, period=period, region=region, unit=None)
    # The selector's reads run in one transaction (with JIT off, a SET LOCAL); so does each replay.
    statements = [q["sql"] for q in captured.captured_queries]
    latencies = []
    for _ in range(n):
        with transaction.atomic(), connection.cursor() as cursor:
            started = time.perf_counter()
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall() if cursor.description else None
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies, len(statements)


def notice_seconds(runs: int) -> list[float]:
    from django.utils import timezone

    from core.period import period_between
    from geo.models import Region
    from org.models import User
    from oversight.docx import notice_docx
    from oversight.services.notices import notice_draft

    user = User.objects.get(username="admin")
    today = timezone.localdate()
    first = today.replace(day=1)
    period = period_between(starts=(first - timedelta(days=1)).replace(day=1), ends=first)
    region = Region.objects.get(pk="522700000000")
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        notice = notice_draft(user=user, period=period, region=region)
        data = notice_docx(notice)
        seconds.append(time.perf_counter() - started)
        assert data[:2] == b"PK"
        notice.delete()
    return seconds


def counts() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        result = {}
        for label, table in (
            ("appeals", "appeals_appeal"),
            ("events", "appeals_appealevent"),
            ("visits", "campaigns_visit"),
            ("area_days", "insights_areaday"),
            ("unit_days", "insights_unitday"),
            ("dispute_spans", "insights_disputespan"),
            ("dispute_days", "insights_disputeday"),
            ("appeal_days", "insights_appealday"),
        ):
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
            result[label] = int(cursor.fetchone()[0])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--docx-runs", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true", help="time refresh_counters --full first")
    args = parser.parse_args()
    django_setup()
    from django.utils import timezone

    today = timezone.localdate()  # the counters' days are Asia/Shanghai dates
    print(f"# {today} · {machine()} · {database_label()}")
    if args.rebuild:
        from insights.services import counters_refresh

        started = time.perf_counter()
        result = counters_refresh(full=True)
        print(
            f"full counter rebuild: {time.perf_counter() - started:.1f} s ({result.events:,} events, "
            f"{result.visits:,} visits)"
        )
    print("rows (estimates):", counts())
    tomorrow = today + timedelta(days=1)
    year = {"from": (tomorrow - timedelta(days=365)).isoformat(), "to": tomorrow.isoformat()}
    month = {"from": today.replace(day=1).isoformat(), "to": tomorrow.isoformat()}
    results: dict[str, dict[str, float]] = {}
    with Gunicorn():
        token = token_for(LEADER)
        for label, path, params in (
            ("dashboard, this month", "/api/v1/dashboard", month),
            ("dashboard, 365 days", "/api/v1/dashboard", year),
            ("metrics summary, 365 days", "/api/v1/metrics/summary", year),
            ("rankings county, 365 days", "/api/v1/rankings", {**year, "league": "county"}),
            ("rankings township, 365 days", "/api/v1/rankings", {**year, "league": "township"}),
            ("rankings department, 365 days", "/api/v1/rankings", {**year, "league": "department"}),
        ):
            results[label] = summary(timed_get(path, params, token, args.requests, args.warmup))
            r = results[label]
            print(
                f"{label}: p50 {r['p50']:.0f} ms, p95 {r['p95']:.0f} ms, p99 {r['p99']:.0f} ms (n={r['n']})"
            )
    for label, params in (("this month", month), ("365 days", year)):
        sql, n_statements = bare_sql(date.fromisoformat(params["from"]), tomorrow, args.requests)
        s = summary(sql)
        api: dict[str, Any] = results[f"dashboard, {label}"]
        print(
            f"bare SQL of the dashboard, {label} ({n_statements} statements): p50 {s['p50']:.0f} ms, "
            f"p95 {s['p95']:.0f} ms; API ÷ SQL: p50 {api['p50'] / s['p50']:.2f}, p95 {api['p95'] / s['p95']:.2f}"
        )
    seconds = notice_seconds(args.docx_runs)
    print(
        f"notice draft + .docx, prefecture, last month: median {statistics.median(seconds):.2f} s "
        f"(runs: {', '.join(f'{x:.2f}' for x in seconds)})"
    )


if __name__ == "__main__":
    main()
