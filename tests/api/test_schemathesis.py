"""Schemathesis over the whole OpenAPI (issue 12): every operation, as two personas, with every check.

0 server errors, 0 answers that differ from the declared schema, 0 undeclared statuses. The dispatcher, who may
do the most, meets every phase: the schema's examples, the coverage phase (boundary and negative values of each
parameter, methods a path does not have) and fuzzing. The visitor, who may do the least, meets the examples and
fuzzing: the coverage phase's cases do not depend on who sends them, and it is most of the module's time.
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

from org.models import User
from org.services import token_issue
from tests.support import Personas

FUZZED_PER_OPERATION = 6


def _schema(*, coverage: bool) -> Any:
    # A schema-valid request may still break a rule that JSON Schema cannot say (an unknown category code, a
    # cursor that does not decode, a period longer than three years, a day past 2100): the API answers 422.
    config = SchemathesisConfig.from_dict(
        {
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]
                }
            },
            "phases": {"coverage": {"enabled": coverage}},
        }
    )
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler(), config=config)


every_phase = _schema(coverage=True)
examples_and_fuzzing = _schema(coverage=False)
load_all_checks()
ALL_CHECKS = [check for check in CHECKS.get_all() if callable(check) and not isinstance(check, type)]
CASES: dict[str, int] = {}
FUZZING = settings(
    max_examples=FUZZED_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


@pytest.fixture(scope="module", autouse=True)
def _count_cases() -> Iterator[None]:
    """Prints how many cases ran (this process's share under xdist); visible with -s."""
    yield
    print(f"\nschemathesis: {sum(CASES.values())} cases over {len(CASES)} tests", file=sys.__stderr__)


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Requests go through the WSGI handler, which closes the database connection after each one; the test's
    transaction lives on it (Django's test client turns this off the same way)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _bearer(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_issue(user=user).key}"}


@pytest.fixture
def dispatcher(personas: Personas) -> dict[str, str]:
    return _bearer(personas.dispatcher)


@pytest.fixture
def visitor(personas: Personas) -> dict[str, str]:
    return _bearer(personas.visitor)


def _call(case: Any, headers: dict[str, str], persona: str) -> None:
    key = f"{persona} {case.operation.label}"
    CASES[key] = CASES.get(key, 0) + 1
    case.call_and_validate(headers=headers, checks=ALL_CHECKS)


@every_phase.parametrize()
@FUZZING
def test_the_api_answers_a_dispatcher_as_its_schema_says(case: Any, dispatcher: dict[str, str]) -> None:
    _call(case, dispatcher, "dispatcher")


@examples_and_fuzzing.parametrize()
@FUZZING
def test_the_api_answers_a_visitor_as_its_schema_says(case: Any, visitor: dict[str, str]) -> None:
    _call(case, visitor, "visitor")
