"""Reads of the campaigns app, one module per idea, re-exported here."""

from campaigns.selectors.coverage import (
    Coverage,
    CoverageRow,
    Headline,
    area_access,
    area_root,
    campaign_coverage,
    campaign_headline,
    ledger_visits,
    responsible_for,
    unvisited_villages,
)
from campaigns.selectors.flags import FLAG_ORDER, FlagFilters, flag_reason, flagged_visits
from campaigns.selectors.spot_checks import (
    SPOT_CHECK_ORDER,
    UnitSpotChecks,
    confirmation_rate,
    drawable_units,
    spot_check_items,
    unit_spot_checks,
    with_results,
)
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
    "FLAG_ORDER",
    "SPOT_CHECK_ORDER",
    "VISIT_ORDER",
    "Achieved",
    "Coverage",
    "CoverageRow",
    "FlagFilters",
    "Headline",
    "Progress",
    "UnitProgress",
    "UnitSpotChecks",
    "VisitFilters",
    "area_access",
    "area_root",
    "campaign_coverage",
    "campaign_headline",
    "campaign_progress",
    "confirmation_rate",
    "drawable_units",
    "flag_reason",
    "flagged_visits",
    "ledger_visits",
    "responsible_for",
    "spot_check_items",
    "unit_spot_checks",
    "unvisited_villages",
    "visits_filter",
    "with_results",
]
