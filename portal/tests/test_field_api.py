"""Consultations (征集) in the field app's API: the ones open at a visitor's 包保 places, and answers heard on
visits sent in batches: each a suggestion with source `visit` linked to the consultation, idempotent by the
phone's UUID, refused row by row with nothing written for a refused row."""

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from appeals.models import Appeal
from campaigns.models import Campaign, Responsibility, Visit
from portal.models import Consultation, ConsultationAnswer
from portal.tests.factories import VILLAGE
from tests.support import api_client

pytestmark = pytest.mark.django_db

OTHER_VILLAGE = "522701001002"  # in 都匀市, not 包保 by the visitor
FUQUAN_VILLAGE = "522702001001"  # another county: outside the visitor's scope
URL = "/api/v1/consultations/answers/batch"
QUESTIONS: list[dict[str, Any]] = [
    {"text": "您最希望政法机关解决的问题是什么？"},
    {"text": "您对本村矛盾纠纷调解工作满意吗？", "choices": ["满意", "一般", "不满意"]},
]


def consultation(unit: Any, **overrides: Any) -> Consultation:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "unit": unit,
        "title": "2027年政法工作意见建议征集",
        "text": "欢迎群众对明年的政法工作提出意见建议。",
        "starts": today - timedelta(days=3),
        "ends": today + timedelta(days=30),
        "questions": QUESTIONS,
        "is_published": True,
    }
    values.update(overrides)
    return Consultation.objects.create(**values)


def body(item: Consultation, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "consultation": item.pk,
        "place_code": VILLAGE,
        "answered_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
        "answers": ["希望加强反诈宣传，老人容易上当。", "一般"],
        "reporter": {"name": "李四", "phone": "13900000001"},
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def send(user: Any, *items: dict[str, Any]) -> Any:
    return api_client(user).post(URL, {"items": list(items)}, content_type="application/json")


@pytest.fixture
def campaign(personas: Any) -> Campaign:
    today = timezone.localdate()
    running = Campaign.objects.create(
        name="冬春大走访", starts=today - timedelta(days=7), ends=today + timedelta(days=30)
    )
    Responsibility.objects.create(campaign=running, visitor=personas.visitor, region_id=VILLAGE)
    return running


def nothing_stored() -> bool:
    return not ConsultationAnswer.objects.exists() and not Appeal.objects.exists()


# --- GET /me/consultations --------------------------------------------------------------------------------


def test_my_consultations_are_the_open_ones_asked_at_my_places(personas, campaign) -> None:
    today = timezone.localdate()
    county = consultation(personas.duyun_plc)
    prefecture = consultation(personas.prefecture_plc, title="全州平安建设征集")
    consultation(
        personas.duyun_plc, title="已结束的征集", starts=today - timedelta(days=9), ends=today - timedelta(1)
    )
    consultation(personas.duyun_plc, title="草稿", is_published=False)
    consultation(personas.fuquan_plc, title="福泉市的征集")

    response = api_client(personas.visitor).get("/api/v1/me/consultations")

    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["id"] for i in items] == [county.pk, prefecture.pk]  # the nearest unit's first
    assert items[0]["place_codes"] == [VILLAGE] and items[0]["unit"] == "都匀市委政法委"
    assert items[0]["questions"] == [
        {"text": QUESTIONS[0]["text"], "choices": []},
        {"text": QUESTIONS[1]["text"], "choices": ["满意", "一般", "不满意"]},
    ]


def test_without_places_there_is_no_consultation_and_without_sign_in_401(personas, campaign) -> None:
    consultation(personas.duyun_plc)
    assert api_client(personas.other_leader).get("/api/v1/me/consultations").json() == {"items": []}
    assert Client().get("/api/v1/me/consultations").status_code == 401


# --- POST /consultations/answers/batch --------------------------------------------------------------------


def test_each_answer_becomes_one_suggestion_heard_on_a_visit(personas, campaign) -> None:
    item = consultation(personas.duyun_plc)
    visit = Visit.objects.create(
        uuid=uuid.uuid4(),
        campaign=campaign,
        visitor=personas.visitor,
        region_id=VILLAGE,
        started_at=timezone.now() - timedelta(hours=1),
    )
    first = body(item, visit_uuid=str(visit.uuid))
    second = body(item, answers=["", "满意"], reporter=None, anonymous=True, place_code=OTHER_VILLAGE)

    response = send(personas.visitor, first, second)

    assert response.status_code == 200
    data = response.json()
    assert [r["status"] for r in data["results"]] == [201, 201]
    assert (data["created"], data["repeated"], data["failed"]) == (2, 0, 0)
    stored = ConsultationAnswer.objects.get(uuid=first["uuid"])
    assert data["results"][0]["id"] == stored.pk and data["results"][0]["appeal_id"] == stored.appeal_id
    assert stored.consultation == item and stored.visit == visit
    assert stored.answers == [
        {"question": QUESTIONS[0]["text"], "answer": "希望加强反诈宣传，老人容易上当。"},
        {"question": QUESTIONS[1]["text"], "answer": "一般"},
    ]
    appeal = stored.appeal
    assert (appeal.kind, appeal.source, appeal.region_id) == ("suggestion", "visit", VILLAGE)
    assert appeal.registered_by == personas.visitor and appeal.reporter_name == "李四"
    assert appeal.title == "征集：2027年政法工作意见建议征集"
    assert "问：您对本村矛盾纠纷调解工作满意吗？\n答：一般" in appeal.description
    anonymous = ConsultationAnswer.objects.get(uuid=second["uuid"])
    assert anonymous.appeal.anonymous and anonymous.appeal.reporter_name == ""
    assert anonymous.answers == [{"question": QUESTIONS[1]["text"], "answer": "满意"}]
    assert anonymous.visit is None


def test_a_repeat_answers_the_stored_record_and_writes_nothing(personas, campaign) -> None:
    item = consultation(personas.duyun_plc)
    answer = body(item)
    first = send(personas.visitor, answer).json()["results"][0]

    again = send(personas.visitor, answer, answer).json()

    assert [r["status"] for r in again["results"]] == [200, 200]
    assert {r["id"] for r in again["results"]} == {first["id"]}
    assert again["repeated"] == 2
    assert ConsultationAnswer.objects.count() == 1 and Appeal.objects.count() == 1


def test_the_same_uuid_with_other_content_is_a_409_conflict(personas, campaign) -> None:
    item = consultation(personas.duyun_plc)
    answer = body(item)
    send(personas.visitor, answer)

    result = send(personas.visitor, {**answer, "answers": ["换了说法", "满意"]}).json()["results"][0]

    assert result["status"] == 409 and result["error"]["code"] == "uuid_conflict"
    assert result["error"]["details"] == {"uuid": answer["uuid"]}
    assert ConsultationAnswer.objects.count() == 1 and Appeal.objects.count() == 1
    # Another cadre's UUID is not theirs to read back either.
    other = send(personas.dispatcher, answer).json()["results"][0]
    assert other["status"] == 409 and other["id"] is None


@pytest.mark.parametrize("place", [FUQUAN_VILLAGE, "522701999999", "522701001000"])
def test_a_place_outside_my_scope_unknown_or_not_a_village_is_refused_alike(
    personas, campaign, place
) -> None:
    item = consultation(personas.prefecture_plc)  # asked everywhere, so only the place can be wrong

    result = send(personas.visitor, body(item, place_code=place)).json()["results"][0]

    assert result["status"] == 422 and result["error"]["code"] == "invalid_input"
    assert result["error"]["details"] == {"place_code": "地点不存在或不在您的工作范围内"}
    assert nothing_stored()


def test_a_consultation_closed_or_not_asked_at_that_place_is_refused(personas, campaign) -> None:
    today = timezone.localdate()
    closed = consultation(
        personas.duyun_plc, starts=today - timedelta(days=9), ends=today - timedelta(days=1)
    )
    draft = consultation(personas.duyun_plc, is_published=False)
    elsewhere = consultation(personas.fuquan_plc)
    township = consultation(personas.guanghui)  # 广惠街道 asks its own villages only

    results = send(
        personas.visitor,
        body(closed),
        body(draft),
        body(elsewhere),
        body(township, place_code="522701002001"),
        {**body(township), "consultation": 10**9},
    ).json()["results"]

    assert [r["status"] for r in results] == [422] * 5
    assert [r["error"]["code"] for r in results] == ["consultation_closed"] + ["consultation_not_here"] * 4
    assert "answered_at" in results[0]["error"]["details"]
    assert results[1]["error"]["details"] == {"consultation": "该征集不存在或未在此地开展"}
    assert nothing_stored()


def test_an_answer_heard_while_open_is_taken_after_the_close(personas, campaign) -> None:
    """A phone without network for days must not lose what it heard on the last day."""
    today = timezone.localdate()
    item = consultation(personas.duyun_plc, starts=today - timedelta(days=9), ends=today - timedelta(days=2))
    heard = timezone.now() - timedelta(days=3)

    result = send(personas.visitor, body(item, answered_at=heard.isoformat())).json()["results"][0]

    assert result["status"] == 201


def test_answers_are_checked_against_the_questions(personas, campaign) -> None:
    item = consultation(personas.duyun_plc)

    results = send(
        personas.visitor,
        body(item, answers=["说得好", "非常满意"]),  # not one of the choices
        body(item, answers=["只答了一题"]),  # one per question, in order
        body(item, answers=["", ""]),  # nothing answered
        body(item, answers=["长" * 501, "一般"]),  # longer than a free answer may be
        body(item, answers=["<script>alert(1)</script>", "一般"]),
        body(item, answered_at=(timezone.now() + timedelta(hours=2)).isoformat()),
        body(item, answered_at="2027-01-10T10:05:00"),  # no time zone
        body(item, anonymous=True),  # anonymous, yet with a contact
        body(item, visit_uuid=str(uuid.uuid4())),  # a visit I did not record
    ).json()["results"]

    assert [r["status"] for r in results] == [422] * 9
    assert results[0]["error"]["details"] == {"answers": {"1": "请从选项中选择：满意、一般、不满意"}}
    assert "answers" in results[1]["error"]["details"]
    assert results[2]["error"]["details"] == {"answers": "请至少回答一个问题"}
    for schema_refusal in results[3:5] + results[6:8]:
        assert schema_refusal["error"]["code"] == "invalid_input"
        assert isinstance(schema_refusal["error"]["details"], list) and schema_refusal["error"]["details"]
    assert "answered_at" in results[5]["error"]["details"]
    assert results[8]["error"]["details"] == {"visit_uuid": "走访记录不存在"}
    assert nothing_stored()


def test_a_refused_row_leaves_the_others_of_its_batch_stored(personas, campaign) -> None:
    item = consultation(personas.duyun_plc)
    good, bad = body(item), body(item, place_code=FUQUAN_VILLAGE)

    data = send(personas.visitor, bad, good, {"uuid": 5}).json()

    assert [r["status"] for r in data["results"]] == [422, 201, 422]
    assert data["results"][2]["uuid"] == ""
    assert (data["created"], data["failed"]) == (1, 2)
    assert list(ConsultationAnswer.objects.values_list("uuid", flat=True)) == [uuid.UUID(good["uuid"])]
    assert Appeal.objects.count() == 1


def test_only_cadres_who_visit_may_send_answers(personas, campaign) -> None:
    item = consultation(personas.duyun_plc)
    response = send(personas.other_leader, body(item))
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    assert Client().post(URL, {"items": []}, content_type="application/json").status_code == 401
    assert nothing_stored()


def test_a_batch_too_large_is_refused_whole(personas, campaign) -> None:
    item = consultation(personas.duyun_plc)
    response = send(personas.visitor, *[body(item) for _ in range(201)])
    assert response.status_code == 422
    assert nothing_stored()
