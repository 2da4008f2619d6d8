"""Issue 11's workflow: replies approved by the unit head (审核), co-units' opinions and lapses, the dispatcher's
co-units and reclassification, routing that never proposes a unit without staff, and a timeline that keeps
what was said, by whom, for which unit."""

from datetime import timedelta

import pytest
from django.utils import timezone

from appeals.models import AppealEvent, AppealStatus, DeadlinePolicy, Notification, TaskStatus
from appeals.permissions import allowed_actions
from appeals.selectors import staffless_warnings
from appeals.services import (
    appeal_accept,
    appeal_approve_reply,
    appeal_callback,
    appeal_change_co_units,
    appeal_reclassify,
    appeal_reject_reply,
    appeal_resolve,
    routing_suggest,
)
from appeals.tests.factories import accepted, assigned, fresh, register
from core.errors import DomainError, Forbidden, InvalidInput
from org.models import Role, UnitKind
from org.tests.factories import make_member, make_unit
from tests.support import DUYUN

REPLY = "经核查，用人单位已于本周将拖欠的工资全额支付，当事人确认收到。"


def police_handler(personas):
    return make_member(username="police_handler", unit=personas.duyun_police, role=Role.HANDLER)


def kinds(appeal) -> list[str]:
    return list(AppealEvent.objects.filter(appeal=appeal).order_by("id").values_list("kind", flat=True))


# --- reply approval ------------------------------------------------------------------------------------------


def test_the_lead_handlers_reply_waits_for_the_unit_head(personas) -> None:
    appeal = accepted(personas)
    appeal = appeal_resolve(appeal=appeal, actor=personas.handler, expected_version=3, reply=REPLY)
    assert appeal.status == AppealStatus.AWAITING_APPROVAL and appeal.resolved_at is not None
    assert appeal.tasks.get().status == TaskStatus.SUBMITTED
    assert Notification.objects.filter(
        user=personas.unit_head, kind=Notification.Kind.REPLY_TO_APPROVE
    ).exists()
    assert "approve-reply" in allowed_actions(personas.unit_head, appeal)
    assert "approve-reply" not in allowed_actions(personas.handler, appeal)
    assert "callback" not in allowed_actions(personas.dispatcher, appeal)
    appeal = appeal_approve_reply(appeal=appeal, actor=personas.unit_head, expected_version=4)
    assert (appeal.status, appeal.reply) == (AppealStatus.RESOLVED, REPLY)
    resolved = appeal.events.get(kind=AppealEvent.Kind.RESOLVED)
    assert resolved.data == {"on_time": True, "reply": REPLY, "approved": True}
    assert resolved.actor == personas.unit_head and resolved.unit == personas.duyun_hr


def test_the_clock_stops_at_the_handlers_reply_not_at_the_approval(personas) -> None:
    appeal = accepted(personas)
    due = appeal.resolve_due
    assert due is not None
    appeal = appeal_resolve(
        appeal=appeal, actor=personas.handler, expected_version=3, reply=REPLY, now=due - timedelta(hours=1)
    )
    appeal = appeal_approve_reply(
        appeal=appeal, actor=personas.unit_head, expected_version=4, now=due + timedelta(days=2)
    )
    assert appeal.events.get(kind=AppealEvent.Kind.RESOLVED).data["on_time"] is True


def test_a_reply_sent_back_is_worked_again_and_kept_in_the_timeline(personas) -> None:
    appeal = appeal_resolve(
        appeal=accepted(personas),
        actor=personas.handler,
        expected_version=3,
        reply="已联系用人单位，正在核实欠薪金额。",
    )
    with pytest.raises(InvalidInput):
        appeal_reject_reply(appeal=appeal, actor=personas.unit_head, expected_version=4, reason=" ")
    appeal = appeal_reject_reply(
        appeal=appeal, actor=personas.unit_head, expected_version=4, reason="未写明工资是否已支付"
    )
    assert (appeal.status, appeal.reply, appeal.resolved_at) == (AppealStatus.IN_PROGRESS, "", None)
    assert appeal.tasks.get().status == TaskStatus.ACCEPTED
    rejected = appeal.events.get(kind=AppealEvent.Kind.REPLY_REJECTED)
    assert rejected.data == {"reason": "未写明工资是否已支付", "reply": "已联系用人单位，正在核实欠薪金额。"}
    assert Notification.objects.filter(user=personas.handler, kind=Notification.Kind.REPLY_REJECTED).exists()
    appeal = appeal_resolve(appeal=appeal, actor=personas.handler, expected_version=5, reply=REPLY)
    appeal = appeal_approve_reply(appeal=appeal, actor=personas.unit_head, expected_version=6)
    assert kinds(appeal)[-4:] == ["reply_submitted", "reply_rejected", "reply_submitted", "resolved"]
    submitted = [e.data["reply"] for e in appeal.events.filter(kind=AppealEvent.Kind.REPLY_SUBMITTED)]
    assert submitted == ["已联系用人单位，正在核实欠薪金额。", REPLY]


def test_only_the_lead_units_head_approves_and_only_a_waiting_reply(personas) -> None:
    appeal = appeal_resolve(
        appeal=accepted(personas), actor=personas.handler, expected_version=3, reply=REPLY
    )
    for outsider in (personas.handler, personas.dispatcher, personas.supervisor):
        with pytest.raises(Forbidden):
            appeal_approve_reply(appeal=appeal, actor=outsider, expected_version=4)
    appeal = appeal_approve_reply(appeal=appeal, actor=personas.unit_head, expected_version=4)
    with pytest.raises(DomainError) as twice:
        appeal_approve_reply(appeal=appeal, actor=personas.unit_head, expected_version=5)
    assert twice.value.code == "no_reply_to_approve"


def test_a_unit_head_who_resolves_approves_their_own_reply(personas) -> None:
    appeal = assigned(personas)
    appeal = appeal_accept(appeal=appeal, actor=personas.unit_head, expected_version=2)
    appeal = appeal_resolve(appeal=appeal, actor=personas.unit_head, expected_version=3, reply=REPLY)
    assert appeal.status == AppealStatus.RESOLVED
    assert "reply_submitted" not in kinds(appeal)


def test_a_policy_can_waive_approval(personas) -> None:
    appeal = accepted(personas)
    assert appeal.policy is not None
    DeadlinePolicy.objects.filter(pk=appeal.policy.pk).update(reply_approval=False)
    appeal = appeal_resolve(appeal=fresh(appeal), actor=personas.handler, expected_version=3, reply=REPLY)
    assert appeal.status == AppealStatus.RESOLVED


@pytest.mark.parametrize("stock", ["已办", "已处理。", "收到", "同意", "……", "已解决！"])
def test_a_stock_word_is_no_reply_and_nothing_is_written(personas, stock: str) -> None:
    appeal = accepted(personas)
    with pytest.raises(InvalidInput) as refused:
        appeal_resolve(appeal=appeal, actor=personas.handler, expected_version=3, reply=stock)
    assert "reply" in refused.value.details
    assert fresh(appeal).status == AppealStatus.IN_PROGRESS and fresh(appeal).version == 3


# --- co-units ------------------------------------------------------------------------------------------------


def test_the_lead_may_resolve_once_a_co_units_deadline_has_passed_and_the_lapse_is_recorded(personas) -> None:
    police = police_handler(personas)
    appeal = assigned(personas, co=[personas.duyun_police.pk])
    appeal = appeal_accept(appeal=appeal, actor=personas.handler, expected_version=2)
    co_due = appeal.tasks.get(unit=personas.duyun_police).resolve_due
    with pytest.raises(DomainError) as waiting:
        appeal_resolve(appeal=appeal, actor=personas.handler, expected_version=3, reply=REPLY)
    assert waiting.value.code == "co_units_pending" and "都匀市公安局" in waiting.value.message
    later = co_due + timedelta(minutes=1)
    appeal = appeal_resolve(appeal=appeal, actor=personas.handler, expected_version=3, reply=REPLY, now=later)
    lapsed = appeal.tasks.get(unit=personas.duyun_police)
    assert lapsed.status == TaskStatus.LAPSED
    event = appeal.events.get(kind=AppealEvent.Kind.CO_UNIT_LAPSED)
    assert event.unit == personas.duyun_police
    assert police.pk  # the co-unit had staff; it simply did not file


def test_a_co_units_opinion_is_kept_and_lets_the_lead_resolve(personas) -> None:
    police = police_handler(personas)
    appeal = assigned(personas, co=[personas.duyun_police.pk])
    appeal = appeal_accept(appeal=appeal, actor=personas.handler, expected_version=2)
    appeal = appeal_accept(appeal=appeal, actor=police, expected_version=3)
    appeal = appeal_resolve(
        appeal=appeal, actor=police, expected_version=4, reply="已约谈包工头，承诺三日内支付"
    )
    assert appeal.events.get(kind=AppealEvent.Kind.REPORTED).data == {
        "report": "已约谈包工头，承诺三日内支付"
    }
    appeal = appeal_resolve(appeal=appeal, actor=personas.handler, expected_version=5, reply=REPLY)
    assert appeal.status == AppealStatus.AWAITING_APPROVAL


def test_the_dispatcher_adds_and_drops_co_units_with_a_reason(personas) -> None:
    union = make_unit(kind=UnitKind.TRADE_UNION, region_code=DUYUN, name="都匀市总工会")
    appeal = assigned(personas, co=[union.pk])
    appeal = appeal_change_co_units(
        appeal=appeal,
        actor=personas.dispatcher,
        expected_version=2,
        add=[personas.duyun_police.pk],
        remove=[union.pk],
        reason="总工会无人值守，改由公安局配合",
    )
    parts = {t.unit_id: t.status for t in appeal.tasks.all()}
    assert parts[union.pk] == TaskStatus.CANCELLED and parts[personas.duyun_police.pk] == TaskStatus.ASSIGNED
    event = appeal.events.get(kind=AppealEvent.Kind.CO_UNITS_CHANGED)
    assert event.data == {
        "added": [personas.duyun_police.pk],
        "removed": [union.pk],
        "reason": "总工会无人值守，改由公安局配合",
    }
    assert event.actor_unit == personas.duyun_plc


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"add": [], "remove": []}, "add"),
        ({"add": ["lead"]}, "add"),
        ({"remove": ["police"]}, "remove"),
        ({"add": [987654]}, "add"),
        ({"add": ["police"], "reason": ""}, "reason"),
    ],
)
def test_a_bad_change_of_co_units_is_refused_and_nothing_is_written(personas, change, field) -> None:
    appeal = assigned(personas)
    ids = {"lead": personas.duyun_hr.pk, "police": personas.duyun_police.pk}
    values = {"reason": "调整", **change}
    for key in ("add", "remove"):
        values[key] = [ids.get(v, v) for v in values.get(key, [])]
    with pytest.raises(InvalidInput) as refused:
        appeal_change_co_units(appeal=appeal, actor=personas.dispatcher, expected_version=2, **values)
    assert field in refused.value.details
    assert fresh(appeal).version == 2 and appeal.tasks.count() == 1


def test_only_a_covering_dispatcher_changes_co_units(personas) -> None:
    appeal = assigned(personas)
    for outsider in (personas.handler, personas.supervisor, personas.unit_head):
        with pytest.raises(Forbidden):
            appeal_change_co_units(
                appeal=appeal, actor=outsider, expected_version=2, add=[personas.duyun_police.pk], reason="x"
            )


def test_routing_never_proposes_a_unit_without_staff_and_assigning_to_one_warns(personas) -> None:
    union = make_unit(kind=UnitKind.TRADE_UNION, region_code=DUYUN, name="都匀市总工会")
    justice = make_unit(kind=UnitKind.JUSTICE, region_code=DUYUN, name="都匀市司法局")
    make_member(username="justice_handler", unit=justice, role=Role.HANDLER)
    suggestion = routing_suggest(appeal=register(personas.dispatcher))
    assert suggestion.lead == personas.duyun_hr
    assert justice in suggestion.co_units and union not in suggestion.co_units
    assert staffless_warnings([union.pk, justice.pk]) == [
        "都匀市总工会暂无在岗经办人或负责人，交办后无人签收，请另选单位或通知管理员"
    ]


# --- reclassify ----------------------------------------------------------------------------------------------


def test_the_dispatcher_reclassifies_and_the_event_keeps_before_after_and_reason(personas) -> None:
    appeal = assigned(personas)
    appeal = appeal_reclassify(
        appeal=appeal,
        actor=personas.dispatcher,
        expected_version=2,
        category_code="labour.contract",
        reason="实为劳动合同纠纷",
    )
    assert appeal.category.code == "labour.contract"
    event = appeal.events.get(kind=AppealEvent.Kind.RECLASSIFIED)
    assert event.data == {
        "from": {"category": "labour.wage_arrears"},
        "to": {"category": "labour.contract"},
        "reason": "实为劳动合同纠纷",
    }


def test_reclassifying_re_grades_a_dispute_and_a_dispute_read_as_a_request_loses_its_colour(personas) -> None:
    dispute = register(
        personas.dispatcher, kind="dispute", risk_colour="yellow", category_code="land.boundary"
    )
    dispute = appeal_reclassify(
        appeal=dispute,
        actor=personas.dispatcher,
        expected_version=1,
        risk_colour="red",
        reason="双方扬言械斗",
    )
    assert dispute.risk_colour == "red"
    dispute = appeal_reclassify(
        appeal=dispute, actor=personas.dispatcher, expected_version=2, kind="request", reason="实为求助"
    )
    assert (dispute.kind, dispute.risk_colour) == ("request", "")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category_code": "no.such"}, "category"),
        ({"kind": "petition"}, "kind"),
        ({"risk_colour": "red"}, "risk_colour"),  # a request carries no colour
        ({"category_code": "labour.wage_arrears"}, "category"),  # nothing changes
        ({"kind": "dispute", "reason": " "}, "reason"),
    ],
)
def test_a_bad_reclassification_is_refused_and_nothing_is_written(personas, change, field) -> None:
    appeal = register(personas.dispatcher)
    with pytest.raises(InvalidInput) as refused:
        appeal_reclassify(
            appeal=appeal, actor=personas.dispatcher, expected_version=1, **{"reason": "改类", **change}
        )
    assert field in refused.value.details
    assert fresh(appeal).version == 1


def test_only_a_dispatcher_reclassifies_and_not_once_closed(personas) -> None:
    appeal = register(personas.dispatcher)
    for outsider in (personas.handler, personas.supervisor, personas.other_leader):
        with pytest.raises((Forbidden, DomainError)):
            appeal_reclassify(appeal=appeal, actor=outsider, expected_version=1, kind="inquiry", reason="x")
    done = appeal_approve_reply(
        appeal=appeal_resolve(
            appeal=accepted(personas), actor=personas.handler, expected_version=3, reply=REPLY
        ),
        actor=personas.unit_head,
        expected_version=4,
    )
    closed = appeal_callback(
        appeal=done, actor=personas.dispatcher, expected_version=5, solved=True, satisfaction="satisfied"
    )
    with pytest.raises(DomainError) as refused:
        appeal_reclassify(
            appeal=closed, actor=personas.dispatcher, expected_version=6, kind="inquiry", reason="x"
        )
    assert refused.value.code == "not_open"


# --- the timeline --------------------------------------------------------------------------------------------


def test_each_event_names_the_unit_its_actor_acted_for(personas) -> None:
    appeal = accepted(personas)
    by_kind = {e.kind: e for e in appeal.events.select_related("actor_unit")}
    assert by_kind["registered"].actor_unit == personas.duyun_plc
    assert by_kind["assigned"].actor_unit == personas.duyun_plc  # the dispatcher's, not the lead unit
    assert by_kind["assigned"].unit == personas.duyun_hr  # the unit the metrics attribute it to
    assert by_kind["accepted"].actor_unit == personas.duyun_hr


def test_the_callbacks_note_is_in_the_timeline(personas) -> None:
    appeal = appeal_approve_reply(
        appeal=appeal_resolve(
            appeal=accepted(personas), actor=personas.handler, expected_version=3, reply=REPLY
        ),
        actor=personas.unit_head,
        expected_version=4,
    )
    appeal = appeal_callback(
        appeal=appeal,
        actor=personas.dispatcher,
        expected_version=5,
        solved=False,
        satisfaction="unsatisfied",
        note="群众表示工资仍未到账",
        now=timezone.now(),
    )
    assert appeal.events.get(kind=AppealEvent.Kind.CALLBACK).data["note"] == "群众表示工资仍未到账"
