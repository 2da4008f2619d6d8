"""Shapes of the insights API."""

from datetime import date, datetime

from ninja import Field, Schema

from appeals.schemas import ObjectId


class PeriodQuery(Schema):
    """The period [from, to) and the region of a metrics question."""

    starts: date | None = Field(
        None,
        alias="from",
        description="first day of the period (Asia/Shanghai); default: the 1st of this month",
    )
    ends: date | None = Field(
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
    rank: int | None = Field(..., description="1 = best; null: no metric has a value")
    key: str = Field(..., description="region code (county, township) or unit id (department)")
    name: str
    score: float | None = Field(..., description="composite score 0–100")
    rates: dict[str, float | None]
    counts: dict[str, int]
    failing: list[str] = Field(..., description="metrics past their threshold")


class RankingOut(Schema):
    league: str
    period: PeriodOut
    region: RegionRef | None
    weights: dict[str, float]
    thresholds: dict[str, float]
    rows: list[RankingRowOut]
    red: list[RankingRowOut] = Field(..., description="红榜: the top five")
    black: list[RankingRowOut] = Field(..., description="黑榜: the bottom five, worst first")
    labels: dict[str, str]
    definitions: dict[str, str]
    as_of: datetime | None


class WeightsIn(Schema):
    league: str
    weights: dict[str, float]


class WeightsOut(Schema):
    league: str
    weights: dict[str, float]
