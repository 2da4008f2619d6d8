"""What a probe of the running API found open (issue 12), each kept shut: the login counted whatever the body,
bodies over the limit or unparseable answered in the error shape, no 500 on bad input, 401 for a bad token,
days in a sane range, every answer under /api/v1/ JSON and declared, paging through a list audited."""

import json
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from appeals.models import Appeal
from appeals.tests.factories import register
from campaigns.models import Campaign, Visit
from config.api import api
from core.models import AuditEvent
from org.models import ApiToken
from org.services import token_issue, token_revoke
from tests.support import Personas, api_client

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token"
PASSWORD = "correct horse battery staple"


def error_code(response: Any, status: int) -> str:
    """The answer is JSON in the one error shape, with this status; returns its code."""
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    return str(body["error"]["code"])


def post_json(client: Client, path: str, body: Any, method: str = "post") -> Any:
    return getattr(client, method)(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def login_user(personas: Personas) -> Any:
    user = personas.handler
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def probe(username: str, password: str) -> Any:
    """The probe of issue 12: a JSON body declared as multipart/form-data without a boundary."""
    body = json.dumps({"username": username, "password": password})
    return Client().post(TOKEN, body, content_type="multipart/form-data")


# --- 1: the token endpoint counts and audits every failed login --------------------------------------------


def test_wrong_passwords_under_a_multipart_type_without_boundary_are_counted_audited_and_locked_out(
    login_user: Any,
) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    codes = [
        error_code(probe(login_user.username, "wrong"), 401 if i < limit - 1 else 429) for i in range(limit)
    ]
    assert codes == ["invalid_credentials"] * (limit - 1) + ["locked_out"]
    failed = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED, username=login_user.username)
    assert failed.count() == limit
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOCKED_OUT).exists()
    # The right password does not get a token now, by the probe or by a plain JSON body.
    assert error_code(probe(login_user.username, PASSWORD), 429) == "locked_out"
    plain = post_json(Client(), TOKEN, {"username": login_user.username, "password": PASSWORD})
    assert error_code(plain, 429) == "locked_out"
    assert not ApiToken.objects.filter(user=login_user).exists()


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"garbage"),
        ("multipart/form-data; boundary=xyz", b"--xyz\r\nContent-Disposition: garbage\r\n\r\n\xff\xfe"),
        ("application/json", b'{"username": "handler", "password": '),
    ],
    ids=["no-boundary", "garbage-multipart", "truncated-json"],
)
def test_a_login_body_that_cannot_be_parsed_is_400_and_gives_no_token(
    login_user: Any, content_type: str, body: bytes
) -> None:
    response = Client().post(TOKEN, body, content_type=content_type)
    assert error_code(response, 400) == "malformed_request"
    assert not ApiToken.objects.exists()


# --- 8: a successful API login resets the failure count ------------------------------------------------------


def test_a_successful_api_login_resets_the_failure_count(login_user: Any) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        error_code(post_json(Client(), TOKEN, {"username": login_user.username, "password": "wrong"}), 401)
    ok = post_json(Client(), TOKEN, {"username": login_user.username, "password": PASSWORD})
    assert ok.status_code == 201
    for _ in range(limit - 1):
        again = post_json(Client(), TOKEN, {"username": login_user.username, "password": "wrong"})
        assert error_code(again, 401) == "invalid_credentials"


# --- 3: bodies over the limit ------------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_413_in_the_error_shape_and_nothing_is_written(personas: Personas) -> None:
    client = api_client(personas.dispatcher)
    before = Appeal.objects.count()
    big = {"title": "欠薪", "description": "很长" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 4)}
    assert error_code(post_json(client, "/api/v1/appeals", big), 413) == "body_too_large"
    assert Appeal.objects.count() == before


def test_a_full_batch_of_500_visits_with_2000_character_notes_fits(personas: Personas) -> None:
    Campaign.objects.create(name="冬春大走访", starts=date(2027, 1, 1), ends=date(2027, 3, 31))
    notes = ("走访了解欠薪情况，" * 250)[:2000]
    visits = [
        {
            "uuid": str(uuid.uuid4()),
            "place_code": "522701001001",
            "started_at": "2027-01-10T09:30:00+08:00",
            "notes": notes,
            "suggestions": notes,
        }
        for _ in range(500)
    ]
    body = json.dumps({"visits": visits}, ensure_ascii=False)
    assert len(body.encode()) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # about 6 MB
    with time_machine.travel(timezone.make_aware(datetime(2027, 1, 11, 9)), tick=False):
        response = api_client(personas.visitor).post(
            "/api/v1/visits/batch", body, content_type="application/json"
        )
    assert response.status_code == 200, response.content[:300]
    assert Visit.objects.count() == 500


def test_a_batch_over_its_own_limit_is_413(personas: Personas) -> None:
    body = b'{"visits": [' + b" " * settings.API_BODY_LIMITS[0][1] + b"]}"
    response = api_client(personas.visitor).post(
        "/api/v1/visits/batch", body, content_type="application/json"
    )
    assert error_code(response, 413) == "body_too_large"


# --- 6: no 500 on bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b'{"kind": "request", "title": "\\ud800", "description": "x"}'),
        ("application/json", b'{"kind": NaN}'),
        ("application/json", b"\xff\xfe not json"),
        ("multipart/form-data", b"--"),
        ("multipart/form-data; boundary=b", b"--b\r\ngarbage\r\n--b--"),
        ("application/x-www-form-urlencoded", "&".join(f"f{i}=1" for i in range(1001)).encode()),
        ("application/x-www-form-urlencoded; charset=latin-1", b"title=x"),
    ],
    ids=["lone-surrogate", "nan", "bytes", "no-boundary", "garbage-multipart", "1001-fields", "latin-1-form"],
)
def test_a_body_that_cannot_be_taken_is_400_and_nothing_is_written(
    personas: Personas, content_type: str, body: bytes
) -> None:
    response = api_client(personas.dispatcher).post("/api/v1/appeals", body, content_type=content_type)
    assert error_code(response, 400) == "malformed_request"
    assert not Appeal.objects.exists()


def test_a_weight_that_is_not_a_finite_number_is_refused(personas: Personas) -> None:
    client = api_client(personas.admin)
    raw = b'{"league": "county", "weights": {"solved_rate": NaN}}'
    assert error_code(client.put("/api/v1/rankings/weights", raw, content_type="application/json"), 400)
    as_text = {"league": "county", "weights": {"solved_rate": "NaN"}}
    assert error_code(post_json(client, "/api/v1/rankings/weights", as_text, method="put"), 422)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/rankings?league=county&from=9999-12-01",
        "/api/v1/metrics/summary?from=9999-12-01",
        "/api/v1/dashboard?from=9999-12-01",
        "/api/v1/reports/decision?from=9999-12-01",
        "/api/v1/appeals?to=0",
        "/api/v1/visits?to=0",
        "/api/v1/visits?from=9999-12-31T00:00:00%2B08:00",
        "/api/v1/oversight/interviews?from=0001-01-01",
    ],
)
def test_a_day_out_of_range_or_a_number_in_a_query_is_422(personas: Personas, path: str) -> None:
    response = api_client(personas.prefecture_supervisor).get(path)
    assert error_code(response, 422) == "invalid_input"
    assert "2000-01-01" in json.dumps(response.json(), ensure_ascii=False)


# --- 9: days in bodies ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("due", ["0001-01-01", "9999-12-31", 0, 1767225600])
def test_a_rectification_due_out_of_range_or_given_as_a_number_is_422(personas: Personas, due: Any) -> None:
    body = {"unit": personas.duyun_hr.pk, "source": "inspection", "problem": "问题", "due": due}
    response = post_json(api_client(personas.supervisor), "/api/v1/oversight/rectifications", body)
    assert error_code(response, 422) == "invalid_input"
    assert response.json()["error"]["details"][0]["loc"][-1] == "due"


def test_an_interview_held_in_9999_is_422(personas: Personas) -> None:
    body = {
        "unit": personas.duyun_hr.pk,
        "held_on": "9999-12-30",
        "place": "会议室",
        "interviewers": "杨督查",
        "interviewee": "赵局长",
        "commitments": [],
        "follow_up_due": "9999-12-31",
        "reasons": [],
    }
    response = post_json(api_client(personas.supervisor), "/api/v1/oversight/interviews", body)
    assert error_code(response, 422) == "invalid_input"
    assert {"held_on", "follow_up_due"} <= {d["loc"][-1] for d in response.json()["error"]["details"]}


def test_a_notice_for_a_period_in_9999_is_422(personas: Personas) -> None:
    body = {"from": "9999-12-01", "to": "9999-12-31", "region": "522701000000"}
    response = post_json(api_client(personas.supervisor), "/api/v1/notices", body)
    assert error_code(response, 422) == "invalid_input"


# --- 7: a write with a bad token is 401 -------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["missing", "unknown", "revoked", "expired"])
def test_a_write_without_a_live_token_is_401_not_a_csrf_refusal(personas: Personas, token: str) -> None:
    headers: dict[str, str] = {}
    if token == "unknown":
        headers["authorization"] = "Bearer zf_no-such-token"
    elif token in ("revoked", "expired"):
        issued = token_issue(user=personas.dispatcher)
        headers["authorization"] = f"Bearer {issued.key}"
        if token == "revoked":
            token_revoke(token=issued.token, actor=personas.dispatcher)
        else:
            ApiToken.objects.filter(pk=issued.token.pk).update(
                expires_at=timezone.now() - timedelta(seconds=1)
            )
    client = Client(enforce_csrf_checks=True, headers=headers)
    response = post_json(client, "/api/v1/appeals", {"kind": "request"})
    assert error_code(response, 401) == "unauthenticated"
    assert error_code(client.delete(TOKEN), 401) == "unauthenticated"


def test_a_browser_session_still_needs_its_csrf_token(personas: Personas) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.dispatcher)
    assert error_code(post_json(client, "/api/v1/appeals", {"kind": "request"}), 403) == "csrf_failed"


# --- 11: every answer under /api/v1/ is JSON and declared -----------------------------------------------------


def test_an_unmatched_post_is_a_json_404_not_the_csrf_page(personas: Personas) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.dispatcher)
    assert error_code(post_json(client, "/api/v1/no-such-thing", {}), 404) == "not_found"


def test_a_method_a_path_does_not_have_is_a_json_405_with_allow(personas: Personas) -> None:
    response = post_json(api_client(personas.visitor), "/api/v1/visits/0/photos", {})
    assert error_code(response, 405) == "method_not_allowed"
    assert response["Allow"] == "GET"


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    paths = api.get_openapi_schema(path_params={})["paths"]
    return [(method, path, op) for path, ops in paths.items() for method, op in ops.items()]


def test_every_operation_declares_400_401_413_and_422_in_the_error_shape() -> None:
    for method, path, op in _operations():
        for status in (400, 401, 413, 422):
            assert status in op["responses"], (method, path, status)
            content = op["responses"][status]["content"]["application/json"]["schema"]
            assert content == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)


def test_every_request_body_has_an_example() -> None:
    bodies = [(m, p, op["requestBody"]) for m, p, op in _operations() if "requestBody" in op]
    assert len(bodies) > 40
    for method, path, body in bodies:
        for media in body["content"].values():
            assert "example" in media or "examples" in media, (method, path)


def test_an_unparseable_json_body_is_the_declared_400(personas: Personas) -> None:
    appeal = register(personas.dispatcher)
    response = api_client(personas.dispatcher).post(
        f"/api/v1/appeals/{appeal.pk}/note", b'{"version": 1,', content_type="application/json"
    )
    assert error_code(response, 400) == "malformed_request"


# --- 12: paging through a list is audited as an export --------------------------------------------------------


def test_paging_through_the_appeals_is_audited_page_by_page_after_the_first(personas: Personas) -> None:
    for _ in range(3):
        register(personas.dispatcher)
    client = api_client(personas.dispatcher)
    exported = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED)
    first = client.get("/api/v1/appeals?limit=1&status=registered").json()
    assert not exported.exists()
    cursor, pages = first["next_cursor"], 1
    while cursor:
        page = client.get("/api/v1/appeals", {"limit": 1, "status": "registered", "cursor": cursor}).json()
        cursor, pages = page["next_cursor"], pages + 1
    assert pages == 3
    rows = list(exported.order_by("id"))
    assert len(rows) == 2
    assert rows[0].actor == personas.dispatcher
    assert rows[0].data == {
        "via": "api_page",
        "list": "appeals",
        "query": "limit=1&status=registered",
        "rows": 1,
    }


def test_no_two_schemas_share_a_name_in_the_document() -> None:
    """ninja names a component by its class: two classes of one name would document one body as the other."""
    from ninja import Schema

    names: dict[str, type] = {}

    def walk(cls: type) -> None:
        for sub in cls.__subclasses__():
            if sub.__module__.split(".")[0] in {
                "core",
                "org",
                "appeals",
                "campaigns",
                "insights",
                "oversight",
            }:
                other = names.setdefault(sub.__name__, sub)
                assert other is sub, (
                    f"{sub.__module__}.{sub.__name__} and {other.__module__}.{other.__name__}"
                )
            walk(sub)

    walk(Schema)


# --- 9: days typed in the pages keep the same range ---------------------------------------------------------


@pytest.mark.parametrize("due", ["0001-01-01", "9999-12-31"])
def test_a_rectification_due_out_of_range_is_refused_beside_the_field_in_the_page(
    personas: Personas, due: str
) -> None:
    from oversight.models import Rectification
    from tests.support import client_for

    client = client_for(personas.supervisor)
    form = client.get("/oversight/rectifications/new/").content.decode()
    assert 'min="2000-01-01"' in form and 'max="2100-12-31"' in form
    body = {"unit": personas.duyun_hr.pk, "source": "inspection", "problem": "欠薪问题反复", "due": due}
    response = client.post(
        "/oversight/rectifications/new/", {**body, "csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    )
    assert response.status_code == 400
    assert "日期应在2000-01-01至2100-12-31之间" in response.content.decode()
    assert not Rectification.objects.exists()
