"""The decision report (决策参考, DESIGN §1 and §7): what a party committee or government reads about a period in a
region — the key numbers against the previous period of the same length, the hot issues, the open risks and
recommendations generated from documented rules. It tracks problems, not people: no personal data in it.

Recommendations (each names the number that triggered it):

  R1 metric    a rate past its line in insights.selectors.rankings.THRESHOLDS (a "good" rate below 80 %, the
               reopen or return rate above 10 %) → its remedy, naming the weakest departments past the same line
               (the department league of `rankings`, worst first, at most three)
  R2 hot       a hot issue whose appeals grew more than 1.5 times on the previous period, or that is new this
               period (none before, at least three now) → propose it as 每月一题 (the month's issue)
  R3 red       red-risk disputes still open more than 7 days after registration → escalate them
  R4 overdue   items past their resolve deadline and still being worked on → supervision orders and a notice
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from appeals.models import ACTIVE_STATUSES, Appeal, AppealKind, AppealStatus, RiskColour
from appeals.permissions import appeals_visible_to
from core.period import Period, percent
from geo.models import Region, subtree_bounds
from insights.models import AreaDay, VisitDay
from insights.selectors.counters import counters_refreshed_at
from insights.selectors.hot import HotIssue, hot_issues, previous_period
from insights.selectors.metrics import DEFINITIONS, RATE_KEYS, metrics_summary
from insights.selectors.rankings import INVERSE, THRESHOLDS, failing, rankings
from org.models import User
from org.permissions import user_scope
from portal.selectors import ConsultationSummary, consultations_summary
from text.redact import redact

HOT_GROWTH = 1.5
RED_DAYS = 7
RISKS_LISTED = 20
WEAKEST = 3
OPEN_STATUSES = (AppealStatus.REGISTERED, *ACTIVE_STATUSES)
COLOURS = (RiskColour.RED, RiskColour.ORANGE, RiskColour.YELLOW, RiskColour.BLUE)
# R1: what each metric's shortfall calls for.
REMEDIES = {
    "on_time_acceptance_rate": "督促相关单位落实签收时限，交办事项当日签收",
    "on_time_resolution_rate": "对办理滞后的单位逐件督办，必要时约谈单位负责人",
    "solved_rate": "对回访未解决的事项开展“回头看”，推动问题实质解决",
    "satisfaction_rate": "对回访不满意的事项组织重办，提高答复质量",
    "reopen_rate": "把好办结质量关，减少重办",
    "return_rate": "完善分类交办和路由规则，减少错派退回",
    "dispute_resolution_rate": "加大矛盾纠纷排查化解力度，落实包案化解责任",
    "visit_coverage": "对尚未走访的村（社区）安排补访，做到应访尽访",
    "target_completion": "督促进度滞后的单位加快走访进度，确保完成目标任务",
}


@dataclass(frozen=True)
class KeyNumber:
    key: str
    label: str
    definition: str
    is_rate: bool
    value: float | int | None
    previous: float | int | None
    change: (
        float | int | None
    )  # value − previous: percentage points for a rate (as a fraction), a count otherwise


@dataclass(frozen=True)
class RiskItem:
    code: str
    title: str
    colour: str
    place_name: str
    registered_on: date
    days_open: int


@dataclass(frozen=True)
class Recommendation:
    rule: str  # metric | hot | red | overdue
    text: str
    trigger: str  # the number behind it, in words


@dataclass(frozen=True)
class DecisionReport:
    period: Period
    previous: Period
    region: Region | None
    place_name: str
    key_numbers: list[KeyNumber]
    hot: list[HotIssue]
    open_disputes: dict[str, int]  # risk colour → disputes still open
    risks: list[RiskItem]  # red and orange disputes still open, longest open first
    red_stale: int  # red disputes open more than RED_DAYS days
    overdue: int
    recommendations: list[Recommendation]
    as_of: datetime | None  # when the counters behind the key numbers last caught up
    generated_at: datetime
    # 征集: what the masses proposed in the period and what was adopted (portal.selectors.consultations_summary).
    masses: list[ConsultationSummary] = field(default_factory=list)


def place_name(user: User, region: Region | None) -> str:
    """The region's name, or the user's whole scope in words."""
    if region is not None:
        return region.name
    scope = user_scope(user)
    if scope.everything:
        return "全辖区"
    names = Region.objects.filter(code__in=[p.ljust(12, "0") for p in scope.prefixes]).order_by("code")
    return "、".join(names.values_list("name", flat=True)) or "全辖区"


def shown(number: KeyNumber, value: float | int | None) -> str:
    """A key number as the report prints it: a rate in per cent, a count as it is."""
    if value is None:
        return "—"
    return percent(float(value)) if number.is_rate else str(value)


def change_words(number: KeyNumber) -> str:
    """The change on the previous period: percentage points for a rate, the difference (and ratio) for a count."""
    if number.change is None:
        return "—"
    if number.is_rate:
        return f"{number.change * 100:+.1f}个百分点"
    if number.previous:
        return f"{number.change:+d}（{number.change / number.previous * 100:+.1f}%）"
    return f"{number.change:+d}"


# --- key numbers --------------------------------------------------------------------------------------------


def _volumes(*, user: User, period: Period, region: Region | None) -> dict[str, int]:
    """Appeals registered and visits started in the period, from the daily counters."""
    scope = user_scope(user)
    days = {"day__gte": period.starts, "day__lt": period.ends}
    events = AreaDay.objects.filter(scope.territory_q("area"), **days)
    visits = VisitDay.objects.filter(scope.region_q("area"), **days)
    if region is not None:
        bounds = subtree_bounds(region.prefix)
        events, visits = events.filter(area__range=bounds), visits.filter(area__range=bounds)
    return {
        "appeals_registered": events.aggregate(n=Coalesce(Sum("registered"), 0))["n"],
        "visits": visits.aggregate(n=Coalesce(Sum("visits"), 0))["n"],
    }


VOLUME_LABELS = {
    "appeals_registered": ("登记诉求", "统计期内登记的诉求件数（含就地化解）。"),
    "visits": ("走访次数", "统计期内开始的走访次数（含走访企业）。"),
}


def key_numbers(*, user: User, period: Period, region: Region | None) -> list[KeyNumber]:
    """The volumes and the rates of DESIGN §6, each with its value in the previous period of the same length."""
    before = previous_period(period)
    now_volumes = _volumes(user=user, period=period, region=region)
    then_volumes = _volumes(user=user, period=before, region=region)
    now_rates = metrics_summary(user=user, period=period, region=region).rates
    then_rates = metrics_summary(user=user, period=before, region=region).rates
    numbers = []
    for key, (label, text) in VOLUME_LABELS.items():
        value, previous = now_volumes[key], then_volumes[key]
        numbers.append(KeyNumber(key, label, text, False, value, previous, value - previous))
    for key in RATE_KEYS:
        rate, earlier = now_rates[key], then_rates[key]
        change = rate - earlier if rate is not None and earlier is not None else None
        d = DEFINITIONS[key]
        numbers.append(KeyNumber(key, str(d.label), str(d.text), True, rate, earlier, change))
    return numbers


# --- risks --------------------------------------------------------------------------------------------------


def _open_disputes(*, user: User, period: Period, region: Region | None) -> QuerySet[Appeal]:
    visible = appeals_visible_to(user, within=region.prefix if region is not None else None)
    return visible.filter(kind=AppealKind.DISPUTE, status__in=OPEN_STATUSES, created_at__lt=period.end_at)


def risks(
    *, user: User, period: Period, region: Region | None, now: datetime
) -> tuple[dict[str, int], list[RiskItem], int]:
    """Disputes registered by the end of the period and still open now: counts by colour, the red and orange
    ones longest open first, and how many red ones have been open more than RED_DAYS days."""
    disputes = _open_disputes(user=user, period=period, region=region)
    counts = dict(
        disputes.values_list("risk_colour").annotate(n=Count("pk")).order_by().values_list("risk_colour", "n")
    )
    by_colour = {colour.value: counts.get(colour.value, 0) for colour in COLOURS}
    stale = disputes.filter(risk_colour=RiskColour.RED, created_at__lt=now - timedelta(days=RED_DAYS)).count()
    rows = (
        disputes.filter(risk_colour__in=[RiskColour.RED, RiskColour.ORANGE])
        .select_related("region", "region__parent")
        .order_by("created_at", "id")[:RISKS_LISTED]
    )
    items = []
    for appeal in rows:
        place = appeal.region
        township = place.parent if place.level == Region.Level.VILLAGE and place.parent else place
        items.append(
            RiskItem(
                code=appeal.code,
                title=redact(appeal.title),
                colour=appeal.risk_colour,
                place_name=township.name if township is place else f"{township.name}{place.name}",
                registered_on=timezone.localdate(appeal.created_at),
                days_open=(now - appeal.created_at).days,
            )
        )
    return by_colour, items, stale


def overdue_count(*, user: User, region: Region | None, now: datetime) -> int:
    """Items being worked on past their resolve deadline (the index appeal_open_due answers it)."""
    visible = appeals_visible_to(user, within=region.prefix if region is not None else None)
    return visible.filter(status__in=ACTIVE_STATUSES, resolve_due__lt=now).count()


# --- recommendations ----------------------------------------------------------------------------------------


def _metric_recommendations(
    *, user: User, period: Period, region: Region | None, numbers: list[KeyNumber]
) -> list[Recommendation]:
    rates = {n.key: n.value for n in numbers if n.is_rate}
    failed = failing(rates)
    if not failed:
        return []
    departments = rankings(user=user, league="department", period=period, region=region).rows
    result = []
    labels = {n.key: n.label for n in numbers}
    for key in failed:
        value, line = rates[key], THRESHOLDS[key]
        assert value is not None
        worse = "高于" if key in INVERSE else "低于"
        weak = [r for r in departments if key in failing(r.counted_rates)]
        weak.sort(key=lambda r: -(r.rates[key] or 0) if key in INVERSE else (r.rates[key] or 0))
        names = "、".join(r.name for r in weak[:WEAKEST])
        text = f"{labels[key]}为{percent(value)}，{worse}{percent(line)}的工作要求。建议{REMEDIES[key]}"
        text += f"，重点督促{names}。" if names else "。"
        trigger = f"{labels[key]} {percent(value)}（{worse}{percent(line)}）"
        if names:
            trigger += "；未达标单位：" + "、".join(
                f"{r.name} {percent(r.rates[key])}" for r in weak[:WEAKEST]
            )
        result.append(Recommendation(rule="metric", text=text, trigger=trigger))
    return result


def _hot_recommendations(hot: list[HotIssue]) -> list[Recommendation]:
    result = []
    for issue in hot:
        if issue.growth is not None and issue.growth <= HOT_GROWTH:
            continue
        lead = issue.titles[0] if issue.titles else issue.category_name
        text = (
            f"建议将{issue.place_name}“{lead}”等{issue.appeals}件诉求反映的问题列为“每月一题”，"
            "由牵头部门集中研究、源头治理。"
        )
        if issue.growth is None:
            trigger = f"热点第{issue.rank}名：本期{issue.appeals}件，上期0件，为新出现的热点"
        else:
            trigger = (
                f"热点第{issue.rank}名：本期{issue.appeals}件，上期{issue.previous}件，"
                f"为上期的{issue.growth:.1f}倍（超过{HOT_GROWTH}倍）"
            )
        result.append(Recommendation(rule="hot", text=text, trigger=trigger))
    return result


def recommendations(
    *,
    user: User,
    period: Period,
    region: Region | None,
    numbers: list[KeyNumber],
    hot: list[HotIssue],
    red_stale: int,
    overdue: int,
) -> list[Recommendation]:
    """The rules R1–R4 of the module docstring, in that order."""
    result = _metric_recommendations(user=user, period=period, region=region, numbers=numbers)
    result += _hot_recommendations(hot)
    if red_stale:
        result.append(
            Recommendation(
                rule="red",
                text=f"红色风险矛盾纠纷{red_stale}件登记已超过{RED_DAYS}天仍未化解，建议提级督办，"
                "由上一级政法委牵头会商，落实包案领导和稳控措施。",
                trigger=f"红色风险矛盾纠纷未化解超过{RED_DAYS}天：{red_stale}件",
            )
        )
    if overdue:
        result.append(
            Recommendation(
                rule="overdue",
                text=f"当前有{overdue}件事项超过办结时限仍未办结，建议逐件发出督办单，"
                "逾期仍未办结的纳入通报。",
                trigger=f"超期未办结事项：{overdue}件",
            )
        )
    return result


def decision_report(*, user: User, period: Period, region: Region | None = None) -> DecisionReport:
    """The report over what the user may see in `region` (obtained through access_region) for the period."""
    now = timezone.now()
    numbers = key_numbers(user=user, period=period, region=region)
    hot = hot_issues(user=user, period=period, region=region, limit=10)
    by_colour, items, red_stale = risks(user=user, period=period, region=region, now=now)
    overdue = overdue_count(user=user, region=region, now=now)
    advice = recommendations(
        user=user,
        period=period,
        region=region,
        numbers=numbers,
        hot=hot,
        red_stale=red_stale,
        overdue=overdue,
    )
    return DecisionReport(
        period=period,
        previous=previous_period(period),
        region=region,
        place_name=place_name(user, region),
        key_numbers=numbers,
        hot=hot,
        open_disputes=by_colour,
        risks=items,
        red_stale=red_stale,
        overdue=overdue,
        recommendations=advice,
        as_of=counters_refreshed_at(),
        generated_at=now,
        masses=consultations_summary(
            start=period.start_at, end=period.end_at, region_prefix=region.code.rstrip("0") if region else ""
        ),
    )


__all__ = [
    "HOT_GROWTH",
    "RED_DAYS",
    "DecisionReport",
    "KeyNumber",
    "Recommendation",
    "RiskItem",
    "change_words",
    "decision_report",
    "place_name",
    "shown",
]
