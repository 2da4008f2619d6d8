"""The rankings page: the table and boards for each persona in scope, the weights form for admins, the export."""

from core.models import AuditEvent
from insights.models import ScoreWeight
from tests.support import client_for

URL = "/insights/rankings/"
MARCH_PARAMS = {"from": "2025-03-01", "to": "2025-04-01"}


def test_the_page_shows_the_league_with_its_boards_and_definitions(season) -> None:
    response = client_for(season.prefecture_supervisor).get(URL, {"league": "county", **MARCH_PARAMS})
    assert response.status_code == 200
    html = response.content.decode()
    assert "都匀市" in html and "福泉市" in html
    assert 'data-testid="red-board"' in html and 'data-testid="black-board"' in html
    assert "按时办结率" in html or "On-time resolution rate" in html
    assert 'data-testid="save-weights"' not in html  # only admins edit the weights


def test_another_countys_region_is_not_found(season) -> None:
    response = client_for(season.other_leader).get(URL, {"league": "township", "region": "522701000000"})
    assert response.status_code == 404


def test_an_admin_saves_weights_and_bad_ones_are_refused_without_writing(season) -> None:
    admin = client_for(season.admin)
    page = admin.get(URL, {"league": "township", **MARCH_PARAMS})
    assert 'data-testid="save-weights"' in page.content.decode()
    token = admin.cookies["csrftoken"].value
    form = {
        "league": "township",
        "next": URL,
        "solved_rate": "50",
        "satisfaction_rate": "abc",
        "csrfmiddlewaretoken": token,
    }
    admin.post("/insights/rankings/weights/", form, follow=True)
    assert not ScoreWeight.objects.exists()
    form["satisfaction_rate"] = "30"
    admin.post("/insights/rankings/weights/", form)
    assert dict(ScoreWeight.objects.values_list("metric", "weight")) == {
        "solved_rate": 50,
        "satisfaction_rate": 30,
    }
    supervisor = client_for(season.supervisor)
    supervisor.get(URL)
    form["csrfmiddlewaretoken"] = supervisor.cookies["csrftoken"].value
    refused = supervisor.post("/insights/rankings/weights/", {**form, "solved_rate": "1"})
    assert refused.status_code == 403
    assert ScoreWeight.objects.get(metric="solved_rate").weight == 50


def test_the_export_holds_the_ranked_rows_and_is_audited(season) -> None:
    response = client_for(season.dispatcher).get(
        URL, {"league": "township", "export": "xlsx", **MARCH_PARAMS}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).latest("id")
    assert event.data["export"] == "rankings" and event.data["rows"] >= 2
