from django.http import HttpRequest
from ninja import Field as NinjaField
from ninja import Query, Router, Schema

from core.api import Page, responses
from core.pagination import keyset_paginate
from geo.schemas import RegionOut
from geo.selectors import regions_filter
from org.auth import api_user
from org.permissions import access_region, regions_visible_to

router = Router(tags=["regions"])


class RegionFilters(Schema):
    parent: str | None = NinjaField(None, max_length=12, description="only the children of this code")
    level: int | None = NinjaField(None, ge=1, le=5, description="1 province … 5 village/community")
    within: str | None = NinjaField(
        None, pattern=r"^\d{2,12}$", description="only this code prefix's subtree"
    )
    q: str | None = NinjaField(None, max_length=50, description="name contains, or code starts with")
    cursor: str | None = None
    limit: int = NinjaField(100, ge=1, le=200)


@router.get("/regions", response=responses(Page[RegionOut]), summary="Regions in my scope")
def list_regions(request: HttpRequest, filters: Query[RegionFilters]) -> dict[str, object]:
    regions = regions_filter(
        regions_visible_to(api_user(request)),
        parent=filters.parent,
        level=filters.level,
        within=filters.within,
        q=filters.q,
    )
    page = keyset_paginate(regions, order=["code"], cursor=filters.cursor, limit=filters.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/regions/{code}", response=responses(RegionOut, 404), summary="One region")
def get_region(request: HttpRequest, code: str) -> object:
    return access_region(api_user(request), code)
