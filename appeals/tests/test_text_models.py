"""Issue 13, item 2 on the appeals side: top-3 suggestions at triage and on registration (with "暂无建议"
below the threshold), the nightly retraining on closed appeals, and the reply-quality score shown to the
handler before filing and to the unit head at approval."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from appeals.models import Appeal, AppealStatus
from appeals.services import text_models_retrain
from appeals.services.text_models import CATEGORY_MODEL, LEAD_KIND_MODEL
from appeals.tests.factories import accepted, register
from appeals.tests.test_views import post
from org.models import Role
from org.tests.factories import make_member
from tests.support import api_client, client_for
from text.chinese import reset_terms
from text.classify import latest_model_path, new_model_path, save, train

MISSING = 987654321

WAGES = ["工地老板拖欠农民工工资", "建筑公司欠薪半年不发", "包工头拖欠工人工资不给", "讨要工厂拖欠的工资"]
ROADS = ["道路坑洼积水难行", "路面破损请尽快修路", "马路年久失修坑洼", "村道塌方无人修路"]
FEES = ["小学乱收补课费", "中学老师违规补课收费", "学校强制学生补课", "幼儿园收费过高家长不满"]
PLACES = ["沙包堡街道", "墨冲镇", "匀东镇", "小围寨街道", "广惠街道", "洛邦镇"]
LABELS = {"labour.wage_arrears": WAGES, "infrastructure.roads": ROADS, "education.fees": FEES}


def corpus() -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for code, patterns in LABELS.items():
        for pattern in patterns:
            for place in PLACES:
                texts.append(f"{place}{pattern}")
                labels.append(code)
    return texts, labels


@pytest.fixture(autouse=True)
def _models_in_tmp(tmp_path: Path, settings: Any) -> Iterator[None]:
    settings.VAR_DIR = tmp_path
    reset_terms([])  # small dictionary: the tests' texts need no place names
    yield
    reset_terms()


@pytest.fixture
def category_model() -> Path:
    return save(train(*corpus()), new_model_path(CATEGORY_MODEL))


def suggestions(client: Client, appeal_id: int) -> Any:
    response = client.get(f"/api/v1/appeals/{appeal_id}/suggestions")
    assert response.status_code == 200, response.content.decode()
    return response.json()


def test_triage_gets_top_categories_and_the_staffed_lead_unit_of_the_region(personas, category_model) -> None:
    appeal = register(
        personas.dispatcher, title="春节前讨要工资", description="工地老板拖欠农民工工资八个月。"
    )
    body = suggestions(api_client(personas.dispatcher), appeal.pk)
    assert set(body) == {"categories", "lead_units"}
    first = body["categories"][0]
    assert first["code"] == "labour.wage_arrears" and first["name"] == "拖欠农民工工资"
    assert 0.35 <= first["confidence"] <= 1 and len(body["categories"]) <= 3
    # no lead-unit model yet: the routing rule of the suggested category, resolved in the appeal's region
    assert body["lead_units"][0] == {
        "id": personas.duyun_hr.pk,
        "name": personas.duyun_hr.name,
        "confidence": first["confidence"],
    }


def test_without_a_model_there_is_no_suggestion(personas) -> None:
    appeal = register(personas.dispatcher)
    assert suggestions(api_client(personas.dispatcher), appeal.pk) == {"categories": [], "lead_units": []}


def test_an_unclear_text_gets_no_suggestion(personas, category_model) -> None:
    appeal = register(personas.dispatcher, title="嗯嗯嗯", description="嗯嗯。")
    assert suggestions(api_client(personas.dispatcher), appeal.pk)["categories"] == []


def test_suggestions_answer_within_the_appeals_scope_only(personas, category_model) -> None:
    appeal = register(personas.dispatcher)
    for user in (personas.other_leader, personas.other_handler):
        response = api_client(user).get(f"/api/v1/appeals/{appeal.pk}/suggestions")
        assert response.status_code == 404
    missing = api_client(personas.dispatcher).get(f"/api/v1/appeals/{MISSING}/suggestions")
    assert missing.status_code == 404
    assert api_client(personas.supervisor).get(f"/api/v1/appeals/{appeal.pk}/suggestions").status_code == 200


def test_the_registration_desk_asks_for_a_text_not_saved_yet(personas, category_model) -> None:
    client = api_client(personas.dispatcher)
    before = Appeal.objects.count()
    response = client.post(
        "/api/v1/appeals/suggestions",
        {"title": "讨要工资", "description": "建筑公司欠薪半年不发", "region_code": "522701001001"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content.decode()
    assert response.json()["categories"][0]["code"] == "labour.wage_arrears"
    assert Appeal.objects.count() == before


def test_suggestions_for_a_text_refuse_bad_input_and_roles_that_do_not_register(personas) -> None:
    client = api_client(personas.dispatcher)
    bad = client.post(
        "/api/v1/appeals/suggestions", {"title": "", "region_code": "52"}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert {d["loc"][-1] for d in bad.json()["error"]["details"]} >= {"title", "region_code"}
    leader = api_client(personas.other_leader).post(
        "/api/v1/appeals/suggestions",
        {"title": "讨要工资", "region_code": "522701001001"},
        content_type="application/json",
    )
    assert leader.status_code == 403


def close(appeal: Appeal) -> None:
    Appeal.objects.filter(pk=appeal.pk).update(
        status=AppealStatus.CLOSED, resolved_at=timezone.now(), closed_at=timezone.now()
    )


def test_the_nightly_retraining_waits_for_enough_new_labels_then_trains_both_models(
    personas, settings
) -> None:
    settings.TEXT_RETRAIN_MIN_NEW_LABELS = 10
    texts, codes = corpus()
    for i, (text, code) in enumerate(zip(texts[::2], codes[::2], strict=True)):
        appeal = register(personas.dispatcher, title=text[:20], description=text, category_code=code)
        if i % 12 < 3:
            close(appeal)
    first = {r.name: r for r in text_models_retrain()}
    assert not first[CATEGORY_MODEL].trained and "new labels" in first[CATEGORY_MODEL].reason
    assert latest_model_path(CATEGORY_MODEL) is None

    for appeal in Appeal.objects.exclude(status=AppealStatus.CLOSED):
        close(appeal)
    Appeal.objects.update(lead_unit=personas.duyun_hr)
    Appeal.objects.filter(category__code="infrastructure.roads").update(lead_unit=personas.duyun_police)
    second = {r.name: r for r in text_models_retrain()}
    assert second[CATEGORY_MODEL].trained and second[CATEGORY_MODEL].n == 36
    assert second[LEAD_KIND_MODEL].trained
    assert set(second[CATEGORY_MODEL].evaluation) == {"macro_f1", "accuracy", "n", "texts_per_s"}
    path = latest_model_path(CATEGORY_MODEL)
    assert path is not None and path.with_suffix(".json").exists()

    third = {r.name: r for r in text_models_retrain()}
    assert not third[CATEGORY_MODEL].trained  # nothing new since

    make_member(username="police_handler", unit=personas.duyun_police, role=Role.HANDLER)
    fresh = register(personas.dispatcher, title="修路", description="村道塌方无人修路，请尽快修路。")
    body = suggestions(api_client(personas.dispatcher), fresh.pk)
    assert body["categories"][0]["code"] == "infrastructure.roads"
    assert body["lead_units"][0]["id"] == personas.duyun_police.pk


def test_the_triage_page_shows_the_suggestions_or_says_there_is_none(personas, category_model) -> None:
    appeal = register(personas.dispatcher, title="讨要工资", description="工地老板拖欠农民工工资。")
    page = client_for(personas.dispatcher).get(f"/appeals/{appeal.pk}/").content.decode()
    assert 'data-testid="text-suggestions"' in page and "拖欠农民工工资" in page
    category_model.unlink()
    page = client_for(personas.dispatcher).get(f"/appeals/{appeal.pk}/").content.decode()
    assert "暂无建议" in page


def test_the_registration_form_offers_suggestions(personas) -> None:
    page = client_for(personas.dispatcher).get("/appeals/new/").content.decode()
    assert 'id="text-suggestions"' in page and "/api/v1/appeals/suggestions" in page


REPLY = "经核查，用人单位已于本周将拖欠的工资全额支付，当事人确认收到。"


def test_the_handler_checks_the_reply_quality_before_filing_and_nothing_is_written(personas) -> None:
    appeal = accepted(personas)
    client = client_for(personas.handler)
    response = post(
        client, f"/appeals/{appeal.pk}/resolve/", {"version": appeal.version, "reply": "已办", "preview": "1"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="reply-score"' in page
    assert "答复过短或只是套话" in page
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.IN_PROGRESS


def test_the_unit_head_sees_the_score_and_its_reasons_before_approving(personas) -> None:
    from appeals.services import appeal_resolve

    appeal = accepted(personas, category_code="labour.contract")
    appeal_resolve(appeal=appeal, actor=personas.handler, expected_version=appeal.version, reply=REPLY)
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.AWAITING_APPROVAL
    page = client_for(personas.unit_head).get(f"/appeals/{appeal.pk}/").content.decode()
    assert 'data-testid="reply-score"' in page and "/100" in page
    handler_page = client_for(personas.handler).get(f"/appeals/{appeal.pk}/").content.decode()
    assert 'data-testid="reply-score"' not in handler_page


def test_the_dispatch_queue_hints_a_category_where_the_model_disagrees(personas, category_model) -> None:
    wrong = register(
        personas.dispatcher,
        title="讨要工资",
        description="工地老板拖欠农民工工资。",
        category_code="education.fees",
    )
    right = register(personas.dispatcher, title="讨要工资", description="包工头拖欠工人工资不给。")
    page = client_for(personas.dispatcher).get("/appeals/dispatch/").content.decode()
    assert page.count('data-testid="category-hint"') == 1
    row = page[page.index(f'data-code="{wrong.code}"') :]
    assert "建议分类：拖欠农民工工资" in row[: row.index("</tr>")]
    assert right.code in page


def test_the_retraining_is_a_nightly_job() -> None:
    from datetime import datetime

    from huey.contrib.djhuey import HUEY

    def due(hour: int, minute: int) -> set[str]:
        return {task.name for task in HUEY.read_periodic(datetime(2027, 1, 4, hour, minute))}

    assert "retrain_text_models_task" in due(2, 40)
    assert "retrain_text_models_task" not in due(2, 41) | due(14, 40)


def test_the_nightly_job_keeps_the_models_when_there_is_nothing_new(personas) -> None:
    from appeals.tasks import retrain_text_models_task

    retrain_text_models_task.call_local()
    assert latest_model_path(CATEGORY_MODEL) is None


def test_the_reply_model_learns_from_the_replies_of_closed_appeals_and_the_score_uses_it(
    personas, settings
) -> None:
    settings.TEXT_RETRAIN_MIN_NEW_LABELS = 100
    from appeals.services import reply_quality
    from appeals.services.text_models import REPLY_MODEL

    answers = [
        ("希望{}设地铁站，出行方便", "您好！{}轨道交通线网规划正在编制，将充分论证研究。"),
        ("{}小区物业乱收停车费", "您好！经核查，{}小区物业已按规定退还多收的停车费用。"),
    ]
    places = [
        f"{p}{n}"
        for p in PLACES
        for n in ("一组", "二组", "三组", "四组", "五组", "六组", "七组", "八组", "九组", "十组")
    ]
    closed = []
    for appeal_form, reply_form in answers:
        for place in places:
            appeal = register(
                personas.dispatcher,
                title=appeal_form.format(place)[:20],
                description=appeal_form.format(place),
            )
            appeal.reply, appeal.status, appeal.resolved_at = (
                reply_form.format(place),
                AppealStatus.CLOSED,
                timezone.now(),
            )
            closed.append(appeal)
    Appeal.objects.bulk_update(closed, ["reply", "status", "resolved_at"])
    fresh = register(personas.dispatcher, title="增设地铁站", description="恳请在墨冲镇增设一个地铁站。")
    synonym = "您好！墨冲镇轨道交通线网规划修编中将研究您的意见，感谢您的支持。"
    before = reply_quality(appeal=fresh, reply=synonym, at=timezone.now())

    result = {r.name: r for r in text_models_retrain()}[REPLY_MODEL]
    assert result.trained and result.n == 2 * len(places) and result.evaluation == {"topics": True}
    assert latest_model_path(REPLY_MODEL) is not None
    after = reply_quality(appeal=fresh, reply=synonym, at=timezone.now())
    # The reply never says 地铁, but the past replies taught that 轨道交通 answers it.
    assert after.relevance > before.relevance
    off = reply_quality(
        appeal=fresh, reply="您好！经核查，小区物业已按规定退还多收的停车费用。", at=timezone.now()
    )
    assert after.overall > off.overall
    assert not {r.name: r for r in text_models_retrain()}[REPLY_MODEL].trained  # nothing new since
