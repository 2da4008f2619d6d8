"""Shapes of the oversight API: interviews (约谈), the rectification ledger (整改) and good practices (经验做法).

Input is strict like the appeals API (unknown fields and loosely typed values are refused with 422); dates are
ISO strings. Output is built from rows by the `*_out` functions below. Linked appeals are named by tracking
code and title only: these ledgers track problems, not people.
"""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from appeals.models import Appeal
from core.api import Day, ObjectId, PlainText, StrictIn
from insights.schemas import PeriodOut, RegionRef
from insights.selectors.metrics import RATE_KEYS
from oversight.models import GoodPractice, Interview, InterviewFollowUp, Rectification, RectificationUpdate
from oversight.selectors import Prefill
from oversight.services import InterviewData, PracticeData, Reason, RectificationData

InterviewStatusName = Literal["scheduled", "held", "followed_up", "closed"]
RectificationStatusName = Literal["open", "in_progress", "done", "verified"]
SourceName = Literal["case_review", "chronic_problem", "inspection", "public_opinion"]
Text200 = Annotated[str, PlainText(200)]
Note = Annotated[str, PlainText(2000)]


class RowVersionIn(StrictIn):
    version: int = Field(..., ge=1, description="the version of the row this action acts on")


# --- interviews -----------------------------------------------------------------------------------------------


class MetricReasonIn(StrictIn):
    metric: str = Field(..., max_length=40, description=f"one of {', '.join(RATE_KEYS)}")
    value: float | None = Field(..., ge=0, le=1, strict=False)
    starts: Day = Field(..., alias="from")
    ends: Day = Field(..., alias="to", description="exclusive: the period is [from, to)")

    def reason(self) -> Reason:
        return Reason(metric=self.metric, value=self.value, starts=self.starts, ends=self.ends)


class InterviewFields(StrictIn):
    held_on: Day
    place: Text200
    interviewers: Text200 = Field(..., description="the names of those who hold the interview")
    interviewee: Annotated[str, PlainText(100)] = Field(..., description="the unit's responsible person")
    summary: Annotated[str, PlainText(5000, required=False)] = ""
    commitments: list[str] = Field(..., min_length=1, max_length=30)
    follow_up_due: Day = Field(..., description="after held_on")


class InterviewIn(InterviewFields):
    unit: ObjectId = Field(..., description="the interviewed unit")
    reasons: list[MetricReasonIn] = Field(default_factory=list, max_length=len(RATE_KEYS))
    notice: ObjectId | None = Field(None, description="the notice (通报) that led to the interview")
    appeals: list[ObjectId] = Field(default_factory=list, max_length=50)

    def data(self) -> InterviewData:
        return InterviewData(
            held_on=self.held_on,
            place=self.place,
            interviewers=self.interviewers,
            interviewee=self.interviewee,
            summary=self.summary,
            commitments=tuple(self.commitments),
            follow_up_due=self.follow_up_due,
            reasons=tuple(r.reason() for r in self.reasons),
            notice_id=self.notice,
            appeal_ids=tuple(self.appeals),
        )


class InterviewEditIn(InterviewFields):
    version: int = Field(..., ge=1)

    def data(self) -> InterviewData:
        return InterviewData(
            held_on=self.held_on,
            place=self.place,
            interviewers=self.interviewers,
            interviewee=self.interviewee,
            summary=self.summary,
            commitments=tuple(self.commitments),
            follow_up_due=self.follow_up_due,
        )


class HoldIn(RowVersionIn):
    summary: Annotated[str, PlainText(5000)]


class FollowUpIn(RowVersionIn):
    on: Day
    note: Note


class LedgerQuery(Schema):
    unit: ObjectId | None = None
    starts: Day | None = Field(None, alias="from", description="on or after this day")
    ends: Day | None = Field(None, alias="to", description="on or before this day")
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(50, ge=1, le=200)


class InterviewQuery(LedgerQuery):
    status: InterviewStatusName | None = None


class PrefillQuery(Schema):
    unit: ObjectId
    starts: Day = Field(..., alias="from")
    ends: Day = Field(..., alias="to", description="exclusive")


class ReasonOut(Schema):
    metric: str
    value: float | None
    starts: date = Field(..., alias="from")
    ends: date = Field(..., alias="to")


class PrefillOut(Schema):
    unit_id: int
    rates: dict[str, float | None] = Field(..., description="every rate; null when its denominator is 0")
    reasons: list[ReasonOut] = Field(..., description="the rates that fall short, to put in `reasons`")


def prefill_out(prefill: Prefill, *, unit_id: int) -> dict[str, Any]:
    return {
        "unit_id": unit_id,
        "rates": prefill.rates,
        "reasons": [r.as_json() for r in prefill.reasons],
    }


class AppealRefOut(Schema):
    id: int
    code: str
    title: str
    status: str


def _appeals_out(appeals: list[Appeal]) -> list[dict[str, Any]]:
    return [{"id": a.pk, "code": a.code, "title": a.title, "status": a.status} for a in appeals]


class FollowUpOut(Schema):
    id: int
    on: date
    note: str
    by: str
    created_at: datetime


def follow_up_out(f: InterviewFollowUp) -> dict[str, Any]:
    return {"id": f.pk, "on": f.on, "note": f.note, "by": f.by.get_full_name(), "created_at": f.created_at}


class InterviewOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    status: InterviewStatusName
    reasons: list[ReasonOut]
    notice_id: int | None
    held_on: date
    place: str
    interviewers: str
    interviewee: str
    summary: str
    commitments: list[str]
    follow_up_due: date
    created_by: str
    created_at: datetime
    version: int


class InterviewDetailOut(InterviewOut):
    appeals: list[AppealRefOut]
    follow_ups: list[FollowUpOut]


def interview_out(i: Interview) -> dict[str, Any]:
    return {
        "id": i.pk,
        "unit_id": i.unit_id,
        "unit_name": i.unit.name,
        "status": i.status,
        "reasons": i.reasons,
        "notice_id": i.notice_id,
        "held_on": i.held_on,
        "place": i.place,
        "interviewers": i.interviewers,
        "interviewee": i.interviewee,
        "summary": i.summary,
        "commitments": i.commitments,
        "follow_up_due": i.follow_up_due,
        "created_by": i.created_by.get_full_name(),
        "created_at": i.created_at,
        "version": i.version,
    }


def interview_detail_out(i: Interview) -> dict[str, Any]:
    return interview_out(i) | {
        "appeals": _appeals_out(list(i.appeals.order_by("id"))),
        "follow_ups": [follow_up_out(f) for f in i.follow_ups.select_related("by")],
    }


# --- rectifications -------------------------------------------------------------------------------------------


class RectificationFields(StrictIn):
    source: SourceName
    problem: Note
    measures: Annotated[str, PlainText(5000, required=False)] = ""
    due: Day


class RectificationIn(RectificationFields):
    unit: ObjectId = Field(..., description="the responsible unit")
    interview: ObjectId | None = Field(None, description="the interview of the same unit it comes from")
    appeals: list[ObjectId] = Field(default_factory=list, max_length=50)

    def data(self) -> RectificationData:
        return RectificationData(
            source=self.source,
            problem=self.problem,
            measures=self.measures,
            due=self.due,
            interview_id=self.interview,
            appeal_ids=tuple(self.appeals),
        )


class RectificationEditIn(RectificationFields):
    version: int = Field(..., ge=1)

    def data(self) -> RectificationData:
        return RectificationData(
            source=self.source, problem=self.problem, measures=self.measures, due=self.due
        )


class ProgressIn(RowVersionIn):
    note: Note
    done: bool = Field(False, description="the rectification is finished: it waits for verification")


class VerifyIn(RowVersionIn):
    passed: bool = Field(..., description="false sends it back to in progress")
    note: Note


class RectificationQuery(LedgerQuery):
    status: Literal["open", "in_progress", "done", "verified", "overdue"] | None = Field(
        None, description="overdue: open or in progress past the due date"
    )
    source: SourceName | None = None


class UpdateOut(Schema):
    id: int
    note: str
    status: str = Field(..., description="the status the item reached with this update, or empty")
    by: str
    created_at: datetime


def update_out(u: RectificationUpdate) -> dict[str, Any]:
    return {
        "id": u.pk,
        "note": u.note,
        "status": u.status,
        "by": u.by.get_full_name(),
        "created_at": u.created_at,
    }


class RectificationOut(Schema):
    id: int
    source: SourceName
    unit_id: int
    unit_name: str
    problem: str
    measures: str
    due: date
    status: RectificationStatusName
    overdue: bool
    interview_id: int | None
    done_at: datetime | None
    verification_note: str
    verified_at: datetime | None
    created_by: str
    created_at: datetime
    version: int


class RectificationDetailOut(RectificationOut):
    appeals: list[AppealRefOut]
    updates: list[UpdateOut]


def rectification_out(r: Rectification) -> dict[str, Any]:
    return {
        "id": r.pk,
        "source": r.source,
        "unit_id": r.unit_id,
        "unit_name": r.unit.name,
        "problem": r.problem,
        "measures": r.measures,
        "due": r.due,
        "status": r.status,
        "overdue": r.is_overdue(),
        "interview_id": r.interview_id,
        "done_at": r.done_at,
        "verification_note": r.verification_note,
        "verified_at": r.verified_at,
        "created_by": r.created_by.get_full_name(),
        "created_at": r.created_at,
        "version": r.version,
    }


def rectification_detail_out(r: Rectification) -> dict[str, Any]:
    return rectification_out(r) | {
        "appeals": _appeals_out(list(r.appeals.order_by("id"))),
        "updates": [update_out(u) for u in r.updates.select_related("by")],
    }


# --- good practices -------------------------------------------------------------------------------------------


class PracticeFields(StrictIn):
    title: Text200
    summary: Annotated[str, PlainText(500)]
    body: Annotated[str, PlainText(20000, required=False)] = ""
    category: ObjectId | None = None
    tags: list[str] = Field(default_factory=list, max_length=10)
    period_starts: Day = Field(..., alias="from")
    period_ends: Day = Field(..., alias="to", description="exclusive: the period is [from, to)")

    def data(self) -> PracticeData:
        return PracticeData(
            title=self.title,
            summary=self.summary,
            body=self.body,
            category_id=self.category,
            tags=tuple(self.tags),
            period_starts=self.period_starts,
            period_ends=self.period_ends,
        )


class PracticeIn(PracticeFields):
    unit: ObjectId


class PracticeEditIn(PracticeFields):
    version: int = Field(..., ge=1)


class PracticeQuery(LedgerQuery):
    status: Literal["published", "draft"] | None = None
    category: str | None = Field(None, max_length=40, description="a category code")


class PracticeOut(Schema):
    id: int
    title: str
    unit_id: int
    unit_name: str
    summary: str
    body: str
    category_id: int | None
    category_name: str | None
    tags: list[str]
    period_starts: date = Field(..., alias="from")
    period_ends: date = Field(..., alias="to")
    is_published: bool
    published_at: datetime | None
    created_by: str
    created_at: datetime
    version: int


def practice_out(p: GoodPractice) -> dict[str, Any]:
    return {
        "id": p.pk,
        "title": p.title,
        "unit_id": p.unit_id,
        "unit_name": p.unit.name,
        "summary": p.summary,
        "body": p.body,
        "category_id": p.category_id,
        "category_name": p.category.name if p.category else None,
        "tags": p.tags,
        "from": p.period_starts,
        "to": p.period_ends,
        "is_published": p.is_published,
        "published_at": p.published_at,
        "created_by": p.created_by.get_full_name(),
        "created_at": p.created_at,
        "version": p.version,
    }


# --- notices (通报) ---------------------------------------------------------------------------------------


class NoticeIn(StrictIn):
    starts: Day = Field(..., alias="from", description="first day of the period (Asia/Shanghai)")
    ends: Day = Field(..., alias="to", description="the day after the last day: the period is [from, to)")
    region: str = Field(..., pattern=r"^\d{12}$", description="a prefecture or county code")

    # Dates arrive as JSON strings: strict mode would refuse every one.
    model_config = ConfigDict(extra="forbid", strict=False)


class NoticeEditIn(StrictIn):
    version: int = Field(..., ge=1, description="the version of the notice this edit acts on")
    title: str | None = Field(None, max_length=400)
    addressee: str | None = Field(None, max_length=400)
    sections: dict[str, str] = Field(
        default_factory=dict, max_length=10, description="section key → its new text (paragraphs by line)"
    )


class NoticeQuery(Schema):
    status: Literal["draft", "published"] | None = None
    region: str | None = Field(None, pattern=r"^\d{12}$", description="notices of this region's subtree")
    year: int | None = Field(None, ge=2000, le=2100, description="year of the period's first day")
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(50, ge=1, le=200)


class NoticeListItem(Schema):
    id: int
    title: str
    issuer: str
    number: str = Field(..., description="document number, empty until published")
    status: str
    version: int
    period: PeriodOut
    region: RegionRef
    created_at: datetime
    published_at: datetime | None


class NoticeOut(NoticeListItem):
    content: dict[str, Any] = Field(
        ...,
        description="addressee, as_of, definitions, and sections [{key, heading, text, tables, items}]",
    )
