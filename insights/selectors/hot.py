"""Hot issues (热点, DESIGN §6): clusters of similar appeals in a place and a period, ranked by a hotness index,
laid out as the 2020 Teddy Cup "smart government" task 2 table (排名, 问题ID, 热度指数, 时间范围, 地点/人群, 问题描述).

A cluster is one category in one township: the appeals in the user's scope (and the region filter) of that
category whose region lies in that township, registered in the period; an appeal registered at county level
makes its county's own cluster. A cluster needs at least MIN_APPEALS appeals. One grouped query gives, per cluster:

  n  appeals registered in the period; a merged duplicate counts, being one more report of the same problem
  r  distinct reporters: their phone numbers compared as MD5 hashes inside the query, never returned nor stored;
     an anonymous appeal, or one without a phone, counts as one reporter of its own
  g  growth: n ÷ the cluster's appeals in the previous period of the same length; none when it had none
  k  risk: the share of the n appeals that are red or orange disputes
  s  support: the people the problems concern, Σ parties_count

and the hotness index (HOTNESS_FORMULA, printed beside the table):

  H = 100 × (0.35·n/n_max + 0.20·r/r_max + 0.15·min(g, 3)/3 + 0.20·k + 0.10·s/s_max)

the maxima taken over the period's clusters, a cluster new this period (g undefined) counting as g = 3.
It tracks problems, not people: no reporter's name, phone or ID number leaves the database here.
"""

from dataclasses import dataclass
from datetime import timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import CharField, Count, F, Q, Sum, Value, Window
from django.db.models.functions import MD5, Coalesce, Replace, RowNumber, Substr
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from appeals.models import AppealKind, Category, RiskColour
from appeals.permissions import appeals_visible_to
from core.period import Period
from core.web import url_with_query
from geo.models import Region, subtree_bounds
from org.models import User

MIN_APPEALS = 3
GROWTH_CAP = 3.0
WEIGHTS = {"appeals": 0.35, "reporters": 0.20, "growth": 0.15, "risk": 0.20, "support": 0.10}
RECENT_TITLES = 3
HOTNESS_FORMULA = _(
    "Hotness index H = 100 × (0.35·n/n_max + 0.20·r/r_max + 0.15·min(g, 3)/3 + 0.20·k + 0.10·s/s_max), where n is "
    "the appeals of one category in one township registered in the period (at least 3), r the distinct reporters "
    "(by phone; each anonymous appeal counts once), g the growth (n divided by the previous period of the same "
    "length; a cluster new this period counts as 3), k the share of red or orange disputes, s the people "
    "concerned; the maxima are over all clusters of the period."
)


@dataclass(frozen=True)
class HotIssue:
    rank: int
    key: str  # 问题ID: <township code>-<category code>, stable across reports
    category_code: str
    category_name: str
    place_code: str  # the township's (or county's) 12-digit code
    place_name: str  # 都匀市广惠街道
    period: Period
    appeals: int
    reporters: int
    previous: int
    growth: float | None  # appeals ÷ previous; None when the previous period had none
    risk: float  # share of red or orange disputes
    support: int
    index: float
    titles: list[str]
    description: str
    url: str  # the appeals list behind the row


def previous_period(period: Period) -> Period:
    """The period of the same length that ends where this one starts."""
    length = period.ends - period.starts
    return Period(starts=period.starts - length, ends=period.starts)


def appeals_list_url(*, category: str, region: str, period: Period) -> str:
    """The appeals list filtered to one cluster; `to` is the last day, included whole, as the lists read it."""
    query = {
        "category": category,
        "region": region,
        "from": period.starts.isoformat(),
        "to": (period.ends - timedelta(days=1)).isoformat(),
    }
    return url_with_query(reverse("appeals:list"), query)


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


def _clusters(*, user: User, period: Period, region: Region | None) -> list[dict[str, Any]]:
    before = previous_period(period)
    visible = appeals_visible_to(user, within=region.prefix if region is not None else None)
    appeals = visible.filter(created_at__gte=before.start_at, created_at__lt=period.end_at)
    current = Q(created_at__gte=period.start_at)
    has_phone = Q(anonymous=False) & ~Q(reporter_phone="")
    phone = Replace(Replace(F("reporter_phone"), Value(" "), Value("")), Value("-"), Value(""))
    rows = (
        appeals.values("category_id", township=Substr("region_id", 1, 9, output_field=CharField()))
        .annotate(
            n=Count("pk", filter=current),
            previous=Count("pk", filter=~current),
            callers=Count(MD5(phone), distinct=True, filter=current & has_phone),
            unnamed=Count("pk", filter=current & ~has_phone),
            risky=Count(
                "pk",
                filter=current
                & Q(kind=AppealKind.DISPUTE, risk_colour__in=[RiskColour.RED, RiskColour.ORANGE]),
            ),
            support=Coalesce(Sum("parties_count", filter=current), 0),
        )
        .filter(n__gte=MIN_APPEALS)
        .order_by()
    )
    return list(rows)


def _recent_titles(
    *, user: User, period: Period, clusters: list[tuple[int, str]]
) -> dict[tuple[int, str], list[str]]:
    """The latest distinct titles of each cluster, by one windowed query over the chosen clusters only."""
    if not clusters:
        return {}
    township = Substr("region_id", 1, 9, output_field=CharField())
    which = reduce(
        or_,
        (Q(category_id=c, region__code__range=subtree_bounds(t)) for c, t in clusters),
    )
    rows = (
        appeals_visible_to(user)
        .filter(which, created_at__gte=period.start_at, created_at__lt=period.end_at)
        .annotate(
            township=township,
            position=Window(
                RowNumber(),
                partition_by=[F("category_id"), township],
                order_by=[F("created_at").desc(), F("id").desc()],
            ),
        )
        .filter(position__lte=RECENT_TITLES * 2)
        .order_by("category_id", "township", "position")
        .values_list("category_id", "township", "title")
    )
    titles: dict[tuple[int, str], list[str]] = {}
    for category_id, code, title in rows:
        seen = titles.setdefault((category_id, code), [])
        if title not in seen and len(seen) < RECENT_TITLES:
            seen.append(title)
    return titles


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

    The caller has obtained `region` through access_region."""
    rows = _clusters(user=user, period=period, region=region)
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
    scored.sort(key=lambda s: (-s[0], -s[1]["n"], s[1]["township"], s[1]["category_id"]))
    top = scored[:limit]
    clusters = [(r["category_id"], r["township"]) for _, r, _, _, _ in top]
    titles = _recent_titles(user=user, period=period, clusters=clusters)
    categories = {c.pk: c for c in Category.objects.filter(pk__in={c for c, _ in clusters})}
    places = _place_names({t.ljust(12, "0") for _, t in clusters})
    issues = []
    for rank, (index, r, reporters, growth, risk) in enumerate(top, start=1):
        category = categories[r["category_id"]]
        place = r["township"].ljust(12, "0")
        recent = titles.get((r["category_id"], r["township"]), [])
        description = f"{places[place]}{category.name}问题：" + "；".join(recent)
        issues.append(
            HotIssue(
                rank=rank,
                key=f"{place}-{category.code}",
                category_code=category.code,
                category_name=category.name,
                place_code=place,
                place_name=places[place],
                period=period,
                appeals=r["n"],
                reporters=reporters,
                previous=r["previous"],
                growth=round(growth, 2) if growth is not None else None,
                risk=round(risk, 3),
                support=r["support"],
                index=index,
                titles=recent,
                description=description,
                url=appeals_list_url(category=category.code, region=place, period=period),
            )
        )
    return issues


__all__ = ["HOTNESS_FORMULA", "MIN_APPEALS", "HotIssue", "appeals_list_url", "hot_issues", "previous_period"]
