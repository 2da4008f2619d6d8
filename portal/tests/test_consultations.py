"""Consultations (征集): answered on the portal as one suggestion linked to the consultation; closed and draft
ones refuse; adopted answers show on the portal with the unit's reply, redacted."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from appeals.models import Appeal
from core.errors import InvalidInput
from portal.models import Consultation, ConsultationAnswer
from portal.permissions import challenge_issue, challenge_solve
from portal.services import consultation_adopt, consultation_check_questions
from portal.tests.factories import COUNTY, TOWNSHIP, VILLAGE, codes

pytestmark = pytest.mark.django_db

QUESTIONS: list[dict[str, Any]] = [
    {"text": "您最希望政法机关解决的问题是什么？"},
    {"text": "您对本村矛盾纠纷调解工作满意吗？", "choices": ["满意", "一般", "不满意"]},
]


def consultation(personas, **overrides) -> Consultation:
    today = timezone.localdate()
    values = {
        "unit": personas.duyun_plc,
        "title": "2027年政法工作意见建议征集",
        "text": "欢迎群众对明年的政法工作提出意见建议。",
        "starts": today - timedelta(days=1),
        "ends": today + timedelta(days=30),
        "questions": QUESTIONS,
        "is_published": True,
    }
    values.update(overrides)
    return Consultation.objects.create(**values)


def answer(client: Client, item: Consultation, **overrides):
    challenge = challenge_issue()  # as the page would give (a closed consultation's page has no form)
    data = {
        "q0": "希望加强反诈宣传，老人容易上当。",
        "q1": "一般",
        "county": COUNTY,
        "township": TOWNSHIP,
        "village": VILLAGE,
        "name": "李四",
        "phone": "13900000001",
        "challenge": challenge,
        "answer": challenge_solve(challenge),
    }
    data.update(overrides)
    return client.post(f"/portal/consultations/{item.pk}/", data)


def test_an_answer_is_a_suggestion_linked_to_the_consultation(qiannan, personas) -> None:
    item = consultation(personas)
    client = Client()
    assert "2027年政法工作意见建议征集" in client.get("/portal/consultations/").content.decode()
    response = answer(client, item)
    assert response.status_code == 201
    code, _secret = codes(response)
    appeal = Appeal.objects.get(code=code)
    assert (
        appeal.kind == "suggestion"
        and appeal.source == "portal"
        and appeal.category.code == "suggestion.public_service"
    )
    assert "问：您最希望政法机关解决的问题是什么？\n答：希望加强反诈宣传" in appeal.description
    stored = ConsultationAnswer.objects.get(appeal=appeal)
    assert stored.consultation == item and stored.answers[1] == {
        "question": QUESTIONS[1]["text"],
        "answer": "一般",
    }


def test_a_closed_or_draft_consultation_takes_no_answer(qiannan, personas) -> None:
    today = timezone.localdate()
    ended = consultation(personas, starts=today - timedelta(days=30), ends=today - timedelta(days=1))
    page = Client().get(f"/portal/consultations/{ended.pk}/").content.decode()
    assert 'data-testid="consultation-form"' not in page
    assert answer(Client(), ended).status_code == 409
    draft = consultation(personas, is_published=False)
    assert Client().get(f"/portal/consultations/{draft.pk}/").status_code == 404
    assert not Appeal.objects.exists()


def test_an_empty_answer_or_a_choice_not_offered_is_refused(qiannan, personas) -> None:
    item = consultation(personas)
    assert answer(Client(), item, q0="", q1="").status_code == 422
    assert answer(Client(), item, q1="非常满意").status_code == 422
    assert not Appeal.objects.exists()


def test_a_village_outside_the_units_region_is_refused(qiannan, personas) -> None:
    item = consultation(personas)  # 都匀市's political-legal committee asks 都匀市's people
    response = answer(Client(), item, county="522702000000", township="522702001000", village="522702001001")
    assert response.status_code == 422
    assert "该征集面向都匀市的群众" in response.content.decode()
    assert not Appeal.objects.exists() and not ConsultationAnswer.objects.exists()


def test_adopted_answers_show_with_the_reply_redacted(qiannan, personas) -> None:
    item = consultation(personas)
    answer(Client(), item, q0="希望派出所在村里设警务室，我叫王建国，电话13812345678。")
    stored = ConsultationAnswer.objects.get()
    with pytest.raises(InvalidInput):
        consultation_adopt(answer=stored, adopted=True, public_reply=" ")
    consultation_adopt(answer=stored, adopted=True, public_reply="已采纳，明年将在广惠社区设立警务室。")
    page = Client().get(f"/portal/consultations/{item.pk}/").content.decode()
    assert 'data-testid="adopted"' in page and "设立警务室" in page
    assert "13812345678" not in page and "王建国" not in page


def test_questions_are_one_to_five_with_two_to_eight_choices() -> None:
    consultation_check_questions(QUESTIONS)
    for bad in ([], [{"text": "x"}] * 6, [{"text": ""}], [{"text": "x", "choices": ["只有一个"]}]):
        with pytest.raises(InvalidInput):
            consultation_check_questions(bad)


def test_the_unit_sees_answers_by_question_and_exports_them(qiannan, personas) -> None:
    from tests.support import client_for, response_bytes, xlsx_rows

    item = consultation(personas)
    answer(Client(), item, q0="希望加强反诈宣传，电话13812345678。", q1="满意")
    answer(Client(), item, q0="", q1="满意", phone="13900000002")
    page = client_for(personas.dispatcher).get(f"/portal/consultations/{item.pk}/answers")
    assert page.status_code == 200
    html = page.content.decode()
    assert "希望加强反诈宣传" in html and "13812345678" not in html
    assert '<td>满意</td><td class="nowrap">2</td>' in html
    export = client_for(personas.dispatcher).get(f"/portal/consultations/{item.pk}/answers.xlsx")
    rows = xlsx_rows(response_bytes(export))
    assert rows[0][:3] == ["受理编号", "提交时间", "地点"] and len(rows) == 3
    assert all("13812345678" not in cell for row in rows for cell in row)
    for other in (personas.other_handler, personas.handler):
        assert client_for(other).get(f"/portal/consultations/{item.pk}/answers").status_code == 404
    assert Client().get(f"/portal/consultations/{item.pk}/answers").status_code == 302


def test_the_summary_for_the_decision_report_counts_answers_and_adoptions(qiannan, personas) -> None:
    from datetime import datetime

    from portal.selectors import consultations_summary

    item = consultation(personas)
    answer(Client(), item)
    answer(Client(), item, phone="13900000003")
    consultation_adopt(
        answer=ConsultationAnswer.objects.order_by("id")[0],
        adopted=True,
        public_reply="已采纳，将加强反诈宣传。",
    )
    now = timezone.now()
    start = datetime.combine(timezone.localdate() - timedelta(days=2), datetime.min.time(), tzinfo=now.tzinfo)
    [summary] = consultations_summary(start=start, end=now + timedelta(hours=1), region_prefix="522701")
    assert (summary.consultation, summary.answers, summary.adopted) == (item, 2, 1)
    assert summary.replies == ["已采纳，将加强反诈宣传。"]
    assert consultations_summary(start=start, end=now + timedelta(hours=1), region_prefix="522702") == []


def test_the_decision_report_has_a_section_on_what_the_masses_proposed(qiannan, personas) -> None:
    from tests.support import client_for

    item = consultation(personas)
    answer(Client(), item)
    consultation_adopt(
        answer=ConsultationAnswer.objects.order_by("id")[0],
        adopted=True,
        public_reply="已采纳，将加强反诈宣传。",
    )
    today = timezone.localdate()
    query = {"from": str(today.replace(day=1)), "to": str(today + timedelta(days=1))}
    page = client_for(personas.supervisor).get("/insights/report/view/", query).content.decode()
    assert (
        'data-testid="masses"' in page and "2027年政法工作意见建议征集" in page and "将加强反诈宣传" in page
    )


def test_the_word_report_has_the_consultations_table_and_the_adopted_replies(qiannan, personas) -> None:
    from io import BytesIO

    from docx import Document

    from tests.support import client_for

    item = consultation(personas)
    answer(Client(), item)
    answer(Client(), item, phone="13900000003")
    consultation_adopt(
        answer=ConsultationAnswer.objects.order_by("id")[0],
        adopted=True,
        public_reply="已采纳，将加强反诈宣传。",
    )
    today = timezone.localdate()
    query = {"from": str(today.replace(day=1)), "to": str(today + timedelta(days=1))}
    response = client_for(personas.supervisor).get("/insights/report/docx", query)
    assert response.status_code == 200
    document = Document(BytesIO(response.content))
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    masses = next(t for t in tables if t[0] == ["征集主题", "发起单位", "收到意见数", "采纳数"])
    assert masses[1][0] == "2027年政法工作意见建议征集" and masses[1][2:] == ["2", "1"]
    assert any("将加强反诈宣传" in p.text for p in document.paragraphs)
