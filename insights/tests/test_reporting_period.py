"""The last complete month is the default period of rankings, notices and reports (DESIGN §6, issue 11); pages
ask and show a period by its inclusive last day, while the API's `to` stays the exclusive end."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.period import period_between, reporting_period
from tests.support import client_for

TODAY = datetime(2025, 4, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MARCH = period_between(starts=date(2025, 3, 1), ends=date(2025, 4, 1))


@pytest.fixture
def april():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_the_reporting_period_is_the_last_complete_month() -> None:
    assert reporting_period(date(2025, 4, 10)) == MARCH
    assert reporting_period(date(2025, 1, 1)) == period_between(
        starts=date(2024, 12, 1), ends=date(2025, 1, 1)
    )


def test_rankings_and_reports_default_to_last_month_in_the_api(personas, april) -> None:
    client = client_for(personas.prefecture_supervisor)
    body = client.get("/api/v1/rankings", {"league": "county"}).json()
    assert body["period"] == {"from": "2025-03-01", "to": "2025-04-01"}  # `to` exclusive, as documented
    report = client.get("/api/v1/reports/decision").json()
    assert report["period"]["from"] == "2025-03-01" and report["period"]["to"] == "2025-04-01"
    # The metrics summary keeps its own default: this month so far.
    summary = client.get("/api/v1/metrics/summary").json()
    assert summary["period"] == {"from": "2025-04-01", "to": "2025-04-11"}


def test_the_rankings_page_defaults_to_last_month_and_shows_its_last_day(personas, april) -> None:
    client = client_for(personas.prefecture_supervisor)
    response = client.get("/insights/rankings/", {"league": "county"})
    html = response.content.decode()
    assert response.context["period"] == MARCH
    assert 'name="from" value="2025-03-01"' in html and 'name="last" value="2025-03-31"' in html
    assert "2025年3月31日" in html and "（不含）" not in html and "不含）" not in html
    assert "<th>单位</th>" in html and "<th>姓名</th>" not in html
    # The form's inclusive last day reads as the same period.
    typed = client.get(
        "/insights/rankings/", {"league": "county", "from": "2025-03-01", "last": "2025-03-31"}
    )
    assert typed.context["period"] == MARCH
    export = client.get("/insights/rankings/", {"league": "county", "export": "xlsx"})
    assert "20250301-20250331" in export["Content-Disposition"]


def test_the_report_form_and_the_dashboards_ask_the_last_day(personas, april) -> None:
    client = client_for(personas.prefecture_supervisor)
    form = client.get("/insights/report/").content.decode()
    assert 'value="last_month" selected' in form and 'name="last"' in form and "（不含" not in form
    view = client.get("/insights/report/view/")
    assert view.status_code == 200 and "2025年3月" in view.content.decode()
    dashboard = client.get("/insights/", {"from": "2025-03-01", "last": "2025-03-31"})
    assert dashboard.context["period"] == MARCH
    html = dashboard.content.decode()
    assert 'name="last" value="2025-03-31"' in html and "（不含）" not in html
