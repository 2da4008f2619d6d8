"""Shapes of the insights API."""

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema

from core.api import Day, ObjectId


class PeriodQuery(Schema):
    """The period [from, to) and the region of a metrics question."""

    starts: Day | None = Field(
        None,
        alias="from",
        description="first day of the period (Asia/Shanghai); default: the 1st of this month",
    )
    ends: Day | None = Field(
        None,
        alias="to",
        description="the day after the last day (the period is [from, to)); default: tomorrow",
    )
    region: str | None = Field(None, pattern=r"^\d{12}$", description="region code: its subtree")


class SummaryQuery(PeriodQuery):
    unit: ObjectId | None = Field(None, description="unit id: the events attributed to this unit")


class PeriodOut(Schema):
    starts: date = Field(..., serialization_alias="from")
    ends: date = Field(..., serialization_alias="to", description="exclusive")


class RegionRef(Schema):
    code: str
    name: str


class UnitRef(Schema):
    id: int
    name: str


class CountsOut(Schema):
    """The numerators and denominators behind the rates."""

    assigned: int = Field(..., description="assignments (ASSIGNED events)")
    accepted_on_time: int = Field(..., description="assignments accepted by the sign deadline")
    returned: int = Field(..., description="returns by the lead unit")
    resolved: int = Field(..., description="resolutions by the lead unit")
    resolved_on_time: int = Field(..., description="resolutions by the resolve deadline")
    resolved_on_site: int
    reopened: int
    callbacks: int
    callbacks_solved: int
    callbacks_rated: int = Field(..., description="callbacks with a satisfaction rating")
    callbacks_satisfied: int = Field(..., description="rated satisfied or basically satisfied")
    disputes: int = Field(..., description="disputes registered in the period, not merged")
    disputes_resolved: int
    villages: int = Field(..., description="villages and communities in scope")
    villages_visited: int
    targets: int
    targets_met: int


class SummaryOut(Schema):
    period: PeriodOut
    region: RegionRef | None
    unit: UnitRef | None
    on_time_acceptance_rate: float | None
    on_time_resolution_rate: float | None
    solved_rate: float | None
    satisfaction_rate: float | None
    reopen_rate: float | None
    return_rate: float | None
    dispute_resolution_rate: float | None
    visit_coverage: float | None
    target_completion: float | None
    counts: CountsOut
    as_of: datetime | None = Field(..., description="when the counters last caught up with the events")
    labels: dict[str, str] = Field(..., description="metric key → its name")
    definitions: dict[str, str] = Field(..., description="metric key → its definition, to show beside it")


class RankingQuery(PeriodQuery):
    league: str = Field(
        ..., pattern=r"^(county|township|department)$", description="county, township or department"
    )


class RankingRowOut(Schema):
    rank: int | None = Field(
        ..., description="1 = best; ties share a rank (1, 1, 3); null when insufficient (数据不足)"
    )
    key: str = Field(..., description="region code (county, township) or unit id (department)")
    name: str
    score: float | None = Field(
        ..., description="composite score 0–100 over the counted rates; null when insufficient"
    )
    insufficient: bool = Field(
        ...,
        description="数据不足: the counted rates carry less than half of the total weight or hold no "
        "appeal-based rate; never on the red or black board",
    )
    counted: list[str] = Field(
        ..., description="the rates the score is built on (defined, weighted, denominator ≥ minimum sample)"
    )
    rates: dict[str, float | None]
    counts: dict[str, int]
    failing: list[str] = Field(..., description="counted metrics past their threshold")


class RankingOut(Schema):
    league: str
    period: PeriodOut
    region: RegionRef | None
    weights: dict[str, float]
    thresholds: dict[str, float]
    min_samples: dict[str, int] = Field(
        ..., description="appeal-based rate → the denominator it needs to count (coverage and targets: none)"
    )
    rows: list[RankingRowOut] = Field(..., description="the ranked members best first, then the insufficient")
    red: list[RankingRowOut] = Field(..., description="红榜: ranks 1–5 (more than five on ties)")
    black: list[RankingRowOut] = Field(
        ..., description="黑榜: ranks 1–5 from the bottom, worst first, never a member of the red board"
    )
    insufficient: list[RankingRowOut] = Field(..., description="数据不足: members without a score, by name")
    labels: dict[str, str]
    definitions: dict[str, str]
    as_of: datetime | None


class WeightsIn(Schema):
    league: str
    # "NaN" and "Infinity" as strings would pass a plain float; a weight is a finite number.
    weights: dict[str, Annotated[float, Field(allow_inf_nan=False)]] = Field(
        default_factory=dict, description="metric → weight 0–100"
    )
    min_samples: dict[str, int] = Field(
        default_factory=dict, description="appeal-based rate → minimum denominator, 1–1000 (default 5)"
    )


class WeightsOut(Schema):
    league: str
    weights: dict[str, float]
    min_samples: dict[str, int]


class FigureOut(Schema):
    key: str
    label: str
    value: int
    url: str | None = Field(..., description="the list behind the number, with its filters")


class RateOut(Schema):
    key: str
    label: str
    definition: str = Field(..., description="to show beside the number")
    value: float | None = Field(..., description="0–1; null when its denominator is 0")
    url: str | None = Field(..., description="the page that breaks the rate down")


class HeatRowOut(Schema):
    code: str
    name: str
    appeals: int = Field(..., description="appeals registered in the period")
    appeals_url: str
    visits: int = Field(..., description="visits started in the period")
    visits_url: str
    rates: dict[str, float | None]
    url: str = Field(..., description="the area's own dashboard")


class OverdueItemOut(Schema):
    id: int
    code: str
    title: str
    lead_unit: str | None
    resolve_due: datetime
    days_overdue: int = Field(..., description="whole days past the resolve deadline")
    url: str


class WeekOut(Schema):
    iso: str = Field(..., description="ISO week, e.g. 2025-W10")
    starts: date = Field(..., description="first day of the week within the period")
    ends: date = Field(..., description="last day of the week within the period (inclusive)")
    registered: int | None = Field(..., description="appeals registered (region views)")
    registered_url: str | None
    assigned: int | None = Field(..., description="assignments received (the unit view)")
    resolved: int = Field(..., description="resolutions, by a unit or on site")
    visits: int | None
    visits_url: str | None


class CampaignLineOut(Schema):
    campaign_id: int
    campaign: str
    metric: str
    metric_label: str
    target: int = Field(..., description="the targets of the units in view, summed")
    achieved: int
    url: str
    coverage_url: str


class DashboardOut(Schema):
    period: PeriodOut
    region: RegionRef | None
    unit: UnitRef | None
    level: str = Field(..., description="prefecture, county, township or unit")
    rates: list[RateOut]
    counts: dict[str, int] = Field(..., description="the numerators and denominators behind the rates")
    appeals: FigureOut | None = Field(..., description="appeals registered in the period (region views)")
    visits: FigureOut | None
    by_kind: list[FigureOut] | None = Field(..., description="null below county level")
    by_status: list[FigureOut] | None = Field(..., description="current status; null below county level")
    by_risk: list[FigureOut] | None = Field(
        ..., description="disputes by risk colour; null below county level"
    )
    by_category: list[FigureOut] | None = Field(..., description="the top ten categories, then other")
    overdue: FigureOut = Field(..., description="items past their resolve deadline now")
    overdue_items: list[OverdueItemOut] = Field(..., description="the ten most overdue")
    heat_level: str | None = Field(..., description="county or township: what the heat rows are")
    heat: list[HeatRowOut]
    weeks: list[WeekOut]
    campaigns: list[CampaignLineOut] = Field(..., description="running campaigns' targets against achieved")
    queue: list[FigureOut] | None = Field(..., description="the unit view: open tasks by state")
    as_of: datetime | None = Field(..., description="when the counters last caught up with the events")


class KeyNumberOut(Schema):
    key: str
    label: str
    definition: str
    is_rate: bool = Field(..., description="a fraction 0–1 when true, a count otherwise")
    value: float | None
    previous: float | None = Field(..., description="in the previous period of the same length")
    change: float | None = Field(..., description="value − previous")


class HotIssueOut(Schema):
    rank: int
    key: str = Field(..., description="问题ID: the tracking code of the cluster's most typical appeal")
    category_code: str = Field(..., description="the commonest category among the cluster's appeals")
    category_name: str
    place_code: str
    place_name: str
    place_words: str = Field(..., description="the place most of its appeals name, or empty")
    period: PeriodOut
    appeals: int
    reporters: int = Field(..., description="distinct reporters; each anonymous appeal counts once")
    previous: int = Field(..., description="appeals of the cluster in the previous period of the same length")
    growth: float | None = Field(..., description="appeals ÷ previous; null when previous is 0")
    risk: float = Field(..., description="share of red or orange disputes")
    support: int = Field(..., description="people concerned (Σ parties)")
    index: float = Field(..., description="hotness index 0–100, see hotness_formula")
    titles: list[str] = Field(..., description="redacted, the most typical first")
    phrases: list[str] = Field(..., description="key phrases of the cluster")
    description: str
    appeal_ids: list[int] = Field(..., description="the cluster's appeals of the period the reader may see")
    url: str = Field(..., description="the appeals list behind the row")


class RiskOut(Schema):
    code: str
    title: str
    colour: str
    place_name: str
    registered_on: date
    days_open: int


class RecommendationOut(Schema):
    rule: str = Field(..., description="metric | hot | red | overdue")
    text: str
    trigger: str = Field(..., description="the number that triggered it")


class MassesOut(Schema):
    consultation_id: int
    title: str
    unit: str = Field(..., description="the unit that ran the consultation")
    answers: int = Field(..., description="answers received in the period")
    adopted: int = Field(..., description="of them adopted (采纳)")
    replies: list[str] = Field(..., description="the public replies to the adopted answers, redacted")


class ReportOut(Schema):
    period: PeriodOut
    previous: PeriodOut
    region: RegionRef | None
    place_name: str
    key_numbers: list[KeyNumberOut]
    hot: list[HotIssueOut]
    hotness_formula: str
    open_disputes: dict[str, int] = Field(..., description="risk colour → disputes still open")
    risks: list[RiskOut] = Field(..., description="red and orange disputes still open, longest open first")
    red_stale: int = Field(..., description="red disputes open more than 7 days")
    overdue: int = Field(..., description="items past their resolve deadline, still open")
    recommendations: list[RecommendationOut]
    as_of: datetime | None = Field(..., description="when the counters behind the key numbers caught up")
    generated_at: datetime
    masses: list[MassesOut] = Field(
        ..., description="征集: what the masses proposed in the period's consultations and what was adopted"
    )


class HotIssueItem(Schema):
    rank: int
    key: str = Field(..., description="问题ID: the tracking code of the cluster's most typical appeal")
    index: float = Field(..., description="hotness index 0–100, see hotness_formula")
    starts: date = Field(..., serialization_alias="from")
    ends: date = Field(..., serialization_alias="to", description="exclusive")
    place: str = Field(..., description="地点/人群: the township (or county) and the place the appeals name")
    place_code: str
    description: str = Field(..., description="问题描述: the typical title and key phrases, redacted")
    phrases: list[str]
    appeals: int
    reporters: int
    growth: float | None
    appeal_ids: list[int] = Field(..., description="the cluster's appeals of the period the caller may see")
    url: str = Field(..., description="the appeals list of exactly these appeals")


class HotIssuesOut(Schema):
    items: list[HotIssueItem]
    hotness_formula: str
    clustering: str
