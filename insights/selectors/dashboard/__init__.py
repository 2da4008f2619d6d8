"""The dashboards (DESIGN §6, §7): a leader's overview of a region and a unit's view, over a period.

Every figure is read from the daily counters of insights.models (sums over day ranges and region-code ranges),
except two questions the counters cannot answer and an index can: the items overdue now (overdue.py) and a
unit's open tasks (UnitTask on its queue index). The rates come from metrics_summary. Each figure carries the
URL of the list behind it (links.py), built with the same filters the list applies, so the number clicked is
the number of rows that open.
"""

from insights.selectors.dashboard.links import appeals_url, dashboard_url, visits_url
from insights.selectors.dashboard.overdue import days_overdue, overdue_rows
from insights.selectors.dashboard.overview import dashboard_overview, dashboard_root
from insights.selectors.dashboard.results import (
    HEAT_RATES,
    CampaignLine,
    Figure,
    HeatRow,
    OverdueItem,
    Overview,
    Rate,
    Week,
)
from insights.selectors.dashboard.serialise import overview_json

__all__ = [
    "HEAT_RATES",
    "CampaignLine",
    "Figure",
    "HeatRow",
    "OverdueItem",
    "Overview",
    "Rate",
    "Week",
    "appeals_url",
    "dashboard_overview",
    "dashboard_root",
    "dashboard_url",
    "days_overdue",
    "overdue_rows",
    "overview_json",
    "visits_url",
]
