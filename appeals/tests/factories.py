"""Plain typed factories for appeals, driven through the real services."""

from datetime import datetime

from appeals.models import Appeal
from appeals.services import (
    AppealDraft,
    Reporter,
    appeal_accept,
    appeal_approve_reply,
    appeal_assign,
    appeal_register,
)
from org.models import Membership, Role, Unit, User
from org.tests.factories import make_member

DUYUN_VILLAGE = "522701001001"  # 广惠社区, 广惠街道, 都匀市
FUQUAN = "522702000000"

# A reply that answers: what was done and the result (a stock "已办" is refused, DESIGN §5).
REPLY = "经核查，用人单位已于本周将拖欠的工资全额支付，当事人确认收到。"

# The columns of an appeal row in the Excel exports of the queues and the list (appeals.views.queues).
CODE, REGISTERED, REPORTER, REPORTER_PHONE = 0, 9, 10, 11


def draft(**overrides: object) -> AppealDraft:
    values: dict[str, object] = {
        "kind": "request",
        "source": "visit",
        "title": "春节前讨要工资",
        "description": "在某建筑工地务工八个月，老板拖欠工资三万二千元，春节前急需回家。",
        "region_code": DUYUN_VILLAGE,
        "category_code": "labour.wage_arrears",
        "reporter": Reporter(name="张三", phone="13812345678", id_number="52270119800101123X"),
    }
    values.update(overrides)
    return AppealDraft(**values)  # type: ignore[arg-type]


def register(actor: User, *, at: datetime | None = None, **overrides: object) -> Appeal:
    return appeal_register(draft=draft(**overrides), actor=actor, at=at).appeal


def fresh(appeal: Appeal) -> Appeal:
    return Appeal.objects.get(pk=appeal.pk)


def assigned(
    personas, *, at: datetime | None = None, co: list[int] | None = None, **overrides: object
) -> Appeal:
    appeal = register(personas.dispatcher, at=at, **overrides)
    return appeal_assign(
        appeal=appeal,
        actor=personas.dispatcher,
        expected_version=appeal.version,
        lead_unit_id=personas.duyun_hr.pk,
        co_unit_ids=co or [],
        now=at,
    )


def accepted(personas, *, at: datetime | None = None, **overrides: object) -> Appeal:
    appeal = assigned(personas, at=at, **overrides)  # type: ignore[arg-type]
    return appeal_accept(appeal=appeal, actor=personas.handler, expected_version=appeal.version, now=at)


def ensure_reference() -> None:
    """The calendar and the appeals reference data, as the data migrations load them."""
    from appeals.models import Category, DeadlinePolicy, RoutingRule
    from appeals.services.reference import reference_load
    from core.models import CalendarYear
    from core.workcalendar import calendar_load_library

    if not CalendarYear.objects.exists():
        calendar_load_library()
    if not DeadlinePolicy.objects.exists():
        reference_load(policy_model=DeadlinePolicy, category_model=Category, rule_model=RoutingRule)


def unit_head_of(unit: Unit) -> User:
    """The head of a unit, who approves its replies; one is appointed when the unit has none yet."""
    membership = Membership.objects.filter(unit=unit, role=Role.UNIT_HEAD).select_related("user").first()
    if membership is not None:
        return membership.user
    return make_member(username=f"head_{unit.pk}", unit=unit, role=Role.UNIT_HEAD)


def approved(appeal: Appeal, *, now: datetime | None = None) -> Appeal:
    """The reply waiting for approval, approved by the lead unit's head."""
    assert appeal.lead_unit is not None
    return appeal_approve_reply(
        appeal=appeal, actor=unit_head_of(appeal.lead_unit), expected_version=fresh(appeal).version, now=now
    )
