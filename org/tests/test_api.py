"""Every org and geo endpoint against every persona: allowed in scope, out of scope answered like missing."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from core.models import AuditEvent
from org.models import ApiToken
from org.tests.factories import PASSWORD
from tests.support import PERSONA_NAMES, client_for

PERSONAS = PERSONA_NAMES
DUYUN_PERSONAS = {"visitor", "handler", "unit_head", "dispatcher", "supervisor"}
FUQUAN_PERSONAS = {"other_handler", "other_leader"}
PREFECTURE_PERSONAS = {"prefecture_supervisor", "admin"}


def token_client(username: str) -> Client:
    response = Client().post(
        "/api/v1/auth/token", {"username": username, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return Client(headers={"authorization": f"Bearer {response.json()['token']}"})


@pytest.mark.parametrize("name", PERSONAS)
def test_me_tells_the_user_their_roles_units_and_scope(personas, name: str) -> None:
    user = personas.all()[name]
    body = client_for(user).get("/api/v1/me").json()
    assert body["username"] == user.username
    assert body["full_name"] == user.full_name
    assert body["roles"] == [m.role for m in user.memberships.all()]
    assert [m["unit_id"] for m in body["memberships"]] == [m.unit_id for m in user.memberships.all()]
    expected_prefix = {
        **{n: "522701" for n in DUYUN_PERSONAS},
        **{n: "522702" for n in FUQUAN_PERSONAS},
        **{n: "5227" for n in PREFECTURE_PERSONAS},
        "township_handler": "522701001",
    }[name]
    assert body["scope"]["region_prefixes"] == [expected_prefix]


@pytest.mark.parametrize("name", PERSONAS)
def test_units_list_holds_exactly_the_units_in_scope(personas, name: str) -> None:
    user = personas.all()[name]
    names = {u["name"] for u in client_for(user).get("/api/v1/units").json()["items"]}
    duyun = {"都匀市委政法委", "都匀市人力资源和社会保障局", "都匀市公安局", "广惠街道办事处"}
    fuquan = {"福泉市委政法委", "福泉市人力资源和社会保障局"}
    if name in DUYUN_PERSONAS:
        assert names == duyun
    elif name in FUQUAN_PERSONAS:
        assert names == fuquan
    elif name in PREFECTURE_PERSONAS:
        assert names == duyun | fuquan | {"黔南州委政法委"}
    else:
        assert names == {"广惠街道办事处"}


@pytest.mark.parametrize("name", PERSONAS)
def test_unit_detail_out_of_scope_is_answered_exactly_like_missing(personas, name: str) -> None:
    user = personas.all()[name]
    client = client_for(user)
    missing = client.get("/api/v1/units/987654321")
    assert missing.status_code == 404
    for unit in [personas.duyun_hr, personas.fuquan_hr, personas.prefecture_plc, personas.guanghui]:
        response = client.get(f"/api/v1/units/{unit.pk}")
        in_scope = unit.pk in {u.pk for u in _visible_units(user)}
        if in_scope:
            assert response.status_code == 200
            assert response.json()["name"] == unit.name
        else:
            assert (response.status_code, response.json()) == (404, missing.json())


def _visible_units(user):
    from org.permissions import units_visible_to

    return list(units_visible_to(user))


@pytest.mark.parametrize("name", PERSONAS)
def test_region_detail_out_of_scope_is_answered_exactly_like_missing(personas, name: str) -> None:
    client = client_for(personas.all()[name])
    missing = client.get("/api/v1/regions/522799999000")
    assert missing.status_code == 404
    duyun_village = client.get("/api/v1/regions/522701001001")
    fuquan_county = client.get("/api/v1/regions/522702000000")
    sees_duyun = name in DUYUN_PERSONAS | PREFECTURE_PERSONAS | {"township_handler"}
    sees_fuquan = name in FUQUAN_PERSONAS | PREFECTURE_PERSONAS
    assert duyun_village.status_code == (200 if sees_duyun else 404)
    assert fuquan_county.status_code == (200 if sees_fuquan else 404)
    for response in (duyun_village, fuquan_county):
        if response.status_code == 404:
            assert response.json() == missing.json()


def test_regions_list_filters_by_parent_and_level_within_scope(personas) -> None:
    client = client_for(personas.handler)
    townships = client.get("/api/v1/regions", {"parent": "522701000000", "limit": "200"}).json()
    assert len(townships["items"]) == 10
    assert all(r["level"] == 4 and r["parent_code"] == "522701000000" for r in townships["items"])
    assert townships["items"][0] == {
        "code": "522701001000",
        "name": "广惠街道",
        "level": 4,
        "level_name": "乡镇",
        "parent_code": "522701000000",
    }
    # Fuquan's townships exist, but are not this user's.
    assert client.get("/api/v1/regions", {"parent": "522702000000"}).json()["items"] == []


def test_regions_list_pages_with_a_cursor_without_gaps_or_repeats(personas) -> None:
    client = client_for(personas.handler)
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 37, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/regions", params).json()
        seen += [r["code"] for r in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    from org.permissions import regions_visible_to

    assert seen == list(regions_visible_to(personas.handler).order_by("code").values_list("code", flat=True))
    assert len(seen) == len(set(seen)) > 37 * 2


def test_units_filters(personas) -> None:
    client = client_for(personas.prefecture_supervisor)
    hr = client.get("/api/v1/units", {"kind": "human_resources"}).json()["items"]
    assert {u["name"] for u in hr} == {"都匀市人力资源和社会保障局", "福泉市人力资源和社会保障局"}
    assert hr[0]["kind_name"] == "人力资源和社会保障局"
    fuquan = client.get("/api/v1/units", {"region": "522702"}).json()["items"]
    assert {u["region_code"] for u in fuquan} == {"522702000000"}


@pytest.mark.parametrize(
    "params",
    [{"kind": "no_such_kind"}, {"limit": 0}, {"limit": 1000}, {"region": "52x"}, {"cursor": "!!!"}],
)
def test_bad_list_parameters_are_422_with_details(personas, params) -> None:
    response = client_for(personas.handler).get("/api/v1/units", params)
    assert response.status_code == 422
    assert response.json()["error"]["code"] in {"invalid_input", "invalid_cursor"}


def test_every_endpoint_refuses_anonymous_requests(db) -> None:
    client = Client()
    for path in [
        "/api/v1/me",
        "/api/v1/units",
        "/api/v1/units/1",
        "/api/v1/regions",
        "/api/v1/regions/522700000000",
    ]:
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.json()["error"]["code"] == "unauthenticated"


def test_token_issue_use_and_revoke(personas) -> None:
    client = token_client("handler")
    assert client.get("/api/v1/me").json()["username"] == "handler"
    assert client.delete("/api/v1/auth/token").status_code == 204
    assert client.get("/api/v1/me").status_code == 401
    actions = list(
        AuditEvent.objects.filter(username="handler").order_by("id").values_list("action", flat=True)
    )
    assert actions == ["token_issued", "token_revoked"]


def test_token_is_stored_only_as_a_hash(personas) -> None:
    response = Client().post(
        "/api/v1/auth/token", {"username": "handler", "password": PASSWORD}, content_type="application/json"
    )
    key = response.json()["token"]
    token = ApiToken.objects.get()
    assert key not in (token.key_hash, token.prefix) and key.startswith(token.prefix)


def test_expired_token_and_deactivated_user_are_refused(personas) -> None:
    client = token_client("handler")
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/me").status_code == 401
    client = token_client("dispatcher")
    personas.dispatcher.is_active = False
    personas.dispatcher.save(update_fields=["is_active"])
    assert client.get("/api/v1/me").status_code == 401


def test_wrong_password_is_401_and_audited(personas) -> None:
    response = Client().post(
        "/api/v1/auth/token", {"username": "handler", "password": "nope"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert AuditEvent.objects.filter(action="login_failed", username="handler").count() == 1
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "body", [{}, {"username": "handler"}, {"username": "", "password": "x"}, {"username": 5}]
)
def test_malformed_token_request_is_422(db, body) -> None:
    response = Client().post("/api/v1/auth/token", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["error"]["details"]


def test_session_api_writes_need_the_csrf_token(personas) -> None:
    client = client_for(personas.handler)
    response = client.delete("/api/v1/auth/token")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"


def test_revoke_without_a_token_is_refused(personas) -> None:
    client = Client()
    client.force_login(personas.handler)
    response = client.delete("/api/v1/auth/token")
    assert (response.status_code, response.json()["error"]["code"]) == (409, "no_token")
