"""Fixtures shared by every app's tests: the region tree, the personas of DESIGN §1, API clients (tests/support.py)."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings

from appeals.tests.factories import ensure_reference
from geo.tests.factories import ensure_qiannan
from tests.support import Personas, client_for, make_personas


def pytest_configure(config: Any) -> None:
    # Tests render templates without running collectstatic first.
    settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    # Flushing a test database must get past the audit table's append-only trigger (core/migrations/0003).
    from django.core.management.commands import flush

    from core.db import audit_maintenance

    original = flush.Command.handle

    def handle(self: Any, *args: Any, **options: Any) -> Any:
        with audit_maintenance():
            return original(self, *args, **options)

    flush.Command.handle = handle  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _immediate_jobs() -> Iterator[None]:
    """Jobs run in-process during tests, except where a test builds its own queue."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield
    HUEY.immediate = False


@pytest.fixture(autouse=True)
def _no_rate_limits(settings: Any) -> None:
    """Tests make many requests from one address in a minute; tests/test_ratelimit.py turns limits on."""
    settings.RATE_LIMIT_ENABLED = False


@pytest.fixture(autouse=True)
def _plain_segmenter() -> Iterator[None]:
    """Segment without the database's dictionary unless a test gives its own (text.chinese.reset_terms)."""
    from text.chinese import reset_terms

    reset_terms(())
    yield
    reset_terms()


@pytest.fixture
def qiannan(db: None) -> None:
    """The reference data the migrations load (regions, calendar, categories, policies, routing rules).

    A transactional test flushes them away; this puts them back for the tests after it.
    """
    ensure_qiannan()
    ensure_reference()


@pytest.fixture
def personas(qiannan: None) -> Personas:
    return make_personas()


@pytest.fixture
def as_user() -> Any:
    return client_for
