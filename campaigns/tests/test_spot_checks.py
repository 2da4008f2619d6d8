"""Spot-checks (抽查回访): drawing a sample of a unit's visits, recording call-backs, the unit's figures in
campaign progress, and the pages and API against every persona."""

import json
from datetime import date, timedelta

import pytest
from django.test import Client

from campaigns.models import Campaign, SpotCheck, SpotCheckItem, SpotCheckOutcome, Visit
from campaigns.services import spot_check_draw, spot_check_record
from campaigns.tests.factories import T0, make_visit
from core.errors import DomainError, Forbidden, InvalidInput, NotFound
from tests.support import PERSONA_NAMES, api_client, client_for


@pytest.fixture
def campaign(personas) -> Campaign:
    return Campaign.objects.create(name="冬春大走访", starts=date(2027, 1, 1), ends=date(2027, 3, 31))


@pytest.fixture
def police_visits(personas, campaign) -> list[Visit]:
    """Five visits by the 都匀市公安局 visitor, and two by a 人社局 handler that are not the police's; tallied as the
    visit service tallies them."""
    mine = [
        make_visit(
            personas.visitor,
            campaign,
            at=T0 + timedelta(hours=h),
            households=h + 1,
            notes=f"第{h}次走访，了解群众诉求。",
            digest=False,
            tally=True,
        )
        for h in range(5)
    ]
    make_visit(
        personas.handler,
        campaign,
        at=T0 + timedelta(hours=1),
        households=1 + 1,
        notes=f"第{1}次走访，了解群众诉求。",
        digest=False,
        tally=True,
    )
    make_visit(
        personas.handler,
        campaign,
        at=T0 + timedelta(hours=2),
        households=2 + 1,
        notes=f"第{2}次走访，了解群众诉求。",
        digest=False,
        tally=True,
    )
    return mine


def post(client: Client, path: str, body: object):
    return client.post(path, json.dumps(body), content_type="application/json")


# --- drawing -------------------------------------------------------------------------------------------


def test_a_draw_samples_only_the_units_visits(personas, campaign, police_visits) -> None:
    check = spot_check_draw(actor=personas.supervisor, campaign=campaign, unit=personas.duyun_police, size=3)
    assert (check.population, check.sample_size) == (5, 3)
    sampled = set(check.items.values_list("visit_id", flat=True))
    assert len(sampled) == 3 and sampled <= {v.pk for v in police_visits}
    assert set(check.items.values_list("outcome", flat=True)) == {SpotCheckOutcome.PENDING}


def test_a_sample_larger_than_the_visits_takes_them_all(personas, campaign, police_visits) -> None:
    check = spot_check_draw(actor=personas.admin, campaign=campaign, unit=personas.duyun_police, size=200)
    assert (check.population, check.sample_size, check.items.count()) == (5, 5, 5)


def test_draws_are_random(personas, campaign) -> None:
    for h in range(40):
        make_visit(
            personas.visitor,
            campaign,
            at=T0 + timedelta(hours=h),
            households=h + 1,
            notes=f"第{h}次走访，了解群众诉求。",
            digest=False,
        )
    samples = {
        frozenset(
            spot_check_draw(
                actor=personas.supervisor, campaign=campaign, unit=personas.duyun_police, size=5
            ).items.values_list("visit_id", flat=True)
        )
        for _ in range(4)
    }
    assert len(samples) > 1  # four identical samples of 5 out of 40: odds about 1 in 10^18


@pytest.mark.parametrize(
    ("actor", "unit", "size", "error", "code"),
    [
        ("visitor", "duyun_police", 3, Forbidden, "forbidden"),
        ("dispatcher", "duyun_police", 3, Forbidden, "forbidden"),
        ("other_leader", "fuquan_hr", 3, Forbidden, "forbidden"),
        ("supervisor", "fuquan_hr", 3, NotFound, "not_found"),
        ("supervisor", "duyun_police", 0, InvalidInput, "invalid_input"),
        ("supervisor", "duyun_police", 201, InvalidInput, "invalid_input"),
        ("supervisor", "guanghui", 3, InvalidInput, "no_visits"),
    ],
)
def test_refused_draws_write_nothing(
    personas, campaign, police_visits, actor, unit, size, error, code
) -> None:
    with pytest.raises(error) as caught:
        spot_check_draw(
            actor=getattr(personas, actor), campaign=campaign, unit=getattr(personas, unit), size=size
        )
    assert caught.value.code == code
    assert not SpotCheck.objects.exists() and not SpotCheckItem.objects.exists()


def test_a_unit_without_visits_in_the_campaign_is_refused_with_422(personas, campaign, police_visits) -> None:
    other = Campaign.objects.create(name="秋季大走访", starts=date(2026, 9, 1), ends=date(2026, 11, 30))
    with pytest.raises(InvalidInput) as caught:
        spot_check_draw(actor=personas.supervisor, campaign=other, unit=personas.duyun_police, size=3)
    assert caught.value.code == "no_visits" and caught.value.status == 422


# --- recording -----------------------------------------------------------------------------------------


@pytest.fixture
def check(personas, campaign, police_visits) -> SpotCheck:
    return spot_check_draw(actor=personas.supervisor, campaign=campaign, unit=personas.duyun_police, size=5)


def test_a_confirmed_call_back_records_satisfaction_who_and_when(personas, check) -> None:
    item = check.items.earliest("id")
    recorded = spot_check_record(
        actor=personas.supervisor, item=item, outcome="confirmed", satisfaction="satisfied", note="户主确认"
    )
    item.refresh_from_db()
    assert (item.outcome, item.satisfaction, item.note) == ("confirmed", "satisfied", "户主确认")
    assert item.checked_by == personas.supervisor and item.checked_at is not None
    assert recorded.pk == item.pk


@pytest.mark.parametrize(
    ("outcome", "satisfaction", "field"),
    [
        ("denied", "satisfied", "satisfaction"),
        ("unreachable", "unsatisfied", "satisfaction"),
        ("confirmed", "delighted", "satisfaction"),
        ("pending", "", "outcome"),
    ],
)
def test_satisfaction_without_a_confirmation_is_refused_and_nothing_written(
    personas, check, outcome, satisfaction, field
) -> None:
    item = check.items.earliest("id")
    with pytest.raises(InvalidInput) as caught:
        spot_check_record(actor=personas.supervisor, item=item, outcome=outcome, satisfaction=satisfaction)
    assert field in caught.value.details
    item.refresh_from_db()
    assert (item.outcome, item.satisfaction, item.checked_by) == ("pending", "", None)


def test_the_same_supervisor_may_correct_an_outcome_and_another_may_not(personas, check) -> None:
    item = check.items.earliest("id")
    spot_check_record(actor=personas.supervisor, item=item, outcome="unreachable")
    spot_check_record(
        actor=personas.supervisor, item=item, outcome="confirmed", satisfaction="basically_satisfied"
    )
    item.refresh_from_db()
    assert (item.outcome, item.satisfaction) == ("confirmed", "basically_satisfied")
    with pytest.raises(DomainError) as caught:
        spot_check_record(actor=personas.prefecture_supervisor, item=item, outcome="denied")
    assert caught.value.code == "already_recorded" and caught.value.status == 409
    with pytest.raises(Forbidden):
        spot_check_record(actor=personas.handler, item=item, outcome="denied")
    item.refresh_from_db()
    assert item.outcome == "confirmed"


# --- progress --------------------------------------------------------------------------------------------


def test_call_back_results_feed_the_units_progress(personas, campaign, check) -> None:
    items = list(check.items.order_by("id"))
    for item, outcome in zip(
        items, ["confirmed", "confirmed", "confirmed", "denied", "unreachable"], strict=True
    ):
        spot_check_record(actor=personas.supervisor, item=item, outcome=outcome)
    # A second check of the same unit adds its items; a pending call does not count as called.
    spot_check_draw(actor=personas.supervisor, campaign=campaign, unit=personas.duyun_police, size=1)
    out = api_client(personas.supervisor).get(f"/api/v1/campaigns/{campaign.pk}/progress").json()
    assert out["spot_checks"] == [
        {
            "unit_id": personas.duyun_police.pk,
            "unit_name": "都匀市公安局",
            "sampled": 5,
            "called": 5,
            "confirmed": 3,
            "denied": 1,
            "unreachable": 1,
            "confirmation_rate": 0.75,
        }
    ]
    assert (
        api_client(personas.other_leader)
        .get(f"/api/v1/campaigns/{campaign.pk}/progress")
        .json()["spot_checks"]
        == []
    )


# --- API -----------------------------------------------------------------------------------------------

CHECKERS = {"supervisor", "prefecture_supervisor", "admin"}
VIEWERS = CHECKERS | {"other_leader"}


@pytest.mark.parametrize(
    "name",
    PERSONA_NAMES,
)
def test_the_api_draws_shows_and_records_for_supervisors_in_scope(
    personas, campaign, police_visits, name
) -> None:
    client = api_client(getattr(personas, name))
    body = {"campaign": campaign.pk, "unit": personas.duyun_police.pk, "size": 2}
    drawn = post(client, "/api/v1/spot-checks", body)
    if name not in CHECKERS:
        assert drawn.status_code == 403 and drawn.json()["error"]["code"] == "forbidden"
        assert not SpotCheck.objects.exists()
        check = spot_check_draw(
            actor=personas.supervisor, campaign=campaign, unit=personas.duyun_police, size=2
        )
    else:
        assert drawn.status_code == 201, drawn.content
        out = drawn.json()
        assert (out["population"], out["sample_size"], len(out["items"])) == (5, 2, 2)
        assert out["results"] == {
            "sampled": 2,
            "called": 0,
            "confirmed": 0,
            "denied": 0,
            "unreachable": 0,
            "confirmation_rate": None,
        }
        assert (
            out["items"][0]["notes_excerpt"].startswith("第") and out["items"][0]["visitor_name"] == "王走访"
        )
        check = SpotCheck.objects.get(pk=out["id"])
    item = check.items.earliest("id")
    shown = client.get(f"/api/v1/spot-checks/{check.pk}")
    recorded = post(client, f"/api/v1/spot-checks/{check.pk}/items/{item.pk}", {"outcome": "denied"})
    if name in CHECKERS:
        assert shown.status_code == 200 and shown.json()["id"] == check.pk
        assert recorded.status_code == 200 and recorded.json()["outcome"] == "denied"
    elif name == "other_leader":  # a leader reads, but 福泉's leader does not see 都匀's checks
        assert shown.status_code == 404 and recorded.status_code == 403
    else:
        assert shown.status_code == 403 and recorded.status_code == 403


def test_the_api_refuses_bad_draws_and_records_with_details(personas, campaign, police_visits) -> None:
    client = api_client(personas.supervisor)
    too_big = post(
        client,
        "/api/v1/spot-checks",
        {"campaign": campaign.pk, "unit": personas.duyun_police.pk, "size": 500},
    )
    assert too_big.status_code == 422 and "size" in too_big.json()["error"]["details"]
    out_of_scope = post(
        client, "/api/v1/spot-checks", {"campaign": campaign.pk, "unit": personas.fuquan_hr.pk, "size": 2}
    )
    missing = post(client, "/api/v1/spot-checks", {"campaign": campaign.pk, "unit": 987654, "size": 2})
    assert out_of_scope.status_code == missing.status_code == 404
    assert out_of_scope.json() == missing.json()
    none = post(
        client, "/api/v1/spot-checks", {"campaign": campaign.pk, "unit": personas.guanghui.pk, "size": 2}
    )
    assert none.status_code == 422 and none.json()["error"]["code"] == "no_visits"
    assert not SpotCheck.objects.exists()
    check = spot_check_draw(actor=personas.supervisor, campaign=campaign, unit=personas.duyun_police, size=2)
    item = check.items.earliest("id")
    bad = post(
        client,
        f"/api/v1/spot-checks/{check.pk}/items/{item.pk}",
        {"outcome": "denied", "satisfaction": "satisfied"},
    )
    assert bad.status_code == 422 and "satisfaction" in bad.json()["error"]["details"]
    assert (
        post(client, f"/api/v1/spot-checks/{check.pk}/items/987654", {"outcome": "denied"}).status_code == 404
    )
    assert client.get("/api/v1/spot-checks/987654").status_code == 404
    item.refresh_from_db()
    assert item.outcome == "pending"


# --- pages ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    PERSONA_NAMES,
)
def test_the_pages_list_draw_and_record_for_supervisors(personas, campaign, police_visits, name) -> None:
    user = getattr(personas, name)
    client = client_for(user)
    check = spot_check_draw(actor=personas.supervisor, campaign=campaign, unit=personas.duyun_police, size=3)
    item = check.items.earliest("id")
    listing = client.get("/campaigns/spot-checks/")
    detail = client.get(f"/campaigns/spot-checks/{check.pk}/")
    if name not in VIEWERS:
        assert listing.status_code == detail.status_code == 403
        assert client.post(f"/campaigns/spot-checks/{check.pk}/items/{item.pk}/", {}).status_code == 403
        return
    assert listing.status_code == 200
    if name == "other_leader":
        assert f'data-check="{check.pk}"' not in listing.content.decode()
        assert detail.status_code == 404
        return
    assert f'data-check="{check.pk}"' in listing.content.decode()
    assert detail.status_code == 200 and detail.content.decode().count('<tr id="item-') == 3
    # Drawing from the page, then recording one call-back from the sample's page.
    html = listing.content.decode()
    assert 'data-testid="draw-form"' in html and "都匀市公安局" in html
    token = client.cookies["csrftoken"].value
    drawn = client.post(
        "/campaigns/spot-checks/",
        {"campaign": campaign.pk, "unit": personas.duyun_police.pk, "size": 2, "csrfmiddlewaretoken": token},
    )
    new = SpotCheck.objects.exclude(pk=check.pk).get()
    assert drawn.status_code == 302 and drawn["Location"] == f"/campaigns/spot-checks/{new.pk}/"
    new_item = new.items.earliest("id")
    prefix = f"item{new_item.pk}"
    recorded = client.post(
        f"/campaigns/spot-checks/{new.pk}/items/{new_item.pk}/",
        {
            f"{prefix}-outcome": "confirmed",
            f"{prefix}-satisfaction": "satisfied",
            "csrfmiddlewaretoken": token,
        },
    )
    assert recorded.status_code == 302
    new_item.refresh_from_db()
    assert (new_item.outcome, new_item.satisfaction, new_item.checked_by) == ("confirmed", "satisfied", user)
    page = client.get(f"/campaigns/spot-checks/{new.pk}/").content.decode()
    assert 'data-outcome="confirmed"' in page and "100%" in page


def test_a_bad_draw_on_the_page_shows_the_reason_and_writes_nothing(
    personas, campaign, police_visits
) -> None:
    client = client_for(personas.supervisor)
    client.get("/campaigns/spot-checks/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/campaigns/spot-checks/",
        {"campaign": campaign.pk, "unit": personas.duyun_police.pk, "size": 0, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 400 and not SpotCheck.objects.exists()


def test_a_refused_record_on_the_page_writes_nothing(personas, campaign, police_visits) -> None:
    check = spot_check_draw(actor=personas.supervisor, campaign=campaign, unit=personas.duyun_police, size=1)
    item = check.items.get()
    client = client_for(personas.supervisor)
    client.get(f"/campaigns/spot-checks/{check.pk}/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        f"/campaigns/spot-checks/{check.pk}/items/{item.pk}/",
        {
            f"item{item.pk}-outcome": "denied",
            f"item{item.pk}-satisfaction": "satisfied",
            "csrfmiddlewaretoken": token,
        },
        follow=True,
    )
    assert response.status_code == 200 and "只有群众确认走访时才能填写满意度" in response.content.decode()
    item.refresh_from_db()
    assert item.outcome == "pending"


def test_supervisors_find_the_pages_on_their_home_page(personas) -> None:
    html = client_for(personas.supervisor).get("/").content.decode()
    assert 'href="/campaigns/flags/"' in html and 'href="/campaigns/spot-checks/"' in html
    assert 'href="/campaigns/spot-checks/"' not in client_for(personas.visitor).get("/").content.decode()
