"""The hot-issue tables of a file of citizen messages (the 2020 Teddy Cup "smart government" task 2 layout):
热点问题表 (热度排名, 问题ID, 热度指数, 时间范围, 地点/人群, 问题描述) and 热点问题留言明细表 (the messages of each
issue). The messages are clustered by text exactly as the appeals are (text.clusters) and ranked by the same
hotness index (insights.selectors.hot.hotness) with what such a file holds: n the messages, r the distinct users,
s the votes (点赞数 + 反对数: people who took a side); a file has no previous period and no risk colour, so every
cluster gets the same growth points and none for risk.

The tables leave the handling unit: every title and message goes through text.redact first.
"""

import csv
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import xlsxwriter

from insights.selectors.hot import hotness
from insights.services.hot import MIN_APPEALS
from text.clusters import Text, cluster
from text.redact import redact

SUMMARY_SHEET = "热点问题表"
DETAIL_SHEET = "热点问题留言明细表"
SUMMARY_HEADERS = ["热度排名", "问题ID", "热度指数", "时间范围", "地点/人群", "问题描述"]
DETAIL_HEADERS = ["问题ID", "留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "点赞数", "反对数"]
TIME_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d",
    "%Y-%m-%d",
)


@dataclass(frozen=True)
class Message:
    id: str
    user: str
    title: str
    at: datetime | None
    body: str
    support: int
    against: int


@dataclass(frozen=True)
class MessageIssue:
    rank: int
    key: int  # 问题ID: 1, 2, … in rank order
    index: float
    starts: datetime | None
    ends: datetime | None
    place: str
    description: str
    messages: list[Message]  # the most typical first


def _time(raw: str) -> datetime | None:
    raw = raw.strip()
    for pattern in TIME_FORMATS:
        try:
            return datetime.strptime(raw, pattern)
        except ValueError:
            continue
    return None


def _count(raw: str) -> int:
    raw = (raw or "").strip()
    return int(float(raw)) if raw.replace(".", "", 1).isdigit() else 0


def read_messages(path: Path) -> list[Message]:
    """The rows of a messages file (留言编号, 留言用户, 留言主题, 留言时间, 留言详情, 反对数, 点赞数)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            Message(
                id=(row.get("留言编号") or "").strip(),
                user=(row.get("留言用户") or "").strip(),
                title=(row.get("留言主题") or "").strip(),
                at=_time(row.get("留言时间") or ""),
                body=(row.get("留言详情") or "").strip(),
                support=_count(row.get("点赞数") or ""),
                against=_count(row.get("反对数") or ""),
            )
            for row in csv.DictReader(handle)
        ]


def message_hot_issues(messages: Sequence[Message], *, limit: int = 0) -> list[MessageIssue]:
    """The clusters of at least MIN_APPEALS messages, hottest first (all of them, or the first `limit`)."""
    texts = [Text(title=m.title, body=m.body) for m in messages]
    found = [c for c in cluster(texts, min_size=MIN_APPEALS)]
    if not found:
        return []
    stats = []
    for c in found:
        members = [messages[i] for i in c.members]
        stats.append(
            (c, members, len({m.user or m.id for m in members}), sum(m.support + m.against for m in members))
        )
    maxima = {
        "appeals": max(len(m) for _, m, _, _ in stats),
        "reporters": max(r for _, _, r, _ in stats),
        "support": max(s for _, _, _, s in stats),
    }
    scored = sorted(
        (
            (
                hotness(appeals=len(m), reporters=r, growth=None, risk=0.0, support=s, maxima=maxima),
                c,
                m,
            )
            for c, m, r, s in stats
        ),
        key=lambda item: (-item[0], -len(item[2]), item[1].members[0]),
    )
    if limit:
        scored = scored[:limit]
    issues = []
    for rank, (index, c, members) in enumerate(scored, start=1):
        times = [m.at for m in members if m.at is not None]
        phrases = "、".join(c.phrases[:3])
        issues.append(
            MessageIssue(
                rank=rank,
                key=rank,
                index=index,
                starts=min(times) if times else None,
                ends=max(times) if times else None,
                place=redact(c.place),
                description=redact(c.title + (f"（{phrases}）" if phrases else "")),
                messages=members,
            )
        )
    return issues


def time_range(issue: MessageIssue) -> str:
    if issue.starts is None or issue.ends is None:
        return ""
    return f"{issue.starts:%Y/%m/%d} 至 {issue.ends:%Y/%m/%d}"


def write_hot_tables(path: Path, issues: Sequence[MessageIssue]) -> None:
    """The two task-2 tables, one sheet each, every text redacted."""
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_urls": False, "strings_to_formulas": False})
    bold = workbook.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
    when = workbook.add_format({"num_format": "yyyy/mm/dd hh:mm:ss"})
    tenth = workbook.add_format({"num_format": "0.0"})
    summary = workbook.add_worksheet(SUMMARY_SHEET)
    summary.write_row(0, 0, SUMMARY_HEADERS, bold)
    for col, width in enumerate((8, 8, 10, 26, 24, 60)):
        summary.set_column(col, col, width)
    for row, issue in enumerate(issues, start=1):
        summary.write_number(row, 0, issue.rank)
        summary.write_number(row, 1, issue.key)
        summary.write_number(row, 2, issue.index, tenth)
        summary.write_string(row, 3, time_range(issue))
        summary.write_string(row, 4, issue.place)
        summary.write_string(row, 5, issue.description)
    detail = workbook.add_worksheet(DETAIL_SHEET)
    detail.write_row(0, 0, DETAIL_HEADERS, bold)
    for col, width in enumerate((8, 10, 14, 40, 20, 80, 8, 8)):
        detail.set_column(col, col, width)
    row = 0
    for issue in issues:
        for message in issue.messages:
            row += 1
            detail.write_number(row, 0, issue.key)
            detail.write_string(row, 1, message.id)
            detail.write_string(row, 2, message.user)
            detail.write_string(row, 3, redact(message.title))
            if message.at is not None:
                detail.write_datetime(row, 4, message.at, when)
            detail.write_string(row, 5, redact(message.body))
            detail.write_number(row, 6, message.support)
            detail.write_number(row, 7, message.against)
    summary.freeze_panes(1, 0)
    detail.freeze_panes(1, 0)
    workbook.close()


@dataclass(frozen=True)
class HotTablesResult:
    clusters: int
    messages: int
    seconds: float


def hot_tables_from_csv(*, source: Path, out: Path | None, limit: int = 0) -> HotTablesResult:
    """Read the messages, cluster and rank them, write the tables when `out` is given."""
    started = time.perf_counter()
    messages = read_messages(source)
    issues = message_hot_issues(messages, limit=limit)
    if out is not None:
        write_hot_tables(out, issues)
    return HotTablesResult(
        clusters=len(issues), messages=len(messages), seconds=round(time.perf_counter() - started, 2)
    )
