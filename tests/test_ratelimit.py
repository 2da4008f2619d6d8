"""Keep it shut: per-token and per-address rate limits on the API and on sign-in, 429 with Retry-After."""

import json

import pytest
from django.core.cache import cache
from django.test import Client

from core.ratelimit import WINDOW_S, rate_hit
from org.services import token_issue
from org.tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def _limits(settings) -> None:
    settings.RATE_LIMIT_ENABLED = True
    settings.API_RATE_PER_TOKEN = 3
    settings.API_RATE_PER_IP = 5
    settings.LOGIN_RATE_PER_IP = 2
    cache.clear()


def test_a_token_over_its_limit_gets_429_in_the_error_shape_with_retry_after(personas) -> None:
    client = Client(headers={"authorization": f"Bearer {token_issue(user=personas.handler).key}"})
    statuses = [client.get("/api/v1/me", REMOTE_ADDR="10.0.0.1").status_code for _ in range(3)]
    refused = client.get("/api/v1/me", REMOTE_ADDR="10.0.0.2")
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    body = refused.json()["error"]
    assert body["code"] == "rate_limited"
    assert body["details"]["scope"] == "token"
    assert 1 <= int(refused["Retry-After"]) <= WINDOW_S
    assert body["details"]["retry_after"] == int(refused["Retry-After"])
    # Another token of another user is not held back.
    other = Client(headers={"authorization": f"Bearer {token_issue(user=personas.visitor).key}"})
    assert other.get("/api/v1/me", REMOTE_ADDR="10.0.0.3").status_code == 200


def test_an_address_over_its_limit_gets_429_whatever_the_token(personas) -> None:
    tokens = [token_issue(user=personas.handler).key for _ in range(3)]
    answers = [
        Client(headers={"authorization": f"Bearer {tokens[i % 3]}"}).get("/api/v1/me", REMOTE_ADDR="10.0.0.9")
        for i in range(6)
    ]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert answers[-1].json()["error"]["details"]["scope"] == "ip"
    assert Client().get("/api/v1/me", REMOTE_ADDR="10.0.0.10").status_code == 401


def test_sign_in_attempts_are_limited_per_address_on_the_api_and_the_page(personas) -> None:
    def api_login() -> int:
        body = json.dumps({"username": "handler", "password": "wrong-password"})
        return (
            Client()
            .post("/api/v1/auth/token", body, content_type="application/json", REMOTE_ADDR="10.1.1.1")
            .status_code
        )

    assert [api_login(), api_login()] == [401, 401]
    refused = Client().post(
        "/api/v1/auth/token",
        json.dumps({"username": "handler", "password": PASSWORD}),
        content_type="application/json",
        REMOTE_ADDR="10.1.1.1",
    )
    assert refused.status_code == 429 and refused.json()["error"]["details"]["scope"] == "login"
    page = Client().post("/accounts/login/", {"username": "x", "password": "y"}, REMOTE_ADDR="10.1.1.1")
    assert page.status_code == 429
    assert "Retry-After" in page
    assert "登录尝试过于频繁" in page.content.decode()
    # The sign-in page itself still opens, and another address may sign in.
    assert Client().get("/accounts/login/", REMOTE_ADDR="10.1.1.1").status_code == 200
    assert (
        Client()
        .post(
            "/api/v1/auth/token",
            json.dumps({"username": "handler", "password": PASSWORD}),
            content_type="application/json",
            REMOTE_ADDR="10.1.1.2",
        )
        .status_code
        == 201
    )


def test_a_window_ends_and_the_count_starts_again(db) -> None:
    start = 1_000_000 * WINDOW_S
    assert rate_hit("k", limit=1, now=start) is None
    assert rate_hit("k", limit=1, now=start + 10) == WINDOW_S - 10
    assert rate_hit("k", limit=1, now=start + WINDOW_S) is None


def test_the_limit_is_declared_on_every_operation(client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "429" in operation["responses"], (method, path)
