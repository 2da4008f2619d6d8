"""The leader's dashboard in a real browser: ECharts draws the charts from the page's JSON under the strict
Content-Security-Policy, and a click on a number opens the list behind it with the same count."""

import pytest

from insights.services import counters_refresh
from insights.tests.factories import GUANGHUI_VILLAGE, assign, march, registered
from tests.e2e.test_login import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_overview_draws_its_charts_and_its_numbers_open_their_lists(page, live_server, personas) -> None:
    p = personas
    for day in (3, 4, 5):
        appeal = registered(p.dispatcher, march(day), region_code=GUANGHUI_VILLAGE)
    assign(p.dispatcher, appeal, march(5), unit=p.duyun_hr)
    counters_refresh()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, live_server, "supervisor")
    page.wait_for_selector("[data-role=supervisor]")
    page.goto(f"{live_server.url}/insights/?from=2025-03-01&to=2025-04-01")
    page.wait_for_selector("[data-chart=by_kind][data-drawn] canvas")
    page.wait_for_selector("[data-chart=weeks][data-drawn] canvas")
    size = page.eval_on_selector("[data-chart=by_kind] canvas", "c => [c.width, c.height]")
    assert size[0] > 100 and size[1] > 100
    assert not [e for e in errors if "Content Security Policy" in e or "echarts" in e.lower()]
    figure = page.locator("[data-figure=appeals] .value")
    assert figure.inner_text().strip() == "3"
    page.click("[data-figure=appeals]")
    page.wait_for_selector("[data-testid=appeal-list]")
    assert page.get_attribute("[data-testid=list-count]", "data-count") == "3"
