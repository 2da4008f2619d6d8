"""Plain typed factories for the oversight rows, written through the real services."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from appeals.models import Appeal
from appeals.tests.factories import register
from core.period import period_between
from geo.models import Region
from insights.services import counters_refresh
from insights.tests.factories import accept, assign, handled, march, min_samples, registered, resolve
from org.models import Role, Unit, User
from org.tests.factories import make_member
from oversight.models import GoodPractice, Interview, Notice, NoticeStatus, Rectification
from oversight.services import (
    InterviewData,
    PracticeData,
    Reason,
    RectificationData,
    interview_create,
    practice_create,
    practice_publish,
    rectification_create,
)

HELD_ON = date(2025, 3, 10)
FUQUAN_VILLAGE = "522702001001"  # 藜峨社区, 金山街道, 福泉市
REASON = Reason(metric="on_time_resolution_rate", value=0.42, starts=date(2025, 2, 1), ends=date(2025, 3, 1))


def interview_data(**overrides: object) -> InterviewData:
    values: dict[str, object] = {
        "held_on": HELD_ON,
        "place": "市委政法委三楼会议室",
        "interviewers": "杨督查、黄督查",
        "interviewee": "赵局长",
        "commitments": ("一个月内清理超期件", "每周专题调度"),
        "follow_up_due": date(2025, 4, 10),
        "reasons": (REASON,),
    }
    values.update(overrides)
    return InterviewData(**values)  # type: ignore[arg-type]


def make_interview(actor: User, unit: Unit, **overrides: object) -> Interview:
    return interview_create(actor=actor, unit=unit, data=interview_data(**overrides))


def rectification_data(**overrides: object) -> RectificationData:
    values: dict[str, object] = {
        "source": "case_review",
        "problem": "案件评查发现：答复群众不及时，超期未办结",
        "measures": "建立超期件周调度制度",
        "due": date(2025, 6, 30),
    }
    values.update(overrides)
    return RectificationData(**values)  # type: ignore[arg-type]


def make_rectification(actor: User, unit: Unit, **overrides: object) -> Rectification:
    return rectification_create(actor=actor, unit=unit, data=rectification_data(**overrides))


def practice_data(**overrides: object) -> PracticeData:
    values: dict[str, object] = {
        "title": "“一站式”化解欠薪纠纷",
        "summary": "人社、法院、司法联合坐班，欠薪纠纷当场调解、当场支付。",
        "body": "做法一：……",
        "period_starts": date(2025, 3, 1),
        "period_ends": date(2025, 4, 1),
        "tags": ("欠薪", "联合调解"),
    }
    values.update(overrides)
    return PracticeData(**values)  # type: ignore[arg-type]


def make_practice(actor: User, unit: Unit, *, published: bool = False, **overrides: object) -> GoodPractice:
    practice = practice_create(actor=actor, unit=unit, data=practice_data(**overrides))
    if published:
        practice = practice_publish(actor=actor, practice=practice, published=True, expected_version=1)
    return practice


def fuquan_appeal(actor: User) -> Appeal:
    """An appeal in 福泉市, registered by someone whose scope holds it."""
    return register(actor, region_code=FUQUAN_VILLAGE)


def make_notice(author: User, *, region_code: str, published: bool) -> Notice:
    return Notice.objects.create(
        title="关于2025年3月大走访工作情况的通报",
        issuer="黔南州大走访工作领导小组办公室",
        number="黔南走访通〔2025〕1号" if published else "",
        period_starts=date(2025, 3, 1),
        period_ends=date(2025, 4, 1),
        region_id=region_code,
        status=NoticeStatus.PUBLISHED if published else NoticeStatus.DRAFT,
        created_by=author,
    )


NOW = datetime(2025, 4, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MARCH = period_between(starts=date(2025, 3, 1), ends=date(2025, 4, 1))


def history(p):
    """都匀市: two items resolved on time, one accepted and left overdue; 福泉市: one resolved late, one overdue;
    a published good practice of 都匀市人社局. The overdue items are kept on `p` for the tests to name.
    A handful of items: every rate counts from one case (the minimum sample is tested in insights)."""
    min_samples(1)
    fuquan_dispatcher = make_member(username="fq_dispatcher", unit=p.fuquan_plc, role=Role.DISPATCHER)
    handled(p, march(3), resolved_at=march(3, 15))
    handled(p, march(5), resolved_at=march(5, 16))
    overdue = registered(p.dispatcher, march(20), title="工地欠薪未结清")
    assign(p.dispatcher, overdue, march(20), unit=p.duyun_hr)
    accept(p.handler, overdue, march(20, 10, 30))
    late = registered(fuquan_dispatcher, march(6), region_code=FUQUAN_VILLAGE)
    assign(fuquan_dispatcher, late, march(6), unit=p.fuquan_hr)
    accept(p.other_handler, late, march(6, 10, 30))
    resolve(p.other_handler, late, march(12))
    far = registered(fuquan_dispatcher, march(25), region_code=FUQUAN_VILLAGE, title="拖欠工资13812345678")
    assign(fuquan_dispatcher, far, march(25), unit=p.fuquan_hr)
    accept(p.other_handler, far, march(25, 10, 30))
    make_practice(p.supervisor, p.duyun_hr, published=True)
    counters_refresh()
    overdue.refresh_from_db()
    far.refresh_from_db()
    p.overdue, p.far = overdue, far
    return p


def region(code: str) -> Region:
    return Region.objects.get(pk=code)
