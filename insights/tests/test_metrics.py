"""Each metric of DESIGN §6 on hand-built histories written through the real services, with the edges."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from appeals.models import AppealEvent
from campaigns.models import Metric, Target
from campaigns.selectors import campaign_progress
from core.errors import InvalidInput
from core.period import period_between
from geo.models import Region
from insights.models import DisputeDay, DisputeSpan
from insights.selectors import RATE_KEYS, MetricsSummary, metrics_summary
from insights.services import counters_refresh
from insights.tests.factories import (
    FUQUAN_VILLAGE,
    GUANGHUI_VILLAGE,
    WENFENG_VILLAGE,
    accept,
    assign,
    callback,
    campaign,
    extend,
    give_back,
    handled,
    march,
    merge,
    moment,
    registered,
    reopen,
    resolve,
    resolve_on_site,
    visit,
)
from org.models import Role
from org.tests.factories import make_member

MARCH = period_between(starts=date(2025, 3, 1), ends=date(2025, 4, 1))


def summary(user, period=MARCH, **filters) -> MetricsSummary:
    counters_refresh()
    return metrics_summary(user=user, period=period, **filters)


def counts(user, *keys: str, period=MARCH, **filters) -> tuple[int, ...]:
    result = summary(user, period, **filters)
    return tuple(result.counts[key] for key in keys)


# --- the period -------------------------------------------------------------------------------------------


def test_a_period_is_at_least_a_day_and_at_most_three_years() -> None:
    for starts, ends in [
        (date(2025, 3, 1), date(2025, 3, 1)),
        (date(2025, 3, 2), date(2025, 3, 1)),
        (date(2024, 2, 29), date(2027, 3, 2)),
    ]:
        with pytest.raises(InvalidInput) as error:
            period_between(starts=starts, ends=ends)
        assert "to" in error.value.details
    assert period_between(starts=date(2024, 2, 29), ends=date(2027, 3, 1)).ends == date(2027, 3, 1)
    assert str(MARCH.start_at) == "2025-03-01 00:00:00+08:00"


def test_events_at_the_first_instant_count_and_at_the_end_instant_do_not(personas) -> None:
    p = personas
    for when in (moment(2, 28, 23, 59), moment(3, 1, 0, 0), moment(3, 31, 23, 59), moment(4, 1, 0, 0)):
        assign(p.dispatcher, registered(p.dispatcher, when), when, unit=p.duyun_hr)
    assert counts(p.dispatcher, "assigned") == (2,)
    april = period_between(starts=date(2025, 4, 1), ends=date(2025, 5, 1))
    assert counts(p.dispatcher, "assigned", period=april) == (1,)


def test_with_no_events_every_rate_is_null_not_zero(personas) -> None:
    result = summary(personas.dispatcher)
    assert all(result.rates[key] is None for key in RATE_KEYS if key != "visit_coverage")
    # The villages exist, none visited: coverage is a true zero.
    assert result.rates["visit_coverage"] == 0 and result.counts["villages"] > 0


# --- acceptance and returns -----------------------------------------------------------------------------------


def test_on_time_acceptance_counts_each_assignment_once_by_its_own_sign_deadline(personas) -> None:
    p = personas
    police = make_member(username="police_handler", unit=p.duyun_police, role=Role.HANDLER)
    on_time = registered(p.dispatcher, march(3, 9))
    assign(p.dispatcher, on_time, march(3), unit=p.duyun_hr)  # act now: sign within 2 hours
    accept(p.handler, on_time, march(3, 11))
    late = registered(p.dispatcher, march(4, 9))
    assign(p.dispatcher, late, march(4), unit=p.duyun_hr)
    accept(p.handler, late, march(4, 13))
    # Returned, then assigned again to the same unit, which now accepts in time: the first assignment was
    # not accepted, the second was.
    returned = registered(p.dispatcher, march(5, 9))
    assign(p.dispatcher, returned, march(5), unit=p.duyun_hr)
    give_back(p.handler, returned, march(5, 10, 30))
    assign(p.dispatcher, returned, march(5, 11), unit=p.duyun_hr)
    accept(p.handler, returned, march(5, 11, 30))
    # Only the co-unit signs: the lead unit's assignment is not accepted.
    co_only = registered(p.dispatcher, march(6, 9))
    assign(p.dispatcher, co_only, march(6), unit=p.duyun_hr, co=[p.duyun_police.pk])
    accept(police, co_only, march(6, 10, 30))

    result = summary(p.dispatcher)
    assert (result.counts["assigned"], result.counts["accepted_on_time"]) == (5, 2)
    assert result.rates["on_time_acceptance_rate"] == pytest.approx(2 / 5)
    assert (result.counts["returned"], result.rates["return_rate"]) == (1, pytest.approx(1 / 5))


def test_a_co_units_return_is_not_a_return_of_the_item(personas) -> None:
    p = personas
    police = make_member(username="police_handler", unit=p.duyun_police, role=Role.HANDLER)
    appeal = registered(p.dispatcher, march(3, 9))
    assign(p.dispatcher, appeal, march(3), unit=p.duyun_hr, co=[p.duyun_police.pk])
    give_back(police, appeal, march(3, 10, 30))
    assert counts(p.dispatcher, "assigned", "returned") == (1, 0)
    assert AppealEvent.objects.filter(kind="returned").count() == 1


# --- resolution ---------------------------------------------------------------------------------------------


def test_an_approved_extension_makes_a_later_resolution_on_time_and_on_site_ones_do_not_count(
    personas,
) -> None:
    p = personas
    # 求助: resolve within 10 working days (17 March), extension up to 5; 3 approved → 20 March.
    extended = registered(p.dispatcher, march(3), category_code="labour.contract")
    assign(p.dispatcher, extended, march(3), unit=p.duyun_hr)
    accept(p.handler, extended, march(3, 10, 30))
    extended = extend(p.handler, p.unit_head, extended, march(10), days=3)
    assert extended.resolve_due == moment(3, 20, 23, 59).replace(second=59)
    resolve(p.handler, extended, march(19))
    handled(p, march(3), resolved_at=march(5))  # act now: due 4 March, resolved a day late
    resolve_on_site(p.dispatcher, registered(p.dispatcher, march(6)), march(6))

    result = summary(p.dispatcher)
    assert (result.counts["resolved"], result.counts["resolved_on_time"]) == (2, 1)
    assert result.counts["resolved_on_site"] == 1
    assert result.rates["on_time_resolution_rate"] == pytest.approx(1 / 2)


# --- callbacks and reopening --------------------------------------------------------------------------------


def test_callbacks_give_solved_and_satisfaction_and_a_reopening_counts_against_resolutions(personas) -> None:
    p = personas
    solved = handled(p, march(3), resolved_at=march(3, 15))
    callback(p.dispatcher, solved, march(4), solved=True, satisfaction="satisfied")
    unsatisfied = handled(p, march(3), resolved_at=march(3, 16))
    callback(p.dispatcher, unsatisfied, march(4), solved=False, satisfaction="unsatisfied")
    reopen(p.dispatcher, unsatisfied, march(5))
    basically = handled(p, march(3), resolved_at=march(3, 17))
    callback(p.supervisor, basically, march(4), solved=True, satisfaction="basically_satisfied")
    handled(p, march(3), resolved_at=march(3, 18))  # not called back yet
    resolve_on_site(p.dispatcher, registered(p.dispatcher, march(6)), march(6))

    result = summary(p.dispatcher)
    c = result.counts
    assert (c["callbacks"], c["callbacks_solved"], c["callbacks_rated"], c["callbacks_satisfied"]) == (
        3,
        2,
        3,
        2,
    )
    assert result.rates["solved_rate"] == pytest.approx(2 / 3)
    assert result.rates["satisfaction_rate"] == pytest.approx(2 / 3)
    assert (c["reopened"], c["resolved"], c["resolved_on_site"]) == (1, 4, 1)
    assert result.rates["reopen_rate"] == pytest.approx(1 / 5)


def test_resolutions_without_callbacks_leave_the_callback_rates_null(personas) -> None:
    p = personas
    handled(p, march(3), resolved_at=march(3, 15))
    result = summary(p.dispatcher)
    assert result.counts["callbacks"] == 0
    assert result.rates["solved_rate"] is None and result.rates["satisfaction_rate"] is None
    assert result.rates["reopen_rate"] == 0


# --- disputes -------------------------------------------------------------------------------------------------


def test_dispute_resolution_counts_disputes_registered_in_the_period_as_they_stand_at_its_end(
    personas,
) -> None:
    p = personas
    dispute = {"kind": "dispute", "category_code": "land.boundary"}

    def dispute_handled(when, resolved_at):
        appeal = registered(p.dispatcher, when, **dispute)
        assign(p.dispatcher, appeal, when, unit=p.guanghui)
        accept(p.township_handler, appeal, when.replace(minute=20))
        return resolve(p.township_handler, appeal, resolved_at)

    resolved = dispute_handled(march(3), march(5))
    resolve_on_site(p.dispatcher, registered(p.dispatcher, march(3), **dispute), march(3, 11))
    merge(p.dispatcher, registered(p.dispatcher, march(3), **dispute), resolved, march(4))  # left out
    reopened = dispute_handled(march(4), march(5))
    callback(p.dispatcher, reopened, march(6), solved=False, satisfaction="unsatisfied")
    reopen(p.dispatcher, reopened, march(7))  # not resolved at the end of March
    again = dispute_handled(march(4), march(5))
    callback(p.dispatcher, again, march(6), solved=False, satisfaction="unsatisfied")
    reopen(p.dispatcher, again, march(7))
    accept(p.township_handler, again, march(7, 11))
    resolve(p.township_handler, again, march(12))  # resolved again: counts
    registered(p.dispatcher, march(10), **dispute)  # still open
    dispute_handled(march(20), moment(4, 2))  # resolved after the period
    dispute_handled(moment(2, 20), march(2))  # registered before the period
    handled(p, march(3), resolved_at=march(4))  # not a dispute

    result = summary(p.dispatcher)
    assert (result.counts["disputes"], result.counts["disputes_resolved"]) == (6, 3)
    assert result.rates["dispute_resolution_rate"] == pytest.approx(3 / 6)
    longer = period_between(starts=date(2025, 3, 1), ends=date(2025, 4, 10))
    assert counts(p.dispatcher, "disputes", "disputes_resolved", period=longer) == (6, 4)


def test_a_dispute_resolved_twice_without_a_reopening_between_counts_once(personas) -> None:
    """The workflow resolves only an active item, but an imported history may hold a second resolution; the
    dispute is still one dispute, resolved once, and a reopening after the period does not undo March's answer."""
    p = personas
    appeal = registered(p.dispatcher, march(3), kind="dispute", category_code="land.boundary")
    resolve_on_site(p.dispatcher, appeal, march(3, 11))
    AppealEvent.objects.create(appeal=appeal, kind=AppealEvent.Kind.RESOLVED, at=march(9), data={})
    AppealEvent.objects.create(appeal=appeal, kind=AppealEvent.Kind.REOPENED, at=moment(4, 3), data={})

    assert counts(p.dispatcher, "disputes", "disputes_resolved") == (1, 1)
    april = period_between(starts=date(2025, 3, 1), ends=date(2025, 4, 10))
    assert counts(p.dispatcher, "disputes", "disputes_resolved", period=april) == (1, 0)
    assert DisputeSpan.objects.filter(appeal=appeal).count() == 2  # the registration and one span


def test_a_period_running_to_today_counts_disputes_as_they_stand_now(personas) -> None:
    """Such a period reads DisputeDay, not the spans: the same answers, with a merge, a reopening, a resolution
    today and the refresh between the steps."""
    p = personas
    now = timezone.localtime()
    today = now.date()

    def ago(days: int, hours: int = 0) -> datetime:
        return now - timedelta(days=days, hours=hours)

    dispute = {"kind": "dispute", "category_code": "land.boundary"}
    resolved = registered(p.dispatcher, ago(5), **dispute)
    resolve_on_site(p.dispatcher, resolved, ago(4))
    reopened = registered(p.dispatcher, ago(5), **dispute)
    assign(p.dispatcher, reopened, ago(5), unit=p.guanghui)
    accept(p.township_handler, reopened, ago(4, 23))
    resolve(p.township_handler, reopened, ago(4))
    counters_refresh()
    callback(p.dispatcher, reopened, ago(3), solved=False, satisfaction="unsatisfied")
    reopen(p.dispatcher, reopened, ago(2))
    merge(p.dispatcher, registered(p.dispatcher, ago(3), **dispute), resolved, ago(2))  # left out
    still_open = registered(p.dispatcher, ago(2), **dispute)
    registered(p.dispatcher, ago(40), **dispute)  # before the period
    counters_refresh()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    earlier_today = registered(p.dispatcher, midnight + (now - midnight) / 3, **dispute)
    resolve_on_site(p.dispatcher, earlier_today, midnight + (now - midnight) * 2 / 3)

    week = period_between(starts=today - timedelta(days=6), ends=today + timedelta(days=1))
    assert counts(p.dispatcher, "disputes", "disputes_resolved", period=week) == (4, 2)
    assert DisputeDay.objects.filter(day__gte=week.starts).count() >= 3
    assert counts(p.supervisor, "disputes", "disputes_resolved", period=week) == (4, 2)
    assert counts(p.other_leader, "disputes", "disputes_resolved", period=week) == (0, 0)
    # The same disputes a day earlier, through the spans: today's resolution is not there yet.
    until_yesterday = period_between(starts=today - timedelta(days=6), ends=today)
    assert counts(p.dispatcher, "disputes", "disputes_resolved", period=until_yesterday) == (3, 1)
    assert still_open.pk


# --- scope and filters ----------------------------------------------------------------------------------------


@pytest.fixture
def three_units(personas):
    """Two appeals in 广惠街道 and 文峰街道 for 都匀市人社局 and one in 文峰街道 for 广惠街道办事处, all called back;
    one dispute registered in 福泉市."""
    p = personas
    in_guanghui = handled(p, march(3), resolved_at=march(3, 15), region_code=GUANGHUI_VILLAGE)
    in_wenfeng = handled(p, march(3), resolved_at=march(3, 15), region_code=WENFENG_VILLAGE)
    for_township = registered(p.dispatcher, march(3), region_code=WENFENG_VILLAGE)
    assign(p.dispatcher, for_township, march(3), unit=p.guanghui)
    accept(p.township_handler, for_township, march(3, 10, 30))
    resolve(p.township_handler, for_township, march(3, 15))
    callback(p.dispatcher, in_guanghui, march(4), solved=True, satisfaction="satisfied")
    callback(p.dispatcher, in_wenfeng, march(4), solved=False, satisfaction="basically_satisfied")
    callback(p.dispatcher, for_township, march(4), solved=True, satisfaction="unsatisfied")
    registered(p.admin, march(3), region_code=FUQUAN_VILLAGE, kind="dispute", category_code="land.boundary")
    return p


KEYS = ("assigned", "resolved", "callbacks", "callbacks_solved", "disputes")


def test_each_person_counts_what_they_may_see(three_units) -> None:
    p = three_units
    for person in (p.dispatcher, p.supervisor):
        assert counts(person, *KEYS) == (3, 3, 3, 2, 0)
    for person in (p.prefecture_supervisor, p.admin):
        assert counts(person, *KEYS) == (3, 3, 3, 2, 1)
    # A leader of another county sees none of 都匀市's counts, only 福泉市's dispute.
    assert counts(p.other_leader, *KEYS) == (0, 0, 0, 0, 1)
    # Functional departments (条) count no area's figures (DESIGN §4): their numbers are their unit's.
    for person in (p.handler, p.visitor, p.other_handler):
        assert counts(person, *KEYS) == (0, 0, 0, 0, 0)
    assert counts(p.handler, *KEYS, unit=p.duyun_hr)[:3] == (2, 2, 2)  # the third went to 广惠街道
    # 广惠街道: the appeal in its area. The one its office was assigned in 文峰街道 lies outside its regions: it
    # counts in the office's own numbers (the unit filter), not in the area's.
    assert counts(p.township_handler, *KEYS) == (1, 1, 1, 1, 0)
    assert counts(p.township_handler, *KEYS, unit=p.guanghui) == (1, 1, 1, 1, 0)


def test_the_region_filter_keeps_appeals_in_the_subtree(three_units) -> None:
    p = three_units
    wenfeng = Region.objects.get(pk="522701002000")
    assert counts(p.dispatcher, *KEYS, region=wenfeng) == (2, 2, 2, 1, 0)
    # 文峰街道 lies outside the township handler's scope: nothing of it counts for them.
    assert counts(p.township_handler, *KEYS, region=wenfeng) == (0, 0, 0, 0, 0)


def test_a_village_region_or_a_region_with_a_unit_is_refused(three_units) -> None:
    p = three_units
    village = Region.objects.get(pk=WENFENG_VILLAGE)
    with pytest.raises(InvalidInput):
        summary(p.dispatcher, region=village)
    with pytest.raises(InvalidInput):
        summary(p.dispatcher, region=Region.objects.get(pk="522701002000"), unit=p.guanghui)


def test_the_unit_filter_keeps_the_events_attributed_to_the_unit(three_units) -> None:
    p = three_units
    # Callbacks are nobody's doing: they count for the appeal's lead unit.
    assert counts(p.dispatcher, *KEYS, unit=p.guanghui) == (1, 1, 1, 1, 0)
    assert counts(p.dispatcher, *KEYS, unit=p.duyun_hr) == (2, 2, 2, 1, 0)
    assert counts(p.dispatcher, *KEYS, unit=p.duyun_police) == (0, 0, 0, 0, 0)
    result = summary(p.dispatcher, unit=p.duyun_hr)
    assert result.rates["solved_rate"] == pytest.approx(1 / 2)
    assert result.rates["satisfaction_rate"] == 1


# --- visits and targets -------------------------------------------------------------------------------------


@pytest.fixture
def visits(personas):
    """广惠街道 has 13 villages and communities: two visited in March, one only in February."""
    p = personas
    spring = campaign()
    campaign(name="冬季大走访", starts=date(2025, 1, 1), ends=date(2025, 2, 27))
    visit(p.visitor, march(3), place="522701001001", households=12)
    visit(p.visitor, march(4), place="522701001001", households=12)
    visit(p.visitor, march(31, 23, 59), place="522701001002", households=5)
    visit(p.visitor, moment(2, 26), place="522701001003", households=7)
    return spring


def test_visit_coverage_counts_villages_with_a_visit_started_in_the_period(personas, visits) -> None:
    p = personas
    guanghui = Region.objects.get(pk="522701001000")
    assert counts(p.dispatcher, "villages", "villages_visited", region=guanghui) == (13, 2)
    assert summary(p.dispatcher, region=guanghui).rates["visit_coverage"] == pytest.approx(2 / 13)
    assert counts(p.dispatcher, "villages", "villages_visited", unit=p.guanghui) == (13, 2)
    duyun_villages = Region.objects.filter(level=5, code__startswith="522701").count()
    assert counts(p.dispatcher, "villages", "villages_visited") == (duyun_villages, 2)
    assert counts(p.other_leader, "villages_visited") == (0,)
    february = period_between(starts=date(2025, 2, 1), ends=date(2025, 3, 1))
    assert counts(p.dispatcher, "villages_visited", period=february, region=guanghui) == (1,)


def test_target_completion_is_the_mean_capped_share_of_the_running_campaigns_targets(
    personas, visits
) -> None:
    p = personas
    winter = visits.__class__.objects.get(name="冬季大走访")
    Target.objects.create(campaign=visits, unit=p.duyun_police, metric=Metric.HOUSEHOLDS, quantity=20)
    Target.objects.create(campaign=visits, unit=p.duyun_police, metric=Metric.VILLAGES, quantity=4)
    Target.objects.create(campaign=visits, unit=p.fuquan_hr, metric=Metric.HOUSEHOLDS, quantity=10)
    Target.objects.create(campaign=winter, unit=p.duyun_police, metric=Metric.HOUSEHOLDS, quantity=1000)

    progress = {
        (u.unit_id, u.metric): u.achieved for u in campaign_progress(campaign=visits, user=p.dispatcher).units
    }
    # The spring campaign's visits: 29 households (capped: 1), 2 villages of 4 (February's visit was the winter one).
    assert progress[(p.duyun_police.pk, "households")] == 29
    assert progress[(p.duyun_police.pk, "villages")] == 2
    result = summary(p.dispatcher)
    assert (result.counts["targets"], result.counts["targets_met"]) == (2, 1)
    assert result.rates["target_completion"] == pytest.approx((1 + 2 / 4) / 2)
    assert summary(p.dispatcher, unit=p.duyun_hr).rates["target_completion"] is None
    assert counts(p.prefecture_supervisor, "targets", "targets_met") == (3, 1)
    other = summary(p.other_leader)
    assert (other.counts["targets"], other.rates["target_completion"]) == (1, 0)
