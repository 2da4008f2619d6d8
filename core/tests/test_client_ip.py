"""The client's address that the audit trail and the rate limits (API, portal) count: the peer's, or behind a
trusted proxy the last X-Forwarded-For address."""

from django.test import RequestFactory, override_settings

from core.audit import client_ip


def test_the_peer_address_counts_and_a_forwarded_header_is_ignored_by_default() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "10.0.0.5"


@override_settings(TRUST_FORWARDED_FOR=True)
def test_behind_a_trusted_proxy_the_last_forwarded_address_counts() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="9.9.9.9, 1.2.3.4")
    assert client_ip(request) == "1.2.3.4"
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="10.0.0.5")) == "10.0.0.5"
