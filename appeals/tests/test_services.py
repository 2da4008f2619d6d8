"""The workflow of DESIGN §5 through its services: every transition allowed and refused by state, role, scope."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from appeals.models import (
    Appeal,
    AppealEvent,
    AppealStatus,
    Notification,
    Supervision,
    TaskStatus,
)
from appeals.permissions import allowed_actions
from appeals.services import (
    Reporter,
    appeal_accept,
    appeal_assign,
    appeal_callback,
    appeal_close,
    appeal_decide_extension,
    appeal_merge,
    appeal_register,
    appeal_reject,
    appeal_reopen,
    appeal_request_extension,
    appeal_resolve,
    appeal_return,
    appeal_reveal_reporter,
    appeal_supervise,
    secret_hash,
)
from appeals.tests.factories import FUQUAN, REPLY, accepted, approved, assigned, draft, fresh, register
from core.errors import DomainError, Forbidden, InvalidInput, StaleVersion
from core.models import AuditEvent
from org.models import Role
from org.tests.factories import make_member

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEDNESDAY = datetime(2025, 3, 12, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _a_plain_wednesday():
    with time_machine.travel(WEDNESDAY, tick=False):
        yield


def kinds(appeal: Appeal) -> list[str]:
    return list(appeal.events.order_by("at", "id").values_list("kind", flat=True))


# --- registration ---------------------------------------------------------------------------------------


def test_register_gives_a_county_tracking_code_and_a_secret(personas) -> None:
    registered = appeal_register(draft=draft(), actor=personas.dispatcher)
    appeal = registered.appeal
    assert re.fullmatch(r"522701-2025-\d{6}", appeal.code)
    assert (
        appeal.secret_hash == secret_hash(registered.secret) and registered.secret not in appeal.secret_hash
    )
    assert (appeal.status, appeal.version) == (AppealStatus.REGISTERED, 1)
    assert kinds(appeal) == ["registered"]
    second = register(personas.dispatcher)
    assert int(second.code[-6:]) == int(appeal.code[-6:]) + 1


def test_anonymous_appeals_keep_no_reporter(personas) -> None:
    appeal = register(personas.visitor, anonymous=True, reporter=Reporter())
    assert appeal.anonymous and appeal.reporter_phone == ""


def test_resolved_on_site_at_registration(personas) -> None:
    appeal = appeal_register(
        draft=draft(), actor=personas.visitor, on_site_reply="当场联系老板，拖欠的工资已经结清。"
    ).appeal
    assert (appeal.status, appeal.resolved_on_site) == (AppealStatus.RESOLVED, True)
    assert kinds(appeal) == ["registered", "resolved_on_site"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category_code": "no.such"}, "category"),
        ({"region_code": "522799001001"}, "region_code"),
        ({"region_code": FUQUAN}, "region_code"),  # exists, but outside a 都匀 dispatcher's scope
        ({"risk_colour": "red"}, "risk_colour"),  # only disputes carry a risk colour
        ({"anonymous": True}, "reporter"),  # anonymous, yet with a reporter
        ({"reporter": Reporter(name="张三")}, "reporter"),  # no phone to reply to
    ],
)
def test_register_refuses_bad_references_and_writes_nothing(personas, overrides, field) -> None:
    with pytest.raises(InvalidInput) as error:
        register(personas.dispatcher, **overrides)
    assert field in error.value.details
    assert not Appeal.objects.exists() and not AppealEvent.objects.exists()


def test_a_dispute_without_colour_is_yellow(personas) -> None:
    appeal = register(personas.dispatcher, kind="dispute", category_code="land.boundary")
    assert appeal.risk_colour == "yellow"


# --- assignment, deadlines, signing -----------------------------------------------------------------------


def test_assign_sets_deadlines_from_the_policy_and_notifies_the_units(personas) -> None:
    appeal = assigned(personas)  # 拖欠农民工工资 → 马上就办: sign in 2 h, resolve in 1 working day
    assert (
        appeal.status == AppealStatus.ASSIGNED
        and appeal.policy is not None
        and appeal.policy.code == "act_now"
    )
    assert appeal.sign_due == datetime(2025, 3, 12, 12, 0, tzinfo=SHANGHAI)
    assert appeal.resolve_due == datetime(2025, 3, 13, 23, 59, 59, tzinfo=SHANGHAI)
    assert appeal.escalate_due == datetime(2025, 3, 20, 23, 59, 59, tzinfo=SHANGHAI)
    task = appeal.tasks.get()
    assert (task.unit, task.role, task.status) == (personas.duyun_hr, "lead", TaskStatus.ASSIGNED)
    notified = set(Notification.objects.filter(kind="assigned").values_list("user__username", flat=True))
    assert notified == {"handler", "unit_head"}
    assert kinds(appeal) == ["registered", "assigned"]


def test_the_dispatcher_may_pick_another_policy(personas) -> None:
    appeal = register(personas.dispatcher)
    appeal = appeal_assign(
        appeal=appeal,
        actor=personas.dispatcher,
        expected_version=1,
        lead_unit_id=personas.duyun_hr.pk,
        policy_code="complaint",
    )
    assert appeal.resolve_due == datetime(2025, 4, 2, 23, 59, 59, tzinfo=SHANGHAI)  # 15 working days


def test_a_red_dispute_gets_the_urgent_clock(personas) -> None:
    appeal = register(personas.dispatcher, kind="dispute", category_code="land.boundary", risk_colour="red")
    appeal = appeal_assign(
        appeal=appeal, actor=personas.dispatcher, expected_version=1, lead_unit_id=personas.guanghui.pk
    )
    assert appeal.sign_due == datetime(2025, 3, 12, 10, 30, tzinfo=SHANGHAI)
    assert appeal.resolve_due == datetime(2025, 3, 13, 10, 0, tzinfo=SHANGHAI)


def test_assign_refuses_units_outside_the_dispatchers_scope(personas) -> None:
    appeal = register(personas.dispatcher)
    with pytest.raises(InvalidInput):
        appeal_assign(
            appeal=appeal, actor=personas.dispatcher, expected_version=1, lead_unit_id=personas.fuquan_hr.pk
        )
    assert fresh(appeal).status == AppealStatus.REGISTERED and not appeal.tasks.exists()


def test_a_stale_version_changes_nothing(personas) -> None:
    appeal = assigned(personas)
    with pytest.raises(StaleVersion) as error:
        appeal_accept(appeal=appeal, actor=personas.handler, expected_version=1)
    assert error.value.details == {"expected_version": 1, "current_version": 2}
    assert fresh(appeal).status == AppealStatus.ASSIGNED
    assert kinds(appeal) == ["registered", "assigned"]


def test_accept_puts_the_appeal_in_progress_and_only_once(personas) -> None:
    appeal = accepted(personas)
    assert appeal.status == AppealStatus.IN_PROGRESS
    assert appeal.tasks.get().status == TaskStatus.ACCEPTED
    event = appeal.events.get(kind="accepted")
    assert event.data == {"role": "lead", "on_time": True}
    with pytest.raises(DomainError) as twice:
        appeal_accept(appeal=appeal, actor=personas.handler, expected_version=appeal.version)
    assert (twice.value.status, twice.value.code) == (409, "not_assigned")


def test_other_units_cannot_act_on_an_appeal(personas) -> None:
    appeal = assigned(personas)
    for person in (personas.other_handler, personas.visitor, personas.dispatcher):
        with pytest.raises(Forbidden):
            appeal_accept(appeal=appeal, actor=person, expected_version=appeal.version)


def test_return_before_the_sign_deadline_sends_it_back_to_dispatch(personas) -> None:
    appeal = assigned(personas)
    appeal = appeal_return(
        appeal=appeal, actor=personas.handler, expected_version=2, reason="不属于本单位职责"
    )
    assert (appeal.status, appeal.lead_unit, appeal.resolve_due) == (AppealStatus.REGISTERED, None, None)
    assert appeal.returned_at is not None
    assert appeal.tasks.get().status == TaskStatus.RETURNED
    assert Notification.objects.filter(kind="returned", user=personas.dispatcher).exists()
    # It can be assigned again, and the returned unit's row is reused.
    appeal = appeal_assign(
        appeal=appeal, actor=personas.dispatcher, expected_version=3, lead_unit_id=personas.duyun_hr.pk
    )
    assert appeal.returned_at is None and appeal.tasks.get().status == TaskStatus.ASSIGNED


def test_return_after_sign_deadline_is_refused(personas) -> None:
    appeal = assigned(personas)
    with (
        time_machine.travel(datetime(2025, 3, 12, 12, 1, tzinfo=SHANGHAI), tick=False),
        pytest.raises(DomainError) as error,
    ):
        appeal_return(appeal=appeal, actor=personas.handler, expected_version=2, reason="不属于本单位职责")
    assert error.value.code == "sign_deadline_passed"
    assert fresh(appeal).status == AppealStatus.ASSIGNED


# --- extensions -------------------------------------------------------------------------------------------


def test_extension_requested_within_the_cap_and_approved_moves_the_deadlines(personas) -> None:
    appeal = accepted(personas, category_code="labour.contract")  # 求助: 10 working days, up to 5 more
    assert appeal.resolve_due == datetime(2025, 3, 26, 23, 59, 59, tzinfo=SHANGHAI)
    with pytest.raises(InvalidInput) as error:
        appeal_request_extension(
            appeal=appeal, actor=personas.handler, expected_version=3, days=6, reason="需核实"
        )
    assert error.value.code == "extension_over_cap"
    appeal_request_extension(
        appeal=appeal, actor=personas.handler, expected_version=3, days=3, reason="需调取工地考勤"
    )
    with pytest.raises(DomainError) as pending:
        appeal_request_extension(
            appeal=appeal, actor=personas.handler, expected_version=4, days=1, reason="再延"
        )
    assert pending.value.code == "extension_pending"
    with pytest.raises(Forbidden):  # a handler does not approve their own request
        appeal_decide_extension(appeal=appeal, actor=personas.handler, expected_version=4, approve=True)
    appeal = appeal_decide_extension(
        appeal=appeal, actor=personas.unit_head, expected_version=4, approve=True
    )
    assert appeal.resolve_due == datetime(2025, 3, 31, 23, 59, 59, tzinfo=SHANGHAI)
    assert appeal.tasks.get().resolve_due == appeal.resolve_due
    # 2 working days left of the cap.
    appeal_request_extension(
        appeal=appeal, actor=personas.handler, expected_version=5, days=2, reason="当事人外出"
    )
    appeal = appeal_decide_extension(
        appeal=appeal, actor=personas.dispatcher, expected_version=6, approve=False
    )
    assert appeal.resolve_due == datetime(2025, 3, 31, 23, 59, 59, tzinfo=SHANGHAI)
    assert kinds(appeal)[-4:] == [
        "extension_requested",
        "extension_approved",
        "extension_requested",
        "extension_denied",
    ]


def test_no_extension_under_act_now(personas) -> None:
    appeal = accepted(personas)
    with pytest.raises(DomainError) as error:
        appeal_request_extension(
            appeal=appeal, actor=personas.handler, expected_version=3, days=1, reason="x"
        )
    assert error.value.code == "extension_not_allowed"


def test_no_extension_after_the_resolve_deadline(personas) -> None:
    appeal = accepted(personas, category_code="labour.contract")
    with (
        time_machine.travel(datetime(2025, 3, 27, 9, 0, tzinfo=SHANGHAI), tick=False),
        pytest.raises(DomainError) as error,
    ):
        appeal_request_extension(
            appeal=appeal, actor=personas.handler, expected_version=3, days=1, reason="x"
        )
    assert error.value.code == "resolve_deadline_passed"


# --- resolution, co-units, callbacks ----------------------------------------------------------------------


def test_the_lead_resolves_only_after_every_co_unit_reported(personas) -> None:
    make_member(username="police_handler", unit=personas.duyun_police, role=Role.HANDLER)
    police = type(personas.handler).objects.get(username="police_handler")
    appeal = assigned(personas, co=[personas.duyun_police.pk])
    appeal = appeal_accept(appeal=appeal, actor=personas.handler, expected_version=2)
    appeal = appeal_accept(appeal=appeal, actor=police, expected_version=3)
    assert appeal.status == AppealStatus.IN_PROGRESS
    with pytest.raises(DomainError) as error:
        appeal_resolve(
            appeal=appeal, actor=personas.handler, expected_version=4, reply="已督促老板尽快支付工资。"
        )
    assert error.value.code == "co_units_pending"
    appeal = appeal_resolve(
        appeal=appeal, actor=police, expected_version=4, reply="已约谈包工头，承诺三日内支付"
    )
    assert appeal.status == AppealStatus.IN_PROGRESS
    appeal = appeal_resolve(appeal=appeal, actor=personas.handler, expected_version=5, reply=REPLY)
    assert (appeal.status, appeal.reply) == (AppealStatus.AWAITING_APPROVAL, REPLY)
    appeal = approved(appeal)
    assert (appeal.status, appeal.reply) == (AppealStatus.RESOLVED, REPLY)
    assert kinds(appeal)[-3:] == ["reported", "reply_submitted", "resolved"]


def test_satisfied_callback_closes(personas) -> None:
    appeal = approved(
        appeal_resolve(appeal=accepted(personas), actor=personas.handler, expected_version=3, reply=REPLY)
    )
    appeal = appeal_callback(
        appeal=appeal,
        actor=personas.dispatcher,
        expected_version=5,
        solved=True,
        satisfaction="basically_satisfied",
    )
    assert appeal.status == AppealStatus.CLOSED and appeal.callbacks.get().solved


def test_unsatisfied_callback_waits_for_reopen_with_fresh_deadlines(personas) -> None:
    appeal = approved(
        appeal_resolve(appeal=accepted(personas), actor=personas.handler, expected_version=3, reply=REPLY)
    )
    with pytest.raises(DomainError) as not_yet:
        appeal_reopen(appeal=appeal, actor=personas.dispatcher, expected_version=5, reason="x")
    assert not_yet.value.code == "no_unsatisfied_callback"
    appeal = appeal_callback(
        appeal=appeal,
        actor=personas.dispatcher,
        expected_version=5,
        solved=False,
        satisfaction="unsatisfied",
        note="只付了一半",
    )
    assert appeal.status == AppealStatus.RESOLVED and appeal.awaiting_decision
    with pytest.raises(Forbidden):
        appeal_reopen(appeal=appeal, actor=personas.supervisor, expected_version=6, reason="x")
    with time_machine.travel(datetime(2025, 3, 14, 9, 0, tzinfo=SHANGHAI), tick=False):
        appeal = appeal_reopen(
            appeal=appeal, actor=personas.dispatcher, expected_version=6, reason="尚欠一万六"
        )
    assert (appeal.status, appeal.awaiting_decision) == (AppealStatus.ASSIGNED, False)
    assert appeal.resolve_due == datetime(2025, 3, 17, 23, 59, 59, tzinfo=SHANGHAI)
    assert appeal.tasks.get().status == TaskStatus.ASSIGNED
    assert Notification.objects.filter(kind="reopened", user=personas.handler).exists()


def test_close_without_callback_and_reject(personas) -> None:
    appeal = approved(
        appeal_resolve(appeal=accepted(personas), actor=personas.handler, expected_version=3, reply=REPLY)
    )
    appeal = appeal_close(
        appeal=appeal, actor=personas.dispatcher, expected_version=5, reason="联系不上反映人"
    )
    assert appeal.status == AppealStatus.CLOSED
    other = register(personas.dispatcher)
    other = appeal_reject(appeal=other, actor=personas.dispatcher, expected_version=1, reason="属于司法程序")
    assert (other.status, other.close_reason) == (AppealStatus.CLOSED, "不予受理：属于司法程序")
    assert kinds(other) == ["registered", "rejected"]


def test_a_merged_duplicate_gets_the_same_reply(personas) -> None:
    original = accepted(personas)
    duplicate = register(personas.visitor, title="同一工地欠薪")
    duplicate = appeal_merge(appeal=duplicate, actor=personas.dispatcher, expected_version=1, into=original)
    assert (duplicate.status, duplicate.duplicate_of) == (AppealStatus.MERGED, original)
    approved(appeal_resolve(appeal=original, actor=personas.handler, expected_version=3, reply=REPLY))
    assert fresh(duplicate).reply == REPLY
    assert kinds(original)[-3:] == ["duplicate_added", "reply_submitted", "resolved"]
    with pytest.raises(InvalidInput):
        appeal_merge(appeal=original, actor=personas.dispatcher, expected_version=5, into=original)


def test_supervise_orders_the_lead_unit(personas) -> None:
    appeal = accepted(personas)
    with pytest.raises(Forbidden):
        appeal_supervise(appeal=appeal, actor=personas.dispatcher, expected_version=3, reason="x")
    order = appeal_supervise(
        appeal=appeal, actor=personas.supervisor, expected_version=3, reason="群众多次来电", days=2
    )
    assert order.due == datetime(2025, 3, 14, 23, 59, 59, tzinfo=SHANGHAI)
    assert Notification.objects.filter(kind="supervised", user=personas.handler).exists()
    assert Supervision.objects.get().level == "supervise"


def test_reveal_is_audited_and_only_for_those_who_reply(personas) -> None:
    appeal = assigned(personas)
    reporter = appeal_reveal_reporter(appeal=appeal, actor=personas.handler)
    assert reporter.phone == "13812345678"
    assert AuditEvent.objects.filter(action="personal_data_revealed", username="handler").count() == 1
    with pytest.raises(Forbidden):
        appeal_reveal_reporter(appeal=appeal, actor=personas.visitor)


# --- the whole table: which actions each person may take in each state --------------------------------------


def _in_state(personas, state: str) -> Appeal:
    if state == "registered":
        return register(personas.dispatcher, category_code="labour.contract")
    if state == "assigned":
        return assigned(personas, category_code="labour.contract")
    appeal = accepted(personas, category_code="labour.contract")
    if state == "in_progress":
        return appeal
    appeal = appeal_resolve(appeal=appeal, actor=personas.handler, expected_version=3, reply=REPLY)
    if state == "awaiting_approval":
        return appeal
    appeal = approved(appeal)
    if state == "resolved":
        return appeal
    satisfaction = "unsatisfied" if state == "awaiting" else "satisfied"
    return appeal_callback(
        appeal=appeal, actor=personas.dispatcher, expected_version=5, solved=True, satisfaction=satisfaction
    )


ALLOWED = {
    "registered": {
        "dispatcher": ["assign", "note", "resolve-on-site", "merge", "reject", "reclassify"],
        "supervisor": ["note"],
        "prefecture_supervisor": ["note"],
    },
    "assigned": {
        "dispatcher": ["note", "merge", "reclassify", "co-units"],
        "handler": ["accept", "return", "note"],
        "unit_head": ["accept", "return", "note"],
        "supervisor": ["note", "supervise"],
        "prefecture_supervisor": ["note", "supervise"],
    },
    "in_progress": {
        "dispatcher": ["note", "merge", "reclassify", "co-units"],
        "handler": ["extend", "note", "resolve"],
        "unit_head": ["extend", "note", "resolve"],
        "supervisor": ["note", "supervise"],
        "prefecture_supervisor": ["note", "supervise"],
    },
    "awaiting_approval": {
        "dispatcher": ["note", "reclassify"],
        "unit_head": ["approve-reply", "reject-reply"],
        "supervisor": ["note"],
        "prefecture_supervisor": ["note"],
    },
    "resolved": {
        "dispatcher": ["note", "callback", "close", "reclassify"],
        "supervisor": ["note", "callback"],
        "prefecture_supervisor": ["note", "callback"],
    },
    "awaiting": {
        "dispatcher": ["note", "reopen", "close", "reclassify"],
        "supervisor": ["note"],
        "prefecture_supervisor": ["note"],
    },
    "closed": {},
}
PEOPLE = [
    "dispatcher",
    "handler",
    "unit_head",
    "visitor",
    "supervisor",
    "prefecture_supervisor",
    "other_handler",
    "other_leader",
    "township_handler",
]


@pytest.mark.parametrize("state", list(ALLOWED))
def test_each_person_may_take_exactly_these_actions_in_each_state(personas, state: str) -> None:
    appeal = _in_state(personas, state)
    for name in PEOPLE:
        assert allowed_actions(getattr(personas, name), fresh(appeal)) == ALLOWED[state].get(name, []), name


def test_a_merged_appeal_allows_nothing(personas) -> None:
    target = register(personas.dispatcher)
    duplicate = appeal_merge(
        appeal=register(personas.dispatcher), actor=personas.dispatcher, expected_version=1, into=target
    )
    for name in PEOPLE:
        assert allowed_actions(getattr(personas, name), duplicate) == [], name
