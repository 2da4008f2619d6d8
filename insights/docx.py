"""The decision report as a Word file in the official document layout (DESIGN §7, core.officedoc)."""

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from core.officedoc import OfficialDocument, chinese_number, docx_response
from insights.selectors.hot import CLUSTERING, HOTNESS_FORMULA
from insights.selectors.report import (
    DecisionReport,
    change_words,
    shown,
)
from org.models import User
from text.redact import redact

ISSUER = "决策参考"
SIGNER = "大走访工作领导小组办公室"
COLOUR_NAMES = {"red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色"}
KEY_HEADERS = ["指标", "本期", "上期", "变化"]
HOT_HEADERS = ["排名", "问题ID", "热度指数", "时间范围", "地点/人群", "问题描述"]
RISK_HEADERS = ["编号", "事项", "地点", "风险等级", "已持续天数"]
MASSES_HEADERS = ["征集主题", "发起单位", "收到意见数", "采纳数"]


def report_title(report: DecisionReport) -> str:
    return f"关于{report.place_name}大走访工作情况的分析研判报告"


def report_filename(report: DecisionReport) -> str:
    return f"决策参考_{report.place_name}_{report.period.starts:%Y%m%d}-{report.period.ends:%Y%m%d}.docx"


def decision_report_docx(report: DecisionReport) -> bytes:
    """The report's four parts — key numbers, hot issues, risks, recommendations — with their tables."""
    doc = OfficialDocument(issuer=ISSUER, title=report_title(report), number="", red_header=True)
    doc.paragraph(
        f"本报告统计期为{report.period.text}，与上一个等长周期（{report.previous.text}）"
        "对比。数据来自大走访工作平台，按统一口径计算，各项指标口径附后。"
    )

    doc.heading1("主要数据")
    numbers = report.key_numbers
    doc.table(
        KEY_HEADERS,
        [[n.label, shown(n, n.value), shown(n, n.previous), change_words(n)] for n in numbers],
        caption="表1 主要指标",
    )
    for n in numbers:
        doc.paragraph(n.definition, bold_lead=f"{n.label}：")

    doc.heading1("群众反映的热点问题")
    if report.hot:
        doc.table(
            HOT_HEADERS,
            [
                [
                    str(h.rank),
                    h.key,
                    f"{h.index:.1f}",
                    h.period.text,
                    h.place_name,
                    f"{h.description}（{h.appeals}件，{h.reporters}人反映）",
                ]
                for h in report.hot
            ],
            caption="表2 热点问题",
        )
        doc.paragraph(str(HOTNESS_FORMULA), bold_lead="热度指数：")
        doc.paragraph(str(CLUSTERING), bold_lead="归并方法：")
    else:
        doc.paragraph("统计期内没有3件以上相似诉求构成的热点问题。")

    doc.heading1("风险隐患")
    colours = "，".join(f"{COLOUR_NAMES[c]}{n}件" for c, n in report.open_disputes.items())
    doc.paragraph(
        f"截至目前，尚未化解的矛盾纠纷中{colours}；其中红色风险登记超过7天仍未化解的{report.red_stale}件。"
        f"超过办结时限仍未办结的事项{report.overdue}件。"
    )
    if report.risks:
        doc.table(
            RISK_HEADERS,
            [
                [r.code, r.title, r.place_name, COLOUR_NAMES.get(r.colour, r.colour), str(r.days_open)]
                for r in report.risks
            ],
            caption="表3 红色、橙色风险矛盾纠纷",
        )

    doc.heading1("工作建议")
    if report.recommendations:
        for i, advice in enumerate(report.recommendations, start=1):
            doc.paragraph(f"{advice.text}（依据：{advice.trigger}）", bold_lead=f"{chinese_number(i)}是")
    else:
        doc.paragraph("各项指标均达到工作要求，建议保持现有工作力度，持续做好走访和矛盾纠纷排查化解工作。")

    if report.masses:
        # 征集: the consultations of the period, as the printable report has them (portal, issue 14).
        doc.heading1("群众意见建议征集")
        doc.table(
            MASSES_HEADERS,
            [
                [m.consultation.title, m.consultation.unit.name, str(m.answers), str(m.adopted)]
                for m in report.masses
            ],
            caption="表4 意见建议征集和采纳情况",
        )
        for m in report.masses:
            for reply in m.replies:
                doc.paragraph(redact(reply), bold_lead=f"{m.consultation.title}·已采纳：")

    if report.as_of is not None:
        doc.paragraph(f"主要数据截至{timezone.localtime(report.as_of):%Y年%m月%d日%H:%M}。")
    doc.closing(signer=f"{report.place_name}{SIGNER}", day=timezone.localdate(report.generated_at))
    return doc.to_bytes()


def decision_report_download(
    *, report: DecisionReport, actor: User, request: HttpRequest | None
) -> HttpResponse:
    """The report as an audited .docx download."""
    return docx_response(
        decision_report_docx(report),
        filename=report_filename(report),
        actor=actor,
        request=request,
        what="decision_report",
        filters={
            "from": report.period.starts.isoformat(),
            "to": report.period.ends.isoformat(),
            "region": report.region.code if report.region else None,
        },
    )
