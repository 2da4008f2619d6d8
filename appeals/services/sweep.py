"""The deadline sweep: urge items at their resolve deadline, escalate them after the grace period.

Set-based: each step claims its rows with one UPDATE that stamps them with this run's moment, then writes the
events, supervision rows and notifications with INSERT ... SELECT over the rows bearing that stamp. Two sweeps
running at once claim disjoint rows (the UPDATE's WHERE re-checks under the row lock), so nothing is done twice.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from appeals.models import ACTIVE_STATUSES, Appeal, AppealEvent, Notification, Supervision
from org.models import Membership, Role, Unit
from org.models import User as UserModel

A = Appeal._meta.db_table
EVENT = AppealEvent._meta.db_table
SUPERVISION = Supervision._meta.db_table
NOTIFICATION = Notification._meta.db_table
MEMBERSHIP = Membership._meta.db_table
UNIT = Unit._meta.db_table
USER = UserModel._meta.db_table
REGION = "geo_region"

_ACTIVE = ", ".join(f"'{s.value}'" for s in ACTIVE_STATUSES)
_PREFIX_LENGTH = "CASE {level} WHEN 1 THEN 2 WHEN 2 THEN 4 WHEN 3 THEN 6 WHEN 4 THEN 9 ELSE 12 END"


@dataclass(frozen=True)
class SweepResult:
    urged: int
    escalated: int


def _claim(stamp_field: str, due_field: str, now: Any) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {A} SET {stamp_field} = %s "  # noqa: S608 (identifiers are ours, values are parameters)
            f"WHERE status IN ({_ACTIVE}) AND {stamp_field} IS NULL AND {due_field} <= %s",
            [now, now],
        )
        return cursor.rowcount


def _record(stamp_field: str, event: str, level: str, reason: str, now: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {EVENT} (appeal_id, kind, actor_id, unit_id, at, data) "  # noqa: S608
            f"SELECT id, %s, NULL, lead_unit_id, %s, '{{}}' FROM {A} WHERE {stamp_field} = %s",
            [event, now, now],
        )
        cursor.execute(
            f"INSERT INTO {SUPERVISION} (appeal_id, level, issued_by_id, unit_id, reason, due, created_at) "  # noqa: S608
            f"SELECT id, %s, NULL, lead_unit_id, %s, NULL, %s FROM {A} WHERE {stamp_field} = %s",
            [level, reason, now, now],
        )


def _notify_lead_staff(kind: str, prefix: str, now: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {NOTIFICATION} (user_id, appeal_id, kind, message, created_at) "  # noqa: S608
            f"SELECT DISTINCT m.user_id, a.id, %s, %s || a.code || ' ' || a.title, %s "
            f"FROM {A} a JOIN {MEMBERSHIP} m ON m.unit_id = a.lead_unit_id "
            f"JOIN {USER} u ON u.id = m.user_id AND u.is_active "
            f"WHERE a.urged_at = %s AND m.role IN (%s, %s)",
            [kind, prefix, now, now, Role.HANDLER.value, Role.UNIT_HEAD.value],
        )


def _notify_supervisors_above(now: Any) -> None:
    """The supervisors of the level above the lead unit (a prefecture-level item: the prefecture's own)."""
    lead_len = _PREFIX_LENGTH.format(level="sr.level")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {NOTIFICATION} (user_id, appeal_id, kind, message, created_at) "  # noqa: S608
            f"SELECT DISTINCT m.user_id, a.id, %s, %s || a.code || ' ' || a.title, %s "
            f"FROM {A} a JOIN {UNIT} lu ON lu.id = a.lead_unit_id JOIN {REGION} lr ON lr.code = lu.region_id "
            f"JOIN {MEMBERSHIP} m ON m.role = %s JOIN {USER} u ON u.id = m.user_id AND u.is_active "
            f"JOIN {UNIT} su ON su.id = m.unit_id JOIN {REGION} sr ON sr.code = su.region_id "
            f"WHERE a.escalated_at = %s AND ("
            f"  (sr.level = lr.level - 1 AND substr(lr.code, 1, {lead_len}) = substr(sr.code, 1, {lead_len}))"
            f"  OR (lr.level <= 2 AND sr.code = lr.code))",
            [Notification.Kind.ESCALATED.value, "超期升级督办：", now, Role.SUPERVISOR.value, now],
        )


def sweep_deadlines(*, now: datetime | None = None) -> SweepResult:
    """Urge every active item past its resolve deadline, escalate every one past its grace period; idempotent."""
    # Raw SQL gets the moment as the backend stores it (SQLite: UTC text), so comparisons and stamps match.
    stamp: Any = connection.ops.adapt_datetimefield_value(now or timezone.now())
    with transaction.atomic():
        urged = _claim("urged_at", "resolve_due", stamp)
        if urged:
            _record(
                "urged_at",
                AppealEvent.Kind.URGED.value,
                Supervision.Level.URGE.value,
                "到期未办结，系统催办",
                stamp,
            )
            _notify_lead_staff(Notification.Kind.URGED.value, "催办：", stamp)
    with transaction.atomic():
        escalated = _claim("escalated_at", "escalate_due", stamp)
        if escalated:
            _record(
                "escalated_at",
                AppealEvent.Kind.ESCALATED.value,
                Supervision.Level.ESCALATE.value,
                "超期未办结，升级督办",
                stamp,
            )
            _notify_supervisors_above(stamp)
    return SweepResult(urged=urged, escalated=escalated)
