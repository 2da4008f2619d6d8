from datetime import timedelta

import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from org.tests.factories import PASSWORD


def fail_login(client: Client, username: str, times: int) -> None:
    for _ in range(times):
        client.post(reverse("org:login"), {"username": username, "password": "wrong-password"})


def test_repeated_failures_lock_the_account_even_with_the_right_password(personas) -> None:
    client = Client()
    fail_login(client, "handler", settings.AXES_FAILURE_LIMIT)
    response = client.post(reverse("org:login"), {"username": "handler", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="locked_out", username="handler").exists()


def test_lockout_also_refuses_api_tokens(personas) -> None:
    fail_login(Client(), "handler", settings.AXES_FAILURE_LIMIT)
    response = Client().post(
        "/api/v1/auth/token", {"username": "handler", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"


def test_lockout_is_per_account_not_per_office(personas) -> None:
    fail_login(Client(), "handler", settings.AXES_FAILURE_LIMIT)
    client = Client()
    response = client.post(reverse("org:login"), {"username": "dispatcher", "password": PASSWORD})
    assert response.status_code == 302


def test_lockout_ends_after_the_cool_off(personas) -> None:
    fail_login(Client(), "handler", settings.AXES_FAILURE_LIMIT)
    later = timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    with time_machine.travel(later):
        response = Client().post(reverse("org:login"), {"username": "handler", "password": PASSWORD})
    assert response.status_code == 302


def test_fewer_failures_than_the_limit_do_not_lock(personas) -> None:
    client = Client()
    fail_login(client, "handler", settings.AXES_FAILURE_LIMIT - 1)
    assert client.post(reverse("org:login"), {"username": "handler", "password": PASSWORD}).status_code == 302


def test_an_idle_session_is_signed_out(personas) -> None:
    client = Client()
    client.post(reverse("org:login"), {"username": "handler", "password": PASSWORD})
    assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)):
        response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("org:login"))


def test_login_form_requires_csrf(personas) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("org:login"), {"username": "handler", "password": PASSWORD})
    assert response.status_code == 403
