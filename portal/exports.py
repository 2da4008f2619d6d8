"""The answers of a consultation as an Excel list (core.exports: streamed and audited); no personal data."""

from collections.abc import Iterator
from typing import Any

from django.http import FileResponse, HttpRequest

from core.exports import xlsx_response
from org.models import User
from portal.models import Consultation, ConsultationAnswer
from portal.selectors import region_label
from text.redact import redact


def consultation_answers_xlsx(
    *, request: HttpRequest, actor: User, consultation: Consultation
) -> FileResponse:
    questions = [str(q["text"]) for q in consultation.questions]

    def rows() -> Iterator[list[Any]]:
        answers = (
            ConsultationAnswer.objects.filter(consultation=consultation)
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
        filename=f"{consultation.title}-回答.xlsx",
        actor=actor,
        what="consultation_answers",
        request=request,
        sheet="征集回答",
        filters={"consultation": consultation.pk},
        widths=[22, 18, 30, *([40] * len(questions)), 8, 40],
    )
