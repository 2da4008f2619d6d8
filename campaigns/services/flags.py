"""Plausibility checks on field visits (DESIGN §4): reasons for a supervisor to doubt a visit, never a verdict.

A run reads the visits not yet checked in batches, compares them outside any transaction, then claims each batch
with one compare-and-set UPDATE (`flags_checked_at IS NULL` → the run's moment, RETURNING the ids claimed) in the
short transaction that stores its flags, so two runs at once check disjoint visits and a visit is checked once;
the unique (visit, kind) constraint guards what is left. Every step is linear in the batch. Each claimed visit is
compared with the visits around it, old ones included, read through indexes and bounded by the batch:

- BURST: the same visitor's visits within ±10 minutes of it; ≥ 4 whose start times fit in 10 minutes are all
  flagged.
- IMPOSSIBLE_TRAVEL: the visitor's located visits just before and just after it; a pair more than 3 km apart
  that would need more than 120 km/h flags both visits.
- FAR_FROM_TOWNSHIP: more than 20 km from the township's reference point (see `_township_points`).
- COPIED_NOTES: the visits of the campaign with the same notes digest; every copy is flagged, old ones too.
"""

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection, transaction
from django.db.models import Avg, Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr
from django.utils import timezone

from campaigns.models import FlagKind, Visit, VisitFlag
from geo.models import Region, subtree_bounds

BURST_WINDOW = timedelta(minutes=10)
BURST_MIN_VISITS = 4
MAX_SPEED_KMH = 120.0
MIN_TRAVEL_KM = 3.0
FAR_FROM_TOWNSHIP_KM = 20.0
# A township without a seat on record is placed at the mean of its located visits, once there are this many.
MEAN_MIN_VISITS = 10
NOTES_MIN_CHARS = 15
# Visits per batch: bounds the rows read into Python and the length of each batch's write transaction
# (0.06 s median, 0.4 s worst on SQLite for batches of copies in one burst: bench/flag_visits.py).
BATCH_SIZE = 500
# Other visits named in a flag's details; the count says how many there are in all.
SHOWN = 20
# OR branches per query: SQLite refuses expression trees deeper than 1000.
BRANCHES = 200
EARTH_RADIUS_KM = 6371.0088


def notes_digest(notes: str) -> str:
    """The first 16 hex digits of the SHA-256 of the notes without any whitespace; blank under 15 characters."""
    text = "".join(notes.split())
    if len(text) < NOTES_MIN_CHARS:
        return ""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance between two points in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class _Claimed:
    id: int
    visitor_id: int
    campaign_id: int
    region_id: str
    started_at: datetime
    lat: float | None
    lng: float | None
    notes_digest: str


Found = dict[tuple[int, str], dict[str, Any]]


def _number(value: Decimal | None) -> float:
    # The *_location_whole constraints keep latitude and longitude set or empty together.
    assert value is not None
    return float(value)


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _any(branches: list[Q]) -> Q:
    return reduce(or_, branches, Q(pk__in=[]))


TABLE = Visit._meta.db_table


def _unchecked(*, after: int, only: QuerySet[Visit] | None) -> list[int]:
    """The next BATCH_SIZE unchecked visits after id `after`: a read, which takes no write lock."""
    rows = (only if only is not None else Visit.objects.all()).filter(
        flags_checked_at__isnull=True, pk__gt=after
    )
    return list(rows.order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE])


def _claim(*, stamp: datetime, ids: list[int]) -> set[int]:
    """Stamp those of the visits that are still unchecked with this run's moment; the ids this UPDATE changed.

    The compare-and-set (`IS NULL`, re-checked under the row lock) leaves out a visit another run claimed since
    this one read it.
    """
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        f"UPDATE {TABLE} SET flags_checked_at = %s "  # noqa: S608 (placeholders only)
        f"WHERE flags_checked_at IS NULL AND id IN ({marks}) RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(stamp), *ids])
        return {row[0] for row in cursor.fetchall()}


def _load(ids: list[int]) -> list[_Claimed]:
    """The claimed visits; a digest missing (visits stored by bulk paths, or before digests) is filled now."""
    missing = list(Visit.objects.filter(pk__in=ids, notes_digest="").exclude(notes="").only("id", "notes"))
    for visit in missing:
        visit.notes_digest = notes_digest(visit.notes)
    Visit.objects.bulk_update([v for v in missing if v.notes_digest], ["notes_digest"])
    rows = Visit.objects.filter(pk__in=ids).values_list(
        "id", "visitor_id", "campaign_id", "region_id", "started_at", "latitude", "longitude", "notes_digest"
    )
    return [
        _Claimed(
            id=r[0],
            visitor_id=r[1],
            campaign_id=r[2],
            region_id=r[3],
            started_at=r[4],
            lat=None if r[5] is None else float(r[5]),
            lng=None if r[6] is None else float(r[6]),
            notes_digest=r[7],
        )
        for r in rows
    ]


def _merged(times: list[datetime], margin: timedelta) -> list[tuple[datetime, datetime]]:
    spans: list[tuple[datetime, datetime]] = []
    for t in sorted(times):
        low, high = t - margin, t + margin
        if spans and low <= spans[-1][1]:
            spans[-1] = (spans[-1][0], high)
        else:
            spans.append((low, high))
    return spans


def _values(rows: list[tuple[Any, ...]], types: tuple[str, ...]) -> tuple[str, list[Any]]:
    """A VALUES list of parameters; typed on PostgreSQL, where parameters of a VALUES list need a type."""
    typed = connection.vendor == "postgresql"
    one = ", ".join(f"CAST(%s AS {t})" if typed else "%s" for t in types)
    return ", ".join(f"({one})" for _ in rows), [value for row in rows for value in row]


def _bursts(claimed: list[_Claimed], found: Found) -> None:
    times: dict[int, list[datetime]] = defaultdict(list)
    for visit in claimed:
        times[visit.visitor_id].append(visit.started_at)
    adapt = connection.ops.adapt_datetimefield_value
    spans = [
        (visitor, adapt(low), adapt(high))
        for visitor, ts in times.items()
        for low, high in _merged(ts, BURST_WINDOW)
    ]
    # One join of the windows with the (visitor, started_at) index: an OR of thousands of ranges costs more to
    # compile and plan than to run.
    values, params = _values(spans, ("bigint", "timestamptz", "timestamptz"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH w (visitor, low, high) AS (VALUES {values}) "  # noqa: S608 (placeholders only)
            f"SELECT DISTINCT v.id FROM w JOIN {TABLE} v "
            f"ON v.visitor_id = w.visitor AND v.started_at >= w.low AND v.started_at <= w.high",
            params,
        )
        ids = [row[0] for row in cursor.fetchall()]
    around: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for pk, visitor, started in Visit.objects.filter(pk__in=ids).values_list(
        "id", "visitor_id", "started_at"
    ):
        around[visitor].append((started, pk))
    for rows in around.values():
        ordered = sorted(rows)
        first, assigned = 0, 0  # visits ordered[:assigned] have their burst already, or never will
        for last in range(len(ordered)):
            while ordered[last][0] - ordered[first][0] > BURST_WINDOW:
                first += 1
            if last - first + 1 < BURST_MIN_VISITS:
                continue
            # Each visit takes the first burst that holds it, and is looked at once: linear in the visits.
            window = ordered[first : last + 1]
            minutes = round((window[-1][0] - window[0][0]).total_seconds() / 60, 1)
            shown = [pk for _, pk in window[: SHOWN + 1]]
            for _, pk in ordered[max(first, assigned) : last + 1]:
                found.setdefault(
                    (pk, FlagKind.BURST),
                    {"visits": _others(shown, pk), "count": len(window), "minutes": minutes},
                )
            assigned = last + 1


def _others(shown: list[int], pk: int) -> list[int]:
    """The first SHOWN visits of a group other than `pk`, from the group's first SHOWN + 1."""
    return [o for o in shown if o != pk][:SHOWN]


def _neighbour(*, before: bool) -> Subquery:
    """The visitor's located visit just before (or after) the outer one, in (started_at, id) order."""
    located = Visit.objects.filter(visitor_id=OuterRef("visitor_id"), latitude__isnull=False)
    if before:
        located = located.filter(
            Q(started_at__lt=OuterRef("started_at"))
            | Q(started_at=OuterRef("started_at"), id__lt=OuterRef("id")),
            started_at__lte=OuterRef("started_at"),
        ).order_by("-started_at", "-id")
    else:
        located = located.filter(
            Q(started_at__gt=OuterRef("started_at"))
            | Q(started_at=OuterRef("started_at"), id__gt=OuterRef("id")),
            started_at__gte=OuterRef("started_at"),
        ).order_by("started_at", "id")
    return Subquery(located.values("id")[:1])


def _travel(claimed: list[_Claimed], found: Found) -> None:
    located = [v.id for v in claimed if v.lat is not None]
    if not located:
        return
    pairs = list(
        Visit.objects.filter(pk__in=located)
        .annotate(before=_neighbour(before=True), after=_neighbour(before=False))
        .values_list("id", "before", "after")
    )
    ids = {pk for row in pairs for pk in row if pk is not None}
    points = {
        pk: (started, _number(lat), _number(lng))
        for pk, started, lat, lng in Visit.objects.filter(pk__in=ids).values_list(
            "id", "started_at", "latitude", "longitude"
        )
    }
    best: dict[int, dict[str, Any]] = {}
    for pk, before, after in pairs:
        for other in (before, after):
            if other is None:
                continue
            (t1, lat1, lng1), (t2, lat2, lng2) = points[pk], points[other]
            km = haversine_km(lat1, lng1, lat2, lng2)
            hours = abs((t2 - t1).total_seconds()) / 3600
            if km <= MIN_TRAVEL_KM or (hours > 0 and km / hours <= MAX_SPEED_KMH):
                continue
            kmh = round(km / hours, 1) if hours > 0 else None
            for a, b in ((pk, other), (other, pk)):
                details = {"visit": b, "km": round(km, 1), "minutes": round(hours * 60, 1), "kmh": kmh}
                held = best.get(a)
                if held is None or (held["kmh"] is not None and (kmh is None or kmh > held["kmh"])):
                    best[a] = details
    for pk, details in best.items():
        found.setdefault((pk, FlagKind.IMPOSSIBLE_TRAVEL), details)


def _township(region_code: str) -> str | None:
    """The township holding a village (or the township itself); None for a place above township level."""
    if region_code[6:9] == "000":
        return None
    return region_code[:9] + "000"


@dataclass(frozen=True)
class _Point:
    lat: float
    lng: float
    name: str
    reference: str  # "seat": entered for the township; "mean": the mean of its located visits
    visits: int = 0


def _township_points(codes: set[str], memo: dict[str, _Point | None]) -> None:
    """The reference point of each township, into `memo` (shared by the batches of one run).

    Rule: the township's seat when an administrator entered one (geo.Region latitude/longitude); otherwise the
    mean location of all the located visits in the township, but only once there are at least MEAN_MIN_VISITS
    of them: fewer says too little about where the township is, and then no visit there is flagged as far.
    """
    todo = codes - memo.keys()
    if not todo:
        return
    names: dict[str, str] = {}
    for code, name, lat, lng in Region.objects.filter(code__in=todo).values_list(
        "code", "name", "latitude", "longitude"
    ):
        names[code] = name
        memo[code] = None if lat is None else _Point(float(lat), _number(lng), name, "seat")
    unplaced = sorted(code for code in todo if memo.get(code) is None)
    branches = [Q(region__code__range=subtree_bounds(code[:9])) for code in unplaced]
    for chunk in _chunks(branches, BRANCHES):
        means = (
            Visit.objects.filter(_any(chunk), latitude__isnull=False)
            .annotate(township=Substr("region_id", 1, 9))
            .values("township")
            .annotate(n=Count("id"), lat=Avg("latitude"), lng=Avg("longitude"))
        )
        for row in means:
            code = row["township"] + "000"
            if row["n"] >= MEAN_MIN_VISITS:
                memo[code] = _Point(
                    float(row["lat"]), float(row["lng"]), names.get(code, code), "mean", row["n"]
                )
    for code in todo:
        memo.setdefault(code, None)


def _far(claimed: list[_Claimed], found: Found, memo: dict[str, _Point | None]) -> None:
    located = [(v, _township(v.region_id)) for v in claimed if v.lat is not None and v.lng is not None]
    _township_points({code for _, code in located if code is not None}, memo)
    for visit, code in located:
        point = memo.get(code) if code is not None else None
        if point is None or visit.lat is None or visit.lng is None:
            continue
        km = haversine_km(visit.lat, visit.lng, point.lat, point.lng)
        if km > FAR_FROM_TOWNSHIP_KM:
            found[(visit.id, FlagKind.FAR_FROM_TOWNSHIP)] = {
                "km": round(km, 1),
                "township": code,
                "township_name": point.name,
                "reference": point.reference,
                "visits": point.visits,
            }


def _copies(claimed: list[_Claimed], found: Found) -> None:
    """Old copies beyond the first SHOWN + 1 of a note were flagged when the second copy arrived."""
    mine: dict[tuple[int, str], set[int]] = defaultdict(set)
    for visit in claimed:
        if visit.notes_digest:
            mine[(visit.campaign_id, visit.notes_digest)].add(visit.id)
    if not mine:
        return
    values, params = _values(sorted(mine), ("bigint", "varchar"))
    # Served by the index (notes_digest, campaign): one seek per note.
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH k (campaign, digest) AS (VALUES {values}) "  # noqa: S608 (placeholders only)
            f"SELECT id, campaign_id, notes_digest, total FROM ("
            f"SELECT v.id, v.campaign_id, v.notes_digest, "
            f"ROW_NUMBER() OVER (PARTITION BY v.campaign_id, v.notes_digest ORDER BY v.id) AS rank, "
            f"COUNT(*) OVER (PARTITION BY v.campaign_id, v.notes_digest) AS total "
            f"FROM k JOIN {TABLE} v ON v.campaign_id = k.campaign AND v.notes_digest = k.digest"
            f") ranked WHERE rank <= %s",
            [*params, SHOWN + 1],
        )
        rows = cursor.fetchall()
    shown: dict[tuple[int, str], set[int]] = defaultdict(set)
    totals: dict[tuple[int, str], int] = {}
    for pk, campaign, digest, total in rows:
        shown[(campaign, digest)].add(pk)
        totals[(campaign, digest)] = total
    for key, first in shown.items():
        if totals[key] < 2:
            continue
        members = sorted(first | mine[key])
        shown_ids = members[: SHOWN + 1]
        for pk in members:
            found.setdefault(
                (pk, FlagKind.COPIED_NOTES), {"visits": _others(shown_ids, pk), "count": totals[key]}
            )


def _store(found: Found, *, now: datetime) -> int:
    if not found:
        return 0
    visit_ids = sorted({pk for pk, _ in found})
    held = set(VisitFlag.objects.filter(visit_id__in=visit_ids).values_list("visit_id", "kind"))
    new = [
        VisitFlag(visit_id=pk, kind=kind, details=details, detected_at=now)
        for (pk, kind), details in sorted(found.items())
        if (pk, kind) not in held
    ]
    # A concurrent run may have flagged the same old visit meanwhile; the unique constraint keeps one.
    VisitFlag.objects.bulk_create(new, ignore_conflicts=True)
    Visit.objects.filter(pk__in=sorted({f.visit_id for f in new}), flagged=False).update(flagged=True)
    return len(new)


# Any constant shared by all runs: the key of the PostgreSQL advisory lock of the plausibility checks.
ADVISORY_LOCK = 0x7A66_6C61  # "zfla"


def _serialize() -> None:
    """One batch at a time across runs (PostgreSQL; SQLite serializes writers by itself).

    Two batches at once could deadlock: each marks old visits of the other's batch `flagged` while the other
    holds them locked since its claim. Batches are short, so a second run just waits for the first.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])


def visits_flag(*, visits: QuerySet[Visit] | None = None, now: datetime | None = None) -> int:
    """Check every visit not yet checked (or only those of `visits`) once; the number of flags added.

    Each batch is read and compared outside any transaction (on SQLite a read takes no write lock), then
    claimed and stored in one short transaction of its own: no run holds the write lock for long, however many
    visits arrive (DESIGN §9), and what a run did stays done if it stops halfway.
    """
    now = now or timezone.now()
    memo: dict[str, _Point | None] = {}
    added, after = 0, 0
    while ids := _unchecked(after=after, only=visits):
        after = ids[-1]
        claimed = _load(ids)
        found: Found = {}
        _bursts(claimed, found)
        _travel(claimed, found)
        _far(claimed, found, memo)
        _copies(claimed, found)
        with transaction.atomic():
            _serialize()
            mine = _claim(stamp=now, ids=ids)
            # A visit of this batch that another run claimed meanwhile is that run's to flag.
            theirs = set(ids) - mine
            added += _store({key: d for key, d in found.items() if key[0] not in theirs}, now=now)
    return added
