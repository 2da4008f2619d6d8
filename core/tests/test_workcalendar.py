"""The working-day calendar and deadline clocks, on the schedule the data migration seeds from the library.

Every expected deadline below was worked out by hand from the State Council's notices; the comments show
the counting. Times are Beijing time unless they say UTC.
"""

from datetime import UTC, date, datetime
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client

from core.errors import InvalidInput
from core.models import CalendarDay, CalendarSource, CalendarYear
from core.workcalendar import (
    BEIJING,
    Clock,
    WorkCalendar,
    calendar_day_set,
    calendar_import_csv,
    calendar_load_library,
    calendar_missing_years,
    deadline_after,
    library_version,
    work_calendar,
)

pytestmark = pytest.mark.django_db


def bj(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=BEIJING)


def end_of(year: int, month: int, day: int) -> datetime:
    return bj(year, month, day, 23, 59, 59)


def write_csv(tmp_path: Path, text: str, name: str = "calendar.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the seeded schedule ----------------------------------------------------------------------------------


def test_migration_seeds_every_year_the_library_knows_with_chinese_names() -> None:
    years = set(CalendarYear.objects.values_list("year", flat=True))
    assert set(range(2004, 2027)) <= years
    assert set(CalendarYear.objects.values_list("source", flat=True)) == {CalendarSource.LIBRARY}
    names = dict(CalendarDay.objects.filter(date__year=2025).values_list("date", "name"))
    assert names[date(2025, 1, 1)] == "元旦"
    assert names[date(2025, 1, 26)] == "春节调休上班"
    assert names[date(2025, 1, 28)] == "春节"
    assert names[date(2025, 4, 4)] == "清明节"
    assert names[date(2025, 5, 1)] == "劳动节"
    assert names[date(2025, 6, 2)] == "端午节"
    assert names[date(2025, 10, 6)] == "中秋节"
    assert names[date(2025, 10, 11)] == "国庆节调休上班"
    # Weekends inside a holiday are days off anyway: only days that differ from Monday–Friday are stored.
    assert date(2025, 2, 1) not in names


def test_reloading_the_library_writes_nothing() -> None:
    assert calendar_load_library() == 0


def test_reloading_the_library_restores_a_removed_library_day() -> None:
    CalendarDay.objects.filter(date=date(2025, 10, 8)).delete()
    assert calendar_load_library(years=[2025]) == 1
    assert CalendarDay.objects.get(date=date(2025, 10, 8)).name == "国庆节"


def test_reloading_the_library_keeps_an_administrators_edit() -> None:
    calendar_day_set(
        day=date(2025, 10, 8), is_workday=False, name="国庆节（本地）", source=CalendarSource.ADMIN
    )
    assert calendar_load_library(years=[2025]) == 0
    assert CalendarDay.objects.get(date=date(2025, 10, 8)).name == "国庆节（本地）"


def test_is_workday_follows_the_official_schedule() -> None:
    calendar = WorkCalendar.from_db()
    assert calendar.known(2025)
    assert calendar.is_workday(date(2025, 1, 26))  # Sunday, 春节调休上班
    assert not calendar.is_workday(date(2025, 1, 28))  # Tuesday, 春节
    assert not calendar.is_workday(date(2025, 2, 1))  # Saturday inside 春节
    assert calendar.is_workday(date(2025, 2, 8))  # Saturday, 春节调休上班
    assert calendar.is_workday(date(2025, 3, 14))  # an ordinary Friday
    assert not calendar.is_workday(date(2025, 3, 15))  # an ordinary Saturday


# --- working days -----------------------------------------------------------------------------------------

# 春节 2025: holiday Tue 01-28 to Tue 02-04; adjusted working days Sun 01-26 and Sat 02-08.
# 国庆 2025 (with 中秋): holiday Wed 10-01 to Wed 10-08; adjusted working days Sun 09-28 and Sat 10-11.
# 春节 2026: holiday Sun 02-15 to Mon 02-23; adjusted working days Sat 02-14 and Sat 02-28.
# 中秋 2026: Fri 09-25 to Sun 09-27. 国庆 2026: Thu 10-01 to Wed 10-07; adjusted Sun 09-20 and Sat 10-10.
WORKING_DAY_CASES = [
    # From Fri 2025-01-24: Sat 25 off; Sun 26 调休 = 1; Mon 27 = 2; 28 Jan – 4 Feb off; Wed 5 = 3, Thu 6 = 4,
    # Fri 7 = 5, Sat 8 调休 = 6; Sun 9 off; Mon 10 = 7, Tue 11 = 8, Wed 12 = 9, Thu 13 = 10.
    pytest.param(bj(2025, 1, 24, 10), 1, end_of(2025, 1, 26), id="spring-2025-1-adjusted-sunday"),
    pytest.param(bj(2025, 1, 24, 10), 2, end_of(2025, 1, 27), id="spring-2025-2"),
    pytest.param(bj(2025, 1, 24, 10), 3, end_of(2025, 2, 5), id="spring-2025-3-skips-holiday"),
    pytest.param(bj(2025, 1, 24, 10), 6, end_of(2025, 2, 8), id="spring-2025-6-adjusted-saturday"),
    pytest.param(bj(2025, 1, 24, 10), 10, end_of(2025, 2, 13), id="spring-2025-10"),
    # Started on a holiday: counting starts the next day and skips the rest of it. Wed 01-29 → Wed 02-05.
    pytest.param(bj(2025, 1, 29, 9), 1, end_of(2025, 2, 5), id="spring-2025-start-on-holiday"),
    # From Fri 2025-09-26: Sat 27 off; Sun 28 调休 = 1; Mon 29 = 2; Tue 30 = 3; 1–8 Oct off; Thu 9 = 4,
    # Fri 10 = 5, Sat 11 调休 = 6; Sun 12 off; Mon 13 = 7 … Fri 17 = 11, Mon 20 = 12, … Thu 23 = 15.
    pytest.param(bj(2025, 9, 26, 9), 1, end_of(2025, 9, 28), id="national-2025-1-adjusted-sunday"),
    pytest.param(bj(2025, 9, 26, 9), 5, end_of(2025, 10, 10), id="national-2025-5"),
    pytest.param(bj(2025, 9, 26, 9), 6, end_of(2025, 10, 11), id="national-2025-6-adjusted-saturday"),
    pytest.param(bj(2025, 9, 26, 9), 7, end_of(2025, 10, 13), id="national-2025-7"),
    pytest.param(bj(2025, 9, 26, 9), 15, end_of(2025, 10, 23), id="national-2025-15"),
    # From Tue 2025-09-30, the eve of the holiday: Thu 10-09 is the first working day after it.
    pytest.param(bj(2025, 9, 30, 16), 1, end_of(2025, 10, 9), id="national-2025-eve-1"),
    pytest.param(bj(2025, 9, 30, 16), 3, end_of(2025, 10, 11), id="national-2025-eve-3"),
    # From Fri 2026-02-13: Sat 14 调休 = 1; 15–23 Feb off; Tue 24 = 2 … Fri 27 = 5; Sat 28 调休 = 6;
    # Sun 1 Mar off; Mon 2 = 7, Tue 3 = 8, Wed 4 = 9, Thu 5 = 10.
    pytest.param(bj(2026, 2, 13, 10), 1, end_of(2026, 2, 14), id="spring-2026-1-adjusted-saturday"),
    pytest.param(bj(2026, 2, 13, 10), 2, end_of(2026, 2, 24), id="spring-2026-2-skips-holiday"),
    pytest.param(bj(2026, 2, 13, 10), 10, end_of(2026, 3, 5), id="spring-2026-10"),
    # From Fri 2026-09-18: Sat 19 off; Sun 20 调休 = 1; Mon 21 = 2 … Thu 24 = 5; Fri 25 中秋 and the
    # weekend off; Mon 28 = 6, Tue 29 = 7, Wed 30 = 8; 1–7 Oct off; Thu 8 = 9, Fri 9 = 10, Sat 10 调休 = 11.
    pytest.param(bj(2026, 9, 18, 15), 5, end_of(2026, 9, 24), id="national-2026-5"),
    pytest.param(bj(2026, 9, 18, 15), 6, end_of(2026, 9, 28), id="national-2026-6-skips-mid-autumn"),
    pytest.param(bj(2026, 9, 18, 15), 10, end_of(2026, 10, 9), id="national-2026-10"),
    pytest.param(bj(2026, 9, 18, 15), 11, end_of(2026, 10, 10), id="national-2026-11-adjusted-saturday"),
    # An ordinary weekend: from Friday evening, the first working day is Monday.
    pytest.param(bj(2025, 3, 14, 20), 1, end_of(2025, 3, 17), id="ordinary-weekend"),
    # 0 working days: the end of the start day, even a holiday.
    pytest.param(bj(2025, 3, 14, 20), 0, end_of(2025, 3, 14), id="zero"),
    pytest.param(bj(2025, 1, 29, 9), 0, end_of(2025, 1, 29), id="zero-on-a-holiday"),
]


@pytest.mark.parametrize(("start", "amount", "expected"), WORKING_DAY_CASES)
def test_working_days(start: datetime, amount: int, expected: datetime) -> None:
    assert deadline_after(start, amount, Clock.WORKING_DAYS) == expected


def test_working_days_count_from_the_beijing_date_of_a_utc_start() -> None:
    # Thu 2025-03-13 16:30 UTC is Fri 00:30 in Beijing: one working day after Friday is Monday.
    start = datetime(2025, 3, 13, 16, 30, tzinfo=UTC)
    assert deadline_after(start, 1, Clock.WORKING_DAYS) == end_of(2025, 3, 17)


def test_deadlines_come_back_in_utc() -> None:
    deadline = deadline_after(bj(2025, 3, 14, 20), 1, Clock.WORKING_DAYS)
    assert deadline.tzinfo is UTC
    assert deadline == datetime(2025, 3, 17, 15, 59, 59, tzinfo=UTC)


def test_a_stored_clock_value_is_accepted() -> None:
    assert deadline_after(bj(2025, 3, 14, 20), 1, "working_days") == end_of(2025, 3, 17)


def test_a_naive_start_or_a_negative_amount_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        deadline_after(datetime(2025, 3, 14, 20), 1, Clock.HOURS)
    with pytest.raises(ValueError, match="non-negative"):
        deadline_after(bj(2025, 3, 14, 20), -1, Clock.HOURS)


# --- calendar days ----------------------------------------------------------------------------------------

CALENDAR_DAY_CASES = [
    # Sat 2025-09-20 + 15 days = Sun 10-05, inside 国庆 (1–8 Oct): the first working day after is Thu 10-09.
    pytest.param(bj(2025, 9, 20, 10), 15, end_of(2025, 10, 9), id="lands-in-national-day"),
    # 信访 60 days: Mon 2025-08-04 + 60 = Fri 10-03, inside 国庆 → Thu 10-09.
    pytest.param(bj(2025, 8, 4, 10), 60, end_of(2025, 10, 9), id="petition-60-lands-in-national-day"),
    # Fri 2025-09-26 + 15 = Sat 10-11, an adjusted working day: it stands.
    pytest.param(bj(2025, 9, 26, 10), 15, end_of(2025, 10, 11), id="lands-on-adjusted-saturday"),
    # Mon 2025-03-03 + 15 = Tue 03-18, an ordinary working day.
    pytest.param(bj(2025, 3, 3, 10), 15, end_of(2025, 3, 18), id="ordinary"),
    # Mon 2025-03-03 + 5 = Sat 03-08 → Mon 03-10.
    pytest.param(bj(2025, 3, 3, 10), 5, end_of(2025, 3, 10), id="lands-on-weekend"),
    # Sun 2026-09-20 + 15 = Mon 10-05, inside 国庆 2026 (1–7 Oct) → Thu 10-08.
    pytest.param(bj(2026, 9, 20, 10), 15, end_of(2026, 10, 8), id="lands-in-national-day-2026"),
    # 0 days: the end of the start day, moved on when that day is not a working day (Wed 01-29 → Wed 02-05).
    pytest.param(bj(2025, 3, 14, 10), 0, end_of(2025, 3, 14), id="zero"),
    pytest.param(bj(2025, 1, 29, 10), 0, end_of(2025, 2, 5), id="zero-on-a-holiday"),
]


@pytest.mark.parametrize(("start", "amount", "expected"), CALENDAR_DAY_CASES)
def test_calendar_days(start: datetime, amount: int, expected: datetime) -> None:
    assert deadline_after(start, amount, Clock.CALENDAR_DAYS) == expected


# --- hours and minutes ------------------------------------------------------------------------------------

REAL_TIME_CASES = [
    # 紧急: 24 h from the eve of 国庆 ends on the holiday itself.
    pytest.param(bj(2025, 9, 30, 20), 24, Clock.HOURS, bj(2025, 10, 1, 20), id="24h-into-holiday"),
    # 马上就办: 2 h from Friday 23:30 ends on Saturday.
    pytest.param(bj(2025, 3, 14, 23, 30), 2, Clock.HOURS, bj(2025, 3, 15, 1, 30), id="2h-across-midnight"),
    # 紧急: 30 min across midnight in the middle of 春节.
    pytest.param(bj(2025, 1, 28, 23, 45), 30, Clock.MINUTES, bj(2025, 1, 29, 0, 15), id="30min-in-holiday"),
    pytest.param(bj(2025, 1, 28, 23, 45), 0, Clock.MINUTES, bj(2025, 1, 28, 23, 45), id="zero-minutes"),
    pytest.param(bj(2025, 1, 28, 23, 45), 0, Clock.HOURS, bj(2025, 1, 28, 23, 45), id="zero-hours"),
]


@pytest.mark.parametrize(("start", "amount", "clock", "expected"), REAL_TIME_CASES)
def test_hours_and_minutes_are_real_time(
    start: datetime, amount: int, clock: Clock, expected: datetime
) -> None:
    deadline = deadline_after(start, amount, clock)
    assert deadline == expected
    assert deadline.tzinfo is UTC


def test_hours_are_real_hours_across_a_daylight_saving_change() -> None:
    # 2025-03-09 02:00 New York: clocks jump forward, so 24 real hours end at 01:00 the next wall-clock day.
    start = datetime(2025, 3, 8, 1, 0, tzinfo=ZoneInfo("America/New_York"))
    assert deadline_after(start, 24, Clock.HOURS) == datetime(2025, 3, 9, 6, 0, tzinfo=UTC)


# --- a year without a schedule ----------------------------------------------------------------------------


def test_a_year_the_library_does_not_know_counts_monday_to_friday() -> None:
    calendar = work_calendar()
    assert not calendar.known(2031)
    assert calendar.is_workday(date(2031, 10, 1))  # a Wednesday: no schedule says it is 国庆
    assert not calendar.is_workday(date(2031, 10, 4))  # a Saturday
    # Tue 2031-09-30 + 1 working day = Wed 10-01.
    assert deadline_after(bj(2031, 9, 30, 10), 1, Clock.WORKING_DAYS) == end_of(2031, 10, 1)
    # Fri 2031-01-24 + 5 working days = Fri 01-31.
    assert deadline_after(bj(2031, 1, 24, 10), 5, Clock.WORKING_DAYS) == end_of(2031, 1, 31)
    # Sat 2031-09-20 + 15 calendar days = Sun 10-05 → Mon 10-06.
    assert deadline_after(bj(2031, 9, 20, 10), 15, Clock.CALENDAR_DAYS) == end_of(2031, 10, 6)


def test_a_deadline_running_into_an_unknown_year_falls_back_without_error() -> None:
    # Wed 2026-12-30: Thu 31 = 1; Fri 2027-01-01 = 2 (2027 unknown: a Friday counts); Mon 4 = 3 … Wed 6 = 5.
    assert deadline_after(bj(2026, 12, 30, 10), 5, Clock.WORKING_DAYS) == end_of(2027, 1, 6)


def test_missing_years_are_this_year_and_next_when_unknown() -> None:
    assert calendar_missing_years(around=date(2025, 6, 1)) == []
    assert calendar_missing_years(around=date(2026, 11, 26)) == [2027]
    assert calendar_missing_years(around=date(2031, 6, 1)) == [2031, 2032]


# --- administrators' edits --------------------------------------------------------------------------------


def test_making_a_weekday_a_holiday_moves_deadlines_at_once() -> None:
    friday = bj(2025, 3, 14, 20)
    assert deadline_after(friday, 1, Clock.WORKING_DAYS) == end_of(2025, 3, 17)

    row = calendar_day_set(
        day=date(2025, 3, 17), is_workday=False, name="临时假日", source=CalendarSource.ADMIN
    )

    assert row is not None and row.source == CalendarSource.ADMIN
    assert deadline_after(friday, 1, Clock.WORKING_DAYS) == end_of(2025, 3, 18)


def test_making_a_saturday_a_working_day_moves_deadlines_at_once() -> None:
    friday = bj(2025, 3, 14, 20)
    deadline_after(friday, 1, Clock.WORKING_DAYS)
    calendar_day_set(day=date(2025, 3, 15), is_workday=True, name="补班", source=CalendarSource.ADMIN)
    assert deadline_after(friday, 1, Clock.WORKING_DAYS) == end_of(2025, 3, 15)


def test_setting_a_day_back_to_the_default_removes_its_entry() -> None:
    calendar_day_set(day=date(2025, 3, 17), is_workday=False, name="临时假日", source=CalendarSource.ADMIN)
    assert (
        calendar_day_set(day=date(2025, 3, 17), is_workday=True, name="", source=CalendarSource.ADMIN) is None
    )
    assert not CalendarDay.objects.filter(date=date(2025, 3, 17)).exists()
    assert deadline_after(bj(2025, 3, 14, 20), 1, Clock.WORKING_DAYS) == end_of(2025, 3, 17)


def test_making_a_library_holiday_a_working_day_removes_it() -> None:
    # Wed 2025-10-08 is the last day of 国庆; as a working day it is the Monday–Friday default again.
    assert (
        calendar_day_set(day=date(2025, 10, 8), is_workday=True, name="", source=CalendarSource.ADMIN) is None
    )
    assert not CalendarDay.objects.filter(date=date(2025, 10, 8)).exists()
    assert deadline_after(bj(2025, 9, 30, 16), 1, Clock.WORKING_DAYS) == end_of(2025, 10, 8)


def test_a_holiday_needs_a_name() -> None:
    with pytest.raises(InvalidInput):
        calendar_day_set(day=date(2025, 3, 17), is_workday=False, name="  ", source=CalendarSource.ADMIN)


def test_a_change_made_elsewhere_is_seen_at_once() -> None:
    # Another process writes the table directly; the cached calendar notices the changed fingerprint.
    friday = bj(2025, 3, 14, 20)
    assert deadline_after(friday, 1, Clock.WORKING_DAYS) == end_of(2025, 3, 17)
    CalendarDay.objects.create(date=date(2025, 3, 17), is_workday=False, name="临时假日", source="admin")
    assert deadline_after(friday, 1, Clock.WORKING_DAYS) == end_of(2025, 3, 18)
    CalendarDay.objects.filter(date=date(2025, 3, 17)).delete()
    assert deadline_after(friday, 1, Clock.WORKING_DAYS) == end_of(2025, 3, 17)


# --- importing a schedule ---------------------------------------------------------------------------------

# A made-up 2031 notice. 元旦 starts in 2030; Sat 01-25 is a holiday on a weekend and Wed 10-08 a working day
# on a weekday: both are what the notice says and both are redundant, so neither is stored.
SCHEDULE_2031 = """\
date,is_workday,name
2030-12-30,0,元旦
2030-12-31,0,元旦
2031-01-01,0,元旦
2031-01-23,false,春节
2031-01-24,FALSE,春节
2031-01-25,0,春节
2031-01-26,1,春节调休上班
2031-09-28,true,国庆节调休上班
2031-10-01,0,国庆节
2031-10-02,0,国庆节
2031-10-03,0,国庆节
2031-10-06,0,国庆节
2031-10-07,0,国庆节
2031-10-08,1,国庆节后上班
2031-10-11,1,国庆节调休上班
"""


def test_importing_a_schedule_makes_its_year_known(tmp_path: Path) -> None:
    path = write_csv(tmp_path, SCHEDULE_2031)

    assert calendar_import_csv(path=path) == 13  # 15 rows less the two redundant ones

    assert CalendarYear.objects.get(year=2031).source == CalendarSource.IMPORT
    assert not CalendarYear.objects.filter(year=2030).exists()  # 元旦's first days do not make 2030 known
    assert CalendarDay.objects.get(date=date(2030, 12, 30)).name == "元旦"
    assert not CalendarDay.objects.filter(date__in=[date(2031, 1, 25), date(2031, 10, 8)]).exists()
    assert calendar_missing_years(around=date(2031, 3, 1)) == [2032]
    assert work_calendar().known(2031)
    # Tue 2031-09-30: 1–3 Oct off, weekend, 6–7 Oct off: Wed 10-08 = 1; Thu 9 = 2; Fri 10 = 3; Sat 11 调休 = 4.
    assert deadline_after(bj(2031, 9, 30, 10), 1, Clock.WORKING_DAYS) == end_of(2031, 10, 8)
    assert deadline_after(bj(2031, 9, 30, 10), 4, Clock.WORKING_DAYS) == end_of(2031, 10, 11)
    # Fri 2031-01-24 is now 春节: Sun 26 调休 = 1; Mon 27 = 2.
    assert deadline_after(bj(2031, 1, 22, 10), 1, Clock.WORKING_DAYS) == end_of(2031, 1, 26)


def test_importing_the_same_schedule_twice_writes_nothing_the_second_time(tmp_path: Path) -> None:
    path = write_csv(tmp_path, SCHEDULE_2031)
    calendar_import_csv(path=path)
    assert calendar_import_csv(path=path) == 0


def test_an_imported_default_day_removes_the_library_entry(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "date,is_workday,name\n2025-10-08,1,国庆节后上班\n2025-10-07,0,国庆节\n")
    assert calendar_import_csv(path=path) == 2  # 10-08 removed; 10-07 now comes from the import
    assert not CalendarDay.objects.filter(date=date(2025, 10, 8)).exists()
    assert CalendarDay.objects.get(date=date(2025, 10, 7)).source == CalendarSource.IMPORT
    assert CalendarYear.objects.get(year=2025).source == CalendarSource.IMPORT


BAD_FILES = [
    pytest.param(
        "date,is_workday,name\n2031-01-01,0,元旦\n2031-02-30,0,春节\n", 3, "日期错误", id="no-such-date"
    ),
    pytest.param("date,is_workday,name\n2031/10/01,0,国庆节\n", 2, "日期错误", id="not-iso"),
    pytest.param("date,is_workday,name\n20311001,0,国庆节\n", 2, "日期错误", id="iso-basic"),
    pytest.param(
        "date,is_workday,name\n2031-10-01,0,国庆节\n2031-10-02,0,国庆节\n2031-10-01,0,国庆节\n",
        4,
        "重复的日期 2031-10-01（首次出现在第2行）",
        id="duplicate",
    ),
    pytest.param("date,is_workday,name\n2031-10-01,yes,国庆节\n", 2, "is_workday", id="workday-not-boolean"),
    pytest.param("date,is_workday,name\n2031-10-01,0,\n", 2, "名称不能为空", id="no-name"),
    pytest.param("date,is_workday,name\n2031-10-01,0\n", 2, "应有3列", id="missing-column"),
    pytest.param("day,workday,name\n2031-10-01,0,国庆节\n", 1, "表头", id="wrong-header"),
    pytest.param("date,is_workday,name\n", 2, "没有任何日期", id="no-rows"),
]


@pytest.mark.parametrize(("text", "line", "reason"), BAD_FILES)
def test_a_bad_row_rejects_the_whole_file(tmp_path: Path, text: str, line: int, reason: str) -> None:
    path = write_csv(tmp_path, text)
    days_before = set(CalendarDay.objects.values_list("date", "is_workday", "name", "source"))

    with pytest.raises(InvalidInput) as caught:
        calendar_import_csv(path=path)

    assert caught.value.code == "invalid_calendar_file"
    assert f"{path}:{line}: " in caught.value.message
    assert reason in caught.value.message
    assert set(CalendarDay.objects.values_list("date", "is_workday", "name", "source")) == days_before
    assert not CalendarYear.objects.filter(year=2031).exists()


def test_every_bad_row_is_reported(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path, "date,is_workday,name\n2031-13-01,0,元旦\n2031-10-01,0,国庆节\n2031-10-02,2,国庆节\n"
    )
    with pytest.raises(InvalidInput) as caught:
        calendar_import_csv(path=path)
    assert f"{path}:2: " in caught.value.message
    assert f"{path}:4: " in caught.value.message
    assert len(caught.value.details) == 2


# --- the command ------------------------------------------------------------------------------------------


def run_load_calendar(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("load_calendar", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@time_machine.travel(datetime(2026, 11, 26, 10, tzinfo=BEIJING), tick=False)
def test_load_calendar_from_the_library_reports_and_warns_about_next_year() -> None:
    out, err = run_load_calendar()
    assert out == (
        f"calendar loaded from chinese-calendar {library_version()}: 0 days written; years known: 2004–2026\n"
    )
    assert err == (
        "warning: no official holiday schedule for 2027; working days there are counted Monday to Friday\n"
    )


@time_machine.travel(datetime(2026, 11, 26, 10, tzinfo=BEIJING), tick=False)
def test_load_calendar_imports_a_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path, SCHEDULE_2031.replace("2031-", "2027-").replace("2030-", "2026-"))
    out, err = run_load_calendar("--csv", str(path))
    assert out.startswith(f"calendar loaded from {path}: ")
    assert out.endswith("; years known: 2004–2027\n")
    assert err == ""


def test_load_calendar_lists_gaps_between_known_years(tmp_path: Path) -> None:
    out, _err = run_load_calendar("--csv", str(write_csv(tmp_path, SCHEDULE_2031)))
    assert (
        out
        == f"calendar loaded from {tmp_path / 'calendar.csv'}: 13 days written; years known: 2004–2026, 2031\n"
    )


def test_load_calendar_refuses_a_bad_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "date,is_workday,name\n2031-10-01,yes,国庆节\n")
    with pytest.raises(CommandError, match=f"{path}:2: "):
        run_load_calendar("--csv", str(path))
    with pytest.raises(CommandError, match="文件不存在"):
        run_load_calendar("--csv", str(tmp_path / "missing.csv"))


# --- the admin --------------------------------------------------------------------------------------------


@time_machine.travel(datetime(2026, 11, 26, 10, tzinfo=BEIJING), tick=False)
def test_admin_warns_about_a_year_without_schedule(admin_client: Client) -> None:
    response = admin_client.get("/admin/core/calendarday/")
    assert response.status_code == 200
    shown = [str(message) for message in response.context["messages"]]
    assert shown == ["2027年的法定节假日安排尚未导入，按周一至周五计算工作日"]


@time_machine.travel(datetime(2025, 6, 1, 10, tzinfo=BEIJING), tick=False)
def test_admin_shows_no_warning_when_the_schedule_is_known(admin_client: Client) -> None:
    response = admin_client.get("/admin/core/calendarday/")
    assert [str(message) for message in response.context["messages"]] == []


def test_admin_edits_go_through_the_service(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/core/calendarday/add/", {"date": "2025-03-17", "is_workday": "", "name": "临时假日"}
    )
    assert response.status_code == 302
    day = CalendarDay.objects.get(date=date(2025, 3, 17))
    assert (day.is_workday, day.name, day.source) == (False, "临时假日", CalendarSource.ADMIN)

    response = admin_client.post(
        "/admin/core/calendarday/2025-03-17/change/", {"is_workday": "on", "name": "临时假日"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/core/calendarday/"
    assert not CalendarDay.objects.filter(date=date(2025, 3, 17)).exists()


def test_admin_pages_render(admin_client: Client) -> None:
    assert admin_client.get("/admin/core/calendarday/add/").status_code == 200
    assert admin_client.get("/admin/core/calendarday/2025-10-01/change/").status_code == 200
    assert admin_client.get("/admin/core/calendaryear/").status_code == 200


def test_admin_delete_restores_the_default(admin_client: Client) -> None:
    response = admin_client.post("/admin/core/calendarday/2025-10-08/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(date=date(2025, 10, 8)).exists()
    assert deadline_after(bj(2025, 9, 30, 16), 1, Clock.WORKING_DAYS) == end_of(2025, 10, 8)
