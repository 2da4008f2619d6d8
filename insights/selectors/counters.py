"""How fresh the counters are."""

from datetime import datetime

from insights.models import COUNTER_STATE, CounterState


def counters_refreshed_at() -> datetime | None:
    """When the counters last caught up with the events and visits."""
    return CounterState.objects.filter(name=COUNTER_STATE).values_list("refreshed_at", flat=True).first()
