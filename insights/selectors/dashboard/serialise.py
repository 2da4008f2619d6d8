"""The overview as plain data: what GET /api/v1/dashboard answers and the pages' charts read."""

from collections.abc import Iterable
from typing import Any

from insights.selectors.dashboard.results import Figure, Overview

# Who sees the overview and the county views (DESIGN §1); unit staff see the view of their own unit.


def _figures(items: Iterable[Figure] | None) -> list[dict[str, Any]] | None:
    return None if items is None else [vars(f) for f in items]


def overview_json(overview: Overview) -> dict[str, Any]:
    """The overview as plain data: what GET /api/v1/dashboard answers and the pages' charts read."""
    region, unit = overview.region, overview.unit
    return {
        "period": {"starts": overview.period.starts, "ends": overview.period.ends},
        "region": {"code": region.code, "name": region.name} if region else None,
        "unit": {"id": unit.pk, "name": unit.name} if unit else None,
        "level": overview.level,
        "rates": [vars(r) for r in overview.rates],
        "counts": overview.counts,
        "appeals": vars(overview.appeals) if overview.appeals else None,
        "visits": vars(overview.visits) if overview.visits else None,
        "by_kind": _figures(overview.by_kind),
        "by_status": _figures(overview.by_status),
        "by_risk": _figures(overview.by_risk),
        "by_category": _figures(overview.by_category),
        "overdue": vars(overview.overdue),
        "overdue_items": [vars(item) for item in overview.overdue_items],
        "heat_level": overview.heat_level,
        "heat": [vars(row) for row in overview.heat],
        "weeks": [{**vars(week), "iso": week.iso} for week in overview.weeks],
        "campaigns": [vars(line) for line in overview.campaigns],
        "queue": _figures(overview.queue),
        "as_of": overview.as_of,
    }
