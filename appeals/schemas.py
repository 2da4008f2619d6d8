"""Shapes of the appeals API. Input is strict (no unknown fields, no "yes" for true, no "5" for 5) and free
text is plain text only; output is built from model rows by the `*_out` functions below."""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import field_validator, model_validator

from appeals.models import (
    ACTIVE_STATUSES,
    Appeal,
    AppealEvent,
    AppealStatus,
    Category,
    ExtensionRequest,
    Notification,
    UnitTask,
)
from appeals.selectors import SimilarAppeal
from appeals.services import AppealDraft, Reporter, RoutingSuggestion
from core.api import Day, Matching, ObjectId, PlainText, RegionCode, StrictIn
from core.masking import mask_id_number, mask_name, mask_phone

# The values of the model's TextChoices, spelled out so that strict validation and the OpenAPI enum agree;
# appeals/tests/test_api.py checks that they stay equal.
Kind = Literal["request", "dispute", "suggestion", "inquiry", "tip"]
Source = Literal["visit", "walk_in", "letter", "phone", "web", "portal", "import"]
Colour = Literal["red", "orange", "yellow", "blue"]
StatusName = Literal[
    "registered", "assigned", "in_progress", "awaiting_approval", "resolved", "closed", "merged"
]
SatisfactionName = Literal["satisfied", "basically_satisfied", "unsatisfied"]
CallbackMethod = Literal["phone", "visit", "sms"]
TaskStatusFilter = Literal["assigned", "accepted"]
Order = Literal["newest", "due"]

Title = Annotated[str, PlainText(100)]
Description = Annotated[str, PlainText(5000)]
Address = Annotated[str, PlainText(200, required=False)]
Reason = Annotated[str, PlainText(500)]
OptionalReason = Annotated[str, PlainText(500, required=False)]
Reply = Annotated[str, PlainText(5000)]
OptionalReply = Annotated[str, PlainText(5000, required=False)]
NoteText = Annotated[str, PlainText(2000)]
# The service stores a rejection as "不予受理：<reason>" in a 500-character column.
RejectReason = Annotated[str, PlainText(500 - len("不予受理："))]
PersonName = Annotated[str, PlainText(50, required=False)]
SearchText = Annotated[str, PlainText(50, required=False)]
Phone = Annotated[str, Matching(r"([0-9+\- ]{5,20})?", "电话号码应为5至20位，只能包含数字、+、- 和空格")]
IdNumber = Annotated[
    str, Matching(r"(\d{15}|\d{17}[0-9Xx])?", "身份证号应为15位数字，或17位数字加1位数字或X")
]
CategoryCode = Annotated[str, Matching(r"[A-Za-z0-9_.\-]{1,40}", "分类代码格式不正确")]
PolicyCode = Annotated[str, Matching(r"[A-Za-z0-9_.\-]{1,32}", "办理时限代码格式不正确")]


# --- input --------------------------------------------------------------------------------------------------


class ReporterIn(StrictIn):
    name: PersonName = ""
    phone: Phone = ""
    id_number: IdNumber = ""


class AppealIn(StrictIn):
    kind: Kind
    source: Source
    title: Title
    description: Description
    region_code: RegionCode
    category: CategoryCode
    risk_colour: Colour | None = Field(None, description="disputes only")
    address: Address = ""
    parties_count: int = Field(1, ge=1, le=100_000)
    anonymous: bool = False
    reporter: ReporterIn | None = None
    on_site_reply: OptionalReply = Field("", description="the reply when it was resolved on the spot")

    def draft(self) -> AppealDraft:
        reporter = self.reporter or ReporterIn()
        return AppealDraft(
            kind=self.kind,
            source=self.source,
            title=self.title,
            description=self.description,
            region_code=self.region_code,
            category_code=self.category,
            risk_colour=self.risk_colour or "",
            address=self.address,
            parties_count=self.parties_count,
            anonymous=self.anonymous,
            reporter=Reporter(name=reporter.name, phone=reporter.phone, id_number=reporter.id_number),
        )


class SuggestIn(StrictIn):
    """What the registration form has so far: the models read the title and the description."""

    title: Title
    description: Annotated[str, PlainText(5000, required=False)] = ""
    region_code: RegionCode


class VersionIn(StrictIn):
    version: int = Field(..., ge=1, description="the version of the appeal this action acts on")


class AssignIn(VersionIn):
    lead_unit: ObjectId
    co_units: list[ObjectId] = Field(default_factory=list, max_length=20)
    policy: PolicyCode | None = None


class ReasonIn(VersionIn):
    reason: Reason


class RejectIn(VersionIn):
    reason: RejectReason


class ExtendIn(VersionIn):
    days: int = Field(..., ge=1, le=365)
    reason: Reason


class DecisionIn(VersionIn):
    note: OptionalReason = ""


class NoteIn(VersionIn):
    text: NoteText


class ResolveIn(VersionIn):
    reply: Reply


class ReclassifyIn(VersionIn):
    """改类: any of category, kind and risk colour (an empty colour clears it), with the reason."""

    category: CategoryCode | None = None
    kind: Kind | None = None
    risk_colour: Colour | Literal[""] | None = Field(None, description="disputes only; empty clears it")
    reason: Reason


class CoUnitsIn(VersionIn):
    """调整配合单位: units to add (deadlines from now) and co-units to drop, with the reason."""

    add: list[ObjectId] = Field(default_factory=list, max_length=20)
    remove: list[ObjectId] = Field(default_factory=list, max_length=20)
    reason: Reason


class CallbackIn(VersionIn):
    solved: bool
    satisfaction: SatisfactionName
    method: CallbackMethod = "phone"
    note: OptionalReason = ""


class SimilarIn(StrictIn):
    """A text not yet saved (the registration form asks before saving)."""

    title: Title
    description: Description
    region_code: RegionCode


class MergeIn(VersionIn):
    into: ObjectId


class CloseIn(VersionIn):
    reason: OptionalReason = ""


class SuperviseIn(VersionIn):
    reason: Reason
    days: int | None = Field(None, ge=1, le=60, description="working days until the unit must report")


class NotificationsReadIn(StrictIn):
    ids: list[ObjectId] = Field(default_factory=list, max_length=500)
    all: bool = False

    @model_validator(mode="after")
    def _ids_or_all(self) -> "NotificationsReadIn":
        if not self.ids and not self.all:
            raise ValueError("请指定要标为已读的通知（ids），或选择全部（all）")
        return self


class AppealQuery(Schema):
    """Query parameters of the appeal list; every one narrows the list of appeals the user may see."""

    status: list[StatusName] = Field(
        default_factory=list, description="repeat the parameter or separate with commas"
    )
    unit: ObjectId | None = Field(None, description="appeals in which this unit has an open task")
    task_status: TaskStatusFilter | None = Field(None, description="with `unit`: that unit's task status")
    lead_unit: ObjectId | None = Field(None, description="appeals whose lead unit this is")
    region: str | None = Field(None, pattern=r"^\d{2,12}$", description="region code prefix (subtree)")
    kind: Kind | None = None
    category: CategoryCode | None = Field(None, description="a level-1 or level-2 category code")
    not_category: list[CategoryCode] = Field(
        default_factory=list, max_length=50, description="leave these categories out (repeat the parameter)"
    )
    risk_colour: Colour | Literal["none"] | None = Field(
        None, description="`none`: registered without a colour"
    )
    created_from: Day | None = Field(None, alias="from", description="registered on or after this day")
    created_to: Day | None = Field(
        None, alias="to", description="registered on or before this day (included)"
    )
    source: Source | None = None
    overdue: bool | None = None
    returned: bool | None = Field(None, description="sent back by the lead unit, waiting for dispatch")
    awaiting_decision: bool | None = Field(
        None, description="unsatisfied callback, waiting for the dispatcher"
    )
    q: SearchText | None = Field(None, description="title or description contains, or the exact code")
    order: Order = "newest"
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(50, ge=1, le=200)

    @field_validator("status", mode="before")
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        values = value if isinstance(value, list) else [value]
        return [part.strip() for v in values for part in str(v).split(",") if part.strip()]


class NotificationFilters(Schema):
    unread: bool | None = None
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(50, ge=1, le=200)


# --- output -------------------------------------------------------------------------------------------------


class CategoryOut(Schema):
    code: str
    name: str
    parent_code: str | None
    is_campaign_theme: bool

    @staticmethod
    def resolve_parent_code(obj: Category) -> str | None:
        return obj.parent.code if obj.parent else None


class PolicyOut(Schema):
    code: str
    name: str
    sign_amount: int
    sign_clock: str
    resolve_amount: int
    resolve_clock: str
    extension_cap: int = Field(..., description="0: no extension may be granted")
    extension_clock: str


class AppealOut(Schema):
    """An appeal as every list, create and action answers it."""

    id: int
    code: str
    kind: str
    source: str
    status: str
    status_name: str
    title: str
    category: str
    category_name: str
    region_code: str
    region_name: str
    risk_colour: str | None
    lead_unit_id: int | None
    lead_unit_name: str | None
    policy: str | None
    sign_due: datetime | None
    resolve_due: datetime | None
    overdue: bool = Field(..., description="being worked on and past its resolve deadline")
    resolved_on_site: bool
    awaiting_decision: bool
    version: int
    created_at: datetime
    warnings: list[str] = Field(
        default_factory=list,
        description="what the action did that someone should look at (a unit without staff)",
    )


class AppealListItem(AppealOut):
    pass


class SimilarItemOut(Schema):
    id: int
    code: str
    title: str
    status: StatusName
    score: float = Field(
        ..., description="0–1, how surely it is the same problem; only those above the threshold"
    )


class SimilarOut(Schema):
    items: list[SimilarItemOut]


class AppealCreated(AppealOut):
    secret: str = Field(
        ..., description="shown this once: the citizen follows the appeal with code and secret"
    )


class MaskedReporterOut(Schema):
    name: str
    phone: str
    id_number: str


class ReporterOut(Schema):
    name: str
    phone: str
    id_number: str


class TaskOut(Schema):
    unit_id: int
    unit_name: str
    role: str
    status: str
    sign_due: datetime
    resolve_due: datetime
    accepted_at: datetime | None
    done_at: datetime | None
    report: str

    @staticmethod
    def resolve_unit_name(obj: UnitTask) -> str:
        return obj.unit.name


class UnitRefOut(Schema):
    id: int
    name: str


class RoutingOut(Schema):
    lead_unit_id: int | None
    lead_unit_name: str | None
    co_units: list[UnitRefOut]


class SuggestedCategoryOut(Schema):
    code: str
    name: str
    confidence: float = Field(..., ge=0, le=1)


class SuggestedUnitOut(Schema):
    id: int
    name: str
    confidence: float = Field(..., ge=0, le=1)


class SuggestionsOut(Schema):
    """Top 3 each, likeliest first; an empty list means no suggestion (暂无建议): no model is sure enough."""

    categories: list[SuggestedCategoryOut]
    lead_units: list[SuggestedUnitOut]


class PendingExtensionOut(Schema):
    days: int
    reason: str
    requested_at: datetime


class AppealDetail(AppealOut):
    description: str
    address: str
    parties_count: int
    anonymous: bool
    reporter: MaskedReporterOut | None = Field(..., description="masked; null when anonymous")
    reply: str
    close_reason: str
    duplicate_of: str | None = Field(..., description="the code of the appeal this one was merged into")
    duplicate_of_id: int | None
    tasks: list[TaskOut]
    allowed_actions: list[str]
    routing_suggestion: RoutingOut | None = Field(..., description="only while the appeal waits for dispatch")
    pending_extension: PendingExtensionOut | None


class EventOut(Schema):
    id: int
    kind: str
    kind_name: str
    at: datetime
    actor_name: str | None = Field(..., description="null: the system or a citizen")
    unit_name: str | None
    data: dict[str, Any]

    @staticmethod
    def resolve_kind_name(obj: AppealEvent) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_actor_name(obj: AppealEvent) -> str | None:
        return obj.actor.get_full_name() if obj.actor else None

    @staticmethod
    def resolve_unit_name(obj: AppealEvent) -> str | None:
        return obj.unit.name if obj.unit else None


class NotificationOut(Schema):
    id: int
    kind: str
    kind_name: str
    message: str
    appeal_id: int | None
    appeal_code: str | None
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_kind_name(obj: Notification) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_appeal_code(obj: Notification) -> str | None:
        return obj.appeal.code if obj.appeal else None


class CountOut(Schema):
    count: int


class UpdatedOut(Schema):
    updated: int


# --- presenters ------------------------------------------------------------------------------------------


def appeal_out(appeal: Appeal, *, now: datetime) -> dict[str, Any]:
    """The AppealOut fields of an appeal; expects category, region, lead_unit and policy already joined."""
    return {
        "id": appeal.pk,
        "code": appeal.code,
        "kind": appeal.kind,
        "source": appeal.source,
        "status": appeal.status,
        "status_name": str(appeal.get_status_display()),
        "title": appeal.title,
        "category": appeal.category.code,
        "category_name": appeal.category.name,
        "region_code": appeal.region_id,
        "region_name": appeal.region.name,
        "risk_colour": appeal.risk_colour or None,
        "lead_unit_id": appeal.lead_unit_id,
        "lead_unit_name": appeal.lead_unit.name if appeal.lead_unit else None,
        "policy": appeal.policy.code if appeal.policy else None,
        "sign_due": appeal.sign_due,
        "resolve_due": appeal.resolve_due,
        "overdue": appeal.status in ACTIVE_STATUSES
        and appeal.resolve_due is not None
        and appeal.resolve_due < now,
        "resolved_on_site": appeal.resolved_on_site,
        "awaiting_decision": appeal.awaiting_decision,
        "version": appeal.version,
        "created_at": appeal.created_at,
    }


def reporter_masked(appeal: Appeal) -> dict[str, str] | None:
    if appeal.anonymous:
        return None
    return {
        "name": mask_name(appeal.reporter_name),
        "phone": mask_phone(appeal.reporter_phone),
        "id_number": mask_id_number(appeal.reporter_id_number),
    }


def appeal_detail_out(
    appeal: Appeal,
    *,
    now: datetime,
    tasks: Sequence[UnitTask],
    actions: Sequence[str],
    routing: RoutingSuggestion | None,
    pending: ExtensionRequest | None,
) -> dict[str, Any]:
    duplicate_of = appeal.duplicate_of
    return {
        **appeal_out(appeal, now=now),
        "description": appeal.description,
        "address": appeal.address,
        "parties_count": appeal.parties_count,
        "anonymous": appeal.anonymous,
        "reporter": reporter_masked(appeal),
        "reply": appeal.reply,
        "close_reason": appeal.close_reason,
        "duplicate_of": duplicate_of.code if duplicate_of else None,
        "duplicate_of_id": appeal.duplicate_of_id,
        "tasks": list(tasks),
        "allowed_actions": list(actions),
        "routing_suggestion": routing_out(routing)
        if routing and appeal.status == AppealStatus.REGISTERED
        else None,
        "pending_extension": (
            {"days": pending.amount, "reason": pending.reason, "requested_at": pending.requested_at}
            if pending
            else None
        ),
    }


def routing_out(routing: RoutingSuggestion) -> dict[str, Any] | None:
    if routing.lead is None and not routing.co_units:
        return None
    return {
        "lead_unit_id": routing.lead.pk if routing.lead else None,
        "lead_unit_name": routing.lead.name if routing.lead else None,
        "co_units": [{"id": u.pk, "name": u.name} for u in routing.co_units],
    }


def similar_out(similar: SimilarAppeal) -> dict[str, Any]:
    appeal = similar.appeal
    return {
        "id": appeal.pk,
        "code": appeal.code,
        "title": appeal.title,
        "status": appeal.status,
        "score": similar.score,
    }
