"""Hot issues (热点, DESIGN §6): clusters of similar appeals by text in a place and a period, ranked by a hotness
index, laid out as the 2020 Teddy Cup "smart government" task 2 table (排名, 问题ID, 热度指数, 时间范围, 地点/人群,
问题描述).

The clusters are those of insights.services.hot (text.clusters over a county's appeals, across categories),
computed once per county and window and read here through the user's scope: a cluster counts only the members
the user may see (and that lie in the region asked for), and is a hot issue when at least MIN_APPEALS of them
were registered in the period. One grouped query gives, per cluster:

  n  member appeals registered in the period; a merged duplicate counts, being one more report of the problem
  r  distinct reporters: their phone numbers compared as MD5 hashes inside the query, never returned nor stored;
     an anonymous appeal, or one without a phone, counts as one reporter of its own
  g  growth: n ÷ the members registered in the previous period of the same length; none when there were none
  k  risk: the share of the n appeals that are red or orange disputes
  s  support: the people the problems concern, Σ parties_count

and the hotness index (HOTNESS_FORMULA, printed beside the table):

  H = 100 × (0.35·n/n_max + 0.20·r/r_max + 0.15·min(g, 3)/3 + 0.20·k + 0.10·s/s_max)

the maxima taken over the period's clusters, a cluster new this period (g undefined) counting as g = 3.
It tracks problems, not people: no reporter's name, phone or ID number leaves the database here, and every
title shown has gone through text.redact.
"""

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Count, F, Q, Sum, Value
from django.db.models.functions import MD5, Coalesce, Replace, Substr
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from appeals.models import Appeal, AppealKind, Category, RiskColour
from appeals.permissions import appeals_visible_to
from core.period import Period
from core.web import url_with_query
from geo.models import Region
from insights.models import HotCluster, HotMember
from insights.services.hot import MIN_APPEALS, hot_runs_fresh, window_of
from org.models import User
from text.redact import redact

GROWTH_CAP = 3.0
WEIGHTS = {"appeals": 0.35, "reporters": 0.20, "growth": 0.15, "risk": 0.20, "support": 0.10}
RECENT_TITLES = 3
URL_IDS = 300  # the appeals a row's link lists; a larger cluster links to its first (most typical) ones
HOTNESS_FORMULA = _(
    "Hotness index H = 100 × (0.35·n/n_max + 0.20·r/r_max + 0.15·min(g, 3)/3 + 0.20·k + 0.10·s/s_max), where n is "
    "the appeals of one cluster of similar texts registered in the period (at least 3), r the distinct reporters "
    "(by phone; each anonymous appeal counts once), g the growth (n divided by the cluster's appeals of the "
    "previous period of the same length; a cluster new this period counts as 3), k the share of red or orange "
    "disputes, s the people concerned; the maxima are over all clusters of the period."
)
CLUSTERING = _(
    "Appeals are grouped by their words, within one county, whatever their category: two appeals are alike when "
    "the cosine of their TF-IDF word vectors reaches 0.35 (the title counting twice), and a group stays one while "
    "its centre stays that close. Each hot issue is named by its key phrases and its most typical title."
)


@dataclass(frozen=True)
class HotIssue:
    rank: int
    key: str  # 问题ID: the tracking code of the cluster's most typical appeal
    category_code: str  # the commonest category among its appeals
    category_name: str
    place_code: str  # the township's (or county's) 12-digit code
    place_name: str  # 都匀市广惠街道
    place_words: str  # the place most of its appeals name (锦绣家园), "" when none
    period: Period
    appeals: int
    reporters: int
    previous: int
    growth: float | None  # appeals ÷ previous; None when the previous period had none
    risk: float  # share of red or orange disputes
    support: int
    index: float
    titles: list[str]  # redacted, the most typical first
    phrases: list[str]
    description: str
    appeal_ids: list[int]  # the cluster's appeals of the period the user may see, the most typical first
    url: str  # the appeals list behind the row


def previous_period(period: Period) -> Period:
    """The period of the same length that ends where this one starts."""
    length = period.ends - period.starts
    return Period(starts=period.starts - length, ends=period.starts)


def appeals_list_url(appeal_ids: list[int]) -> str:
    """The appeals list of exactly these appeals."""
    return url_with_query(reverse("appeals:list"), {"ids": ",".join(str(i) for i in appeal_ids[:URL_IDS])})


def hotness(
    *, appeals: int, reporters: int, growth: float | None, risk: float, support: int, maxima: dict[str, int]
) -> float:
    """The index of the module docstring, 0–100, one decimal."""
    g = GROWTH_CAP if growth is None else min(growth, GROWTH_CAP)
    value = (
        WEIGHTS["appeals"] * appeals / max(maxima["appeals"], 1)
        + WEIGHTS["reporters"] * reporters / max(maxima["reporters"], 1)
        + WEIGHTS["growth"] * g / GROWTH_CAP
        + WEIGHTS["risk"] * risk
        + WEIGHTS["support"] * support / max(maxima["support"], 1)
    )
    return round(100 * value, 1)


def _counties(visible: Any, period: Period) -> list[str]:
    codes = (
        visible.filter(created_at__gte=period.start_at, created_at__lt=period.end_at)
        .annotate(county=Substr("region_id", 1, 6, output_field=CharField()))
        .values_list("county", flat=True)
        .distinct()
        .order_by()
    )
    return sorted({code.ljust(12, "0") for code in codes})


def _clusters(*, visible: Any, runs: list[int]) -> list[dict[str, Any]]:
    current = Q(current=True)
    has_phone = Q(appeal__anonymous=False) & ~Q(appeal__reporter_phone="")
    phone = Replace(Replace(F("appeal__reporter_phone"), Value(" "), Value("")), Value("-"), Value(""))
    rows = (
        HotMember.objects.filter(cluster__run_id__in=runs, appeal_id__in=visible.values("pk"))
        .values("cluster_id")
        .annotate(
            n=Count("pk", filter=current),
            previous=Count("pk", filter=~current),
            callers=Count(MD5(phone), distinct=True, filter=current & has_phone),
            unnamed=Count("pk", filter=current & ~has_phone),
            risky=Count(
                "pk",
                filter=current
                & Q(
                    appeal__kind=AppealKind.DISPUTE,
                    appeal__risk_colour__in=[RiskColour.RED, RiskColour.ORANGE],
                ),
            ),
            support=Coalesce(Sum("appeal__parties_count", filter=current), 0),
        )
        .filter(n__gte=MIN_APPEALS)
        .order_by()
    )
    return list(rows)


def _members(*, visible: Any, clusters: list[int]) -> dict[int, list[tuple[int, str, int | None]]]:
    """The visible members of the period of each cluster, most typical first: (appeal id, title, category id)."""
    rows = (
        HotMember.objects.filter(cluster_id__in=clusters, current=True, appeal_id__in=visible.values("pk"))
        .order_by("cluster_id", "position")
        .values_list("cluster_id", "appeal_id", "appeal__title", "appeal__category_id")
    )
    members: dict[int, list[tuple[int, str, int | None]]] = {}
    for cluster_id, appeal_id, title, category_id in rows:
        members.setdefault(cluster_id, []).append((appeal_id, title, category_id))
    return members


def _place_names(codes: set[str]) -> dict[str, str]:
    """A township's name with its county's before it (都匀市广惠街道); a county's alone."""
    wanted = codes | {code[:6].ljust(12, "0") for code in codes}
    names = dict(Region.objects.filter(code__in=wanted).values_list("code", "name"))
    result = {}
    for code in codes:
        county = code[:6].ljust(12, "0")
        own = names.get(code, code)
        result[code] = own if county == code else names.get(county, "") + own
    return result


def hot_issues(
    *, user: User, period: Period, region: Region | None = None, limit: int = 10
) -> list[HotIssue]:
    """The `limit` hottest clusters of the period over the appeals the user may see, in `region`, hottest first.

    The caller has obtained `region` through access_region. Clusters not yet computed for the period, or whose
    county has new appeals, are computed first (insights.services.hot)."""
    visible = appeals_visible_to(user, within=region.prefix if region is not None else None)
    runs = hot_runs_fresh(counties=_counties(visible, period), window=window_of(period))
    rows = _clusters(visible=visible, runs=[run.pk for run in runs])
    if not rows:
        return []
    maxima = {
        "appeals": max(r["n"] for r in rows),
        "reporters": max(r["callers"] + r["unnamed"] for r in rows),
        "support": max(r["support"] for r in rows),
    }
    scored = []
    for r in rows:
        reporters = r["callers"] + r["unnamed"]
        growth = r["n"] / r["previous"] if r["previous"] else None
        risk = r["risky"] / r["n"]
        index = hotness(
            appeals=r["n"], reporters=reporters, growth=growth, risk=risk, support=r["support"], maxima=maxima
        )
        scored.append((index, r, reporters, growth, risk))
    scored.sort(key=lambda s: (-s[0], -s[1]["n"], s[1]["cluster_id"]))
    top = scored[:limit]
    chosen = [r["cluster_id"] for _, r, _, _, _ in top]
    stored = {c.pk: c for c in HotCluster.objects.filter(pk__in=chosen)}
    members = _members(visible=visible, clusters=chosen)
    codes = dict(Appeal.objects.filter(pk__in=[m[0][0] for m in members.values()]).values_list("pk", "code"))
    common = {k: Counter(m[2] for m in ms).most_common(1)[0][0] for k, ms in members.items()}
    categories = {c.pk: c for c in Category.objects.filter(pk__in=[c for c in common.values() if c])}
    places = _place_names({c.place for c in stored.values()})
    issues = []
    for rank, (index, r, reporters, growth, risk) in enumerate(top, start=1):
        found = stored[r["cluster_id"]]
        mine = members.get(found.pk, [])
        titles: list[str] = []
        for member in mine:
            masked = redact(member[1])
            if masked not in titles and len(titles) < RECENT_TITLES:
                titles.append(masked)
        category = categories.get(common.get(found.pk) or 0)
        phrases = found.phrases.split()
        place_name = places[found.place]
        lead = titles[0] if titles else found.title
        description = f"{place_name}：{lead}" + (f"（{'、'.join(phrases)}）" if phrases else "")
        ids = [appeal_id for appeal_id, _, _ in mine]
        issues.append(
            HotIssue(
                rank=rank,
                key=codes.get(ids[0], str(found.pk)) if ids else str(found.pk),
                category_code=category.code if category else "",
                category_name=category.name if category else "",
                place_code=found.place,
                place_name=place_name,
                place_words=found.place_words,
                period=period,
                appeals=r["n"],
                reporters=reporters,
                previous=r["previous"],
                growth=round(growth, 2) if growth is not None else None,
                risk=round(risk, 3),
                support=r["support"],
                index=index,
                titles=titles,
                phrases=phrases,
                description=description,
                appeal_ids=ids,
                url=appeals_list_url(ids),
            )
        )
    return issues


__all__ = [
    "CLUSTERING",
    "HOTNESS_FORMULA",
    "MIN_APPEALS",
    "HotIssue",
    "appeals_list_url",
    "hot_issues",
    "previous_period",
]
