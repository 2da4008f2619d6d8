"""The demo campaign: a 冬春大走访 running now, with phases, themes, targets, responsibilities (包保), a small
enterprise register and some tens of thousands of visits across the 1,464 villages of 黔南州.

Dates are relative to the day it is seeded (started five weeks ago, ends two months ahead); everything else comes
from the region tree, the demo cadres of demo/units.py and a seeded generator, so a run on any database gives the
same campaign for the same day. Rows go in with core.bulk (COPY on PostgreSQL, bulk_create elsewhere) in
chunks; nothing is queried per row.

How the visits are laid out, so that the figures look like a real campaign and the plausibility checks
(campaigns/services/flags.py) find only what was put there on purpose:

- every village has a responsible visitor (the staffed township's visitor for its villages, the county's three
  visitors for the others, by township); the prefecture's visitor answers for some enterprises;
- about 6% of the villages (a few whole townships and some single villages) are left unvisited;
- each visitor works one township a day, Monday to Saturday, 8:00–18:30 Beijing time, at least 12 minutes
  between visits and an hour when moving to another township; locations scatter within ~4 km of a deterministic
  pseudo-centre of the township (regions have no coordinates), near the county seat;
- the demo appeals a visitor registered on a visit during the campaign get a visit of their own (problem → appeal),
  and that visitor has no other visits that day;
- on the last Sunday a handful of implausible visits: a burst of five in six minutes, two visits 80 km apart ten
  minutes apart, two visits with copied notes.
"""

import hashlib
import math
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from appeals.models import Appeal, AppealKind, AppealSource, Category
from campaigns.models import Campaign, Enterprise, Metric, Responsibility, Target, Visit, VisitProblem
from campaigns.services.flags import notes_digest
from campaigns.services.tallies import visit_tallies_rebuild
from core.bulk import BulkWriter
from core.errors import DomainError
from core.workcalendar import BEIJING
from demo.units import COUNTIES, PREFECTURE_CODE, PREFECTURE_LOGIN, STAFFED_TOWNSHIPS
from geo.models import Region
from org.models import Membership, Role, User

DEMO_VISITS = 30_000
DEMO_SEED = 5227_1126
CAMPAIGN_SUFFIX = "冬春大走访"
STARTED_DAYS_AGO = 35
ENDS_DAYS_AHEAD = 60
UNVISITED_SHARE = 0.06
ENTERPRISE_SHARE = 0.05  # of the visits
CHUNK = 2000
DAY_MAX = 24  # visits one person makes in a day, 8:00–18:15
MIN_GAP = 12.0  # minutes between two visits of one person: never a burst, never a leap
LUNCH = 90.0
ROAD = 70.0  # minutes to drive to another township

# County seats (approximate), around which the townships' pseudo-centres are placed.
COUNTY_SEATS: dict[str, tuple[float, float]] = {
    "522701000000": (26.259, 107.518),  # 都匀
    "522702000000": (26.687, 107.518),  # 福泉
    "522722000000": (25.411, 107.887),  # 荔波
    "522723000000": (26.580, 107.233),  # 贵定
    "522725000000": (27.066, 107.471),  # 瓮安
    "522726000000": (25.834, 107.542),  # 独山
    "522727000000": (25.832, 107.323),  # 平塘
    "522728000000": (25.426, 106.751),  # 罗甸
    "522729000000": (26.023, 106.452),  # 长顺
    "522730000000": (26.453, 106.977),  # 龙里
    "522731000000": (26.132, 106.657),  # 惠水
    "522732000000": (25.984, 107.870),  # 三都
}
KM_PER_DEGREE_LAT = 111.0

TOPICS = (
    "农民工工资支付情况",
    "邻里土地边界矛盾",
    "家庭婚姻矛盾",
    "电信网络诈骗防范",
    "饮水和道路等民生问题",
    "惠农补贴发放情况",
    "留守老人和儿童生活情况",
    "涉黑涉恶线索",
    "早婚早育情况",
    "山林地界纠纷",
)
VILLAGE_NOTES = (
    "入户走访{place}{group}组{households}户，宣讲反诈知识，重点了解{topic}，群众反映总体平稳。",
    "到{place}召开院坝会，{people}名群众参加，发放宣传资料{leaflets}份，收集到{topic}方面的意见{items}条。",
    "会同{township}综治中心走访{place}{group}组，逐户排查{topic}，未发现新的矛盾纠纷。",
    "走访{place}{group}组困难群众{households}户，了解{topic}，已将情况登记并反馈村“两委”。",
    "在{place}开展“大走访”入户排查，走访{households}户{people}人，重点核实{topic}，登记问题线索{items}条。",
    "随{place}网格员入户{households}户，宣传平安建设知识，了解{topic}，群众满意度较高。",
)
ENTERPRISE_NOTES = (
    "走访{enterprise}，了解企业用工和工资支付情况，查看工资发放台账，现有职工{people}人，未发现欠薪问题。",
    "到{enterprise}宣传《保障农民工工资支付条例》，与企业负责人座谈，了解{topic}，企业反映经营正常。",
    "走访{enterprise}，排查安全生产和劳动纠纷隐患，听取企业意见建议{items}条。",
)
SUGGESTIONS = (
    "建议在{place}增设路灯和监控，方便群众夜间出行。",
    "群众建议{township}定期开展法律服务进村活动。",
    "建议加快{place}通组路硬化进度。",
    "建议在{place}设立矛盾纠纷调解室，方便就近调解。",
    "群众希望增加反诈宣传进村入户次数。",
)
ENTERPRISE_KINDS = (
    ("茶业", "有限公司"),
    ("农业开发", "有限公司"),
    ("建材", "有限责任公司"),
    ("食品", "有限公司"),
    ("物流", "有限公司"),
    ("电子科技", "有限公司"),
    ("旅游开发", "有限公司"),
    ("中药材种植", "专业合作社"),
    ("建筑劳务", "有限公司"),
    ("刺梨加工", "有限公司"),
)
PROBLEM_NOTE = "到{place}入户走访，群众反映“{title}”，已当场登记为诉求并交办，承诺按时回复。"
COPIED_NOTE = "入户走访了解群众生产生活情况，宣传反诈知识和政策法规，未发现矛盾纠纷隐患。"


@dataclass(frozen=True)
class DemoCampaignSummary:
    created: bool
    campaign: Campaign | None = None
    visits: int = 0
    responsibilities: int = 0
    enterprises: int = 0
    targets: int = 0
    problems: int = 0
    unvisited: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        if not self.created:
            return "campaign already there"
        return (
            f"campaign {self.campaign}: {self.visits} visits, {self.responsibilities} responsibilities, "
            f"{self.enterprises} enterprises, {self.targets} targets, {self.problems} problems linked, "
            f"{self.unvisited} villages left unvisited, in {self.seconds:.1f} s"
        )


def township_centre(code: str) -> tuple[float, float]:
    """A deterministic pseudo-centre for a township, 3–22 km from its county's seat."""
    lat0, lng0 = COUNTY_SEATS.get(code[:6] + "000000", (26.26, 107.52))
    digest = hashlib.sha256(code.encode()).digest()
    angle = digest[0] / 256 * 2 * math.pi
    distance = 3 + digest[1] / 255 * 19
    dlat = distance * math.cos(angle) / KM_PER_DEGREE_LAT
    dlng = distance * math.sin(angle) / (KM_PER_DEGREE_LAT * math.cos(math.radians(lat0)))
    return lat0 + dlat, lng0 + dlng


def _scatter(centre: tuple[float, float], rng: random.Random, km: float = 4.0) -> tuple[Decimal, Decimal]:
    angle = rng.uniform(0, 2 * math.pi)
    distance = km * math.sqrt(rng.random())
    lat = centre[0] + distance * math.cos(angle) / KM_PER_DEGREE_LAT
    lng = centre[1] + distance * math.sin(angle) / (KM_PER_DEGREE_LAT * math.cos(math.radians(centre[0])))
    return Decimal(f"{lat:.6f}"), Decimal(f"{lng:.6f}")


# Made-up household contacts (no real person): one visit in CONTACT_EVERY records the household met, so that
# spot-checks have someone to call. Drawn from the visit's number, not the generator, so the rest of the demo
# stays as it was.
CONTACT_EVERY = 3
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林"
GIVEN = "明华丽军芳强敏静磊洋勇艳杰娟涛超秀霞平刚"


def household_contact(n: int) -> dict[str, str]:
    """`household_name` and `household_phone` of a visit numbered `n`: blank but for one in CONTACT_EVERY."""
    if n % CONTACT_EVERY:
        return {"household_name": "", "household_phone": ""}
    name = SURNAMES[n // CONTACT_EVERY % len(SURNAMES)] + GIVEN[n // 97 % len(GIVEN)]
    return {"household_name": name, "household_phone": f"139{10_000_000 + n % 89_999_999:08d}"}


def _place(region: Region) -> str:
    return region.name.removesuffix("居民委员会").removesuffix("村民委员会").removesuffix("委员会")


@dataclass
class _Visitor:
    user: User
    unit_id: int
    county: str  # county code
    township: str | None  # the staffed township a township visitor is confined to


@dataclass
class _Cast:
    counties: dict[str, list[_Visitor]] = field(default_factory=lambda: defaultdict(list))
    townships: dict[str, _Visitor] = field(default_factory=dict)
    prefecture: _Visitor | None = None
    staff: dict[str, list[_Visitor]] = field(default_factory=lambda: defaultdict(list))

    def everyone(self) -> list[_Visitor]:
        people = [*(v for vs in self.counties.values() for v in vs), *self.townships.values()]
        people += [v for vs in self.staff.values() for v in vs]
        return [*people, self.prefecture] if self.prefecture else people


@dataclass
class _Plan:
    """The rows of the demo campaign, built in memory before anything is written."""

    visits: list[dict[str, Any]] = field(default_factory=list)  # Visit rows by attname
    problems: list[tuple[int, int]] = field(default_factory=list)  # (index in visits, appeal id)
    notes: set[str] = field(default_factory=set)


class _Seeder:
    def __init__(self, *, now: datetime, count: int) -> None:
        self.now = now
        self.today = timezone.localdate(now)
        self.count = count
        self.rng = random.Random(DEMO_SEED)
        regions = list(
            Region.objects.filter(
                code__startswith=PREFECTURE_CODE[:4], level__gte=Region.Level.COUNTY
            ).order_by("code")
        )
        self.regions = {r.code: r for r in regions}
        self.villages = [r for r in regions if r.level == Region.Level.VILLAGE]
        self.townships = [r for r in regions if r.level == Region.Level.TOWNSHIP]
        self.by_township: dict[str, list[Region]] = defaultdict(list)
        for v in self.villages:
            self.by_township[v.code[:9] + "000"].append(v)
        self.centres = {t.code: township_centre(t.code) for t in self.townships}
        self.plan = _Plan()

    # --- people ---------------------------------------------------------------------------------------------

    def visitors(self) -> "_Cast":
        """The demo visitors (county, staffed township, prefecture) and the county departments' cadres who
        go out with them (handlers and unit heads, who may record visits too)."""
        wanted = {f"{PREFECTURE_LOGIN}.visitor1"}
        for code, county in COUNTIES.items():
            wanted |= {f"{county.login}.visitor{n}" for n in (1, 2, 3)}
            for township, login in STAFFED_TOWNSHIPS.items():
                if township.startswith(code[:6]):
                    wanted.add(f"{county.login}.{login}.visitor")
        memberships = (
            Membership.objects.filter(user__is_active=True, unit__is_active=True)
            .filter(
                Q(user__username__in=wanted, role=Role.VISITOR)
                | Q(role__in=(Role.HANDLER, Role.UNIT_HEAD), unit__region_id__in=list(COUNTIES))
            )
            .select_related("user", "unit")
            .order_by("user__username", "unit_id", "role")
        )
        cast = _Cast()
        seen: set[int] = set()
        for m in memberships:
            region = m.unit.region_id
            if m.role != Role.VISITOR:
                if m.user_id not in seen:
                    cast.staff[region].append(_Visitor(m.user, m.unit_id, region, None))
                    seen.add(m.user_id)
            elif region == PREFECTURE_CODE:
                cast.prefecture = _Visitor(m.user, m.unit_id, "", None)
            elif region in STAFFED_TOWNSHIPS:
                cast.townships[region] = _Visitor(m.user, m.unit_id, region[:6] + "000000", region)
            elif region in COUNTIES:
                cast.counties[region].append(_Visitor(m.user, m.unit_id, region, None))
        if not cast.counties:
            raise DomainError("缺少演示走访干部，请先运行 seed_demo", code="demo_missing")
        return cast

    # --- the campaign -------------------------------------------------------------------------------------

    def campaign(self) -> Campaign:
        starts = self.today - timedelta(days=STARTED_DAYS_AGO)
        ends = self.today + timedelta(days=ENDS_DAYS_AHEAD)
        mobilise_end = starts + timedelta(days=6)
        rectify_start = ends - timedelta(days=29)
        themes = list(
            Category.objects.filter(is_campaign_theme=True, is_active=True)
            .order_by("sort_order", "code")
            .values_list("code", flat=True)
        )
        return Campaign.objects.create(
            name=f"{starts.year}年{CAMPAIGN_SUFFIX}",
            starts=starts,
            ends=ends,
            phases=[
                {"name": "动员部署", "starts": starts.isoformat(), "ends": mobilise_end.isoformat()},
                {
                    "name": "走访排查",
                    "starts": (mobilise_end + timedelta(days=1)).isoformat(),
                    "ends": (rectify_start - timedelta(days=1)).isoformat(),
                },
                {"name": "整改提升", "starts": rectify_start.isoformat(), "ends": ends.isoformat()},
            ],
            themes=themes,
        )

    def enterprises(self) -> list[Enterprise]:
        """The register, or a small one (one to three per township) when there is none."""
        existing = list(
            Enterprise.objects.filter(is_active=True, region__code__startswith=PREFECTURE_CODE[:4])
        )
        if existing:
            return existing
        rng = random.Random(DEMO_SEED + 1)
        new: list[Enterprise] = []
        for township in self.townships:
            villages = self.by_township.get(township.code)
            if not villages:
                continue
            short = township.name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
            for trade, suffix in rng.sample(ENTERPRISE_KINDS, rng.randint(1, 3)):
                village = rng.choice(villages)
                number = len(new) + 1
                new.append(
                    Enterprise(
                        name=f"{COUNTIES[township.code[:6] + '000000'].short}{short}{trade}{suffix}",
                        region=village,
                        address=f"{self.regions[township.code[:6] + '000000'].name}{township.name}{_place(village)}",
                        credit_code=f"91{township.code[:6]}MA{number:08d}" if number % 2 else "",
                    )
                )
        return Enterprise.objects.bulk_create(new, batch_size=500)

    # --- responsibilities ---------------------------------------------------------------------------------

    def responsibilities(
        self,
        campaign: Campaign,
        counties: dict[str, list[_Visitor]],
        townships: dict[str, _Visitor],
        prefecture: _Visitor | None,
        enterprises: Sequence[Enterprise],
    ) -> tuple[dict[str, _Visitor], dict[int, _Visitor]]:
        """Every village gets a 包保人; about half the enterprises too. Returns who holds what."""
        village_holder: dict[str, _Visitor] = {}
        for county_code in COUNTIES:
            county_visitors = counties.get(county_code, [])
            plain = [
                t for t in self.townships if t.code.startswith(county_code[:6]) and t.code not in townships
            ]
            for township_code, visitor in townships.items():
                if township_code.startswith(county_code[:6]):
                    for v in self.by_township.get(township_code, []):
                        village_holder[v.code] = visitor
            if not county_visitors:
                continue
            # Whole townships per visitor, balanced by the number of villages.
            load = dict.fromkeys(range(len(county_visitors)), 0)
            for township in sorted(plain, key=lambda t: -len(self.by_township.get(t.code, []))):
                i = min(load, key=lambda k: (load[k], k))
                for v in self.by_township.get(township.code, []):
                    village_holder[v.code] = county_visitors[i]
                    load[i] += 1
        enterprise_holder: dict[int, _Visitor] = {}
        rng = random.Random(DEMO_SEED + 2)
        for enterprise in enterprises:
            if rng.random() < 0.5:
                continue
            county = enterprise.region_id[:6] + "000000"
            pool = counties.get(county, [])
            if prefecture is not None and rng.random() < 0.25:
                enterprise_holder[enterprise.pk] = prefecture
            elif pool:
                enterprise_holder[enterprise.pk] = rng.choice(pool)
        rows = [
            Responsibility(campaign=campaign, visitor=holder.user, region_id=code)
            for code, holder in village_holder.items()
        ] + [
            Responsibility(campaign=campaign, visitor=holder.user, enterprise_id=pk)
            for pk, holder in enterprise_holder.items()
        ]
        Responsibility.objects.bulk_create(rows, batch_size=CHUNK)
        return village_holder, enterprise_holder

    # --- visits -------------------------------------------------------------------------------------------

    def unvisited(self) -> set[str]:
        """About 6% of the villages: three whole townships and single villages elsewhere."""
        rng = random.Random(DEMO_SEED + 3)
        target = round(len(self.villages) * UNVISITED_SHARE)
        small = [t for t in self.townships if 4 <= len(self.by_township.get(t.code, [])) <= 12]
        chosen: set[str] = set()
        for township in rng.sample(small, min(3, len(small))):
            chosen |= {v.code for v in self.by_township[township.code]}
        others = [v.code for v in self.villages if v.code not in chosen]
        rng.shuffle(others)
        chosen |= set(others[: max(0, target - len(chosen))])
        return chosen

    def _note(self, template: str, values: dict[str, object], rng: random.Random) -> str:
        """A note from a template, never the same text twice (copies are for the planted visits only)."""
        note = template.format(**values)
        while "".join(note.split()) in self.plan.notes:
            note = note.rstrip("。") + f"，另走访{rng.randint(1, 9)}组{rng.randint(2, 12)}户。"
        self.plan.notes.add("".join(note.split()))
        return note

    def _visit(
        self,
        *,
        campaign: Campaign,
        visitor: _Visitor,
        village: Region,
        at: datetime,
        rng: random.Random,
        enterprise: Enterprise | None = None,
        notes: str | None = None,
        location: tuple[Decimal, Decimal] | None = None,
    ) -> int:
        township = self.regions[village.code[:9] + "000"]
        topic = rng.choice(TOPICS)
        if enterprise is not None:
            households = 0
            people = rng.randint(2, 15)
            text = notes or self._note(
                rng.choice(ENTERPRISE_NOTES),
                {
                    "enterprise": enterprise.name,
                    "people": rng.randint(8, 300),
                    "topic": topic,
                    "items": rng.randint(1, 4),
                },
                rng,
            )
        else:
            households = min(60, max(1, int(rng.gammavariate(2.2, 5))))
            people = households + rng.randint(0, households * 2)
            text = notes or self._note(
                rng.choice(VILLAGE_NOTES),
                {
                    "place": _place(village),
                    "township": township.name,
                    "group": rng.randint(1, 12),
                    "households": households,
                    "people": people,
                    "topic": topic,
                    "leaflets": rng.randint(20, 200),
                    "items": rng.randint(1, 6),
                },
                rng,
            )
        suggestion = ""
        if rng.random() < 0.15:
            suggestion = rng.choice(SUGGESTIONS).format(place=_place(village), township=township.name)
        lat, lng = location or _scatter(self.centres[township.code], rng)
        started = at.astimezone(BEIJING)
        synced = min(started + timedelta(minutes=rng.choice((2, 5, 30, 120, 600, 1500))), self.now)
        visit_uuid = uuid.UUID(int=rng.getrandbits(128), version=4)
        self.plan.visits.append(
            {
                "uuid": visit_uuid,
                "campaign_id": campaign.pk,
                "visitor_id": visitor.user.pk,
                "region_id": village.code,
                "enterprise_id": enterprise.pk if enterprise else None,
                "started_at": started,
                "latitude": lat,
                "longitude": lng,
                "households_reached": households,
                "people_met": people,
                "notes": text,
                "notes_digest": notes_digest(text),
                "suggestions": suggestion,
                **household_contact(visit_uuid.int),
                "content_hash": hashlib.sha256(f"demo:{visit_uuid}".encode()).hexdigest(),
                "created_at": synced,
            }
        )
        return len(self.plan.visits) - 1

    def problem_visits(
        self, campaign: Campaign, visitors: dict[int, _Visitor], unvisited: set[str]
    ) -> set[tuple[int, date]]:
        """A visit for each demo appeal a visitor registered on a visit during the campaign; the busy days."""
        # Two hours into the campaign at the earliest, so that the visit before the appeal lies within it.
        start = datetime.combine(campaign.starts, datetime.min.time(), tzinfo=BEIJING) + timedelta(hours=2)
        appeals = (
            Appeal.objects.filter(
                source=AppealSource.VISIT,
                registered_by_id__in=list(visitors),
                created_at__gte=start,
                created_at__lte=self.now,
                region__level=Region.Level.VILLAGE,
                visit_link__isnull=True,
            )
            .order_by("created_at", "id")
            .values_list("id", "registered_by_id", "region_id", "created_at", "title")
        )
        rng = random.Random(DEMO_SEED + 4)
        planned: dict[tuple[int, date], list[tuple[datetime, str, int, str]]] = defaultdict(list)
        for appeal_id, user_id, region_code, created, title in appeals:
            if region_code in unvisited:
                continue  # the gaps on the coverage page stay gaps
            at = created - timedelta(minutes=rng.randint(15, 50))
            local = timezone.localtime(created)
            if not 8 <= local.hour < 19:
                # Registered out of hours (synced from the outbox later): the visit was in the afternoon.
                day = local.date() - timedelta(days=1 if local.hour < 8 else 0)
                at = datetime(day.year, day.month, day.day, 15, rng.randint(0, 59), tzinfo=BEIJING)
            planned[(user_id, timezone.localdate(at))].append((at, region_code, appeal_id, title))
        for (user_id, _day), items in sorted(planned.items()):
            items.sort()
            # One person's visits of a day lie apart by a drive at least, latest first, so no leap is planted.
            for i in range(len(items) - 2, -1, -1):
                latest = items[i + 1][0] - timedelta(minutes=ROAD + 5)
                if items[i][0] > latest:
                    items[i] = (latest, *items[i][1:])
            for at, region_code, appeal_id, title in items:
                village = self.regions[region_code]
                note = self._note(PROBLEM_NOTE, {"place": _place(village), "title": title}, rng)
                index = self._visit(
                    campaign=campaign, visitor=visitors[user_id], village=village, at=at, rng=rng, notes=note
                )
                self.plan.problems.append((index, appeal_id))
        return set(planned)

    def scheduled(
        self,
        campaign: Campaign,
        village_holder: dict[str, _Visitor],
        enterprise_holder: dict[int, _Visitor],
        enterprises: dict[int, Enterprise],
        cast: _Cast,
        unvisited: set[str],
        busy: set[tuple[int, date]],
        count: int,
    ) -> None:
        """About `count` visits: half by the responsible visitor, the rest by the county's other visitors and
        department cadres; each person works one township a day, at most DAY_MAX visits."""
        rng = random.Random(DEMO_SEED + 5)
        visited = [v for v in self.villages if v.code not in unvisited and v.code in village_holder]
        if not visited or count <= 0:
            return
        enterprise_count = round(count * ENTERPRISE_SHARE) if enterprise_holder else 0
        village_count = count - enterprise_count
        # Visits per village: every visited village at least once, the rest by weight (towns get more).
        weights = [rng.uniform(0.4, 1.6) * (1.5 if "社区" in v.name else 1.0) for v in visited]
        per_village = [1] * len(visited)
        extra = max(0, village_count - len(visited))
        for i in rng.choices(range(len(visited)), weights=weights, k=extra):
            per_village[i] += 1
        tasks: dict[int, list[tuple[Region, Enterprise | None]]] = defaultdict(list)
        owners: dict[int, _Visitor] = {}
        for village, n in zip(visited, per_village, strict=True):
            holder = village_holder[village.code]
            colleagues = [c for c in cast.counties.get(holder.county, []) if c.user.pk != holder.user.pk]
            staff = cast.staff.get(holder.county, [])
            for _ in range(n):
                draw = rng.random()
                who = holder
                if colleagues and draw < 0.15:
                    who = rng.choice(colleagues)
                elif staff and draw > 0.45:
                    who = rng.choice(staff)
                owners[who.user.pk] = who
                tasks[who.user.pk].append((village, None))
        held = list(enterprise_holder.items())
        for _ in range(enterprise_count):
            pk, holder = rng.choice(held)
            owners[holder.user.pk] = holder
            enterprise = enterprises[pk]
            tasks[holder.user.pk].append((self.regions[enterprise.region_id], enterprise))
        # Working days so far: Monday to Saturday, from the third day of the campaign up to yesterday.
        days = [
            campaign.starts + timedelta(days=n)
            for n in range(2, (self.today - campaign.starts).days)
            if (campaign.starts + timedelta(days=n)).weekday() != 6
        ]
        if not days:
            return
        for user_id, work in sorted(tasks.items()):
            visitor = owners[user_id]
            work.sort(key=lambda t: (t[0].code[:9], t[0].code, t[1].pk if t[1] else 0))
            free = [d for d in days if (user_id, d) not in busy]
            # The first week (动员部署) is lighter: days carry weights, tasks fill them in township order.
            weights = [0.5 if (d - campaign.starts).days < 7 else 1.0 for d in free]
            total = sum(weights)
            done, running = 0, 0.0
            for day, weight in zip(free, weights, strict=True):
                running += weight
                # What does not fit in a day moves to the next; what fits in no day is left out.
                upto = min(round(len(work) * running / total), done + DAY_MAX)
                self._day(campaign, visitor, day, work[done:upto], rng)
                done = upto

    def _day(
        self,
        campaign: Campaign,
        visitor: _Visitor,
        day: date,
        work: list[tuple[Region, Enterprise | None]],
        rng: random.Random,
    ) -> None:
        if not work:
            return
        minute = rng.uniform(8 * 60, 9 * 60)
        switches = sum(1 for a, b in pairwise(work) if a[0].code[:9] != b[0].code[:9])
        # The working day (to 18:15) less lunch and the drives between townships, shared among the visits.
        available = 18 * 60 + 15 - minute - LUNCH - ROAD * switches
        gap = max(MIN_GAP, min(45.0, available / len(work)))
        township = work[0][0].code[:9]
        for village, enterprise in work:
            if village.code[:9] != township:
                minute += rng.uniform(ROAD - 10, ROAD + 10)  # on the road to the next township
                township = village.code[:9]
            if 12 * 60 <= minute < 12 * 60 + LUNCH:
                minute = 12 * 60 + LUNCH + rng.uniform(0, 10)
            hours, minutes = divmod(min(minute, 23 * 60 + 30), 60)
            at = datetime(day.year, day.month, day.day, int(hours), int(minutes), tzinfo=BEIJING)
            at += timedelta(seconds=rng.randint(0, 59))
            self._visit(
                campaign=campaign, visitor=visitor, village=village, enterprise=enterprise, at=at, rng=rng
            )
            minute += max(MIN_GAP, rng.uniform(gap * 0.85, gap * 1.15))

    def implausible(
        self, campaign: Campaign, counties: dict[str, list[_Visitor]], unvisited: set[str]
    ) -> None:
        """On the last Sunday: a burst, an impossible journey and copied notes, for the supervisors' flag page."""
        sunday = self.today - timedelta(days=(self.today.weekday() + 1) % 7 or 7)
        if sunday <= campaign.starts:
            return
        rng = random.Random(DEMO_SEED + 6)
        codes = list(COUNTIES)

        def villages_of(visitor: _Visitor) -> list[Region]:
            return [
                v for v in self.villages if v.code.startswith(visitor.county[:6]) and v.code not in unvisited
            ]

        def at(hour: int, minute: int) -> datetime:
            return datetime(sunday.year, sunday.month, sunday.day, hour, minute, tzinfo=BEIJING)

        burst = counties[codes[0]][0]
        places = villages_of(burst)[:5]
        # Five neighbouring communities "visited" from one spot: a burst, not a journey.
        spot = township_centre(places[0].code[:9] + "000")
        for i, village in enumerate(places):
            self._visit(
                campaign=campaign,
                visitor=burst,
                village=village,
                at=at(15, 10) + timedelta(seconds=80 * i),
                rng=rng,
                location=_scatter(spot, rng, km=0.3),
            )
        traveller = counties[codes[1]][1] if len(counties[codes[1]]) > 1 else counties[codes[1]][0]
        first, second = villages_of(traveller)[:2]
        self._visit(campaign=campaign, visitor=traveller, village=first, at=at(10, 0), rng=rng)
        lat, lng = township_centre(second.code[:9] + "000")
        # 80 km north of where the place lies: ten minutes after the first visit.
        far = (Decimal(f"{lat + 80 / KM_PER_DEGREE_LAT:.6f}"), Decimal(f"{lng:.6f}"))
        self._visit(
            campaign=campaign, visitor=traveller, village=second, at=at(10, 10), rng=rng, location=far
        )
        copier = counties[codes[2]]
        for i, visitor in enumerate(copier[:2]):
            village = villages_of(visitor)[i]
            self._visit(
                campaign=campaign,
                visitor=visitor,
                village=village,
                at=at(11, 0 + 30 * i),
                rng=rng,
                notes=COPIED_NOTE,
            )

    # --- targets ------------------------------------------------------------------------------------------

    def targets(self, campaign: Campaign, units: dict[int, int], disputes: dict[int, int]) -> list[Target]:
        """Targets for the visiting units, sized from what they achieved so completion spreads ~40%–110%."""
        households: dict[int, int] = defaultdict(int)
        villages: dict[int, set[str]] = defaultdict(set)
        firms: dict[int, set[int]] = defaultdict(set)
        for visit in self.plan.visits:
            unit = units.get(visit["visitor_id"])
            if unit is None:
                continue
            households[unit] += visit["households_reached"]
            if visit["enterprise_id"] is None:
                villages[unit].add(visit["region_id"])
            else:
                firms[unit].add(visit["enterprise_id"])
        achieved = {
            Metric.HOUSEHOLDS: dict(households),
            Metric.VILLAGES: {u: len(s) for u, s in villages.items()},
            Metric.ENTERPRISES: {u: len(s) for u, s in firms.items()},
            Metric.DISPUTES: disputes,
        }
        rng = random.Random(DEMO_SEED + 7)
        rows: list[Target] = []
        for unit in sorted(set(units.values())):
            for metric, values in achieved.items():
                done = values.get(unit, 0)
                if done <= 0:
                    continue
                completion = rng.uniform(0.4, 1.1)
                rows.append(
                    Target(
                        campaign=campaign,
                        unit_id=unit,
                        metric=metric,
                        quantity=math.ceil(done / completion),
                    )
                )
        return Target.objects.bulk_create(rows, batch_size=CHUNK)


def seed_demo_campaign(*, visits: int = DEMO_VISITS, now: datetime | None = None) -> DemoCampaignSummary:
    """Seed the running demo campaign with `visits` visits, unless a demo campaign (…冬春大走访) exists."""
    started = time.perf_counter()
    now = now or timezone.now()
    with transaction.atomic():
        # Two seedings at once queue here (as demo.units does), so the second sees the first one's campaign.
        list(Region.objects.select_for_update().filter(pk=PREFECTURE_CODE))
        if visits <= 0 or Campaign.objects.filter(name__endswith=CAMPAIGN_SUFFIX).exists():
            return DemoCampaignSummary(created=False)
        seeder = _Seeder(now=now, count=visits)
        cast = seeder.visitors()
        campaign = seeder.campaign()
        enterprises = seeder.enterprises()
        village_holder, enterprise_holder = seeder.responsibilities(
            campaign, cast.counties, cast.townships, cast.prefecture, enterprises
        )
        every = cast.everyone()
        by_user = {v.user.pk: v for v in every}
        unvisited = seeder.unvisited()
        busy = seeder.problem_visits(campaign, by_user, unvisited)
        seeder.implausible(campaign, cast.counties, unvisited)
        planted = len(seeder.plan.visits)
        seeder.scheduled(
            campaign,
            village_holder,
            enterprise_holder,
            {e.pk: e for e in enterprises},
            cast,
            unvisited,
            busy,
            max(0, visits - planted),
        )
        rows = seeder.plan.visits
        BulkWriter("auto", [(Visit, False)]).write(Visit, rows)
        linked = [rows[i]["uuid"] for i, _appeal in seeder.plan.problems]
        ids = dict(Visit.objects.filter(uuid__in=linked).values_list("uuid", "id")) if linked else {}
        problems = [
            VisitProblem(visit_id=ids[rows[i]["uuid"]], appeal_id=appeal)
            for i, appeal in seeder.plan.problems
        ]
        VisitProblem.objects.bulk_create(problems, batch_size=CHUNK)
        visit_tallies_rebuild()
        disputes: dict[int, int] = defaultdict(int)
        units = {v.user.pk: v.unit_id for v in every}
        kinds = dict(
            Appeal.objects.filter(pk__in=[a for _, a in seeder.plan.problems]).values_list("id", "kind")
        )
        for i, appeal in seeder.plan.problems:
            if kinds.get(appeal) == AppealKind.DISPUTE and rows[i]["visitor_id"] in units:
                disputes[units[rows[i]["visitor_id"]]] += 1
        targets = seeder.targets(campaign, units, dict(disputes))
        visited = {v["region_id"] for v in rows if v["enterprise_id"] is None}
    return DemoCampaignSummary(
        created=True,
        campaign=campaign,
        visits=len(rows),
        responsibilities=len(village_holder) + len(enterprise_holder),
        enterprises=len(enterprises),
        targets=len(targets),
        problems=len(problems),
        unvisited=len(seeder.villages) - len(visited),
        seconds=time.perf_counter() - started,
    )
