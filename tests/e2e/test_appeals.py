"""An appeal's way through the web pages, in real browsers: registered and assigned by the dispatcher,
accepted and resolved by the handler of the lead unit, seen resolved by the dispatcher."""

import re

import pytest

from tests.e2e.test_login import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

VILLAGE = "522701001001"  # 广惠社区, 都匀市


def test_an_appeal_from_registration_to_resolution(page, browser, live_server, personas) -> None:
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
    assert page.inner_text("[data-testid=secret]").strip()

    # ...and assigns it to 都匀市人社局, which the routing rules propose.
    page.click("[data-testid=open-appeal]")
    page.wait_for_selector("[data-testid=appeal-status][data-status=registered]")
    assert "138****5678" in page.inner_text("[data-testid=reporter]")
    page.click("details[data-action=assign] summary")
    lead = page.locator("#id_assign_lead_unit")
    assert lead.input_value() == str(personas.duyun_hr.pk)
    page.click("details[data-action=assign] button[type=submit]")
    page.wait_for_selector("[data-testid=appeal-status][data-status=assigned]")
    appeal_url = page.url

    # The handler of 人社局, in another browser, finds it among the items to accept.
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        handler = context.new_page()
        handler.set_default_timeout(15_000)
        sign_in(handler, live_server, "handler")
        handler.wait_for_selector("[data-role=handler]")
        handler.goto(f"{live_server.url}/appeals/unit/")
        queue = handler.locator("[data-testid=unit-queue][data-tab=accept]")
        queue.locator(f"tr[data-code='{code}'] a").first.click()
        handler.wait_for_selector("[data-testid=appeal-status][data-status=assigned]")
        handler.click("form[data-action=accept] button[type=submit]")
        handler.wait_for_selector("[data-testid=appeal-status][data-status=in_progress]")
        handler.click("details[data-action=resolve] summary")
        handler.fill("#id_resolve_reply", "已约谈施工企业负责人，工资已于本周全额支付。")
        handler.click("details[data-action=resolve] button[type=submit]")
        handler.wait_for_selector("[data-testid=appeal-status][data-status=resolved]")
        assert "工资已于本周全额支付" in handler.inner_text("[data-testid=reply]")
    finally:
        context.close()

    # The dispatcher sees it resolved.
    page.goto(appeal_url)
    page.wait_for_selector("[data-testid=appeal-status][data-status=resolved]")
    assert page.locator("[data-testid=timeline] li").count() == 4  # registered, assigned, accepted, resolved
