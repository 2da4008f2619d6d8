"""In-app notifications. They are written in the same transaction as the change they announce: a message
about an assignment that was rolled back must not exist, nor an assignment whose message was lost."""

from collections.abc import Iterable
from datetime import datetime

from appeals.models import Appeal, Notification
from appeals.permissions import UNIT_STAFF
from geo.models import ancestor_codes
from org.models import Membership


def unit_staff(unit_ids: Iterable[int], roles: Iterable[str] = UNIT_STAFF) -> set[int]:
    """The people holding these roles in these units."""
    return set(
        Membership.objects.filter(unit_id__in=list(unit_ids), role__in=list(roles), user__is_active=True)
        .values_list("user_id", flat=True)
        .distinct()
    )


def covering(region_code: str, role: str, *, above: str | None = None) -> set[int]:
    """People holding `role` in a unit whose region holds `region_code`; with `above`, only strictly above it."""
    regions = ancestor_codes(region_code)
    if above is not None:
        regions = regions[regions.index(above) + 1 :] if above in regions else regions
    ids = set(
        Membership.objects.filter(role=role, unit__region_id__in=regions, user__is_active=True)
        .values_list("user_id", flat=True)
        .distinct()
    )
    if not ids and above is not None:
        # Nobody above (the top level itself is late): its own supervisors hear of it.
        return covering(region_code, role)
    return ids


def notify(
    *, user_ids: Iterable[int], appeal: Appeal | None, kind: Notification.Kind, message: str, at: datetime
) -> int:
    rows = [
        Notification(user_id=user_id, appeal=appeal, kind=kind, message=message[:300], created_at=at)
        for user_id in sorted(set(user_ids))
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)


def notifications_mark_read(*, user_id: int, ids: Iterable[int] = (), every: bool = False) -> int:
    """Stamp the user's own unread notifications (these ids, or all) as read; returns how many."""
    from django.utils import timezone

    unread = Notification.objects.filter(user_id=user_id, read_at__isnull=True)
    if not every:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
