"""The 黔南州 demo appeals: items across the 12 counties in every state of DESIGN §5, dated over the last four
months and driven through the real services, so that every timeline is one the workflow allows.

Each item is given the state it should end in (new, returned, in progress, extension pending, overdue, closed
after a satisfied callback, merged, ...); a script of service calls gets it there, each call at a moment in the
past computed from the deadlines the services set, by the demo cadres of demo/units.py. The scripts of all items
run interleaved in time order with the deadline sweep every twelve hours, as the periodic job would have run,
so late items carry their urges and escalations where they happened. Texts come from templates for the
campaign's themes, filled with real village and township names and with names, phones and amounts from a
seeded generator: given the same `today`, a run yields the same appeals.

Idempotence: the demo appeals are those registered by the demo dispatchers and visitors; when any exists the
seeding does nothing. A database in which these accounts already registered appeals is therefore left alone.
"""

import heapq
import random
import string
import time
from collections import Counter
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import count as counter
from typing import Any

from django.db import transaction
from django.utils import timezone

from appeals.models import (
    Appeal,
    AppealKind,
    AppealSource,
    AppealStatus,
    Callback,
    Category,
    DeadlinePolicy,
    Satisfaction,
)
from appeals.services import (
    AppealDraft,
    Reporter,
    appeal_accept,
    appeal_approve_reply,
    appeal_assign,
    appeal_callback,
    appeal_close,
    appeal_decide_extension,
    appeal_merge,
    appeal_note,
    appeal_register,
    appeal_reject,
    appeal_reject_reply,
    appeal_reopen,
    appeal_request_extension,
    appeal_resolve,
    appeal_return,
    appeal_supervise,
    policy_for,
    routing_suggest,
    sweep_deadlines,
)
from core.errors import DomainError
from core.workcalendar import BEIJING, Clock, WorkCalendar
from demo.units import (
    COUNTIES,
    GIVEN_CHARACTERS,
    MOBILE_PREFIXES,
    PREFECTURE_CODE,
    STAFFED_TOWNSHIPS,
    SURNAMES,
)
from geo.models import Region
from org.models import Membership, Role, Unit, UnitKind, User

# The services cost about 7 ms a call on SQLite (DESIGN's embedded default) on the reference 2-core machine,
# six calls an item on average: this many keeps the whole `seed_demo` near 20 s (docs/benchmarks.md).
DEMO_APPEALS = 500
DEMO_DAYS = 120
DEMO_SEED = 5227_2027
SWEEP_EVERY = timedelta(hours=12)

# --- texts ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Theme:
    category: str
    kind: AppealKind
    weight: int
    titles: tuple[str, ...]
    descriptions: tuple[str, ...]
    replies: tuple[str, ...]
    risks: str = ""  # disputes: colours to draw from, r o y b, repeated for weight
    parties: tuple[int, int] = (1, 1)
    township_led: bool = False  # routed to the township government: often placed in a staffed township


THEMES: tuple[Theme, ...] = (
    Theme(
        "labour.wage_arrears",
        AppealKind.REQUEST,
        16,
        (
            "{village}{n}名农民工在{place}务工被拖欠工资{amount}元",
            "春节前返乡农民工讨薪：{place}{project}项目拖欠工资",
            "{township}籍农民工反映{place}{project}工地欠薪{amount}元",
        ),
        (
            "反映人称，今年{month}月起与同村{n}人在{place}{project}项目做{trade}，包工头{boss}以工程款未到位为由，"
            "至今拖欠工资共计{amount}元。春节临近大家急着回家过年，多次电话催要对方一直推脱，请求政府帮助讨回工资。",
            "{village}{group}村民{other}等{n}人在{place}{project}务工，约定按月结算，现已{months}个月未发工资，"
            "欠款合计{amount}元。项目即将完工，担心老板年前“跑路”，希望人社部门尽快介入。",
        ),
        (
            "经{county}人社局约谈用工单位和劳务包工头{boss}，已督促结清{n}名农民工工资共计{amount}元，反映人确认已全部收到。",
            "已会同司法所为农民工提供法律援助，施工总承包单位从工资保证金中先行垫付{amount}元，欠薪问题已解决。",
        ),
        parties=(3, 40),
    ),
    Theme(
        "land.boundary",
        AppealKind.DISPUTE,
        9,
        (
            "{village}{group}与{village2}{group2}山林地界纠纷",
            "{township}两个村民组因{hill}林地边界发生争执",
        ),
        (
            "{village}{group}村民{other}与{village2}{group2}村民{other2}因{hill}一片约{area}亩杉木林的地界发生争议，"
            "双方各持林权证，四至描述不一致。近日一方上山砍伐林木，双方发生推搡，矛盾有激化苗头，请求尽快勘界调处。",
            "反映人称，{hill}的山林在划分责任山时只有口头约定，现{village2}村民在争议林地内栽种茶树约{area}亩，"
            "双方多次争吵，村里调解未果。",
        ),
        (
            "{township}会同自然资源所、司法所组织双方现场踏勘，依据林权证和历史界线确定了边界，双方签订调解协议，已埋设界桩。",
            "经调取林权档案、现场勘界，争议林地{area}亩按原责任山界线划分，双方认可调处意见。",
        ),
        risks="oooyyyyyb",
        parties=(2, 30),
        township_led=True,
    ),
    Theme(
        "land.ownership",
        AppealKind.DISPUTE,
        4,
        (
            "{village}村民对承包地确权面积有异议",
            "{other}与{other2}承包地边界重叠纠纷",
        ),
        (
            "反映人称，其家承包地在确权登记时少登记约{area}亩，与邻居{other}的地块重叠，多次向村委会反映未得到解决。",
        ),
        ("自然资源所会同村委会重新测量，更正了确权面积，已向反映人说明并更新登记信息。",),
        risks="oyyyb",
        parties=(2, 4),
    ),
    Theme(
        "family.conflict",
        AppealKind.DISPUTE,
        9,
        (
            "{village}{other}夫妻矛盾激化，需及时介入",
            "{village}村民{other}家庭因{family_reason}引发矛盾",
        ),
        (
            "走访中了解到，{village}{group}村民{other}与妻子因{family_reason}长期争吵，近日{other}酒后扬言要“同归于尽”，"
            "妻子已带孩子回娘家。邻居担心发生意外，请求村、镇和派出所尽快介入调解。",
            "反映人称，其{relative}{other}因{family_reason}与家人关系紧张，多次发生肢体冲突，家中老人和孩子无人照料，"
            "存在“民转刑”风险。",
        ),
        (
            "镇综治中心会同派出所、司法所上门调解，双方达成和解并签订调解协议，村“两委”明确专人每周回访，矛盾已化解。",
            "已对当事人开展法治教育和心理疏导，落实网格员跟踪稳控，家庭关系已缓和。",
        ),
        risks="rroooooyyy",
        parties=(2, 5),
        township_led=True,
    ),
    Theme(
        "neighbour.dispute",
        AppealKind.DISPUTE,
        8,
        (
            "{other}与{other2}因{neighbour_reason}发生纠纷",
            "{village}{group}邻里因{neighbour_reason}产生矛盾",
        ),
        (
            "{village}{group}村民{other}与邻居{other2}因{neighbour_reason}问题多次发生口角，双方互不相让，"
            "已影响正常生产生活，希望村里和司法所组织调解。",
        ),
        ("司法所和村调委会组织双方现场调解，{neighbour_reason}问题按协商方案处理，双方签字确认。",),
        risks="oyyyyyybb",
        parties=(2, 6),
        township_led=True,
    ),
    Theme(
        "infrastructure.roads",
        AppealKind.REQUEST,
        8,
        (
            "{village}{group}通组路雨季塌方，出行困难",
            "{township}至{village}公路路面破损严重",
        ),
        (
            "反映人称，{village}{group}通组路约{km}公里，今年雨季多处塌方、路面坑洼，群众运送农产品和学生上学都很困难，"
            "希望尽快安排维修。",
            "{township}至{village}的通村公路修建多年，路面破损，会车困难，近期发生过{n}起车辆侧滑事故，请求修补并加装护栏。",
        ),
        ("已组织养护队伍清理塌方、修补路面{km}公里，危险路段增设波形护栏和警示标志，道路已恢复通行。",),
        parties=(1, 60),
    ),
    Theme(
        "infrastructure.water",
        AppealKind.REQUEST,
        7,
        (
            "{village}{group}{n}户群众饮水困难",
            "{village}饮水工程水管破裂长期未修",
        ),
        (
            "{village}{group}饮水工程水管老化破裂，进入枯水期后水池供水不足，{n}户群众已断水{days}天，"
            "只能到{distance}米外的水井挑水，请求尽快维修供水管网。",
        ),
        ("已更换破损主管{distance}米，新建蓄水池一个，{n}户群众已恢复正常供水。",),
        parties=(1, 80),
    ),
    Theme(
        "education.fees",
        AppealKind.REQUEST,
        5,
        (
            "{township}{school}违规收取{fee_item}",
            "反映{township}{school}收费问题",
        ),
        (
            "反映人称，{township}{school}本学期向学生收取{fee_item}每人{fee}元，未公示收费依据，家长对此有意见，"
            "请求核实是否属于违规收费。",
        ),
        (
            "经核查，该校收取{fee_item}未按规定公示，已责令退还多收费用并公开收费标准，相关负责人已作出检讨。",
            "经核查，{fee_item}属于按规定自愿订购的服务性收费，已向家长公开收费依据并说明情况。",
        ),
    ),
    Theme(
        "security.fraud",
        AppealKind.REQUEST,
        6,
        (
            "{other}遭遇“{fraud}”诈骗损失{amount}元",
            "{village}村民被“{fraud}”骗走{amount}元",
        ),
        (
            "反映人称，{month}月其家人{other}在手机上接到自称{fraud_who}的人联系，按对方要求以“{fraud}”名义陆续转账"
            "{amount}元后发现被骗，已向派出所报案，希望追回损失。",
        ),
        ("公安机关已受理立案，冻结涉案账户部分资金并依法返还，同时在{village}开展反诈宣传进村入户。",),
    ),
    Theme(
        "suggestion.development",
        AppealKind.SUGGESTION,
        4,
        (
            "建议在{village}增设{facility}",
            "关于{township}{facility}建设的建议",
        ),
        (
            "{village}常住人口较多，目前没有{facility}，群众生产生活很不方便。建议结合乡村振兴项目在村委会附近增设{facility}。",
        ),
        (
            "已采纳该建议，{facility}建设已纳入{township}明年乡村振兴项目计划。",
            "感谢您的建议，已转相关部门研究，将结合资金安排逐步实施。",
        ),
    ),
    Theme(
        "suggestion.public_service",
        AppealKind.SUGGESTION,
        2,
        ("建议开通{township}至{county}的农村客运班线",),
        ("{village}距{county}城区较远，目前每天只有一班车，群众看病、赶集很不方便，建议增开农村客运班次。",),
        ("已协调客运企业增开班次，每日往返由1班增至3班。",),
    ),
    Theme(
        "labour.social_insurance",
        AppealKind.INQUIRY,
        3,
        (
            "咨询城乡居民养老保险缴费档次",
            "咨询外出务工人员医保异地就医备案",
        ),
        ("反映人{age}岁，常年在外务工，想了解城乡居民养老保险的缴费档次、政府补贴标准和补缴办法。",),
        ("已电话告知缴费档次、政府补贴标准及办理渠道，反映人表示清楚。",),
    ),
    Theme(
        "welfare.assistance",
        AppealKind.REQUEST,
        3,
        ("{village}困难群众申请临时救助",),
        ("{village}{group}村民{other}家中{hardship}，生活困难，希望申请临时救助和低保。",),
        ("经入户核实，已为其家庭办理临时救助{fee}元，并按程序纳入低保审核。",),
    ),
    Theme(
        "security.gang_tip",
        AppealKind.TIP,
        2,
        ("反映{township}有人非法放贷、暴力催收",),
        ("反映人称，{township}一带有人以高额利息放贷，并纠集人员上门暴力催收，多户群众受到威胁。",),
        ("公安机关已对线索开展核查，对涉嫌违法人员依法处理，查处情况已按规定反馈。",),
    ),
    Theme(
        "justice.litigation",
        AppealKind.REQUEST,
        2,
        ("对土地承包纠纷判决不服要求复查",),
        ("反映人称，其与{other}的土地承包纠纷已由法院作出判决，认为判决认定事实有误，要求有关部门复查。",),
        ("已依法告知通过申请再审途径解决，并安排律师提供法律咨询。",),
    ),
)

WORDS: dict[str, tuple[str, ...]] = {
    "place": (
        "都匀经济开发区",
        "贵阳市观山湖区",
        "广东省东莞市",
        "浙江省宁波市",
        "福泉市马场坪",
        "龙里县谷脚镇",
        "贵阳市白云区",
        "福建省晋江市",
    ),
    "project": ("安置房", "高速公路", "标准化厂房", "乡村道路硬化", "学校教学楼", "商品房小区", "污水处理厂"),
    "trade": ("钢筋工", "木工", "泥水工", "小工", "架子工"),
    "hill": ("老虎坡", "大坡脚", "岩脚湾", "杉木冲", "干田坝", "黄泥坳", "青杠林", "背后坡"),
    "family_reason": ("外出务工收入分配", "赌博欠债", "赡养老人", "彩礼返还", "子女抚养", "酗酒"),
    "relative": ("弟弟", "侄子", "女儿", "姐姐", "儿子"),
    "neighbour_reason": (
        "建房滴水",
        "宅基地边界",
        "排水沟改道",
        "鸡鸭啃食庄稼",
        "堆放柴草杂物",
        "修路占地",
        "共用水井",
    ),
    "school": ("中心小学", "中学", "民族中学", "第二小学", "中心幼儿园"),
    "fee_item": ("资料费", "校服费", "课后服务费", "住宿费", "午餐费"),
    "fraud": ("刷单返利", "冒充客服退款", "虚假投资理财", "冒充公检法", "网络贷款", "游戏装备交易"),
    "fraud_who": ("电商客服", "公安民警", "投资导师", "贷款平台工作人员"),
    "facility": ("路灯", "公交站点", "垃圾收集点", "健身器材", "农产品冷库", "电商服务站", "村级卫生室"),
    "hardship": ("因病致贫", "房屋失火", "主要劳动力意外伤残"),
    "group": tuple(f"{n}组" for n in "一二三四五六七八九十"),
}

NUMBERS: dict[str, tuple[int, int, int]] = {  # low, high, step
    "n": (3, 25, 1),
    "amount": (20000, 480000, 100),
    "area": (3, 120, 1),
    "km": (2, 9, 1),
    "days": (3, 20, 1),
    "distance": (300, 2000, 50),
    "fee": (80, 600, 10),
    "month": (1, 10, 1),
    "months": (2, 8, 1),
    "age": (38, 59, 1),
}

RETURN_REASONS = ("该事项不属于本单位职责范围，请改派", "经核实该事项应由属地乡镇牵头办理，申请退回重新交办")
REJECT_REASONS = (
    "反映事项已进入诉讼程序，依法应通过诉讼途径解决",
    "反映事项已依法办结并答复，无新的事实和理由",
    "不属于本系统受理范围，已告知向有关部门反映",
)
EXTENSION_REASONS = (
    "需调取档案并组织现场勘查，申请延期",
    "涉事单位负责人外出，需进一步协调",
    "维修材料采购和施工需要时间，申请延期",
)
NOTES = (
    "已联系反映人了解情况，正在调查核实。",
    "已约谈相关当事人，正在协调处理。",
    "已开展现场核查，形成初步处理意见。",
)
REOPEN_REASONS = ("回访不满意：问题只解决了一部分，剩余部分未落实", "回访不满意：承诺的整改措施至今未兑现")
SUPERVISE_REASON = "已超过办理时限，请于3个工作日内办结并报送情况"
REPLY_SENT_BACK = "答复未写明办理依据和后续安排，请补充后重新提交"
CLOSE_REASON = "连续三次电话回访未接通，已短信告知办理结果"
_FORMATTER = string.Formatter()


def _fields(*templates: str) -> set[str]:
    return {name for template in templates for _, name, _, _ in _FORMATTER.parse(template) if name}


def place_name(region: Region) -> str:
    """广惠社区 for 广惠社区居民委员会, 扬拱村 for 扬拱村村民委员会: the name people say."""
    return region.name.removesuffix("居民委员会").removesuffix("村民委员会").removesuffix("委员会")


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN_CHARACTERS, k=rng.choice((1, 2, 2))))


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


@dataclass(frozen=True)
class Place:
    village: Region
    township: Region
    county: Region
    neighbour: Region  # another village of the same township, for two-party disputes


@dataclass(frozen=True)
class Text:
    title: str
    description: str
    reply: str


def compose(theme: Theme, place: Place, rng: random.Random) -> Text:
    """A title, description and reply for one item of `theme` in `place`, sharing names and amounts."""
    title, description, reply = (
        rng.choice(theme.titles),
        rng.choice(theme.descriptions),
        rng.choice(theme.replies),
    )
    values: dict[str, object] = {}
    for name in _fields(title, description, reply):
        if name in WORDS:
            values[name] = rng.choice(WORDS[name])
        elif name in NUMBERS:
            low, high, step = NUMBERS[name]
            values[name] = rng.randrange(low, high + 1, step)
        elif name in ("other", "other2", "boss"):
            values[name] = person_name(rng) if name != "boss" else rng.choice(SURNAMES) + "某"
    groups = WORDS["group"]
    values |= {
        "village": place_name(place.village),
        "village2": place_name(place.neighbour),
        "township": place.township.name,
        "county": place.county.name,
        "group2": groups[(groups.index(str(values.get("group", groups[0]))) + 1) % len(groups)],
    }
    return Text(
        title=title.format_map(values)[:100],
        description=description.format_map(values),
        reply=reply.format_map(values),
    )


# --- the plan ---------------------------------------------------------------------------------------------


class Fate(StrEnum):
    """The state an item is left in today."""

    NEW = "new"
    RETURNED = "returned"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    EXTENSION_PENDING = "extension_pending"
    EXTENSION_APPROVED = "extension_approved"
    OVERDUE = "overdue"
    AWAITING_APPROVAL = "awaiting_approval"
    RESOLVED = "resolved"
    ON_SITE = "on_site"
    ON_SITE_CLOSED = "on_site_closed"
    CLOSED = "closed"
    CLOSED_UNREACHABLE = "closed_unreachable"
    AWAITING_DECISION = "awaiting_decision"
    REOPENED = "reopened"
    REOPENED_CLOSED = "reopened_closed"
    MERGED = "merged"
    REJECTED = "rejected"


# Percent of the demo in each fate: mostly closed, as four months into a campaign.
SHARES: dict[Fate, int] = {
    Fate.NEW: 4,
    Fate.RETURNED: 2,
    Fate.ASSIGNED: 5,
    Fate.IN_PROGRESS: 11,
    Fate.EXTENSION_PENDING: 2,
    Fate.EXTENSION_APPROVED: 2,
    Fate.OVERDUE: 6,
    Fate.AWAITING_APPROVAL: 3,
    Fate.RESOLVED: 6,
    Fate.ON_SITE: 4,
    Fate.ON_SITE_CLOSED: 3,
    Fate.CLOSED: 35,
    Fate.CLOSED_UNREACHABLE: 2,
    Fate.AWAITING_DECISION: 2,
    Fate.REOPENED: 2,
    Fate.REOPENED_CLOSED: 3,
    Fate.MERGED: 4,
    Fate.REJECTED: 4,
}
NEEDS_EXTENSION = (Fate.EXTENSION_PENDING, Fate.EXTENSION_APPROVED)
UNSATISFIED = (Fate.AWAITING_DECISION, Fate.REOPENED, Fate.REOPENED_CLOSED)
MERGE_TARGETS = (
    Fate.ASSIGNED,
    Fate.IN_PROGRESS,
    Fate.OVERDUE,
    Fate.RESOLVED,
    Fate.CLOSED,
    Fate.EXTENSION_APPROVED,
)
SOURCES = (
    (AppealSource.VISIT, 40),
    (AppealSource.WALK_IN, 15),
    (AppealSource.PHONE, 15),
    (AppealSource.LETTER, 5),
    (AppealSource.WEB, 10),
    (AppealSource.PORTAL, 15),
)
RISKS = {"r": "red", "o": "orange", "y": "yellow", "b": "blue"}


def fates_for(count: int) -> list[Fate]:
    """`count` fates in the proportions of SHARES (largest remainder), each present once there is room."""
    total = sum(SHARES.values())
    exact = {fate: count * share / total for fate, share in SHARES.items()}
    numbers = {fate: int(value) for fate, value in exact.items()}
    if count >= len(SHARES):
        for fate in SHARES:
            numbers[fate] = max(numbers[fate], 1)
    by_remainder = sorted(SHARES, key=lambda f: exact[f] - int(exact[f]), reverse=True)
    while sum(numbers.values()) < count:
        for fate in by_remainder[: count - sum(numbers.values())]:
            numbers[fate] += 1
    while sum(numbers.values()) > count:
        numbers[max(numbers, key=lambda f: numbers[f])] -= 1
    return [fate for fate, number in numbers.items() for _ in range(number)]


@dataclass
class Plan:
    index: int
    fate: Fate
    theme: Theme
    place: Place
    risk: str
    source: str
    reporter: Reporter
    text: Text
    registered_at: datetime
    policy: DeadlinePolicy
    rng: random.Random
    merge_into: "Plan | None" = None
    appeal: Appeal | None = None
    version: int = 0


@dataclass
class Cast:
    """The demo cadres who act in the scripts, with the units whose handlers can act on an assignment."""

    dispatcher: dict[str, User]  # by county code
    supervisor: dict[str, User]
    visitors: dict[str, list[User]]  # by county or staffed-township code
    handler: dict[int, User]  # by unit id
    head: dict[int, User]
    staffed: dict[str, list[Unit]]  # county code → its units with a handler, by kind

    @property
    def registrars(self) -> list[User]:
        return [*self.dispatcher.values(), *(u for users in self.visitors.values() for u in users)]


def demo_cast() -> Cast:
    logins = {code: county.login for code, county in COUNTIES.items()}
    wanted = {f"{login}.{role}" for login in logins.values() for role in ("dispatcher", "supervisor")}
    users = User.objects.in_bulk(field_name="username")
    missing = sorted(wanted - set(users))
    if missing:
        raise DomainError(
            f"缺少演示账号（{'、'.join(missing[:3])}等），请先运行 seed_demo", code="demo_missing"
        )
    visitors: dict[str, list[User]] = {}
    for code, login in logins.items():
        visitors[code] = [users[f"{login}.visitor{n}"] for n in (1, 2, 3) if f"{login}.visitor{n}" in users]
    for code, town in STAFFED_TOWNSHIPS.items():
        username = f"{logins[code[:6] + '000000']}.{town}.visitor"
        visitors[code] = [users[username]] if username in users else []
    handler: dict[int, User] = {}
    head: dict[int, User] = {}
    staffed: dict[str, list[Unit]] = {}
    memberships = Membership.objects.filter(role__in=[Role.HANDLER, Role.UNIT_HEAD], user__is_active=True)
    for m in memberships.select_related("unit", "user").order_by("user__username"):
        target = handler if m.role == Role.HANDLER else head
        target.setdefault(m.unit_id, users[m.user.username])
        if (
            m.role == Role.HANDLER
            and m.unit.region_id in COUNTIES
            and m.unit not in staffed.get(m.unit.region_id, [])
        ):
            staffed.setdefault(m.unit.region_id, []).append(m.unit)
    for units in staffed.values():
        units.sort(key=lambda u: u.kind)
    return Cast(
        dispatcher={code: users[f"{login}.dispatcher"] for code, login in logins.items()},
        supervisor={code: users[f"{login}.supervisor"] for code, login in logins.items()},
        visitors=visitors,
        handler=handler,
        head=head,
        staffed=staffed,
    )


@dataclass(frozen=True)
class Geography:
    counties: list[Region]
    villages: dict[str, list[Region]]  # by county code and by township code
    regions: dict[str, Region]

    @classmethod
    def load(cls) -> "Geography":
        regions = Region.objects.filter(code__startswith=PREFECTURE_CODE[:4], level__gte=Region.Level.COUNTY)
        by_code = {r.code: r for r in regions.order_by("code")}
        villages: dict[str, list[Region]] = {}
        for r in by_code.values():
            if r.level == Region.Level.VILLAGE:
                villages.setdefault(r.code[:6] + "000000", []).append(r)
                villages.setdefault(r.code[:9] + "000", []).append(r)
        return cls(counties=[by_code[c] for c in COUNTIES], villages=villages, regions=by_code)

    def place(self, county: Region, rng: random.Random, *, township_led: bool) -> Place:
        staffed = next((t for t in STAFFED_TOWNSHIPS if t.startswith(county.code[:6])), None)
        pool = self.villages[county.code]
        if township_led and staffed and rng.random() < 0.5:
            pool = self.villages[staffed]
        village = rng.choice(pool)
        township = self.regions[village.code[:9] + "000"]
        neighbours = [v for v in self.villages[township.code] if v.code != village.code] or [village]
        return Place(village=village, township=township, county=county, neighbour=rng.choice(neighbours))


def _days(value: float) -> timedelta:
    return timedelta(days=value)


def _office(at: datetime, rng: random.Random) -> datetime:
    """`at`, or the next morning when it falls outside office hours (8:00–18:00 Beijing time)."""
    local = at.astimezone(BEIJING)
    if 8 <= local.hour < 18:
        return at
    day = local.date() if local.hour < 8 else local.date() + timedelta(days=1)
    morning = datetime(day.year, day.month, day.day, 8, 30, tzinfo=BEIJING)
    return morning + timedelta(minutes=rng.uniform(0, 150))


def _registered_days_ago(fate: Fate, window: float, rng: random.Random) -> float:
    """How long ago an item bound for `fate` came in, given its resolve window in days."""
    ranges = {
        Fate.NEW: (0.02, 2.5),
        Fate.RETURNED: (0.1, 4),
        Fate.ASSIGNED: (0.05, 3),
        Fate.IN_PROGRESS: (0.1, 0.8 * window),
        Fate.EXTENSION_PENDING: (0.4 * window, 0.9 * window),
        Fate.EXTENSION_APPROVED: (0.8 * window, 1.3 * window),
        Fate.OVERDUE: (window + 1, window + 40),
        Fate.AWAITING_APPROVAL: (0.5 * window, window + 2),
        Fate.RESOLVED: (0.6 * window, window + 4),
        Fate.ON_SITE: (0.05, 10),
        Fate.AWAITING_DECISION: (window + 2, window + 20),
        Fate.REOPENED: (window + 4, window + 25),
        Fate.REOPENED_CLOSED: (2 * window + 15, DEMO_DAYS),
    }
    low, high = ranges.get(fate, (window + 8, DEMO_DAYS))
    high = min(high, DEMO_DAYS - 0.5)
    return rng.uniform(min(low, 0.8 * high), high)


# --- the run ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAppealsSummary:
    created: int
    skipped: bool
    by_status: dict[str, int] = field(default_factory=dict)
    urged: int = 0
    escalated: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        if self.skipped:
            return "appeals already seeded"
        return f"appeals {self.created} created ({self.urged} urged, {self.escalated} escalated)"


Script = Generator[datetime, datetime, None]


class _Seeder:
    def __init__(self, *, count: int, today: datetime, cast: Cast) -> None:
        self.count, self.today, self.cast = count, today, cast
        self.geo = Geography.load()
        self.calendar = WorkCalendar.from_db()
        self.categories = {
            c.code: c for c in Category.objects.select_related("default_policy", "parent__default_policy")
        }
        self._policies: dict[tuple[str, str, str], DeadlinePolicy] = {}
        self.urged = self.escalated = 0

    # planning

    def _policy(self, theme: Theme, risk: str) -> DeadlinePolicy:
        key = (theme.category, theme.kind.value, risk)
        if key not in self._policies:
            probe = Appeal(kind=theme.kind, risk_colour=risk, category=self.categories[theme.category])
            self._policies[key] = policy_for(appeal=probe)
        return self._policies[key]

    def _window(self, policy: DeadlinePolicy) -> float:
        due = self.calendar.add(self.today, policy.resolve_amount, Clock(policy.resolve_clock))
        return max((due - self.today).total_seconds() / 86400, 0.5)

    def plans(self) -> list[Plan]:
        rng = random.Random(DEMO_SEED)
        fates = fates_for(self.count)
        rng.shuffle(fates)
        county_weights = [2 if c.code.startswith("522701") else 1 for c in self.geo.counties]
        plans: list[Plan] = []
        for index, fate in enumerate(fates):
            own = random.Random(DEMO_SEED * 10_007 + index)
            for _attempt in range(50):
                theme = own.choices(THEMES, weights=[t.weight for t in THEMES])[0]
                risk = RISKS[own.choice(theme.risks)] if theme.risks else ""
                policy = self._policy(theme, risk)
                if fate not in NEEDS_EXTENSION or policy.extension_cap > 0:
                    break
            county = own.choices(self.geo.counties, weights=county_weights)[0]
            place = self.geo.place(county, own, township_led=theme.township_led)
            source = (
                AppealSource.VISIT
                if fate in (Fate.ON_SITE, Fate.ON_SITE_CLOSED)
                else own.choices([s for s, _ in SOURCES], weights=[w for _, w in SOURCES])[0]
            )
            anonymous = (
                source in (AppealSource.PHONE, AppealSource.WEB, AppealSource.PORTAL) and own.random() < 0.2
            )
            reporter = Reporter() if anonymous else Reporter(name=person_name(own), phone=mobile(own))
            registered = self.today - _days(_registered_days_ago(fate, self._window(policy), own))
            if source in (AppealSource.VISIT, AppealSource.WALK_IN, AppealSource.LETTER):
                registered = _office(registered, own)
            registered = min(registered, self.today - timedelta(minutes=own.uniform(5, 90)))
            plans.append(
                Plan(
                    index=index,
                    fate=fate,
                    theme=theme,
                    place=place,
                    risk=risk,
                    source=source,
                    reporter=reporter,
                    text=compose(theme, place, own),
                    registered_at=registered,
                    policy=policy,
                    rng=own,
                )
            )
        targets = [p for p in plans if p.fate in MERGE_TARGETS]
        for plan in plans:
            if plan.fate is Fate.MERGED and targets:
                target = plan.rng.choice(targets)
                plan.merge_into, plan.theme, plan.place, plan.risk = (
                    target,
                    target.theme,
                    target.place,
                    target.risk,
                )
                text = compose(target.theme, target.place, plan.rng)
                plan.text = Text(title=target.text.title, description=text.description, reply="")
                later = target.registered_at + timedelta(hours=plan.rng.uniform(2, 120))
                plan.registered_at = min(
                    later, target.registered_at + (self.today - target.registered_at) * 0.5
                )
        return plans

    # moments

    def _fit(self, plan: Plan, previous: datetime, wanted: datetime) -> datetime:
        """`wanted`, or, when that is still in the future, a moment between `previous` and today."""
        wanted = max(wanted, previous + timedelta(minutes=1))
        if wanted <= self.today:
            return wanted
        return previous + (self.today - previous) * plan.rng.uniform(0.3, 0.9)

    def _later(
        self, plan: Plan, previous: datetime, *, hours: tuple[float, float], office: bool = True
    ) -> datetime:
        wanted = previous + timedelta(hours=plan.rng.uniform(*hours))
        return self._fit(plan, previous, _office(wanted, plan.rng) if office else wanted)

    def _within(self, plan: Plan, start: datetime, end: datetime, low: float, high: float) -> datetime:
        return self._fit(plan, start, start + (max(end, start) - start) * plan.rng.uniform(low, high))

    # steps

    def _bump(self, plan: Plan, appeal: Appeal | None = None) -> Appeal:
        assert plan.appeal is not None
        if appeal is None:
            plan.version += 1
        else:
            plan.appeal, plan.version = appeal, appeal.version
        return plan.appeal

    def _register(self, plan: Plan, at: datetime) -> None:
        county, place = plan.place.county.code, plan.place
        actor: User | None = self.cast.dispatcher[county]
        if plan.source == AppealSource.PORTAL:
            actor = None
        elif plan.source == AppealSource.VISIT:
            township_visitors = self.cast.visitors.get(place.township.code, [])
            actor = plan.rng.choice(
                township_visitors or self.cast.visitors[county] or [self.cast.dispatcher[county]]
            )
        draft = AppealDraft(
            kind=plan.theme.kind,
            source=plan.source,
            title=plan.text.title,
            description=plan.text.description,
            region_code=place.village.code,
            category_code=plan.theme.category,
            risk_colour=plan.risk,
            address=f"{place.county.name}{place.township.name}{place_name(place.village)}",
            parties_count=plan.rng.randint(*plan.theme.parties),
            anonymous=not plan.reporter.name,
            reporter=plan.reporter,
        )
        on_site = plan.fate in (Fate.ON_SITE, Fate.ON_SITE_CLOSED)
        registered = appeal_register(
            draft=draft, actor=actor, on_site_reply=plan.text.reply if on_site else "", at=at
        )
        plan.appeal, plan.version = registered.appeal, registered.appeal.version

    def _route(self, plan: Plan) -> tuple[Unit, list[Unit]]:
        """The suggested units that have someone to act, else the county petition bureau (信访局)."""
        assert plan.appeal is not None
        suggestion = routing_suggest(appeal=plan.appeal)
        staffed = self.cast.staffed[plan.place.county.code]
        able = [
            u for u in [suggestion.lead, *suggestion.co_units] if u is not None and u.pk in self.cast.handler
        ]
        if plan.fate is Fate.RETURNED:
            wrong = [u for u in staffed if u not in able] or staffed
            return plan.rng.choice(wrong), []
        if not able:
            able = [u for u in staffed if u.kind == UnitKind.PETITION] or staffed[:1]
        return able[0], able[1:3]

    def _do(self, plan: Plan, service: Any, actor: User, at: datetime, **kwargs: Any) -> Appeal:
        """One service call on the plan's appeal at `at`, acting on the version it last left."""
        result = service(appeal=plan.appeal, actor=actor, expected_version=plan.version, now=at, **kwargs)
        return self._bump(plan, result if isinstance(result, Appeal) else None)

    def _callback(self, plan: Plan, at: datetime, *, satisfied: bool) -> None:
        county = plan.place.county.code
        actor = self.cast.supervisor[county] if plan.rng.random() < 0.2 else self.cast.dispatcher[county]
        satisfaction = (
            plan.rng.choices([Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED], [75, 25])[0]
            if satisfied
            else Satisfaction.UNSATISFIED
        )
        self._do(
            plan,
            appeal_callback,
            actor,
            at,
            solved=satisfied,
            satisfaction=satisfaction,
            method=Callback.Method.VISIT if plan.rng.random() < 0.2 else Callback.Method.PHONE,
            note="群众对办理结果表示满意" if satisfied else "反映人表示问题未实际解决",
        )

    # the script of one item: each `yield` waits until the moment it names

    def script(self, plan: Plan) -> Script:
        fate, rng, county = plan.fate, plan.rng, plan.place.county.code
        dispatcher = self.cast.dispatcher[county]
        t = yield plan.registered_at
        self._register(plan, t)
        if fate is Fate.ON_SITE_CLOSED:
            t = yield self._later(plan, t, hours=(20, 140))
            self._callback(plan, t, satisfied=True)
        if fate in (Fate.NEW, Fate.ON_SITE, Fate.ON_SITE_CLOSED):
            return
        if fate is Fate.REJECTED:
            t = yield self._later(plan, t, hours=(0.5, 30))
            self._do(plan, appeal_reject, dispatcher, t, reason=rng.choice(REJECT_REASONS))
            return
        if fate is Fate.MERGED:
            assert plan.merge_into is not None and plan.merge_into.appeal is not None
            t = yield self._later(plan, t, hours=(0.5, 24))
            self._do(plan, appeal_merge, dispatcher, t, into=plan.merge_into.appeal)
            return

        t = yield self._later(plan, t, hours=(0.2, 6))
        lead, co_units = self._route(plan)
        a = self._do(
            plan, appeal_assign, dispatcher, t, lead_unit_id=lead.pk, co_unit_ids=[u.pk for u in co_units]
        )
        assert a.sign_due is not None and a.resolve_due is not None
        sign_due, resolve_due = a.sign_due, a.resolve_due
        handler = self.cast.handler[lead.pk]
        if fate is Fate.RETURNED:
            t = yield self._within(plan, t, sign_due, 0.1, 0.8)
            self._do(plan, appeal_return, handler, t, reason=rng.choice(RETURN_REASONS))
            return
        if fate is Fate.ASSIGNED:
            return
        t = yield self._accept_moment(plan, t, sign_due)
        self._do(plan, appeal_accept, handler, t)
        for unit in co_units:
            t = yield self._later(plan, t, hours=(0.1, 6), office=False)
            self._do(plan, appeal_accept, self.cast.handler[unit.pk], t)
        if rng.random() < 0.35:
            t = yield self._within(plan, t, resolve_due, 0.1, 0.4)
            self._do(plan, appeal_note, handler, t, text=rng.choice(NOTES))
        if fate in NEEDS_EXTENSION or (
            fate is Fate.CLOSED and plan.policy.extension_cap and rng.random() < 0.15
        ):
            t = yield self._within(plan, t, resolve_due, 0.3, 0.8)
            days = rng.randint(1, plan.policy.extension_cap)
            self._do(
                plan, appeal_request_extension, handler, t, days=days, reason=rng.choice(EXTENSION_REASONS)
            )
            if fate is Fate.EXTENSION_PENDING:
                return
            t = yield self._later(plan, t, hours=(1, 30))
            head = self.cast.head.get(lead.pk)
            decider = head if head is not None and head != handler else dispatcher
            approve = fate is Fate.EXTENSION_APPROVED or rng.random() < 0.8
            a = self._do(
                plan,
                appeal_decide_extension,
                decider,
                t,
                approve=approve,
                note="同意延期" if approve else "不予延期，请按期办结",
            )
            assert a.resolve_due is not None
            resolve_due = a.resolve_due
        if fate in (Fate.IN_PROGRESS, Fate.EXTENSION_APPROVED):
            return
        if fate is Fate.OVERDUE:
            # Every overdue item gets a supervisor's order, so that even a small demo shows one.
            t = yield self._later(plan, max(t, resolve_due), hours=(24, 100))
            self._do(plan, appeal_supervise, self.cast.supervisor[county], t, reason=SUPERVISE_REASON, days=3)
            return
        for unit in co_units:
            t = yield self._within(plan, t, resolve_due, 0.2, 0.6)
            self._do(plan, appeal_resolve, self.cast.handler[unit.pk], t, reply="本单位配合事项已办理完毕。")
        t = yield self._resolve_moment(plan, t, resolve_due)
        self._do(plan, appeal_resolve, handler, t, reply=plan.text.reply)
        if fate is Fate.AWAITING_APPROVAL:
            return
        t = yield from self._approval(plan, t, lead, handler)
        if fate is Fate.RESOLVED or not self._resolved(plan):
            return
        t = yield self._later(plan, t, hours=(20, 140))
        if fate is Fate.CLOSED_UNREACHABLE:
            self._do(plan, appeal_close, dispatcher, t, reason=CLOSE_REASON)
            return
        self._callback(plan, t, satisfied=fate not in UNSATISFIED)
        if fate in (Fate.CLOSED, Fate.AWAITING_DECISION):
            return
        t = yield self._later(plan, t, hours=(2, 40))
        a = self._do(plan, appeal_reopen, dispatcher, t, reason=rng.choice(REOPEN_REASONS))
        assert a.sign_due is not None and a.resolve_due is not None
        sign_due, resolve_due = a.sign_due, a.resolve_due
        t = yield self._accept_moment(plan, t, sign_due)
        self._do(plan, appeal_accept, handler, t)
        if fate is Fate.REOPENED:
            return
        t = yield self._resolve_moment(plan, t, resolve_due)
        self._do(plan, appeal_resolve, handler, t, reply=f"重办结果：{plan.text.reply}")
        t = yield from self._approval(plan, t, lead, handler)
        if not self._resolved(plan):
            return
        t = yield self._later(plan, t, hours=(20, 120))
        self._callback(plan, t, satisfied=True)

    @staticmethod
    def _resolved(plan: Plan) -> bool:
        return plan.appeal is not None and plan.appeal.status == AppealStatus.RESOLVED

    def _approval(
        self, plan: Plan, t: datetime, lead: Unit, handler: User
    ) -> Generator[datetime, datetime, datetime]:
        """The lead unit's head approves the reply (审核), once in ten after sending it back to be completed; an
        item of a unit without a head keeps waiting, as it would."""
        head = self.cast.head.get(lead.pk)
        if plan.appeal is None or plan.appeal.status != AppealStatus.AWAITING_APPROVAL or head is None:
            return t
        if plan.rng.random() < 0.1:
            t = yield self._later(plan, t, hours=(1, 20))
            self._do(plan, appeal_reject_reply, head, t, reason=REPLY_SENT_BACK)
            t = yield self._later(plan, t, hours=(2, 30))
            self._do(
                plan, appeal_resolve, handler, t, reply=f"{plan.text.reply}办理依据和后续安排已向当事人说明。"
            )
        t = yield self._later(plan, t, hours=(0.5, 20))
        self._do(plan, appeal_approve_reply, head, t)
        return t

    def _accept_moment(self, plan: Plan, assigned: datetime, sign_due: datetime) -> datetime:
        """Mostly before the sign deadline; one in eight late."""
        if plan.rng.random() < 0.88:
            return self._within(plan, assigned, sign_due, 0.05, 0.9)
        return self._fit(plan, assigned, sign_due + timedelta(hours=plan.rng.uniform(1, 30)))

    def _resolve_moment(self, plan: Plan, since: datetime, resolve_due: datetime) -> datetime:
        """Mostly before the resolve deadline; about one in seven late."""
        if plan.rng.random() < 0.86:
            return self._within(plan, since, resolve_due, 0.2, 0.95)
        return self._fit(plan, since, resolve_due + _days(plan.rng.uniform(0.3, 8)))

    def sweeps(self, start: datetime) -> Script:
        """The periodic deadline sweep, every twelve hours from just after midnight (Beijing) before `start`."""
        local = start.astimezone(BEIJING)
        t = datetime(local.year, local.month, local.day, 0, 5, tzinfo=BEIJING)
        while True:
            now = yield t
            result = sweep_deadlines(now=now)
            self.urged += result.urged
            self.escalated += result.escalated
            t = now + SWEEP_EVERY

    def run(self, plans: list[Plan]) -> None:
        """Run every script and the sweeps interleaved in time order, up to today."""
        heap: list[tuple[datetime, int, Script]] = []
        order = counter()
        scripts: Iterator[Script] = iter(
            [self.script(p) for p in plans] + [self.sweeps(min(p.registered_at for p in plans))]
        )
        for script in scripts:
            heapq.heappush(heap, (next(script), next(order), script))
        while heap:
            at, _, script = heapq.heappop(heap)
            if at > self.today:
                continue
            try:
                following = script.send(at)
            except StopIteration:
                continue
            heapq.heappush(heap, (max(following, at), next(order), script))
        result = sweep_deadlines(now=self.today)
        self.urged += result.urged
        self.escalated += result.escalated


def seed_demo_appeals(*, count: int = DEMO_APPEALS, today: datetime | None = None) -> DemoAppealsSummary:
    """Seed `count` demo appeals dated up to `today` (default now) unless the demo already has its appeals."""
    started = time.perf_counter()
    today = today or timezone.now()
    cast = demo_cast()
    with transaction.atomic():
        # Two seedings at once queue here (as demo.units does), so the second sees the first one's appeals.
        list(Region.objects.select_for_update().filter(pk=PREFECTURE_CODE))
        if count <= 0 or Appeal.objects.filter(registered_by__in=cast.registrars).exists():
            return DemoAppealsSummary(created=0, skipped=count > 0)
        seeder = _Seeder(count=count, today=today, cast=cast)
        plans = seeder.plans()
        seeder.run(plans)
        statuses = Counter(
            Appeal.objects.filter(pk__in=[p.appeal.pk for p in plans if p.appeal]).values_list(
                "status", flat=True
            )
        )
    return DemoAppealsSummary(
        created=len(plans),
        skipped=False,
        by_status=dict(sorted(statuses.items())),
        urged=seeder.urged,
        escalated=seeder.escalated,
        seconds=time.perf_counter() - started,
    )
