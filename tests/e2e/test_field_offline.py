"""The field app at /m/ in a real browser: visits recorded with no network wait in the phone's outbox, survive a
reload served by the service worker, and reach the server exactly once when the network returns."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaigns import models as campaigns_models
from tests.e2e.test_login import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

DB_NAME = "zoufang-field-visitor"

# Puts every stored record back to "pending", as if the phone had never heard the server's answer.
FORGET_ANSWERS = """
(name) => new Promise((resolve, reject) => {
  const open = indexedDB.open(name);
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const t = open.result.transaction("outbox", "readwrite");
    const store = t.objectStore("outbox");
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


def wait_until(page, expression: str, *, timeout: float = 15) -> None:
    """Polls `expression` with page.evaluate: the page's Content-Security-Policy forbids the eval behind
    Playwright's wait_for_function."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.1)


def outbox_states(page) -> list[str]:
    return page.eval_on_selector_all("#outbox-list li", "items => items.map(li => li.dataset.state)")


# Fills the outbox with `count` copies of its newest record, each with its own UUID and a later time: the
# records keep exactly the shape the app writes, without typing hundreds of visits into the form.
QUEUE_COPIES = """
([name, count]) => new Promise((resolve, reject) => {
  const open = indexedDB.open(name);
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const t = open.result.transaction("outbox", "readwrite");
    const store = t.objectStore("outbox");
    store.getAll().onsuccess = (event) => {
      const records = event.target.result.sort((a, b) => b.created_at - a.created_at);
      const model = records[0];
      for (let i = 1; i <= count; i += 1) {
        const copy = structuredClone(model);
        copy.uuid = copy.body.uuid = crypto.randomUUID();
        copy.created_at = model.created_at + i;
        copy.body.households_reached = (model.body.households_reached + i) % 50;
        copy.body.notes = model.body.notes + "（" + i + "）";
        store.put(copy);
      }
    };
    t.oncomplete = () => { open.result.close(); resolve(true); };
    t.onerror = () => reject(t.error);
  };
})
"""


def queue_copies(page, count: int) -> None:
    page.evaluate(QUEUE_COPIES, [DB_NAME, count])


def open_field_app(page, server) -> None:
    """Signs the visitor in, opens /m/ and waits until its places are stored and its service worker controls
    the page (so it opens again with no network)."""
    sign_in(page, server, "visitor")
    page.wait_for_url(f"{server.url}/")
    page.goto(f"{server.url}/m/")
    page.wait_for_selector("body[data-places-loaded='1']")
    assert page.locator("#places-list li[data-code]").count() > 0
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    wait_until(page, "navigator.serviceWorker.controller !== null")


def start_campaign() -> None:
    today = timezone.localdate()
    campaigns_models.Campaign.objects.create(
        name="冬春大走访", starts=today - timedelta(days=7), ends=today + timedelta(days=30)
    )


def record_visit(page, *, households: int, notes: str, problem: bool = False) -> None:
    page.goto(page.url.split("#")[0] + "#record")
    page.wait_for_selector("[data-panel=record]:not([hidden])")
    before = page.locator("#outbox-list li").count()
    page.select_option("#f-place", index=1)
    page.fill("#f-households", str(households))
    page.fill("#f-people", str(households + 1))
    page.fill("#f-notes", notes)
    if problem:
        page.click("#add-problem")
        fieldset = page.locator("#problems .problem").last
        fieldset.locator("[name=title]").fill("村道塌方无人修")
        fieldset.locator("[name=description]").fill("进村道路雨后塌方两个月，村民出行困难，希望尽快修复。")
        fieldset.locator("[name=category]").select_option(index=1)
        fieldset.locator("[name=reporter_name]").fill("张三")
        fieldset.locator("[name=reporter_phone]").fill("13812345678")
    page.click("#save-visit")
    expect(page.locator("#outbox-list li")).to_have_count(before + 1)


def test_visits_recorded_offline_arrive_exactly_once(page, live_server, personas) -> None:
    Campaign, Visit = campaigns_models.Campaign, campaigns_models.Visit
    today = timezone.localdate()
    Campaign.objects.create(
        name="冬春大走访", starts=today - timedelta(days=7), ends=today + timedelta(days=30)
    )
    context = page.context

    sign_in(page, live_server, "visitor")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/m/")
    page.wait_for_selector("body[data-places-loaded='1']")
    assert page.locator("#places-list li[data-code]").count() > 0
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    wait_until(page, "navigator.serviceWorker.controller !== null")

    context.set_offline(True)
    page.wait_for_selector("[data-testid=network][data-online='0']")
    record_visit(page, households=3, notes="走访低保户，了解冬季取暖情况。", problem=True)
    record_visit(page, households=5, notes="走访留守老人，宣传反诈知识。")
    record_visit(page, households=2, notes="走访返乡务工人员，了解欠薪情况。")
    page.click("[data-tab=outbox]")
    page.wait_for_selector("[data-panel=outbox]:not([hidden])")
    assert outbox_states(page) == ["pending"] * 3
    assert Visit.objects.count() == 0

    # The shell comes from the service worker's cache; the outbox from IndexedDB.
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("#outbox-list li")).to_have_count(3)
    assert outbox_states(page) == ["pending"] * 3
    assert page.inner_text("[data-testid=pending-count]") == "3"

    context.set_offline(False)
    expect(page.locator("#outbox-list li[data-state=synced]")).to_have_count(3, timeout=30_000)
    assert Visit.objects.count() == 3
    assert campaigns_models.VisitProblem.objects.count() == 1  # the problem heard became an appeal
    assert page.inner_text("[data-testid=pending-count]") == "0"

    # Had the answers been lost, sending everything again must not double a visit.
    page.evaluate(FORGET_ANSWERS, DB_NAME)
    page.click("#sync-now")
    expect(page.locator("#outbox-list li[data-state=synced]")).to_have_count(3, timeout=30_000)
    assert Visit.objects.count() == 3


def test_reopened_offline_the_app_speaks_chinese_from_its_cached_catalog(page, live_server, personas) -> None:
    """The app's texts come from the JavaScript catalog at /m/jsi18n.js: the service worker keeps it, in the
    cadre's language, with the shell."""
    start_campaign()
    open_field_app(page, live_server)
    expect(page.locator("#places-list li.group-head").first).to_have_text("我的包保")
    page.context.set_offline(True)
    page.wait_for_selector("[data-testid=network][data-online='0']")

    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("[data-testid=network]")).to_have_text("离线")
    record_visit(page, households=2, notes="走访种植大户。", problem=True)
    page.click("[data-tab=outbox]")
    item = page.locator("#outbox-list li")
    expect(item.locator(".state")).to_have_text("待同步")
    expect(item.locator(".muted")).to_contain_text("2 户 · 3 人 · 1 个问题")
    expect(page.locator("#last-sync")).to_contain_text("上次同步")
    assert page.inner_text("[data-testid=pending-count]") == "1"

    page.context.set_offline(False)
    expect(page.locator("[data-testid=network]")).to_have_text("在线")
    expect(item.locator(".state")).to_have_text("已同步", timeout=30_000)
    assert campaigns_models.Visit.objects.count() == 1


def test_a_visit_the_server_refuses_is_kept_and_shown_with_its_reason(page, live_server, personas) -> None:
    # No campaign is running, so the server answers 422 for the visit.
    sign_in(page, live_server, "visitor")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/m/")
    page.wait_for_selector("body[data-places-loaded='1']")
    record_visit(page, households=1, notes="走访五保户。")
    page.click("[data-tab=outbox]")
    item = page.locator("#outbox-list li[data-state=invalid]")
    expect(item).to_have_count(1, timeout=30_000)
    expect(item.locator("[data-testid=message]")).to_contain_text("走访活动")
    assert page.inner_text("[data-testid=pending-count]") == "0"
    assert campaigns_models.Visit.objects.count() == 0


def test_reloading_offline_keeps_every_record_with_its_state(page, live_server, personas) -> None:
    start_campaign()
    Visit = campaigns_models.Visit
    open_field_app(page, live_server)

    # Online: one visit is taken, one is refused (a time in the future) and stays with its reason.
    record_visit(page, households=3, notes="走访低保户。")
    page.goto(page.url.split("#")[0] + "#record")
    page.select_option("#f-place", index=1)
    page.fill("#f-started", (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#f-notes", "时间填错的走访。")
    page.click("#save-visit")
    page.click("[data-tab=outbox]")
    expect(page.locator("#outbox-list li[data-state=synced]")).to_have_count(1, timeout=15_000)
    expect(page.locator("#outbox-list li[data-state=invalid]")).to_have_count(1, timeout=15_000)

    # Offline: two more wait; the page is reloaded with no network.
    page.context.set_offline(True)
    page.wait_for_selector("[data-testid=network][data-online='0']")
    record_visit(page, households=5, notes="走访留守儿童家庭。")
    record_visit(page, households=1, notes="走访独居老人。")
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    page.click("[data-tab=outbox]")
    expect(page.locator("#outbox-list li")).to_have_count(4)
    assert sorted(outbox_states(page)) == ["invalid", "pending", "pending", "synced"]
    assert page.inner_text("[data-testid=pending-count]") == "2"
    expect(page.locator("#outbox-list li[data-state=invalid] [data-testid=message]")).to_contain_text(
        "走访时间不能晚于当前时间"
    )
    assert Visit.objects.count() == 1

    page.context.set_offline(False)
    expect(page.locator("#outbox-list li[data-state=synced]")).to_have_count(3, timeout=30_000)
    assert sorted(outbox_states(page)) == ["invalid", "synced", "synced", "synced"]
    assert page.inner_text("[data-testid=pending-count]") == "0"
    shown = page.eval_on_selector_all(
        "#outbox-list li[data-state=synced]", "items => items.map(li => li.dataset.uuid)"
    )
    assert sorted(str(u) for u in Visit.objects.values_list("uuid", flat=True)) == sorted(shown)


def test_a_batch_stored_but_never_answered_is_sent_again_and_counted_once(
    browser, live_server, personas
) -> None:
    """The server commits the batch, but the connection breaks before the phone hears the answer: the phone
    retries on its own after its backoff and the server answers 200 (already stored) for every visit, with the
    same ids, and stores nothing twice."""
    start_campaign()
    Visit = campaigns_models.Visit
    # Without a service worker in the way, every request of the page passes through page.route.
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", service_workers="block")
    page = context.new_page()
    page.set_default_timeout(15_000)
    answers: list[dict] = []

    def answer_then_cut(route) -> None:
        response = route.fetch()  # the server stores the batch and answers...
        answers.append(response.json())
        if len(answers) == 1:
            route.abort("connectionreset")  # ...but the phone never hears it
        else:
            route.fulfill(response=response)

    try:
        sign_in(page, live_server, "visitor")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/m/")
        page.wait_for_selector("body[data-places-loaded='1']")
        context.set_offline(True)
        page.wait_for_selector("[data-testid=network][data-online='0']")
        for households in (3, 5, 2):
            record_visit(page, households=households, notes="走访返乡务工人员，了解欠薪情况。")
        page.click("[data-tab=outbox]")
        page.route("**/api/v1/visits/batch", answer_then_cut)

        context.set_offline(False)
        expect(page.locator("[data-testid=notice]")).to_contain_text("稍后自动重试")
        assert outbox_states(page) == ["pending"] * 3
        assert Visit.objects.count() == 3  # stored, though the phone does not know it
        expect(page.locator("#outbox-list li[data-state=synced]")).to_have_count(3, timeout=20_000)
    finally:
        context.close()

    first, repeat = answers
    assert [r["status"] for r in first["results"]] == [201] * 3
    assert [r["status"] for r in repeat["results"]] == [200] * 3
    assert (repeat["created"], repeat["repeated"]) == (0, 3)
    assert [r["id"] for r in repeat["results"]] == [r["id"] for r in first["results"]]
    assert Visit.objects.count() == 3
