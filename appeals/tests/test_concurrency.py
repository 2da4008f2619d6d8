"""Concurrent conflicting transitions on PostgreSQL: exactly one wins, the loser gets 409, the timeline stays whole."""

from collections.abc import Callable

import pytest
from django.db import connection

from appeals.models import Appeal, AppealEvent, AppealStatus
from appeals.services import appeal_accept, appeal_assign, appeal_return
from appeals.tests.factories import assigned, register
from core.errors import DomainError
from tests.support import race

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks"),
    pytest.mark.django_db(transaction=True),
]


def accept(personas, appeal: Appeal) -> Callable[[], object]:
    return lambda: appeal_accept(appeal=appeal, actor=personas.handler, expected_version=2)


def send_back(personas, appeal: Appeal) -> Callable[[], object]:
    return lambda: appeal_return(
        appeal=appeal, actor=personas.unit_head, expected_version=2, reason="非本单位职责"
    )


def test_accept_and_return_at_once_one_wins(personas) -> None:
    for _ in range(5):
        appeal = assigned(personas)
        results = race(accept(personas, appeal), send_back(personas, appeal))
        errors = [r for r in results if isinstance(r, DomainError)]
        assert len(errors) == 1 and errors[0].code == "stale_version" and errors[0].status == 409
        appeal.refresh_from_db()
        assert appeal.version == 3
        kinds = list(appeal.events.order_by("id").values_list("kind", flat=True))
        assert kinds[:2] == ["registered", "assigned"] and len(kinds) == 3
        assert appeal.status == (
            AppealStatus.IN_PROGRESS if kinds[2] == "accepted" else AppealStatus.REGISTERED
        )


def test_two_dispatchers_assigning_at_once_make_one_assignment(personas) -> None:
    appeal = register(personas.dispatcher)

    def assign_to(unit_id: int) -> Callable[[], object]:
        return lambda: appeal_assign(
            appeal=appeal, actor=personas.dispatcher, expected_version=1, lead_unit_id=unit_id
        )

    results = race(*[assign_to(u.pk) for u in (personas.duyun_hr, personas.duyun_police, personas.guanghui)])
    assert sum(isinstance(r, Appeal) for r in results) == 1
    assert AppealEvent.objects.filter(appeal=appeal, kind="assigned").count() == 1
    appeal.refresh_from_db()
    assert appeal.tasks.count() == 1 and appeal.tasks.get().unit_id == appeal.lead_unit_id


def test_concurrent_registrations_get_distinct_codes(personas) -> None:
    results = race(*[lambda: register(personas.dispatcher) for _ in range(8)])
    codes = [r.code for r in results if isinstance(r, Appeal)]
    assert len(codes) == 8 and len(set(codes)) == 8
