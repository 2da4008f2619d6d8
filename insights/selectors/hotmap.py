"""The hot issues on a map of townships (the leader's dashboard): one point per township (or county) that has a
hot issue in the period, sized by its hottest index, with its issues and their appeal lists.

A point stands where the region table puts the township (geo.Region latitude/longitude). A township without
coordinates is drawn schematically: on a small ring around its county's seat (the approximate seats of the
reference deployment below, else the mean of the county's known points), and the point says it is
approximate. The map needs no tiles: without MAP_TILE_URL it is the points and their names on a plain ground;
with it (e.g. 天地图), the tiles are drawn under them.
"""

import math
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from appeals.models import Appeal
from core.period import Period
from geo.models import Region
from insights.selectors.hot import HotIssue, hot_issues
from org.models import User

# County seats of 黔南州 (522700), rounded to 0.01°: a fallback so a fresh deployment's map is legible.
COUNTY_SEATS: dict[str, tuple[float, float]] = {
    "522701": (26.26, 107.52),  # 都匀市
    "522702": (26.70, 107.52),  # 福泉市
    "522722": (25.41, 107.89),  # 荔波县
    "522723": (26.58, 107.23),  # 贵定县
    "522725": (27.07, 107.47),  # 瓮安县
    "522726": (25.83, 107.54),  # 独山县
    "522727": (25.82, 107.32),  # 平塘县
    "522728": (25.43, 106.75),  # 罗甸县
    "522729": (26.02, 106.45),  # 长顺县
    "522730": (26.45, 106.98),  # 龙里县
    "522731": (26.13, 106.65),  # 惠水县
    "522732": (25.98, 107.87),  # 三都水族自治县
}
PREFECTURE_CENTRE = (26.25, 107.25)
RING = 0.09  # degrees: the schematic ring of a county's townships
LIMIT = 60


@dataclass
class MapPoint:
    code: str
    name: str
    lat: float
    lng: float
    approximate: bool
    index: float = 0.0
    issues: list[dict[str, object]] = field(default_factory=list)


def _seat(county: str, known: list[tuple[float, float]]) -> tuple[float, float]:
    if county in COUNTY_SEATS:
        return COUNTY_SEATS[county]
    if known:
        return (sum(p[0] for p in known) / len(known), sum(p[1] for p in known) / len(known))
    return PREFECTURE_CENTRE


def _coordinate(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def hot_map(*, user: User, period: Period, region: Region | None) -> dict[str, object]:
    """The points, the tile settings and the map's centre, ready for json_script."""
    issues = hot_issues(user=user, period=period, region=region, limit=LIMIT)
    # An issue of a whole county stands at the township most of its appeals come from, saying how many it spans.
    where = dict(
        Appeal.objects.filter(pk__in=[i for issue in issues for i in issue.appeal_ids]).values_list(
            "pk", "region_id"
        )
    )
    by_place: dict[str, list[HotIssue]] = {}
    spans: dict[str, int] = {}
    for issue in issues:
        code = issue.place_code
        if code.endswith("000000"):
            townships = Counter(
                where[i][:9] for i in issue.appeal_ids if i in where and where[i][6:9] != "000"
            )
            if townships:
                code = townships.most_common(1)[0][0].ljust(12, "0")
                spans[issue.key] = len(townships)
        by_place.setdefault(code, []).append(issue)
    regions = {
        r.code: r
        for r in Region.objects.filter(code__in=list(by_place) + [c[:6].ljust(12, "0") for c in by_place])
    }
    siblings: dict[str, list[str]] = {}
    for code in sorted(by_place):
        siblings.setdefault(code[:6], []).append(code)
    points = []
    for code, found in sorted(by_place.items()):
        place = regions.get(code)
        lat = _coordinate(place.latitude) if place else None
        lng = _coordinate(place.longitude) if place else None
        approximate = lat is None or lng is None
        if lat is None or lng is None:
            seat = _seat(code[:6], [])
            ring = siblings[code[:6]]
            if code.endswith("000000"):
                lat, lng = seat
            else:
                angle = 2 * math.pi * ring.index(code) / max(len(ring), 1)
                lat, lng = seat[0] + RING * math.sin(angle), seat[1] + RING * math.cos(angle)
        county = regions.get(code[:6].ljust(12, "0"))
        name = found[0].place_name
        if place is not None and place.level == Region.Level.TOWNSHIP:
            name = (county.name if county else "") + place.name
        points.append(
            MapPoint(
                code=code,
                name=name,
                lat=round(lat, 4),
                lng=round(lng, 4),
                approximate=approximate,
                index=max(i.index for i in found),
                issues=[
                    {
                        "rank": i.rank,
                        "index": i.index,
                        "description": i.description,
                        "appeals": i.appeals,
                        "townships": spans.get(i.key, 1),
                        "url": i.url,
                    }
                    for i in found[:3]
                ],
            )
        )
    centre = (
        (sum(p.lat for p in points) / len(points), sum(p.lng for p in points) / len(points))
        if points
        else PREFECTURE_CENTRE
    )
    return {
        "points": [p.__dict__ for p in points],
        "centre": [round(centre[0], 4), round(centre[1], 4)],
        "zoom": 9 if region is None or region.level <= Region.Level.PREFECTURE else 11,
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "subdomains": settings.MAP_TILE_SUBDOMAINS,
    }
