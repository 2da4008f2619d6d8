"""Consultations (征集) in the field app on a phone: at a 包保 village with an open consultation the visitor sees
it, records one person's answers with no network, sees them wait in the outbox, and once the network returns they
arrive exactly once: one ConsultationAnswer and one suggestion appeal (source visit), linked to the visit."""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appeals.models import Appeal
from campaigns import models as campaigns_models
from portal.models import Consultation, ConsultationAnswer
from tests.e2e.test_field_offline import DB_NAME, open_field_app

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
VILLAGE = "522701001001"  # 广惠社区
TITLE = "2027年政法工作意见建议征集"
QUESTIONS: list[dict[str, Any]] = [
    {"text": "您最希望政法机关解决的问题是什么？"},
    {"text": "您对本村矛盾纠纷调解工作满意吗？", "choices": ["满意", "一般", "不满意"]},
]

# Puts every answer back to "pending", as if the phone had never heard the server's reply.
FORGET_ANSWERS = """
(name) => new Promise((resolve, reject) => {
  const open = indexedDB.open(name);
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const t = open.result.transaction("answers", "readwrite");
    const store = t.objectStore("answers");
    store.getAll().onsuccess = (event) => {
      for (const record of event.target.result) {
        record.state = "pending";
        store.put(record);
      }
    };
    t.oncomplete = () => { open.result.close(); resolve(true); };
    t.onerror = () => reject(t.error);
  };
})
"""


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


@pytest.fixture
def consultation(personas) -> Consultation:
    today = timezone.localdate()
    campaign = campaigns_models.Campaign.objects.create(
        name="冬春大走访", starts=today - timedelta(days=7), ends=today + timedelta(days=30)
    )
    campaigns_models.Responsibility.objects.create(
        campaign=campaign, visitor=personas.visitor, region_id=VILLAGE
    )
    return Consultation.objects.create(
        unit=personas.duyun_plc,
        title=TITLE,
        text="欢迎群众对明年的政法工作提出意见建议。",
        starts=today - timedelta(days=1),
        ends=today + timedelta(days=30),
        questions=QUESTIONS,
        is_published=True,
    )


def screenshot(page, name: str) -> None:
    """Kept for a look when SCREENSHOTS names a folder: the phone's screen from the top, then scrolled down."""
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(Path(folder) / name))
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.screenshot(path=str(Path(folder) / name.replace(".png", "-end.png")))


def test_answers_heard_offline_arrive_once_as_a_suggestion(
    phone, live_server, personas, consultation
) -> None:
    page = phone
    open_field_app(page, live_server)
    page.select_option("#f-place", VILLAGE)
    card = page.locator("#consultations .consultation-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text(TITLE)
    screenshot(page, "field-record-card-phone.png")

    page.context.set_offline(True)
    page.wait_for_selector("[data-testid=network][data-online='0']")
    # A visit first, then one person's answers heard at it.
    page.fill("#f-households", "3")
    page.fill("#f-notes", "走访广惠社区，听取群众对政法工作的意见。")
    page.click("#save-visit")
    expect(page.locator("#outbox-list li")).to_have_count(1)
    card.locator("button[data-consult]").click()
    page.wait_for_selector("[data-panel=consult]:not([hidden])")
    expect(page.locator("[data-testid=consult-title]")).to_contain_text(TITLE)
    questions = page.locator("#consult-questions .question")
    expect(questions).to_have_count(2)
    page.click("#save-answers")  # nothing answered yet: refused on the phone
    expect(page.locator("#consult-error")).to_be_visible()
    questions.nth(0).locator("textarea").fill("希望加强反诈宣传，老人容易上当。")
    expect(page.locator("#consult-error")).to_be_hidden()
    questions.nth(1).locator("button.choice", has_text="不满意").click()
    questions.nth(1).locator("button.choice", has_text="一般").click()  # one choice at most
    expect(questions.nth(1).locator("button.choice[aria-checked=true]")).to_have_text("一般")
    page.fill("#c-name", "李四")
    page.fill("#c-phone", "13900000001")
    screenshot(page, "field-consultation-phone.png")
    page.click("#save-answers")
    page.wait_for_selector("[data-panel=record]:not([hidden])")

    page.click("[data-tab=outbox]")
    answer_item = page.locator("#outbox-list li[data-kind=answer]")
    expect(answer_item).to_have_attribute("data-state", "pending")
    expect(answer_item).to_contain_text(TITLE)
    assert page.inner_text("[data-testid=pending-count]") == "2"
    assert not ConsultationAnswer.objects.exists() and not Appeal.objects.exists()
    screenshot(page, "field-consultation-outbox-phone.png")

    page.context.set_offline(False)
    expect(answer_item).to_have_attribute("data-state", "synced", timeout=30_000)
    expect(page.locator("#outbox-list li[data-state=synced]")).to_have_count(2)
    stored = ConsultationAnswer.objects.select_related("appeal", "visit").get()
    assert stored.consultation == consultation
    assert stored.visit == campaigns_models.Visit.objects.get()  # heard at the visit saved just before
    assert stored.answers == [
        {"question": QUESTIONS[0]["text"], "answer": "希望加强反诈宣传，老人容易上当。"},
        {"question": QUESTIONS[1]["text"], "answer": "一般"},
    ]
    appeal = Appeal.objects.get()
    assert (appeal.kind, appeal.source, appeal.region_id) == ("suggestion", "visit", VILLAGE)
    assert appeal == stored.appeal and appeal.reporter_name == "李四"
    assert page.inner_text("[data-testid=pending-count]") == "0"

    # Had the server's reply been lost, sending again must not double the answer.
    page.evaluate(FORGET_ANSWERS, DB_NAME)
    with page.expect_response("**/api/v1/consultations/answers/batch", timeout=30_000) as reply:
        page.reload()
    assert reply.value.json()["repeated"] == 1
    expect(page.locator("#outbox-list li[data-kind=answer]")).to_have_attribute("data-state", "synced")
    assert ConsultationAnswer.objects.count() == 1 and Appeal.objects.count() == 1
