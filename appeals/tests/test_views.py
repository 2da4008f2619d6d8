"""The HTML pages of appeals: who may open each, what they show, and that every action goes through the services."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from appeals.models import Appeal, AppealStatus, Notification, TaskStatus
from appeals.services import (
    AppealDraft,
    Reporter,
    appeal_accept,
    appeal_assign,
    appeal_register,
    appeal_return,
)
from appeals.tests.factories import REPLY, approved, unit_head_of
from core.models import AuditEvent
from tests.support import client_for

VILLAGE = "522701001001"  # 广惠社区, 都匀市
FUQUAN_TOWNSHIP = "522702001000"
PHONE = "13812345678"
ID_NUMBER = "52270119800101123X"
STALE = "该记录已被他人修改，请刷新后重试"


def make_draft(**overrides: object) -> AppealDraft:
    values: dict[str, object] = {
        "kind": "request",
        "source": "visit",
        "title": "春节前讨要工资",
        "description": "在某建筑工地务工八个月，老板拖欠工资三万二千元。",
        "region_code": VILLAGE,
        "category_code": "labour.wage_arrears",
        "reporter": Reporter(name="张三丰", phone=PHONE, id_number=ID_NUMBER),
    }
    values.update(overrides)
    return AppealDraft(**values)  # type: ignore[arg-type]


def registered(actor, *, at=None, **overrides) -> Appeal:
    return appeal_register(draft=make_draft(**overrides), actor=actor, at=at).appeal


def assigned(personas, *, at=None, **overrides) -> Appeal:
    appeal = registered(personas.dispatcher, at=at, **overrides)
    return appeal_assign(
        appeal=appeal,
        actor=personas.dispatcher,
        expected_version=appeal.version,
        lead_unit_id=personas.duyun_hr.pk,
        now=at,
    )


def fresh(appeal: Appeal) -> Appeal:
    return Appeal.objects.get(pk=appeal.pk)


def csrf(client: Client) -> str:
    client.get(reverse("home"))
    return client.cookies["csrftoken"].value


def post(client: Client, url: str, data: dict | None = None, **kwargs):
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": csrf(client)}, **kwargs)


def action_url(appeal: Appeal, action: str) -> str:
    return reverse("appeals:action", args=[appeal.pk, action])


def detail(user, appeal: Appeal) -> str:
    response = client_for(user).get(reverse("appeals:detail", args=[appeal.pk]))
    assert response.status_code == 200
    return response.content.decode()


def shown_actions(body: str) -> list[str]:
    return re.findall(r'data-action="([^"]+)"', body)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- who may open which page ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/appeals/dispatch/",
        "/appeals/unit/",
        "/appeals/new/",
        "/appeals/1/",
        "/appeals/notifications/",
    ],
)
def test_pages_send_anonymous_visitors_to_sign_in(db, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("org:login"))


@pytest.mark.parametrize(
    ("url_name", "allowed", "refused"),
    [
        (
            "appeals:dispatch",
            ["dispatcher"],
            ["handler", "unit_head", "visitor", "supervisor", "other_leader"],
        ),
        (
            "appeals:unit",
            ["handler", "unit_head", "other_handler", "township_handler"],
            ["dispatcher", "visitor", "supervisor", "other_leader"],
        ),
        ("appeals:new", ["dispatcher", "visitor", "handler"], ["supervisor", "other_leader", "unit_head"]),
        (
            "appeals:notifications",
            list(["visitor", "handler", "unit_head", "dispatcher", "supervisor", "other_leader"]),
            [],
        ),
    ],
)
def test_each_page_opens_for_its_roles_and_refuses_the_others(
    personas, url_name: str, allowed: list[str], refused: list[str]
) -> None:
    people = personas.all()
    for name in allowed:
        assert client_for(people[name]).get(reverse(url_name)).status_code == 200, name
    for name in refused:
        assert client_for(people[name]).get(reverse(url_name)).status_code == 403, name


def test_appeal_out_of_scope_is_the_same_404_as_a_missing_one(personas) -> None:
    appeal = registered(personas.dispatcher)
    for user in (personas.other_handler, personas.other_leader):
        assert client_for(user).get(reverse("appeals:detail", args=[appeal.pk])).status_code == 404
        assert (
            post(client_for(user), action_url(appeal, "note"), {"version": 1, "text": "x"}).status_code == 404
        )
    missing = client_for(personas.dispatcher).get(reverse("appeals:detail", args=[appeal.pk + 1000]))
    assert missing.status_code == 404


def test_home_page_links_to_the_queues_of_each_role(personas) -> None:
    dispatcher = client_for(personas.dispatcher).get(reverse("home")).content.decode()
    assert reverse("appeals:dispatch") in dispatcher and reverse("appeals:new") in dispatcher
    handler = client_for(personas.handler).get(reverse("home")).content.decode()
    assert reverse("appeals:unit") in handler and reverse("appeals:dispatch") not in handler
    visitor = client_for(personas.visitor).get(reverse("home")).content.decode()
    assert reverse("appeals:new") in visitor and reverse("appeals:unit") not in visitor


# --- the dispatcher's queue ------------------------------------------------------------------------------


def test_dispatch_queue_lists_new_appeals_with_the_suggested_unit_and_counts(personas) -> None:
    appeal = registered(personas.dispatcher)
    registered(None, region_code=FUQUAN_TOWNSHIP, title="福泉的诉求")
    response = client_for(personas.dispatcher).get(reverse("appeals:dispatch"))
    body = response.content.decode()
    assert appeal.code in body and "福泉的诉求" not in body
    assert reverse("appeals:detail", args=[appeal.pk]) in body
    row = response.context["rows"][0]
    assert row.suggestion.lead == personas.duyun_hr
    assert {t.key: t.count for t in response.context["tabs"]} == {
        "new": 1,
        "returned": 0,
        "overdue": 0,
        "awaiting": 0,
        "all": None,
    }


def test_dispatch_tabs_show_returned_and_overdue_items(personas) -> None:
    now = timezone.now()
    returned = assigned(personas, title="退回的诉求")
    appeal_return(
        appeal=returned, actor=personas.handler, expected_version=returned.version, reason="不属本单位职责"
    )
    assigned(personas, at=now - timedelta(days=30), title="超期的诉求")
    registered(personas.dispatcher, title="新的诉求")
    client = client_for(personas.dispatcher)

    def titles(tab: str) -> set[str]:
        return {
            row.appeal.title for row in client.get(reverse("appeals:dispatch"), {"tab": tab}).context["rows"]
        }

    assert titles("new") == {"新的诉求"}
    assert titles("returned") == {"退回的诉求"}
    assert titles("overdue") == {"超期的诉求"}
    assert titles("all") == {"新的诉求", "退回的诉求", "超期的诉求"}
    overdue = client.get(reverse("appeals:dispatch"), {"tab": "overdue"}).content.decode()
    assert 'class="countdown overdue"' in overdue


def test_dispatch_queue_pages_with_a_cursor(personas, monkeypatch) -> None:
    monkeypatch.setattr("core.web.PAGE_SIZE", 2)
    codes = [registered(personas.dispatcher, title=f"诉求{i}").code for i in range(5)]
    client = client_for(personas.dispatcher)
    url = reverse("appeals:dispatch")
    seen: list[str] = []
    next_url: str | None = ""
    while next_url is not None:
        response = client.get(url + next_url)
        seen += [row.appeal.code for row in response.context["rows"]]
        next_url = response.context["next_url"]
    assert seen == list(reversed(codes))
    bad = client.get(url, {"cursor": "not-a-cursor"})
    assert bad.status_code == 200 and "分页游标无效" in messages_of(bad)


# --- the unit's queue -------------------------------------------------------------------------------------


def test_unit_queue_shows_items_to_accept_with_a_countdown_then_in_work(personas) -> None:
    appeal = assigned(personas)
    client = client_for(personas.handler)
    response = client.get(reverse("appeals:unit"))
    body = response.content.decode()
    assert response.context["unit"] == personas.duyun_hr
    assert appeal.code in body and 'class="countdown' in body
    counts = {t.key: t.count for t in response.context["tabs"]}
    assert (counts["accept"], counts["working"], counts["overdue"]) == (1, 0, 0)
    appeal_accept(appeal=appeal, actor=personas.handler, expected_version=appeal.version)
    assert not client.get(reverse("appeals:unit")).context["rows"]
    working = client.get(reverse("appeals:unit"), {"tab": "working"}).context["rows"]
    assert [row.task.appeal_id for row in working] == [appeal.pk]
    other = client_for(personas.other_handler).get(reverse("appeals:unit"), {"tab": "accept"})
    assert appeal.code not in other.content.decode()


def test_unit_queue_lists_overdue_items_by_deadline(personas) -> None:
    now = timezone.now()
    older = assigned(personas, at=now - timedelta(days=40), title="更早超期")
    newer = assigned(personas, at=now - timedelta(days=30), title="较晚超期")
    rows = client_for(personas.unit_head).get(reverse("appeals:unit"), {"tab": "overdue"}).context["rows"]
    assert [row.task.appeal_id for row in rows] == [older.pk, newer.pk]
    assert all(row.resolve.state == "overdue" for row in rows)
    assert rows[0].resolve.text.endswith("d overdue") or "超期" in rows[0].resolve.text


# --- registration ---------------------------------------------------------------------------------------


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "kind": "request",
        "source": "visit",
        "title": "村道塌方无人修",
        "description": "通往组上的村道塌方两个月，孩子上学绕行五公里。",
        "category": "infrastructure.roads",
        "region_code": VILLAGE,
        "address": "广惠社区三组",
        "parties_count": "1",
        "risk_colour": "",
        "reporter_name": "李四",
        "reporter_phone": "13900001111",
        "reporter_id_number": "",
        "on_site_reply": "",
    }
    data.update(overrides)
    return data


def test_register_form_offers_grouped_categories_and_in_scope_villages(personas) -> None:
    body = client_for(personas.visitor).get(reverse("appeals:new")).content.decode()
    assert '<optgroup label="劳动和社会保障">' in body
    assert '<option value="labour.wage_arrears">拖欠农民工工资</option>' in body
    assert f'<option value="{VILLAGE}">' in body
    assert '<option value="522702' not in body  # 福泉 is outside a 都匀 visitor's scope


def test_registering_shows_the_code_and_the_secret_once(personas) -> None:
    client = client_for(personas.visitor)
    response = post(client, reverse("appeals:new"), form_data())
    appeal = Appeal.objects.get(title="村道塌方无人修")
    assert response.status_code == 302
    assert response["Location"] == reverse("appeals:registered", args=[appeal.pk])
    first = client.get(response["Location"])
    assert appeal.code in first.content.decode()
    secret = first.context["secret"]
    assert secret and secret in first.content.decode()
    assert first["Cache-Control"] == "no-store"
    second = client.get(response["Location"]).content.decode()
    assert appeal.code in second and secret not in second
    assert appeal.registered_by == personas.visitor and appeal.reporter_phone == "13900001111"
    assert appeal.status == AppealStatus.REGISTERED


def test_register_form_shows_errors_beside_the_fields_and_writes_nothing(personas) -> None:
    client = client_for(personas.dispatcher)
    response = post(
        client,
        reverse("appeals:new"),
        form_data(title="<b>标题</b>", reporter_phone="", region_code="5227"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["title"] == ["不能包含HTML标记或脚本"]
    assert "reporter_phone" in errors and "region_code" in errors
    assert "不能包含HTML标记或脚本" in response.content.decode()
    assert not Appeal.objects.exists()


def test_register_refuses_a_region_outside_the_scope_beside_the_region_field(personas) -> None:
    response = post(
        client_for(personas.dispatcher), reverse("appeals:new"), form_data(region_code=FUQUAN_TOWNSHIP)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["region_code"] == ["区划不存在或不在您的工作范围内"]
    assert not Appeal.objects.exists()


def test_register_resolved_on_the_spot(personas) -> None:
    post(
        client_for(personas.visitor),
        reverse("appeals:new"),
        form_data(on_site_reply="当场联系村委会安排修复。"),
    )
    appeal = Appeal.objects.get()
    assert appeal.status == AppealStatus.RESOLVED and appeal.resolved_on_site


# --- the appeal page --------------------------------------------------------------------------------------


def test_a_fresh_appeal_shows_the_dispatcher_exactly_the_routing_actions(personas) -> None:
    appeal = registered(personas.dispatcher)
    body = detail(personas.dispatcher, appeal)
    routing = ["assign", "note", "resolve-on-site", "merge", "reject", "reclassify"]
    assert sorted(shown_actions(body)) == sorted(routing)
    for action in routing:
        assert f'action="{action_url(appeal, action)}"' in body
    assert f'name="version" value="{appeal.version}"' in body
    assert appeal.code in body and "拖欠农民工工资" in body and "广惠社区" in body
    # The assign form proposes the unit the routing rules point to.
    assert f'<option value="{personas.duyun_hr.pk}" selected>' in body


def test_after_assignment_the_handler_may_accept_or_return_but_not_assign(personas) -> None:
    appeal = assigned(personas)
    actions = shown_actions(detail(personas.handler, appeal))
    assert "accept" in actions and "return" in actions and "assign" not in actions
    assert sorted(actions) == ["accept", "note", "return"]
    # A territorial unit of the place sees the item and may do nothing with it.
    assert shown_actions(detail(personas.township_handler, appeal)) == []


def test_the_page_shows_deadlines_tasks_and_a_readable_timeline(personas) -> None:
    appeal = assigned(personas)
    body = detail(personas.dispatcher, appeal)
    assert 'data-testid="sign-due"' in body and 'data-testid="resolve-due"' in body
    assert personas.duyun_hr.name in body
    assert 'data-kind="registered"' in body and 'data-kind="assigned"' in body
    assert "马上就办" in body  # the policy of the assignment event, by name, not its code
    local_due = timezone.localtime(fresh(appeal).resolve_due).strftime("%Y-%m-%d %H:%M")
    assert local_due in body


def test_the_dispatcher_assigns_through_the_form(personas) -> None:
    appeal = registered(personas.dispatcher)
    client = client_for(personas.dispatcher)
    data = {"version": appeal.version, "lead_unit": personas.duyun_hr.pk, "co_units": [personas.guanghui.pk]}
    response = post(client, action_url(appeal, "assign"), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("appeals:detail", args=[appeal.pk])
    appeal = fresh(appeal)
    assert appeal.status == AppealStatus.ASSIGNED and appeal.lead_unit == personas.duyun_hr
    assert sorted(appeal.tasks.values_list("unit_id", flat=True)) == sorted(
        [personas.duyun_hr.pk, personas.guanghui.pk]
    )
    assert len(messages_of(response)) == 1


def test_the_handler_accepts_and_resolves_then_the_dispatcher_calls_back(personas) -> None:
    appeal = assigned(personas)
    handler = client_for(personas.handler)
    post(handler, action_url(appeal, "accept"), {"version": appeal.version})
    appeal = fresh(appeal)
    assert appeal.status == AppealStatus.IN_PROGRESS
    post(handler, action_url(appeal, "resolve"), {"version": appeal.version, "reply": REPLY})
    appeal = fresh(appeal)
    assert appeal.status == AppealStatus.AWAITING_APPROVAL and appeal.reply == REPLY
    head = client_for(unit_head_of(personas.duyun_hr))
    post(head, action_url(appeal, "approve-reply"), {"version": appeal.version})
    appeal = fresh(appeal)
    assert appeal.status == AppealStatus.RESOLVED
    dispatcher = client_for(personas.dispatcher)
    assert "callback" in shown_actions(detail(personas.dispatcher, appeal))
    post(
        dispatcher,
        action_url(appeal, "callback"),
        {"version": appeal.version, "solved": "yes", "satisfaction": "satisfied", "method": "phone"},
    )
    appeal = fresh(appeal)
    assert appeal.status == AppealStatus.CLOSED
    body = detail(personas.dispatcher, appeal)
    assert 'data-kind="callback"' in body and REPLY in body


def test_a_stale_version_is_refused_with_a_message_and_changes_nothing(personas) -> None:
    appeal = assigned(personas)
    before = fresh(appeal)
    response = post(
        client_for(personas.handler),
        action_url(appeal, "accept"),
        {"version": appeal.version - 1},
        follow=True,
    )
    assert STALE in messages_of(response)
    assert STALE in response.content.decode()
    after = fresh(appeal)
    assert (after.version, after.status) == (before.version, before.status)
    assert after.tasks.get().status == TaskStatus.ASSIGNED


def test_an_invalid_form_is_shown_again_with_its_errors(personas) -> None:
    appeal = registered(personas.dispatcher)
    response = post(
        client_for(personas.dispatcher),
        action_url(appeal, "reject"),
        {"version": appeal.version, "reason": ""},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        'class="field-error"' in body and '<details class="action-panel" data-action="reject" open>' in body
    )
    assert fresh(appeal).status == AppealStatus.REGISTERED


def test_a_refusal_of_the_service_shows_its_details(personas) -> None:
    appeal = registered(personas.dispatcher)
    response = post(
        client_for(personas.dispatcher),
        action_url(appeal, "merge"),
        {"version": appeal.version, "into": appeal.code},
    )
    assert response.status_code == 200
    assert "不能与自身合并" in response.content.decode()
    assert fresh(appeal).status == AppealStatus.REGISTERED


def test_an_action_the_role_may_not_take_is_refused_and_changes_nothing(personas) -> None:
    appeal = assigned(personas)
    data = {"version": appeal.version, "lead_unit": personas.duyun_hr.pk}
    response = post(client_for(personas.handler), action_url(appeal, "assign"), data, follow=True)
    assert "只有调度员可以交办" in messages_of(response)
    assert fresh(appeal).version == appeal.version
    assert post(client_for(personas.handler), action_url(appeal, "fly")).status_code == 404


# --- personal data ----------------------------------------------------------------------------------------


def test_the_page_never_shows_the_full_phone_and_a_reveal_is_audited(personas) -> None:
    appeal = registered(personas.visitor)
    body = detail(personas.dispatcher, appeal)
    assert PHONE not in body and ID_NUMBER not in body and "张三丰" not in body
    assert "138****5678" in body and "张**" in body
    assert 'data-testid="reveal"' in body
    before = AuditEvent.objects.filter(action=AuditEvent.Action.PERSONAL_DATA_REVEALED).count()
    response = post(client_for(personas.dispatcher), reverse("appeals:reveal", args=[appeal.pk]))
    assert response.status_code == 200
    revealed = response.content.decode()
    assert PHONE in revealed and ID_NUMBER in revealed and "张三丰" in revealed
    assert response["Cache-Control"] == "no-store"
    events = AuditEvent.objects.filter(action=AuditEvent.Action.PERSONAL_DATA_REVEALED)
    assert events.count() == before + 1
    assert events.latest("at").actor == personas.dispatcher
    assert PHONE not in detail(personas.dispatcher, appeal)


def test_who_may_not_reveal_sees_no_button_and_is_refused(personas) -> None:
    appeal = registered(personas.visitor)
    assert 'data-testid="reveal"' not in detail(personas.visitor, appeal)
    response = post(client_for(personas.visitor), reverse("appeals:reveal", args=[appeal.pk]))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PERSONAL_DATA_REVEALED).exists()
    assert client_for(personas.dispatcher).get(reverse("appeals:reveal", args=[appeal.pk])).status_code == 405


# --- notifications ----------------------------------------------------------------------------------------


def test_notifications_badge_list_and_mark_all_read(personas) -> None:
    appeal = assigned(personas)
    client = client_for(personas.handler)
    home = client.get(reverse("home")).content.decode()
    assert re.search(r'data-testid="unread-count"[^>]*>1<', home)
    listing = client.get(reverse("appeals:notifications")).content.decode()
    assert appeal.code in listing and reverse("appeals:detail", args=[appeal.pk]) in listing
    response = post(client, reverse("appeals:notifications-read"), follow=True)
    assert response.status_code == 200
    assert not Notification.objects.filter(user=personas.handler, read_at__isnull=True).exists()
    assert 'data-testid="unread-count"' not in client.get(reverse("home")).content.decode()
    assert Notification.objects.filter(user=personas.unit_head, read_at__isnull=True).exists()


def test_unit_queue_due_soon_tab(personas) -> None:
    from appeals.models import UnitTask

    appeal = assigned(personas)
    UnitTask.objects.filter(appeal=appeal).update(resolve_due=timezone.now() + timedelta(hours=3, minutes=5))
    response = client_for(personas.handler).get(reverse("appeals:unit"), {"tab": "soon"})
    [row] = response.context["rows"]
    assert row.resolve.state == "soon" and "3" in row.resolve.text
    assert 'class="countdown soon"' in response.content.decode()


@pytest.mark.parametrize("values", [["x", "y"], [None, None], [{"dt": "not-a-date"}, 1]])
def test_a_forged_cursor_shows_the_first_page(personas, values) -> None:
    from core.pagination import encode_cursor

    appeal = registered(personas.dispatcher)
    response = client_for(personas.dispatcher).get(
        reverse("appeals:dispatch"), {"cursor": encode_cursor(values)}
    )
    assert response.status_code == 200
    assert [row.appeal.pk for row in response.context["rows"]] == [appeal.pk]
    assert messages_of(response)


# --- found elsewhere ----------------------------------------------------------------------------------------


def test_an_accepted_item_can_no_longer_be_returned(personas) -> None:
    appeal = assigned(personas)
    appeal = appeal_accept(appeal=appeal, actor=personas.handler, expected_version=appeal.version)
    assert "return" not in shown_actions(detail(personas.handler, appeal))


def test_an_invalid_form_for_an_action_no_longer_possible_says_why(personas) -> None:
    appeal = registered(personas.dispatcher)
    client = client_for(personas.dispatcher)
    post(client, action_url(appeal, "reject"), {"version": appeal.version, "reason": "不属于受理范围"})
    response = post(
        client, action_url(appeal, "reject"), {"version": appeal.version, "reason": ""}, follow=True
    )
    assert messages_of(response) == ["只能对待分办的诉求不予受理"]


def test_extension_is_requested_and_approved_through_the_forms(personas) -> None:
    appeal = assigned(personas, category_code="labour.social_insurance")  # the request policy: 5 days' cap
    handler, head = client_for(personas.handler), client_for(personas.unit_head)
    post(handler, action_url(appeal, "accept"), {"version": appeal.version})
    appeal = fresh(appeal)
    assert "extend" in shown_actions(detail(personas.handler, appeal))
    post(
        handler,
        action_url(appeal, "extend"),
        {"version": appeal.version, "days": "3", "reason": "需现场核查"},
    )
    appeal = fresh(appeal)
    body = detail(personas.unit_head, appeal)
    assert 'data-testid="pending-extension"' in body and "需现场核查" in body
    assert {"approve-extension", "deny-extension"} <= set(shown_actions(body))
    old_due = appeal.resolve_due
    post(head, action_url(appeal, "approve-extension"), {"version": appeal.version, "note": "同意"})
    appeal = fresh(appeal)
    assert appeal.resolve_due is not None and old_due is not None
    assert appeal.resolve_due > old_due
    assert 'data-testid="pending-extension"' not in detail(personas.unit_head, appeal)


def test_supervision_order_and_return_through_the_forms(personas) -> None:
    appeal = assigned(personas)
    assert "supervise" in shown_actions(detail(personas.supervisor, appeal))
    post(
        client_for(personas.supervisor),
        action_url(appeal, "supervise"),
        {"version": appeal.version, "reason": "请加快办理", "days": "2"},
    )
    appeal = fresh(appeal)
    post(
        client_for(personas.handler),
        action_url(appeal, "return"),
        {"version": appeal.version, "reason": "不属本单位"},
    )
    appeal = fresh(appeal)
    assert appeal.status == AppealStatus.REGISTERED and appeal.returned_at is not None
    body = detail(personas.dispatcher, appeal)
    assert 'data-kind="supervised"' in body and "请加快办理" in body and "不属本单位" in body
    rows = (
        client_for(personas.dispatcher).get(reverse("appeals:dispatch"), {"tab": "returned"}).context["rows"]
    )
    assert [row.appeal.pk for row in rows] == [appeal.pk]


def test_unsatisfied_callback_then_reopen_through_the_forms(personas) -> None:
    appeal = assigned(personas)
    appeal = appeal_accept(appeal=appeal, actor=personas.handler, expected_version=appeal.version)
    post(
        client_for(personas.handler),
        action_url(appeal, "resolve"),
        {"version": appeal.version, "reply": REPLY},
    )
    appeal = approved(fresh(appeal))
    dispatcher = client_for(personas.dispatcher)
    post(
        dispatcher,
        action_url(appeal, "callback"),
        {"version": appeal.version, "solved": "no", "satisfaction": "unsatisfied", "method": "phone"},
    )
    appeal = fresh(appeal)
    assert appeal.awaiting_decision
    awaiting = dispatcher.get(reverse("appeals:dispatch"), {"tab": "awaiting"}).context["rows"]
    assert [row.appeal.pk for row in awaiting] == [appeal.pk]
    post(dispatcher, action_url(appeal, "reopen"), {"version": appeal.version, "reason": "群众仍未拿到工资"})
    appeal = fresh(appeal)
    assert appeal.status == AppealStatus.ASSIGNED and not appeal.awaiting_decision


def test_merge_into_another_appeal_by_its_tracking_code(personas) -> None:
    original = registered(personas.dispatcher, title="原诉求")
    duplicate = registered(personas.dispatcher, title="重复诉求")
    response = post(
        client_for(personas.dispatcher),
        action_url(duplicate, "merge"),
        {"version": duplicate.version, "into": original.code},
        follow=True,
    )
    assert fresh(duplicate).status == AppealStatus.MERGED
    assert original.code in response.content.decode()
    assert duplicate.code in detail(personas.dispatcher, original)
