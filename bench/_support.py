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
    """A gunicorn serving the project on HOST:PORT for the length of a `with` block."""

    def __init__(self, workers: int = 2, threads: int = 8) -> None:
        self.args = [
            str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi:application", "--bind", f"{HOST}:{PORT}",
            "--worker-class", "gthread", "--workers", str(workers), "--threads", str(threads),
            "--log-level", "warning",
        ]  # fmt: skip
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "Gunicorn":
        if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
            raise SystemExit("set DATABASE_URL=postgres://... (the benchmark database)")
        self.process = subprocess.Popen(self.args, cwd=ROOT)
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
