"""The rankings page: a league's table with the 红黑榜, its definitions and weights, its Excel export, and the
weights form for admins."""

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from appeals.views.common import query, request_user
from core.errors import Forbidden, InvalidInput, NotFound
from core.exports import xlsx_export
from insights.selectors import DEFINITIONS, LEAGUES, RATE_KEYS, Period, Ranking, failing, rankings
from insights.selectors.metrics import period_between, preset_period
from insights.selectors.rankings import INVERSE, THRESHOLDS
from insights.services import counters_refreshed_at, score_weights_set
from org.models import Role
from org.permissions import access_region, user_scope


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise InvalidInput("日期格式应为YYYY-MM-DD", code="invalid_input", details={"date": raw}) from None


def page_period(request: HttpRequest) -> Period:
    """?from=&to= (the period [from, to)); this month so far by default."""
    default = preset_period("this_month", timezone.localdate())
    starts = _date(request.GET.get("from")) or default.starts
    ends = _date(request.GET.get("to")) or default.ends
    return period_between(starts=starts, ends=ends)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def _row_cells(row: Any) -> list[Any]:
    return [
        row.rank or "",
        row.name,
        "" if row.score is None else row.score,
        *[_percent(row.rates[key]) for key in RATE_KEYS],
        "、".join(str(DEFINITIONS[key].label) for key in failing(row.rates)),
    ]


@login_required
def ranking_page(request: HttpRequest) -> HttpResponseBase:
    user = request_user(request)
    league = request.GET.get("league") or "county"
    if league not in LEAGUES:
        league = "county"
    try:
        period = page_period(request)
    except InvalidInput as exc:
        messages.error(request, exc.message)
        period = preset_period("this_month", timezone.localdate())
    try:
        region = access_region(user, request.GET["region"]) if request.GET.get("region") else None
    except NotFound:
        raise Http404 from None
    ranking = rankings(user=user, league=league, period=period, region=region)
    params = {
        "league": league,
        "from": period.starts.isoformat(),
        "to": period.ends.isoformat(),
        "region": region.code if region else None,
    }
    if request.GET.get("export"):
        return _export(request, ranking, params)
    labels = [(key, DEFINITIONS[key]) for key in RATE_KEYS]
    context = {
        "ranking": ranking,
        "league": league,
        "leagues": [(key, label, query(**{**params, "league": key})) for key, label in LEAGUES.items()],
        "period": period,
        "last_day": period.ends - timedelta(days=1),
        "region": region,
        "labels": labels,
        "rows": [
            (row, [_percent(row.rates[k]) for k in RATE_KEYS], failing(row.rates)) for row in ranking.rows
        ],
        "thresholds": [
            (DEFINITIONS[k].label, ("≤ " if k in INVERSE else "≥ ") + _percent(THRESHOLDS[k]))
            for k in RATE_KEYS
        ],
        "weights": [(key, DEFINITIONS[key].label, ranking.weights.get(key, 0)) for key in RATE_KEYS],
        "may_edit_weights": user_scope(user).holds(Role.ADMIN),
        "export_url": query(**params, export="xlsx"),
        "as_of": counters_refreshed_at(),
    }
    return render(request, "insights/rankings.html", context)


def _export(request: HttpRequest, ranking: Ranking, params: dict[str, Any]) -> FileResponse:
    headers = [
        gettext("Rank"),
        gettext("Name"),
        gettext("Composite score"),
        *[str(DEFINITIONS[key].label) for key in RATE_KEYS],
        gettext("Failing indicators"),
    ]
    league = str(LEAGUES[ranking.league])
    return xlsx_export(
        rows=(_row_cells(row) for row in ranking.rows),
        headers=headers,
        filename=f"排名_{league}_{ranking.period.starts:%Y%m%d}-{ranking.period.ends - timedelta(days=1):%Y%m%d}.xlsx",
        actor=request_user(request),
        what="rankings",
        request=request,
        filters={k: v for k, v in params.items() if v},
    )


@login_required
@require_POST
def weights_save(request: HttpRequest) -> HttpResponseBase:
    user = request_user(request)
    league = request.POST.get("league", "")
    weights: dict[str, object] = {key: request.POST[key] for key in RATE_KEYS if key in request.POST}
    try:
        score_weights_set(actor=user, league=league, weights=weights)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    except InvalidInput as exc:
        details = "；".join(
            f"{DEFINITIONS[k].label if k in DEFINITIONS else k}：{v}" for k, v in exc.details.items()
        )
        messages.error(request, f"{exc.message}：{details}")
    else:
        messages.success(request, gettext("The weights are saved; the ranking below uses them."))
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/insights/rankings/") else "/insights/rankings/")
