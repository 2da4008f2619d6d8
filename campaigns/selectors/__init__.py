"""Reads of the campaigns app, one module per idea, re-exported here."""

from campaigns.selectors.visits import (
    VISIT_ORDER,
    Achieved,
    Progress,
    UnitProgress,
    VisitFilters,
    campaign_progress,
    visits_filter,
)

__all__ = [
    "VISIT_ORDER",
    "Achieved",
    "Progress",
    "UnitProgress",
    "VisitFilters",
    "campaign_progress",
    "visits_filter",
]
