"""A notice in a real browser (issue 11): the drafting form's dates come filled in under the Chinese UI, and
publishing goes through its confirmation step, which needs no script."""

import pytest
import time_machine

from oversight.models import Notice, NoticeStatus
from oversight.tests.factories import NOW, history
from tests.e2e.test_login import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_notice_is_drafted_with_filled_dates_and_published_after_confirming(
    page, live_server, personas
) -> None:
    with time_machine.travel(NOW, tick=False):
        history(personas)
    with time_machine.travel(NOW, tick=True):
        sign_in(page, live_server, "supervisor")
        page.wait_for_selector("[data-role=supervisor]")
        page.goto(f"{live_server.url}/oversight/notices/new/")
        # The last complete month, by its inclusive last day; a date input shows nothing for a localised value.
        assert page.input_value("input[name=starts]") == "2025-03-01"
        assert page.input_value("input[name=ends]") == "2025-03-31"
        page.click("[data-testid=notice-form] button[type=submit]")
        page.wait_for_selector("[data-testid=notice]")
        notice = Notice.objects.get()
        assert (notice.period_starts.isoformat(), notice.period_ends.isoformat()) == (
            "2025-03-01",
            "2025-04-01",
        )
        page.click("[data-testid=publish]")
        page.wait_for_selector("[data-testid=publish-confirm]")
        notice.refresh_from_db()
        assert notice.status == NoticeStatus.DRAFT  # asked, not yet published
        page.click("[data-testid=confirm-publish]")
        page.wait_for_selector("[data-testid=number]")
        assert "〔2025〕1号" in page.inner_text("[data-testid=number]")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PUBLISHED
