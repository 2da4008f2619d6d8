"""Writes of the insights app: the counters' refresh and the rankings' weights."""

from insights.services.counters import RefreshResult, counters_refresh
from insights.services.weights import score_weights_set

__all__ = ["RefreshResult", "counters_refresh", "score_weights_set"]
