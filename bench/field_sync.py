"""500 visits queued in the field app's outbox sync from a real browser (issue 4: ≤ 20 s).

    ZOUFANG_VAR_DIR=/tmp/vb .venv/bin/python bench/field_sync.py --setup
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zoufang_bench .venv/bin/python bench/field_sync.py --setup

Starts gunicorn as `bin/serve` configures it (gthread, 2 workers × 8 threads) on 127.0.0.1:8300 and Debian's
Chromium (/usr/bin/chromium, headless) through Playwright. Each run, in a fresh browser profile: sign in as
qiannan.visitor1 (prefecture scope, 1,464 villages), open /m/ and wait until its places are stored and its
service worker controls the page; go offline; record one visit through the form and fill the outbox with
--visits − 1 copies of it (own UUIDs, the app's record shape) in IndexedDB; reload the page offline (the shell
from the service worker) and check that all are listed as pending. The clock starts when the browser goes online
(the app then refreshes its places and sends the outbox in batches of 100, one request at a time) and stops when
all --visits UUIDs are rows in the database (polled every 50 ms); the time until the outbox shows all of them
synced is printed too. --runs runs, median reported. The visits stored are deleted at the end.
--setup runs `migrate` and `seed_demo --appeals 0 --bulk-appeals 0` first (idempotent).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from _support import (
    HOST,
    PASSWORD,
    PORT,
    ROOT,
    Gunicorn,
    bench_campaign_id,
    database_label,
    django_setup,
    machine,
    prepare_database,
)

TARGET_S = 20.0
USERNAME = "qiannan.visitor1"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def browser_helpers() -> Any:
    """The browser tests' Chromium flags and outbox helpers (imported after Django is set up)."""
    sys.path.insert(0, str(ROOT))
    from tests.e2e import conftest, test_field_offline

    return conftest.CHROMIUM_ARGS, test_field_offline


def db_name() -> str:
    return f"zoufang-field-{USERNAME}"


def open_app(page: Any, base: str) -> None:
    page.goto(f"{base}/accounts/login/?next=/m/")
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/m/**")
    page.wait_for_selector("body[data-places-loaded='1']", timeout=120_000)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    deadline = time.monotonic() + 30
    while not page.evaluate("navigator.serviceWorker.controller !== null"):
        if time.monotonic() > deadline:
            raise SystemExit("the service worker never took control of /m/")
        time.sleep(0.1)


def queue_offline(page: Any, count: int) -> list[str]:
    page.context.set_offline(True)
    page.wait_for_selector("[data-testid=network][data-online='0']")
    page.select_option("#f-place", index=1)
    page.fill("#f-households", "4")
    page.fill("#f-people", "6")
    page.fill("#f-notes", "入户走访，了解群众生产生活情况，宣传反诈知识。")
    page.click("#save-visit")
    deadline = time.monotonic() + 15
    while page.locator("#outbox-list li").count() < 1:
        if time.monotonic() > deadline:
            raise SystemExit("the recorded visit never reached the outbox")
        time.sleep(0.05)
    page.evaluate(browser_helpers()[1].QUEUE_COPIES, [db_name(), count - 1])
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    page.click("[data-tab=outbox]")
    deadline = time.monotonic() + 30
    while page.locator("#outbox-list li").count() < count and time.monotonic() < deadline:
        time.sleep(0.05)
    states = browser_helpers()[1].outbox_states(page)
    if states.count("pending") != count:
        raise SystemExit(
            f"expected {count} pending records after the offline reload, saw {len(states)}: {set(states)}"
        )
    return list(page.eval_on_selector_all("#outbox-list li", "items => items.map(li => li.dataset.uuid)"))


def one_run(browser: Any, base: str, count: int) -> tuple[float, float, list[str]]:
    from campaigns.models import Visit

    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        open_app(page, base)
        uuids = queue_offline(page, count)
        began = time.perf_counter()
        context.set_offline(False)
        stored_at = shown_at = 0.0
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if not stored_at and Visit.objects.filter(uuid__in=uuids).count() == count:
                stored_at = time.perf_counter() - began
            if stored_at and page.locator("#outbox-list li[data-state=synced]").count() == count:
                shown_at = time.perf_counter() - began
                break
            time.sleep(0.05)
        if not shown_at:
            raise SystemExit(
                f"not all synced after 120 s: {sorted(set(browser_helpers()[1].outbox_states(page)))}"
            )
        if Visit.objects.filter(uuid__in=uuids).count() != count:
            raise SystemExit("visits missing or doubled")
        return stored_at, shown_at, uuids
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--setup", action="store_true", help="migrate and seed the demo organisation first")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium is not installed at {CHROMIUM}")
    if args.setup:
        prepare_database()
    django_setup()
    from playwright.sync_api import sync_playwright

    from campaigns.models import Visit

    bench_campaign_id()
    base = f"http://{HOST}:{PORT}"
    print(f"{database_label()}, {machine()}: {args.visits} queued visits, {args.runs} runs")
    stored: list[float] = []
    shown: list[float] = []
    sent: list[str] = []
    try:
        with Gunicorn(sqlite_ok=True), sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=browser_helpers()[0])
            for run in range(1, args.runs + 1):
                on_server, in_outbox, uuids = one_run(browser, base, args.visits)
                sent.extend(uuids)
                stored.append(on_server)
                shown.append(in_outbox)
                print(
                    f"run {run}: all {args.visits} on the server after {on_server:5.2f} s, "
                    f"all shown synced after {in_outbox:5.2f} s"
                )
            browser.close()
    finally:
        # By UUID: the server files a visit under whichever campaign runs at its time.
        deleted = sum(
            Visit.objects.filter(uuid__in=sent[i : i + 500]).delete()[0] for i in range(0, len(sent), 500)
        )
        print(f"cleaned up: {deleted:,} rows")
    median = statistics.median(stored)
    print(
        f"median {median:.2f} s until all {args.visits} are on the server (all shown synced: "
        f"{statistics.median(shown):.2f} s), target ≤ {TARGET_S:.0f} s: {'OK' if median <= TARGET_S else 'ABOVE TARGET'}"
    )


if __name__ == "__main__":
    main()
