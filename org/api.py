from axes.exceptions import AxesBackendPermissionDenied
from axes.utils import reset as axes_reset
from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Query, Router, Status

from core.api import Page, responses
from core.errors import DomainError
from core.pagination import keyset_paginate
from geo.schemas import RegionOut
from geo.selectors import regions_filter
from org.auth import api_user
from org.models import Unit
from org.permissions import access_region, access_unit, regions_visible_to, units_visible_to, user_scope
from org.schemas import MeOut, RegionFilters, TokenIn, TokenOut, UnitFilters, UnitOut
from org.selectors import units_filter, user_memberships
from org.services import token_issue_for_login, token_revoke

router = Router(tags=["auth and org"])


class LoginFailed(DomainError):
    status = 401


class LockedOut(DomainError):
    status = 429


@router.post(
    "/auth/token", auth=None, response=responses(TokenOut, 403, 429, status=201), summary="Issue a token"
)
def issue_token(request: HttpRequest, payload: TokenIn) -> Status:
    """Exchange a username and password (and, for an account with two-factor login, the authenticator's
    current code in `otp`) for a bearer token. Repeated failures lock the account for a while."""
    try:
        user = authenticate(request, username=payload.username, password=payload.password)
    except AxesBackendPermissionDenied:
        raise LockedOut("登录失败次数过多，账号已暂时锁定，请稍后再试", code="locked_out") from None
    if getattr(request, "axes_locked_out", False):
        raise LockedOut("登录失败次数过多，账号已暂时锁定，请稍后再试", code="locked_out")
    if user is None:
        raise LoginFailed("用户名或密码错误", code="invalid_credentials")
    # A session login resets the failures through the user_logged_in signal; a token is no session.
    axes_reset(username=payload.username)
    issued = token_issue_for_login(user=user, otp=payload.otp, name=payload.name, request=request)
    return Status(201, {"token": issued.key, "expires_at": issued.token.expires_at})


@router.delete(
    "/auth/token", response=responses(None, 403, 409, status=204), summary="Revoke the token in use"
)
def revoke_token(request: HttpRequest) -> Status:
    token = getattr(request, "api_token", None)
    if token is None:
        raise DomainError("当前请求未使用令牌", code="no_token")
    token_revoke(token=token, actor=api_user(request), request=request)
    return Status(204, None)


@router.get("/me", response=responses(MeOut), summary="Who I am, my roles and my data scope")
def me(request: HttpRequest) -> dict[str, object]:
    user = api_user(request)
    scope = user_scope(user)
    return {
        "id": user.pk,
        "username": user.get_username(),
        "full_name": user.get_full_name(),
        "roles": sorted(scope.roles),
        "memberships": list(user_memberships(user)),
        "scope": {
            "everything": scope.everything,
            "region_prefixes": list(scope.prefixes),
            "unit_ids": sorted(scope.unit_ids),
        },
    }


@router.get("/units", response=responses(Page[UnitOut]), summary="Units in my scope")
def list_units(request: HttpRequest, filters: Query[UnitFilters]) -> dict[str, object]:
    units = units_filter(
        units_visible_to(api_user(request)),
        kind=filters.kind,
        level=filters.level,
        region=filters.region,
        q=filters.q,
    )
    page = keyset_paginate(units, order=["id"], cursor=filters.cursor, limit=filters.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/units/{unit_id}", response=responses(UnitOut, 404), summary="One unit")
def get_unit(request: HttpRequest, unit_id: int) -> Unit:
    return access_unit(api_user(request), unit_id)


@router.get("/regions", response=responses(Page[RegionOut]), summary="Regions in my scope", tags=["regions"])
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


@router.get("/regions/{code}", response=responses(RegionOut, 404), summary="One region", tags=["regions"])
def get_region(request: HttpRequest, code: str) -> object:
    return access_region(api_user(request), code)
