"""Weekly surge alerts (热点预警): the county's supervisors hear when a hot-issue cluster or a category rises
sharply in a township.

"Sharply" is a Poisson test against the township's own past: with λ the mean weekly count of the same subject
(cluster or category) in that township over the 4 weeks before, floored at SURGE_FLOOR (a subject not seen in
those weeks is expected once in four), the week's count n is a surge when

  n ≥ SURGE_MIN (3)   and   P(X ≥ n | Poisson(λ)) < SURGE_P (0.01)

so 3 in a week where none came before is a surge (P = 0.002), 3 after one a week is not (P = 0.08; 5 are,
P = 0.004), and a township that always has 10 wage appeals a week needs 19. The test asks for evidence, not a
ratio: a small count never looks "sharp" only because the past was quiet.

A cluster is compared with its own members of the 4 weeks before (text.clusters over the five weeks of the
county's appeals); a category with its own appeals. One alert per week, township and subject: a second run of
the job sends nothing twice. It goes through the in-app notifications (appeals.services.notify), to the
supervisors of the units of the township's county; its text names the place, the subject and the numbers,
never a person (the cluster's title is redacted).
"""

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import CharField, Count, Q
from django.db.models.functions import Substr
from django.utils import timezone

from appeals.models import Appeal, Category, Notification
from appeals.services.notify import notify
from core.period import local_midnight
from geo.models import Region, subtree_bounds
from insights.models import HotCluster, HotMember, SurgeAlert
from insights.services.hot import Window, hot_run_fresh
from org.models import Membership, Role

SURGE_MIN = 3
SURGE_P = 0.01
SURGE_FLOOR = 0.25
HISTORY_WEEKS = 4


def poisson_tail(n: int, expected: float) -> float:
    """P(X ≥ n) for X ~ Poisson(expected)."""
    if n <= 0:
        return 1.0
    term = math.exp(-expected)
    below = term
    for k in range(1, n):
        term *= expected / k
        below += term
    return max(0.0, 1.0 - below)


def is_surge(count: int, before: int) -> tuple[bool, float, float]:
    """(surge?, λ, p) for a week's count and the 4 weeks' total before it."""
    expected = max(before / HISTORY_WEEKS, SURGE_FLOOR)
    p = poisson_tail(count, expected)
    return count >= SURGE_MIN and p < SURGE_P, expected, p


@dataclass(frozen=True)
class Surge:
    township: str
    subject: str
    label: str
    count: int
    before: int
    expected: float
    p_value: float
    appeal_id: int | None  # the cluster's most typical appeal, for the notification's link


def week_of(day: date) -> date:
    """The Monday of the week `day` lies in."""
    return day - timedelta(days=day.weekday())


def _category_surges(week: Window) -> list[Surge]:
    appeals = Appeal.objects.filter(
        created_at__gte=local_midnight(week.before), created_at__lt=local_midnight(week.ends)
    )
    current = Q(created_at__gte=local_midnight(week.starts))
    rows = (
        appeals.filter(category__isnull=False)
        .values("category_id", township=Substr("region_id", 1, 9, output_field=CharField()))
        .annotate(n=Count("pk", filter=current), before=Count("pk", filter=~current))
        .filter(n__gte=SURGE_MIN)
        .order_by()
    )
    names = dict(Category.objects.values_list("pk", "name"))
    codes = dict(Category.objects.values_list("pk", "code"))
    surges = []
    for row in rows:
        surge, expected, p = is_surge(row["n"], row["before"])
        if surge:
            surges.append(
                Surge(
                    township=row["township"].ljust(12, "0"),
                    subject=f"category:{codes[row['category_id']]}",
                    label=f"“{names[row['category_id']]}”类诉求",
                    count=row["n"],
                    before=row["before"],
                    expected=expected,
                    p_value=p,
                    appeal_id=None,
                )
            )
    return surges


def _cluster_surges(week: Window) -> list[Surge]:
    counties = (
        Appeal.objects.filter(
            created_at__gte=local_midnight(week.starts), created_at__lt=local_midnight(week.ends)
        )
        .annotate(county=Substr("region_id", 1, 6, output_field=CharField()))
        .values_list("county", flat=True)
        .distinct()
        .order_by()
    )
    surges = []
    for county in sorted(set(counties)):
        run = hot_run_fresh(county=county.ljust(12, "0"), window=week)
        rows = (
            HotMember.objects.filter(cluster__run=run)
            .values("cluster_id", township=Substr("appeal__region_id", 1, 9, output_field=CharField()))
            .annotate(n=Count("pk", filter=Q(current=True)), before=Count("pk", filter=Q(current=False)))
            .filter(n__gte=SURGE_MIN)
            .order_by()
        )
        clusters = {c.pk: c for c in HotCluster.objects.filter(run=run)}
        typical = dict(
            HotMember.objects.filter(cluster__run=run, position=0).values_list("cluster_id", "appeal_id")
        )
        codes = dict(Appeal.objects.filter(pk__in=typical.values()).values_list("pk", "code"))
        for row in rows:
            surge, expected, p = is_surge(row["n"], row["before"])
            if surge:
                appeal_id = typical.get(row["cluster_id"])
                surges.append(
                    Surge(
                        township=row["township"].ljust(12, "0"),
                        subject=f"cluster:{codes.get(appeal_id or 0, row['cluster_id'])}",
                        label=f"“{clusters[row['cluster_id']].title}”等相似诉求",
                        count=row["n"],
                        before=row["before"],
                        expected=expected,
                        p_value=p,
                        appeal_id=appeal_id,
                    )
                )
    return surges


def _place_name(code: str) -> str:
    names = dict(Region.objects.filter(code__in=[code, code[:6].ljust(12, "0")]).values_list("code", "name"))
    county = names.get(code[:6].ljust(12, "0"), "")
    return county + names.get(code, "") if code != code[:6].ljust(12, "0") else county


def county_supervisors(township: str) -> set[int]:
    """The supervisors of the units of the township's county (the county's own units and the townships')."""
    low, high = subtree_bounds(township[:6])
    return set(
        Membership.objects.filter(
            role=Role.SUPERVISOR, unit__region__code__range=(low, high), user__is_active=True
        ).values_list("user_id", flat=True)
    )


def surge_alerts_send(*, week_starts: date, now: datetime | None = None) -> list[SurgeAlert]:
    """Find the week's surges (the week beginning Monday `week_starts`) and alert each once."""
    now = now or timezone.now()
    week = Window(
        before=week_starts - timedelta(weeks=HISTORY_WEEKS),
        starts=week_starts,
        ends=week_starts + timedelta(days=7),
    )
    sent = []
    for surge in _category_surges(week) + _cluster_surges(week):
        message = (
            f"热点预警：{_place_name(surge.township)}本周（{week_starts:%m月%d日}起）{surge.label}{surge.count}件，"
            f"前{HISTORY_WEEKS}周平均每周{surge.before / HISTORY_WEEKS:.1f}件，明显上升，请关注研判。"
        )
        try:
            with transaction.atomic():
                alert = SurgeAlert.objects.create(
                    week=week_starts,
                    township=surge.township,
                    subject=surge.subject[:80],
                    count=surge.count,
                    expected=round(surge.expected, 3),
                    p_value=surge.p_value,
                    message=message[:300],
                    created_at=now,
                )
                users = county_supervisors(surge.township)
                appeal = Appeal.objects.filter(pk=surge.appeal_id).first() if surge.appeal_id else None
                alert.sent_to = notify(
                    user_ids=users, appeal=appeal, kind=Notification.Kind.SURGE, message=message, at=now
                )
                alert.save(update_fields=["sent_to"])
        except IntegrityError:
            continue  # this week's alert for this subject went out already
        sent.append(alert)
    return sent
