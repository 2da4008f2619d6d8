"""The visitors' tallies (VisitTally): what campaign progress and target completion sum, kept in the visit's own
transaction and rebuilt from the visits after bulk writes."""

from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from appeals.models import AppealKind
from campaigns.models import Visit, VisitProblem, VisitTally
from core.bulk import insert_rows, renamed_rows, upsert_add

TALLY_KEYS = ("campaign_id", "visitor_id", "region_id", "enterprise_id")


def tally_key(visit: Visit) -> tuple[int, int, str, int]:
    return (visit.campaign_id, visit.visitor_id, visit.region_id, visit.enterprise_id or 0)


def visit_tally_add(*, visits: Sequence[Visit], disputes: dict[int, int]) -> None:
    """Add newly recorded visits to their visitors' tallies (the caller's transaction); `disputes` maps a visit's
    id to the disputes raised on it."""
    rows: dict[tuple, dict[str, int]] = defaultdict(lambda: {"visits": 0, "households": 0, "disputes": 0})
    for visit in visits:
        row = rows[tally_key(visit)]
        row["visits"] += 1
        row["households"] += visit.households_reached
        row["disputes"] += disputes.get(visit.pk, 0)
    upsert_add(VisitTally, TALLY_KEYS, rows)


def visit_tallies_rebuild() -> None:
    """Rebuild every visitor's tallies from the visits: after visits were written in bulk. One GROUP BY over the
    visits, then the disputes (a few visits have any) added from their own small aggregate."""
    VisitTally.objects.all().delete()
    rows = (
        Visit.objects.values(
            "campaign_id", "visitor_id", "region_id", enterprise_key=Coalesce("enterprise_id", 0)
        )
        .annotate(visits=Count("pk"), households=Coalesce(Sum("households_reached"), 0))
        .order_by()
    )
    insert_rows(VisitTally, renamed_rows(rows, enterprise_key="enterprise_id"))
    disputes: dict[tuple, dict[str, int]] = defaultdict(lambda: {"visits": 0, "households": 0, "disputes": 0})
    for row in (
        VisitProblem.objects.filter(appeal__kind=AppealKind.DISPUTE)
        .values(
            "visit__campaign_id",
            "visit__visitor_id",
            "visit__region_id",
            enterprise_key=Coalesce("visit__enterprise_id", 0),
        )
        .annotate(n=Count("pk"))
        .order_by()
    ):
        key = (
            row["visit__campaign_id"],
            row["visit__visitor_id"],
            row["visit__region_id"],
            row["enterprise_key"],
        )
        disputes[key]["disputes"] += row["n"]
    upsert_add(VisitTally, TALLY_KEYS, disputes)
