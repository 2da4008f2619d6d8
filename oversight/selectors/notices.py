"""Reads for notices (通报): the list, and the generated content of a draft.

A notice is a Chinese official document whatever the reader's UI language, so its content is written in
Chinese when it is generated (metric names from their zh-Hans translations) and then frozen in the row: the
sections a supervisor edits, and the tables exactly as the metrics gave them on the day of drafting.

The content JSON:

    {"addressee": "各县（市）…：", "league": "county", "as_of": "<ISO time>",
     "definitions": [{"metric", "label", "text"}],
     "sections": [{"key", "heading", "text", "tables": [{"caption", "headers", "rows"}], "items": [...]}]}

`text` holds the section's paragraphs separated by newlines (editable while a draft); `tables` are what the page
and the Word file print; `items` keep the numbers behind them for API clients.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation

from appeals.models import ACTIVE_STATUSES, Appeal
from appeals.permissions import appeals_visible_to
from core.officedoc import document_date
from core.period import Period, percent, period_text
from geo.models import Region, subtree_bounds
from insights.selectors.hot import hot_issues
from insights.selectors.metrics import DEFINITIONS, RATE_COUNTS, RATE_KEYS, MetricsSummary, metrics_summary
from insights.selectors.rankings import (
    INVERSE,
    THRESHOLDS,
    Ranking,
    RankingRow,
    boards,
    failing,
    ranked_with_ties,
    rankings,
)
from org.models import Unit, User
from oversight.models import Notice
from oversight.selectors.ledgers import practices_for
from text.redact import redact

NOTICE_ORDER = ("-created_at", "-id")
SECTION_KEYS = ("overview", "ranking", "problems", "overdue", "hot", "practices", "requirements")
HEADINGS = {
    "overview": "总体情况",
    "ranking": "排名情况",
    "problems": "存在问题",
    "overdue": "超期事项",
    "hot": "热点问题",
    "practices": "经验做法",
    "requirements": "工作要求",
}
MAX_OVERDUE = 20
MAX_HOT = 5
MAX_PRACTICES = 10
INSUFFICIENT = "数据不足"
# The rates a ranking table prints beside the composite score.
RANKING_COLUMNS = (
    "on_time_acceptance_rate",
    "on_time_resolution_rate",
    "solved_rate",
    "satisfaction_rate",
    "visit_coverage",
)
DEFAULT_NUMBER_PREFIX = "黔南走访办通"
REQUIREMENTS = (
    "各地各部门要对照本通报指出的问题，逐项建立整改台账，明确责任人和整改时限，于通报印发之日起15日内将整改情况"
    "书面报送大走访工作领导小组办公室。",
    "一要坚持马上就办，对超期未办结事项逐件销号，确需延期的依规申请，杜绝“只签收不办理”。",
    "二要提高办理质量，回访不满意的事项要重新办理，不得以“已答复”代替“已解决”。",
    "三要扩大走访覆盖，尚未走访到的村（社区）要排出计划，确保应访尽访。",
    "对排名靠后、整改不力的单位，将按规定进行约谈。",
)


@dataclass(frozen=True)
class NoticeFilters:
    status: str | None = None
    region: Region | None = None
    year: int | None = None


def notice_list(visible: QuerySet[Notice], filters: NoticeFilters) -> QuerySet[Notice]:
    """The notices the caller may see (oversight.permissions), narrowed by the filters."""
    rows = visible.select_related("region", "created_by", "published_by")
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.region is not None:
        rows = rows.filter(region__code__range=subtree_bounds(filters.region.prefix))
    if filters.year:
        rows = rows.filter(period_starts__year=filters.year)
    return rows


def number_prefix() -> str:
    """发文字号的机关代字 and 类别: settings.NOTICE_NUMBER_PREFIX, by default 黔南走访办通."""
    return str(getattr(settings, "NOTICE_NUMBER_PREFIX", DEFAULT_NUMBER_PREFIX))


def document_number(year: int, sequence: int) -> str:
    """黔南走访办通〔2026〕3号: the year in 六角括号, the sequence without leading zeros (GB/T 9704 §7.2.4)."""
    return f"{number_prefix()}〔{year}〕{sequence}号"


# --- formatting -------------------------------------------------------------------------------------------------


def short_name(region: Region) -> str:
    """The name documents use: 黔南布依族苗族自治州 → 黔南州, 三都水族自治县 → 三都县; others as they are."""
    for suffix, short in (("自治州", "州"), ("自治县", "县")):
        if region.name.endswith(suffix):
            return region.name[:2] + short
    return region.name


def notice_title(region: Region, starts: date, ends: date) -> str:
    return f"关于{period_text(starts, ends)}{short_name(region)}大走访工作情况的通报"


def notice_issuer(region: Region) -> str:
    """发文机关: the campaign's leading group office of the notice's region."""
    return f"{short_name(region)}大走访工作领导小组办公室"[:100]


def scrub(text: str) -> str:
    """A text as a notice prints it (the notice goes to every county): names, phone and ID numbers and
    addresses of persons masked by text.redact."""
    return redact(text)


def paragraphs(text: str) -> list[str]:
    """The section text's paragraphs: one a line, blank lines dropped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


# --- generation -------------------------------------------------------------------------------------------------


def _labels() -> dict[str, str]:
    return {key: str(d.label) for key, d in DEFINITIONS.items()}


def _overview(
    summary: MetricsSummary, *, region: Region, when: str, labels: dict[str, str]
) -> dict[str, Any]:
    c = summary.counts
    r = summary.rates
    items = []
    rows = []
    for key in RATE_KEYS:
        numerator, denominators = RATE_COUNTS[key]
        denominator = sum(c.get(d, 0) for d in denominators)
        items.append(
            {
                "metric": key,
                "label": labels[key],
                "value": r[key],
                "numerator": c.get(numerator, 0),
                "denominator": denominator,
            }
        )
        rows.append([labels[key], percent(r[key]), str(c.get(numerator, 0)), str(denominator)])
    resolved = c["resolved"] + c["resolved_on_site"]
    lines = [
        f"{when}，{short_name(region)}共交办群众诉求{c['assigned']}件，办结{resolved}件（其中就地化解"
        f"{c['resolved_on_site']}件），回访{c['callbacks']}件；排查矛盾纠纷{c['disputes']}件，化解"
        f"{c['disputes_resolved']}件；走访村（社区）{c['villages_visited']}个，占{c['villages']}个的"
        f"{percent(r['visit_coverage'])}。",
        f"{labels['on_time_acceptance_rate']}{percent(r['on_time_acceptance_rate'])}，"
        f"{labels['on_time_resolution_rate']}{percent(r['on_time_resolution_rate'])}，"
        f"{labels['solved_rate']}{percent(r['solved_rate'])}，"
        f"{labels['satisfaction_rate']}{percent(r['satisfaction_rate'])}，"
        f"{labels['reopen_rate']}{percent(r['reopen_rate'])}，"
        f"{labels['return_rate']}{percent(r['return_rate'])}。",
    ]
    return {
        "text": "\n".join(lines),
        "items": items,
        "tables": [
            {"caption": "主要指标", "headers": ["指标", "数值", "分子", "分母"], "rows": rows},
        ],
    }


def _row_item(row: RankingRow) -> dict[str, Any]:
    return {
        "rank": row.rank,
        "key": row.key,
        "name": row.name,
        "score": row.score,
        "insufficient": row.insufficient,
        "counted": list(row.counted),
        "rates": row.rates,
    }


def _ranking_table(rows: list[dict[str, Any]], *, caption: str, labels: dict[str, str]) -> dict[str, Any]:
    headers = ["排名", "单位", "综合得分", *(labels[k] for k in RANKING_COLUMNS)]
    body = [
        [
            str(row["rank"]) if row["rank"] is not None else "—",
            row["name"],
            f"{row['score']:.2f}" if row["score"] is not None else INSUFFICIENT,
            *(percent(row["rates"].get(k)) for k in RANKING_COLUMNS),
        ]
        for row in rows
    ]
    return {"caption": caption, "headers": headers, "rows": body}


@dataclass(frozen=True)
class Boards:
    rows: list[RankingRow]  # ranked best first, then the insufficient
    red: list[RankingRow]
    black: list[RankingRow]
    insufficient: list[RankingRow]


def _departments_at(ranking: Ranking, region: Region) -> Boards:
    """The departments at the notice's own level (州直 or 市直): the counties' and townships' offices are
    ranked with their areas. Ranked again among themselves, by the same fair score, ties sharing a rank."""
    own = set(
        Unit.objects.filter(pk__in=[int(r.key) for r in ranking.rows], region_id=region.code).values_list(
            "pk", flat=True
        )
    )
    ranked = ranked_with_ties([r for r in ranking.rows if int(r.key) in own])
    insufficient = [r for r in ranking.insufficient if int(r.key) in own]
    red, black = boards(ranked)
    return Boards(rows=ranked + insufficient, red=red, black=black, insufficient=insufficient)


def _ranking(
    *, user: User, period: Period, region: Region, labels: dict[str, str]
) -> tuple[dict[str, Any], list[tuple[str, RankingRow]]]:
    league = "county" if region.level == Region.Level.PREFECTURE else "township"
    area_name = "各县（市）" if league == "county" else "各乡镇（街道）"
    dept_name = "州直部门" if league == "county" else "市（县）直部门"
    areas = rankings(user=user, league=league, period=period, region=region)
    area = Boards(rows=areas.rows, red=areas.red, black=areas.black, insufficient=areas.insufficient)
    dept = _departments_at(rankings(user=user, league="department", period=period, region=region), region)
    weights = "、".join(f"{labels[k]}{w:g}" for k, w in areas.weights.items() if w > 0)
    samples = sorted(set(areas.min_samples.values()))
    sample_words = f"不少于{samples[0]}件" if len(samples) == 1 else "达到规定件数"
    lines = [
        f"按综合得分排序（综合得分为各项指标的加权平均，满分100分；退回率、重办率按“1−比率”计分。权重：{weights}。"
        f"按件数计算的指标，其分母{sample_words}方计入，未计入指标的权重不计、其余按比例折算；计入指标的权重合计"
        "不足一半或无按件数计算的指标的单位列为数据不足，不参与排名；得分相同的并列）。",
    ]
    for name, part in ((area_name, area), (dept_name, dept)):
        if part.red:
            sentence = f"{name}中，{'、'.join(r.name for r in part.red)}位居前列（红榜）"
            if part.black:
                sentence += f"；{'、'.join(r.name for r in part.black)}排名靠后（黑榜）"
            lines.append(sentence + "。")
        if part.insufficient:
            lines.append(
                f"{name}中，{'、'.join(r.name for r in part.insufficient)}本期数据不足，未参与排名。"
            )
    if not area.red and not dept.red:
        lines.append("本期无可排名的单位（各单位数据均不足）。")
    section = {
        "text": "\n".join(lines),
        "league": league,
        "items": {
            "areas": [_row_item(r) for r in area.rows],
            "departments": [_row_item(r) for r in dept.rows],
            "weights": areas.weights,
            "min_samples": areas.min_samples,
        },
        "tables": [
            _ranking_table([_row_item(r) for r in area.rows], caption=f"{area_name}综合排名", labels=labels),
            _ranking_table([_row_item(r) for r in dept.rows], caption=f"{dept_name}综合排名", labels=labels),
        ],
    }
    black = [(area_name, r) for r in area.black] + [(dept_name, r) for r in dept.black]
    return section, black


def _problems(black: list[tuple[str, RankingRow]], *, labels: dict[str, str]) -> dict[str, Any]:
    items = []
    lines = []
    for board, row in black:
        shortfalls: list[dict[str, Any]] = []
        reasons = []
        for key in failing(row.counted_rates):
            value, threshold, above = row.rates[key], THRESHOLDS[key], key in INVERSE
            shortfalls.append(
                {"metric": key, "label": labels[key], "value": value, "threshold": threshold, "above": above}
            )
            reasons.append(
                f"{labels[key]}{percent(value)}，{'高于' if above else '低于'}{percent(threshold)}"
            )
        items.append(
            {"board": board, "key": row.key, "name": row.name, "score": row.score, "failing": shortfalls}
        )
        score = f"{row.score:.2f}" if row.score is not None else "—"
        if reasons:
            lines.append(f"{row.name}（综合得分{score}）：{'；'.join(reasons)}。")
        else:
            lines.append(f"{row.name}（综合得分{score}）：各项指标均达到基本要求，但综合得分排名靠后。")
    if not lines:
        lines.append("本期未发现综合得分排名靠后的单位。")
    return {"text": "\n".join(lines), "items": items, "tables": []}


def overdue_appeals(*, user: User, region: Region, now: datetime) -> QuerySet[Appeal]:
    """Items in the user's scope and the region still being worked on past their resolve deadline, the most
    overdue first (the index appeal_open_due serves it)."""
    return (
        appeals_visible_to(user, within=region.prefix)
        .filter(status__in=ACTIVE_STATUSES, resolve_due__lt=now)
        .select_related("lead_unit", "region")
        .order_by("resolve_due", "id")
    )


def _overdue(*, user: User, region: Region, now: datetime) -> dict[str, Any]:
    appeals = overdue_appeals(user=user, region=region, now=now)
    total = appeals.count()
    items = []
    for appeal in appeals[:MAX_OVERDUE]:
        due = appeal.resolve_due
        assert due is not None
        items.append(
            {
                "code": appeal.code,
                "title": scrub(appeal.title),
                "region": appeal.region.name,
                "lead_unit": appeal.lead_unit.name if appeal.lead_unit else "",
                "resolve_due": timezone.localtime(due).date().isoformat(),
                # A day begun past the deadline counts whole: 1 hour late is 1 day overdue.
                "days_overdue": math.ceil((now - due).total_seconds() / 86400),
            }
        )
    today = timezone.localtime(now).date()
    if total:
        shown = f"，其中超期时间最长的{len(items)}件如下" if total > len(items) else "，详见下表"
        text = f"截至{document_date(today)}，{short_name(region)}共有超期未办结事项{total}件{shown}。请牵头单位抓紧办理。"
    else:
        text = f"截至{document_date(today)}，{short_name(region)}无超期未办结事项。"
    table = {
        "caption": "超期未办结事项",
        "headers": ["序号", "编号", "事项", "所在地", "牵头单位", "办结时限", "超期天数"],
        "rows": [
            [
                str(i),
                it["code"],
                it["title"],
                it["region"],
                it["lead_unit"],
                it["resolve_due"],
                str(it["days_overdue"]),
            ]
            for i, it in enumerate(items, start=1)
        ],
    }
    return {"text": text, "items": items, "total": total, "tables": [table] if items else []}


def _hot(*, user: User, period: Period, region: Region) -> dict[str, Any]:
    """The hottest clusters of similar appeals (insights.selectors.hot), their titles already redacted."""
    issues = hot_issues(user=user, period=period, region=region, limit=MAX_HOT)
    items = [
        {
            "rank": h.rank,
            "key": h.key,
            "index": h.index,
            "place": h.place_name + h.place_words,
            "description": h.description,
            "appeals": h.appeals,
            "reporters": h.reporters,
            "growth": h.growth,
        }
        for h in issues
    ]
    if not items:
        return {"text": "本期未出现3件以上相似诉求构成的热点问题。", "items": [], "tables": []}
    first = items[0]
    text = (
        f"本期群众反映较集中的热点问题{len(items)}个，其中热度最高的是{first['place']}“{issues[0].titles[0] if issues[0].titles else first['description']}”"
        f"等{first['appeals']}件诉求。请属地和牵头部门研究源头治理措施。"
    )
    table = {
        "caption": "热点问题",
        "headers": ["排名", "问题ID", "热度指数", "地点/人群", "问题描述", "件数"],
        "rows": [
            [
                str(it["rank"]),
                it["key"],
                f"{it['index']:.1f}",
                it["place"],
                it["description"],
                str(it["appeals"]),
            ]
            for it in items
        ],
    }
    return {"text": text, "items": items, "tables": [table]}


def _practices(*, user: User, period: Period, region: Region) -> dict[str, Any]:
    practices = list(
        practices_for(user=user, starts=period.starts, ends=period.ends, region=region)[:MAX_PRACTICES]
    )
    items = [
        {"id": p.pk, "title": scrub(p.title), "unit": p.unit.name, "summary": scrub(p.summary)}
        for p in practices
    ]
    lines = [f"{it['unit']}：{it['title']}。{it['summary']}" for it in items]
    if not lines:
        lines = ["本期暂无经验做法报送，请各地各部门及时总结报送好经验好做法。"]
    return {"text": "\n".join(lines), "items": items, "tables": []}


def notice_content(
    *, user: User, period: Period, region: Region, now: datetime | None = None
) -> dict[str, Any]:
    """The generated sections of a notice for `period` and `region`, read as `user` sees them."""
    now = now or timezone.now()
    with translation.override("zh-hans"):
        labels = _labels()
        definitions = [
            {"metric": key, "label": labels[key], "text": str(d.text)} for key, d in DEFINITIONS.items()
        ]
    when = period_text(period.starts, period.ends)
    summary = metrics_summary(user=user, period=period, region=region)
    ranking, black = _ranking(user=user, period=period, region=region, labels=labels)
    parts = {
        "overview": _overview(summary, region=region, when=when, labels=labels),
        "ranking": ranking,
        "problems": _problems(black, labels=labels),
        "overdue": _overdue(user=user, region=region, now=now),
        "hot": _hot(user=user, period=period, region=region),
        "practices": _practices(user=user, period=period, region=region),
        "requirements": {"text": "\n".join(REQUIREMENTS), "items": [], "tables": []},
    }
    if region.level == Region.Level.PREFECTURE:
        addressee = "各县（市）大走访工作领导小组办公室，州直各有关单位："
    else:
        addressee = "各乡镇（街道）大走访工作领导小组，市（县）直各有关单位："
    return {
        "addressee": addressee,
        "as_of": now.isoformat(),
        "definitions": definitions,
        "sections": [{"key": key, "heading": HEADINGS[key], **parts[key]} for key in SECTION_KEYS],
    }


def section(notice: Notice, key: str) -> dict[str, Any] | None:
    return next((s for s in notice.content.get("sections", []) if s.get("key") == key), None)
