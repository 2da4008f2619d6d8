"""The rankings page: a league's table with the 红黑榜, its definitions and weights, its Excel export, and the
weights form for admins."""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from core.errors import InvalidInput
from core.exports import xlsx_response
from core.period import percent, period_from_request
from core.web import query_string, request_user
from insights.permissions import may_edit_weights
from insights.selectors import DEFINITIONS, LEAGUES, RATE_KEYS, Ranking, failing, rankings
from insights.selectors.counters import counters_refreshed_at
from insights.selectors.rankings import INVERSE, THRESHOLDS
from insights.services import score_weights_set
from org.permissions import access_region


def _row_cells(row: Any) -> list[Any]:
    return [
        row.rank or "",
        row.name,
        "" if row.score is None else row.score,
        *[percent(row.rates[key]) for key in RATE_KEYS],
        "、".join(str(DEFINITIONS[key].label) for key in failing(row.rates)),
    ]


@login_required
def ranking_page(request: HttpRequest) -> HttpResponseBase:
    user = request_user(request)
    league = request.GET.get("league") or "county"
    if league not in LEAGUES:
        league = "county"
    period, _preset = period_from_request(request)
    region = access_region(user, request.GET["region"]) if request.GET.get("region") else None
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
        "leagues": [(key, label, query_string({**params, "league": key})) for key, label in LEAGUES.items()],
        "period": period,
        "last_day": period.ends - timedelta(days=1),
        "region": region,
        "labels": labels,
        "rows": [
            (row, [percent(row.rates[k]) for k in RATE_KEYS], failing(row.rates)) for row in ranking.rows
        ],
        "thresholds": [
            (DEFINITIONS[k].label, ("≤ " if k in INVERSE else "≥ ") + percent(THRESHOLDS[k]))
            for k in RATE_KEYS
        ],
        "weights": [(key, DEFINITIONS[key].label, ranking.weights.get(key, 0)) for key in RATE_KEYS],
        "may_edit_weights": may_edit_weights(user),
        "export_url": query_string({**params, "export": "xlsx"}),
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
    return xlsx_response(
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
    except InvalidInput as exc:
        details = "；".join(
            f"{DEFINITIONS[k].label if k in DEFINITIONS else k}：{v}" for k, v in exc.details.items()
        )
        messages.error(request, f"{exc.message}：{details}")
    else:
        messages.success(request, gettext("The weights are saved; the ranking below uses them."))
    page = reverse("insights:rankings")
    back = request.POST.get("next", "")
    return redirect(back if back.startswith(page) else page)
