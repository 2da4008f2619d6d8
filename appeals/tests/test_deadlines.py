"""Appeal deadlines across 春节 and 国庆 with their adjusted working weekends (调休)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from appeals.services import appeal_assign
from appeals.tests.factories import register

SHANGHAI = ZoneInfo("Asia/Shanghai")


def end_of(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 23, 59, 59, tzinfo=SHANGHAI)


def assign(personas, *, at: datetime, policy: str):
    appeal = register(personas.dispatcher, at=at, category_code="labour.contract")
    return appeal_assign(
        appeal=appeal,
        actor=personas.dispatcher,
        expected_version=1,
        lead_unit_id=personas.duyun_hr.pk,
        policy_code=policy,
        now=at,
    )


def test_spring_festival_2025(personas) -> None:
    # Friday 01-24. Holiday 01-28 … 02-04; Sunday 01-26 and Saturday 02-08 are working days (调休).
    appeal = assign(personas, at=datetime(2025, 1, 24, 10, 0, tzinfo=SHANGHAI), policy="request")
    assert appeal.sign_due == end_of(2025, 1, 26)  # 1st working day: the 调休 Sunday
    # 01-26, 01-27, 02-05, 02-06, 02-07, 02-08 (调休), 02-10, 02-11, 02-12, 02-13
    assert appeal.resolve_due == end_of(2025, 2, 13)
    # Grace of 5 working days: 02-14, 02-17, 02-18, 02-19, 02-20
    assert appeal.escalate_due == end_of(2025, 2, 20)


def test_national_day_2025(personas) -> None:
    # Tuesday 09-30. Holiday 10-01 … 10-08; Saturday 10-11 is a working day (调休).
    appeal = assign(personas, at=datetime(2025, 9, 30, 16, 0, tzinfo=SHANGHAI), policy="complaint")
    assert appeal.sign_due == end_of(2025, 10, 9)
    # 10-09, 10-10, 10-11 (调休), 10-13 … 10-17 (8), 10-20 … 10-24 (13), 10-27, 10-28
    assert appeal.resolve_due == end_of(2025, 10, 28)


def test_petition_clock_counts_calendar_days_and_skips_a_holiday_end(personas) -> None:
    # 信访事项: decide acceptance within 15 days, resolve within 60. 15 days after 09-20 is 10-05, in the
    # holiday, so the period ends on the first working day after it.
    appeal = assign(personas, at=datetime(2025, 9, 20, 9, 0, tzinfo=SHANGHAI), policy="petition")
    assert appeal.sign_due == end_of(2025, 10, 9)
    assert appeal.resolve_due == end_of(2025, 11, 19)


def test_act_now_counts_hours_in_real_time_even_on_a_holiday(personas) -> None:
    appeal = assign(personas, at=datetime(2025, 10, 1, 9, 0, tzinfo=SHANGHAI), policy="act_now")
    assert appeal.sign_due == datetime(2025, 10, 1, 11, 0, tzinfo=SHANGHAI)
    assert appeal.resolve_due == end_of(2025, 10, 9)
