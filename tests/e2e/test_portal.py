"""The citizen portal on a phone (issue 14): submit a problem with a photo (the challenge solved silently),
keep the code and secret, follow the handling, read the approved reply and rate it."""

import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from appeals.models import Appeal, Callback
from portal.models import PortalPhoto
from portal.tests.factories import COUNTY, TOWNSHIP, VILLAGE, camera_jpeg, handled

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
REPLY = "经人社局调查，施工企业已于本周将拖欠的三万二千元工资全额支付给您，请查收。"


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def test_a_citizen_submits_with_a_photo_follows_and_rates(
    phone, live_server, personas, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    page = phone
    page.goto(f"{live_server.url}/portal/")
    expect(page.locator("h1")).to_contain_text("反映问题")
    page.wait_for_selector("#portal-form[data-ready='1']")  # the script listens before we choose
    page.select_option("#id_topic", "wages")
    page.select_option("#id_county", COUNTY)
    expect(page.locator(f"#id_township option[value='{TOWNSHIP}']")).to_have_count(1)
    page.select_option("#id_township", TOWNSHIP)
    expect(page.locator(f"#id_village option[value='{VILLAGE}']")).to_have_count(1)
    page.select_option("#id_village", VILLAGE)
    page.fill("#id_text", "我在工地务工八个月，老板拖欠工资三万二千元，春节前急需回家，请帮忙讨薪。")
    page.fill("#id_name", "张三")
    page.fill("#id_phone", "13812345678")
    photo = {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg()}
    page.set_input_files("#id_photos", files=[photo])
    expect(page.locator("#photo-previews li")).to_have_count(1)
    page.click("#portal-submit")

    expect(page.locator("[data-testid=submitted]")).to_be_visible()
    code = page.locator("[data-testid=tracking-code]").inner_text()
    secret = page.locator("[data-testid=secret]").inner_text()
    appeal = Appeal.objects.get(code=code)
    assert appeal.source == "portal" and appeal.region_id == VILLAGE
    stored = Path(PortalPhoto.objects.get(appeal=appeal).image.path).read_bytes()
    assert len(stored) < 400_000 and b"Exif" not in stored
    assert max(Image.open(io.BytesIO(stored)).size) == 1600

    handled(personas, appeal, reply=REPLY)

    page.click("text=查询办理进度")
    page.fill("#id_code", code)
    page.fill("#id_secret", secret)
    page.click(".portal-form button[type=submit]")
    expect(page.locator("[data-testid=reply]")).to_contain_text("全额支付")
    expect(page.locator("[data-testid=unit]")).to_contain_text("都匀市人力资源和社会保障局")
    page.check("input[name=solved][value=yes]")
    page.check("input[name=satisfaction][value=satisfied]")
    page.click("[data-testid=rate-form] button[type=submit]")
    expect(page.locator("[data-testid=thanked]")).to_be_visible()
    assert Callback.objects.get(appeal=appeal).method == "portal"
    assert Appeal.objects.get(pk=appeal.pk).status == "closed"


def test_a_citizen_answers_a_consultation_on_a_phone(phone, live_server, personas) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from portal.models import Consultation, ConsultationAnswer

    today = timezone.localdate()
    item = Consultation.objects.create(
        unit=personas.duyun_plc,
        title="2027年政法工作意见建议征集",
        text="欢迎群众对明年的政法工作提出意见建议。",
        starts=today,
        ends=today + timedelta(days=30),
        questions=[
            {"text": "您最希望解决的问题是什么？"},
            {"text": "您对调解工作满意吗？", "choices": ["满意", "一般"]},
        ],
        is_published=True,
    )
    page = phone
    page.goto(f"{live_server.url}/portal/consultations/")
    page.click("text=2027年政法工作意见建议征集")
    page.wait_for_selector("#portal-form[data-ready='1']")
    page.fill("#id_q0", "希望加强反诈宣传，村里老人容易上当受骗。")
    page.check("input[name=q1][value=满意]")
    page.select_option("#id_county", COUNTY)
    expect(page.locator(f"#id_township option[value='{TOWNSHIP}']")).to_have_count(1)
    page.select_option("#id_township", TOWNSHIP)
    expect(page.locator(f"#id_village option[value='{VILLAGE}']")).to_have_count(1)
    page.select_option("#id_village", VILLAGE)
    page.check("#id_anonymous")
    page.click("#portal-submit")
    expect(page.locator("[data-testid=submitted]")).to_be_visible()
    stored = ConsultationAnswer.objects.get(consultation=item)
    assert stored.appeal.kind == "suggestion" and stored.appeal.anonymous
    assert [pair["answer"] for pair in stored.answers] == ["希望加强反诈宣传，村里老人容易上当受骗。", "满意"]


def test_a_poster_link_opens_the_form_with_the_village_and_its_neighbours(
    phone, live_server, personas
) -> None:
    page = phone
    page.goto(f"{live_server.url}/portal/?place={VILLAGE}")
    page.wait_for_selector("#portal-form[data-ready='1']")
    expect(page.locator("#id_village")).to_have_value(VILLAGE)
    expect(page.locator("#id_township option")).not_to_have_count(
        2
    )  # the county's townships, not only this one
    expect(page.locator("#id_village")).to_have_value(VILLAGE)


def test_a_unit_runs_a_consultation_and_adopts_an_answer_on_a_phone(phone, live_server, personas) -> None:
    from appeals.services import Reporter
    from portal.models import Consultation, ConsultationAnswer
    from portal.services import consultation_answer
    from tests.e2e.test_login import sign_in

    page = phone
    sign_in(page, live_server, "dispatcher")
    page.wait_for_selector("[data-role=dispatcher]")
    page.click("[data-testid=nav-consultations]")
    page.click("[data-testid=new]")
    page.fill("#id_title", "2027年平安建设意见征集")
    page.fill("#id_text", "欢迎对平安建设提出意见建议。")
    page.fill("#id_q0_text", "您对平安建设有什么建议？")
    page.fill("#id_q1_text", "您觉得村里治安怎么样？")
    page.select_option("#id_q1_kind", "choice")
    page.fill("#id_q1_choices", "好\n一般\n差")
    page.click("[data-testid=save]")
    page.click("[data-testid=publish-button]")
    expect(page.locator("[data-testid=unpublish]")).to_be_visible()
    item = Consultation.objects.get(title="2027年平安建设意见征集")
    assert item.is_published and item.questions[1]["choices"] == ["好", "一般", "差"]
    consultation_answer(
        consultation=item,
        answers=["建议加强农村治安巡逻。", "一般"],
        region_code=VILLAGE,
        anonymous=True,
        reporter=Reporter(),
    )
    page.goto(f"{live_server.url}/portal/consultations/{item.pk}/answers")
    card = page.locator("[data-testid=answer]").first
    card.locator("[data-testid=adopt-button]").click()
    expect(page.locator("[data-testid=adopt-error]")).to_contain_text("采纳时请填写公开答复")
    page.fill("[data-testid=answer] textarea", "已采纳，明年将增加夜间巡逻。")
    page.locator("[data-testid=answer] [data-testid=adopt-button]").first.click()
    expect(page.locator("[data-testid=adopted]")).to_be_visible()
    assert ConsultationAnswer.objects.get(consultation=item).adopted
    page.goto(f"{live_server.url}/portal/consultations/{item.pk}/")
    expect(page.locator("body")).to_contain_text("明年将增加夜间巡逻")
