"""The hot-issue map in a real browser: Leaflet draws the townships' points from the page's JSON under the strict
Content-Security-Policy with no tiles configured, and a point's popup links to the appeals of its issue."""

import pytest

from insights.tests.factories import GUANGHUI_VILLAGE, march, registered
from tests.e2e.test_login import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

SITE = "广惠街道锦绣家园工地包工头拖欠农民工工资，二十多名工人讨薪无果。"


def test_the_map_draws_a_point_per_township_without_tiles_and_opens_its_appeals(
    page, live_server, personas
) -> None:
    for day in (3, 4, 5):
        registered(
            personas.dispatcher,
            march(day),
            region_code=GUANGHUI_VILLAGE,
            title="锦绣家园工地拖欠农民工工资",
            description=SITE,
        )
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, live_server, "supervisor")
    page.wait_for_selector("[data-role=supervisor]")
    page.goto(f"{live_server.url}/insights/?from=2025-03-01&to=2025-04-01")
    page.wait_for_selector("#hot-map .leaflet-interactive")
    assert page.locator("#hot-map .leaflet-interactive").count() == 1
    assert page.locator("#hot-map .leaflet-tile").count() == 0
    assert "广惠街道" in page.locator("#hot-map .leaflet-tooltip").first.inner_text()
    assert not [e for e in errors if "Content Security Policy" in e or "leaflet" in e.lower()]
    page.locator("#hot-map .leaflet-interactive").first.click(force=True)
    page.locator(".leaflet-popup-content a").first.click()
    page.wait_for_selector("[data-testid=appeal-list]")
    assert page.get_attribute("[data-testid=list-count]", "data-count") == "3"
