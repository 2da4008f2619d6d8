"""The decision report API: the report as JSON and as a Word file, for leaders, supervisors and admins."""

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from core.api import ErrorOut, responses
from insights.api import default_period
from insights.report_docx import DOCX_CONTENT_TYPE, decision_report_download
from insights.schemas import PeriodOut, PeriodQuery, RegionRef
from insights.selectors.hot import HOTNESS_FORMULA
from insights.selectors.report import DecisionReport, access_report, decision_report
from org.auth import api_user

router = Router(tags=["reports"])


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
    key: str = Field(..., description="问题ID: <township code>-<category code>")
    category_code: str
    category_name: str
    place_code: str
    place_name: str
    period: PeriodOut
    appeals: int
    reporters: int = Field(..., description="distinct reporters; each anonymous appeal counts once")
    previous: int = Field(..., description="appeals of the cluster in the previous period of the same length")
    growth: float | None = Field(..., description="appeals ÷ previous; null when previous is 0")
    risk: float = Field(..., description="share of red or orange disputes")
    support: int = Field(..., description="people concerned (Σ parties)")
    index: float = Field(..., description="hotness index 0–100, see hotness_formula")
    titles: list[str]
    description: str
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


def report_json(report: DecisionReport) -> dict[str, Any]:
    def period(p: Any) -> dict[str, date]:
        return {"starts": p.starts, "ends": p.ends}

    data = asdict(report)
    region = report.region
    data.update(
        period=period(report.period),
        previous=period(report.previous),
        region={"code": region.code, "name": region.name} if region else None,
        hot=[{**asdict(h), "period": period(h.period)} for h in report.hot],
        hotness_formula=str(HOTNESS_FORMULA),
    )
    return data


def _report(request: HttpRequest, filters: PeriodQuery) -> DecisionReport:
    user = api_user(request)
    region = access_report(user=user, region_code=filters.region)
    return decision_report(user=user, period=default_period(filters.starts, filters.ends), region=region)


@router.get(
    "/reports/decision",
    response=responses(ReportOut, 403, 404),
    by_alias=True,
    summary="The decision report (决策参考): key numbers, hot issues, risks, recommendations",
)
def get_decision_report(request: HttpRequest, filters: Query[PeriodQuery]) -> dict[str, Any]:
    """Leaders, supervisors and admins (others 403); 404 alike for a region absent or out of scope; 422 for a bad
    period or a village."""
    return report_json(_report(request, filters))


@router.get(
    "/reports/decision.docx",
    response={401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="The decision report as a Word file (audited)",
    openapi_extra={
        "responses": {
            200: {
                "description": "the .docx",
                "content": {DOCX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def get_decision_report_docx(request: HttpRequest, filters: Query[PeriodQuery]) -> HttpResponse:
    """As GET /reports/decision, as an official document; every download is written to the audit log."""
    report = _report(request, filters)
    return decision_report_download(report=report, actor=api_user(request), request=request)
