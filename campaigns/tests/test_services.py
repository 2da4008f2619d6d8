"""Recording visits: idempotency by uuid, scope, problems becoming appeals, batches."""

import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from appeals.models import Appeal, AppealEvent, AppealSource, AppealStatus
from appeals.services import AppealDraft, Reporter
from campaigns.models import Campaign, Visit, VisitProblem
from campaigns.services import ProblemData, VisitData, visit_record, visits_record_batch
from core.errors import DomainError, Forbidden, InvalidInput

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2027, 1, 10, 12, 0, tzinfo=SHANGHAI)
VILLAGE = "522701001001"
OTHER_VILLAGE = "522701001002"
FUQUAN_VILLAGE = "522702001001"


def make_campaign(**overrides: object) -> Campaign:
    values: dict[str, object] = {
        "name": "冬春大走访",
        "starts": date(2027, 1, 1),
        "ends": date(2027, 3, 31),
        "phases": [{"name": "走访", "starts": "2027-01-01", "ends": "2027-02-28"}],
        "themes": ["labour.wage_arrears"],
    }
    values.update(overrides)
    return Campaign.objects.create(**values)


def visit_data(**overrides: object) -> VisitData:
    values: dict[str, object] = {
        "uuid": uuid.uuid4(),
        "started_at": NOW - timedelta(hours=2),
        "place_code": VILLAGE,
        "households_reached": 12,
        "people_met": 30,
        "notes": "走访广惠社区，了解欠薪情况。",
    }
    values.update(overrides)
    return VisitData(**values)  # type: ignore[arg-type]


def problem(**overrides: object) -> ProblemData:
    draft = AppealDraft(
        kind="request",
        source="visit",
        title="春节前讨要工资",
        description="在工地务工八个月，工资被拖欠。",
        region_code="",
        category_code="labour.wage_arrears",
        reporter=Reporter(name="张三", phone="13812345678"),
    )
    reply = str(overrides.pop("on_site_reply", ""))
    return ProblemData(draft=replace(draft, **overrides), on_site_reply=reply)  # type: ignore[arg-type]


def counts() -> tuple[int, int, int]:
    return Visit.objects.count(), Appeal.objects.count(), VisitProblem.objects.count()


@pytest.fixture
def campaign(personas) -> Campaign:
    return make_campaign()


def test_a_visit_with_two_problems_registers_two_linked_visit_appeals(personas, campaign) -> None:
    data = visit_data(
        problems=(
            problem(),
            problem(
                kind="dispute",
                category_code="land.boundary",
                on_site_reply="当场组织双方调解，双方已就地界达成一致并签字确认。",
            ),
        )
    )
    recorded = visit_record(actor=personas.visitor, data=data, now=NOW)
    assert recorded.created and recorded.visit.campaign == campaign
    appeals = Appeal.objects.filter(visit_link__visit=recorded.visit).order_by("id")
    assert [a.source for a in appeals] == [AppealSource.VISIT, AppealSource.VISIT]
    assert [a.region_id for a in appeals] == [VILLAGE, VILLAGE]
    assert [a.status for a in appeals] == [AppealStatus.REGISTERED, AppealStatus.RESOLVED]
    assert appeals[1].resolved_on_site
    assert AppealEvent.objects.filter(appeal__in=appeals, kind="registered").count() == 2
    assert set(recorded.secrets) == {a.pk for a in appeals}


def test_an_exact_repeat_answers_the_stored_visit_and_writes_nothing(personas, campaign) -> None:
    data = visit_data(problems=(problem(),))
    first = visit_record(actor=personas.visitor, data=data, now=NOW)
    before = counts()
    again = visit_record(actor=personas.visitor, data=data, now=NOW + timedelta(hours=1))
    assert not again.created and again.visit.pk == first.visit.pk
    assert counts() == before


def test_the_same_uuid_with_other_content_is_a_conflict(personas, campaign) -> None:
    data = visit_data()
    visit_record(actor=personas.visitor, data=data, now=NOW)
    before = counts()
    with pytest.raises(DomainError) as caught:
        visit_record(actor=personas.visitor, data=replace(data, people_met=31), now=NOW)
    assert caught.value.code == "uuid_conflict" and caught.value.status == 409
    assert counts() == before


def test_a_place_outside_scope_is_answered_like_an_unknown_place(personas, campaign) -> None:
    with pytest.raises(InvalidInput) as outside:
        visit_record(actor=personas.visitor, data=visit_data(place_code=FUQUAN_VILLAGE), now=NOW)
    with pytest.raises(InvalidInput) as unknown:
        visit_record(actor=personas.visitor, data=visit_data(place_code="522701999999"), now=NOW)
    assert outside.value.message == unknown.value.message
    assert outside.value.details == unknown.value.details
    assert counts() == (0, 0, 0)


def test_a_bad_problem_writes_neither_the_visit_nor_the_other_problems(personas, campaign) -> None:
    data = visit_data(problems=(problem(), problem(category_code="no.such")))
    with pytest.raises(InvalidInput) as caught:
        visit_record(actor=personas.visitor, data=data, now=NOW)
    assert "problems" in caught.value.details
    assert counts() == (0, 0, 0)


def test_a_visit_outside_the_campaign_period_is_refused(personas, campaign) -> None:
    late = visit_data(started_at=datetime(2027, 4, 3, 9, tzinfo=SHANGHAI))
    with pytest.raises(InvalidInput):
        visit_record(actor=personas.visitor, data=late, now=datetime(2027, 4, 3, 12, tzinfo=SHANGHAI))
    tolerated = visit_data(started_at=datetime(2026, 12, 31, 9, tzinfo=SHANGHAI))
    assert visit_record(actor=personas.visitor, data=tolerated, now=NOW).created


def test_an_inactive_campaign_takes_no_visits(personas, campaign) -> None:
    campaign.is_active = False
    campaign.save(update_fields=["is_active"])
    with pytest.raises(InvalidInput):
        visit_record(actor=personas.visitor, data=visit_data(campaign_id=campaign.pk), now=NOW)


def test_a_leader_may_not_record_visits(personas, campaign) -> None:
    with pytest.raises(Forbidden):
        visit_record(actor=personas.other_leader, data=visit_data(place_code=FUQUAN_VILLAGE), now=NOW)


def test_a_batch_stores_the_good_items_and_reports_the_bad_one(personas, campaign) -> None:
    items = [visit_data(), visit_data(place_code=FUQUAN_VILLAGE), visit_data(place_code=OTHER_VILLAGE)]
    results = visits_record_batch(actor=personas.visitor, visits=items, now=NOW)
    assert [r.status for r in results] == [201, 422, 201]
    assert [r.index for r in results] == [0, 1, 2]
    assert Visit.objects.count() == 2
    assert results[1].error is not None and results[1].error.code == "invalid_input"


def test_a_repeated_batch_is_all_repeats(personas, campaign) -> None:
    items = [visit_data(), visit_data(problems=(problem(),)), visit_data()]
    first = visits_record_batch(actor=personas.visitor, visits=items, now=NOW)
    before = counts()
    again = visits_record_batch(actor=personas.visitor, visits=items, now=NOW)
    assert [r.status for r in first] == [201, 201, 201]
    assert [r.status for r in again] == [200, 200, 200]
    assert [r.visit_id for r in again] == [r.visit_id for r in first]
    assert counts() == before


def test_a_uuid_twice_in_one_batch_is_one_visit_or_a_conflict(personas, campaign) -> None:
    data = visit_data()
    results = visits_record_batch(
        actor=personas.visitor, visits=[data, data, replace(data, notes="另一份记录")], now=NOW
    )
    assert [r.status for r in results] == [201, 200, 409]
    assert results[0].visit_id == results[1].visit_id
    assert Visit.objects.count() == 1


def test_a_batch_over_500_is_refused(personas, campaign) -> None:
    with pytest.raises(InvalidInput) as caught:
        visits_record_batch(actor=personas.visitor, visits=[visit_data() for _ in range(501)], now=NOW)
    assert caught.value.code == "batch_too_large"
    assert Visit.objects.count() == 0


def test_a_batch_without_problems_reads_and_writes_in_a_few_queries(
    personas, campaign, django_assert_max_num_queries
) -> None:
    items = [visit_data() for _ in range(50)]
    with django_assert_max_num_queries(12):
        results = visits_record_batch(actor=personas.visitor, visits=items, now=NOW)
    assert {r.status for r in results} == {201}
