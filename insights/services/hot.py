"""Hot-issue clusters (热点, DESIGN §6): the appeals of a county clustered by their text (text.clusters), stored
per county and window so that pages, the API, the report, the notice, the map and the surge alerts read the
same clusters. A periodic job keeps the last complete month's and this month's runs; any other window is
computed on demand, the first time it is asked for, and again when its county's appeals have changed.

Clusters ignore the category: two appeals filed under different categories are one problem when their words
say so. They never cross a county: the problem of one place is not another county's.
"""

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import CharField, Count, Max, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from appeals.models import Appeal
from core.period import Period, local_midnight
from geo.models import subtree_bounds
from insights.models import HotCluster, HotMember, HotRun
from text.clusters import Text, cluster
from text.redact import redact

MIN_APPEALS = 3  # members registered in the period for a cluster to be a hot issue


@dataclass(frozen=True)
class Window:
    """The period and the window before it that growth (or a surge) compares with: [before, starts), [starts, ends)."""

    before: date
    starts: date
    ends: date

    @property
    def period(self) -> Period:
        return Period(starts=self.starts, ends=self.ends)


def window_of(period: Period, *, before: date | None = None) -> Window:
    """The period with, by default, the previous period of the same length before it."""
    return Window(
        before=before or period.starts - (period.ends - period.starts), starts=period.starts, ends=period.ends
    )


def county_of(region_code: str) -> str:
    return region_code[:6].ljust(12, "0")


def _window_appeals(county: str, window: Window) -> QuerySet[Appeal]:
    # A prefecture's (or province's) own appeals form a "county" of their own, not the whole subtree.
    area = Q(region_id=county) if county[4:6] == "00" else Q(region__code__range=subtree_bounds(county[:6]))
    # The answers to a consultation (征集) are one topic's suggestions, all titled after it: the unit reads them
    # grouped on the consultation's own page (portal.selectors.answers_by_question), not as a hot issue.
    return Appeal.objects.filter(
        area,
        created_at__gte=local_midnight(window.before),
        created_at__lt=local_midnight(window.ends),
        consultation_answer__isnull=True,
    )


def _signature(appeals: QuerySet[Appeal]) -> str:
    numbers = appeals.aggregate(n=Count("pk"), last=Max("pk"))
    return f"{numbers['n']}:{numbers['last'] or 0}"


def hot_run_fresh(*, county: str, window: Window) -> HotRun:
    """The county's run for the window, recomputed first when its appeals changed since (or it has none)."""
    signature = _signature(_window_appeals(county, window))
    run = HotRun.objects.filter(
        county=county, before=window.before, starts=window.starts, ends=window.ends
    ).first()
    if run is not None and run.signature == signature:
        return run
    return hot_run_compute(county=county, window=window)


def hot_runs_fresh(*, counties: list[str], window: Window) -> list[HotRun]:
    return [hot_run_fresh(county=county, window=window) for county in sorted(set(counties))]


def hot_run_compute(*, county: str, window: Window) -> HotRun:
    """Cluster the county's appeals of the window by text and store the clusters with a member registered in the
    period, replacing the window's previous run."""
    appeals = _window_appeals(county, window)
    rows = list(
        appeals.order_by("created_at", "pk").values_list(
            "pk", "title", "description", "region_id", "created_at"
        )
    )
    starts_at = local_midnight(window.starts)
    # Titles are masked before they are read: a name typed into one must not become a cluster's name.
    texts = [
        Text(title=redact(title), body=description, group=county) for _, title, description, _, _ in rows
    ]
    found = cluster(texts, min_size=2)
    signature = _signature(appeals)
    with transaction.atomic():
        HotRun.objects.filter(
            county=county, before=window.before, starts=window.starts, ends=window.ends
        ).delete()
        try:
            with transaction.atomic():
                run = HotRun.objects.create(
                    county=county,
                    before=window.before,
                    starts=window.starts,
                    ends=window.ends,
                    signature=signature,
                    appeals=len(rows),
                    computed_at=timezone.now(),
                )
        except IntegrityError:
            # Someone computed the same run meanwhile: theirs is as good as ours.
            return HotRun.objects.get(
                county=county, before=window.before, starts=window.starts, ends=window.ends
            )
        members: list[HotMember] = []
        for found_cluster in found:
            current = [i for i in found_cluster.members if rows[i][4] >= starts_at]
            if not current:
                continue
            townships = {rows[i][3][:9] for i in current}
            place = townships.pop().ljust(12, "0") if len(townships) == 1 else county
            stored = HotCluster.objects.create(
                run=run,
                place=place,
                title=redact(found_cluster.title)[:200],
                phrases=" ".join(found_cluster.phrases)[:200],
                place_words=redact(found_cluster.place)[:100],
                appeals=len(current),
                previous=len(found_cluster.members) - len(current),
            )
            members.extend(
                HotMember(
                    cluster=stored, appeal_id=rows[i][0], position=position, current=rows[i][4] >= starts_at
                )
                for position, i in enumerate(found_cluster.members)
            )
        HotMember.objects.bulk_create(members, batch_size=1000)
    return run


def counties_with_appeals(window: Window) -> list[str]:
    """The counties that registered an appeal in the window's period."""
    codes = (
        Appeal.objects.filter(
            created_at__gte=local_midnight(window.starts), created_at__lt=local_midnight(window.ends)
        )
        .annotate(county=Substr("region_id", 1, 6, output_field=CharField()))
        .values_list("county", flat=True)
        .distinct()
        .order_by()
    )
    return sorted({code.ljust(12, "0") for code in codes})


def hot_runs_refresh(*, period: Period) -> int:
    """Bring every county's run of the period up to date (the periodic job); returns the runs recomputed."""
    window = window_of(period)
    recomputed = 0
    for county in counties_with_appeals(window):
        before = HotRun.objects.filter(
            county=county, before=window.before, starts=window.starts, ends=window.ends
        )
        old = before.values_list("pk", flat=True).first()
        if hot_run_fresh(county=county, window=window).pk != old:
            recomputed += 1
    return recomputed
