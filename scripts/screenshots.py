"""Screenshots of pages as a signed-in user sees them, at desk (1440×900) and phone (390×844) sizes.

Usage: python scripts/screenshots.py BASE_URL USERNAME PASSWORD OUT_DIR PATH [PATH ...]
Each PATH is saved as OUT_DIR/<name>-desk.png and -phone.png, the name made of the path's letters.
"""

import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SIZES = {"desk": (1440, 900), "phone": (390, 844)}


def main(base: str, username: str, password: str, out: str, paths: list[str]) -> None:
    Path(out).mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for size, (width, height) in SIZES.items():
            context = browser.new_context(
                viewport={"width": width, "height": height}, locale="zh-CN", timezone_id="Asia/Shanghai"
            )
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", password)
            page.click("#login-form button[type=submit]")
            page.wait_for_load_state("networkidle")
            for path in paths:
                page.goto(f"{base}{path}")
                page.wait_for_load_state("networkidle")
                name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
                page.screenshot(path=f"{out}/{name}-{size}.png", full_page=True)
            context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
