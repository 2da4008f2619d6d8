"""Reads of appeals: list filters, queues, the timeline, similar appeals."""

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from appeals.models import (
    ACTIVE_STATUSES,
    OPEN_TASK_STATUSES,
    Appeal,
    AppealEvent,
    AppealStatus,
    AppealTextKey,
    Category,
    Notification,
    TaskStatus,
    UnitTask,
)
from core.period import local_midnight
from geo.models import subtree_bounds
from org.selectors import units_without_staff
from text.chinese import dictionary_version
from text.similar import THRESHOLD, Scorer, band_keys, document_frequencies

# A dispute registered without a risk colour: `risk_colour=none`.
NO_COLOUR = "none"
# List orders, each ending in a unique column for keyset pagination. "queue" is "due" within one unit's
# queue: by that unit's own deadline, read straight off the task_unit_queue index.
ORDERS = {
    "newest": ("-created_at", "-id"),
    "due": ("resolve_due", "id"),
    "queue": ("queue_due", "queue_appeal"),
}


@dataclass(frozen=True)
class AppealFilters:
    """The filters of every appeal list, the page's and the API's alike.

    `unit` keeps the appeals in which that unit has an open part (`task_status`: one state of it); `risk_colour`
    NO_COLOUR keeps those registered without a colour; `not_categories` leaves categories out (the dashboards'
    其他); `created_from` and `created_to` are days of registration in Asia/Shanghai, both included; `ids` keeps exactly those appeals (a hot issue's)."""

    status: tuple[str, ...] = ()
    unit: int | None = None
    task_status: str | None = None
    lead_unit: int | None = None
    kind: str | None = None
    category: str | None = None
    not_categories: tuple[str, ...] = ()
    risk_colour: str | None = None
    source: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    overdue: bool | None = None
    returned: bool | None = None
    awaiting_decision: bool | None = None
    q: str | None = None
    ids: tuple[int, ...] = ()


def appeals_filter(
    appeals: QuerySet[Appeal], filters: AppealFilters, *, now: datetime | None = None
) -> QuerySet[Appeal]:
    """Narrow a (scoped) appeal queryset; every filter maps to an indexed column or an indexed subquery. The
    region is not a filter here but part of the scope: appeals_visible_to(user, within=prefix)."""
    now = now or timezone.now()
    f = filters
    if f.status:
        appeals = appeals.filter(status__in=f.status)
    if f.unit is not None:
        # A join, not EXISTS: (appeal, unit) is unique, so no row repeats, and the unit's queue order can
        # come from the task's index (see `ordered`).
        task_statuses = [f.task_status] if f.task_status else list(OPEN_TASK_STATUSES)
        appeals = appeals.filter(tasks__unit_id=f.unit, tasks__status__in=task_statuses).annotate(
            queue_due=F("tasks__resolve_due"), queue_appeal=F("tasks__appeal_id")
        )
    if f.kind:
        appeals = appeals.filter(kind=f.kind)
    if f.category:
        appeals = appeals.filter(Q(category__code=f.category) | Q(category__parent__code=f.category))
    if f.not_categories:
        left_out = Category.objects.filter(code__in=f.not_categories).values("pk")
        appeals = appeals.exclude(category_id__in=left_out)
    if f.risk_colour:
        appeals = appeals.filter(risk_colour="" if f.risk_colour == NO_COLOUR else f.risk_colour)
    if f.lead_unit is not None:
        appeals = appeals.filter(lead_unit_id=f.lead_unit)
    if f.created_from is not None:
        appeals = appeals.filter(created_at__gte=local_midnight(f.created_from))
    if f.created_to is not None:
        appeals = appeals.filter(created_at__lt=local_midnight(f.created_to + timedelta(days=1)))
    if f.source:
        appeals = appeals.filter(source=f.source)
    if f.overdue is True:
        appeals = appeals.filter(status__in=ACTIVE_STATUSES, resolve_due__lt=now)
    elif f.overdue is False:
        appeals = appeals.exclude(status__in=ACTIVE_STATUSES, resolve_due__lt=now)
    if f.returned is not None:
        appeals = appeals.filter(returned_at__isnull=not f.returned)
    if f.awaiting_decision is not None:
        appeals = appeals.filter(awaiting_decision=f.awaiting_decision)
    if f.q:
        appeals = appeals.filter(Q(title__contains=f.q) | Q(description__contains=f.q) | Q(code=f.q))
    if f.ids:
        appeals = appeals.filter(pk__in=f.ids)
    return appeals


def ordered(
    appeals: QuerySet[Appeal], order: str, *, unit: int | None = None
) -> tuple[QuerySet[Appeal], tuple[str, ...]]:
    """The queryset ready for keyset pagination in `order`; deadline order leaves out items without one.

    Filtered to one unit (appeals_filter with `unit`), deadline order is that unit's task deadline.
    """
    if order == "due" and unit is not None:
        order = "queue"
    fields = ORDERS[order]
    if order == "due":
        appeals = appeals.filter(resolve_due__isnull=False)
    return appeals.select_related("category", "region", "lead_unit"), fields


def appeal_timeline(appeal: Appeal) -> QuerySet[AppealEvent]:
    return appeal.events.select_related("actor", "unit", "actor_unit").order_by("at", "id")


def appeal_tasks(appeal: Appeal) -> QuerySet[UnitTask]:
    return appeal.tasks.select_related("unit").exclude(status=TaskStatus.CANCELLED).order_by("role", "id")


def categories_active() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).select_related("parent").order_by("sort_order", "code")


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()


def dispatcher_counts(appeals: QuerySet[Appeal], *, now: datetime | None = None) -> dict[str, int]:
    """The figures above the dispatcher's queue, in one query."""
    now = now or timezone.now()
    return appeals.aggregate(
        new=Count("id", filter=Q(status=AppealStatus.REGISTERED, returned_at__isnull=True)),
        returned=Count("id", filter=Q(status=AppealStatus.REGISTERED, returned_at__isnull=False)),
        overdue=Count("id", filter=Q(status__in=ACTIVE_STATUSES, resolve_due__lt=now)),
        awaiting=Count("id", filter=Q(awaiting_decision=True)),
    )


def staffless_warnings(unit_ids: Iterable[int]) -> list[str]:
    """A warning for each of these units that has no active handler or head: nobody would sign for its part."""
    return [
        f"{unit.name}暂无在岗经办人或负责人，交办后无人签收，请另选单位或通知管理员"
        for unit in units_without_staff(unit_ids)
    ]


# --- similar appeals (duplicates) ---------------------------------------------------------------------------

# "Open or recent": candidates are appeals registered within this window that are not merged and, if closed,
# were closed within it too.
SIMILAR_WINDOW = timedelta(days=180)
# Per text key, the most recent appeals read: a key shared by thousands of templated texts costs no more.
SIMILAR_PER_KEY = 20
# Candidates re-checked, by the number of keys they share with the text.
SIMILAR_CANDIDATES = 20
# The IDF of the re-check: words of the county's latest appeals, cached.
IDF_SAMPLE = 3_000
IDF_SECONDS = 6 * 3600


@dataclass(frozen=True)
class SimilarAppeal:
    appeal: Appeal
    score: float


_CANDIDATES_SQL = """
    SELECT hit.appeal_id FROM unnest(%s::bigint[]) AS wanted(key)
    CROSS JOIN LATERAL (
        SELECT k.appeal_id FROM appeals_appealtextkey k
        WHERE k.key = wanted.key AND k.created_at >= %s
        ORDER BY k.created_at DESC LIMIT %s
    ) hit
    GROUP BY hit.appeal_id ORDER BY count(*) DESC, hit.appeal_id DESC LIMIT %s
"""


def _candidates(keys: list[int], since: datetime) -> RawSQL | list[int]:
    """The candidates' ids: on PostgreSQL a subquery (the lookup's fetch runs it: one round trip), else a list."""
    if connection.vendor == "postgresql":
        return RawSQL(_CANDIDATES_SQL, [keys, since, SIMILAR_PER_KEY, SIMILAR_CANDIDATES])  # noqa: S611 (constant SQL, parameters bound)
    rows = (
        AppealTextKey.objects.filter(key__in=keys, created_at__gte=since)
        .values("appeal_id")
        .annotate(hits=Count("id"))
        .order_by("-hits", "-appeal_id")[:SIMILAR_CANDIDATES]
    )
    return [row["appeal_id"] for row in rows]


def _candidate_ids(keys: list[int], since: datetime) -> list[int]:
    """The candidates' ids alone (the benchmark times this query by itself)."""
    found = _candidates(keys, since)
    if isinstance(found, list):
        return found
    with connection.cursor() as cursor:
        cursor.execute(_CANDIDATES_SQL, [keys, since, SIMILAR_PER_KEY, SIMILAR_CANDIDATES])
        return [row[0] for row in cursor.fetchall()]


# The process keeps a county's scorer for some minutes, so a lookup does not unpickle the IDF from the cache.
_scorers: dict[str, tuple[float, Scorer]] = {}
SCORER_LOCAL_SECONDS = 600


def similarity_scorer(county: str) -> Scorer:
    """The re-check with the IDF of the county's latest appeals (cached for some hours)."""
    cache_key = f"similar-idf:{county}:{dictionary_version()}"
    local = _scorers.get(cache_key)
    if local is not None and local[0] > time.monotonic():
        return local[1]
    cached = cache.get(cache_key)
    if cached is None:
        texts = (
            f"{title} {description}"
            for title, description in Appeal.objects.filter(region__code__range=subtree_bounds(county))
            .order_by("-created_at")
            .values_list("title", "description")[:IDF_SAMPLE]
        )
        df, n = document_frequencies(texts)
        cached = (dict(df), n)
        cache.set(cache_key, cached, IDF_SECONDS)
    scorer = Scorer(cached[0], cached[1])
    _scorers[cache_key] = (time.monotonic() + SCORER_LOCAL_SECONDS, scorer)
    return scorer


def similar_appeals(
    visible: QuerySet[Appeal],
    *,
    title: str,
    description: str,
    region_code: str,
    category_code: str = "",
    exclude: int | None = None,
    limit: int = 10,
    now: datetime | None = None,
) -> list[SimilarAppeal]:
    """Open or recent appeals among `visible` of the same county that tell the same problem, best first."""
    county = region_code[:6]
    since = (now or timezone.now()) - SIMILAR_WINDOW
    ids = _candidates(band_keys(title, description, area=county), since)
    if not ids:
        return []
    # One query: the candidates (a subquery on PostgreSQL), open or recent, not merged, within the scope.
    candidates = (
        visible.filter(pk__in=ids)
        .exclude(status=AppealStatus.MERGED)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=since))
        .values_list("id", "code", "title", "description", "status", "category__code")
    )
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude)
    scorer = similarity_scorer(county)
    wanted = scorer.profile(title, description, category_code)
    found = []
    for pk, code, candidate_title, candidate_description, status, category in candidates:
        score = scorer.score(wanted, scorer.profile(candidate_title, candidate_description, category))
        if score >= THRESHOLD:
            appeal = Appeal(id=pk, code=code, title=candidate_title, status=status)
            found.append(SimilarAppeal(appeal=appeal, score=score))
    found.sort(key=lambda s: (-s.score, -s.appeal.pk))
    return found[:limit]
