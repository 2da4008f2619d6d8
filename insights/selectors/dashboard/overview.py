"""The dashboards (DESIGN §6, §7): a leader's overview of a region and a unit's view, over a period.

Every figure is read from the daily counters of insights.models (sums over day ranges and region-code ranges),
except two questions the counters cannot answer and an index can: the items overdue now (Appeal on its
(status, resolve_due) index, the shown list limited) and a unit's open tasks (UnitTask on its queue index). The
rates come from metrics_summary. Each figure carries the URL of the list behind it, built with the same filters
the list applies, so the number clicked is the number of rows that open.

AppealDay, the breakdown by kind, status and risk colour, is kept per county: for a township (or a scope
narrower than a county) those breakdowns are None rather than wrong.
"""

from collections import defaultdict
from datetime import timedelta
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from appeals.models import (
    AppealKind,
    AppealStatus,
    Category,
    RiskColour,
    TaskStatus,
)
from appeals.permissions import appeals_visible_to
from appeals.selectors import AppealFilters, appeals_filter
from campaigns.models import Campaign, Metric, Target
from campaigns.permissions import campaigns_visible_to
from campaigns.selectors.visits import target_achieved
from core.period import Period
from geo.models import Region, subtree_bounds
from insights.models import (
    AppealDay,
    CategoryDay,
    CategoryMonth,
)
from insights.selectors.counters import counters_refreshed_at
from insights.selectors.dashboard.heat import area_weeks, dispute_groups, heat_rows, region_weeks, unit_weeks
from insights.selectors.dashboard.links import appeals_url, list_days, list_url, visits_url
from insights.selectors.dashboard.overdue import overdue_items, overdue_now
from insights.selectors.dashboard.results import (
    COUNTY_LENGTH,
    TOP_CATEGORIES,
    CampaignLine,
    Figure,
    Overview,
    Rate,
)
from insights.selectors.dashboard.scoped import between, in_territory
from insights.selectors.metrics import (
    DEFINITIONS,
    DISPUTE_COUNTS,
    EVENT_COUNTS,
    RATE_KEYS,
    metrics_summary,
    without_jit,
)
from org.models import Unit, User
from org.permissions import units_visible_to, user_scope

# Who sees the overview and the county views (DESIGN §1); unit staff see the view of their own unit.


def dashboard_root(user: User) -> Region | None:
    """The region a leader's overview opens on: the one subtree of their scope, or the one prefecture of an
    unrestricted user; None when the scope is several subtrees."""
    scope = user_scope(user)
    if scope.everything:
        prefectures = list(Region.objects.filter(level=Region.Level.PREFECTURE).order_by("code")[:2])
        return prefectures[0] if len(prefectures) == 1 else None
    if len(scope.territory) == 1:
        return Region.objects.filter(pk=scope.territory[0].ljust(12, "0")).first()
    return None


def dashboard_overview(*, user: User, period: Period, region: Region | None, unit: Unit | None) -> Overview:
    """The figures of a region (or of the user's whole scope) or of a unit over the period, each with its list.

    The caller obtained `region` and `unit` through access_dashboard. PostgreSQL's JIT is off for these reads:
    it compiled the campaign lines' correlated sums for 28 ms of their 34 ms."""
    with without_jit():
        return _overview(user=user, period=period, region=region, unit=unit)


def _overview(*, user: User, period: Period, region: Region | None, unit: Unit | None) -> Overview:
    now = timezone.now()
    last = period.ends - timedelta(days=1)
    code = region.code if region is not None else None
    running = list(
        campaigns_visible_to(user)
        .filter(starts__lt=period.ends, ends__gte=period.starts)
        .order_by("-starts", "-id")
    )
    campaigns = _campaign_lines(user=user, running=running, region=region, unit=unit)
    if unit is not None:
        summary = metrics_summary(user=user, period=period, unit=unit)
        late = overdue_now(user, now=now, region=None).filter(lead_unit=unit)
        overdue_link = appeals_url(lead_unit=unit.pk, overdue=1)
        return Overview(
            period=period,
            region=None,
            unit=unit,
            level="unit",
            rates=_rates(summary.rates, period=period, region=None, unit=unit, running=running),
            counts=summary.counts,
            appeals=None,
            visits=None,
            by_kind=None,
            by_status=None,
            by_risk=None,
            by_category=None,
            overdue=Figure("overdue", gettext("Overdue (as lead unit)"), late.count(), overdue_link),
            overdue_items=overdue_items(late, now=now),
            heat_level=None,
            heat=[],
            weeks=unit_weeks(unit=unit, period=period),
            campaigns=campaigns,
            queue=_queue(user, unit),
            as_of=counters_refreshed_at(),
        )
    listed = {"region": code, **list_days(period.starts, last)}
    categories = _category_rows(user=user, period=period, region=region)
    total = sum(categories.values())
    breakdowns = _appeal_day_breakdowns(user=user, period=period, region=region, listed=listed)
    late = overdue_now(user, now=now, region=region)
    heat_level = _heat_level(region)
    cells = area_weeks(user=user, period=period, region=region, level=heat_level)
    visits_total = sum(c.visits for c in cells)
    disputes = dispute_groups(user=user, period=period, region=region, level=heat_level)
    # The view's event and dispute counts are the sums of its heat-table groups: not read a second time.
    summed = dict.fromkeys((*EVENT_COUNTS, *DISPUTE_COUNTS), 0)
    for c in cells:
        for key in EVENT_COUNTS:
            summed[key] += c.events[key]
    for group in disputes.values():
        for key in DISPUTE_COUNTS:
            summed[key] += group[key]
    summary = metrics_summary(user=user, period=period, region=region, summed=summed)
    return Overview(
        period=period,
        region=region,
        unit=None,
        level=_level(region),
        rates=_rates(summary.rates, period=period, region=region, unit=None, running=running),
        counts=summary.counts,
        appeals=Figure("appeals", gettext("Appeals registered"), total, appeals_url(**listed)),
        visits=Figure("visits", gettext("Visits"), visits_total, visits_url(**listed)),
        by_kind=breakdowns[0] if breakdowns else None,
        by_status=breakdowns[1] if breakdowns else None,
        by_risk=breakdowns[2] if breakdowns else None,
        by_category=_top_categories(categories, total=total, listed=listed),
        overdue=Figure("overdue", gettext("Overdue now"), late.count(), appeals_url(region=code, overdue=1)),
        overdue_items=overdue_items(late, now=now),
        heat_level=heat_level,
        heat=heat_rows(
            user=user, period=period, region=region, level=heat_level, cells=cells, disputes=disputes
        )
        if heat_level
        else [],
        weeks=region_weeks(period=period, region=region, cells=cells),
        campaigns=campaigns,
        queue=[],
        as_of=counters_refreshed_at(),
    )


def _level(region: Region | None) -> str:
    if region is None or region.level <= Region.Level.PREFECTURE:
        return "prefecture"
    return "county" if region.level == Region.Level.COUNTY else "township"


def _heat_level(region: Region | None) -> str | None:
    if region is None or region.level <= Region.Level.PREFECTURE:
        return "county"
    return "township" if region.level == Region.Level.COUNTY else None


# --- rates --------------------------------------------------------------------------------------------------


def _rates(
    values: dict[str, float | None],
    *,
    period: Period,
    region: Region | None,
    unit: Unit | None,
    running: list[Campaign],
) -> list[Rate]:
    """The rates with the page that explains each: the ranking one level down, the dispute list, the
    campaign's coverage and progress."""
    window = {"from": period.starts.isoformat(), "to": period.ends.isoformat()}
    code = region.code if region is not None else None
    if unit is not None:
        ranking = list_url("insights:rankings", {"league": "department", **window})
    elif region is None or region.level <= Region.Level.PREFECTURE:
        ranking = list_url("insights:rankings", {"league": "county", **window, "region": code})
    else:
        ranking = list_url("insights:rankings", {"league": "township", **window, "region": code})
    campaign = running[0] if running else None
    coverage_region = unit.region_id if unit is not None else code
    urls: dict[str, str | None] = dict.fromkeys(RATE_KEYS, ranking)
    urls["dispute_resolution_rate"] = (
        None
        if unit is not None
        else appeals_url(
            kind=AppealKind.DISPUTE, region=code, **list_days(period.starts, period.ends - timedelta(days=1))
        )
    )
    urls["visit_coverage"] = (
        list_url("campaigns:coverage", {"region": coverage_region}, campaign_id=campaign.pk)
        if campaign
        else None
    )
    urls["target_completion"] = (
        list_url("campaigns:detail", {}, campaign_id=campaign.pk) if campaign else None
    )
    return [
        Rate(
            key=key,
            label=str(DEFINITIONS[key].label),
            definition=str(DEFINITIONS[key].text),
            value=values.get(key),
            url=urls[key],
        )
        for key in RATE_KEYS
    ]


# --- breakdowns of the appeals registered in the period ----------------------------------------------------


def _county_grained(user: User, region: Region | None) -> bool:
    """Whether AppealDay (kept per county) answers for this region, or for the whole scope."""
    if region is not None:
        return region.level <= Region.Level.COUNTY
    scope = user_scope(user)
    return scope.everything or all(len(prefix) <= COUNTY_LENGTH for prefix in scope.territory)


def _appeal_day_breakdowns(
    *, user: User, period: Period, region: Region | None, listed: dict[str, Any]
) -> tuple[list[Figure], list[Figure], list[Figure]] | None:
    """By kind, by current status, and disputes by risk colour: one grouped read of AppealDay."""
    if not _county_grained(user, region):
        return None
    rows = in_territory(between(AppealDay.objects.all(), period), "county", user=user, region=region)
    kinds: dict[str, int] = defaultdict(int)
    statuses: dict[str, int] = defaultdict(int)
    risks: dict[str, int] = defaultdict(int)
    for row in rows.values("kind", "status", "risk_colour").annotate(n=Sum("appeals")).order_by():
        kinds[row["kind"]] += row["n"]
        statuses[row["status"]] += row["n"]
        if row["kind"] == AppealKind.DISPUTE:
            risks[row["risk_colour"]] += row["n"]
    by_kind = [
        Figure(value, str(label), kinds.get(value, 0), appeals_url(**listed, kind=value))
        for value, label in AppealKind.choices
    ]
    by_status = [
        Figure(value, str(label), statuses.get(value, 0), appeals_url(**listed, status=value))
        for value, label in AppealStatus.choices
    ]
    by_risk = [
        Figure(
            value, str(label), risks.get(value, 0), appeals_url(**listed, kind="dispute", risk_colour=value)
        )
        for value, label in RiskColour.choices
    ]
    if risks.get(""):
        # A dispute registered without a colour (an import, an older record).
        by_risk.append(
            Figure(
                "", gettext("No colour"), risks[""], appeals_url(**listed, kind="dispute", risk_colour="none")
            )
        )
    return by_kind, by_status, by_risk


def _category_rows(*, user: User, period: Period, region: Region | None) -> dict[int, int]:
    """Appeals registered in the period by category: the whole months from CategoryMonth, the loose days
    from CategoryDay."""
    first, last = period.whole_months
    loose = CategoryDay.objects.filter(
        Q(day__gte=period.starts, day__lt=first) | Q(day__gte=last, day__lt=period.ends)
    )
    months = CategoryMonth.objects.filter(month__gte=first, month__lt=last)
    counts: dict[int, int] = defaultdict(int)
    for rows in (loose, months):
        in_view = in_territory(rows, "area", user=user, region=region)
        for row in in_view.values("category_id").annotate(n=Sum("appeals")).order_by():
            counts[row["category_id"]] += row["n"]
    return {category: n for category, n in counts.items() if n}


def _top_categories(counts: dict[int, int], *, total: int, listed: dict[str, Any]) -> list[Figure]:
    """The ten commonest categories, then 其他 (the rest, listed as "none of these ten")."""
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_CATEGORIES]
    categories = Category.objects.select_related("parent").in_bulk([pk for pk, _n in top])
    figures = []
    for pk, n in top:
        category = categories[pk]
        label = f"{category.parent.name}·{category.name}" if category.parent else category.name
        figures.append(Figure(category.code, label, n, appeals_url(**listed, category=category.code)))
    rest = total - sum(n for _pk, n in top)
    if rest:
        codes = [categories[pk].code for pk, _n in top]
        figures.append(Figure("other", gettext("Other"), rest, appeals_url(**listed, not_category=codes)))
    return figures


def _campaign_lines(
    *, user: User, running: list[Campaign], region: Region | None, unit: Unit | None
) -> list[CampaignLine]:
    """Per running campaign and metric: the targets of the units in view summed, and their achievement."""
    if not running:
        return []
    targets = Target.objects.filter(campaign__in=running, unit__in=units_visible_to(user))
    if region is not None:
        targets = targets.filter(unit__region__code__range=subtree_bounds(region.prefix))
    if unit is not None:
        targets = targets.filter(unit=unit)
    # One row per target (a few per unit): each target's achievement is a handful of probes of the tallies.
    sums: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in targets.annotate(achieved=target_achieved()).values(
        "campaign_id", "metric", "quantity", "achieved"
    ):
        entry = sums[(row["campaign_id"], row["metric"])]
        entry[0] += row["quantity"]
        entry[1] += row["achieved"]
    labels = dict(Metric.choices)
    coverage_region = unit.region_id if unit is not None else (region.code if region is not None else None)
    lines = []
    for campaign in running:
        for metric in Metric.values:
            if (campaign.pk, metric) not in sums:
                continue
            target, achieved = sums[(campaign.pk, metric)]
            lines.append(
                CampaignLine(
                    campaign_id=campaign.pk,
                    campaign=campaign.name,
                    metric=metric,
                    metric_label=str(labels[metric]),
                    target=target,
                    achieved=achieved,
                    url=list_url("campaigns:detail", {}, campaign_id=campaign.pk),
                    coverage_url=list_url(
                        "campaigns:coverage", {"region": coverage_region}, campaign_id=campaign.pk
                    ),
                )
            )
    return lines


QUEUE_STATES: dict[str, Any] = {
    TaskStatus.ASSIGNED.value: _("To accept"),
    TaskStatus.ACCEPTED.value: _("Working"),
}


def _queue(user: User, unit: Unit) -> list[Figure]:
    """The unit's open tasks by state, counted as the list's unit filter selects them."""
    visible = appeals_visible_to(user)
    return [
        Figure(
            state,
            str(label),
            appeals_filter(visible, AppealFilters(unit=unit.pk, task_status=state)).count(),
            appeals_url(unit=unit.pk, task=state),
        )
        for state, label in QUEUE_STATES.items()
    ]
