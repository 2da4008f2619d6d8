"""Scale visits written by the database itself (`seed_scale --visits N --method sql`): ten million in minutes.

The COPY path (scale_visits.py) draws every visit in Python and streams it; here Python only describes the few
thousand places and working shifts the visits are drawn from (two temporary tables), and each batch is one
`INSERT … SELECT` over a series of numbers (generate_series on PostgreSQL, a recursive CTE on SQLite) that
picks each visit's place, shift, minute, households and notes by multiplicative hashing of its number. The
visitors' tallies (VisitTally) are then added from the batch in one `INSERT … SELECT … GROUP BY … ON CONFLICT`.
On PostgreSQL, from REBUILD_FROM visits on, the visit list's nine secondary indexes are dropped for the load and
built again at the end (also when the load fails), each in one pass.

The layout follows scale_visits.py in outline, simpler: each visit goes to one of the campaign's responsibilities
(包保), a village or, for one visit in ENTERPRISE_EVERY, an enterprise the visitor answers for or that lies in
one of their townships; within the campaign's working shifts so far (never in the future, Beijing working hours,
Saturdays fewer, Sundays few, by WEEKDAY_WEIGHTS); a location near the township's seat;
notes from the phrase bank with their digest; one visit in CONTACT_EVERY with a made-up household contact (a
name from two small character banks and a 139 number), so spot-checks have someone to call. Visits are written
as already checked for plausibility, as the COPY path writes them.
"""

import hashlib
import time
from collections.abc import Callable
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from campaigns.models import Visit, VisitTally
from campaigns.services.flags import notes_digest
from core.workcalendar import BEIJING
from demo.campaign import CONTACT_EVERY, GIVEN, SURNAMES
from demo.scale_visits import (
    ENTERPRISE_PHRASES,
    SCALE_SEED,
    VILLAGE_PHRASES,
    WEEKDAY_WEIGHTS,
    ScaleVisitsSummary,
    _Option,
    _Plan,
)

ENTERPRISE_EVERY = 10
# From this many visits on PostgreSQL the visit list's indexes are dropped for the load and built again after.
REBUILD_FROM = 1_000_000
SYNC_SECONDS = 300
SCATTER_DEGREES = 0.03
# Multipliers of the hashes: large primes, so that place, shift, minute and notes of one visit are unrelated.
P_PLACE, P_SHIFT, P_OFFSET, P_HOUSEHOLDS, P_LAT, P_LNG, P_PHONE = (
    7919,
    104729,
    1299709,
    15485863,
    32452843,
    49979687,
    86028121,
)
SEED_MARKER = hashlib.sha256(b"scale:sql").hexdigest()


def _series(lo: int, hi: int) -> str:
    """A `g(n)` of the numbers lo..hi, for the FROM clause."""
    if connection.vendor == "postgresql":
        return f"generate_series(CAST({lo:d} AS bigint), CAST({hi:d} AS bigint)) AS g(n)"
    recursive = f"WITH RECURSIVE s(n) AS (SELECT {lo:d} UNION ALL SELECT n + 1 FROM s WHERE n < {hi:d})"  # noqa: S608
    return f"({recursive} SELECT n FROM s) g"  # noqa: S608


def _sql_functions() -> dict[str, str]:
    if connection.vendor == "postgresql":
        return {
            "uuid": "gen_random_uuid()",
            "moment": "to_timestamp({seconds})",
            "later": f"to_timestamp({{seconds}} + {SYNC_SECONDS})",
            "now": "now()",
            "text": "CAST({value} AS text)",
        }
    return {
        "uuid": "lower(hex(randomblob(16)))",
        "moment": "datetime({seconds}, 'unixepoch')",
        "later": f"datetime({{seconds}} + {SYNC_SECONDS}, 'unixepoch')",
        "now": "datetime('now')",
        "text": "CAST({value} AS TEXT)",
    }


def _prepare(cursor: object, plan: _Plan) -> tuple[int, int]:
    """The temporary tables of places (zf_place: kind v/e, k, campaign, visitor, region, enterprise, centre,
    its campaign's shift count) and shifts (zf_shift: campaign, i, start in epoch seconds, length); the counts
    of village and enterprise places."""
    ex = cursor.execute  # type: ignore[attr-defined]
    ex("DROP TABLE IF EXISTS zf_place")
    ex("DROP TABLE IF EXISTS zf_shift")
    ex("DROP TABLE IF EXISTS zf_phrase")
    ex(
        "CREATE TEMPORARY TABLE zf_place (kind char(1), k integer, campaign_id bigint, visitor_id bigint, "
        "region_id varchar(12), enterprise_id bigint, lat double precision, lng double precision, shifts integer)"
    )
    ex("CREATE TEMPORARY TABLE zf_shift (campaign_id bigint, i integer, start bigint, length integer)")
    ex("CREATE TEMPORARY TABLE zf_phrase (kind char(1), i integer, notes text, digest varchar(16))")
    shifts: dict[int, int] = {}
    shift_rows = []
    seen: set[int] = set()
    for option in [*plan.villages, *plan.enterprises]:
        if option.campaign_id in seen:
            continue
        seen.add(option.campaign_id)
        i = 0
        for start, length in zip(option.calendar.starts, option.calendar.lengths, strict=True):
            # Drawn by weight: a weekday's shift five times, a Saturday's three, a Sunday's once.
            # Synced SYNC_SECONDS after it started: a shift ends that much earlier, so nothing arrives later than now.
            length = int(length) - SYNC_SECONDS
            if length <= 0:
                continue
            for _ in range(round(WEEKDAY_WEIGHTS[timezone.localtime(start, BEIJING).weekday()] * 5)):
                shift_rows.append((option.campaign_id, i, int(start.timestamp()), length))
                i += 1
        shifts[option.campaign_id] = i
    cursor.executemany("INSERT INTO zf_shift VALUES (%s, %s, %s, %s)", shift_rows)  # type: ignore[attr-defined]

    def place_rows(kind: str, options: list[_Option]) -> list[tuple]:
        return [
            (
                kind,
                k,
                o.campaign_id,
                o.visitor_id,
                o.place.region_id,
                o.place.enterprise_id,
                o.place.lat,
                o.place.lng,
                shifts[o.campaign_id],
            )
            for k, o in enumerate(o for o in options if shifts.get(o.campaign_id))
        ]

    villages, enterprises = place_rows("v", plan.villages), place_rows("e", plan.enterprises)
    cursor.executemany(  # type: ignore[attr-defined]
        "INSERT INTO zf_place VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)", [*villages, *enterprises]
    )
    phrases = [("v", i, p, notes_digest(p)) for i, p in enumerate(VILLAGE_PHRASES)]
    phrases += [("e", i, p, notes_digest(p)) for i, p in enumerate(ENTERPRISE_PHRASES)]
    cursor.executemany("INSERT INTO zf_phrase VALUES (%s, %s, %s, %s)", phrases)  # type: ignore[attr-defined]
    return len(villages), len(enterprises)


def _insert_batch(cursor: object, *, lo: int, hi: int, villages: int, enterprises: int, seed: int) -> None:
    f = _sql_functions()
    # Which kind of place: one in ENTERPRISE_EVERY to an enterprise when there are any.
    kind = f"CASE WHEN {enterprises:d} > 0 AND g.n % {ENTERPRISE_EVERY} = 0 THEN 'e' ELSE 'v' END"
    count = f"CASE WHEN {enterprises:d} > 0 AND g.n % {ENTERPRISE_EVERY} = 0 THEN {enterprises:d} ELSE {villages:d} END"
    phrases = f"CASE WHEN p_kind = 'e' THEN {len(ENTERPRISE_PHRASES)} ELSE {len(VILLAGE_PHRASES)} END"
    seconds = f"(sh.start + (x.n * {P_OFFSET} + {seed}) % sh.length)"
    contact = f"x.n % {CONTACT_EVERY} = 0"
    name = (
        f"substr('{SURNAMES}', CAST(x.n % {len(SURNAMES)} AS integer) + 1, 1) || "
        f"substr('{GIVEN}', CAST((x.n / {len(SURNAMES)}) % {len(GIVEN)} AS integer) + 1, 1)"
    )
    phone = "'139' || " + f["text"].format(value=f"10000000 + (x.n * {P_PHONE}) % 89999999")
    households = f"(1 + (x.n * {P_HOUSEHOLDS} + {seed:d}) % 12)"
    scatter = f"(((x.n * {{p}}) % 2001) - 1000) / 1000.0 * {SCATTER_DEGREES}"
    table = Visit._meta.db_table
    # Everything formatted in is the project's own table names, integers and constants: no input of anyone's.
    sql = f"""
        INSERT INTO {table} (uuid, campaign_id, visitor_id, region_id, enterprise_id, started_at, latitude,
            longitude, households_reached, people_met, notes, suggestions, form_version, content_hash, created_at,
            notes_digest, flags_checked_at, flagged, household_name, household_phone)
        SELECT {f["uuid"]}, pl.campaign_id, pl.visitor_id, pl.region_id, pl.enterprise_id,
            {f["moment"].format(seconds=seconds)},
            round(CAST(pl.lat + {scatter.format(p=P_LAT)} AS numeric), 6),
            round(CAST(pl.lng + {scatter.format(p=P_LNG)} AS numeric), 6),
            CASE WHEN x.p_kind = 'e' THEN 0 ELSE {households} END, {households} * 2, ph.notes, '', 1,
            '{SEED_MARKER}',
            {f["later"].format(seconds=seconds)}, ph.digest, {f["now"]}, FALSE,
            CASE WHEN {contact} THEN {name} ELSE '' END, CASE WHEN {contact} THEN {phone} ELSE '' END
        FROM (
            SELECT g.n AS n, {kind} AS p_kind, (g.n * {P_PLACE} + {seed:d}) % ({count}) AS p_k
            FROM {_series(lo, hi)}
        ) x
        JOIN zf_place pl ON pl.kind = x.p_kind AND pl.k = x.p_k
        JOIN zf_shift sh ON sh.campaign_id = pl.campaign_id AND sh.i = (x.n * {P_SHIFT} + {seed:d}) % pl.shifts
        JOIN zf_phrase ph ON ph.kind = x.p_kind AND ph.i = x.n % ({phrases})
    """  # noqa: S608
    cursor.execute(sql)  # type: ignore[attr-defined]


def _tally_batch(cursor: object, *, after_id: int) -> None:
    """Add the visits with an id above `after_id` to their visitors' tallies, in one statement."""
    tally, visit = VisitTally._meta.db_table, Visit._meta.db_table
    cursor.execute(  # type: ignore[attr-defined]
        f"""
        INSERT INTO {tally} (campaign_id, visitor_id, region_id, enterprise_id, visits, households, disputes)
        SELECT campaign_id, visitor_id, region_id, COALESCE(enterprise_id, 0), COUNT(*), SUM(households_reached), 0
        FROM {visit} WHERE id > %s GROUP BY campaign_id, visitor_id, region_id, COALESCE(enterprise_id, 0)
        ON CONFLICT (campaign_id, visitor_id, region_id, enterprise_id) DO UPDATE SET
            visits = {tally}.visits + excluded.visits, households = {tally}.households + excluded.households
        """,  # noqa: S608
        [after_id],
    )


def scale_visits_sql(
    *,
    visits: int,
    batch_size: int = 1_000_000,
    now: datetime | None = None,
    seed: int = SCALE_SEED,
    progress: Callable[[str], None] | None = None,
) -> ScaleVisitsSummary:
    """Write `visits` visits of the demo campaigns in the database, one INSERT … SELECT per batch (each its own
    transaction, with its tallies); refuses without a demo campaign, as the other methods do."""
    started = time.perf_counter()
    plan = _Plan(now=now or timezone.now())
    rebuild = connection.vendor == "postgresql" and visits >= REBUILD_FROM
    if rebuild:
        _drop_indexes()
    try:
        return _write(
            plan, visits=visits, batch_size=batch_size, seed=seed, progress=progress, started=started
        )
    finally:
        if rebuild:
            _create_indexes(progress)


def _drop_indexes() -> None:
    """PostgreSQL: the visit list's secondary indexes go before millions of rows and are built again after, in
    one pass each, which is several times faster than keeping them up to date row by row."""
    with connection.cursor() as cursor:
        for index in Visit._meta.indexes:
            cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(index.name)}")


def _create_indexes(progress: Callable[[str], None] | None) -> None:
    """The indexes _drop_indexes dropped, built again (IF NOT EXISTS: a run interrupted before the drop)."""
    with connection.schema_editor() as editor:
        for index in Visit._meta.indexes:
            sql = str(index.create_sql(Visit, editor))
            editor.execute(sql.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
            if progress is not None:
                progress(f"index {index.name} built")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Visit._meta.db_table}")


def _write(
    plan: _Plan,
    *,
    visits: int,
    batch_size: int,
    seed: int,
    progress: Callable[[str], None] | None,
    started: float,
) -> ScaleVisitsSummary:
    with connection.cursor() as cursor:
        villages, enterprises = _prepare(cursor, plan)
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {Visit._meta.db_table}")  # noqa: S608
        (first_id,) = cursor.fetchone()
        offset = int(first_id) + seed  # another run draws other numbers
        done = 0
        while done < visits:
            size = min(batch_size, visits - done)
            with transaction.atomic():
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {Visit._meta.db_table}")  # noqa: S608
                (before,) = cursor.fetchone()
                _insert_batch(
                    cursor,
                    lo=offset + done + 1,
                    hi=offset + done + size,
                    villages=villages,
                    enterprises=enterprises,
                    seed=seed,
                )
                _tally_batch(cursor, after_id=int(before))
            done += size
            if progress is not None:
                rate = done / (time.perf_counter() - started)
                progress(f"visits: {done:,} of {visits:,} ({rate:,.0f}/s)")
        cursor.execute(
            f"SELECT COUNT(*) FROM {Visit._meta.db_table} WHERE id > %s AND enterprise_id IS NOT NULL",  # noqa: S608
            [first_id],
        )
        (enterprise_visits,) = cursor.fetchone()
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {Visit._meta.db_table}")
            cursor.execute(f"ANALYZE {VisitTally._meta.db_table}")
        for name in ("zf_place", "zf_shift", "zf_phrase"):
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
    return ScaleVisitsSummary(
        visits=done,
        enterprise_visits=int(enterprise_visits),
        campaigns=len(plan.campaigns),
        seconds=time.perf_counter() - started,
        method="sql",
    )
