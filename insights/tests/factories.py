"""Event histories for the metrics, written through the real appeal and visit services at chosen moments."""

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

from appeals.models import Appeal, AppealStatus
from appeals.services import (
    appeal_accept,
    appeal_approve_reply,
    appeal_assign,
    appeal_callback,
    appeal_decide_extension,
    appeal_merge,
    appeal_register,
    appeal_reopen,
    appeal_request_extension,
    appeal_resolve,
    appeal_resolve_on_site,
    appeal_return,
)
from appeals.tests.factories import REPLY, draft, fresh, unit_head_of
from campaigns.models import Campaign, Visit
from campaigns.services import VisitData, visit_record
from org.models import Unit, User
from tests.support import Personas

SHANGHAI = ZoneInfo("Asia/Shanghai")
GUANGHUI_VILLAGE = "522701001001"  # 广惠社区, 广惠街道, 都匀市
WENFENG_VILLAGE = "522701002001"  # 云宫社区, 文峰街道, 都匀市
FUQUAN_VILLAGE = "522702001001"  # 藜峨社区, 金山街道, 福泉市

# The region codes of the scenes (insights/tests/conftest.py) and their period, as the query string spells it.
DUYUN, FUQUAN, GUANGHUI, WENFENG = "522701000000", "522702000000", "522701001000", "522701002000"
MARCH_PARAMS = {"from": "2025-03-01", "to": "2025-04-01"}


def moment(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=SHANGHAI)


def march(day: int, hour: int = 10, minute: int = 0) -> datetime:
    return moment(3, day, hour, minute)


def registered(actor: User, when: datetime, **overrides: object) -> Appeal:
    return appeal_register(draft=draft(**overrides), actor=actor, at=when).appeal


def assign(
    dispatcher: User, appeal: Appeal, when: datetime, *, unit: Unit, co: list[int] | None = None
) -> Appeal:
    return appeal_assign(
        appeal=appeal,
        actor=dispatcher,
        expected_version=fresh(appeal).version,
        lead_unit_id=unit.pk,
        co_unit_ids=co or [],
        now=when,
    )


def accept(actor: User, appeal: Appeal, when: datetime) -> Appeal:
    return appeal_accept(appeal=appeal, actor=actor, expected_version=fresh(appeal).version, now=when)


def give_back(actor: User, appeal: Appeal, when: datetime) -> Appeal:
    return appeal_return(
        appeal=appeal,
        actor=actor,
        expected_version=fresh(appeal).version,
        reason="不属于本单位职责",
        now=when,
    )


def extend(handler: User, approver: User, appeal: Appeal, when: datetime, *, days: int) -> Appeal:
    appeal_request_extension(
        appeal=appeal,
        actor=handler,
        expected_version=fresh(appeal).version,
        days=days,
        reason="需调取工地考勤",
        now=when,
    )
    return appeal_decide_extension(
        appeal=appeal, actor=approver, expected_version=fresh(appeal).version, approve=True, now=when
    )


def resolve(actor: User, appeal: Appeal, when: datetime) -> Appeal:
    """The lead handler's reply at `when`, approved at once by the lead unit's head (DESIGN §5, 审核)."""
    resolved = appeal_resolve(
        appeal=appeal, actor=actor, expected_version=fresh(appeal).version, reply=REPLY, now=when
    )
    if resolved.status != AppealStatus.AWAITING_APPROVAL:
        return resolved
    assert resolved.lead_unit is not None
    return appeal_approve_reply(
        appeal=resolved, actor=unit_head_of(resolved.lead_unit), expected_version=resolved.version, now=when
    )


def resolve_on_site(actor: User, appeal: Appeal, when: datetime) -> Appeal:
    return appeal_resolve_on_site(
        appeal=appeal,
        actor=actor,
        expected_version=fresh(appeal).version,
        reply="经当场调解，双方已达成和解协议。",
        now=when,
    )


def callback(actor: User, appeal: Appeal, when: datetime, *, solved: bool, satisfaction: str) -> Appeal:
    return appeal_callback(
        appeal=appeal,
        actor=actor,
        expected_version=fresh(appeal).version,
        solved=solved,
        satisfaction=satisfaction,
        now=when,
    )


def reopen(dispatcher: User, appeal: Appeal, when: datetime) -> Appeal:
    return appeal_reopen(
        appeal=appeal, actor=dispatcher, expected_version=fresh(appeal).version, reason="尚未解决", now=when
    )


def merge(dispatcher: User, appeal: Appeal, into: Appeal, when: datetime) -> Appeal:
    return appeal_merge(
        appeal=appeal, actor=dispatcher, expected_version=fresh(appeal).version, into=into, now=when
    )


def handled(p: Personas, when: datetime, *, resolved_at: datetime, **overrides: object) -> Appeal:
    """Registered, assigned to 都匀市人社局, accepted within the hour and resolved at `resolved_at`."""
    appeal = registered(p.dispatcher, when, **overrides)
    assign(p.dispatcher, appeal, when, unit=p.duyun_hr)
    accept(p.handler, appeal, when.replace(minute=30))
    return resolve(p.handler, appeal, resolved_at)


def campaign(**overrides: object) -> Campaign:
    values: dict[str, object] = {
        "name": "春季大走访",
        "starts": date(2025, 3, 1),
        "ends": date(2025, 3, 31),
        "themes": ["labour.wage_arrears"],
    }
    values.update(overrides)
    return Campaign.objects.create(**values)


def visit(visitor: User, when: datetime, *, place: str, households: int = 10) -> Visit:
    data = VisitData(
        uuid=uuid.uuid4(),
        started_at=when,
        place_code=place,
        households_reached=households,
        people_met=households * 2,
        notes="入户走访，了解群众诉求。",
    )
    return visit_record(actor=visitor, data=data, now=when).visit


def min_samples(n: int, *leagues: str) -> None:
    """Let rates on as few as `n` cases count in these leagues (all by default): for scenes of a handful of items."""
    from insights.models import ScoreWeight
    from insights.selectors.rankings import APPEAL_RATES, DEFAULT_WEIGHTS

    for league in leagues or ("county", "township", "department"):
        for key in APPEAL_RATES:
            ScoreWeight.objects.update_or_create(
                league=league,
                metric=key,
                defaults={"min_sample": n},
                create_defaults={"weight": DEFAULT_WEIGHTS[key], "min_sample": n},
            )
