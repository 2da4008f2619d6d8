"""Similar appeals (duplicates): POST /api/v1/appeals/similar before saving, GET /api/v1/appeals/{id}/similar at
triage, the text keys the services keep, and the merge from the appeal page."""

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from appeals.models import Appeal, AppealStatus, AppealTextKey
from appeals.permissions import REGISTER_ROLES
from appeals.tests.factories import fresh, register
from org.models import Role
from org.permissions import user_scope
from org.tests.factories import make_member
from tests.support import PERSONA_NAMES, api_client, client_for

VILLAGE = "522701001001"  # 广惠社区, 都匀市
OTHER_VILLAGE = "522701001002"  # 大西门社区, 都匀市
FUQUAN_VILLAGE = "522702001001"

ORIGINAL = (
    "剑江中路沿河步道路灯不亮",
    "剑江中路沿河步道从百子桥到西山大桥一段的路灯已经坏了一个多月，晚上散步的老人小孩很多，"
    "黑灯瞎火容易摔倒，请尽快修复。",
)
PARAPHRASE = (
    "河边步道一到晚上就黑漆漆的",
    "百子桥往西山大桥方向的沿河步道，路灯一个多月都不亮了，每天晚上锻炼的人多，看不清路，"
    "已经有老人绊倒，希望城管部门修一下。",
)
OTHER_PROBLEM = (
    "广惠社区农贸市场活禽摊位脏乱差",
    "农贸市场西门的活禽摊位鸡毛粪便遍地，污水直接流进下水道，臭味很重，请市场监管和卫生部门整治。",
)


def lights(actor: Any, *, region_code: str = VILLAGE, text: tuple[str, str] = ORIGINAL, **kw: Any) -> Appeal:
    return register(
        actor, title=text[0], description=text[1], region_code=region_code, category_code="urban.roads", **kw
    )


def ask(user: Any, title: str, description: str, region_code: str = VILLAGE) -> Any:
    return api_client(user).post(
        "/api/v1/appeals/similar",
        {"title": title, "description": description, "region_code": region_code},
        content_type="application/json",
    )


@pytest.fixture(autouse=True)
def _categories(qiannan: None) -> None:
    from appeals.models import Category

    Category.objects.get_or_create(code="urban.roads", defaults={"name": "道路照明"})


def test_registration_writes_the_text_keys(personas) -> None:
    appeal = lights(personas.dispatcher)
    assert AppealTextKey.objects.filter(appeal=appeal).count() > 10


def test_a_paraphrase_before_saving_finds_the_registered_appeal(personas) -> None:
    original = lights(personas.dispatcher)
    lights(personas.dispatcher, text=OTHER_PROBLEM)
    response = ask(personas.dispatcher, *PARAPHRASE)
    assert response.status_code == 200, response.content.decode()
    items = response.json()["items"]
    assert [item["id"] for item in items] == [original.pk]
    assert set(items[0]) == {"id", "code", "title", "status", "score"}
    assert items[0]["code"] == original.code and items[0]["status"] == "registered"
    assert 0 < items[0]["score"] <= 1


def test_the_same_text_in_another_county_is_not_offered(personas) -> None:
    dispatcher = make_member(username="pref_dispatcher", unit=personas.prefecture_plc, role=Role.DISPATCHER)
    register(
        dispatcher,
        title=ORIGINAL[0],
        description=ORIGINAL[1],
        region_code=FUQUAN_VILLAGE,
        category_code="urban.roads",
    )
    assert ask(dispatcher, *ORIGINAL).json()["items"] == []
    assert ask(dispatcher, *ORIGINAL, region_code=FUQUAN_VILLAGE).json()["items"] != []


def test_appeals_out_of_the_users_scope_are_not_offered(personas) -> None:
    lights(personas.dispatcher)
    response = ask(personas.other_handler, *ORIGINAL, region_code=FUQUAN_VILLAGE)
    assert response.json()["items"] == []


def test_merged_and_long_closed_appeals_are_not_offered(personas) -> None:
    target = lights(personas.dispatcher)
    merged = lights(personas.dispatcher, text=PARAPHRASE)
    Appeal.objects.filter(pk=merged.pk).update(status=AppealStatus.MERGED, duplicate_of=target)
    old = lights(personas.dispatcher, at=timezone.now() - timedelta(days=400))
    ids = [item["id"] for item in ask(personas.dispatcher, *ORIGINAL).json()["items"]]
    assert target.pk in ids and merged.pk not in ids and old.pk not in ids


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "", "description": ORIGINAL[1], "region_code": VILLAGE}, "title"),
        ({"title": ORIGINAL[0], "description": ORIGINAL[1], "region_code": "5227"}, "region_code"),
        ({"title": ORIGINAL[0], "description": ORIGINAL[1], "region_code": FUQUAN_VILLAGE}, "region_code"),
        ({"title": ORIGINAL[0], "description": ORIGINAL[1], "region_code": "522700000000"}, "region_code"),
    ],
)
def test_a_bad_lookup_is_refused_and_writes_nothing(personas, payload: dict[str, str], field: str) -> None:
    before = (Appeal.objects.count(), AppealTextKey.objects.count())
    response = api_client(personas.dispatcher).post(
        "/api/v1/appeals/similar", payload, content_type="application/json"
    )
    assert response.status_code == 422, response.content.decode()
    error = response.json()["error"]
    assert field in str(error.get("details"))
    assert (Appeal.objects.count(), AppealTextKey.objects.count()) == before


def test_a_leader_may_not_ask_before_registering(personas) -> None:
    assert ask(personas.other_leader, *ORIGINAL, region_code=FUQUAN_VILLAGE).status_code == 403


def test_triage_lists_the_similar_appeals_but_not_itself(personas) -> None:
    original = lights(personas.dispatcher)
    repeat = lights(personas.visitor, text=PARAPHRASE, region_code=OTHER_VILLAGE)
    response = api_client(personas.dispatcher).get(f"/api/v1/appeals/{repeat.pk}/similar")
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [original.pk]


@pytest.mark.parametrize("who", ["other_handler", "other_leader"])
def test_triage_of_an_appeal_out_of_scope_is_not_found(personas, who: str) -> None:
    appeal = lights(personas.dispatcher)
    response = api_client(getattr(personas, who)).get(f"/api/v1/appeals/{appeal.pk}/similar")
    assert response.status_code == 404
    missing = api_client(personas.dispatcher).get("/api/v1/appeals/987654321/similar")
    assert missing.status_code == 404


def test_merging_a_found_duplicate_and_a_stale_merge(personas) -> None:
    original = lights(personas.dispatcher)
    repeat = lights(personas.dispatcher, text=PARAPHRASE)
    client = api_client(personas.dispatcher)
    found = client.get(f"/api/v1/appeals/{repeat.pk}/similar").json()["items"]
    stale = client.post(
        f"/api/v1/appeals/{repeat.pk}/merge",
        {"version": repeat.version + 1, "into": found[0]["id"]},
        content_type="application/json",
    )
    assert stale.status_code == 409
    merged = client.post(
        f"/api/v1/appeals/{repeat.pk}/merge",
        {"version": repeat.version, "into": found[0]["id"]},
        content_type="application/json",
    )
    assert merged.status_code == 200, merged.content.decode()
    assert fresh(repeat).duplicate_of_id == original.pk
    assert client.get(f"/api/v1/appeals/{original.pk}/similar").json()["items"] == []


def test_the_appeal_page_offers_a_one_click_merge(personas) -> None:
    original = lights(personas.dispatcher)
    repeat = lights(personas.dispatcher, text=PARAPHRASE)
    browser = client_for(personas.dispatcher)
    page = browser.get(f"/appeals/{repeat.pk}/").content.decode()
    assert 'data-testid="similar"' in page and original.code in page
    assert f'name="into" value="{original.code}"' in page
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        f"/appeals/{repeat.pk}/merge/",
        {"version": repeat.version, "into": original.code, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert fresh(repeat).status == AppealStatus.MERGED


def test_the_registration_form_asks_for_similar_appeals(personas) -> None:
    page = client_for(personas.dispatcher).get("/appeals/new/").content.decode()
    assert 'data-similar-url="/api/v1/appeals/similar"' in page


def test_index_similar_gives_keys_to_appeals_written_without_them(personas) -> None:
    appeal = lights(personas.dispatcher)
    AppealTextKey.objects.all().delete()
    out = StringIO()
    call_command("index_similar", stdout=out)
    assert '"indexed": 1' in out.getvalue()
    assert AppealTextKey.objects.filter(appeal=appeal).exists()
    call_command("index_similar", stdout=(again := StringIO()))
    assert '"indexed": 0' in again.getvalue()


@pytest.mark.parametrize("who", PERSONA_NAMES)
def test_triage_lookup_answers_every_persona_as_the_appeal_itself(personas, who: str) -> None:
    """Those who see the appeal get its similar ones; for the others it does not exist (404)."""
    appeal = lights(personas.dispatcher)
    client = api_client(getattr(personas, who))
    expected = client.get(f"/api/v1/appeals/{appeal.pk}").status_code
    assert expected in (200, 404)
    assert client.get(f"/api/v1/appeals/{appeal.pk}/similar").status_code == expected


@pytest.mark.parametrize("who", PERSONA_NAMES)
def test_lookup_before_saving_answers_every_persona(personas, who: str) -> None:
    """Registering roles get an answer in their area; others are refused, and nothing is written."""
    user = getattr(personas, who)
    before = AppealTextKey.objects.count()
    status = ask(user, *ORIGINAL).status_code
    registers = bool(set(user_scope(user).roles) & set(REGISTER_ROLES))
    covers = user_scope(user).covers(VILLAGE, *user_scope(user).roles)
    assert status == (200 if registers and covers else 422 if registers else 403)
    assert AppealTextKey.objects.count() == before
