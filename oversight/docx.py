"""A notice as a Word file in the official document layout (core.officedoc)."""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from core.officedoc import OfficialDocument
from oversight.models import Notice, NoticeStatus
from oversight.selectors.notices import paragraphs

DRAFT_MARK = "（草稿）"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


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


def notice_docx_response(notice: Notice) -> HttpResponse:
    """The Word file as a download, its Chinese name sent as RFC 6266 filename*."""
    response = HttpResponse(notice_docx(notice), content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, notice_filename(notice)) or ""
    response["Cache-Control"] = "no-store"
    return response
