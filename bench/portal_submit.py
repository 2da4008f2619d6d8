"""Citizen submissions through the portal over HTTP, with the proof-of-work challenge on (issue 14: 100
submissions/s sustained on PostgreSQL, or the figure reached and why).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zoufang_portal REDIS_URL=redis://127.0.0.1:6379/8 \
        .venv/bin/python bench/portal_submit.py --setup

Starts gunicorn as `bin/serve` configures it (gthread, 2 workers × 8 threads) on 127.0.0.1:8300 with
TRUST_FORWARDED_FOR=1, so that each submission can come from its own address (X-Forwarded-For) as from
many phones: the rate limits stay on and are checked (Redis counters when REDIS_URL is set). The challenges are
issued and solved before the clock starts, in this process, as a page would have done (the time a client pays
per challenge is printed); the server still verifies each one and marks it used. --clients threads each GET the
form once (CSRF cookie), then POST --requests submissions (urlencoded, no photos; every --photo-every-th one
carries a 1600 px JPEG of about 200 kB as multipart) over their own keep-alive connection. Every answer must be
201. submissions/s = submissions stored / wall time from the first POST to the last answer.
"""

import argparse
import http.client
import io
import os
import random
import re
import sys
import threading
import time
import uuid
from urllib.parse import urlencode

from _support import HOST, PORT, Gunicorn, database_label, django_setup, machine, prepare_database, summary

TEXT = "我在县城建筑工地务工八个月，老板拖欠工资三万二千元，春节前急需回家，请帮忙讨薪。"


def photo() -> bytes:
    from PIL import Image

    image = Image.effect_noise((1600, 1200), 40).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return out.getvalue()


def multipart(fields: dict[str, str], content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="p.jpg"\r\n'
        f"Content-Type: image/jpeg\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--setup", action="store_true")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--photo-every", type=int, default=10)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL=postgres://... (the benchmark database)")
    os.environ["TRUST_FORWARDED_FOR"] = "1"
    if args.setup:
        prepare_database()
    django_setup()
    from django.conf import settings

    from geo.models import Region
    from portal.permissions import challenge_issue, challenge_solve

    villages = list(
        Region.objects.filter(level=Region.Level.VILLAGE)
        .select_related("parent")
        .values_list("code", "parent_id", "parent__parent_id")
    )
    total = args.clients * args.requests
    started = time.perf_counter()
    challenges = []
    for _ in range(total):
        challenge = challenge_issue()
        challenges.append((challenge, challenge_solve(challenge)))
    solve_ms = (time.perf_counter() - started) * 1000 / total
    jpeg = photo()
    rng = random.Random(14)
    run = int(time.time()) % 100  # phone numbers of earlier runs are still counted against their daily limit
    bodies: list[list[tuple[dict[str, str], bool]]] = [[] for _ in range(args.clients)]
    for i in range(total):
        village, township, county = rng.choice(villages)
        challenge, answer = challenges[i]
        fields = {
            "kind": "problem",
            "topic": "wages",
            "county": county,
            "township": township,
            "village": village,
            "text": TEXT,
            "name": "张三",
            "phone": f"15{run:02d}{i:07d}",
            "challenge": challenge,
            "answer": answer,
        }
        bodies[i % args.clients].append((fields, i % args.photo_every == 0))

    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(args.clients + 1)

    def client(n: int) -> None:
        conn = http.client.HTTPConnection(HOST, PORT, timeout=120)
        conn.request("GET", "/portal/", headers={"X-Forwarded-For": f"10.9.{n}.1"})
        response = conn.getresponse()
        page = response.read().decode()
        cookie = response.getheader("Set-Cookie", "").split(";")[0]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        prepared = []
        for j, (base, with_photo) in enumerate(bodies[n]):
            fields = {**base, "csrfmiddlewaretoken": token}
            if with_photo:
                data, content_type = multipart(fields, jpeg)
            else:
                data, content_type = urlencode(fields).encode(), "application/x-www-form-urlencoded"
            headers = {
                "Content-Type": content_type,
                "Cookie": cookie,
                "X-Forwarded-For": f"10.{n}.{j // 250}.{j % 250 + 1}",
                "Referer": f"http://{HOST}:{PORT}/portal/",
            }
            prepared.append((data, headers))
        barrier.wait()
        for data, headers in prepared:
            t0 = time.perf_counter()
            conn.request("POST", "/portal/", body=data, headers=headers)
            response = conn.getresponse()
            response.read()
            with lock:
                latencies.append((time.perf_counter() - t0) * 1000)
                if response.status != 201:
                    failures.append(str(response.status))
        conn.close()

    with Gunicorn():
        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for thread in threads:
            thread.start()
        barrier.wait()
        wall0 = time.perf_counter()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - wall0
    stats = summary(latencies)
    print(
        f"portal_submit: {database_label()}, cache {'Redis' if settings.REDIS_URL else 'in-process'}, "
        f"{machine()}; challenge {settings.PORTAL_CHALLENGE_BITS} bits (client pays {solve_ms:.0f} ms each, "
        f"in CPython); {args.clients} clients × {args.requests} submissions, 1 in {args.photo_every} with a photo"
    )
    print(
        f"  {total - len(failures)} stored in {wall:.2f} s: {(total - len(failures)) / wall:.1f} submissions/s; "
        f"latency p50 {stats['p50']:.0f} ms, p95 {stats['p95']:.0f} ms, p99 {stats['p99']:.0f} ms; "
        f"refused {len(failures)} {sorted(set(failures))}"
    )
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
