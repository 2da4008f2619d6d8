"""Reads of the planning pages: visit coverage (走访覆盖率) by area, the villages nobody has visited yet and who
answers for them, a campaign's headline figures, and the visit ledger's list.

Coverage (DESIGN §6): villages/communities with at least one visit of the campaign ÷ the villages/communities in
the user's scope. An enterprise visit does not cover the village the enterprise lies in. Areas are grouped in SQL
by the prefix of the 12-digit code (county 6 digits, township 9), never by looping over visits.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import gettext_lazy as _

from appeals.models import Category
from campaigns.models import Campaign, Responsibility, Visit, VisitProblem, VisitTally
from campaigns.permissions import visits_visible_to
from campaigns.selectors.visits import VisitFilters, visits_filter
from core.errors import InvalidInput, NotFound
from core.pagination import MAX_LIMIT, decode_cursor, encode_cursor
from geo.models import CODE_LENGTH, PREFIX_LENGTH, Region, ancestor_codes, subtree_bounds
from org.models import User
from org.permissions import regions_visible_to, user_scope

# Levels a coverage table can be drilled from: prefecture → counties → townships → villages.
DRILL_LEVELS = (Region.Level.PROVINCE, Region.Level.PREFECTURE, Region.Level.COUNTY, Region.Level.TOWNSHIP)
EXPORT_CHUNK = 1000


# --- the area a page looks at -------------------------------------------------------------------------------


def area_intersects(user: User, prefix: str) -> bool:
    """Whether the subtree `prefix` holds or lies in part of the user's scope."""
    scope = user_scope(user)
    return scope.everything or any(p.startswith(prefix) or prefix.startswith(p) for p in scope.prefixes)


def area_root(user: User) -> Region:
    """The widest area of the user's scope: the prefecture for the prefecture's staff, a county for a county's."""
    scope = user_scope(user)
    if scope.everything or not scope.prefixes:
        root = Region.objects.filter(level=Region.Level.PREFECTURE).order_by("code").first()
    elif len(scope.prefixes) == 1:
        root = Region.objects.filter(pk=scope.prefixes[0].ljust(CODE_LENGTH, "0")).first()
    else:
        # Several subtrees (roles in two counties): their prefecture, of which only the scope is counted.
        root = Region.objects.filter(pk=scope.prefixes[0][:4].ljust(CODE_LENGTH, "0")).first()
    if root is None:
        raise NotFound("区划不存在")
    if root.level == Region.Level.VILLAGE and root.parent_id:
        root = Region.objects.get(pk=root.parent_id)
    return root


def area_access(user: User, code: str | None) -> Region:
    """The area `?region=` asks for, if it holds part of the user's scope; 404 alike for absent and elsewhere.
    A village stands for its township, whose table lists it."""
    if not code:
        return area_root(user)
    region = Region.objects.filter(pk=code).first()
    if region is not None and region.level == Region.Level.VILLAGE and region.parent_id:
        region = Region.objects.get(pk=region.parent_id)
    if region is None or region.level not in DRILL_LEVELS or not area_intersects(user, region.prefix):
        raise NotFound("区划不存在")
    return region


def area_trail(user: User, region: Region) -> list[Region]:
    """The areas above `region` that the user may open, widest first, ending with `region` itself."""
    codes = [c for c in reversed(ancestor_codes(region.code)) if c != region.code]
    found = Region.objects.in_bulk(codes)
    trail = [
        found[c]
        for c in codes
        if c in found and found[c].level >= Region.Level.PREFECTURE and area_intersects(user, found[c].prefix)
    ]
    return [*trail, region]


def area_children(user: User, region: Region) -> list[Region]:
    """The areas one level below `region` that hold part of the user's scope (for drill-down selects)."""
    children = Region.objects.filter(
        code__range=subtree_bounds(region.prefix), level=region.level + 1
    ).order_by("code")
    return [child for child in children if area_intersects(user, child.prefix)]


# --- coverage -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageRow:
    region: Region
    villages: int
    visited: int
    unassigned: int  # villages with nobody responsible (包保人)
    visits: int  # visits to its villages (enterprise visits not counted)

    @property
    def unvisited(self) -> int:
        return self.villages - self.visited

    @property
    def rate(self) -> float | None:
        return self.visited / self.villages if self.villages else None


@dataclass(frozen=True)
class Coverage:
    campaign: Campaign
    region: Region
    rows: list[CoverageRow]  # one page of the areas one level down, by code
    villages: int
    visited: int
    unassigned: int
    visits: int
    next_cursor: str | None = None

    @property
    def unvisited(self) -> int:
        return self.villages - self.visited

    @property
    def rate(self) -> float | None:
        return self.visited / self.villages if self.villages else None

    @property
    def by_village(self) -> bool:
        return self.region.level == Region.Level.TOWNSHIP


# The definition printed beside the number (DESIGN §6: each metric shown with its definition).
COVERAGE_DEFINITION = _(
    "Visit coverage = villages and communities with at least one visit in this campaign ÷ villages and "
    "communities in your scope. Visits to enterprises do not count towards the village they lie in."
)
COVERAGE_PAGE = 50


def villages_in_scope(user: User, region: Region) -> QuerySet[Region]:
    """The villages and communities of `region` that lie in the user's scope."""
    return regions_visible_to(user).filter(
        code__range=subtree_bounds(region.prefix), level=Region.Level.VILLAGE
    )


def _village_tallies(campaign: Campaign) -> QuerySet[VisitTally]:
    # enterprise_id 0: visits to the village or community itself (an enterprise visit covers no village).
    return VisitTally.objects.filter(campaign=campaign, enterprise_id=0)


def _visited(campaign: Campaign) -> Exists:
    # One seek per village in the tallies' index (campaign, enterprise_id, region, visits).
    return Exists(_village_tallies(campaign).filter(region=OuterRef("code")))


def _assigned(campaign: Campaign) -> Exists:
    # One seek per village in the responsibilities' index (campaign, region).
    return Exists(Responsibility.objects.filter(campaign=campaign, region=OuterRef("code")))


def _area_cursor(cursor: str | None, width: int) -> str | None:
    """The last area code of the previous page, checked to be an area of this level."""
    if not cursor:
        return None
    (last,) = decode_cursor(cursor, 1)
    if not isinstance(last, str) or len(last) != width or not last.isdigit():
        raise InvalidInput("分页游标无效", code="invalid_cursor")
    return last


def campaign_coverage(
    *, campaign: Campaign, user: User, region: Region, cursor: str | None = None, limit: int = COVERAGE_PAGE
) -> Coverage:
    """Coverage of `region`'s villages in the user's scope: the totals, and one keyset page (by code, after
    `cursor`) of the areas one level down (a township's villages one by one). Set-based on the visitors'
    tallies: three aggregate queries and one for the page's area names, however many visits there are."""
    width = PREFIX_LENGTH[region.level + 1]
    limit = max(1, min(limit, MAX_LIMIT))
    villages = villages_in_scope(user, region).order_by()
    counts = {
        "total": Count("code"),
        "visited": Count("code", filter=Q(_visited(campaign))),
        "unassigned": Count("code", filter=~Q(_assigned(campaign))),
    }
    totals = villages.aggregate(**counts)
    visits_total = (
        _village_tallies(campaign)
        .filter(region__in=villages.values("code"))
        .aggregate(n=Coalesce(Sum("visits"), 0))["n"]
    )
    after = _area_cursor(cursor, width)
    paged = villages.filter(code__gt=after.ljust(CODE_LENGTH, "9")) if after else villages
    grouped = list(
        paged.values(group=Substr("code", 1, width)).annotate(**counts).order_by("group")[: limit + 1]
    )
    more = len(grouped) > limit
    grouped = grouped[:limit]
    visits: dict[str, int] = {}
    if grouped:
        low, high = grouped[0]["group"].ljust(CODE_LENGTH, "0"), grouped[-1]["group"].ljust(CODE_LENGTH, "9")
        visits = dict(
            _village_tallies(campaign)
            .filter(region__in=villages.filter(code__range=(low, high)).values("code"))
            .values(group=Substr("region_id", 1, width))
            .annotate(n=Sum("visits"))
            .values_list("group", "n")
        )
    areas = Region.objects.in_bulk([row["group"].ljust(CODE_LENGTH, "0") for row in grouped])
    rows = [
        CoverageRow(
            region=areas[row["group"].ljust(CODE_LENGTH, "0")],
            villages=row["total"],
            visited=row["visited"],
            unassigned=row["unassigned"],
            visits=visits.get(row["group"], 0),
        )
        for row in grouped
        if row["group"].ljust(CODE_LENGTH, "0") in areas
    ]
    return Coverage(
        campaign=campaign,
        region=region,
        rows=rows,
        villages=totals["total"],
        visited=totals["visited"],
        unassigned=totals["unassigned"],
        visits=visits_total,
        next_cursor=encode_cursor([grouped[-1]["group"]]) if more else None,
    )


def coverage_rows_all(*, campaign: Campaign, user: User, region: Region) -> Iterator[CoverageRow]:
    """Every area's row, page after page (for the export)."""
    cursor: str | None = None
    while True:
        page = campaign_coverage(campaign=campaign, user=user, region=region, cursor=cursor, limit=MAX_LIMIT)
        yield from page.rows
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def unvisited_villages(*, campaign: Campaign, user: User, region: Region) -> QuerySet[Region]:
    """The villages of `region` in the user's scope that no visit of the campaign reached, by code."""
    return (
        villages_in_scope(user, region)
        .filter(~Q(_visited(campaign)))
        .select_related("parent", "parent__parent")
        .order_by("code")
    )


def responsible_for(*, campaign: Campaign, codes: Sequence[str]) -> dict[str, list[User]]:
    """The responsible visitors (包保人) of these villages, by village code, in one query."""
    found: dict[str, list[User]] = {}
    rows = (
        Responsibility.objects.filter(campaign=campaign, region_id__in=list(codes))
        .select_related("visitor")
        .order_by("region_id", "visitor__full_name", "visitor_id")
    )
    for responsibility in rows:
        assert responsibility.region_id is not None
        found.setdefault(responsibility.region_id, []).append(responsibility.visitor)
    return found


def unvisited_export_rows(
    *, campaign: Campaign, user: User, region: Region
) -> Iterator[tuple[str, str, str, str, str, str]]:
    """County, township, village, code, 包保人 and their phones, for every unvisited village: read in chunks,
    one query for the responsibilities of each chunk, so memory stays flat however many there are."""
    villages = unvisited_villages(campaign=campaign, user=user, region=region)
    chunk: list[Region] = []

    def flush(chunk: list[Region]) -> Iterator[tuple[str, str, str, str, str, str]]:
        people = responsible_for(campaign=campaign, codes=[v.code for v in chunk])
        for village in chunk:
            township = village.parent
            county = township.parent if township else None
            visitors = people.get(village.code, [])
            yield (
                county.name if county else "",
                township.name if township else "",
                village.name,
                village.code,
                "、".join(v.get_full_name() for v in visitors),
                "、".join(v.phone for v in visitors if v.phone),
            )

    for village in villages.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(village)
        if len(chunk) >= EXPORT_CHUNK:
            yield from flush(chunk)
            chunk = []
    if chunk:
        yield from flush(chunk)


# --- a campaign's headline, phases and themes ----------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    visits: int
    households: int
    villages: int
    visited: int

    @property
    def rate(self) -> float | None:
        return self.visited / self.villages if self.villages else None


def campaign_headline(*, campaign: Campaign, user: User, villages: int | None = None) -> Headline:
    """Visits, households reached and coverage in the user's scope, summed from the visitors' tallies (whose
    region is the visit's place); `villages` may pass the scope's count."""
    totals = VisitTally.objects.filter(
        user_scope(user).region_q("region__code"), campaign=campaign
    ).aggregate(
        visits=Coalesce(Sum("visits"), 0),
        households=Coalesce(Sum("households"), 0),
        visited=Count("region", distinct=True, filter=Q(enterprise_id=0)),
    )
    if villages is None:
        villages = regions_visible_to(user).filter(level=Region.Level.VILLAGE).count()
    return Headline(
        visits=totals["visits"],
        households=totals["households"],
        villages=villages,
        visited=totals["visited"],
    )


@dataclass(frozen=True)
class Phase:
    name: str
    starts: date | None
    ends: date | None
    current: bool


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def campaign_phases(campaign: Campaign, *, today: date) -> list[Phase]:
    """The phases as stored ({"name", "starts", "ends"}), the one running `today` marked current."""
    phases: list[Phase] = []
    for raw in campaign.phases if isinstance(campaign.phases, list) else []:
        if not isinstance(raw, dict):
            continue
        starts, ends = _day(raw.get("starts")), _day(raw.get("ends"))
        current = (starts is None or starts <= today) and (ends is None or today <= ends)
        phases.append(Phase(name=str(raw.get("name", "")), starts=starts, ends=ends, current=current))
    return phases


def theme_names(campaigns: Sequence[Campaign]) -> dict[str, str]:
    """The names of the campaigns' theme categories by code, in one query."""
    codes = {str(code) for c in campaigns for code in (c.themes if isinstance(c.themes, list) else [])}
    return dict(Category.objects.filter(code__in=codes).values_list("code", "name"))


# --- the ledger ----------------------------------------------------------------------------------------------


def ledger_visits(user: User, filters: VisitFilters, *, has_problems: bool = False) -> QuerySet[Visit]:
    """The visits in the user's scope that pass the filters; with `has_problems` only those that raised one."""
    visits = visits_filter(visits_visible_to(user), filters)
    if has_problems:
        visits = visits.filter(Exists(VisitProblem.objects.filter(visit=OuterRef("pk"))))
    return visits.select_related("campaign", "region__parent__parent")
