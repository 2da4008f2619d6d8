"""The counters: an incremental refresh ends where a full rebuild does, folds nothing twice, and the visitors'
tallies kept by the visit service equal the ones rebuilt from the visits."""

from typing import Any

from django.db import models

from appeals.models import Appeal, AppealStatus
from campaigns.models import VisitTally
from insights.models import (
    AppealDay,
    AreaDay,
    CategoryDay,
    CategoryMonth,
    DisputeDay,
    DisputeSpan,
    UnitDay,
    VisitDay,
)
from insights.selectors.counters import counters_refreshed_at
from insights.services import counters_refresh
from insights.tests.factories import (
    accept,
    assign,
    callback,
    campaign,
    handled,
    march,
    registered,
    reopen,
    resolve,
    visit,
)

TABLES: tuple[type[models.Model], ...] = (
    AreaDay,
    UnitDay,
    DisputeSpan,
    DisputeDay,
    AppealDay,
    CategoryDay,
    CategoryMonth,
    VisitDay,
    VisitTally,
)


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    result = {}
    for model in TABLES:
        names = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        rows = [tuple(row) for row in model._default_manager.values_list(*names)]
        result[model.__name__] = sorted((r for r in rows if any(v for v in r[1:])), key=repr)
    return result


def test_refreshing_step_by_step_ends_where_a_full_rebuild_does(personas) -> None:
    p = personas
    spring = campaign()
    first = handled(p, march(3), resolved_at=march(3, 15))
    dispute = registered(p.dispatcher, march(4), kind="dispute", category_code="land.boundary")
    visit(p.visitor, march(4), place="522701001001", households=12)
    counters_refresh()
    assign(p.dispatcher, dispute, march(4, 11), unit=p.duyun_hr)
    accept(p.handler, dispute, march(4, 11, 30))
    callback(p.dispatcher, first, march(5), solved=False, satisfaction="unsatisfied")
    counters_refresh()
    resolve(p.handler, dispute, march(6))
    reopen(p.dispatcher, first, march(7))
    visit(p.visitor, march(8), place="522701001002", households=3)
    result = counters_refresh()
    assert result.events > 0 and result.visits == 1
    assert spring.pk
    stepwise = snapshot()
    assert (
        stepwise["DisputeSpan"] and stepwise["DisputeDay"] and stepwise["AreaDay"] and stepwise["VisitTally"]
    )
    counters_refresh(full=True)
    assert snapshot() == stepwise


def test_a_second_refresh_with_nothing_new_adds_nothing(personas) -> None:
    p = personas
    handled(p, march(3), resolved_at=march(3, 15))
    counters_refresh()
    before = snapshot()
    again = counters_refresh()
    assert (again.events, again.visits) == (0, 0)
    assert snapshot() == before
    assert counters_refreshed_at() is not None


def test_the_visit_service_keeps_the_tallies_that_a_rebuild_would_make(personas) -> None:
    p = personas
    campaign()
    visit(p.visitor, march(3), place="522701001001", households=12)
    visit(p.visitor, march(4), place="522701001001", households=5)
    kept = sorted(VisitTally.objects.values_list("region_id", "visits", "households"))
    assert kept == [("522701001001", 2, 17)]
    counters_refresh(full=True)
    assert sorted(VisitTally.objects.values_list("region_id", "visits", "households")) == kept


def test_a_reply_awaiting_approval_is_counted_under_its_own_status(personas) -> None:
    """The longest status (awaiting_approval) fits the counters' column: PostgreSQL refused it at 16 characters
    and the whole rebuild, and with it seed_demo, failed."""
    appeal = registered(personas.dispatcher, march(3))
    Appeal.objects.filter(pk=appeal.pk).update(status=AppealStatus.AWAITING_APPROVAL)
    counters_refresh(full=True)
    assert list(AppealDay.objects.values_list("status", "appeals")) == [(AppealStatus.AWAITING_APPROVAL, 1)]
