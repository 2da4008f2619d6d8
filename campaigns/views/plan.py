"""The campaign pages: the list, one campaign with its progress, its plan (targets and 包保) and its coverage."""

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, Enterprise, Metric, Responsibility
from campaigns.permissions import (
    PLAN_ROLES,
    access_campaign,
    campaigns_visible_to,
    may_plan,
    may_see_plan,
    plans_at,
)
from campaigns.selectors import campaign_progress
from campaigns.selectors.coverage import (
    COVERAGE_DEFINITION,
    Coverage,
    area_access,
    area_children,
    area_trail,
    campaign_coverage,
    campaign_headline,
    campaign_phases,
    coverage_rows_all,
    responsible_for,
    theme_names,
    unvisited_export_rows,
    unvisited_villages,
    villages_in_scope,
)
from campaigns.selectors.visits import TARGET_ORDER, UnitProgress, targets_achieved, unit_progress
from campaigns.services.plan import (
    responsibilities_assign_township,
    responsibility_assign,
    responsibility_remove,
    target_set,
    visitor_candidates,
)
from core.errors import DomainError, Forbidden, InvalidInput, NotFound
from core.exports import xlsx_response
from core.pagination import KeysetPage
from core.web import keyset_page, query_string, request_user
from geo.models import Region, subtree_bounds
from org.models import Unit, User
from org.permissions import regions_visible_to, user_scope


def bar_percent(value: float | None) -> float | None:
    """A rate as the progress bars take it: per cent, one decimal."""
    return None if value is None else round(value * 100, 1)


# --- list and detail --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignCard:
    campaign: Campaign
    phase: str
    themes: list[str]
    visits: int
    households: int
    villages: int
    visited: int
    rate: float | None


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    """The running campaigns: period, current phase, themes, and the figures of the user's scope."""
    user = request_user(request)
    today = timezone.localdate()
    campaigns = list(campaigns_visible_to(user))
    names = theme_names(campaigns)
    villages = regions_visible_to(user).filter(level=Region.Level.VILLAGE).count()
    cards = []
    for campaign in campaigns:
        headline = campaign_headline(campaign=campaign, user=user, villages=villages)
        current = next((p.name for p in campaign_phases(campaign, today=today) if p.current), "")
        cards.append(
            CampaignCard(
                campaign=campaign,
                phase=current,
                themes=[names.get(str(code), str(code)) for code in campaign.themes or []],
                visits=headline.visits,
                households=headline.households,
                villages=headline.villages,
                visited=headline.visited,
                rate=bar_percent(headline.rate),
            )
        )
    return render(request, "campaigns/list.html", {"cards": cards})


@dataclass(frozen=True)
class TargetRow:
    unit_id: int
    unit_name: str
    metric: str
    metric_label: str
    target: int
    achieved: int
    rate: float | None  # percent, may pass 100
    bar: float  # percent, capped at 100 for the bar


def _target_row(u: UnitProgress, labels: dict[str, Any]) -> TargetRow:
    return TargetRow(
        unit_id=u.unit_id,
        unit_name=u.unit_name,
        metric=u.metric,
        metric_label=str(labels.get(u.metric, u.metric)),
        target=u.target,
        achieved=u.achieved,
        rate=bar_percent(u.achieved / u.target) if u.target else None,
        bar=min(100.0, bar_percent(u.achieved / u.target) or 0.0) if u.target else 0.0,
    )


def target_rows(user: User, campaign: Campaign) -> tuple[Any, list[TargetRow]]:
    progress = campaign_progress(campaign=campaign, user=user)
    labels = dict(Metric.choices)
    return progress, [_target_row(u, labels) for u in progress.units]


@login_required
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """One campaign: phases, themes, the scope's figures and each unit's targets against what it achieved."""
    user = request_user(request)
    campaign = access_campaign(user, campaign_id)
    progress, rows = target_rows(user, campaign)
    headline = campaign_headline(campaign=campaign, user=user)
    context = {
        "campaign": campaign,
        "phases": campaign_phases(campaign, today=timezone.localdate()),
        "themes": [theme_names([campaign]).get(str(c), str(c)) for c in campaign.themes or []],
        "progress": progress,
        "headline": headline,
        "coverage_rate": bar_percent(headline.rate),
        "rows": rows,
        "may_open_plan": may_see_plan(user),
    }
    return render(request, "campaigns/detail.html", context)


# --- plan -------------------------------------------------------------------------------------------------


def _int(data: QueryDict, name: str, reason: str) -> int:
    try:
        return int(data.get(name, ""))
    except ValueError:
        raise InvalidInput(reason, code="invalid_input", details={name: reason}) from None


def _perform(user: User, campaign: Campaign, data: QueryDict) -> str:
    """One planning action from the page's forms; the message to show when it is done."""
    action = data.get("action", "")
    if action == "target":
        quantity = _int(data, "quantity", "请填写目标数量（整数）")
        unit_id = _int(data, "unit", "请选择单位")
        target = target_set(
            actor=user,
            campaign=campaign,
            unit_id=unit_id,
            metric=data.get("metric", ""),
            quantity=quantity,
        )
        return gettext("Target saved.") if target else gettext("Target cleared.")
    if action == "assign":
        visitor_id = _int(data, "visitor", "请选择走访干部")
        enterprise = data.get("enterprise", "")
        responsibility_assign(
            actor=user,
            campaign=campaign,
            visitor_id=visitor_id,
            place_code=data.get("place_code", "").strip(),
            enterprise_id=_int(data, "enterprise", "请选择企业") if enterprise else None,
        )
        return gettext("Responsibility assigned.")
    if action == "assign_township":
        visitor_id = _int(data, "visitor", "请选择走访干部")
        result = responsibilities_assign_township(
            actor=user, campaign=campaign, visitor_id=visitor_id, township_code=data.get("township", "")
        )
        return gettext("%(created)s villages assigned to %(visitor)s in %(township)s.") % {
            "created": result.created,
            "visitor": result.visitor.get_full_name(),
            "township": result.township.name,
        }
    if action == "remove":
        responsibility_remove(
            actor=user,
            campaign=campaign,
            responsibility_id=_int(data, "responsibility", "包保关系不存在"),
        )
        return gettext("Responsibility removed.")
    raise InvalidInput("未知操作", code="invalid_input", details={"action": "未知操作"})


@dataclass(frozen=True)
class PlacePlan:
    code: str
    name: str
    responsibilities: list[Responsibility]
    enterprise: Enterprise | None = None


def _held(campaign: Campaign, **place: Any) -> dict[Any, list[Responsibility]]:
    """The responsibilities of a page of places, by village code or enterprise id, in one query."""
    held: dict[Any, list[Responsibility]] = {}
    rows = (
        Responsibility.objects.filter(campaign=campaign, **place)
        .select_related("visitor")
        .order_by("visitor__full_name", "id")
    )
    for r in rows:
        held.setdefault(r.region_id if "region__in" in place else r.enterprise_id, []).append(r)
    return held


def _village_plans(request: HttpRequest, user: User, campaign: Campaign, area: Region) -> KeysetPage[Any]:
    """One keyset page of the township's villages (by code), each with who answers for it."""
    page = keyset_page(request, villages_in_scope(user, area), ("code",), param="places")
    held = _held(campaign, region__in=[v.code for v in page.items])
    plans = [PlacePlan(code=v.code, name=v.name, responsibilities=held.get(v.code, [])) for v in page.items]
    return KeysetPage(items=plans, next_cursor=page.next_cursor)


ENTERPRISE_ORDER = ("region_id", "name", "id")


def _enterprise_plans(request: HttpRequest, user: User, campaign: Campaign, area: Region) -> KeysetPage[Any]:
    """One keyset page of the area's active enterprises (by place, name), served by the index enterprise_place."""
    enterprises = Enterprise.objects.filter(
        user_scope(user).region_q("region__code"),
        region__code__range=subtree_bounds(area.prefix),
        is_active=True,
    ).select_related("region")
    page = keyset_page(request, enterprises, ENTERPRISE_ORDER, param="enterprises")
    held = _held(campaign, enterprise__in=[e.pk for e in page.items])
    plans = [
        PlacePlan(code=e.region_id, name=e.name, responsibilities=held.get(e.pk, []), enterprise=e)
        for e in page.items
    ]
    return KeysetPage(items=plans, next_cursor=page.next_cursor)


def _pager(request: HttpRequest, param: str, next_cursor: str | None, anchor: str) -> dict[str, str | None]:
    """The next and first links of one list on a page of several: the other lists stay where they are."""
    kept = {k: v for k, v in request.GET.items() if k != param}
    return {
        "next_url": query_string(kept, **{param: next_cursor}) + anchor if next_cursor else None,
        "first_url": query_string(kept) + anchor if request.GET.get(param) else None,
    }


def _area_rows(request: HttpRequest, user: User, campaign: Campaign, area: Region) -> Coverage:
    """Coverage of the area with one keyset page of its areas (`?areas=`); a damaged cursor: the first page."""
    try:
        return campaign_coverage(campaign=campaign, user=user, region=area, cursor=request.GET.get("areas"))
    except InvalidInput as exc:
        messages.error(request, exc.message)
        return campaign_coverage(campaign=campaign, user=user, region=area)


def _plan_units(user: User) -> list[Unit]:
    """The active units whose targets the user may set."""
    scope = user_scope(user)
    units = Unit.objects.filter(is_active=True)
    if not scope.everything:
        prefixes = {g.prefix for g in scope.grants if g.role in PLAN_ROLES}
        units = units.filter(
            reduce(or_, (Q(region__code__range=subtree_bounds(p)) for p in prefixes), Q(pk__in=[]))
        )
    return list(units.order_by("region_id", "kind", "name"))


def _plan_context(request: HttpRequest, user: User, campaign: Campaign, area: Region) -> dict[str, Any]:
    editable = may_plan(user)
    labels = dict(Metric.choices)
    targets = keyset_page(
        request, targets_achieved(campaign=campaign, user=user), TARGET_ORDER, param="targets"
    )
    coverage = _area_rows(request, user, campaign, area)
    villages = _village_plans(request, user, campaign, area) if coverage.by_village else None
    enterprises = _enterprise_plans(request, user, campaign, area)
    context: dict[str, Any] = {
        "campaign": campaign,
        "area": area,
        "trail": area_trail(user, area),
        "coverage": coverage,
        "rows": [_target_row(unit_progress(t), labels) for t in targets.items],
        "targets_pager": _pager(request, "targets", targets.next_cursor, "#targets"),
        "areas_pager": _pager(request, "areas", coverage.next_cursor, "#responsibilities"),
        "editable": editable,
        "plans_here": editable and plans_at(user, area.code),
        "metrics": Metric.choices,
        "villages": villages.items if villages else [],
        "villages_pager": _pager(
            request, "places", villages.next_cursor if villages else None, "#responsibilities"
        ),
        "enterprises": enterprises.items,
        "enterprises_pager": _pager(request, "enterprises", enterprises.next_cursor, "#enterprises"),
        "region_param": request.GET.get("region", ""),
    }
    if editable:
        context["units"] = _plan_units(user)
        context["visitors"] = list(visitor_candidates(user))
        context["townships"] = (
            [area]
            if area.level == Region.Level.TOWNSHIP
            else list(
                Region.objects.filter(
                    code__range=subtree_bounds(area.prefix), level=Region.Level.TOWNSHIP
                ).order_by("code")
            )
        )
        context["townships"] = [t for t in context["townships"] if plans_at(user, t.code)]
    return context


@login_required
def campaign_plan(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """走访计划: targets per unit and metric, and who answers for which village or enterprise (包保)."""
    user = request_user(request)
    if not may_see_plan(user):
        raise Forbidden("无权查看走访计划")
    campaign = access_campaign(user, campaign_id)
    area = area_access(user, request.GET.get("region") or request.POST.get("region") or None)
    if request.method == "POST":
        try:
            done = _perform(user, campaign, request.POST)
        except (NotFound, Forbidden):
            raise  # the middleware answers 404 / 403
        except InvalidInput as exc:
            context = _plan_context(request, user, campaign, area)
            context["errors"] = [exc.message, *_detail_messages(exc)]
            return render(request, "campaigns/plan.html", context, status=422)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done)
        url = reverse("campaigns:plan", kwargs={"campaign_id": campaign.pk})
        return redirect(url + query_string(region=request.POST.get("region") or None))
    return render(request, "campaigns/plan.html", _plan_context(request, user, campaign, area))


def _detail_messages(exc: InvalidInput) -> list[str]:
    details = exc.details if isinstance(exc.details, dict) else {}
    return [str(reason) for reason in details.values() if str(reason) != exc.message]


# --- coverage ---------------------------------------------------------------------------------------------

COVERAGE_HEADERS = [
    _("Area"),
    _("Code"),
    _("Villages and communities"),
    _("Visited"),
    _("Not yet visited"),
    _("Coverage (%)"),
    _("Without a responsible visitor"),
    _("Visits"),
]
UNVISITED_HEADERS = [
    _("County"),
    _("Township"),
    _("Village or community"),
    _("Code"),
    _("Responsible visitors"),
    _("Phones"),
]


def _coverage_export(request: HttpRequest, user: User, campaign: Campaign, area: Region) -> HttpResponseBase:
    kind = request.GET.get("export")
    filters = {"campaign": campaign.pk, "region": area.code}
    if kind == "coverage":
        rows = (
            (
                r.region.name,
                r.region.code,
                r.villages,
                r.visited,
                r.unvisited,
                bar_percent(r.rate),
                r.unassigned,
                r.visits,
            )
            for r in coverage_rows_all(campaign=campaign, user=user, region=area)
        )
        return xlsx_response(
            rows=rows,
            headers=[str(h) for h in COVERAGE_HEADERS],
            filename=f"{campaign.name}-{area.name}-走访覆盖率.xlsx",
            sheet="走访覆盖率",
            actor=user,
            request=request,
            what="campaign_coverage",
            filters=filters,
            widths=(24, 14, 10, 10, 10, 10, 12, 10),
        )
    if kind == "unvisited":
        return xlsx_response(
            rows=unvisited_export_rows(campaign=campaign, user=user, region=area),
            headers=[str(h) for h in UNVISITED_HEADERS],
            filename=f"{campaign.name}-{area.name}-未走访村（社区）.xlsx",
            sheet="未走访村（社区）",
            actor=user,
            request=request,
            what="unvisited_villages",
            filters=filters,
            widths=(14, 18, 24, 14, 24, 28),
        )
    raise NotFound("没有这种导出", code="unknown_export")


@dataclass(frozen=True)
class UnvisitedRow:
    village: Region
    visitors: list[User]


@login_required
def coverage(request: HttpRequest, campaign_id: int) -> HttpResponseBase:
    """走访覆盖率 by area, drilled down with ?region=, and the villages nobody has visited yet."""
    user = request_user(request)
    campaign = access_campaign(user, campaign_id)
    area = area_access(user, request.GET.get("region") or None)
    if request.GET.get("export"):
        return _coverage_export(request, user, campaign, area)
    result = _area_rows(request, user, campaign, area)
    page = keyset_page(request, unvisited_villages(campaign=campaign, user=user, region=area), ("code",))
    people = responsible_for(campaign=campaign, codes=[v.code for v in page.items])
    region_param = area.code if request.GET.get("region") else None
    context = {
        "campaign": campaign,
        "area": area,
        "trail": area_trail(user, area),
        "children": area_children(user, area) if area.level < Region.Level.TOWNSHIP else [],
        "coverage": result,
        "definition": COVERAGE_DEFINITION,
        "rate": bar_percent(result.rate),
        "rows": [(row, bar_percent(row.rate)) for row in result.rows],
        "unvisited": [UnvisitedRow(village=v, visitors=people.get(v.code, [])) for v in page.items],
        **_pager(request, "cursor", page.next_cursor, "#unvisited"),
        "areas_pager": _pager(request, "areas", result.next_cursor, "#coverage"),
        "export_coverage": query_string(region=region_param, export="coverage"),
        "export_unvisited": query_string(region=region_param, export="unvisited"),
        "may_open_plan": may_see_plan(user),
    }
    return render(request, "campaigns/coverage.html", context)
