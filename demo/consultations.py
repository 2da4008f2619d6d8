"""The demo's consultation (征集): 都匀市委政法委 asks the public for next year's work, open from three weeks ago
for six more weeks. Its answers come in through the portal's own service, each a suggestion, in a few groups
of like suggestions told in different words (the unit's answers page groups them by similar text); two are
adopted with a public reply, so the portal, the poster's second QR code and the decision report show it."""

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from appeals.services import Reporter
from demo.appeals import mobile, person_name
from geo.models import Region
from org.models import Membership, Unit
from portal.models import Consultation, ConsultationAnswer
from portal.permissions import CONSULTATION_ROLES
from portal.services import (
    ConsultationData,
    consultation_adopt,
    consultation_answer,
    consultation_create,
    consultation_publish,
)

DEMO_TITLE = "2027年政法工作意见建议征集"
COUNTY = "522701000000"  # 都匀市
TEXT = (
    "为做好2027年政法工作，都匀市委政法委面向全市群众征集意见建议。您反映的问题和提出的建议，"
    "我们将认真研究，采纳的将在本页公布答复。"
)
SATISFACTION = ["满意", "基本满意", "不满意"]
QUESTIONS: list[dict[str, Any]] = [
    {"text": "您最希望政法机关明年重点解决的问题是什么？"},
    {"text": "您对所在村（社区）的治安状况满意吗？", "choices": SATISFACTION},
    {"text": "您对矛盾纠纷调解工作有什么建议？"},
]
# Like suggestions told in other words, as people write them; the answers page groups each set.
FIRST = (
    (
        "希望多开展反诈骗宣传，村里老人容易上当受骗",
        "建议加强防范电信诈骗的宣传，特别是针对老年人",
        "电信诈骗太多了，希望派出所多到村里讲讲怎么防骗",
        "多宣传反诈知识，老年人接到诈骗电话分不清真假",
    ),
    (
        "希望晚上加强村里的治安巡逻",
        "建议增加夜间巡逻次数，村里有时丢东西",
        "夜里巡逻的少，希望派出所多来村里巡逻",
        "加强农村夜间治安巡逻，保护群众财产安全",
    ),
    (
        "建议在村口和路口安装监控摄像头",
        "村里路口没有监控，希望多装几个摄像头",
        "希望在学校附近和主要路口增设监控",
    ),
    (
        "希望帮助农民工讨要拖欠的工资",
        "建议加大对拖欠农民工工资的打击力度",
        "外出务工被拖欠工资，希望有关部门帮忙维权",
    ),
    ("学校门口上下学时车多，希望安排交警疏导", "建议整治农村道路上的超载和酒驾"),
)
MEDIATION = (
    "希望调解员多到村里来，有矛盾及时化解",
    "调解要公平公正，不偏袒任何一方",
    "建议村里设立固定的调解室",
    "希望调解结果有人跟进落实",
    "",
)
ADOPTED = {
    "希望多开展反诈骗宣传，村里老人容易上当受骗": (
        "感谢您的建议。2027年我们将组织公安、司法等部门每季度进村开展一次反诈宣传，重点面向老年人。"
    ),
    "希望晚上加强村里的治安巡逻": (
        "感谢您的建议。我们已协调各派出所将夜间巡逻延伸到村（社区），并组织群防群治力量参与。"
    ),
}


@dataclass(frozen=True)
class DemoConsultation:
    consultation: Consultation | None
    answers: int
    adopted: int
    skipped: bool = False


def seed_demo_consultation(*, seed: int = 7) -> DemoConsultation:
    """The demo's consultation with its answers, once: a second run finds it and writes nothing."""
    unit = Unit.objects.filter(region_id=COUNTY, name__endswith="委政法委").first()
    if unit is None:
        return DemoConsultation(consultation=None, answers=0, adopted=0, skipped=True)
    found = Consultation.objects.filter(unit=unit, title=DEMO_TITLE).first()
    if found is not None:
        return DemoConsultation(consultation=found, answers=0, adopted=0, skipped=True)
    member = (
        Membership.objects.filter(unit=unit, role__in=CONSULTATION_ROLES, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    if member is None:
        return DemoConsultation(consultation=None, answers=0, adopted=0, skipped=True)
    actor = member.user
    today = timezone.localdate()
    data = ConsultationData(
        title=DEMO_TITLE,
        text=TEXT,
        starts=today - timedelta(days=21),
        ends=today + timedelta(days=42),
        questions=QUESTIONS,
    )
    created = consultation_create(actor=actor, unit=unit, data=data)
    consultation = consultation_publish(
        actor=actor, consultation=created, published=True, expected_version=created.version
    )
    rng = random.Random(seed)
    villages = list(
        Region.objects.filter(code__startswith=COUNTY[:6], level=Region.Level.VILLAGE).order_by("code")
    )
    answers = adopted = 0
    for first in (text for group in FIRST for text in group):
        village = rng.choice(villages)
        anonymous = rng.random() < 0.4
        reporter = Reporter() if anonymous else Reporter(name=person_name(rng), phone=mobile(rng))
        registered = consultation_answer(
            consultation=consultation,
            answers=[first, rng.choice(SATISFACTION), rng.choice(MEDIATION)],
            region_code=village.code,
            anonymous=anonymous,
            reporter=reporter,
        )
        answers += 1
        if first in ADOPTED:
            answer = ConsultationAnswer.objects.get(appeal=registered.appeal)
            consultation_adopt(answer=answer, adopted=True, public_reply=ADOPTED[first], actor=actor)
            adopted += 1
    return DemoConsultation(consultation=consultation, answers=answers, adopted=adopted)
