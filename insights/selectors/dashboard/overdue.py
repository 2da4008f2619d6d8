"""Items overdue now: from the appeal_open_due index, not from the counters."""

from datetime import datetime

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from appeals.models import (
    Appeal,
)
from appeals.permissions import appeals_visible_to
from appeals.selectors import AppealFilters, appeals_filter
from geo.models import Region
from insights.selectors.dashboard.results import OVERDUE_SHOWN, OverdueItem
from org.models import Unit, User

# Who sees the overview and the county views (DESIGN §1); unit staff see the view of their own unit.


def overdue_now(user: User, *, now: datetime, region: Region | None) -> QuerySet[Appeal]:
    """Items past their resolve deadline, exactly as the list's overdue=1 filter selects them."""
    prefix = region.prefix if region is not None else None
    return appeals_filter(appeals_visible_to(user, within=prefix), AppealFilters(overdue=True), now=now)


def overdue_rows(user: User, *, region: Region | None, unit: Unit | None) -> QuerySet[Appeal]:
    """All the items overdue now in the view, most overdue first (the export of the dashboard's list)."""
    rows = overdue_now(user, now=timezone.now(), region=region)
    if unit is not None:
        rows = rows.filter(lead_unit=unit)
    return (
        rows.select_related("lead_unit")
        .only("id", "code", "title", "resolve_due", "lead_unit__name")
        .order_by("resolve_due", "id")
    )


def days_overdue(due: datetime, now: datetime) -> int:
    """Whole days past the deadline (0: less than a day)."""
    return max(0, (now - due).days)


def overdue_items(rows: QuerySet[Appeal], *, now: datetime) -> list[OverdueItem]:
    shown = (
        rows.select_related("lead_unit")
        .only("id", "code", "title", "resolve_due", "lead_unit__name")
        .order_by("resolve_due", "id")[:OVERDUE_SHOWN]
    )
    return [
        OverdueItem(
            id=appeal.pk,
            code=appeal.code,
            title=appeal.title,
            lead_unit=appeal.lead_unit.name if appeal.lead_unit else None,
            resolve_due=appeal.resolve_due,  # type: ignore[arg-type]
            days_overdue=days_overdue(appeal.resolve_due, now),  # type: ignore[arg-type]
            url=reverse("appeals:detail", kwargs={"appeal_id": appeal.pk}),
        )
        for appeal in shown
    ]
