"""The statistical period of metrics, dashboards, rankings, notices and reports: parsed, named and written once.

A period is [starts, ends) in Asia/Shanghai dates: from the start of its first day to the start of `ends`.
People read and type periods by their inclusive last day; `ends` is exclusive only inside the code.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput
from core.officedoc import document_date

MAX_YEARS = 3
# Rankings, notices and reports judge whole months (DESIGN §6): by default the last complete month.
REPORTING_DEFAULT = "last_month"

PRESETS: dict[str, Promise] = {
    "this_month": _("This month so far"),
    "last_month": _("Last month"),
    "this_quarter": _("This quarter so far"),
    "last_quarter": _("Last quarter"),
    "this_year": _("This year so far"),
}


@dataclass(frozen=True)
class Period:
    """[starts, ends): from the start of the first day to the start of `ends`, in Asia/Shanghai."""

    starts: date
    ends: date

    @property
    def start_at(self) -> datetime:
        return local_midnight(self.starts)

    @property
    def end_at(self) -> datetime:
        return local_midnight(self.ends)

    @property
    def last_day(self) -> date:
        """The inclusive last day, as people read a period."""
        return self.ends - timedelta(days=1)

    @property
    def text(self) -> str:
        """As documents and pages name it, by its inclusive last day (see period_text)."""
        return period_text(self.starts, self.ends)

    @property
    def whole_months(self) -> tuple[date, date]:
        """[first, last): the first days of the calendar months that lie wholly in the period (first == last
        when none does). The days before `first` and from `last` on are the period's loose days."""
        first = (
            self.starts
            if self.starts.day == 1
            else (self.starts.replace(day=28) + timedelta(days=4)).replace(day=1)
        )
        last = self.ends.replace(day=1)
        return (first, last) if first < last else (self.starts, self.starts)


def local_midnight(day: date) -> datetime:
    """The start of a day in Asia/Shanghai (the project's time zone), as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, month=3, day=1)


def period_between(*, starts: date, ends: date) -> Period:
    """The period [starts, ends); refused unless it is at least one day and at most three years long."""
    if starts >= ends:
        raise InvalidInput(
            "统计期的结束日期应晚于开始日期", code="invalid_input", details={"to": "应晚于开始日期"}
        )
    if ends > _years_after(starts, MAX_YEARS):
        raise InvalidInput(
            f"统计期最长{MAX_YEARS}年", code="invalid_input", details={"to": f"统计期最长{MAX_YEARS}年"}
        )
    return Period(starts=starts, ends=ends)


def preset_period(preset: str, today: date) -> Period:
    """A named period: this month, quarter or year so far (to the start of tomorrow), or last month or quarter
    whole; anything else is this month so far. The pickers of the dashboards and the report offer these."""
    tomorrow = today + timedelta(days=1)
    month = today.replace(day=1)
    quarter = month.replace(month=(today.month - 1) // 3 * 3 + 1)
    if preset == "last_month":
        return Period(starts=(month - timedelta(days=1)).replace(day=1), ends=month)
    if preset == "this_quarter":
        return Period(starts=quarter, ends=tomorrow)
    if preset == "last_quarter":
        before = (quarter - timedelta(days=1)).replace(day=1)
        return Period(starts=before.replace(month=(before.month - 1) // 3 * 3 + 1), ends=quarter)
    if preset == "this_year":
        return Period(starts=today.replace(month=1, day=1), ends=tomorrow)
    return Period(starts=month, ends=tomorrow)


def preset_of(period: Period, today: date) -> str:
    """The preset that names this period today, or "custom"."""
    for key in PRESETS:
        if preset_period(key, today) == period:
            return key
    return "custom"


def parse_day(raw: str | None, *, field: str) -> date | None:
    """A YYYY-MM-DD day typed by a person or sent in a query; None when empty, 422 naming `field` when not a day."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("日期格式应为YYYY-MM-DD", code="invalid_input", details={field: raw}) from None


def reporting_period(today: date | None = None) -> Period:
    """The default period of rankings, notices and reports: the last complete month."""
    return preset_period(REPORTING_DEFAULT, today or timezone.localdate())


def period_or_default(
    *, starts: date | None, ends: date | None, today: date | None = None, preset: str = "this_month"
) -> Period:
    """The period asked for; with neither end given the preset's period, else the missing end taken from this
    month so far."""
    today = today or timezone.localdate()
    if starts is None and ends is None:
        return preset_period(preset, today)
    default = preset_period("this_month", today)
    return period_between(starts=starts or default.starts, ends=ends or default.ends)


def end_from_last_day(last: date | None) -> date | None:
    """The exclusive end of a period whose inclusive last day a person typed."""
    return None if last is None else last + timedelta(days=1)


def period_from_request(request: HttpRequest, *, default: str = "this_month") -> tuple[Period, str]:
    """A page's period and the preset that names it: ?period=<preset>, or ?from=&last= (the inclusive last day,
    as the pages' forms ask it) or ?from=&to= (the period [from, to), as links and the API write it).
    Refused dates give the default preset and a message saying why; the page still answers."""
    today = timezone.localdate()
    key = request.GET.get("period", "")
    if key in PRESETS:
        return preset_period(key, today), key
    raw_from, raw_to = request.GET.get("from", ""), request.GET.get("to", "")
    raw_last = request.GET.get("last", "")
    if raw_from.strip() or raw_to.strip() or raw_last.strip():
        try:
            starts = parse_day(raw_from, field="from")
            if raw_last.strip():
                ends = end_from_last_day(parse_day(raw_last, field="last"))
            else:
                ends = parse_day(raw_to, field="to")
            period = period_or_default(starts=starts, ends=ends, today=today)
        except InvalidInput as exc:
            messages.error(request, exc.message)
        else:
            return period, preset_of(period, today)
    return preset_period(default, today), default


def period_text(starts: date, ends: date) -> str:
    """[starts, ends) as documents name it: 2026年10月, 2026年, 2026年7月至9月, or 2026年10月8日至11月7日."""
    last = ends - timedelta(days=1)
    months = (ends.year - starts.year) * 12 + ends.month - starts.month
    if starts.day == 1 and ends.day == 1:
        if months == 1:
            return f"{starts.year}年{starts.month}月"
        if months == 12 and starts.month == 1:
            return f"{starts.year}年"
        if starts.year == last.year:
            return f"{starts.year}年{starts.month}月至{last.month}月"
    if starts == last:
        return document_date(starts)
    if starts.year == last.year:
        return f"{document_date(starts)}至{last.month}月{last.day}日"
    return f"{document_date(starts)}至{document_date(last)}"


def percent(value: float | None) -> str:
    """A rate as pages and documents print it: 87.5%, or — when it is undefined."""
    return "—" if value is None else f"{value * 100:.1f}%"
