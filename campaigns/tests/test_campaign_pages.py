"""The campaign pages at scale (issue 11): coverage, plan and spot-check lists in keyset pages over the visitors'
tallies, with the same counts as the visits give; and the household contact a visit may record, masked
everywhere and revealed only to the supervisor who drew the spot-check, audited."""

import json
import uuid
from datetime import date, datetime, timedelta

import pytest
from django.db.models import Count, Q, Sum

from campaigns.models import Campaign, Enterprise, Responsibility, Target, Visit
from campaigns.selectors.coverage import campaign_coverage
from campaigns.services import spot_check_draw
from campaigns.tests.factories import GUANGHUI_VILLAGES, SHANGHAI, T0, WENFENG_VILLAGE, make_visit
from core.models import AuditEvent
from geo.models import Region
from tests.support import DUYUN, GUANGHUI, PERSONA_NAMES, api_client, client_for

COVERAGE = "/api/v1/campaigns/{}/coverage"
CONTACT = "/api/v1/spot-checks/{}/items/{}/contact"


@pytest.fixture
def campaign(personas) -> Campaign:
    return Campaign.objects.create(name="冬春大走访", starts=date(2027, 1, 1), ends=date(2027, 3, 31))


@pytest.fixture
def visits(personas, campaign) -> list[Visit]:
    """Visits to Guanghui and Wenfeng villages (one village twice, one by enterprise only), each tallied as
    the visit service tallies them; the first three with a household contact."""
    factory = Enterprise.objects.create(name="都匀毛尖茶业有限公司", region_id=GUANGHUI_VILLAGES[5])
    places = [*GUANGHUI_VILLAGES[:4], GUANGHUI_VILLAGES[0], WENFENG_VILLAGE]
    made = [
        make_visit(
            personas.visitor, campaign, at=T0 + timedelta(hours=i), place=p, households=i + 1, tally=True
        )
        for i, p in enumerate(places)
    ]
    made.append(
        make_visit(personas.visitor, campaign, place=GUANGHUI_VILLAGES[5], enterprise=factory, tally=True)
    )
    contacts = [("张三丰", "13812345678"), ("欧阳娜娜", "13900001111"), ("李四", "")]
    for visit, (name, phone) in zip(made[:3], contacts, strict=True):
        Visit.objects.filter(pk=visit.pk).update(household_name=name, household_phone=phone)
    return made


def expected_coverage(campaign: Campaign, prefix: str, width: int) -> dict[str, tuple[int, int, int, int]]:
    """(villages, visited, unassigned, visits) per area, counted from the visits themselves as before."""
    villages = Region.objects.filter(code__startswith=prefix, level=Region.Level.VILLAGE)
    found: dict[str, list[int]] = {}
    for village in villages:
        group = village.code[:width]
        mine = Visit.objects.filter(campaign=campaign, region=village, enterprise__isnull=True)
        row = found.setdefault(group, [0, 0, 0, 0])
        row[0] += 1
        row[1] += mine.exists()
        row[2] += not Responsibility.objects.filter(campaign=campaign, region=village).exists()
        row[3] += mine.count()
    return {group: (a, b, c, d) for group, (a, b, c, d) in found.items()}


# --- coverage ------------------------------------------------------------------------------------------------


def test_coverage_from_the_tallies_counts_what_the_visits_count(personas, campaign, visits) -> None:
    Responsibility.objects.create(campaign=campaign, visitor=personas.visitor, region_id=GUANGHUI_VILLAGES[0])
    duyun = Region.objects.get(pk=DUYUN)
    coverage = campaign_coverage(campaign=campaign, user=personas.dispatcher, region=duyun)
    got = {r.region.code[:9]: (r.villages, r.visited, r.unassigned, r.visits) for r in coverage.rows}
    assert got == expected_coverage(campaign, "522701", 9)
    assert got[GUANGHUI[:9]][1:] == (4, got[GUANGHUI[:9]][0] - 1, 5)
    assert (coverage.visited, coverage.visits) == (5, 6)


def test_the_coverage_api_pages_by_code_and_keeps_its_totals_and_rows(personas, campaign, visits) -> None:
    client = api_client(personas.dispatcher)
    whole = client.get(COVERAGE.format(campaign.pk)).json()
    assert whole["items"] == whole["rows"] and whole["next_cursor"] is None
    pages, cursor = [], None
    while True:
        query = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = client.get(COVERAGE.format(campaign.pk), query).json()
        assert body["totals"] == whole["totals"] and body["items"] == body["rows"]
        assert len(body["items"]) <= 3
        pages.append([row["code"] for row in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    codes = [code for page in pages for code in page]
    assert len(pages) > 1 and codes == sorted(codes) == [row["code"] for row in whole["items"]]
    assert whole["totals"]["visited"] == 5 and whole["totals"]["visits"] == 6


def test_a_damaged_coverage_cursor_is_refused(personas, campaign, visits) -> None:
    client = api_client(personas.dispatcher)
    for cursor in ("garbage", "WyI1MjI3Il0"):  # not base64 JSON; a code of the wrong width
        response = client.get(COVERAGE.format(campaign.pk), {"cursor": cursor})
        assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_cursor"


def test_the_coverage_page_pages_its_areas_and_its_unvisited_villages(personas, campaign, visits) -> None:
    client = client_for(personas.dispatcher)
    url = f"/campaigns/{campaign.pk}/coverage/"
    township = client.get(url, {"region": GUANGHUI})
    html = township.content.decode()
    assert township.status_code == 200 and html.count('<tr data-code="5227010010') >= 13
    assert 'data-testid="next-page"' not in html.split('id="unvisited"')[0]
    damaged = client.get(url, {"areas": "garbage"})
    assert damaged.status_code == 200 and "分页游标无效" in damaged.content.decode()


# --- plan ----------------------------------------------------------------------------------------------------


def test_the_plan_pages_its_targets_and_enterprises_in_a_stable_order(personas, campaign, visits) -> None:
    Target.objects.bulk_create(
        Target(campaign=campaign, unit=unit, metric=metric, quantity=10)
        for unit in (personas.duyun_police, personas.duyun_hr, personas.duyun_plc, personas.guanghui)
        for metric in ("households", "villages", "enterprises", "disputes")
    )
    for n in range(60):
        Enterprise.objects.create(name=f"企业{n:02d}", region_id=GUANGHUI_VILLAGES[n % 5])
    client = client_for(personas.dispatcher)
    url = f"/campaigns/{campaign.pk}/plan/"
    seen_targets: list[str] = []
    seen_enterprises: list[str] = []
    query: dict[str, str] = {"region": DUYUN}
    for _ in range(5):
        html = client.get(url, query).content.decode()
        targets = html.split('data-testid="targets"')[1].split('data-testid="responsibilities"')[0]
        enterprises = html.split('data-testid="enterprises"')[1]
        if not seen_targets:
            seen_targets = [chunk.split('"')[0] for chunk in targets.split('data-unit="')[1:]]
        seen_enterprises += [chunk.split('"')[0] for chunk in enterprises.split('data-enterprise="')[1:]]
        nexts = [
            chunk.split('"')[0].replace("&amp;", "&")
            for chunk in html.split('href="')[1:]
            if 'rel="next"' in chunk.split(">")[0]
        ]
        if not nexts:
            break
        query = dict(pair.split("=", 1) for pair in nexts[-1].split("#")[0].lstrip("?").split("&"))
    assert len(seen_enterprises) == len(set(seen_enterprises)) == 61
    expected = Enterprise.objects.filter(region__code__startswith="522701").order_by(
        "region_id", "name", "id"
    )
    assert [int(e) for e in seen_enterprises] == list(expected.values_list("id", flat=True))
    assert len(seen_targets) == 16


# --- spot-checks and the household contact -------------------------------------------------------------------


@pytest.fixture
def check(personas, campaign, visits):
    return spot_check_draw(actor=personas.supervisor, campaign=campaign, unit=personas.duyun_police, size=7)


def item_of(check, visit: Visit):
    return check.items.get(visit=visit)


@pytest.fixture
def running(personas) -> Campaign:
    today = date.today()
    return Campaign.objects.create(
        name="正在进行", starts=today - timedelta(days=30), ends=today + timedelta(days=30)
    )


def an_hour_ago() -> str:
    return (datetime.now(SHANGHAI) - timedelta(hours=1)).isoformat()


def test_a_visit_records_the_household_met_and_shows_it_masked(personas, running) -> None:
    key = str(uuid.uuid4())
    body = {
        "uuid": key,
        "place_code": GUANGHUI_VILLAGES[0],
        "started_at": an_hour_ago(),
        "household": {"name": "张三丰", "phone": "13812345678"},
    }
    client = api_client(personas.visitor)
    created = client.post("/api/v1/visits", json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["household"] == {"name": "张**", "phone": "138****5678"}
    visit = Visit.objects.get(uuid=key)
    assert (visit.household_name, visit.household_phone) == ("张三丰", "13812345678")
    again = client.post("/api/v1/visits", json.dumps(body), content_type="application/json")
    assert again.status_code == 200  # the offline outbox resending: the same record
    page = client_for(personas.dispatcher).get(f"/campaigns/visits/{visit.pk}/").content.decode()
    assert "张**" in page and "138****5678" in page and "张三丰" not in page and "13812345678" not in page


def test_a_bad_household_phone_is_refused_and_nothing_is_written(personas, running) -> None:
    key = str(uuid.uuid4())
    body = {
        "uuid": key,
        "place_code": GUANGHUI_VILLAGES[0],
        "started_at": an_hour_ago(),
        "household": {"name": "张三", "phone": "call me"},
    }
    response = api_client(personas.visitor).post(
        "/api/v1/visits", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422 and not Visit.objects.filter(uuid=key).exists()


def test_the_sample_shows_contacts_masked_to_everyone_who_sees_it(personas, check, visits) -> None:
    item = item_of(check, visits[0])
    body = api_client(personas.prefecture_supervisor).get(f"/api/v1/spot-checks/{check.pk}").json()
    row = next(i for i in body["items"] if i["id"] == item.pk)
    assert (row["household_name"], row["household_phone"]) == ("张**", "138****5678")
    for user in (personas.supervisor, personas.prefecture_supervisor):
        html = client_for(user).get(f"/campaigns/spot-checks/{check.pk}/").content.decode()
        assert "张**" in html and "欧阳**" in html and "张三丰" not in html and "13812345678" not in html
        assert ('data-testid="reveal-contact"' in html) == (user == personas.supervisor)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PERSONAL_DATA_REVEALED).exists()


def test_the_drawer_reveals_a_contact_and_the_reveal_is_audited(personas, check, visits) -> None:
    item = item_of(check, visits[1])
    response = api_client(personas.supervisor).post(CONTACT.format(check.pk, item.pk))
    assert response.status_code == 200 and response.json() == {"name": "欧阳娜娜", "phone": "13900001111"}
    event = AuditEvent.objects.get(action=AuditEvent.Action.PERSONAL_DATA_REVEALED)
    assert (event.actor, event.object_type, event.object_id) == (
        personas.supervisor,
        "campaigns.visit",
        str(visits[1].pk),
    )
    assert event.data == {"what": "household_contact", "spot_check": check.pk, "item": item.pk}


def test_the_page_reveals_one_contact_on_its_own_response(personas, check, visits) -> None:
    client = client_for(personas.supervisor)
    client.get(f"/campaigns/spot-checks/{check.pk}/")
    item = item_of(check, visits[0])
    response = client.post(
        f"/campaigns/spot-checks/{check.pk}/items/{item.pk}/contact/",
        {"csrfmiddlewaretoken": client.cookies["csrftoken"].value},
    )
    html = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert "张三丰" in html and "13812345678" in html and "欧阳娜娜" not in html
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PERSONAL_DATA_REVEALED).count() == 1
    assert "张三丰" not in client.get(f"/campaigns/spot-checks/{check.pk}/").content.decode()


@pytest.mark.parametrize("name", [n for n in PERSONA_NAMES if n != "supervisor"])
def test_everyone_but_the_drawer_gets_404_for_a_contact_and_nothing_is_audited(
    personas, check, visits, name
) -> None:
    item = item_of(check, visits[0])
    user = getattr(personas, name)
    assert api_client(user).post(CONTACT.format(check.pk, item.pk)).status_code == 404
    client = client_for(user)
    client.get("/")
    page = client.post(
        f"/campaigns/spot-checks/{check.pk}/items/{item.pk}/contact/",
        {"csrfmiddlewaretoken": client.cookies["csrftoken"].value} if "csrftoken" in client.cookies else {},
    )
    assert page.status_code in (403, 404) if "csrftoken" not in client.cookies else page.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PERSONAL_DATA_REVEALED).exists()


def test_a_visit_without_a_contact_and_a_missing_item_are_the_same_404(personas, check, visits) -> None:
    client = api_client(personas.supervisor)
    none = item_of(check, visits[3])
    assert client.post(CONTACT.format(check.pk, none.pk)).status_code == 404
    assert client.post(CONTACT.format(check.pk, 999_999)).status_code == 404
    assert client.post(CONTACT.format(999_999, none.pk)).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PERSONAL_DATA_REVEALED).exists()


def test_the_sample_pages_in_a_stable_order(personas, campaign, visits, check) -> None:
    for n in range(60):
        make_visit(personas.visitor, campaign, at=T0 + timedelta(days=1, minutes=n), tally=True)
    big = spot_check_draw(actor=personas.supervisor, campaign=campaign, unit=personas.duyun_police, size=55)
    client = client_for(personas.supervisor)
    first = client.get(f"/campaigns/spot-checks/{big.pk}/").content.decode()
    ids = [int(c.split('"')[0]) for c in first.split('data-item="')[1:]]
    nxt = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    second = client.get(f"/campaigns/spot-checks/{big.pk}/{nxt}").content.decode()
    ids += [int(c.split('"')[0]) for c in second.split('data-item="')[1:]]
    expected = list(big.items.order_by("visit__started_at", "id").values_list("id", flat=True))
    assert len(ids) == 55 and ids == expected
    assert 'data-testid="next-page"' not in second


def test_the_spot_check_export_holds_the_contact_masked(personas, check, visits) -> None:
    from tests.support import response_bytes, xlsx_rows

    table = xlsx_rows(
        response_bytes(
            client_for(personas.supervisor).get(f"/campaigns/spot-checks/{check.pk}/", {"export": "xlsx"})
        )
    )
    cells = {cell for row in table for cell in row}
    assert "张** 138****5678" in cells and "欧阳** 139****1111" in cells
    assert not any("张三丰" in c or "13812345678" in c for c in cells)


def test_tallies_sum_to_the_visits(personas, campaign, visits) -> None:
    from campaigns.models import VisitTally

    tallied = VisitTally.objects.filter(campaign=campaign).aggregate(v=Sum("visits"), h=Sum("households"))
    counted = Visit.objects.filter(campaign=campaign).aggregate(v=Count("id"), h=Sum("households_reached"))
    assert tallied == counted
    assert Visit.objects.filter(~Q(household_name="")).count() == 3


def test_the_admin_never_shows_a_household_contact(admin_client, visits) -> None:
    response = admin_client.get(f"/admin/campaigns/visit/{visits[0].pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200 and 'name="notes"' in html
    assert "张三丰" not in html and "13812345678" not in html and "household_phone" not in html
