"""Registering appeals under load, against a trivial authenticated request (DESIGN §9).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zoufang_bench .venv/bin/python bench/create_throughput.py

Starts gunicorn (2 gthread workers × 8 threads) on 127.0.0.1:8300; 16 client threads, each with its own token
(duyun.dispatcher) and keep-alive connection, run phase A (GET /api/v1/me) and phase B (POST /api/v1/appeals
with valid bodies: a random village of 都匀市, a random category and theme text) alternately, each phase bounded
by --seconds and --max-requests per client. Prints requests/s, p50 and p99 per phase and round, the medians,
and the ratio B/A of the median throughputs (target ≥ 0.5). The appeals it registered are deleted at the end.
"""

import argparse
import http.client
import random
import statistics
import threading
import time

from _support import HOST, PORT, Gunicorn, django_setup, percentile, request, token_for

TARGET_RATIO = 0.5
USERNAME = "duyun.dispatcher"


def bodies(n: int) -> list[dict[str, object]]:
    from demo.appeals import THEMES, Geography, compose, mobile, person_name

    rng = random.Random(2027)
    geo = Geography.load()
    duyun = next(c for c in geo.counties if c.code == "522701000000")
    made = []
    for _ in range(n):
        theme = rng.choice(THEMES)
        text = compose(theme, geo.place(duyun, rng, township_led=theme.township_led), rng)
        body: dict[str, object] = {
            "kind": theme.kind.value,
            "source": "web",
            "title": text.title,
            "description": text.description,
            "region_code": rng.choice(geo.villages[duyun.code]).code,
            "category": theme.category,
            "reporter": {"name": person_name(rng), "phone": mobile(rng)},
        }
        if theme.kind == "dispute":
            body["risk_colour"] = rng.choice(["orange", "yellow", "blue"])
        made.append(body)
    return made


def phase(
    name: str,
    tokens: list[str],
    payloads: list[dict[str, object]],
    seconds: float,
    cap: int,
    created: list[int],
) -> dict[str, float]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(len(tokens) + 1)

    def client(index: int) -> None:
        conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
        rng = random.Random(index)
        mine: list[float] = []
        ids: list[int] = []
        start_gate.wait()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline and len(mine) < cap:
            began = time.perf_counter()
            if name == "A":
                status, body = request("GET", "/api/v1/me", token=tokens[index], connection=conn)
                ok = status == 200
            else:
                status, body = request(
                    "POST", "/api/v1/appeals", body=rng.choice(payloads), token=tokens[index], connection=conn
                )
                ok = status == 201
                if ok:
                    ids.append(body["id"])
            mine.append((time.perf_counter() - began) * 1000)
            if not ok:
                with lock:
                    errors.append(f"{status} {str(body)[:200]}")
        conn.close()
        with lock:
            latencies.extend(mine)
            created.extend(ids)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(tokens))]
    for thread in threads:
        thread.start()
    start_gate.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        print(f"  phase {name}: {len(errors)} errors, first: {errors[0]}")
    return {
        "rps": len(latencies) / elapsed,
        "n": len(latencies),
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "errors": len(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--max-requests", type=int, default=4000, help="per client and phase")
    args = parser.parse_args()
    django_setup()
    from appeals.models import Appeal

    payloads = bodies(500)
    created: list[int] = []
    results: dict[str, list[dict[str, float]]] = {"A": [], "B": []}
    print(
        f"dataset: {Appeal.objects.count():,} appeals; {args.clients} clients, {args.rounds} rounds of A then B"
    )
    with Gunicorn():
        tokens = [token_for(USERNAME) for _ in range(args.clients)]
        for name in ("A", "B"):  # warm-up, not counted
            phase(name, tokens, payloads, 2.0, 50, created)
        for round_number in range(1, args.rounds + 1):
            for name in ("A", "B"):
                r = phase(name, tokens, payloads, args.seconds, args.max_requests, created)
                results[name].append(r)
                label = "GET /api/v1/me" if name == "A" else "POST /api/v1/appeals"
                print(
                    f"round {round_number} {name} {label}: {r['n']:.0f} requests, {r['rps']:.0f} req/s, "
                    f"p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, errors {r['errors']:.0f}"
                )
    medians = {
        name: {key: statistics.median(r[key] for r in rs) for key in ("rps", "p50", "p99")}
        for name, rs in results.items()
    }
    for name, m in medians.items():
        print(f"median {name}: {m['rps']:.0f} req/s, p50 {m['p50']:.1f} ms, p99 {m['p99']:.1f} ms")
    ratio = medians["B"]["rps"] / medians["A"]["rps"]
    print(f"ratio B/A = {ratio:.2f} (target ≥ {TARGET_RATIO}: {'PASS' if ratio >= TARGET_RATIO else 'FAIL'})")
    deleted = Appeal.objects.filter(pk__in=created).delete()[0] if created else 0
    print(
        f"cleaned up: {len(created):,} registered appeals ({deleted:,} rows with their events and notifications)"
    )


if __name__ == "__main__":
    main()
