"""Reads of the insights app: the metrics of DESIGN §6, computed in SQL from events, visits and targets."""

from insights.selectors.metrics import (
    DEFINITIONS,
    RATE_KEYS,
    Definition,
    MetricsSummary,
    Period,
    metrics_summary,
    period_between,
)

__all__ = [
    "DEFINITIONS",
    "RATE_KEYS",
    "Definition",
    "MetricsSummary",
    "Period",
    "metrics_summary",
    "period_between",
]
