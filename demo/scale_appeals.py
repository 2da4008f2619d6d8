"""Scale data for benchmarks (DESIGN §9, §10): N appeals with the rows the services would have written.

The per-row services cost milliseconds an item; a million items need the bulk path. Each batch is generated in
memory, then written in one transaction: tracking codes are taken in blocks (one counter bump per county and
year), ids are reserved up front so that events, tasks and extension requests can name their appeal, deadlines
come from one `WorkCalendar` snapshot, and the rows go in with PostgreSQL COPY (bulk_create elsewhere).

What it writes per item, by state: the appeal; its events (registered, assigned, accepted, extension, reported,
resolved, callback, closed, rejected, merged, and the sweep's urged/escalated for items already past their
deadline by more than a day, leaving the most recent ones for the next sweep); unit tasks; extension requests;
callbacks; supervision rows. It writes no in-app notifications (the services would add a few per assignment).
"""

import hashlib
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone

from appeals.models import (
    Appeal,
    AppealCounter,
    AppealEvent,
    AppealSource,
    AppealStatus,
    Callback,
    Category,
    DeadlinePolicy,
    ExtensionRequest,
    ExtensionStatus,
    RoutingRule,
    Satisfaction,
    Supervision,
    TaskRole,
    TaskStatus,
    UnitTask,
)
from appeals.services import policy_for
from appeals.services.codes import SECRET_ALPHABET, SECRET_LENGTH
from core.bulk import BulkWriter, bulk_method
from core.workcalendar import BEIJING, Clock, WorkCalendar
from demo.appeals import (
    EXTENSION_REASONS,
    NOTES,
    REJECT_REASONS,
    RISKS,
    SOURCES,
    THEMES,
    Cast,
    Geography,
    Theme,
    compose,
    demo_cast,
    mobile,
    person_name,
    place_name,
)
from geo.models import ancestor_codes
from org.models import Unit, UnitKind

SCALE_SEED = 522700
SPAN_DAYS = 730  # closed items spread over two years
# The sweep runs every five minutes; items late by more than this are urged (escalated) already.
SWEPT_AFTER = timedelta(days=1)
SWEEP_LAG = timedelta(minutes=5)

# state: percent of the items (DESIGN §10's benchmark mix: ~5% registered, 10% assigned, 25% in progress, some
# of them overdue, the rest resolved or closed).
MIX: dict[str, int] = {
    "new": 4,
    "returned": 1,
    "assigned": 10,
    "in_progress": 21,
    "overdue": 4,
    "awaiting_approval": 2,
    "resolved": 6,
    "on_site": 3,
    "closed": 40,
    "closed_on_site": 2,
    "rejected": 4,
    "merged": 2,
    "unreachable": 1,
}
ACTIVE_STATES = ("assigned", "in_progress", "overdue")
E = AppealEvent.Kind


@dataclass
class Batch:
    """The rows of one batch, by table; each row a dict of attnames."""

    appeals: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    extensions: list[dict[str, Any]] = field(default_factory=list)
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    supervisions: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ScaleSummary:
    appeals: int
    events: int
    tasks: int
    seconds: float
    method: str
    by_status: dict[str, int]


class _Router:
    """routing_suggest over an in-memory copy of the rules and units, limited to units with a handler."""

    def __init__(self, cast: Cast) -> None:
        self.cast = cast
        self.rules: dict[int, list[RoutingRule]] = {}
        for rule in RoutingRule.objects.filter(is_active=True):
            self.rules.setdefault(rule.category_id, []).append(rule)
        self.units = {(u.region_id, u.kind): u for u in Unit.objects.filter(is_active=True)}
        self._cache: dict[tuple[int, str], tuple[Unit, list[Unit]]] = {}

    def route(self, category: Category, region_code: str) -> tuple[Unit, list[Unit]]:
        key = (category.pk, region_code)
        if key not in self._cache:
            self._cache[key] = self._route(category, region_code)
        return self._cache[key]

    def _route(self, category: Category, region_code: str) -> tuple[Unit, list[Unit]]:
        categories = [category.pk] + ([category.parent_id] if category.parent_id else [])
        rules = [
            (categories.index(cid), -len(rule.region_prefix), rule)
            for cid in categories
            for rule in self.rules.get(cid, [])
            if region_code.startswith(rule.region_prefix)
        ]
        able: list[Unit] = []
        if rules:
            rule = min(rules, key=lambda r: (r[0], r[1]))[2]
            found: dict[str, Unit] = {}
            for kind in [rule.lead_kind, *rule.co_kinds]:
                unit = next(
                    (self.units[(c, kind)] for c in ancestor_codes(region_code) if (c, kind) in self.units),
                    None,
                )
                if unit is not None:
                    found.setdefault(kind, unit)
            lead = found.get(rule.lead_kind)
            co = [found[k] for k in rule.co_kinds if k in found and found[k] != lead]
            able = [u for u in [lead, *co] if u is not None and u.pk in self.cast.handler]
        if not able:
            staffed = self.cast.staffed[region_code[:6] + "000000"]
            able = [u for u in staffed if u.kind == UnitKind.PETITION] or staffed[:1]
        return able[0], able[1:3]


class _Generator:
    def __init__(self, *, cast: Cast, now: datetime, seed: int) -> None:
        self.cast, self.now = cast, now
        self.rng = random.Random(seed)
        self.geo = Geography.load()
        self.router = _Router(cast)
        self.calendar = WorkCalendar.from_db()
        self.categories = {
            c.code: c for c in Category.objects.select_related("default_policy", "parent__default_policy")
        }
        self.policies: dict[tuple[str, str], DeadlinePolicy] = {}
        self.windows: dict[int, float] = {}
        self.grace = settings.APPEAL_ESCALATION_GRACE_DAYS
        self.states = list(MIX)
        self.state_weights = list(MIX.values())
        self.theme_weights = [t.weight for t in THEMES]
        self.county_weights = [2 if c.code.startswith("522701") else 1 for c in self.geo.counties]
        self.sources = [s for s, _ in SOURCES]
        self.source_weights = [w for _, w in SOURCES]
        self._add_days = lru_cache(maxsize=100_000)(self._add_days_uncached)

    # deadlines

    def _add_days_uncached(self, day: date, amount: int, clock: str) -> datetime:
        start = datetime(day.year, day.month, day.day, 12, tzinfo=BEIJING)
        return self.calendar.add(start, amount, clock)

    def add(self, start: datetime, amount: int, clock: str) -> datetime:
        """WorkCalendar.add, memoised for the day clocks (their result depends on the Beijing date only)."""
        if clock in (Clock.MINUTES, Clock.HOURS):
            return self.calendar.add(start, amount, clock)
        return self._add_days(start.astimezone(BEIJING).date(), amount, clock)

    def policy(self, theme: Theme, risk: str) -> DeadlinePolicy:
        key = (theme.category, risk)
        if key not in self.policies:
            probe = Appeal(kind=theme.kind, risk_colour=risk, category=self.categories[theme.category])
            policy = policy_for(appeal=probe)
            self.policies[key] = policy
            due = self.calendar.add(self.now, policy.resolve_amount, policy.resolve_clock)
            self.windows[policy.pk] = max((due - self.now).total_seconds() / 86400, 0.5)
        return self.policies[key]

    # one batch

    def items(self, size: int) -> list[tuple[dict[str, Any], str, DeadlinePolicy]]:
        """`size` new appeal rows, oldest first, with the state each is to reach and its policy."""
        items = [self._appeal(self.rng) for _ in range(size)]
        items.sort(key=lambda item: item[0]["created_at"])
        return items

    def timelines(self, items: list[tuple[dict[str, Any], str, DeadlinePolicy]]) -> Batch:
        """The rows of the items' histories; the appeal rows must have their ids and codes by now."""
        rng = self.rng
        batch = Batch()
        last_of_county: dict[str, dict[str, Any]] = {}
        for row, state, policy in items:
            batch.appeals.append(row)
            if state == "merged":
                target = last_of_county.get(row["region_id"][:6])
                if target is not None:
                    self._merged(batch, row, target)
                    continue
                state = "new"
            self._timeline(batch, row, state, policy, rng)
            if state not in ("new", "rejected"):
                last_of_county[row["region_id"][:6]] = row
        return batch

    def _appeal(self, rng: random.Random) -> tuple[dict[str, Any], str, DeadlinePolicy]:
        state = rng.choices(self.states, self.state_weights)[0]
        theme = rng.choices(THEMES, self.theme_weights)[0]
        risk = RISKS[rng.choice(theme.risks)] if theme.risks else ""
        policy = self.policy(theme, risk)
        county = rng.choices(self.geo.counties, self.county_weights)[0]
        place = self.geo.place(county, rng, township_led=theme.township_led)
        text = compose(theme, place, rng)
        on_site = state in ("on_site", "closed_on_site")
        source = AppealSource.VISIT if on_site else rng.choices(self.sources, self.source_weights)[0]
        anonymous = (
            source in (AppealSource.PHONE, AppealSource.WEB, AppealSource.PORTAL) and rng.random() < 0.2
        )
        created = self.now - timedelta(days=self._age(state, self.windows[policy.pk], rng))
        registrar: int | None = self.cast.dispatcher[county.code].pk
        if source == AppealSource.PORTAL:
            registrar = None
        elif source == AppealSource.VISIT and self.cast.visitors[county.code]:
            registrar = rng.choice(self.cast.visitors[county.code]).pk
        secret = "".join(rng.choices(SECRET_ALPHABET, k=SECRET_LENGTH))
        row = {
            "created_at": created,
            "updated_at": created,
            "code": "",
            "kind": theme.kind.value,
            "secret_hash": hashlib.sha256(secret.encode()).hexdigest(),
            "source": str(source),
            "title": text.title,
            "description": text.description,
            "category_id": self.categories[theme.category].pk,
            "region_id": place.village.code,
            "address": f"{county.name}{place.township.name}{place_name(place.village)}",
            "reporter_name": "" if anonymous else person_name(rng),
            "reporter_phone": "" if anonymous else mobile(rng),
            "anonymous": anonymous,
            "parties_count": rng.randint(*theme.parties),
            "risk_colour": risk or ("yellow" if theme.kind == "dispute" else ""),
            "status": AppealStatus.REGISTERED.value,
            "registered_by_id": registrar,
            "version": 1,
            "reply": text.reply,
            "_category": self.categories[theme.category],
        }
        return row, state, policy

    def _age(self, state: str, window: float, rng: random.Random) -> float:
        """How many days ago an item in `state` came in."""
        ranges = {
            "new": (0.01, 3),
            "returned": (0.1, 3),
            "assigned": (0.02, 3),
            "in_progress": (0.1, 0.9 * window),
            "overdue": (window + 0.3, window + 60),
            "awaiting_approval": (0.5 * window, window + 3),
            "resolved": (0.5 * window, window + 5),
            "on_site": (0.01, 10),
        }
        low, high = ranges.get(state, (window + 8, SPAN_DAYS))
        return rng.uniform(min(low, high * 0.9), max(high, 0.05))

    # timelines

    def _event(
        self,
        batch: Batch,
        row: dict[str, Any],
        kind: str,
        at: datetime,
        *,
        actor: int | None = None,
        unit: int | None = None,
        data: dict[str, Any] | None = None,
        bump: bool = True,
    ) -> None:
        batch.events.append(
            {
                "appeal_id": row["id"],
                "kind": kind,
                "actor_id": actor,
                "unit_id": unit,
                "at": at,
                "data": data or {},
            }
        )
        if bump:
            row["version"] += 1

    def _merged(self, batch: Batch, row: dict[str, Any], target: dict[str, Any]) -> None:
        at = row["created_at"] + timedelta(hours=self.rng.uniform(0.5, 20))
        at = min(at, self.now)
        dispatcher = self.cast.dispatcher[row["region_id"][:6] + "000000"].pk
        self._event(
            batch,
            row,
            E.REGISTERED,
            row["created_at"],
            actor=row["registered_by_id"],
            data={"source": row["source"]},
            bump=False,
        )
        self._event(
            batch, row, E.MERGED, at, actor=dispatcher, data={"into": target["id"], "code": target["code"]}
        )
        self._event(
            batch,
            target,
            E.DUPLICATE_ADDED,
            at,
            actor=dispatcher,
            data={"duplicate": row["id"], "code": row["code"]},
            bump=False,
        )
        row.update(
            status=AppealStatus.MERGED.value,
            duplicate_of_id=target["id"],
            reply=target["reply"],
            title=target["title"],
            category_id=target["category_id"],
            updated_at=at,
        )

    def _later(self, at: datetime, low_hours: float, high_hours: float) -> datetime:
        return min(at + timedelta(hours=self.rng.uniform(low_hours, high_hours)), self.now)

    def _between(self, start: datetime, end: datetime, low: float, high: float) -> datetime:
        end = min(end, self.now)
        return start + max(end - start, timedelta(0)) * self.rng.uniform(low, high)

    def _timeline(
        self, batch: Batch, row: dict[str, Any], state: str, policy: DeadlinePolicy, rng: random.Random
    ) -> None:
        county = row["region_id"][:6] + "000000"
        dispatcher = self.cast.dispatcher[county].pk
        t = row["created_at"]
        reply = row.pop("reply")
        row["reply"] = ""
        self._event(
            batch,
            row,
            E.REGISTERED,
            t,
            actor=row["registered_by_id"],
            data={"source": row["source"]},
            bump=False,
        )
        if state in ("on_site", "closed_on_site"):
            row.update(status=AppealStatus.RESOLVED.value, resolved_on_site=True, reply=reply, resolved_at=t)
            self._event(batch, row, E.RESOLVED_ON_SITE, t, actor=row["registered_by_id"], bump=False)
            if state == "closed_on_site":
                self._callback(batch, row, self._later(t, 20, 140), dispatcher, rng)
            return
        if state == "new":
            return
        if state == "rejected":
            t = self._later(t, 0.5, 30)
            reason = rng.choice(REJECT_REASONS)
            row.update(
                status=AppealStatus.CLOSED.value,
                closed_at=t,
                close_reason=f"不予受理：{reason}",
                updated_at=t,
            )
            self._event(batch, row, E.REJECTED, t, actor=dispatcher, data={"reason": reason})
            return
        lead, co_units = self.router.route(row["_category"], row["region_id"])
        t = self._later(t, 0.2, 6)
        sign_due = self.add(t, policy.sign_amount, policy.sign_clock)
        resolve_due = self.add(t, policy.resolve_amount, policy.resolve_clock)
        row.update(
            status=AppealStatus.ASSIGNED.value,
            lead_unit_id=lead.pk,
            policy_id=policy.pk,
            assigned_at=t,
            sign_due=sign_due,
            resolve_due=resolve_due,
            escalate_due=self._escalate(resolve_due),
        )
        tasks = [
            {
                "id": None,
                "appeal_id": row["id"],
                "unit_id": unit.pk,
                "role": role,
                "status": TaskStatus.ASSIGNED.value,
                "sign_due": sign_due,
                "resolve_due": resolve_due,
                "assigned_at": t,
                "accepted_at": None,
                "done_at": None,
                "report": "",
            }
            for unit, role in [(lead, TaskRole.LEAD.value), *((u, TaskRole.CO.value) for u in co_units)]
        ]
        batch.tasks.extend(tasks)
        self._event(
            batch,
            row,
            E.ASSIGNED,
            t,
            actor=dispatcher,
            unit=lead.pk,
            data={
                "lead_unit": lead.pk,
                "co_units": [u.pk for u in co_units],
                "policy": policy.code,
                "sign_due": sign_due.isoformat(),
                "resolve_due": resolve_due.isoformat(),
            },
        )
        handler = self.cast.handler[lead.pk].pk
        if state == "returned":
            t = self._between(t, sign_due, 0.1, 0.8)
            reason = "该事项不属于本单位职责范围，请改派"
            tasks[0].update(status=TaskStatus.RETURNED.value, done_at=t)
            for task in tasks[1:]:
                task["status"] = TaskStatus.CANCELLED.value
            row.update(
                status=AppealStatus.REGISTERED.value,
                lead_unit_id=None,
                returned_at=t,
                sign_due=None,
                resolve_due=None,
                escalate_due=None,
                updated_at=t,
            )
            self._event(
                batch,
                row,
                E.RETURNED,
                t,
                actor=handler,
                unit=lead.pk,
                data={"role": "lead", "reason": reason},
            )
            return
        if state == "assigned":
            row["updated_at"] = t
            self._sweep(batch, row, None)
            return
        for task in tasks:
            on_time = rng.random() < 0.88
            t = max(t, self._between(t, sign_due, 0.05, 0.9) if on_time else self._later(sign_due, 1, 30))
            task.update(status=TaskStatus.ACCEPTED.value, accepted_at=t)
            if task["role"] == TaskRole.LEAD:
                row["status"] = AppealStatus.IN_PROGRESS.value
            self._event(
                batch,
                row,
                E.ACCEPTED,
                t,
                actor=self.cast.handler[task["unit_id"]].pk,
                unit=task["unit_id"],
                data={"role": task["role"], "on_time": t <= sign_due},
            )
        if rng.random() < 0.3:
            t = self._between(t, resolve_due, 0.1, 0.4)
            self._event(batch, row, E.NOTE, t, actor=handler, unit=lead.pk, data={"text": rng.choice(NOTES)})
        if policy.extension_cap and t < resolve_due and rng.random() < 0.1:
            t, resolve_due = self._extension(
                batch, row, tasks[0], policy, t, resolve_due, handler, dispatcher
            )
        if state in ("in_progress", "overdue"):
            row["updated_at"] = t
            self._sweep(batch, row, None)
            return
        for task in tasks[1:]:
            t = self._between(t, resolve_due, 0.2, 0.6)
            report = "本单位配合事项已办理完毕。"
            task.update(status=TaskStatus.REPORTED.value, done_at=t, report=report)
            self._event(
                batch,
                row,
                E.REPORTED,
                t,
                actor=self.cast.handler[task["unit_id"]].pk,
                unit=task["unit_id"],
                data={"report": report},
            )
        on_time = rng.random() < 0.86
        t = max(t, self._between(t, resolve_due, 0.2, 0.95) if on_time else self._later(resolve_due, 8, 190))
        if state == "awaiting_approval":
            # The reply waits for the unit head (DESIGN §5); the resolve clock stopped at the submission.
            tasks[0].update(status=TaskStatus.SUBMITTED.value, done_at=t, report=reply)
            row.update(status=AppealStatus.AWAITING_APPROVAL.value, reply=reply, resolved_at=t, updated_at=t)
            data = {"on_time": t <= resolve_due, "reply": reply}
            self._event(batch, row, E.REPLY_SUBMITTED, t, actor=handler, unit=lead.pk, data=data)
            self._sweep(batch, row, t)
            return
        tasks[0].update(status=TaskStatus.RESOLVED.value, done_at=t, report=reply)
        row.update(status=AppealStatus.RESOLVED.value, reply=reply, resolved_at=t, updated_at=t)
        data = {"on_time": t <= resolve_due, "reply": reply}
        self._event(batch, row, E.RESOLVED, t, actor=handler, unit=lead.pk, data=data)
        self._sweep(batch, row, t)
        if state == "resolved":
            return
        t = self._later(t, 20, 140)
        if state == "unreachable":
            reason = "连续三次电话回访未接通，已短信告知办理结果"
            row.update(status=AppealStatus.CLOSED.value, closed_at=t, close_reason=reason, updated_at=t)
            self._event(batch, row, E.CLOSED, t, actor=dispatcher, data={"reason": reason})
            return
        self._callback(batch, row, t, dispatcher, rng)

    def _escalate(self, resolve_due: datetime) -> datetime:
        return self.add(resolve_due, self.grace, Clock.WORKING_DAYS)

    def _extension(
        self,
        batch: Batch,
        row: dict[str, Any],
        lead_task: dict[str, Any],
        policy: DeadlinePolicy,
        t: datetime,
        resolve_due: datetime,
        handler: int,
        dispatcher: int,
    ) -> tuple[datetime, datetime]:
        t = self._between(t, resolve_due, 0.3, 0.8)
        days = self.rng.randint(1, policy.extension_cap)
        reason = self.rng.choice(EXTENSION_REASONS)
        request: dict[str, Any] = {
            "id": None,
            "appeal_id": row["id"],
            "task_id": lead_task,
            "amount": days,
            "clock": policy.extension_clock,
            "reason": reason,
            "status": ExtensionStatus.APPROVED.value,
            "requested_by_id": handler,
            "requested_at": t,
            "decided_by_id": dispatcher,
            "decided_at": None,
            "decision_note": "同意延期",
        }
        batch.extensions.append(request)
        self._event(
            batch,
            row,
            E.EXTENSION_REQUESTED,
            t,
            actor=handler,
            unit=lead_task["unit_id"],
            data={"days": days, "reason": reason, "request": request},
        )
        t = self._later(t, 1, 30)
        new_due = self.add(resolve_due, days, policy.extension_clock)
        request["decided_at"] = t
        row.update(resolve_due=new_due, escalate_due=self._escalate(new_due))
        lead_task["resolve_due"] = new_due
        self._event(
            batch,
            row,
            E.EXTENSION_APPROVED,
            t,
            actor=dispatcher,
            unit=lead_task["unit_id"],
            data={
                "request": request,
                "days": days,
                "note": "同意延期",
                "old_resolve_due": resolve_due.isoformat(),
                "resolve_due": new_due.isoformat(),
            },
        )
        return t, new_due

    def _sweep(self, batch: Batch, row: dict[str, Any], resolved: datetime | None) -> None:
        """What the periodic sweep did to the item: urged at its deadline, escalated after the grace period."""
        until = resolved if resolved is not None else self.now - SWEPT_AFTER
        for due_field, stamp_field, kind, level, reason in (
            ("resolve_due", "urged_at", E.URGED, Supervision.Level.URGE, "到期未办结，系统催办"),
            ("escalate_due", "escalated_at", E.ESCALATED, Supervision.Level.ESCALATE, "超期未办结，升级督办"),
        ):
            at = row[due_field] + SWEEP_LAG
            if at > until:
                return
            row[stamp_field] = at
            self._event(batch, row, kind, at, unit=row["lead_unit_id"], bump=False)
            batch.supervisions.append(
                {
                    "appeal_id": row["id"],
                    "level": level.value,
                    "issued_by_id": None,
                    "unit_id": row["lead_unit_id"],
                    "reason": reason,
                    "due": None,
                    "created_at": at,
                }
            )

    def _callback(
        self, batch: Batch, row: dict[str, Any], t: datetime, actor: int, rng: random.Random
    ) -> None:
        satisfaction = rng.choices(
            [Satisfaction.SATISFIED.value, Satisfaction.BASICALLY_SATISFIED.value], [75, 25]
        )[0]
        method = Callback.Method.PHONE.value
        batch.callbacks.append(
            {
                "appeal_id": row["id"],
                "method": method,
                "solved": True,
                "satisfaction": satisfaction,
                "note": "群众对办理结果表示满意",
                "by_id": actor,
                "at": t,
            }
        )
        row.update(status=AppealStatus.CLOSED.value, closed_at=t, updated_at=t)
        self._event(
            batch,
            row,
            E.CALLBACK,
            t,
            actor=actor,
            data={
                "solved": True,
                "satisfaction": satisfaction,
                "method": method,
                "closed": True,
            },
        )


# --- writing ------------------------------------------------------------------------------------------------

TABLES: tuple[tuple[str, type[models.Model], bool], ...] = (
    # (batch attribute, model, written with its id); in this order, parents first
    ("appeals", Appeal, True),
    ("tasks", UnitTask, True),
    ("extensions", ExtensionRequest, True),
    ("events", AppealEvent, False),
    ("callbacks", Callback, False),
    ("supervisions", Supervision, False),
)


def _codes(rows: Sequence[dict[str, Any]]) -> None:
    """Tracking codes in blocks: one bump of each county-year counter the batch touches."""
    blocks = Counter((row["region_id"][:6], timezone.localtime(row["created_at"]).year) for row in rows)
    following: dict[tuple[str, int], int] = {}
    for (county, year), n in sorted(blocks.items()):
        AppealCounter.objects.bulk_create([AppealCounter(county=county, year=year)], ignore_conflicts=True)
        counter = AppealCounter.objects.filter(county=county, year=year)
        counter.update(value=F("value") + n)
        following[(county, year)] = counter.values_list("value", flat=True).get() - n + 1
    for row in rows:
        key = (row["region_id"][:6], timezone.localtime(row["created_at"]).year)
        row["code"] = f"{key[0]}-{key[1]}-{following[key]:06d}"
        following[key] += 1


def scale_seed(
    *,
    appeals: int,
    batch_size: int = 10_000,
    method: str = "auto",
    now: datetime | None = None,
    seed: int = SCALE_SEED,
    progress: Callable[[str], None] | None = None,
) -> ScaleSummary:
    """Bulk-write `appeals` appeals with their histories, batch by batch; needs the demo units and cadres."""
    cast = demo_cast()  # refuses with a DomainError when seed_demo has not run
    method = bulk_method(method)
    generator = _Generator(cast=cast, now=now or timezone.now(), seed=seed)
    writer = BulkWriter(method, [(model, with_id) for _, model, with_id in TABLES])
    started = time.perf_counter()
    done = events = tasks = 0
    statuses: Counter[str] = Counter()
    while done < appeals:
        items = generator.items(min(batch_size, appeals - done))
        rows = [row for row, _, _ in items]
        # Codes first, in their own short transaction (as the service takes them): holding the counter rows
        # for the whole batch would stall every registration in those counties meanwhile.
        with transaction.atomic():
            _codes(rows)
        with transaction.atomic():
            for row, pk in zip(rows, writer.reserve(Appeal, len(rows)), strict=True):
                row["id"] = pk
            batch = generator.timelines(items)
            for task, pk in zip(batch.tasks, writer.reserve(UnitTask, len(batch.tasks)), strict=True):
                task["id"] = pk
            for request, pk in zip(
                batch.extensions, writer.reserve(ExtensionRequest, len(batch.extensions)), strict=True
            ):
                request["id"] = pk
            for request in batch.extensions:
                request["task_id"] = request["task_id"]["id"]
            for event in batch.events:
                if "request" in event["data"]:
                    event["data"]["request"] = event["data"]["request"]["id"]
            for name, model, _ in TABLES:
                writer.write(model, getattr(batch, name))
        done += len(rows)
        events += len(batch.events)
        tasks += len(batch.tasks)
        statuses.update(row["status"] for row in rows)
        if progress is not None:
            elapsed = time.perf_counter() - started
            progress(f"{done:,}/{appeals:,} appeals, {done / elapsed:,.0f}/s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for _, model, _ in TABLES:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return ScaleSummary(
        appeals=done,
        events=events,
        tasks=tasks,
        seconds=time.perf_counter() - started,
        method=method,
        by_status=dict(sorted(statuses.items())),
    )
