"""The rankings page: a league's table with the 红黑榜, its definitions and weights, its Excel export, and the
weights form for admins."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, pgettext
from django.views.decorators.http import require_POST

from core.errors import InvalidInput
from core.exports import xlsx_response
from core.period import REPORTING_DEFAULT, percent, period_from_request
from core.web import query_string, request_user
from insights.permissions import may_edit_weights
from insights.selectors import DEFINITIONS, LEAGUES, RATE_KEYS, Ranking, RankingRow, failing, rankings
from insights.selectors.counters import counters_refreshed_at
from insights.selectors.metrics import sample_of
from insights.selectors.rankings import INVERSE, MIN_WEIGHT_SHARE, SAMPLE_EXEMPT, THRESHOLDS
from insights.services import score_weights_set
from org.permissions import access_region


def _row_cells(row: RankingRow) -> list[Any]:
    return [
        row.rank or "",
        row.name,
        gettext("Insufficient data") if row.score is None else row.score,
        *[text if why is None else f"{text}（{why}）" for _label, text, why in _cells(row)],
        "、".join(str(DEFINITIONS[key].label) for key in failing(row.counted_rates)),
    ]


@login_required
def ranking_page(request: HttpRequest) -> HttpResponseBase:
    user = request_user(request)
    league = request.GET.get("league") or "county"
    if league not in LEAGUES:
        league = "county"
    period, _preset = period_from_request(request, default=REPORTING_DEFAULT)
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
        "last_day": period.last_day,
        "region": region,
        "labels": labels,
        "rows": [(row, _cells(row)) for row in ranking.rows],
        "thresholds": [
            (DEFINITIONS[k].label, ("≤ " if k in INVERSE else "≥ ") + percent(THRESHOLDS[k]))
            for k in RATE_KEYS
        ],
        "weights": [
            (key, DEFINITIONS[key].label, ranking.weights.get(key, 0), ranking.min_samples.get(key))
            for key in RATE_KEYS
        ],
        "half_share": f"{MIN_WEIGHT_SHARE:.0%}",
        "may_edit_weights": may_edit_weights(user),
        "export_url": query_string({**params, "export": "xlsx"}),
        "as_of": counters_refreshed_at(),
    }
    return render(request, "insights/rankings.html", context)


def _cells(row: RankingRow) -> list[tuple[str, str, str | None]]:
    """Each rate's label and value with, when it is left out of the score, why: too few cases for its minimum
    sample."""
    cells: list[tuple[str, str, str | None]] = []
    for key in RATE_KEYS:
        value = row.rates[key]
        why = None
        if value is not None and key not in row.counted and key not in SAMPLE_EXEMPT:
            why = gettext("Not counted: only %(n)s cases") % {"n": sample_of(key, row.counts)}
        cells.append((str(DEFINITIONS[key].label), percent(value), why))
    return cells


def _export(request: HttpRequest, ranking: Ranking, params: dict[str, Any]) -> FileResponse:
    headers = [
        gettext("Rank"),
        pgettext("ranked member", "Unit"),
        gettext("Composite score"),
        *[str(DEFINITIONS[key].label) for key in RATE_KEYS],
        gettext("Failing indicators"),
    ]
    league = str(LEAGUES[ranking.league])
    return xlsx_response(
        rows=(_row_cells(row) for row in ranking.rows),
        headers=headers,
        filename=f"排名_{league}_{ranking.period.starts:%Y%m%d}-{ranking.period.last_day:%Y%m%d}.xlsx",
        actor=request_user(request),
        what="rankings",
        request=request,
        filters={k: v for k, v in params.items() if v},
    )


def _detail_label(key: str) -> str:
    metric = key.removeprefix("min_samples.")
    if metric not in DEFINITIONS:
        return key
    label = str(DEFINITIONS[metric].label)
    return gettext("%(metric)s minimum sample") % {"metric": label} if metric != key else label


@login_required
@require_POST
def weights_save(request: HttpRequest) -> HttpResponseBase:
    user = request_user(request)
    league = request.POST.get("league", "")
    weights: dict[str, object] = {key: request.POST[key] for key in RATE_KEYS if key in request.POST}
    samples: dict[str, object] = {
        key: request.POST[f"min_sample.{key}"] for key in RATE_KEYS if f"min_sample.{key}" in request.POST
    }
    try:
        score_weights_set(actor=user, league=league, weights=weights, min_samples=samples)
    except InvalidInput as exc:
        details = "；".join(f"{_detail_label(k)}：{v}" for k, v in exc.details.items())
        messages.error(request, f"{exc.message}：{details}")
    else:
        messages.success(request, gettext("The weights are saved; the ranking below uses them."))
    page = reverse("insights:rankings")
    back = request.POST.get("next", "")
    return redirect(back if back.startswith(page) else page)
