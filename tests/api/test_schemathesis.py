"""Schemathesis over the whole OpenAPI (issue 12): every operation, as two personas, with every check.

0 server errors, 0 answers that differ from the declared schema, 0 undeclared statuses. The cases are generated
from the schema itself (its examples, then its coverage and fuzzing phases); `CASES_PER_OPERATION` bounds each
operation's share so that the module runs in CI on SQLite and PostgreSQL in about a minute each.
"""

import sys
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig

from org.services import token_issue
from tests.support import Personas

CASES_PER_OPERATION = 6
PERSONAS = ("dispatcher", "visitor")

# A schema-valid request may still break a rule that JSON Schema cannot say (an unknown category code, a cursor
# that does not decode, a period longer than three years, a day past 2100): the API answers those 422.
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]
            }
        }
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler(), config=CONFIG)
load_all_checks()
ALL_CHECKS = [check for check in CHECKS.get_all() if callable(check) and not isinstance(check, type)]
CASES: dict[str, int] = {}


@pytest.fixture(scope="module", autouse=True)
def _count_cases() -> Iterator[None]:
    """Prints how many cases ran (this process's share under xdist), past pytest's capture."""
    yield
    print(f"\nschemathesis: {sum(CASES.values())} cases over {len(CASES)} operations", file=sys.__stderr__)


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Requests go through the WSGI handler, which closes the database connection after each one; the test's
    transaction lives on it (Django's test client turns this off the same way)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=PERSONAS)
def bearer(request: Any, personas: Personas) -> Iterator[dict[str, str]]:
    user = getattr(personas, request.param)
    yield {"Authorization": f"Bearer {token_issue(user=user).key}"}


@schema.parametrize()
@settings(
    max_examples=CASES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_the_api_answers_as_its_schema_says(case: Any, bearer: dict[str, str]) -> None:
    CASES[case.operation.label] = CASES.get(case.operation.label, 0) + 1
    case.call_and_validate(headers=bearer, checks=ALL_CHECKS)
