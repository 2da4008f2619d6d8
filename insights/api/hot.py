"""The hot issues (热点) of DESIGN §10: clusters of similar appeals by text, ranked by the hotness index."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from core.api import responses
from core.period import period_or_default
from insights.permissions import access_hot_issues
from insights.schemas import HotIssuesOut, PeriodQuery
from insights.selectors.hot import CLUSTERING, HOTNESS_FORMULA, hot_issues
from org.auth import api_user

router = Router(tags=["hot issues"])

LIMIT = 20


@router.get(
    "/hot-issues",
    response=responses(HotIssuesOut, 403, 404),
    by_alias=True,
    summary="Hot issues (热点): clusters of similar appeals in a place and period, hottest first",
)
def get_hot_issues(request: HttpRequest, filters: Query[PeriodQuery]) -> dict[str, Any]:
    """Leaders, supervisors, dispatchers and admins (others 403), over the appeals they may see; 404 alike for a
    region absent or out of scope; 422 for a bad period."""
    user = api_user(request)
    region = access_hot_issues(user=user, region_code=filters.region)
    period = period_or_default(starts=filters.starts, ends=filters.ends)
    issues = hot_issues(user=user, period=period, region=region, limit=LIMIT)
    items = [
        {
            "rank": h.rank,
            "key": h.key,
            "index": h.index,
            "starts": h.period.starts,
            "ends": h.period.ends,
            "place": h.place_name + h.place_words,
            "place_code": h.place_code,
            "description": h.description,
            "phrases": h.phrases,
            "appeals": h.appeals,
            "reporters": h.reporters,
            "growth": h.growth,
            "appeal_ids": h.appeal_ids,
            "url": h.url,
        }
        for h in issues
    ]
    return {"items": items, "hotness_formula": str(HOTNESS_FORMULA), "clustering": str(CLUSTERING)}
