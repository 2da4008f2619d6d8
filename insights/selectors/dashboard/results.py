"""What a dashboard answers: figures with the lists behind them, rates, heat rows, weeks, campaign lines."""

from dataclasses import dataclass
from datetime import date, datetime

from core.period import Period
from geo.models import Region
from org.models import Unit

# Who sees the overview and the county views (DESIGN §1); unit staff see the view of their own unit.

TOP_CATEGORIES = 10
OVERDUE_SHOWN = 10
# The rates of a heat-table row: those the event and dispute counters answer per area.
HEAT_RATES = (
    "on_time_acceptance_rate",
    "on_time_resolution_rate",
    "solved_rate",
    "satisfaction_rate",
    "dispute_resolution_rate",
)
COUNTY_LENGTH, TOWNSHIP_LENGTH = 6, 9


# --- the result ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A number with its name and the list behind it (None: no list answers it)."""

    key: str
    label: str
    value: int
    url: str | None


@dataclass(frozen=True)
class Rate:
    key: str
    label: str
    definition: str
    value: float | None  # 0–1; None when its denominator is 0
    url: str | None


@dataclass(frozen=True)
class HeatRow:
    """A county or township of the view: its appeals and visits in the period and its rates."""

    code: str
    name: str
    appeals: int
    appeals_url: str
    visits: int
    visits_url: str
    rates: dict[str, float | None]
    url: str  # the area's own dashboard


@dataclass(frozen=True)
class OverdueItem:
    """An item past its resolve deadline: no personal data."""

    id: int
    code: str
    title: str
    lead_unit: str | None
    resolve_due: datetime
    days_overdue: int
    url: str


@dataclass(frozen=True)
class Week:
    """One ISO week of the period (Monday; the first and last weeks are cut to the period)."""

    starts: date
    ends: date  # the last day, inclusive
    registered: int | None  # appeals registered (the region view)
    registered_url: str | None
    assigned: int | None  # assignments received (the unit view)
    resolved: int  # resolutions, by a unit or on site
    visits: int | None
    visits_url: str | None

    @property
    def iso(self) -> str:
        year, week, _day = self.starts.isocalendar()
        return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class CampaignLine:
    """A running campaign's targets of one metric, summed over the units in view, against what they achieved."""

    campaign_id: int
    campaign: str
    metric: str
    metric_label: str
    target: int
    achieved: int
    url: str
    coverage_url: str


@dataclass(frozen=True)
class Overview:
    period: Period
    region: Region | None
    unit: Unit | None
    level: str  # prefecture, county, township or unit: what the view is of
    rates: list[Rate]
    counts: dict[str, int]
    appeals: Figure | None
    visits: Figure | None
    by_kind: list[Figure] | None
    by_status: list[Figure] | None
    by_risk: list[Figure] | None
    by_category: list[Figure] | None
    overdue: Figure
    overdue_items: list[OverdueItem]
    heat_level: str | None  # county or township: what the heat rows are
    heat: list[HeatRow]
    weeks: list[Week]
    campaigns: list[CampaignLine]
    queue: list[Figure]  # the unit view: its open tasks by state
    as_of: datetime | None
