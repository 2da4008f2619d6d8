"""The portal's documents: the answers of a consultation as an Excel list (core.exports: streamed and audited;
no personal data), and the QR posters as one PDF."""

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from functools import cache as memoize
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.http import FileResponse, HttpRequest
from django.utils import timezone

from core.exports import xlsx_response
from core.pdf import html_to_pdf
from org.models import User
from portal.models import Consultation
from portal.permissions import count_poster_pdf
from portal.selectors import consultation_answer_rows, region_label
from text.redact import redact

# The file's name says which answers it holds.
_ADOPTED_NAMES = {None: "", True: "已采纳", False: "未采纳"}


def consultation_answers_xlsx(
    *, request: HttpRequest, actor: User, consultation: Consultation, adopted: bool | None = None
) -> FileResponse:
    """The consultation's answers, oldest first; only the adopted ones (or only the others) when asked, as the
    answers page's tab shows them."""
    questions = [str(q["text"]) for q in consultation.questions]

    def rows() -> Iterator[list[Any]]:
        answers = (
            consultation_answer_rows(consultation, adopted=adopted)
            .select_related("appeal__region__parent__parent")
            .order_by("created_at", "id")
        )
        for row in answers.iterator(chunk_size=500):
            given = {p["question"]: p["answer"] for p in row.answers}
            yield [
                row.appeal.code,
                row.created_at,
                region_label(row.appeal.region),
                *(redact(given.get(q, "")) for q in questions),
                "是" if row.adopted else "",
                row.public_reply,
            ]

    return xlsx_response(
        rows=rows(),
        headers=["受理编号", "提交时间", "地点", *questions, "已采纳", "公开答复"],
        filename=f"{consultation.title}-{_ADOPTED_NAMES[adopted]}回答.xlsx",
        actor=actor,
        what="consultation_answers",
        request=request,
        sheet="征集回答",
        filters={"consultation": consultation.pk, "adopted": adopted},
        widths=[22, 18, 30, *([40] * len(questions)), 8, 40],
    )


# A township's 40 posters take seconds of CPU to lay out (docs/benchmarks.md), so each PDF is kept for the day.
POSTER_PDF_SECONDS = 86400
POSTER_PDF_WAIT_S = 30
POSTER_DESIGN = (
    Path(__file__).parent / "templates" / "portal" / "poster.html",
    Path(__file__).parent / "static" / "portal" / "poster.css",
)


@memoize
def _design_digest() -> str:
    """The poster's template and stylesheet as they are in this release: a new release makes new PDFs."""
    digest = hashlib.sha256()
    for path in POSTER_DESIGN:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def poster_pdf_key(*, code: str, facts: Any) -> str:
    facts_digest = hashlib.sha256(json.dumps(facts, ensure_ascii=False).encode()).hexdigest()[:24]
    day = timezone.localdate().isoformat()
    return f"portal:poster-pdf:{code}:{day}:{_design_digest()}:{facts_digest}"


def posters_pdf(*, code: str, facts: Any, html: Callable[[], str], ip: str | None) -> bytes:
    """The posters of a place as one PDF, made once per place and day from `html()`. The key also holds
    `facts` (what the pages say: names, addresses, the open consultation, the hotline), so that a consultation
    that opens or another public address gives a new PDF at once."""
    key = poster_pdf_key(code=code, facts=facts)
    content = cache.get(key) or _made_meanwhile(key)
    if content is None:
        count_poster_pdf(ip=ip)  # only renderings count: downloading a PDF made today again is cheap
        cache.add(f"{key}:making", 1, POSTER_PDF_WAIT_S)
        try:
            content = html_to_pdf(html())
            cache.set(key, content, POSTER_PDF_SECONDS)
        finally:
            cache.delete(f"{key}:making")
    return bytes(content)


def _made_meanwhile(key: str) -> bytes | None:
    """The PDF another request is making right now (a second click, a colleague), waited for rather than
    made twice over on the same CPUs; None when nobody is making it, or it takes too long."""
    deadline = time.monotonic() + POSTER_PDF_WAIT_S
    while cache.get(f"{key}:making") and time.monotonic() < deadline:
        time.sleep(0.25)
        content = cache.get(key)
        if content is not None:
            return bytes(content)
    return None
