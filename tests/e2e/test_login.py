"""A cadre signs in with a real browser and lands on the Chinese home page of their role."""

import pytest

from org.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")


def test_dispatcher_signs_in_and_sees_a_chinese_home_page(page, live_server, personas) -> None:
    sign_in(page, live_server, "dispatcher")
    page.wait_for_selector("[data-role=dispatcher]")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "刘调度" in page.inner_text("[data-testid=user-name]")
    body = page.inner_text("body")
    assert "都匀市委政法委" in body
    assert "调度员" in page.inner_text("[data-role=dispatcher] h2")


def test_wrong_password_shows_a_chinese_error_and_stays_on_login(page, live_server, personas) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "handler")
    page.fill("#id_password", "wrong-password")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("[role=alert]")
    assert "/accounts/login/" in page.url
    assert "用户名" in page.inner_text("[role=alert]")


def test_switching_to_english_and_signing_out(page, live_server, personas) -> None:
    sign_in(page, live_server, "handler")
    page.wait_for_selector("[data-role=handler]")
    page.click("button[name=language][value=en]")
    page.wait_for_selector("html[lang=en]")
    assert "Sign out" in page.inner_text("header")
    page.click("text=Sign out")
    page.wait_for_url("**/accounts/login/**")
