"""The decision report API: the report as JSON and as a Word file, for leaders, supervisors and admins."""

from dataclasses import asdict, replace
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from core.api import error_responses, responses
from core.officedoc import DOCX_CONTENT_TYPE
from core.period import REPORTING_DEFAULT, period_or_default
from insights.docx import decision_report_download
from insights.permissions import access_report
from insights.schemas import PeriodQuery, ReportOut
from insights.selectors.hot import HOTNESS_FORMULA
from insights.selectors.report import DecisionReport, decision_report
from org.auth import api_user

router = Router(tags=["reports"])


def report_json(report: DecisionReport) -> dict[str, Any]:
    def period(p: Any) -> dict[str, date]:
        return {"starts": p.starts, "ends": p.ends}

    data = asdict(replace(report, masses=[]))  # the consultations below, without copying their rows
    region = report.region
    data.update(
        period=period(report.period),
        previous=period(report.previous),
        region={"code": region.code, "name": region.name} if region else None,
        hot=[{**asdict(h), "period": period(h.period)} for h in report.hot],
        hotness_formula=str(HOTNESS_FORMULA),
        masses=[
            {
                "consultation_id": m.consultation.pk,
                "title": m.consultation.title,
                "unit": m.consultation.unit.name,
                "answers": m.answers,
                "adopted": m.adopted,
                "replies": m.replies,
            }
            for m in report.masses
        ],
    )
    return data


def _report(request: HttpRequest, filters: PeriodQuery) -> DecisionReport:
    user = api_user(request)
    region = access_report(user=user, region_code=filters.region)
    return decision_report(
        user=user,
        period=period_or_default(starts=filters.starts, ends=filters.ends, preset=REPORTING_DEFAULT),
        region=region,
    )


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
    response=error_responses(403, 404),
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
