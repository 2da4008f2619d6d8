"""约谈事由 from the metrics: which of a unit's rates over a period fall short of what is expected."""

from dataclasses import dataclass

from core.period import Period
from insights.selectors.metrics import RATE_KEYS, metrics_summary
from org.models import Unit, User
from oversight.services.interviews import Reason

# A "good" rate below this calls for an interview.
GOOD_RATE_FLOOR = 0.8
# Reopenings and returns are bad: above this share they call for one.
BAD_RATE_CEILING = 0.1
BAD_RATES = ("reopen_rate", "return_rate")


def falls_short(metric: str, value: float | None) -> bool:
    """Whether a rate calls for an interview; a rate with no denominator (None) never does."""
    if value is None:
        return False
    return value > BAD_RATE_CEILING if metric in BAD_RATES else value < GOOD_RATE_FLOOR


@dataclass(frozen=True)
class Prefill:
    rates: dict[str, float | None]
    reasons: list[Reason]


def interview_prefill(*, user: User, unit: Unit, period: Period) -> Prefill:
    """The unit's rates over the period as the user may see them, and those that fall short as reasons.

    The caller has obtained `unit` through access_unit. Reads the daily counters (refreshed every few minutes).
    """
    summary = metrics_summary(user=user, period=period, unit=unit)
    reasons = [
        Reason(metric=key, value=summary.rates[key], starts=period.starts, ends=period.ends)
        for key in RATE_KEYS
        if falls_short(key, summary.rates[key])
    ]
    return Prefill(rates=summary.rates, reasons=reasons)
