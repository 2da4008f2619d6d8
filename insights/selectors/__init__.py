"""Reads of the insights app: the metrics of DESIGN §6, computed in SQL from events, visits and targets."""

from insights.selectors.metrics import DEFINITIONS, RATE_KEYS, Definition, MetricsSummary, metrics_summary
from insights.selectors.rankings import (
    LEAGUES,
    Ranking,
    RankingRow,
    failing,
    league_min_samples,
    league_weights,
    rankings,
)

__all__ = [
    "DEFINITIONS",
    "LEAGUES",
    "RATE_KEYS",
    "Definition",
    "MetricsSummary",
    "Ranking",
    "RankingRow",
    "failing",
    "league_min_samples",
    "league_weights",
    "metrics_summary",
    "rankings",
]
