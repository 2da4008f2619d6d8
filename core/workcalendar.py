"""The official PRC working-day calendar and the clocks that deadlines run on.

The calendar is data (CalendarDay, CalendarYear): seeded from the chinese-calendar library, edited by
administrators, imported from the State Council's yearly notice. A year without a schedule counts Monday to
Friday, so a deadline can always be computed.
"""

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
from django.db import models, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput
from core.models import CalendarDay, CalendarSource, CalendarYear

# The State Council's calendar runs on Beijing time, whatever zone the server is set to.
BEIJING = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59)


class Clock(models.TextChoices):
    MINUTES = "minutes", _("minutes")
    HOURS = "hours", _("hours")
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")


def default_is_workday(day: date) -> bool:
    """Monday to Friday: what a day is when the calendar says nothing about it."""
    return day.weekday() < 5


class WorkCalendar:
    """Working days and deadline arithmetic over a snapshot of the calendar tables.

    A day is a working day if the calendar stores it as one; a stored day wins even in a year whose
    schedule is unknown (an administrator put it there). Otherwise Monday to Friday are working days.

    `add` follows the Chinese legal convention for periods: the day the period starts is not counted
    (期间开始之日不计算在内), and a period whose last day is a holiday ends on the first working day after it
    (期间届满的最后一日是节假日的，以节假日后的第一个工作日为期间届满日):

    - MINUTES, HOURS: exactly `amount` of real time after `start` (马上就办 2 h, 紧急 30 min and 24 h).
    - WORKING_DAYS: the end of the `amount`-th working day after the Beijing date of `start`;
      0 is the end of that date itself.
    - CALENDAR_DAYS: the end of the Beijing date `amount` days after `start`, moved on to the end of the
      next working day when that date is not one; 0 is the end of the start date, moved on likewise.

    "The end of a day" is 23:59:59 Beijing time. `start` must be aware, in any zone; every result is an
    aware datetime in UTC, as Django stores it. Nothing here raises for a year without a schedule.
    """

    def __init__(self, *, overrides: Mapping[date, bool], known_years: Iterable[int]) -> None:
        self._overrides = dict(overrides)
        self._known = frozenset(known_years)

    @classmethod
    def from_db(cls) -> "WorkCalendar":
        """A snapshot of the whole calendar: a few hundred rows, read in one query (plus the known years)."""
        return cls(
            overrides=dict(CalendarDay.objects.values_list("date", "is_workday")),
            known_years=CalendarYear.objects.values_list("year", flat=True),
        )

    def known(self, year: int) -> bool:
        """Whether the official schedule of `year` is in the calendar."""
        return year in self._known

    def is_workday(self, day: date) -> bool:
        return self._overrides.get(day, default_is_workday(day))

    def next_workday(self, day: date) -> date:
        """The first working day strictly after `day`."""
        day += timedelta(days=1)
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def add(self, start: datetime, amount: int, clock: Clock | str) -> datetime:
        """The deadline `amount` units of `clock` after `start` (see the class docstring for the rules)."""
        if timezone.is_naive(start):
            raise ValueError("a deadline needs an aware start datetime")
        if amount < 0:
            raise ValueError("a deadline needs a non-negative amount")
        clock = Clock(clock)
        # Real time: adding to a zone-aware datetime would add wall-clock time, which differs across DST.
        if clock == Clock.MINUTES:
            return start.astimezone(UTC) + timedelta(minutes=amount)
        if clock == Clock.HOURS:
            return start.astimezone(UTC) + timedelta(hours=amount)
        day = start.astimezone(BEIJING).date()
        if clock == Clock.WORKING_DAYS:
            for _counted in range(amount):
                day = self.next_workday(day)
        else:
            day += timedelta(days=amount)
            if not self.is_workday(day):
                day = self.next_workday(day)
        return datetime.combine(day, END_OF_DAY, tzinfo=BEIJING).astimezone(UTC)


_cached: tuple[tuple[object, ...], WorkCalendar] | None = None


def _fingerprint() -> tuple[object, ...]:
    # Every write stamps updated_at / loaded_at and every delete lowers a count, so a change in any process
    # (or a rolled-back test transaction) shows here without reading the tables.
    days = CalendarDay.objects.aggregate(n=Count("date"), last=Max("updated_at"))
    years = CalendarYear.objects.aggregate(n=Count("year"), last=Max("loaded_at"))
    return days["n"], days["last"], years["n"], years["last"]


def _forget() -> None:
    global _cached
    _cached = None


def work_calendar() -> WorkCalendar:
    """The current calendar, rebuilt when the tables changed; for bulk work keep one `WorkCalendar.from_db()`."""
    global _cached
    fingerprint = _fingerprint()
    if _cached is None or _cached[0] != fingerprint:
        _cached = (fingerprint, WorkCalendar.from_db())
    return _cached[1]


def deadline_after(start: datetime, amount: int, clock: Clock | str) -> datetime:
    """The deadline `amount` units of `clock` after `start` by the current calendar (see WorkCalendar)."""
    return work_calendar().add(start, amount, clock)


# --- the chinese-calendar library ------------------------------------------------------------------------

# The library names holidays in English; the notices use these names.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
ADJUSTED_WORKDAY = "{holiday}调休上班"


def _library_name(holiday: str) -> str:
    if holiday in HOLIDAY_NAMES:
        return HOLIDAY_NAMES[holiday]
    try:
        return str(chinese_calendar.Holiday(holiday).chinese)
    except ValueError:
        return holiday


def library_years() -> list[int]:
    """The years whose schedule the installed chinese-calendar library knows."""
    return sorted(
        {day.year for day in chinese_calendar.holidays} | {day.year for day in chinese_calendar.workdays}
    )


def library_version() -> str:
    return str(chinese_calendar.__version__)


def _library_schedule(years: set[int]) -> dict[date, tuple[bool, str]]:
    """The library's days in `years` that differ from Monday–Friday, with their Chinese names."""
    schedule: dict[date, tuple[bool, str]] = {}
    for table, is_workday in ((chinese_calendar.holidays, False), (chinese_calendar.workdays, True)):
        for day, holiday in table.items():
            if day.year in years and is_workday != default_is_workday(day):
                name = _library_name(holiday)
                schedule[day] = (is_workday, ADJUSTED_WORKDAY.format(holiday=name) if is_workday else name)
    return schedule


@transaction.atomic
def calendar_load_library(
    *,
    years: Iterable[int] | None = None,
    day_model: type[CalendarDay] = CalendarDay,
    year_model: type[CalendarYear] = CalendarYear,
) -> int:
    """Write the library's schedule for `years` (default: all it knows) and mark them known; idempotent.

    Days an administrator set or a file imported are left alone: they are the later word. Library days
    the library no longer lists are removed. Returns the number of days created, changed or removed.
    The data migration passes its historical models as `day_model` and `year_model`.
    """
    known = set(library_years())
    wanted = known if years is None else set(years) & known
    if not wanted:
        return 0
    schedule = _library_schedule(wanted)
    existing = {row.date: row for row in day_model.objects.filter(date__year__in=wanted)}
    now = timezone.now()
    create: list[CalendarDay] = []
    update: list[CalendarDay] = []
    for day, (is_workday, name) in sorted(schedule.items()):
        row = existing.get(day)
        if row is None:
            create.append(
                day_model(date=day, is_workday=is_workday, name=name, source=CalendarSource.LIBRARY)
            )
        elif row.source == CalendarSource.LIBRARY and (row.is_workday, row.name) != (is_workday, name):
            row.is_workday, row.name, row.updated_at = is_workday, name, now
            update.append(row)
    stale = [
        day for day, row in existing.items() if row.source == CalendarSource.LIBRARY and day not in schedule
    ]
    # Two loads at once both find a day missing; the second one's insert is then a no-op.
    day_model.objects.bulk_create(create, ignore_conflicts=True)
    day_model.objects.bulk_update(update, ["is_workday", "name", "updated_at"])
    day_model.objects.filter(date__in=stale, source=CalendarSource.LIBRARY).delete()
    listed = set(year_model.objects.filter(year__in=wanted).values_list("year", flat=True))
    year_model.objects.bulk_create(
        [year_model(year=year, source=CalendarSource.LIBRARY) for year in sorted(wanted - listed)],
        ignore_conflicts=True,
    )
    _forget()
    return len(create) + len(update) + len(stale)


# --- administrators' edits and imports -------------------------------------------------------------------

NAME_MAX_LENGTH = CalendarDay._meta.get_field("name").max_length or 50


@transaction.atomic
def calendar_day_set(
    *, day: date, is_workday: bool, name: str, source: CalendarSource = CalendarSource.ADMIN
) -> CalendarDay | None:
    """Make `day` a working day or a day off from now on; returns the stored day, or None for the default.

    A day that then matches Monday–Friday needs no entry, so any entry for it is removed.
    """
    if is_workday == default_is_workday(day):
        CalendarDay.objects.filter(date=day).delete()
        _forget()
        return None
    name = name.strip()
    if not name or len(name) > NAME_MAX_LENGTH:
        raise InvalidInput(f"名称不能为空且不超过{NAME_MAX_LENGTH}字", code="invalid_calendar_name")
    row, _created = CalendarDay.objects.update_or_create(
        date=day, defaults={"is_workday": is_workday, "name": name, "source": CalendarSource(source)}
    )
    _forget()
    return row


CSV_COLUMNS = ["date", "is_workday", "name"]
BOOLEANS = {"1": True, "true": True, "0": False, "false": False}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
FIRST_YEAR = 1949
MAX_REPORTED = 100


@dataclass(frozen=True)
class CalendarRow:
    line: int
    day: date
    is_workday: bool
    name: str


def _parse_calendar(path: Path) -> tuple[list[CalendarRow], list[str]]:
    rows: list[CalendarRow] = []
    problems: list[str] = []
    first_line: dict[date, int] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or [h.strip() for h in header] != CSV_COLUMNS:
            return [], [f"{path}:1: 表头应为 {','.join(CSV_COLUMNS)}"]
        for line, fields in enumerate(reader, start=2):
            if not any(f.strip() for f in fields):
                continue
            if len(fields) != len(CSV_COLUMNS):
                problems.append(f"{path}:{line}: 应有{len(CSV_COLUMNS)}列，实有{len(fields)}列")
                continue
            day_text, workday_text, name = (f.strip() for f in fields)
            try:
                if not ISO_DATE.fullmatch(day_text):
                    raise ValueError
                day = date.fromisoformat(day_text)
            except ValueError:
                problems.append(f"{path}:{line}: 日期错误：应为YYYY-MM-DD格式的有效日期，实为“{day_text}”")
                continue
            if day.year < FIRST_YEAR:
                problems.append(f"{path}:{line}: 日期错误：{day_text} 早于{FIRST_YEAR}年")
                continue
            if workday_text.lower() not in BOOLEANS:
                problems.append(f"{path}:{line}: is_workday 应为 0、1、true 或 false，实为“{workday_text}”")
                continue
            if not name or len(name) > NAME_MAX_LENGTH:
                problems.append(f"{path}:{line}: 名称不能为空且不超过{NAME_MAX_LENGTH}字")
                continue
            if day in first_line:
                problems.append(f"{path}:{line}: 重复的日期 {day_text}（首次出现在第{first_line[day]}行）")
                continue
            first_line[day] = line
            rows.append(CalendarRow(line=line, day=day, is_workday=BOOLEANS[workday_text.lower()], name=name))
    if not rows and not problems:
        problems.append(f"{path}:2: 表头之后没有任何日期")
    return rows, problems


def _near_new_year(day: date) -> bool:
    return (day.month == 1 and day.day <= 7) or (day.month == 12 and day.day >= 25)


def _covered_years(days: Iterable[date]) -> set[int]:
    # 元旦 straddles the new year, so a year's notice may list a few days of the year before or after
    # (the 2024 notice: 2023-12-30 to 2024-01-01); those alone do not make that other year known.
    days = list(days)
    return {day.year for day in days if not _near_new_year(day)} or {day.year for day in days}


@transaction.atomic
def calendar_import_csv(*, path: Path) -> int:
    """Import a schedule (date,is_workday,name) as the State Council publishes it: all rows or, on any bad
    row, none (the error lists file:line: reason). The years it covers become known.

    Rows matching Monday–Friday remove any entry for their day; days not in the file are left as they are.
    Returns the number of days created, changed or removed.
    """
    rows, problems = _parse_calendar(path)
    if problems:
        shown = problems[:MAX_REPORTED]
        more = len(problems) - len(shown)
        raise InvalidInput(
            "日历文件有误，未导入任何数据：\n" + "\n".join(shown) + (f"\n……另有{more}处错误" if more else ""),
            code="invalid_calendar_file",
            details=problems,
        )
    existing = CalendarDay.objects.in_bulk([row.day for row in rows])
    now = timezone.now()
    create: list[CalendarDay] = []
    update: list[CalendarDay] = []
    remove: list[date] = []
    for row in rows:
        stored = existing.get(row.day)
        if row.is_workday == default_is_workday(row.day):
            if stored is not None:
                remove.append(row.day)
        elif stored is None:
            create.append(
                CalendarDay(
                    date=row.day, is_workday=row.is_workday, name=row.name, source=CalendarSource.IMPORT
                )
            )
        elif (stored.is_workday, stored.name, stored.source) != (
            row.is_workday,
            row.name,
            CalendarSource.IMPORT,
        ):
            stored.is_workday, stored.name, stored.source, stored.updated_at = (
                row.is_workday,
                row.name,
                CalendarSource.IMPORT,
                now,
            )
            update.append(stored)
    CalendarDay.objects.bulk_create(create, ignore_conflicts=True)
    CalendarDay.objects.bulk_update(update, ["is_workday", "name", "source", "updated_at"])
    CalendarDay.objects.filter(date__in=remove).delete()
    for year in sorted(_covered_years(row.day for row in rows)):
        CalendarYear.objects.update_or_create(year=year, defaults={"source": CalendarSource.IMPORT})
    _forget()
    return len(create) + len(update) + len(remove)


def calendar_missing_years(*, around: date) -> list[int]:
    """This year and next year, those of them whose official schedule the calendar lacks."""
    wanted = [around.year, around.year + 1]
    known = set(CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True))
    return [year for year in wanted if year not in known]
