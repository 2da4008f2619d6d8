"""Scale data for benchmarks (DESIGN §9, §10): M field visits of the demo campaign, written in bulk.

The visit service checks and writes one visit at a time; ten million need the bulk path of core/bulk.py (COPY on
PostgreSQL, bulk_create elsewhere), one batch per transaction, so memory stays flat however many are asked for.
Everything a visit needs is read once before the first batch: the demo campaigns (…冬春大走访), their
responsibilities (包保), the villages of each township and the enterprises.

How the visits are laid out:

- by the campaign's responsible visitors: each visits mostly their own villages (OWN_VILLAGE_SHARE), otherwise
  another village of the same township; about ENTERPRISE_SHARE are visits to an enterprise the visitor answers
  for or that lies in one of the visitor's townships;
- over the campaign's days so far, never in the future, in working hours (8:00–12:00, 13:30–18:30 Beijing
  time; Saturdays fewer, Sundays few), synced a few minutes to a day later;
- located within SCATTER_KM of the township's seat where an administrator entered it, otherwise of the demo's
  pseudo-centre of the township (as seed_demo's visits are); a few without a location, as phones without a fix;
- short notes from a small phrase bank with their digest; no problems raised (appeals come from --appeals).

Each visit gets every column the service would set: a unique client UUID, the notes digest, and
`flags_checked_at` stamped with the seeding's moment, so that the plausibility checks' next run does not claim
millions of visits (a seeded visitor's hundreds of visits a day would be bursts, which says nothing). The content
hash is of the seed's own marker, as for seed_demo's visits: no phone will resend these. The visitors' tallies
(campaigns.models.VisitTally), which the service keeps, are added to batch by batch.
"""

import hashlib
import math
import random
import threading
import time
from bisect import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from campaigns.models import Campaign, Enterprise, Responsibility, Visit, VisitTally
from campaigns.services.flags import notes_digest
from core.bulk import BulkWriter, bulk_method
from core.errors import DomainError
from core.workcalendar import BEIJING
from demo.campaign import CAMPAIGN_SUFFIX, KM_PER_DEGREE_LAT, township_centre
from geo.models import Region

SCALE_SEED = 522700
OWN_VILLAGE_SHARE = 0.8
ENTERPRISE_SHARE = 0.1
UNLOCATED_SHARE = 0.04
SUGGESTION_SHARE = 0.05
SCATTER_KM = 4.0
# Working hours in minutes of the Beijing day, and how busy each weekday is (Monday first).
SHIFTS = ((8 * 60, 12 * 60), (13 * 60 + 30, 18 * 60 + 30))
WEEKDAY_WEIGHTS = (1.0, 1.0, 1.0, 1.0, 1.0, 0.6, 0.2)
# Minutes between the visit and its arrival on the server: at once, or after the phone found a network.
SYNC_DELAYS = (1, 2, 5, 30, 120, 600, 1500)
# Any constant: the key of the PostgreSQL advisory lock under which the writing threads add to the tallies.
TALLY_LOCK = 0x7A66_7461  # "zfta"

VILLAGE_PHRASES = (
    "宣传反诈知识，群众反映总体平稳",
    "排查矛盾纠纷，未发现新的隐患",
    "了解农民工工资支付情况",
    "了解留守老人和儿童生活情况",
    "核实惠农补贴发放情况",
    "宣讲平安建设知识，收集意见建议",
    "排查邻里土地边界矛盾",
    "了解饮水和道路等民生问题",
    "走访困难群众，登记反映的问题",
    "宣传防范早婚早育相关政策",
    "排查家庭婚姻矛盾，开展心理疏导",
    "宣传扫黑除恶知识，收集问题线索",
)
ENTERPRISE_PHRASES = (
    "查看工资发放台账，未发现欠薪问题",
    "宣传《保障农民工工资支付条例》",
    "排查安全生产和劳动纠纷隐患",
    "听取企业意见建议，企业反映经营正常",
)
SUGGESTIONS = (
    "建议增设路灯和监控，方便群众夜间出行。",
    "群众建议定期开展法律服务进村活动。",
    "建议加快通组路硬化进度。",
    "群众希望增加反诈宣传进村入户次数。",
)
# Households reached on a village visit: mostly a handful, sometimes a whole group (a gamma, drawn once).
# A version-4 UUID as an integer: the version and variant bits cleared, then set.
UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
UUID_V4 = (0x4000 << 64) | (0x8000 << 48)
HOUSEHOLDS = sorted(min(60, max(1, int(random.Random(SCALE_SEED).gammavariate(2.2, 5)))) for _ in range(1000))


@dataclass(frozen=True)
class ScaleVisitsSummary:
    visits: int
    enterprise_visits: int
    campaigns: int
    seconds: float
    method: str


@dataclass(frozen=True)
class _Place:
    region_id: str
    enterprise_id: int | None
    label: str  # the village's short name or the enterprise's name, for the notes
    lat: float
    lng: float
    km_per_degree_lng: float

    @classmethod
    def near(
        cls, region_id: str, enterprise_id: int | None, label: str, centre: tuple[float, float]
    ) -> "_Place":
        lat, lng = centre
        return cls(region_id, enterprise_id, label, lat, lng, KM_PER_DEGREE_LAT * math.cos(math.radians(lat)))


@dataclass(frozen=True)
class _Calendar:
    """When a campaign's visits may start: working shifts from its first day up to now, with weights."""

    starts: list[datetime]
    lengths: list[float]  # seconds
    cumulative: list[float]

    @classmethod
    def of(cls, campaign: Campaign, now: datetime) -> "_Calendar":
        starts: list[datetime] = []
        lengths: list[float] = []
        cumulative: list[float] = []
        total = 0.0
        last = min(campaign.ends, timezone.localdate(now, BEIJING))
        day = campaign.starts
        while day <= last:
            for begin, end in SHIFTS:
                start = datetime(day.year, day.month, day.day, tzinfo=BEIJING) + timedelta(minutes=begin)
                length = min(end - begin, (now - start).total_seconds() / 60) * 60
                if length >= 60:
                    starts.append(start)
                    lengths.append(length)
                    total += length * WEEKDAY_WEIGHTS[day.weekday()]
                    cumulative.append(total)
            day += timedelta(days=1)
        return cls(starts=starts, lengths=lengths, cumulative=cumulative)

    def moment(self, fraction: float) -> datetime:
        """The moment that `fraction` (0 to 1) of the campaign's weighted working time lies before."""
        point = fraction * self.cumulative[-1]
        i = min(bisect(self.cumulative, point), len(self.starts) - 1)
        before = self.cumulative[i - 1] if i else 0.0
        share = (point - before) / (self.cumulative[i] - before)
        return self.starts[i] + timedelta(seconds=int(min(max(share, 0.0), 1.0) * self.lengths[i]))


@dataclass(frozen=True)
class _Option:
    """A place a visitor goes to in a campaign; `township` holds the other villages of its township."""

    campaign_id: int
    calendar: _Calendar
    visitor_id: int
    place: _Place
    township: tuple[_Place, ...] = ()


def _short(name: str) -> str:
    return name.removesuffix("居民委员会").removesuffix("村民委员会").removesuffix("委员会")


class _Plan:
    """The demo campaigns' responsibilities as options to draw visits from."""

    def __init__(self, *, now: datetime) -> None:
        today = timezone.localdate(now, BEIJING)
        campaigns = list(
            Campaign.objects.filter(name__endswith=CAMPAIGN_SUFFIX, is_active=True, starts__lte=today)
        )
        if not campaigns:
            raise DomainError(
                f"没有正在进行的演示走访活动（…{CAMPAIGN_SUFFIX}），请先运行 seed_demo",
                code="campaign_missing",
            )
        regions = Region.objects.filter(level__in=(Region.Level.TOWNSHIP, Region.Level.VILLAGE))
        seats: dict[str, tuple[float, float]] = {}
        villages: dict[str, list[Region]] = {}
        for region in regions.order_by("code"):
            if region.level == Region.Level.TOWNSHIP:
                if region.latitude is not None and region.longitude is not None:
                    seats[region.code] = (float(region.latitude), float(region.longitude))
            else:
                villages.setdefault(region.code[:9] + "000", []).append(region)

        def centre(region_id: str) -> tuple[float, float]:
            township = region_id[:9] + "000"
            return seats.get(township) or township_centre(township)

        places: dict[str, _Place] = {}
        for township_villages in villages.values():
            for v in township_villages:
                places[v.code] = _Place.near(v.code, None, _short(v.name), centre(v.code))
        neighbours = {code: tuple(places[v.code] for v in vs) for code, vs in villages.items()}
        enterprises = {
            e.pk: _Place.near(e.region_id, e.pk, e.name, centre(e.region_id))
            for e in Enterprise.objects.filter(is_active=True, region__level=Region.Level.VILLAGE)
        }
        by_township: dict[str, list[_Place]] = {}
        for e in enterprises.values():
            by_township.setdefault(e.region_id[:9] + "000", []).append(e)
        self.villages: list[_Option] = []
        self.enterprises: list[_Option] = []
        self.campaigns: list[Campaign] = []
        for campaign in campaigns:
            calendar = _Calendar.of(campaign, now)
            if not calendar.starts:
                continue
            held: set[tuple[int, int]] = set()
            rows = Responsibility.objects.filter(campaign=campaign, visitor__is_active=True).order_by("id")
            before = len(self.villages) + len(self.enterprises)
            for visitor_id, region_id, enterprise_id in rows.values_list(
                "visitor_id", "region_id", "enterprise_id"
            ):
                if region_id is not None and region_id in places:
                    township = region_id[:9] + "000"
                    self.villages.append(
                        _Option(campaign.pk, calendar, visitor_id, places[region_id], neighbours[township])
                    )
                    candidates = by_township.get(township, [])
                elif enterprise_id is not None and enterprise_id in enterprises:
                    candidates = [enterprises[enterprise_id]]
                else:
                    continue
                for place in candidates:
                    assert place.enterprise_id is not None
                    if (visitor_id, place.enterprise_id) not in held:
                        held.add((visitor_id, place.enterprise_id))
                        self.enterprises.append(_Option(campaign.pk, calendar, visitor_id, place))
            if len(self.villages) + len(self.enterprises) > before:
                self.campaigns.append(campaign)
        if not self.villages and not self.enterprises:
            raise DomainError(
                "演示走访活动还没有开始或没有包保责任，无法生成走访记录", code="no_responsibilities"
            )


Counts = dict[tuple[int, int, str, int], list[int]]  # tally key → [visits, households]


class _Generator:
    def __init__(self, *, plan: _Plan, now: datetime, seed: int) -> None:
        self.plan, self.now = plan, now
        self.rng = random.Random(seed)
        # UUIDs from the system's randomness, not the seed: a second run must not repeat the first one's.
        self.uuid_bits = random.SystemRandom().getrandbits
        self.uuid_rng = random.Random(self.uuid_bits(256))

    def rows(self, size: int, counts: Counts, *, start: float, span: float) -> Iterator[dict[str, Any]]:
        """`size` visit rows by attname, made as they are written (the server indexes the rows meanwhile);
        each is added into `counts` on the way.

        Their times lie in order within the part [start, start + span) of each campaign's working time: a run
        writes the campaign's visits oldest first, as they would have arrived, so that most of the indexes
        (by time, by place and time, by visitor and time) take each batch's rows in a few places instead of
        all over (the UUIDs' and notes digests' indexes are random by nature)."""
        r, plan, now = self.rng.random, self.plan, self.now
        bits = self.uuid_rng.getrandbits
        villages, enterprises = plan.villages, plan.enterprises
        enterprise_share = (ENTERPRISE_SHARE if enterprises else 0.0) if villages else 1.0
        fractions = sorted(start + r() * span for _ in range(size))
        for fraction in fractions:
            if r() < enterprise_share:
                option = enterprises[int(r() * len(enterprises))]
                place = option.place
                households = 0
                people = 2 + int(r() * 14)
                phrase = ENTERPRISE_PHRASES[int(r() * len(ENTERPRISE_PHRASES))]
                notes = f"走访{place.label}，与企业负责人和职工{people}人座谈，{phrase}。"
            else:
                option = villages[int(r() * len(villages))]
                place = option.place
                if r() >= OWN_VILLAGE_SHARE:
                    place = option.township[int(r() * len(option.township))]
                households = HOUSEHOLDS[int(r() * len(HOUSEHOLDS))]
                people = households + int(r() * (2 * households + 1))
                phrase = VILLAGE_PHRASES[int(r() * len(VILLAGE_PHRASES))]
                notes = f"走访{place.label}{1 + int(r() * 12)}组{households}户{people}人，{phrase}。"
            started = option.calendar.moment(fraction)
            synced = started + timedelta(
                minutes=SYNC_DELAYS[int(r() * len(SYNC_DELAYS))], seconds=int(r() * 60)
            )
            # Decimal text: both COPY and the DecimalField take it as it is.
            lat = lng = None
            if r() >= UNLOCATED_SHARE:
                angle, km = r() * 2 * math.pi, SCATTER_KM * math.sqrt(r())
                lat = f"{place.lat + km * math.cos(angle) / KM_PER_DEGREE_LAT:.6f}"
                lng = f"{place.lng + km * math.sin(angle) / place.km_per_degree_lng:.6f}"
            visit_uuid = f"{bits(128) & UUID_CLEAR | UUID_V4:032x}"
            key = (option.campaign_id, option.visitor_id, place.region_id, place.enterprise_id or 0)
            held = counts.get(key)
            if held is None:
                counts[key] = [1, households]
            else:
                held[0] += 1
                held[1] += households
            yield {
                "uuid": visit_uuid,
                "campaign_id": option.campaign_id,
                "visitor_id": option.visitor_id,
                "region_id": place.region_id,
                "enterprise_id": place.enterprise_id,
                "started_at": started,
                "latitude": lat,
                "longitude": lng,
                "households_reached": households,
                "people_met": people,
                "notes": notes,
                "notes_digest": notes_digest(notes),
                "suggestions": SUGGESTIONS[int(r() * len(SUGGESTIONS))] if r() < SUGGESTION_SHARE else "",
                "form_version": 1,
                "content_hash": hashlib.sha256(f"scale:{visit_uuid}".encode()).hexdigest(),
                "created_at": min(synced, now),
                "flags_checked_at": now,
                "flagged": False,
            }


def _tally(counts: Counts) -> None:
    """Add a batch's visits to the visitors' tallies, as the visit service does for each visit it stores."""
    if not counts:
        return
    existing = {
        (t.campaign_id, t.visitor_id, t.region_id, t.enterprise_id): t
        for t in VisitTally.objects.select_for_update().filter(
            campaign_id__in={k[0] for k in counts}, visitor_id__in={k[1] for k in counts}
        )
    }
    tallies: list[VisitTally] = []
    for key, (visits, households) in counts.items():
        tally = existing.get(key)
        if tally is None:
            tally = VisitTally(campaign_id=key[0], visitor_id=key[1], region_id=key[2], enterprise_id=key[3])
        tally.visits += visits
        tally.households += households
        tallies.append(tally)
    # The rows held are locked above: writing their sums back is adding to them.
    VisitTally.objects.bulk_create(
        tallies,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["campaign", "visitor", "region", "enterprise_id"],
        update_fields=["visits", "households"],
    )


@dataclass
class _Progress:
    """What the workers have written so far, reported after each batch."""

    total: int
    report: Callable[[str], None] | None
    started: float = field(default_factory=time.perf_counter)
    done: int = 0
    enterprise_visits: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, n: int, enterprise_visits: int) -> None:
        with self.lock:
            self.done += n
            self.enterprise_visits += enterprise_visits
            if self.report is not None:
                rate = self.done / (time.perf_counter() - self.started)
                self.report(f"{self.done:,}/{self.total:,} visits, {rate:,.0f}/s")


def _write_share(
    *, plan: _Plan, share: int, batch_size: int, method: str, now: datetime, seed: int, progress: _Progress
) -> None:
    """Write `share` visits, one batch per transaction, on this thread's database connection."""
    generator = _Generator(plan=plan, now=now, seed=seed)
    writer = BulkWriter(method, [(Visit, False)])
    done = 0
    while done < share:
        counts: Counts = {}
        size = min(batch_size, share - done)
        with transaction.atomic():
            n = writer.write(Visit, generator.rows(size, counts, start=done / share, span=size / share))
            if connection.vendor == "postgresql":
                # Workers add to the same tallies: one at a time, at the end of their batches.
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TALLY_LOCK])
            _tally(counts)
        done += n
        progress.add(n, sum(c[0] for key, c in counts.items() if key[3]))


def _worker(errors: list[BaseException], **kwargs: Any) -> None:
    try:
        _write_share(**kwargs)
    except BaseException as exc:  # handed to the calling thread, which raises it
        errors.append(exc)
    finally:
        connection.close()


def scale_visits(
    *,
    visits: int,
    batch_size: int = 10_000,
    method: str = "auto",
    now: datetime | None = None,
    seed: int = SCALE_SEED,
    progress: Callable[[str], None] | None = None,
    workers: int = 1,
) -> ScaleVisitsSummary:
    """Bulk-write `visits` visits of the demo campaigns, batch by batch; refuses without a demo campaign.

    With `workers` > 1 (COPY only) that many threads write at once, each on its own connection: the server's
    work (a dozen indexes per row) is most of the cost, and one connection keeps one CPU busy at most."""
    now = now or timezone.now()
    method = bulk_method(method)
    plan = _Plan(now=now)
    tracker = _Progress(total=visits, report=progress)
    common: dict[str, Any] = {"plan": plan, "batch_size": batch_size, "method": method, "now": now}
    if method != "copy" or workers <= 1:
        _write_share(share=visits, seed=seed, progress=tracker, **common)
    else:
        errors: list[BaseException] = []
        threads = [
            threading.Thread(
                target=_worker,
                args=(errors,),
                kwargs={
                    "share": visits // workers + (i < visits % workers),
                    "seed": seed + i,
                    "progress": tracker,
                    **common,
                },
            )
            for i in range(workers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
    if connection.vendor == "postgresql" and tracker.done:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Visit._meta.db_table)}")
    return ScaleVisitsSummary(
        visits=tracker.done,
        enterprise_visits=tracker.enterprise_visits,
        campaigns=len(plan.campaigns),
        seconds=time.perf_counter() - tracker.started,
        method=method,
    )
