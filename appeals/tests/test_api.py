"""The appeals API against the personas: registration, the workflow end to end, scope, masking, lists."""

import re
from datetime import timedelta
from typing import Any, get_args

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from appeals import schemas
from appeals.models import (
    Appeal,
    AppealCounter,
    AppealEvent,
    AppealKind,
    AppealSource,
    AppealStatus,
    Notification,
    RiskColour,
    Satisfaction,
)
from appeals.permissions import Action
from appeals.tests.factories import REPLY
from core.models import AuditEvent
from org.models import Role
from org.tests.factories import make_member
from tests.support import api_client

MISSING = 987654321
DUYUN_VILLAGE = "522701001001"


def body(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "kind": "request",
        "source": "visit",
        "title": "春节前讨要工资",
        "description": "在某建筑工地务工八个月，老板拖欠工资三万二千元，春节前急需回家。",
        "region_code": DUYUN_VILLAGE,
        "category": "labour.wage_arrears",
        "parties_count": 1,
        "reporter": {"name": "张三", "phone": "13812345678", "id_number": "52270119800101123X"},
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def create(client: Client, **overrides: Any) -> dict[str, Any]:
    response = client.post("/api/v1/appeals", body(**overrides), content_type="application/json")
    assert response.status_code == 201, response.content.decode()
    return response.json()


def act(client: Client, appeal_id: int, action: str, **payload: Any):
    if "version" not in payload:
        payload["version"] = Appeal.objects.get(pk=appeal_id).version
    return client.post(f"/api/v1/appeals/{appeal_id}/{action}", payload, content_type="application/json")


def ok(response) -> Any:
    assert response.status_code == 200, response.content.decode()
    return response.json()


def error(response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    return response.json()["error"]


def detail(client: Client, appeal_id: int) -> dict[str, Any]:
    return ok(client.get(f"/api/v1/appeals/{appeal_id}"))


def event_kinds(appeal_id: int) -> list[str]:
    return list(
        AppealEvent.objects.filter(appeal_id=appeal_id).order_by("at", "id").values_list("kind", flat=True)
    )


@pytest.fixture
def clients(personas) -> Any:
    class Clients:
        dispatcher = api_client(personas.dispatcher)
        handler = api_client(personas.handler)
        unit_head = api_client(personas.unit_head)
        supervisor = api_client(personas.supervisor)
        visitor = api_client(personas.visitor)
        other_leader = api_client(personas.other_leader)
        other_handler = api_client(personas.other_handler)
        admin = api_client(personas.admin)

    return Clients


def assigned(clients, personas, **overrides: Any) -> dict[str, Any]:
    appeal = create(clients.dispatcher, **overrides)
    return ok(act(clients.dispatcher, appeal["id"], "assign", lead_unit=personas.duyun_hr.pk))


# --- reference -----------------------------------------------------------------------------------------------


def test_categories_are_two_levels_with_their_parent_code(clients) -> None:
    items = ok(clients.handler.get("/api/v1/categories"))
    by_code = {c["code"]: c for c in items}
    assert by_code["labour"] == {
        "code": "labour",
        "name": "劳动和社会保障",
        "parent_code": None,
        "is_campaign_theme": False,
    }
    assert by_code["labour.wage_arrears"]["parent_code"] == "labour"
    assert by_code["labour.wage_arrears"]["is_campaign_theme"] is True
    assert all(c["parent_code"] is None or c["parent_code"] in by_code for c in items)


def test_policies_list_the_presets_of_the_design(clients) -> None:
    items = {p["code"]: p for p in ok(clients.handler.get("/api/v1/policies"))}
    assert items["request"] == {
        "code": "request",
        "name": "求助/建议",
        "sign_amount": 1,
        "sign_clock": "working_days",
        "resolve_amount": 10,
        "resolve_clock": "working_days",
        "extension_cap": 5,
        "extension_clock": "working_days",
    }
    assert items["act_now"]["extension_cap"] == 0


def test_input_choices_match_the_models() -> None:
    assert set(get_args(schemas.Kind)) == set(AppealKind.values)
    assert set(get_args(schemas.Source)) == set(AppealSource.values)
    assert set(get_args(schemas.Colour)) == set(RiskColour.values)
    assert set(get_args(schemas.StatusName)) == set(AppealStatus.values)
    assert set(get_args(schemas.SatisfactionName)) == set(Satisfaction.values)


# --- registration --------------------------------------------------------------------------------------------


def test_dispatcher_registers_an_appeal_and_gets_its_code_and_secret_once(clients) -> None:
    created = create(clients.dispatcher)
    year = timezone.localtime().year
    assert created["code"] == f"522701-{year}-000001"
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{8}", created["secret"])
    assert created["status"] == "registered"
    with translation.override("zh-hans"):
        assert created["status_name"] == str(AppealStatus.REGISTERED.label)
    assert created["version"] == 1
    assert created["category"] == "labour.wage_arrears"
    assert created["category_name"] == "拖欠农民工工资"
    assert created["region_code"] == DUYUN_VILLAGE
    assert created["lead_unit_id"] is None and created["policy"] is None
    assert created["overdue"] is False
    assert create(clients.dispatcher)["code"] == f"522701-{year}-000002"
    shown = detail(clients.dispatcher, created["id"])
    assert "secret" not in shown
    assert shown["reporter"] == {"name": "张*", "phone": "138****5678", "id_number": "5227**********123X"}
    assert "13812345678" not in clients.dispatcher.get(f"/api/v1/appeals/{created['id']}").content.decode()


def test_anonymous_appeal_has_no_reporter(clients) -> None:
    created = create(clients.dispatcher, reporter=None, anonymous=True)
    shown = detail(clients.dispatcher, created["id"])
    assert shown["anonymous"] is True
    assert shown["reporter"] is None
    appeal = Appeal.objects.get(pk=created["id"])
    assert (appeal.reporter_name, appeal.reporter_phone, appeal.reporter_id_number) == ("", "", "")


def test_appeal_resolved_on_the_spot_is_registered_resolved(clients) -> None:
    created = create(clients.visitor, on_site_reply="已当场联系老板，约定三日内结清工资。")
    assert created["status"] == "resolved"
    assert created["resolved_on_site"] is True
    assert detail(clients.visitor, created["id"])["reply"] == "已当场联系老板，约定三日内结清工资。"
    assert event_kinds(created["id"]) == ["registered", "resolved_on_site"]


def test_dispute_gets_its_risk_colour_and_text_is_stripped(clients) -> None:
    created = create(
        clients.dispatcher,
        kind="dispute",
        category="land.boundary",
        risk_colour="orange",
        title="  山林地界纠纷  ",
    )
    assert created["risk_colour"] == "orange"
    assert created["title"] == "山林地界纠纷"


def _nothing_written() -> tuple[int, int, int]:
    return (
        Appeal.objects.count(),
        AppealEvent.objects.count(),
        sum(AppealCounter.objects.values_list("value", flat=True)),
    )


BAD_BODIES: dict[str, dict[str, Any]] = {
    "empty body": {"__replace__": {}},
    "missing title": {"title": None},
    "missing region": {"region_code": None},
    "unknown category": {"category": "labour.no_such_thing"},
    "malformed category": {"category": "Labour Wage"},
    "unknown region": {"region_code": "522799999999"},
    "malformed region": {"region_code": "5227"},
    "title of 101 characters": {"title": "欠" * 101},
    "description of 5001 characters": {"description": "欠" * 5001},
    "blank title": {"title": "   "},
    "script in title": {"title": "<script>alert(1)</script>"},
    "bold in description": {"description": "老板<b>拖欠</b>工资"},
    "entity in address": {"address": "&lt;广惠路"},
    "control character in title": {"title": "讨薪\x07"},
    "parties count in words": {"parties_count": "many"},
    "parties count as a string of digits": {"parties_count": "5"},
    "parties count of zero": {"parties_count": 0},
    "anonymous as a string": {"anonymous": "yes", "reporter": None},
    "unknown field": {"priority": "high"},
    "unknown reporter field": {"reporter": {"name": "张三", "phone": "13812345678", "email": "a@b.c"}},
    "unknown kind": {"kind": "complaint"},
    "unknown source": {"source": "email"},
    "risk colour on a request": {"risk_colour": "red"},
    "unknown risk colour": {"kind": "dispute", "category": "land.boundary", "risk_colour": "purple"},
    "anonymous with reporter data": {"anonymous": True},
    "named without a phone": {"reporter": {"name": "张三"}},
    "no reporter and not anonymous": {"reporter": None},
    "phone with letters": {"reporter": {"name": "张三", "phone": "138-CALL-ME"}},
    "short id number": {"reporter": {"name": "张三", "phone": "13812345678", "id_number": "5227011980"}},
    "markup in reporter name": {"reporter": {"name": "<i>张三</i>", "phone": "13812345678"}},
    "markup in the on-site reply": {"on_site_reply": "<a href=x>已解决</a>"},
    "title as a number": {"title": 12345},
}


@pytest.mark.parametrize("case", list(BAD_BODIES))
def test_bad_registration_is_422_with_details_and_writes_nothing(clients, case: str) -> None:
    overrides = BAD_BODIES[case]
    payload = overrides["__replace__"] if "__replace__" in overrides else body(**overrides)
    before = _nothing_written()
    response = clients.dispatcher.post("/api/v1/appeals", payload, content_type="application/json")
    err = error(response, 422)
    assert err["code"] == "invalid_input"
    assert err["message"]
    assert err["details"]
    if isinstance(err["details"], list):
        assert all({"loc", "msg", "type"} <= set(d) for d in err["details"])
    assert _nothing_written() == before


def test_schema_errors_name_the_field_in_chinese(clients) -> None:
    response = clients.dispatcher.post(
        "/api/v1/appeals", body(title="欠" * 101, description="<b>x</b>"), content_type="application/json"
    )
    details = {tuple(d["loc"][-1:]): d["msg"] for d in error(response, 422)["details"]}
    assert "不能超过100字" in details[("title",)]
    assert "HTML" in details[("description",)]


def test_region_of_another_county_is_refused_like_an_unknown_one(clients) -> None:
    unknown = error(
        clients.dispatcher.post(
            "/api/v1/appeals", body(region_code="522799999999"), content_type="application/json"
        ),
        422,
    )
    fuquan = error(
        clients.dispatcher.post(
            "/api/v1/appeals", body(region_code="522702000000"), content_type="application/json"
        ),
        422,
    )
    assert fuquan == unknown
    assert set(fuquan["details"]) == {"region_code"}
    assert not Appeal.objects.exists()


# --- the workflow -------------------------------------------------------------------------------------------


def test_the_whole_workflow_through_the_api(clients, personas) -> None:
    created = create(clients.dispatcher, category="labour.contract", title="劳动合同纠纷")
    appeal_id = created["id"]
    versions = [created["version"]]

    shown = detail(clients.dispatcher, appeal_id)
    assert shown["routing_suggestion"]["lead_unit_id"] == personas.duyun_hr.pk
    assert "assign" in shown["allowed_actions"]

    step = ok(act(clients.dispatcher, appeal_id, "assign", lead_unit=personas.duyun_hr.pk, co_units=[]))
    versions.append(step["version"])
    assert step["status"] == "assigned"
    assert step["lead_unit_id"] == personas.duyun_hr.pk
    assert step["lead_unit_name"] == "都匀市人力资源和社会保障局"
    assert step["policy"] == "request"
    assert step["sign_due"] and step["resolve_due"]
    assert detail(clients.handler, appeal_id)["allowed_actions"] == ["accept", "return", "note"]
    assert detail(clients.dispatcher, appeal_id)["routing_suggestion"] is None

    step = ok(act(clients.handler, appeal_id, "accept"))
    versions.append(step["version"])
    assert step["status"] == "in_progress"

    before_extension = step["resolve_due"]
    step = ok(act(clients.handler, appeal_id, "extend", days=3, reason="需调取用工记录"))
    versions.append(step["version"])
    pending = detail(clients.unit_head, appeal_id)["pending_extension"]
    assert (pending["days"], pending["reason"]) == (3, "需调取用工记录")
    assert "approve-extension" in detail(clients.unit_head, appeal_id)["allowed_actions"]

    step = ok(act(clients.unit_head, appeal_id, "approve-extension", note="同意"))
    versions.append(step["version"])
    assert step["resolve_due"] > before_extension
    assert detail(clients.handler, appeal_id)["pending_extension"] is None

    step = ok(act(clients.handler, appeal_id, "resolve", reply="已督促用人单位补签劳动合同，待核实。"))
    versions.append(step["version"])
    assert step["status"] == "awaiting_approval"
    assert detail(clients.unit_head, appeal_id)["allowed_actions"] == ["approve-reply", "reject-reply"]
    step = ok(act(clients.unit_head, appeal_id, "reject-reply", reason="请写明合同是否已经补签"))
    versions.append(step["version"])
    assert step["status"] == "in_progress"
    step = ok(act(clients.handler, appeal_id, "resolve", reply="用人单位已于本周与当事人补签书面劳动合同。"))
    versions.append(step["version"])
    step = ok(act(clients.unit_head, appeal_id, "approve-reply"))
    versions.append(step["version"])
    assert step["status"] == "resolved"

    step = ok(
        act(
            clients.dispatcher,
            appeal_id,
            "callback",
            solved=False,
            satisfaction="unsatisfied",
            method="phone",
            note="群众表示合同仍未补签",
        )
    )
    versions.append(step["version"])
    assert step["status"] == "resolved" and step["awaiting_decision"] is True

    step = ok(act(clients.dispatcher, appeal_id, "reopen", reason="群众反映仍未补签"))
    versions.append(step["version"])
    assert step["status"] == "assigned" and step["awaiting_decision"] is False

    versions.append(ok(act(clients.handler, appeal_id, "accept"))["version"])
    versions.append(
        ok(act(clients.handler, appeal_id, "resolve", reply="合同已补签，当事人已签字确认。"))["version"]
    )
    versions.append(ok(act(clients.unit_head, appeal_id, "approve-reply"))["version"])
    step = ok(act(clients.dispatcher, appeal_id, "callback", solved=True, satisfaction="satisfied"))
    versions.append(step["version"])
    assert step["status"] == "closed"

    assert versions == list(range(1, 16))
    events = ok(clients.dispatcher.get(f"/api/v1/appeals/{appeal_id}/events"))
    assert [e["kind"] for e in events] == [
        "registered",
        "assigned",
        "accepted",
        "extension_requested",
        "extension_approved",
        "reply_submitted",
        "reply_rejected",
        "reply_submitted",
        "resolved",
        "callback",
        "reopened",
        "accepted",
        "reply_submitted",
        "resolved",
        "callback",
    ]
    assert events[6]["data"]["reply"] == "已督促用人单位补签劳动合同，待核实。"
    assert events[9]["data"]["note"] == "群众表示合同仍未补签"
    assert events[0]["actor_name"] == "刘调度"
    assert events[2]["actor_name"] == "李经办"
    assert events[2]["unit_name"] == "都匀市人力资源和社会保障局"
    assert events[3]["data"]["days"] == 3
    assert all(e["kind_name"] for e in events)
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)


def test_note_deny_extension_supervise_reject_and_close(clients, personas) -> None:
    appeal = assigned(clients, personas, category="labour.contract")
    appeal_id = appeal["id"]
    ok(act(clients.handler, appeal_id, "accept"))
    assert ok(act(clients.handler, appeal_id, "note", text="已约谈用人单位"))["version"] == 4
    ok(act(clients.handler, appeal_id, "extend", days=2, reason="需要时间"))
    denied = ok(act(clients.dispatcher, appeal_id, "deny-extension"))
    assert denied["resolve_due"] == appeal["resolve_due"]
    supervised = ok(act(clients.supervisor, appeal_id, "supervise", reason="群众多次反映", days=3))
    assert supervised["version"] == 7
    ok(act(clients.handler, appeal_id, "resolve", reply=REPLY))
    ok(act(clients.unit_head, appeal_id, "approve-reply"))
    closed = ok(act(clients.dispatcher, appeal_id, "close", reason="群众无法联系"))
    assert closed["status"] == "closed"
    assert event_kinds(appeal_id)[-7:] == [
        "note",
        "extension_requested",
        "extension_denied",
        "supervised",
        "reply_submitted",
        "resolved",
        "closed",
    ]

    other = create(clients.dispatcher)
    rejected = ok(act(clients.dispatcher, other["id"], "reject", reason="不属于本系统受理范围"))
    assert rejected["status"] == "closed"
    assert detail(clients.dispatcher, other["id"])["close_reason"] == "不予受理：不属于本系统受理范围"


def test_resolve_on_site_by_the_dispatcher(clients) -> None:
    appeal = create(clients.dispatcher)
    resolved = ok(
        act(clients.dispatcher, appeal["id"], "resolve-on-site", reply="已当场解答政策，反映人表示清楚。")
    )
    assert (resolved["status"], resolved["resolved_on_site"], resolved["version"]) == ("resolved", True, 2)


def test_stale_version_is_409_and_changes_nothing(clients, personas) -> None:
    appeal = assigned(clients, personas)
    events_before = event_kinds(appeal["id"])
    err = error(act(clients.handler, appeal["id"], "accept", version=1), 409)
    assert err["code"] == "stale_version"
    assert err["details"] == {"expected_version": 1, "current_version": 2}
    shown = detail(clients.handler, appeal["id"])
    assert (shown["status"], shown["version"]) == ("assigned", 2)
    assert shown["tasks"][0]["status"] == "assigned"
    assert event_kinds(appeal["id"]) == events_before


def test_illegal_transitions_are_refused_with_the_services_answer(clients, personas) -> None:
    appeal = create(clients.dispatcher)
    # Before assignment the handler's department has no part in it: it does not see it (条, DESIGN §4).
    err = error(act(clients.handler, appeal["id"], "accept"), 404)
    assert err["code"] == "not_found"
    assert (
        error(act(clients.dispatcher, appeal["id"], "callback", solved=True, satisfaction="satisfied"), 409)[
            "code"
        ]
        == "not_resolved"
    )
    assert error(act(clients.dispatcher, appeal["id"], "close"), 409)["code"] == "not_resolved"
    assert error(act(clients.handler, appeal["id"], "assign", lead_unit=personas.duyun_hr.pk), 404)[
        "code"
    ] == ("not_found")
    ok(act(clients.dispatcher, appeal["id"], "assign", lead_unit=personas.duyun_hr.pk))
    assert error(act(clients.dispatcher, appeal["id"], "assign", lead_unit=personas.duyun_hr.pk), 409)[
        "code"
    ] == ("not_registered")
    ok(act(clients.handler, appeal["id"], "accept"))
    assert error(act(clients.handler, appeal["id"], "accept"), 409)["code"] == "not_assigned"
    # wage arrears are "act now": no extension may be granted.
    assert error(act(clients.handler, appeal["id"], "extend", days=1, reason="x"), 409)["code"] == (
        "extension_not_allowed"
    )
    assert error(act(clients.supervisor, appeal["id"], "reopen", reason="x"), 403)["code"] == "forbidden"
    assert detail(clients.handler, appeal["id"])["version"] == 3


def test_extension_over_the_policy_cap_is_422(clients, personas) -> None:
    appeal = assigned(clients, personas, category="labour.contract")
    ok(act(clients.handler, appeal["id"], "accept"))
    err = error(act(clients.handler, appeal["id"], "extend", days=6, reason="x"), 422)
    assert err["code"] == "extension_over_cap"


def test_assign_to_a_unit_outside_the_scope_is_422(clients, personas) -> None:
    appeal = create(clients.dispatcher)
    err = error(act(clients.dispatcher, appeal["id"], "assign", lead_unit=personas.fuquan_hr.pk), 422)
    assert "units" in err["details"]
    err = error(
        act(clients.dispatcher, appeal["id"], "assign", lead_unit=personas.duyun_hr.pk, policy="nope"), 422
    )
    assert err["code"] == "unknown_policy"
    assert detail(clients.dispatcher, appeal["id"])["status"] == "registered"


BAD_ACTION_BODIES = [
    ("accept", {}),
    ("accept", {"version": "2"}),
    ("accept", {"version": 2, "extra": 1}),
    ("assign", {"version": 1}),
    ("assign", {"version": 1, "lead_unit": "1"}),
    ("return", {"version": 1, "reason": ""}),
    ("return", {"version": 1, "reason": "<script>x</script>"}),
    ("extend", {"version": 1, "days": 0, "reason": "x"}),
    ("note", {"version": 1, "text": "进" * 2001}),
    ("resolve", {"version": 1, "reply": "答" * 5001}),
    ("callback", {"version": 1, "solved": "true", "satisfaction": "satisfied"}),
    ("callback", {"version": 1, "solved": True, "satisfaction": "happy"}),
    ("callback", {"version": 1, "solved": True, "satisfaction": "satisfied", "method": "email"}),
    ("callback", {"version": 1, "solved": True, "satisfaction": "satisfied", "note": "记" * 501}),
    ("merge", {"version": 1, "into": "2"}),
    ("reject", {"version": 1, "reason": "因" * 496}),
    ("supervise", {"version": 1, "reason": "x", "days": 0}),
]


@pytest.mark.parametrize(("action", "payload"), BAD_ACTION_BODIES)
def test_malformed_action_bodies_are_422(clients, action: str, payload: dict[str, Any]) -> None:
    appeal = create(clients.dispatcher)
    err = error(
        clients.dispatcher.post(
            f"/api/v1/appeals/{appeal['id']}/{action}", payload, content_type="application/json"
        ),
        422,
    )
    assert err["details"]
    assert Appeal.objects.get(pk=appeal["id"]).version == 1


def test_reject_reason_fits_the_stored_close_reason(clients) -> None:
    appeal = create(clients.dispatcher)
    rejected = ok(act(clients.dispatcher, appeal["id"], "reject", reason="因" * 495))
    assert rejected["status"] == "closed"
    assert len(Appeal.objects.get(pk=appeal["id"]).close_reason) == 500


# --- co-units, returns, merges --------------------------------------------------------------------------------


def test_lead_cannot_resolve_until_the_co_unit_has_reported(clients, personas) -> None:
    police = api_client(make_member(username="police_handler", unit=personas.duyun_police, role=Role.HANDLER))
    appeal = create(clients.dispatcher)
    appeal_id = appeal["id"]
    step = ok(
        act(
            clients.dispatcher,
            appeal_id,
            "assign",
            lead_unit=personas.duyun_hr.pk,
            co_units=[personas.duyun_police.pk],
        )
    )
    assert step["lead_unit_id"] == personas.duyun_hr.pk
    ok(act(clients.handler, appeal_id, "accept"))
    ok(act(police, appeal_id, "accept"))
    assert error(act(clients.handler, appeal_id, "resolve", reply=REPLY), 409)["code"] == "co_units_pending"

    reported = ok(act(police, appeal_id, "resolve", reply="已核查工地用工情况"))
    assert reported["status"] == "in_progress"
    tasks = {t["unit_id"]: t for t in detail(clients.dispatcher, appeal_id)["tasks"]}
    assert tasks[personas.duyun_police.pk]["role"] == "co"
    assert tasks[personas.duyun_police.pk]["status"] == "reported"
    assert tasks[personas.duyun_police.pk]["report"] == "已核查工地用工情况"
    assert tasks[personas.duyun_hr.pk]["role"] == "lead"

    submitted = ok(act(clients.handler, appeal_id, "resolve", reply=REPLY))
    assert submitted["status"] == "awaiting_approval"
    assert event_kinds(appeal_id)[-2:] == ["reported", "reply_submitted"]


def test_return_before_the_sign_deadline_goes_back_to_dispatch(clients, personas) -> None:
    appeal = assigned(clients, personas)
    returned = ok(act(clients.handler, appeal["id"], "return", reason="不属于本单位职责"))
    assert returned["status"] == "registered"
    assert returned["lead_unit_id"] is None and returned["sign_due"] is None
    queue = ok(clients.dispatcher.get("/api/v1/appeals", {"returned": "true"}))["items"]
    assert [a["id"] for a in queue] == [appeal["id"]]
    fresh = create(clients.dispatcher)
    new = ok(clients.dispatcher.get("/api/v1/appeals", {"returned": "false", "status": "registered"}))[
        "items"
    ]
    assert [a["id"] for a in new] == [fresh["id"]]
    # The returning handler still sees the item it had a part in.
    assert detail(clients.handler, appeal["id"])["tasks"][0]["status"] == "returned"


def test_return_after_the_sign_deadline_is_refused(clients, personas) -> None:
    appeal = assigned(clients, personas)
    sign_due = Appeal.objects.get(pk=appeal["id"]).sign_due
    assert sign_due is not None
    with time_machine.travel(sign_due + timedelta(minutes=1)):
        err = error(act(clients.handler, appeal["id"], "return", reason="不属于本单位职责"), 409)
    assert err["code"] == "sign_deadline_passed"
    assert detail(clients.handler, appeal["id"])["status"] == "assigned"


def test_merge_into_a_visible_appeal(clients, personas) -> None:
    original = create(clients.dispatcher)
    repeat = create(clients.dispatcher)
    merged = ok(act(clients.dispatcher, repeat["id"], "merge", into=original["id"]))
    assert merged["status"] == "merged"
    shown = detail(clients.dispatcher, repeat["id"])
    assert (shown["duplicate_of"], shown["duplicate_of_id"]) == (original["code"], original["id"])
    assert event_kinds(original["id"])[-1] == "duplicate_added"


def test_merge_into_itself_is_422(clients) -> None:
    appeal = create(clients.dispatcher)
    err = error(act(clients.dispatcher, appeal["id"], "merge", into=appeal["id"]), 422)
    assert "into" in err["details"]
    assert detail(clients.dispatcher, appeal["id"])["status"] == "registered"


def test_merge_into_an_appeal_outside_the_scope_is_answered_like_a_missing_one(clients) -> None:
    appeal = create(clients.dispatcher)
    fuquan = create(clients.admin, region_code="522702000000")
    missing = error(act(clients.dispatcher, appeal["id"], "merge", into=MISSING), 404)
    hidden = error(act(clients.dispatcher, appeal["id"], "merge", into=fuquan["id"]), 404)
    assert hidden == missing
    assert Appeal.objects.get(pk=appeal["id"]).status == "registered"


# --- scope and personal data -----------------------------------------------------------------------------------


ACTION_BODIES: dict[str, dict[str, Any]] = {
    Action.ASSIGN: {"lead_unit": 1},
    Action.ACCEPT: {},
    Action.RETURN: {"reason": "x"},
    Action.EXTEND: {"days": 1, "reason": "x"},
    Action.APPROVE_EXTENSION: {},
    Action.DENY_EXTENSION: {},
    Action.NOTE: {"text": "x"},
    Action.RESOLVE: {"reply": "x"},
    Action.RESOLVE_ON_SITE: {"reply": "x"},
    Action.CALLBACK: {"solved": True, "satisfaction": "satisfied"},
    Action.REOPEN: {"reason": "x"},
    Action.MERGE: {"into": 1},
    Action.REJECT: {"reason": "x"},
    Action.CLOSE: {},
    Action.SUPERVISE: {"reason": "x"},
    Action.APPROVE_REPLY: {},
    Action.REJECT_REPLY: {"reason": "x"},
    Action.RECLASSIFY: {"reason": "x", "kind": "inquiry"},
    Action.CO_UNITS: {"reason": "x", "add": [1]},
}


def test_every_action_has_a_test_body() -> None:
    assert set(ACTION_BODIES) == set(Action.ALL)


@pytest.mark.parametrize("name", ["other_leader", "other_handler"])
def test_out_of_scope_appeal_is_answered_exactly_like_a_missing_one(clients, personas, name: str) -> None:
    appeal = assigned(clients, personas)
    client = getattr(clients, name)
    missing = client.get(f"/api/v1/appeals/{MISSING}")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    hidden = client.get(f"/api/v1/appeals/{appeal['id']}")
    assert (hidden.status_code, hidden.json()) == (404, missing.json())
    for suffix in ["events"]:
        assert client.get(f"/api/v1/appeals/{appeal['id']}/{suffix}").json() == missing.json()
        assert client.get(f"/api/v1/appeals/{MISSING}/{suffix}").json() == missing.json()
    for path in [f"/api/v1/appeals/{appeal['id']}/reveal", f"/api/v1/appeals/{MISSING}/reveal"]:
        response = client.post(path)
        assert (response.status_code, response.json()) == (404, missing.json())
    for action, payload in ACTION_BODIES.items():
        payload = {**payload, "version": 2}
        for appeal_id in (appeal["id"], MISSING):
            response = client.post(
                f"/api/v1/appeals/{appeal_id}/{action}", payload, content_type="application/json"
            )
            assert (response.status_code, response.json()) == (404, missing.json()), (action, appeal_id)
    assert ok(client.get("/api/v1/appeals"))["items"] == []
    assert Appeal.objects.get(pk=appeal["id"]).version == 2
    assert not AuditEvent.objects.filter(action="personal_data_revealed").exists()


def test_township_handler_sees_appeals_of_its_township_only(clients, personas) -> None:
    township = api_client(personas.township_handler)
    inside = create(clients.dispatcher)
    outside = create(clients.dispatcher, region_code="522701000000")
    assert [a["id"] for a in ok(township.get("/api/v1/appeals"))["items"]] == [inside["id"]]
    assert township.get(f"/api/v1/appeals/{outside['id']}").status_code == 404


def test_reveal_gives_the_dispatcher_the_full_reporter_and_is_audited(clients) -> None:
    appeal = create(clients.dispatcher)
    revealed = ok(clients.dispatcher.post(f"/api/v1/appeals/{appeal['id']}/reveal"))
    assert revealed == {"name": "张三", "phone": "13812345678", "id_number": "52270119800101123X"}
    audit = AuditEvent.objects.get(action="personal_data_revealed")
    assert (audit.username, audit.object_id) == ("dispatcher", str(appeal["id"]))


def test_reveal_is_403_for_a_visitor_in_scope_and_404_out_of_scope(clients) -> None:
    appeal = create(clients.visitor)  # what the visitor's own unit registered is in its scope (DESIGN §4)
    assert error(clients.visitor.post(f"/api/v1/appeals/{appeal['id']}/reveal"), 403)["code"] == "forbidden"
    assert (
        error(clients.other_leader.post(f"/api/v1/appeals/{appeal['id']}/reveal"), 404)["code"] == "not_found"
    )
    assert not AuditEvent.objects.filter(action="personal_data_revealed").exists()
    # The visitor still sees the appeal, masked.
    assert detail(clients.visitor, appeal["id"])["reporter"]["name"] == "张*"


def test_handler_of_the_assigned_unit_may_reveal(clients, personas) -> None:
    appeal = assigned(clients, personas)
    assert ok(clients.handler.post(f"/api/v1/appeals/{appeal['id']}/reveal"))["phone"] == "13812345678"


# --- lists -------------------------------------------------------------------------------------------------


def ids(client: Client, **params: Any) -> list[int]:
    return [a["id"] for a in ok(client.get("/api/v1/appeals", params))["items"]]


def test_list_filters_by_status(clients, personas) -> None:
    registered = create(clients.dispatcher)
    assigned_one = assigned(clients, personas)
    resolved = create(clients.dispatcher, on_site_reply="已当场解答政策，反映人表示清楚。")
    assert ids(clients.dispatcher, status="assigned") == [assigned_one["id"]]
    assert ids(clients.dispatcher, status="registered,assigned") == [assigned_one["id"], registered["id"]]
    both = clients.dispatcher.get("/api/v1/appeals?status=registered&status=resolved").json()["items"]
    assert [a["id"] for a in both] == [resolved["id"], registered["id"]]
    assert error(clients.dispatcher.get("/api/v1/appeals", {"status": "nope"}), 422)["details"]


def test_list_filters_by_unit_and_task_status(clients, personas) -> None:
    first = assigned(clients, personas)
    second = assigned(clients, personas)
    create(clients.dispatcher)
    ok(act(clients.handler, second["id"], "accept"))
    unit = personas.duyun_hr.pk
    assert ids(clients.handler, unit=unit) == [second["id"], first["id"]]
    assert ids(clients.handler, unit=unit, task_status="assigned") == [first["id"]]
    assert ids(clients.handler, unit=unit, task_status="accepted") == [second["id"]]
    assert ids(clients.handler, unit=personas.duyun_police.pk) == []


def test_list_filters_overdue_by_the_resolve_deadline(clients, personas) -> None:
    late = assigned(clients, personas)
    create(clients.dispatcher)
    assert ids(clients.dispatcher, overdue="true") == []
    resolve_due = Appeal.objects.get(pk=late["id"]).resolve_due
    assert resolve_due is not None
    with time_machine.travel(resolve_due + timedelta(hours=1)):
        items = ok(clients.dispatcher.get("/api/v1/appeals", {"overdue": "true"}))["items"]
        assert [a["id"] for a in items] == [late["id"]]
        assert items[0]["overdue"] is True
        assert late["id"] not in ids(clients.dispatcher, overdue="false")
        assert detail(clients.dispatcher, late["id"])["overdue"] is True
    assert len(ids(clients.dispatcher, overdue="false")) == 2


def test_list_filters_by_text_category_kind_source_and_region(clients) -> None:
    wages = create(clients.dispatcher)
    contract = create(
        clients.dispatcher,
        category="labour.contract",
        title="未签劳动合同",
        description="入职半年未签合同",
        source="phone",
    )
    boundary = create(
        clients.dispatcher,
        kind="dispute",
        category="land.boundary",
        risk_colour="red",
        title="山林地界",
        description="两组村民因山林地界发生争执",
        region_code="522701000000",
    )
    assert ids(clients.dispatcher, q="讨要") == [wages["id"]]
    assert ids(clients.dispatcher, q="三万二千") == [wages["id"]]
    assert ids(clients.dispatcher, q=contract["code"]) == [contract["id"]]
    assert ids(clients.dispatcher, category="labour") == [contract["id"], wages["id"]]
    assert ids(clients.dispatcher, category="labour.contract") == [contract["id"]]
    assert ids(clients.dispatcher, kind="dispute") == [boundary["id"]]
    assert ids(clients.dispatcher, risk_colour="red") == [boundary["id"]]
    assert ids(clients.dispatcher, source="phone") == [contract["id"]]
    assert ids(clients.dispatcher, awaiting_decision="true") == []
    for bad in [
        {"q": "<script>"},
        {"q": "x" * 51},
        {"region": "52x"},
        {"limit": 0},
        {"limit": 201},
        {"kind": "x"},
    ]:
        assert clients.dispatcher.get("/api/v1/appeals", bad).status_code == 422, bad
    assert (
        error(clients.dispatcher.get("/api/v1/appeals", {"cursor": "!!!"}), 422)["code"] == "invalid_cursor"
    )


def test_list_filters_by_region_subtree(clients) -> None:
    township = create(clients.dispatcher)
    create(clients.dispatcher, region_code="522701000000")
    assert ids(clients.dispatcher, region="522701001") == [township["id"]]


def test_list_in_deadline_order_leaves_out_items_without_one(clients, personas) -> None:
    first = assigned(clients, personas, category="labour.contract")  # 10 working days
    second = assigned(clients, personas)  # act now: 1 working day
    create(clients.dispatcher)
    assert ids(clients.dispatcher, order="due") == [second["id"], first["id"]]


def test_list_pages_with_a_cursor_without_gaps_or_repeats(clients, personas) -> None:
    created = [create(clients.dispatcher)["id"] for _ in range(7)]
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = ok(clients.dispatcher.get("/api/v1/appeals", params))
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(created, reverse=True)


def test_list_costs_the_same_queries_for_more_rows(clients, personas) -> None:
    assigned(clients, personas)
    with CaptureQueriesContext(connection) as few:
        ok(clients.dispatcher.get("/api/v1/appeals"))
    for _ in range(4):
        assigned(clients, personas, category="labour.contract")
    create(clients.dispatcher, kind="dispute", category="land.boundary")
    with CaptureQueriesContext(connection) as many:
        assert len(ok(clients.dispatcher.get("/api/v1/appeals"))["items"]) == 6
    assert len(many) == len(few)


# --- notifications ----------------------------------------------------------------------------------------------


def test_assignment_notifies_the_unit_and_it_can_be_marked_read(clients, personas) -> None:
    appeal = assigned(clients, personas)
    assert ok(clients.handler.get("/api/v1/notifications/unread-count")) == {"count": 1}
    items = ok(clients.handler.get("/api/v1/notifications", {"unread": "true"}))["items"]
    assert len(items) == 1
    assert items[0]["kind"] == "assigned"
    assert items[0]["appeal_id"] == appeal["id"]
    assert items[0]["appeal_code"] == appeal["code"]
    assert appeal["code"] in items[0]["message"]
    assert items[0]["read_at"] is None

    marked = clients.handler.post(
        "/api/v1/notifications/read", {"ids": [items[0]["id"]]}, content_type="application/json"
    )
    assert ok(marked) == {"updated": 1}
    assert ok(clients.handler.get("/api/v1/notifications/unread-count")) == {"count": 0}
    assert ok(clients.handler.get("/api/v1/notifications", {"unread": "true"}))["items"] == []
    assert ok(clients.handler.get("/api/v1/notifications", {"unread": "false"}))["items"][0]["read_at"]


def test_a_user_cannot_mark_another_users_notification(clients, personas) -> None:
    assigned(clients, personas)
    heads = Notification.objects.get(user=personas.unit_head)
    response = clients.handler.post(
        "/api/v1/notifications/read", {"ids": [heads.pk]}, content_type="application/json"
    )
    assert ok(response) == {"updated": 0}
    response = clients.other_handler.post(
        "/api/v1/notifications/read", {"all": True}, content_type="application/json"
    )
    assert ok(response) == {"updated": 0}
    heads.refresh_from_db()
    assert heads.read_at is None
    assert ok(clients.unit_head.get("/api/v1/notifications/unread-count")) == {"count": 1}
    assert ok(clients.other_handler.get("/api/v1/notifications"))["items"] == []


def test_mark_all_read_and_pages_of_notifications(clients, personas) -> None:
    for _ in range(3):
        assigned(clients, personas)
    first = ok(clients.handler.get("/api/v1/notifications", {"limit": 2}))
    second = ok(clients.handler.get("/api/v1/notifications", {"limit": 2, "cursor": first["next_cursor"]}))
    all_ids = [n["id"] for n in first["items"] + second["items"]]
    assert all_ids == sorted(all_ids, reverse=True) and len(set(all_ids)) == 3
    assert second["next_cursor"] is None
    assert ok(
        clients.handler.post("/api/v1/notifications/read", {"all": True}, content_type="application/json")
    ) == {"updated": 3}
    assert ok(clients.handler.get("/api/v1/notifications/unread-count")) == {"count": 0}
    for bad in [{}, {"ids": []}, {"all": "true"}, {"ids": ["1"]}, {"ids": [1], "user": 2}]:
        response = clients.handler.post("/api/v1/notifications/read", bad, content_type="application/json")
        assert response.status_code == 422, bad


# --- the API surface --------------------------------------------------------------------------------------------

APPEAL_PATHS = [
    ("get", "/api/v1/categories"),
    ("get", "/api/v1/policies"),
    ("post", "/api/v1/appeals"),
    ("get", "/api/v1/appeals"),
    ("get", "/api/v1/appeals/{appeal_id}"),
    ("get", "/api/v1/appeals/{appeal_id}/events"),
    ("post", "/api/v1/appeals/{appeal_id}/reveal"),
    ("get", "/api/v1/appeals/{appeal_id}/suggestions"),
    ("post", "/api/v1/appeals/suggestions"),
    *[("post", f"/api/v1/appeals/{{appeal_id}}/{action}") for action in Action.ALL],
    ("get", "/api/v1/notifications"),
    ("get", "/api/v1/notifications/unread-count"),
    ("post", "/api/v1/notifications/read"),
]


def test_every_endpoint_is_in_the_openapi_document_with_its_errors(db) -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for method, path in APPEAL_PATHS:
        operation = paths[path][method]
        assert {"401", "422"} <= set(operation["responses"]), path
        if "{appeal_id}" in path:
            assert "404" in operation["responses"], path
    assert {"403", "404", "409"} <= set(paths["/api/v1/appeals/{appeal_id}/accept"]["post"]["responses"])
    create_body = paths["/api/v1/appeals"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert create_body


@pytest.mark.parametrize(("method", "path"), APPEAL_PATHS)
def test_every_endpoint_refuses_anonymous_requests(personas, method: str, path: str) -> None:
    appeal = create(api_client(personas.dispatcher))
    url = path.replace("{appeal_id}", str(appeal["id"]))
    response = (
        getattr(Client(), method)(url, {"version": 1}, content_type="application/json")
        if method == "post"
        else Client().get(url)
    )
    assert response.status_code == 401, url
    assert response.json()["error"]["code"] == "unauthenticated"
    assert Appeal.objects.get(pk=appeal["id"]).version == 1


def test_session_clients_need_the_csrf_token(personas) -> None:
    from tests.support import client_for

    client = client_for(personas.dispatcher)
    refused = client.post("/api/v1/appeals", body(), content_type="application/json")
    assert error(refused, 403)["code"] == "csrf_failed"
    client.get("/")
    token = client.cookies["csrftoken"].value
    response = client.post("/api/v1/appeals", body(), content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201


# --- known defects outside this API's files (strict: each turns red once fixed, so the marker comes off) -------


def test_an_accepted_item_cannot_be_returned_so_its_extension_stays_decidable(clients, personas) -> None:
    appeal = assigned(clients, personas, category="labour.contract")
    ok(act(clients.handler, appeal["id"], "accept"))
    ok(act(clients.handler, appeal["id"], "extend", days=2, reason="需要时间"))
    assert error(act(clients.handler, appeal["id"], "return", reason="不属于本单位职责"), 409)["code"] == (
        "already_accepted"
    )
    ok(act(clients.dispatcher, appeal["id"], "approve-extension"))


def test_extension_pending_at_resolution_ends_with_it(clients, personas) -> None:
    appeal = assigned(clients, personas, category="labour.contract")
    ok(act(clients.handler, appeal["id"], "accept"))
    ok(act(clients.handler, appeal["id"], "extend", days=2, reason="需要时间"))
    ok(act(clients.handler, appeal["id"], "resolve", reply=REPLY))
    ok(act(clients.unit_head, appeal["id"], "approve-reply"))
    assert detail(clients.unit_head, appeal["id"])["pending_extension"] is None
    assert (
        error(act(clients.unit_head, appeal["id"], "approve-extension"), 409)["code"]
        == "no_pending_extension"
    )


def test_unit_that_returned_the_appeal_may_no_longer_reveal(clients, personas) -> None:
    appeal = assigned(clients, personas)
    ok(act(clients.handler, appeal["id"], "return", reason="不属于本单位职责"))
    assert error(clients.handler.post(f"/api/v1/appeals/{appeal['id']}/reveal"), 403)["code"] == "forbidden"


def test_allowed_actions_do_not_offer_reopen_without_a_lead_unit(clients) -> None:
    appeal = create(clients.dispatcher, on_site_reply="已当场解答政策，反映人表示清楚。")
    ok(act(clients.dispatcher, appeal["id"], "callback", solved=False, satisfaction="unsatisfied"))
    offered = "reopen" in detail(clients.dispatcher, appeal["id"])["allowed_actions"]
    refused = act(clients.dispatcher, appeal["id"], "reopen", reason="仍不满意").status_code == 409
    assert not (offered and refused)


@pytest.mark.parametrize("values", [["x", "y"], [None, None], [{"dt": "2026-01-01T00:00:00+08:00"}, "\x00"]])
def test_a_forged_cursor_is_422(clients, values: list[Any]) -> None:
    from core.pagination import encode_cursor

    create(clients.dispatcher)
    response = clients.dispatcher.get("/api/v1/appeals", {"cursor": encode_cursor(values)})
    assert error(response, 422)["code"] == "invalid_cursor"
