"""The township's QR posters as one PDF (issue 14, item 4): how long WeasyPrint takes for a township's villages.

    .venv/bin/python bench/poster_pdf.py --setup        # migrate, collectstatic, load_regions

In process, through the view (GET /portal/poster/<township>.pdf by the test client, the cache cleared before
each run so that every run renders): for a township of 13 villages (广惠街道) and the largest of Qiannan (边阳镇,
39 villages). The first rendering in a process also loads the CJK fonts and is reported on its own; then
--runs renderings each, their median (wall clock, and this process's CPU time: the machine is shared), and
pages per second = pages ÷ median. Last, the same request with the
PDF already made (the cache's answer). Prints one JSON line per township.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import time

from _support import ROOT, database_label, django_setup, machine

TOWNSHIPS = {"522701001000": "广惠街道", "522728108000": "边阳镇"}


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def pdf_pages(content: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--setup", action="store_true", help="run migrate, collectstatic and load_regions (Qiannan) first"
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if args.setup:
        manage = [str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, check=True)
        subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True)
        subprocess.run(
            [*manage, "load_regions", "--csv", str(ROOT / "geo" / "fixtures" / "qiannan_522700_tree.csv")],
            cwd=ROOT,
            check=True,
        )
    os.environ.setdefault("PORTAL_BASE_URL", "https://zoufang.example.gov.cn")
    django_setup()
    from django.core.cache import cache
    from django.test import Client, override_settings

    client = Client()
    with override_settings(PORTAL_LIMITS={"poster_pdf_ip_hour": (10_000, 3600)}):
        for number, (code, name) in enumerate(TOWNSHIPS.items()):
            cache.clear()
            start = time.perf_counter()
            response = client.get(f"/portal/poster/{code}.pdf")
            first = time.perf_counter() - start
            assert response.status_code == 200, response.status_code
            pages = pdf_pages(response.content)
            seconds, cpu = [], []
            for _ in range(args.runs):
                cache.clear()
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(f"/portal/poster/{code}.pdf")
                seconds.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
            start = time.perf_counter()
            client.get(f"/portal/poster/{code}.pdf")
            cached = time.perf_counter() - start
            median = statistics.median(seconds)
            print(
                json.dumps(
                    {
                        "township": f"{code} {name}",
                        "pages": pages,
                        "first_in_process_s": round(first, 2) if number == 0 else None,
                        "runs_s": [round(s, 2) for s in seconds],
                        "median_s": round(median, 2),
                        "pages_per_s": round(pages / median, 1),
                        "cpu_median_s": round(statistics.median(cpu), 2),
                        "cached_ms": round(cached * 1000, 1),
                        "bytes": len(response.content),
                        "machine": f"{machine()}, {cpu_model()}",
                        "load": os.getloadavg(),
                        "database": database_label(),
                    },
                    ensure_ascii=False,
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
