"""What the benchmark scripts share: Django set-up, a gunicorn they start and stop, tokens, percentiles.

Run a benchmark as `.venv/bin/python bench/<name>.py` from the project folder, with DATABASE_URL pointing at the
PostgreSQL database to measure (see docs/benchmarks.md). Only loopback traffic.
"""

import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_PORT", "8300"))
PASSWORD = os.environ.get("DEMO_PASSWORD", "zoufang-demo-2027")


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    rank = max(1, round(p / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def summary(latencies_ms: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(latencies_ms),
        "p50": percentile(latencies_ms, 50),
        "p95": percentile(latencies_ms, 95),
        "p99": percentile(latencies_ms, 99),
        "mean": statistics.fmean(latencies_ms),
    }


class Gunicorn:
    """A gunicorn serving the project on HOST:PORT for the length of a `with` block, configured as `bin/serve`
    runs it (gthread, 2 workers × 8 threads, 120 s timeout) unless told otherwise.

    `sqlite_ok`: also serve the embedded SQLite database (ZOUFANG_VAR_DIR chooses its folder) when DATABASE_URL
    is not set; the appeal benchmarks measure PostgreSQL only."""

    def __init__(self, workers: int = 2, threads: int = 8, *, sqlite_ok: bool = False) -> None:
        self.args = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"{HOST}:{PORT}",
            "--worker-class",
            "gthread",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ]
        self.sqlite_ok = sqlite_ok
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "Gunicorn":
        if not self.sqlite_ok and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
            raise SystemExit("set DATABASE_URL=postgres://... (the benchmark database)")
        # A benchmark measures the server, not the per-token rate limit (600 requests a minute) it would hit.
        env = {**os.environ, "RATE_LIMIT_ENABLED": os.environ.get("RATE_LIMIT_ENABLED", "false")}
        self.process = subprocess.Popen(self.args, cwd=ROOT, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _ = request("GET", "/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.__exit__()
        raise SystemExit("gunicorn did not answer /healthz within 60 s")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)


def request(
    method: str,
    path: str,
    *,
    body: Any = None,
    token: str = "",
    connection: http.client.HTTPConnection | None = None,
) -> tuple[int, Any]:
    """One request; with `connection`, over that keep-alive connection."""
    conn = connection or http.client.HTTPConnection(HOST, PORT, timeout=60)
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    payload = response.read()
    if connection is None:
        conn.close()
    try:
        return response.status, json.loads(payload) if payload else None
    except ValueError:
        return response.status, payload.decode(errors="replace")


def token_for(username: str) -> str:
    status, body = request("POST", "/api/v1/auth/token", body={"username": username, "password": PASSWORD})
    if status != 201:
        raise SystemExit(f"no token for {username}: {status} {body}")
    return str(body["token"])


def machine() -> str:
    return f"{os.cpu_count()} CPUs, python {sys.version.split()[0]}"


def database_label() -> str:
    """Which database the benchmark runs against, without credentials."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return "PostgreSQL " + url.rsplit("/", 1)[-1]
    return f"SQLite {os.environ.get('ZOUFANG_VAR_DIR', 'var')}/zoufang.sqlite3"


def prepare_database() -> None:
    """`migrate`, `collectstatic` (into ZOUFANG_VAR_DIR/static, as `make run` does before `bin/serve`) and the
    demo organisation without appeals (regions, units, cadres): enough to record visits. Idempotent, so every
    run of a benchmark may call it."""
    manage = [str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, check=True)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True)
    subprocess.run(
        [*manage, "seed_demo", "--appeals", "0", "--bulk-appeals", "0"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


BENCH_CAMPAIGN = "基准测试走访"


def bench_campaign_id() -> int:
    """A campaign running today that the visit benchmarks record into (and clean up after). Needs django_setup."""
    from datetime import timedelta

    from django.utils import timezone

    from campaigns.models import Campaign

    today = timezone.localdate()
    campaign, _ = Campaign.objects.get_or_create(
        name=BENCH_CAMPAIGN,
        defaults={"starts": today - timedelta(days=30), "ends": today + timedelta(days=30)},
    )
    return int(campaign.pk)


def prefecture_villages() -> list[str]:
    """The codes of the prefecture's villages and communities (qiannan.visitor1's scope). Needs django_setup."""
    from geo.models import Region

    return list(
        Region.objects.filter(level=Region.Level.VILLAGE, code__startswith="5227").values_list(
            "code", flat=True
        )
    )
