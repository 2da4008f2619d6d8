"""A notice as a Word file in the official document layout (core.officedoc)."""

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from core.officedoc import OfficialDocument, docx_response
from org.models import User
from oversight.models import Notice, NoticeStatus
from oversight.selectors.notices import paragraphs

DRAFT_MARK = "（草稿）"


def notice_filename(notice: Notice) -> str:
    name = notice.number or f"{notice.title}{DRAFT_MARK}"
    return f"{name}.docx"


def notice_docx(notice: Notice) -> bytes:
    """The notice's masthead, title, addressee, each section with its tables, the metric definitions, and the
    issuer's signature with the publishing date (today's for a draft, whose number is marked as a draft)."""
    published = notice.status == NoticeStatus.PUBLISHED
    doc = OfficialDocument(
        issuer=notice.issuer, title=notice.title, number=notice.number if published else DRAFT_MARK
    )
    content = notice.content
    if content.get("addressee"):
        doc.addressee(content["addressee"])
    for part in content.get("sections", []):
        doc.heading1(part.get("heading", ""))
        for text in paragraphs(part.get("text", "")):
            doc.paragraph(text)
        for table in part.get("tables", []):
            doc.table(table["headers"], table["rows"], caption=table.get("caption", ""))
        if part.get("key") == "overview" and content.get("definitions"):
            doc.paragraph("各项指标的计算口径如下：")
            for definition in content.get("definitions", []):
                doc.paragraph(definition["text"], bold_lead=f"{definition['label']}：")
    day = timezone.localtime(notice.published_at).date() if notice.published_at else timezone.localdate()
    doc.closing(signer=notice.issuer, day=day)
    return doc.to_bytes()


def notice_docx_response(notice: Notice, *, actor: User, request: HttpRequest | None) -> HttpResponse:
    """The notice as an audited .docx download."""
    return docx_response(
        notice_docx(notice),
        filename=notice_filename(notice),
        actor=actor,
        request=request,
        what="notice",
        filters={"notice": notice.pk, "number": notice.number},
    )
