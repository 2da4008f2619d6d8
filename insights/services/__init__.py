from insights.services.counters import (
    RefreshResult,
    counters_refresh,
    counters_refreshed_at,
    visit_tallies_rebuild,
    visit_tally_add,
)
from insights.services.weights import score_weights_set

__all__ = [
    "RefreshResult",
    "counters_refresh",
    "counters_refreshed_at",
    "score_weights_set",
    "visit_tallies_rebuild",
    "visit_tally_add",
]
