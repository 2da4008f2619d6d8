"""Countdowns to a stored deadline: 剩余 3 小时 / 超期 2 天, the same in the lists, the queues and the appeal page."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The texts of a countdown; static/js/zoufang.js reads them from the page to keep the countdowns current.
COUNTDOWN_FORMATS: dict[str, Promise] = {
    "left_minutes": _("%(count)s min left"),
    "left_hours": _("%(count)s h left"),
    "left_days": _("%(count)s d left"),
    "overdue_minutes": _("%(count)s min overdue"),
    "overdue_hours": _("%(count)s h overdue"),
    "overdue_days": _("%(count)s d overdue"),
}
SOON = timedelta(hours=24)


@dataclass(frozen=True)
class Countdown:
    due: datetime
    text: str
    state: str  # ok, soon (within 24 h) or overdue: a CSS class


def countdown(due: datetime | None, now: datetime) -> Countdown | None:
    """剩余 3 小时 / 超期 2 天, from a stored deadline (never recomputed from the policy)."""
    if due is None:
        return None
    seconds = (due - now).total_seconds()
    overdue = seconds < 0
    span = abs(seconds)
    if span < 3600:
        unit, count = "minutes", max(1, math.floor(span / 60))
    elif span < 48 * 3600:
        unit, count = "hours", math.floor(span / 3600)
    else:
        unit, count = "days", math.floor(span / 86400)
    text = str(COUNTDOWN_FORMATS[f"{'overdue' if overdue else 'left'}_{unit}"]) % {"count": count}
    state = "overdue" if overdue else "soon" if seconds < SOON.total_seconds() else "ok"
    return Countdown(due=due, text=text, state=state)


def countdown_formats() -> dict[str, str]:
    return {key: str(value) for key, value in COUNTDOWN_FORMATS.items()}
