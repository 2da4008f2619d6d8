"""The unit's side of consultations (征集): its list, creating and editing one in the page (with the refusals a
user meets), publishing, the answers grouped by similar text, adopting from the page, and the report API."""

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from core.errors import InvalidInput, StaleVersion
from core.models import AuditEvent
from portal.models import Consultation, ConsultationAnswer
from portal.selectors import answers_by_question
from portal.services import ConsultationData, consultation_create, consultation_edit
from portal.tests.test_consultations import QUESTIONS, answer, consultation
from tests.support import api_client, client_for, response_bytes, xlsx_rows

pytestmark = pytest.mark.django_db

LIST = "/portal/staff/consultations/"
NEW = "/portal/staff/consultations/new"


def browser(user: Any) -> Client:
    client = client_for(user)
    client.get(LIST)  # any page sets the CSRF cookie
    return client


def submit(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def form(personas: Any, **overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data: dict[str, Any] = {
        "unit": personas.duyun_plc.pk,
        "title": "2027年政法工作意见建议征集",
        "starts": str(today),
        "ends": str(today + timedelta(days=30)),
        "text": "欢迎群众对明年的政法工作提出意见建议。",
        "q0_text": "您最希望政法机关解决的问题是什么？",
        "q0_kind": "text",
        "q1_text": "您对本村矛盾纠纷调解工作满意吗？",
        "q1_kind": "choice",
        "q1_choices": "满意\n一般\n\n不满意\n",
    }
    data.update(overrides)
    return data


def edit_url(item: Consultation) -> str:
    return f"/portal/staff/consultations/{item.pk}/edit"


def test_a_unit_member_creates_a_draft_then_publishes_it(qiannan, personas) -> None:
    client = browser(personas.dispatcher)
    assert 'data-testid="nav-consultations"' in client.get("/").content.decode()
    assert 'data-testid="new"' in client.get(LIST).content.decode()
    blank = client.get(NEW)
    assert blank.status_code == 200 and blank.content.decode().count('data-testid="slot"') == 5
    response = submit(client, NEW, form(personas))
    assert response.status_code == 302
    item = Consultation.objects.get()
    assert (item.unit, item.is_published, item.version) == (personas.duyun_plc, False, 1)
    assert item.questions == [
        {"text": "您最希望政法机关解决的问题是什么？"},
        {"text": "您对本村矛盾纠纷调解工作满意吗？", "choices": ["满意", "一般", "不满意"]},
    ]
    assert Client().get(f"/portal/consultations/{item.pk}/").status_code == 404  # a draft is not public
    published = submit(
        client, f"/portal/staff/consultations/{item.pk}/publish", {"published": "1", "version": 1}
    )
    assert published.status_code == 302
    item.refresh_from_db()
    assert item.is_published and item.version == 2
    assert Client().get(f"/portal/consultations/{item.pk}/").status_code == 200
    listing = client.get(LIST).content.decode()
    assert "2027年政法工作意见建议征集" in listing and edit_url(item) in listing
    whats = list(
        AuditEvent.objects.filter(action=AuditEvent.Action.PUBLIC_TEXT_CHANGED).values_list(
            "data__what", flat=True
        )
    )
    assert sorted(whats) == ["consultation_created", "consultation_published"]
    # Withdrawn again: a stale version is refused with a message, nothing changes.
    submit(client, f"/portal/staff/consultations/{item.pk}/publish", {"published": "0", "version": 1})
    item.refresh_from_db()
    assert item.is_published
    submit(client, f"/portal/staff/consultations/{item.pk}/publish", {"published": "0", "version": 2})
    item.refresh_from_db()
    assert not item.is_published


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"ends": "2020-01-01"}, "结束日期不能早于开始日期"),
        ({"title": ""}, ""),
        ({"q1_choices": ""}, ""),  # a choice question without choices
        ({"q1_choices": "只有一个"}, ""),
        ({"q0_text": "", "q1_text": "", "q1_choices": ""}, "征集需要1至5个问题"),
        ({"q2_text": "", "q2_kind": "choice", "q2_choices": "甲\n乙"}, "第3题：题目不能为空"),
    ],
)
def test_a_bad_consultation_is_refused_in_the_form(qiannan, personas, overrides, reason) -> None:
    response = submit(browser(personas.dispatcher), NEW, form(personas, **overrides))
    assert response.status_code == 422
    assert reason in response.content.decode()
    assert (
        'class="field-error"' in response.content.decode()
        or 'class="form-errors"' in response.content.decode()
    )
    assert not Consultation.objects.exists()


def data(**overrides: Any) -> ConsultationData:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "title": "2027年政法工作意见建议征集",
        "text": "欢迎提出意见建议。",
        "starts": today,
        "ends": today + timedelta(days=30),
        "questions": QUESTIONS,
    }
    values.update(overrides)
    return ConsultationData(**values)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends": date(2020, 1, 1)}, "ends"),
        ({"ends": timezone.localdate() + timedelta(days=400)}, "ends"),
        ({"questions": [{"text": f"问题{i}"} for i in range(6)]}, "questions"),
        ({"questions": [{"text": "满意吗？", "choices": ["满意", ""]}]}, "questions"),
        ({"questions": [{"text": "满意吗？", "choices": ["满意", "满意"]}]}, "questions"),
        ({"questions": [{"text": "同一题"}, {"text": "同一题"}]}, "questions"),
    ],
)
def test_the_service_refuses_a_bad_period_too_many_questions_and_empty_choices(
    qiannan, personas, overrides, field
) -> None:
    with pytest.raises(InvalidInput) as refused:
        consultation_create(actor=personas.dispatcher, unit=personas.duyun_plc, data=data(**overrides))
    assert field in refused.value.details
    assert not Consultation.objects.exists()


def test_questions_are_frozen_once_answered_and_a_stale_edit_is_refused(qiannan, personas) -> None:
    item = consultation(personas)
    answer(Client(), item)
    changed = [{"text": "新的问题？"}]
    with pytest.raises(InvalidInput) as refused:
        consultation_edit(
            actor=personas.dispatcher, consultation=item, data=data(questions=changed), expected_version=1
        )
    assert refused.value.code == "questions_frozen"
    # The page shows the questions frozen and takes no change to them; the topic still changes.
    client = browser(personas.dispatcher)
    page = client.get(edit_url(item)).content.decode()
    assert 'data-testid="frozen"' in page and QUESTIONS[1]["text"] in page and 'name="q0_text"' not in page
    saved = submit(
        client, edit_url(item), form(personas, title="2027年征集（延长）", q0_text="改掉的题目", version=1)
    )
    assert saved.status_code == 302
    item.refresh_from_db()
    assert item.title == "2027年征集（延长）" and item.questions == QUESTIONS and item.version == 2
    stale = submit(client, edit_url(item), form(personas, title="旧页面的修改", version=1))
    assert stale.status_code == 409 and "该记录已被他人修改" in stale.content.decode()
    item.refresh_from_db()
    assert item.title == "2027年征集（延长）"
    with pytest.raises(StaleVersion):
        consultation_edit(actor=personas.dispatcher, consultation=item, data=data(), expected_version=1)


def test_an_unanswered_consultations_questions_can_change(qiannan, personas) -> None:
    item = consultation(personas, is_published=False)
    client = browser(personas.dispatcher)
    response = submit(
        client, edit_url(item), form(personas, q1_text="", q1_choices="", q2_text="还有什么建议？", version=1)
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.questions == [{"text": "您最希望政法机关解决的问题是什么？"}, {"text": "还有什么建议？"}]


def test_another_units_consultation_is_not_found(qiannan, personas) -> None:
    item = consultation(personas)
    answer(Client(), item)
    answer_id = ConsultationAnswer.objects.get().pk
    for other in (personas.other_handler, personas.handler, personas.other_leader):
        client = browser(other)
        assert item.title not in client.get(LIST).content.decode()
        assert client.get(edit_url(item)).status_code == 404
        assert submit(client, edit_url(item), form(personas, version=1)).status_code == 404
        publish = f"/portal/staff/consultations/{item.pk}/publish"
        assert submit(client, publish, {"published": "0", "version": 1}).status_code == 404
        adopt = f"/portal/consultations/{item.pk}/answers/{answer_id}/adopt"
        assert submit(client, adopt, {"adopted": "1", "public_reply": "已采纳"}).status_code == 404
    # Nor may one create in another unit's name, even one who runs one's own unit's consultations.
    response = submit(browser(personas.unit_head), NEW, form(personas))
    assert response.status_code == 422 and not Consultation.objects.exclude(pk=item.pk).exists()
    item.refresh_from_db()
    assert item.is_published and item.version == 1 and not ConsultationAnswer.objects.get().adopted


def test_a_member_who_does_not_run_the_units_consultations_reads_them_only(qiannan, personas) -> None:
    item = consultation(personas)
    answer(Client(), item)
    stored = ConsultationAnswer.objects.get()
    client = browser(personas.supervisor)  # a member of 都匀市委政法委, not its head, dispatcher or admin
    assert 'data-testid="nav-consultations"' in client.get("/").content.decode()
    listing = client.get(LIST).content.decode()
    assert (
        item.title in listing and 'data-testid="new"' not in listing and 'data-testid="edit"' not in listing
    )
    page = client.get(f"/portal/consultations/{item.pk}/answers")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="read-only"' in html
    assert 'data-testid="answer"' in html and 'data-testid="adopt-button"' not in html
    assert 'data-testid="edit"' not in html
    assert client.get(f"/portal/consultations/{item.pk}/answers.xlsx").status_code == 200
    refusals = [
        client.get(NEW),
        submit(client, NEW, form(personas)),
        client.get(edit_url(item)),
        submit(client, edit_url(item), form(personas, title="改过的标题", version=1)),
        submit(client, f"/portal/staff/consultations/{item.pk}/publish", {"published": "0", "version": 1}),
        submit(
            client,
            f"/portal/consultations/{item.pk}/answers/{stored.pk}/adopt",
            {"adopted": "1", "public_reply": "已采纳"},
        ),
    ]
    assert [r.status_code for r in refusals] == [403] * 6
    assert "只有本单位负责人、调度员或管理员" in refusals[-1].content.decode()
    item.refresh_from_db()
    stored.refresh_from_db()
    assert (Consultation.objects.count(), item.title, item.is_published, item.version) == (
        1,
        "2027年政法工作意见建议征集",
        True,
        1,
    )
    assert not stored.adopted and not stored.public_reply
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PUBLIC_TEXT_CHANGED).exists()
    # The same page for one who runs them has the adoption forms.
    runner = browser(personas.dispatcher).get(f"/portal/consultations/{item.pk}/answers").content.decode()
    assert 'data-testid="adopt-button"' in runner and 'data-testid="read-only"' not in runner


def test_the_answers_page_shows_all_the_adopted_or_the_others(qiannan, personas) -> None:
    item = consultation(personas)
    for text in ("希望加强反诈宣传。", "建议村口装路灯。", "建议多开普法讲座。"):
        answer(Client(), item, q0=text)
    lamp = ConsultationAnswer.objects.get(answers__0__answer="建议村口装路灯。")
    client = browser(personas.dispatcher)
    adopt = f"/portal/consultations/{item.pk}/answers/{lamp.pk}/adopt"
    done = submit(client, adopt, {"adopted": "1", "public_reply": "已采纳，年内安装。", "tab": "0"})
    assert done.status_code == 302 and "adopted=0" in done["Location"]  # back to the tab it was adopted from
    url = f"/portal/consultations/{item.pk}/answers"

    def shown(query: str) -> list[int]:
        html = client.get(url + query).content.decode()
        return sorted(int(pk) for pk in re.findall(r'data-testid="answer" data-answer="(\d+)"', html))

    others = sorted(ConsultationAnswer.objects.exclude(pk=lamp.pk).values_list("pk", flat=True))
    assert shown("") == sorted([*others, lamp.pk])
    assert shown("?adopted=1") == [lamp.pk]
    assert shown("?adopted=0") == others
    assert shown("?adopted=x") == sorted([*others, lamp.pk])  # an unknown tab is the whole list
    tabs = client.get(url + "?adopted=1").content.decode()
    assert re.search(r'data-tab="1" class="active"[^>]*>[^<]*<span class="count">1</span>', tabs)
    assert re.search(r'data-tab="0"[^>]*>[^<]*<span class="count">2</span>', tabs)
    # The export takes the tab's answers, and its name says which.
    assert f'href="/portal/consultations/{item.pk}/answers.xlsx?adopted=1"' in tabs
    export = client.get(f"/portal/consultations/{item.pk}/answers.xlsx?adopted=1")
    assert "%E5%B7%B2%E9%87%87%E7%BA%B3" in export["Content-Disposition"]  # 已采纳
    rows = xlsx_rows(response_bytes(export))
    assert [row[3] for row in rows[1:]] == ["建议村口装路灯。"] and rows[1][-2:] == [
        "是",
        "已采纳，年内安装。",
    ]
    others_export = xlsx_rows(
        response_bytes(client.get(f"/portal/consultations/{item.pk}/answers.xlsx?adopted=0"))
    )
    assert sorted(row[3] for row in others_export[1:]) == ["希望加强反诈宣传。", "建议多开普法讲座。"]
    assert len(xlsx_rows(response_bytes(client.get(f"/portal/consultations/{item.pk}/answers.xlsx")))) == 4


PATROL = [
    "建议加强农村治安巡逻，晚上经常有人偷东西。",
    "希望派出所多到村里夜间巡逻，加强农村治安。",
    "农村治安巡逻要加强，特别是晚上。",
    "加强对农村地区的治安巡逻力度。",
]
OTHER = "学校门口交通太乱，建议安排交警疏导。"


def test_free_answers_are_grouped_by_similar_text(qiannan, personas) -> None:
    item = consultation(personas)
    for n, text in enumerate([PATROL[0], OTHER, *PATROL[1:]]):
        assert answer(Client(), item, q0=text, phone=f"1390000001{n}").status_code == 201
    free, choice = answers_by_question(item)
    assert choice.similar == [] and choice.alone == []
    [group] = free.similar
    assert group.size == 4 and group.text in PATROL
    assert {text for _code, text in group.members} == set(PATROL)
    assert any("治安" in phrase or "巡逻" in phrase for phrase in group.phrases)
    assert [text for _code, text in free.alone] == [OTHER]
    page = client_for(personas.dispatcher).get(f"/portal/consultations/{item.pk}/answers").content.decode()
    assert 'data-testid="similar-group" data-size="4"' in page
    assert page.index('data-testid="similar-group"') < page.index('data-testid="alone"')
    assert page.index(PATROL[3]) < page.index(OTHER)


def test_an_answer_is_adopted_and_taken_back_from_the_page(qiannan, personas) -> None:
    item = consultation(personas)
    answer(Client(), item, q0="希望加强反诈宣传，电话13812345678。")
    stored = ConsultationAnswer.objects.get()
    client = browser(personas.dispatcher)
    adopt = f"/portal/consultations/{item.pk}/answers/{stored.pk}/adopt"
    refused = submit(client, adopt, {"adopted": "1", "public_reply": "  "})
    assert refused.status_code == 422
    html = refused.content.decode()
    assert (
        'data-testid="adopt-error"' in html and "采纳时请填写公开答复" in html and "13812345678" not in html
    )
    stored.refresh_from_db()
    assert not stored.adopted
    done = submit(client, adopt, {"adopted": "1", "public_reply": "已采纳，明年进村开展反诈宣传。"})
    assert done.status_code == 302 and done["Location"].endswith(f"#answer-{stored.pk}")
    stored.refresh_from_db()
    assert stored.adopted and stored.public_reply == "已采纳，明年进村开展反诈宣传。"
    assert "明年进村开展反诈宣传" in Client().get(f"/portal/consultations/{item.pk}/").content.decode()
    assert (
        'data-testid="unadopt-button"'
        in client.get(f"/portal/consultations/{item.pk}/answers").content.decode()
    )
    submit(client, adopt, {"adopted": "0", "public_reply": "已采纳，明年进村开展反诈宣传。"})
    stored.refresh_from_db()
    assert not stored.adopted and stored.public_reply  # the reply is kept, unpublished
    assert "明年进村开展反诈宣传" not in Client().get(f"/portal/consultations/{item.pk}/").content.decode()
    whats = AuditEvent.objects.filter(action=AuditEvent.Action.PUBLIC_TEXT_CHANGED).values_list(
        "data__what", flat=True
    )
    assert sorted(whats) == ["answer_adopted", "answer_unadopted"]


def test_the_report_api_has_the_consultations_section(qiannan, personas) -> None:
    from portal.services import consultation_adopt

    item = consultation(personas)
    answer(Client(), item)
    answer(Client(), item, phone="13900000003")
    consultation_adopt(
        answer=ConsultationAnswer.objects.order_by("id")[0],
        adopted=True,
        public_reply="已采纳，张三反映的问题将加强反诈宣传，电话13812345678。",
    )
    today = timezone.localdate()
    query = {"from": str(today.replace(day=1)), "to": str(today + timedelta(days=1))}
    response = api_client(personas.supervisor).get("/api/v1/reports/decision", query)
    assert response.status_code == 200
    [masses] = response.json()["masses"]
    assert masses["consultation_id"] == item.pk and masses["title"] == item.title
    assert (masses["unit"], masses["answers"], masses["adopted"]) == (personas.duyun_plc.name, 2, 1)
    [reply] = masses["replies"]
    assert "将加强反诈宣传" in reply and "13812345678" not in reply


def test_a_large_consultations_shared_words_still_group_its_answers(qiannan) -> None:
    """Among 500 texts or more the hot issues drop the words many share; one question's answers keep them."""
    from portal.selectors import similar_answers

    topics = ["加强农村治安巡逻", "加强反诈宣传力度", "学校门口交通疏导", "增加村里调解员"]
    given = [(f"C{i}", f"{['建议', '希望', '恳请'][i % 3]}{topics[i % 4]}。") for i in range(520)]
    groups, alone = similar_answers(given)
    assert sorted(g.size for g in groups) == [130, 130, 130, 130] and alone == []


def test_the_admin_shows_consultations_but_writes_them_only_through_the_units_pages(
    qiannan, personas
) -> None:
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root-consult", password="x-very-long-pass-1")
    client = Client()
    client.force_login(admin)
    assert client.get("/admin/portal/consultation/").status_code == 200
    assert client.get("/admin/portal/consultation/add/").status_code == 403
