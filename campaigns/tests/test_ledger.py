"""The visit ledger (走访台账) and the visit page: scope for every persona, filters, pages, export, 404s."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from appeals.services import AppealDraft, appeal_register
from campaigns.models import Campaign, FlagKind, Target, Visit, VisitFlag, VisitProblem
from campaigns.tests.factories import (
    FUQUAN_VILLAGE,
    GUANGHUI_VILLAGES,
    WENFENG,
    WENFENG_VILLAGE,
    make_campaign,
    make_visit,
)
from campaigns.views.ledger import LEDGER_HEADERS
from core.models import AuditEvent
from tests.support import DUYUN, GUANGHUI, client_for, response_bytes, xlsx_rows

SHANGHAI = ZoneInfo("Asia/Shanghai")
LEDGER = "/campaigns/visits/"


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2027, 1, day, hour, 0, tzinfo=SHANGHAI)


@pytest.fixture
def ledger(personas) -> dict[str, Visit]:
    campaign = make_campaign()
    other = make_campaign(name="春季走访")
    visits = {
        "guanghui": make_visit(
            personas.visitor, campaign, at=at(5), place=GUANGHUI_VILLAGES[0], households=5, tally=True
        ),
        "guanghui_late": make_visit(
            personas.township_handler,
            campaign,
            at=at(12),
            place=GUANGHUI_VILLAGES[1],
            households=5,
            tally=True,
        ),
        "wenfeng": make_visit(
            personas.visitor, campaign, at=at(8), place=WENFENG_VILLAGE, households=5, tally=True
        ),
        "other_campaign": make_visit(
            personas.visitor, other, at=at(9), place=GUANGHUI_VILLAGES[2], households=5, tally=True
        ),
        "fuquan": make_visit(
            personas.other_handler, campaign, at=at(7), place=FUQUAN_VILLAGE, households=5, tally=True
        ),
    }
    appeal = appeal_register(
        draft=AppealDraft(
            kind="request",
            source="visit",
            title="春节前讨要工资",
            description="在工地务工八个月，工资被拖欠。",
            region_code=GUANGHUI_VILLAGES[0],
            category_code="labour.wage_arrears",
            anonymous=True,
        ),
        actor=personas.visitor,
    ).appeal
    VisitProblem.objects.create(visit=visits["guanghui"], appeal=appeal)
    return visits


def ids(response) -> list[int]:
    return [v.pk for v in response.context["visits"]]


def test_each_persona_sees_the_visits_of_its_scope_newest_first(personas, ledger) -> None:
    duyun = [ledger[k].pk for k in ("guanghui_late", "other_campaign", "wenfeng", "guanghui")]
    everyone = [ledger[k].pk for k in ("guanghui_late", "other_campaign", "wenfeng", "fuquan", "guanghui")]
    expected = {
        "visitor": duyun,
        "handler": duyun,
        "unit_head": duyun,
        "dispatcher": duyun,
        "supervisor": duyun,
        "township_handler": [ledger["guanghui_late"].pk, ledger["other_campaign"].pk, ledger["guanghui"].pk],
        "other_handler": [ledger["fuquan"].pk],
        "other_leader": [ledger["fuquan"].pk],
        "prefecture_supervisor": everyone,
        "admin": everyone,
    }
    for name, user in personas.all().items():
        response = client_for(user).get(LEDGER)
        assert response.status_code == 200, name
        assert ids(response) == expected[name], name


def test_filters_by_campaign_region_visitor_dates_and_problems(personas, ledger) -> None:
    client = client_for(personas.dispatcher)
    campaign = ledger["guanghui"].campaign_id
    assert set(ids(client.get(LEDGER, {"campaign": ledger["other_campaign"].campaign_id}))) == {
        ledger["other_campaign"].pk
    }
    assert ids(client.get(LEDGER, {"campaign": campaign, "region": WENFENG})) == [ledger["wenfeng"].pk]
    assert set(ids(client.get(LEDGER, {"region": GUANGHUI}))) == {
        ledger["guanghui"].pk,
        ledger["guanghui_late"].pk,
        ledger["other_campaign"].pk,
    }
    assert set(ids(client.get(LEDGER, {"region": DUYUN, "visitor": personas.township_handler.pk}))) == {
        ledger["guanghui_late"].pk
    }
    # "to" includes its whole day.
    assert ids(client.get(LEDGER, {"from": "2027-01-08", "to": "2027-01-09"})) == [
        ledger["other_campaign"].pk,
        ledger["wenfeng"].pk,
    ]
    assert ids(client.get(LEDGER, {"problems": "1"})) == [ledger["guanghui"].pk]
    # A filter that cannot be read is ignored with a message rather than failing.
    assert len(ids(client.get(LEDGER, {"from": "yesterday", "visitor": "x"}))) == 4
    # A region elsewhere is answered like a missing one.
    assert client.get(LEDGER, {"region": "522702000000"}).status_code == 404


def test_ledger_pages_with_a_keyset_cursor(personas, ledger) -> None:
    campaign = Campaign.objects.get(pk=ledger["guanghui"].campaign_id)
    for day in range(1, 31):
        for hour in (9, 15):
            make_visit(
                personas.visitor,
                campaign,
                at=at(day, hour),
                place=GUANGHUI_VILLAGES[3],
                households=5,
                tally=True,
            )
    client = client_for(personas.dispatcher)
    first = client.get(LEDGER, {"region": GUANGHUI})
    assert len(ids(first)) == 50 and first.context["next_url"]
    second = client.get(LEDGER + first.context["next_url"])
    assert len(ids(second)) == 13
    assert not set(ids(first)) & set(ids(second))
    assert "region=" + GUANGHUI in first.context["next_url"]


def test_ledger_export_follows_the_filters_and_is_audited(personas, ledger) -> None:
    client = client_for(personas.dispatcher)
    response = client.get(LEDGER, {"region": GUANGHUI, "export": "xlsx"})
    assert response["Content-Disposition"].startswith("attachment")
    table = xlsx_rows(response_bytes(response))
    assert table[0] == [str(h) for h in LEDGER_HEADERS]
    assert len(table) == 1 + 3
    newest = table[1]
    assert newest[4] == "大西门社区居民委员会"
    first = next(row for row in table[1:] if row[14] == str(ledger["guanghui"].uuid))
    assert (first[2], first[3], first[6], first[9]) == ("都匀市", "广惠街道", "王走访", "1")
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert event.data["export"] == "visits" and event.data["rows"] == 3
    assert event.data["filters"] == {"region": GUANGHUI}
    # Out of scope rows never reach the file.
    other = xlsx_rows(response_bytes(client_for(personas.other_leader).get(LEDGER, {"export": "xlsx"})))
    assert [row[14] for row in other[1:]] == [str(ledger["fuquan"].uuid)]


def test_visit_page_shows_the_visit_its_problems_and_flags(personas, ledger) -> None:
    visit = ledger["guanghui"]
    visit.suggestions = "建议增设路灯"
    visit.save(update_fields=["suggestions"])
    VisitFlag.objects.create(visit=visit, kind=FlagKind.BURST)
    url = reverse("campaigns:visit", kwargs={"visit_id": visit.pk})
    response = client_for(personas.supervisor).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    appeal = visit.problems.get().appeal
    assert reverse("appeals:detail", kwargs={"appeal_id": appeal.pk}) in html
    assert appeal.code in html and "建议增设路灯" in html and "王走访" in html
    assert 'data-kind="burst"' in html
    assert 'data-testid="photos"' not in html


def test_visit_page_answers_404_alike_for_missing_and_out_of_scope(personas, ledger) -> None:
    fuquan = reverse("campaigns:visit", kwargs={"visit_id": ledger["fuquan"].pk})
    missing = reverse("campaigns:visit", kwargs={"visit_id": 999_999})
    for name in ("visitor", "dispatcher", "township_handler", "supervisor"):
        client = client_for(getattr(personas, name))
        assert client.get(fuquan).status_code == 404
        assert client.get(missing).status_code == 404
    wenfeng = reverse("campaigns:visit", kwargs={"visit_id": ledger["wenfeng"].pk})
    assert client_for(personas.township_handler).get(wenfeng).status_code == 404
    assert client_for(personas.other_leader).get(fuquan).status_code == 200


def test_ledger_needs_a_signed_in_user(client, ledger) -> None:
    response = client.get(LEDGER)
    assert response.status_code == 302 and "login" in response["Location"]


def test_home_page_links_to_campaigns_the_running_coverage_and_the_ledger(personas) -> None:
    today = timezone.localdate()
    running = make_campaign(starts=today - timedelta(days=5), ends=today + timedelta(days=5))
    coverage = reverse("campaigns:coverage", kwargs={"campaign_id": running.pk})
    for name in ("visitor", "dispatcher", "supervisor", "other_leader"):
        html = client_for(getattr(personas, name)).get(reverse("home")).content.decode()
        assert reverse("campaigns:list") in html and LEDGER in html and coverage in html, name
    handler = client_for(personas.handler).get(reverse("home")).content.decode()
    assert reverse("campaigns:list") not in handler


def test_campaign_list_and_detail_show_period_phase_themes_and_progress(personas, ledger) -> None:
    campaign = Campaign.objects.get(pk=ledger["guanghui"].campaign_id)
    Target.objects.create(campaign=campaign, unit=personas.duyun_police, metric="villages", quantity=4)
    client = client_for(personas.dispatcher)
    listing = client.get(reverse("campaigns:list")).content.decode()
    assert campaign.name in listing and "拖欠农民工工资" in listing
    detail = client.get(reverse("campaigns:detail", kwargs={"campaign_id": campaign.pk}))
    assert detail.status_code == 200
    rows = detail.context["rows"]
    # The police visitor covered two villages (Guanghui and Wenfeng) of four: 50%.
    assert [(r.unit_id, r.metric, r.target, r.achieved, r.rate) for r in rows] == [
        (personas.duyun_police.pk, "villages", 4, 2, 50.0)
    ]
    assert 'data-testid="phases"' in detail.content.decode()
    for user in personas.all().values():
        assert (
            client_for(user).get(reverse("campaigns:detail", kwargs={"campaign_id": campaign.pk})).status_code
            == 200
        )
    missing = reverse("campaigns:detail", kwargs={"campaign_id": campaign.pk + 99})
    assert client.get(missing).status_code == 404
