"""An appeal's whole way through the web pages, in real browsers (issue 11): registered and assigned with a
co-unit by the dispatcher, the co-unit's opinion (会办意见), the lead handler's reply sent back by the unit head
and filed again, approved, and the callback that closes it; the timeline keeps every reply and who acted for
which unit."""

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Page

from org.models import Role
from org.tests.factories import make_member
from tests.e2e.test_login import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

VILLAGE = "522701001001"  # 广惠社区, 都匀市
FIRST_REPLY = "已联系施工企业，正在核实工资拖欠的具体金额和时间。"
FINAL_REPLY = "经人社局和派出所共同调查，施工企业已于本周将拖欠的三万二千元工资全额支付给当事人。"


@contextmanager
def as_user(browser, live_server, username: str, role: str) -> Iterator[Page]:
    """A second browser, signed in as `username`, on their home page."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, live_server, username)
        page.wait_for_selector(f"[data-role={role}]")
        yield page
    finally:
        context.close()


def act(page, action: str, fields: dict[str, str] | None = None) -> None:
    """Open an action's panel on the appeal page (or press its button), fill it and send it."""
    panel = page.locator(f"details[data-action={action}]")
    if panel.count():
        panel.locator("summary").click()
        for selector, value in (fields or {}).items():
            page.fill(selector, value)
        panel.locator("button[type=submit]").click()
    else:
        page.once("dialog", lambda dialog: dialog.accept())
        page.click(f"form[data-action={action}] button[type=submit]")


def status(page, name: str) -> None:
    page.wait_for_selector(f"[data-testid=appeal-status][data-status={name}]")


def test_an_appeal_through_co_unit_opinion_reply_approval_and_callback(
    page, browser, live_server, personas
) -> None:
    make_member(username="police_handler", unit=personas.duyun_police, role=Role.HANDLER, full_name="钱民警")

    # The dispatcher registers a problem raised at the counter.
    sign_in(page, live_server, "dispatcher")
    page.wait_for_selector("[data-role=dispatcher]")
    page.goto(f"{live_server.url}/appeals/dispatch/")
    page.click("[data-testid=register-appeal]")
    page.wait_for_selector("#register-form")
    page.select_option("#id_source", "walk_in")
    page.fill("#id_title", "工地拖欠工资八个月")
    page.fill("#id_description", "在城南建筑工地务工八个月，老板拖欠工资三万二千元，春节前急需回家。")
    page.select_option("#id_category", "labour.wage_arrears")
    page.fill("#id_region_code", VILLAGE)
    page.fill("#id_reporter_name", "张三")
    page.fill("#id_reporter_phone", "13812345678")
    page.click("#register-form button[type=submit]")
    code = page.inner_text("[data-testid=tracking-code]").strip()
    assert re.fullmatch(r"522701-\d{4}-\d{6}", code)

    # ...and assigns it to 都匀市人社局 with 都匀市公安局 as co-unit.
    page.click("[data-testid=open-appeal]")
    status(page, "registered")
    page.click("details[data-action=assign] summary")
    page.select_option("#id_assign_lead_unit", str(personas.duyun_hr.pk))
    page.select_option("#id_assign_co_units", [str(personas.duyun_police.pk)])
    page.click("details[data-action=assign] button[type=submit]")
    status(page, "assigned")
    appeal_url = page.url

    # The handler of 人社局 accepts it; the page says the lead waits for the co-unit's opinion.
    with as_user(browser, live_server, "handler", "handler") as handler:
        handler.goto(f"{live_server.url}/appeals/unit/")
        handler.locator(f"[data-testid=unit-queue] tr[data-code='{code}'] a").first.click()
        act(handler, "accept")
        status(handler, "in_progress")
        assert "都匀市公安局" in handler.inner_text("[data-testid=waiting]")
        assert handler.locator("details[data-action=resolve]").count() == 0

    # The police handler files the co-unit's opinion.
    with as_user(browser, live_server, "police_handler", "handler") as police:
        police.goto(appeal_url)
        act(police, "accept")
        police.wait_for_selector("details[data-action=resolve]")
        act(
            police,
            "resolve",
            {"#id_resolve_reply": "经派出所走访核实，该工地确有拖欠工资情况，已约谈包工头。"},
        )
        police.wait_for_selector(".messages .success")

    # The lead handler files a reply; it waits for the unit head.
    with as_user(browser, live_server, "handler", "handler") as handler:
        handler.goto(appeal_url)
        act(handler, "resolve", {"#id_resolve_reply": FIRST_REPLY})
        status(handler, "awaiting_approval")

    # The unit head finds it among the replies to approve and sends it back: the facts are not there yet.
    with as_user(browser, live_server, "unit_head", "unit_head") as head:
        head.goto(f"{live_server.url}/appeals/unit/?tab=approve")
        head.locator(f"[data-testid=unit-queue] tr[data-code='{code}'] a").first.click()
        status(head, "awaiting_approval")
        act(head, "reject-reply", {"#id_reject_reply_reason": "答复未写明工资是否已支付，请补充办理结果。"})
        status(head, "in_progress")

    # The handler files the full reply; the head approves it.
    with as_user(browser, live_server, "handler", "handler") as handler:
        handler.goto(appeal_url)
        act(handler, "resolve", {"#id_resolve_reply": FINAL_REPLY})
        status(handler, "awaiting_approval")
    with as_user(browser, live_server, "unit_head", "unit_head") as head:
        head.goto(appeal_url)
        act(head, "approve-reply")
        status(head, "resolved")
        assert FINAL_REPLY in head.inner_text("[data-testid=reply]")

    # The dispatcher calls the citizen back: solved and satisfied closes it.
    page.goto(appeal_url)
    status(page, "resolved")
    page.click("details[data-action=callback] summary")
    page.check("#id_callback_solved_0")
    page.check("#id_callback_satisfaction_0")
    page.fill("#id_callback_note", "群众表示工资已经到账，对办理结果满意。")
    page.click("details[data-action=callback] button[type=submit]")
    status(page, "closed")

    # The timeline keeps both replies, the reason, the callback's note and the unit each person acted for.
    timeline = page.inner_text("[data-testid=timeline]")
    for said in (
        FIRST_REPLY,
        FINAL_REPLY,
        "答复未写明工资是否已支付",
        "群众表示工资已经到账",
        "已约谈包工头",
    ):
        assert said in timeline
    assigned = page.locator("[data-testid=timeline] li[data-kind=assigned]").inner_text()
    assert "刘调度 · 都匀市委政法委" in assigned
