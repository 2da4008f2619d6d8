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
from insights.selectors.rankings import (
    LEAGUES,
    Ranking,
    RankingRow,
    failing,
    league_weights,
    rankings,
)

__all__ = [
    "DEFINITIONS",
    "LEAGUES",
    "RATE_KEYS",
    "Definition",
    "MetricsSummary",
    "Period",
    "Ranking",
    "RankingRow",
    "failing",
    "league_weights",
    "metrics_summary",
    "period_between",
    "rankings",
]
