"""The transitions of DESIGN §5. Each one locks the appeal, checks the version the client acted on, checks
who may do it now (appeals.permissions.check_action), writes its rows and exactly one event, and bumps the
version so that of two concurrent changes only one wins."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from appeals.models import (
    GONE_TASK_STATUSES,
    OPEN_TASK_STATUSES,
    Appeal,
    AppealEvent,
    AppealKind,
    AppealSource,
    AppealStatus,
    Callback,
    Category,
    ExtensionRequest,
    ExtensionStatus,
    Notification,
    RiskColour,
    Satisfaction,
    Supervision,
    TaskRole,
    TaskStatus,
    UnitTask,
)
from appeals.permissions import Action, Standing, acting_unit_id, check_action, may_reveal
from appeals.services.codes import allocate_tracking_code, new_secret, secret_hash
from appeals.services.deadlines import deadlines_from, escalate_after, policy_for
from appeals.services.notify import covering, notify, unit_staff
from appeals.services.similar import appeal_index_text
from core.audit import audit_record
from core.db import lock_at_version
from core.errors import DomainError, Forbidden, InvalidInput
from core.models import AuditEvent
from core.workcalendar import Clock, deadline_after
from geo.models import Region
from org.models import Role, Unit, User
from org.permissions import Scope, units_visible_to, user_scope
from text.replies import reply_problems

# --- shared steps ---------------------------------------------------------------------------------------


def record_event(
    appeal: Appeal,
    kind: AppealEvent.Kind,
    *,
    actor: User | None,
    at: datetime,
    unit: Unit | None = None,
    data: dict[str, Any] | None = None,
) -> AppealEvent:
    """Append one event to the appeal's timeline; the unit the actor acted for is found from their grants."""
    acting = acting_unit_id(actor, region_code=appeal.region_id, unit_id=unit.pk if unit else None)
    return AppealEvent.objects.create(
        appeal=appeal, kind=kind, actor=actor, unit=unit, actor_unit_id=acting, at=at, data=data or {}
    )


@dataclass
class Locked:
    appeal: Appeal
    tasks: list[UnitTask]
    me: Standing
    now: datetime


def _begin(
    appeal: Appeal, action: str, *, actor: User, expected_version: int, now: datetime | None
) -> Locked:
    """Lock the appeal row, refuse a stale version, then check the action against the locked state."""
    rows = Appeal.objects.select_related("category", "policy", "lead_unit")
    locked = lock_at_version(rows, pk=appeal.pk, expected_version=expected_version)
    tasks = list(locked.tasks.select_related("unit"))
    now = now or timezone.now()
    me = check_action(action, user=actor, appeal=locked, tasks=tasks, now=now)
    return Locked(appeal=locked, tasks=tasks, me=me, now=now)


def _save(appeal: Appeal, *fields: str) -> None:
    """Save the appeal locked by _begin, with the version it raised."""
    appeal.save(update_fields=[*fields, "version", "updated_at"])


def _save_task(task: UnitTask, *fields: str) -> None:
    task.save(update_fields=list(fields))


def _lead_task(tasks: Iterable[UnitTask]) -> UnitTask | None:
    return next((t for t in tasks if t.role == TaskRole.LEAD and t.status not in GONE_TASK_STATUSES), None)


def _lapse_pending_extension(appeal: Appeal, now: datetime) -> None:
    """A request nobody decided before the item left the unit's hands lapses; it can never move a deadline."""
    appeal.extensions.filter(status=ExtensionStatus.PENDING).update(
        status=ExtensionStatus.LAPSED, decided_at=now, decision_note="事项已办结、退回或合并，申请自动失效"
    )


def refuse_stock_reply(reply: str) -> None:
    """A reply to a citizen must answer: at least a sentence, not a stock word (text.replies.reply_problems)."""
    problems = reply_problems(reply)
    if problems:
        raise InvalidInput(problems[0], code="invalid_input", details={"reply": problems[0]})


def _dispatchers(appeal: Appeal) -> set[int]:
    return covering(appeal.region_id, Role.DISPATCHER)


# --- registration ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reporter:
    name: str = ""
    phone: str = ""
    id_number: str = ""


@dataclass(frozen=True)
class AppealDraft:
    """What a new appeal is made of, already checked for shape (lengths, markup) by the schema or form."""

    kind: str
    source: str
    title: str
    description: str
    region_code: str
    category_code: str
    risk_colour: str = ""
    address: str = ""
    parties_count: int = 1
    anonymous: bool = False
    reporter: Reporter = field(default_factory=Reporter)


@dataclass(frozen=True)
class Registered:
    appeal: Appeal
    secret: str  # shown to the citizen once, with the tracking code


def _check_draft(draft: AppealDraft, actor: User | None) -> tuple[Category, Region]:
    problems: dict[str, str] = {}
    category = (
        Category.objects.filter(code=draft.category_code, is_active=True).select_related("parent").first()
    )
    if category is None:
        problems["category"] = "分类不存在"
    region = Region.objects.filter(pk=draft.region_code).first()
    # A cadre registers within their own scope; outside it the region is answered as unknown.
    if region is None or (
        actor is not None and not user_scope(actor).covers(region.code, *user_scope(actor).roles)
    ):
        problems["region_code"] = "区划不存在或不在您的工作范围内"
    elif region.level < Region.Level.COUNTY:
        problems["region_code"] = "请选择县级及以下区划"
    if draft.kind not in AppealKind.values:
        problems["kind"] = "类型不存在"
    if draft.source not in AppealSource.values:
        problems["source"] = "来源不存在"
    if draft.risk_colour and draft.kind != AppealKind.DISPUTE:
        problems["risk_colour"] = "只有矛盾纠纷需要标注风险等级"
    elif draft.risk_colour and draft.risk_colour not in RiskColour.values:
        problems["risk_colour"] = "风险等级不存在"
    if draft.anonymous and any((draft.reporter.name, draft.reporter.phone, draft.reporter.id_number)):
        problems["reporter"] = "匿名诉求不应填写反映人信息"
    if not draft.anonymous and not (draft.reporter.name and draft.reporter.phone):
        problems["reporter"] = "请填写反映人姓名和联系电话，或选择匿名"
    if problems:
        raise InvalidInput("输入有误，请检查后重试", code="invalid_input", details=problems)
    assert category is not None and region is not None
    return category, region


def appeal_register(
    *, draft: AppealDraft, actor: User | None, on_site_reply: str = "", at: datetime | None = None
) -> Registered:
    """Register a new appeal (anonymous allowed); with `on_site_reply` it was resolved during the visit."""
    category, region = _check_draft(draft, actor)
    if on_site_reply:
        refuse_stock_reply(on_site_reply)
    now = at or timezone.now()
    code = allocate_tracking_code(region_code=region.code, at=now)
    secret = new_secret()
    with transaction.atomic():
        appeal = Appeal.objects.create(
            code=code,
            secret_hash=secret_hash(secret),
            kind=draft.kind,
            source=draft.source,
            title=draft.title,
            description=draft.description,
            category=category,
            region=region,
            address=draft.address,
            reporter_name="" if draft.anonymous else draft.reporter.name,
            reporter_phone="" if draft.anonymous else draft.reporter.phone,
            reporter_id_number="" if draft.anonymous else draft.reporter.id_number.upper(),
            anonymous=draft.anonymous,
            parties_count=draft.parties_count,
            risk_colour=draft.risk_colour or (RiskColour.YELLOW if draft.kind == AppealKind.DISPUTE else ""),
            status=AppealStatus.REGISTERED,
            registered_by=actor,
        )
        if at is not None:  # registered after the fact (an import, the demo): it happened then
            Appeal.objects.filter(pk=appeal.pk).update(created_at=now, updated_at=now)
            appeal.created_at = appeal.updated_at = now
        record_event(appeal, AppealEvent.Kind.REGISTERED, actor=actor, at=now, data={"source": draft.source})
        appeal_index_text(appeal=appeal)
        if on_site_reply:
            appeal.status, appeal.resolved_on_site, appeal.reply, appeal.resolved_at = (
                AppealStatus.RESOLVED,
                True,
                on_site_reply,
                now,
            )
            appeal.save(update_fields=["status", "resolved_on_site", "reply", "resolved_at"])
            record_event(
                appeal, AppealEvent.Kind.RESOLVED_ON_SITE, actor=actor, at=now, data={"reply": on_site_reply}
            )
    return Registered(appeal=appeal, secret=secret)


# --- routing and signing ----------------------------------------------------------------------------------


@transaction.atomic
def appeal_assign(
    *,
    appeal: Appeal,
    actor: User,
    expected_version: int,
    lead_unit_id: int,
    co_unit_ids: Iterable[int] = (),
    policy_code: str | None = None,
    now: datetime | None = None,
) -> Appeal:
    """交办: one lead unit and any co-units, with deadlines from the policy."""
    step = _begin(appeal, Action.ASSIGN, actor=actor, expected_version=expected_version, now=now)
    co_ids = list(dict.fromkeys(co_unit_ids))
    if lead_unit_id in co_ids:
        raise InvalidInput(
            "牵头单位不能同时是配合单位", code="invalid_input", details={"co_units": "含有牵头单位"}
        )
    units = {u.pk: u for u in units_visible_to(actor).filter(pk__in=[lead_unit_id, *co_ids], is_active=True)}
    missing = [uid for uid in [lead_unit_id, *co_ids] if uid not in units]
    if missing:
        raise InvalidInput("单位不存在", code="invalid_input", details={"units": f"单位不存在：{missing}"})
    locked = step.appeal
    policy = policy_for(appeal=locked, code=policy_code)
    due = deadlines_from(policy=policy, start=step.now)
    existing = {t.unit_id: t for t in step.tasks}
    for unit_id, role in [(lead_unit_id, TaskRole.LEAD), *[(uid, TaskRole.CO) for uid in co_ids]]:
        task = existing.get(unit_id) or UnitTask(appeal=locked, unit=units[unit_id])
        task.role, task.status = role, TaskStatus.ASSIGNED
        task.sign_due, task.resolve_due, task.assigned_at = due.sign_due, due.resolve_due, step.now
        task.accepted_at = task.done_at = None
        task.report = ""
        task.save()
    locked.status, locked.lead_unit, locked.policy = AppealStatus.ASSIGNED, units[lead_unit_id], policy
    locked.sign_due, locked.resolve_due, locked.escalate_due = due.sign_due, due.resolve_due, due.escalate_due
    locked.assigned_at, locked.returned_at, locked.urged_at, locked.escalated_at = step.now, None, None, None
    _save(
        locked,
        "status",
        "lead_unit",
        "policy",
        "sign_due",
        "resolve_due",
        "escalate_due",
        "assigned_at",
        "returned_at",
        "urged_at",
        "escalated_at",
    )
    record_event(
        locked,
        AppealEvent.Kind.ASSIGNED,
        actor=actor,
        at=step.now,
        unit=units[lead_unit_id],
        data={
            "lead_unit": lead_unit_id,
            "co_units": co_ids,
            "policy": policy.code,
            "sign_due": due.sign_due.isoformat(),
            "resolve_due": due.resolve_due.isoformat(),
        },
    )
    notify(
        user_ids=unit_staff([lead_unit_id, *co_ids]),
        appeal=locked,
        kind=Notification.Kind.ASSIGNED,
        message=f"新交办：{locked.code} {locked.title}",
        at=step.now,
    )
    return locked


@transaction.atomic
def appeal_accept(
    *, appeal: Appeal, actor: User, expected_version: int, now: datetime | None = None
) -> Appeal:
    """签收: the unit acknowledges its part; the appeal is in progress once the lead unit has signed."""
    step = _begin(appeal, Action.ACCEPT, actor=actor, expected_version=expected_version, now=now)
    task = step.me.task
    assert task is not None
    task.status, task.accepted_at = TaskStatus.ACCEPTED, step.now
    _save_task(task, "status", "accepted_at")
    locked = step.appeal
    if task.role == TaskRole.LEAD:
        locked.status = AppealStatus.IN_PROGRESS
    _save(locked, "status")
    record_event(
        locked,
        AppealEvent.Kind.ACCEPTED,
        actor=actor,
        at=step.now,
        unit=task.unit,
        data={"role": task.role, "on_time": step.now <= task.sign_due},
    )
    return locked


@transaction.atomic
def appeal_return(
    *, appeal: Appeal, actor: User, expected_version: int, reason: str, now: datetime | None = None
) -> Appeal:
    """退回: before the sign deadline, with a reason. The lead unit's return sends the item back to dispatch."""
    step = _begin(appeal, Action.RETURN, actor=actor, expected_version=expected_version, now=now)
    task = step.me.task
    assert task is not None
    locked = step.appeal
    task.status, task.done_at = TaskStatus.RETURNED, step.now
    _save_task(task, "status", "done_at")
    recipients = _dispatchers(locked)
    if task.role == TaskRole.LEAD:
        for other in step.tasks:
            if other.pk != task.pk and other.status in OPEN_TASK_STATUSES:
                other.status = TaskStatus.CANCELLED
                _save_task(other, "status")
                recipients |= unit_staff([other.unit_id])
        _lapse_pending_extension(locked, step.now)
        locked.status, locked.lead_unit, locked.returned_at = AppealStatus.REGISTERED, None, step.now
        locked.sign_due = locked.resolve_due = locked.escalate_due = None
        _save(locked, "status", "lead_unit", "returned_at", "sign_due", "resolve_due", "escalate_due")
    else:
        _save(locked)
        if locked.lead_unit_id:
            recipients |= unit_staff([locked.lead_unit_id])
    record_event(
        locked,
        AppealEvent.Kind.RETURNED,
        actor=actor,
        at=step.now,
        unit=task.unit,
        data={"role": task.role, "reason": reason},
    )
    notify(
        user_ids=recipients,
        appeal=locked,
        kind=Notification.Kind.RETURNED,
        message=f"{task.unit.name}退回：{locked.code}，理由：{reason}",
        at=step.now,
    )
    return locked


# --- extensions --------------------------------------------------------------------------------------------


def _extension_used(appeal: Appeal) -> int:
    used = appeal.extensions.filter(status=ExtensionStatus.APPROVED).aggregate(total=Sum("amount"))["total"]
    return int(used or 0)


@transaction.atomic
def appeal_request_extension(
    *, appeal: Appeal, actor: User, expected_version: int, days: int, reason: str, now: datetime | None = None
) -> ExtensionRequest:
    """延期申请: before the resolve deadline, within what is left of the policy's cap."""
    step = _begin(appeal, Action.EXTEND, actor=actor, expected_version=expected_version, now=now)
    locked = step.appeal
    assert locked.policy is not None and step.me.task is not None
    left = locked.policy.extension_cap - _extension_used(locked)
    if days < 1 or days > left:
        raise InvalidInput(
            f"延期天数应在1至{left}之间", code="extension_over_cap", details={"days": f"最多还可延期{left}天"}
        )
    request = ExtensionRequest.objects.create(
        appeal=locked,
        task=step.me.task,
        amount=days,
        clock=locked.policy.extension_clock,
        reason=reason,
        status=ExtensionStatus.PENDING,
        requested_by=actor,
        requested_at=step.now,
    )
    _save(locked)
    record_event(
        locked,
        AppealEvent.Kind.EXTENSION_REQUESTED,
        actor=actor,
        at=step.now,
        unit=step.me.task.unit,
        data={"days": days, "reason": reason, "request": request.pk},
    )
    heads = unit_staff([locked.lead_unit_id], [Role.UNIT_HEAD]) if locked.lead_unit_id else set()
    notify(
        user_ids=heads | _dispatchers(locked),
        appeal=locked,
        kind=Notification.Kind.EXTENSION_REQUESTED,
        message=f"延期申请待审批：{locked.code}，申请{days}天",
        at=step.now,
    )
    return request


@transaction.atomic
def appeal_decide_extension(
    *,
    appeal: Appeal,
    actor: User,
    expected_version: int,
    approve: bool,
    note: str = "",
    now: datetime | None = None,
) -> Appeal:
    """批准/不批准延期. Approval moves the resolve and escalation deadlines by the requested amount."""
    action = Action.APPROVE_EXTENSION if approve else Action.DENY_EXTENSION
    step = _begin(appeal, action, actor=actor, expected_version=expected_version, now=now)
    locked = step.appeal
    request = locked.extensions.select_for_update().get(status=ExtensionStatus.PENDING)
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.DENIED
    request.decided_by, request.decided_at, request.decision_note = actor, step.now, note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    data: dict[str, Any] = {"request": request.pk, "days": request.amount, "note": note}
    if approve:
        assert locked.resolve_due is not None
        old_due = locked.resolve_due
        locked.resolve_due = deadline_after(old_due, request.amount, Clock(request.clock))
        locked.escalate_due = escalate_after(locked.resolve_due)
        if locked.resolve_due > step.now:
            locked.urged_at = None
        _save(locked, "resolve_due", "escalate_due", "urged_at")
        UnitTask.objects.filter(appeal=locked, role=TaskRole.LEAD).exclude(
            status=TaskStatus.CANCELLED
        ).update(resolve_due=locked.resolve_due)
        data |= {"old_resolve_due": old_due.isoformat(), "resolve_due": locked.resolve_due.isoformat()}
    else:
        _save(locked)
    kind = AppealEvent.Kind.EXTENSION_APPROVED if approve else AppealEvent.Kind.EXTENSION_DENIED
    record_event(locked, kind, actor=actor, at=step.now, unit=locked.lead_unit, data=data)
    verdict = "已批准" if approve else "未批准"
    notify(
        user_ids=unit_staff([request.task.unit_id]),
        appeal=locked,
        kind=Notification.Kind.EXTENSION,
        message=f"延期申请{verdict}：{locked.code}",
        at=step.now,
    )
    return locked


# --- work and result ------------------------------------------------------------------------------------


@transaction.atomic
def appeal_note(
    *, appeal: Appeal, actor: User, expected_version: int, text: str, now: datetime | None = None
) -> Appeal:
    """办理进展: a note on the timeline."""
    step = _begin(appeal, Action.NOTE, actor=actor, expected_version=expected_version, now=now)
    _save(step.appeal)
    record_event(
        step.appeal,
        AppealEvent.Kind.NOTE,
        actor=actor,
        at=step.now,
        unit=step.me.task.unit if step.me.task else None,
        data={"text": text},
    )
    return step.appeal


@transaction.atomic
def appeal_resolve(
    *, appeal: Appeal, actor: User, expected_version: int, reply: str, now: datetime | None = None
) -> Appeal:
    """办结. A co-unit files its opinion (会办意见); the lead unit, once every co-unit has filed or lapsed, files
    the result and the reply, which waits for the lead unit's head unless the policy waives approval or the
    head resolves it. The resolve clock stops here, not at the approval."""
    step = _begin(appeal, Action.RESOLVE, actor=actor, expected_version=expected_version, now=now)
    task = step.me.task
    assert task is not None
    locked = step.appeal
    if task.role != TaskRole.CO:
        refuse_stock_reply(reply)
    elif not reply.strip():
        # An opinion goes to the lead unit, not to the citizen: it must say something, in any length.
        message = gettext("Write the opinion of your unit")
        raise InvalidInput(message, code="invalid_input", details={"reply": message})
    if task.role == TaskRole.CO:
        task.status, task.done_at, task.report = TaskStatus.REPORTED, step.now, reply
        _save_task(task, "status", "done_at", "report")
        _save(locked)
        record_event(
            locked,
            AppealEvent.Kind.REPORTED,
            actor=actor,
            at=step.now,
            unit=task.unit,
            data={"report": reply},
        )
        return locked
    _lapse_co_units(locked, step)
    on_time = locked.resolve_due is None or step.now <= locked.resolve_due
    head = locked.lead_unit_id in step.me.scope.units_with(Role.UNIT_HEAD)
    locked.reply, locked.resolved_at = reply, step.now
    if locked.policy is not None and locked.policy.reply_approval and not head:
        task.status, task.done_at, task.report = TaskStatus.SUBMITTED, step.now, reply
        _save_task(task, "status", "done_at", "report")
        locked.status = AppealStatus.AWAITING_APPROVAL
        _save(locked, "status", "reply", "resolved_at")
        # The clock has stopped: an extension nobody decided lapses (a reply sent back keeps its deadline).
        _lapse_pending_extension(locked, step.now)
        record_event(
            locked,
            AppealEvent.Kind.REPLY_SUBMITTED,
            actor=actor,
            at=step.now,
            unit=task.unit,
            data={"reply": reply, "on_time": on_time},
        )
        notify(
            user_ids=unit_staff([task.unit_id], [Role.UNIT_HEAD]),
            appeal=locked,
            kind=Notification.Kind.REPLY_TO_APPROVE,
            message=f"答复意见待审核：{locked.code} {locked.title}",
            at=step.now,
        )
        return locked
    _finish(locked, task, step.now)
    record_event(
        locked,
        AppealEvent.Kind.RESOLVED,
        actor=actor,
        at=step.now,
        unit=task.unit,
        data={"on_time": on_time, "reply": reply},
    )
    return locked


def _lapse_co_units(appeal: Appeal, step: Locked) -> None:
    """The co-units that neither filed their opinion nor did so by their deadline lapse when the lead resolves;
    each lapse is an event against that co-unit."""
    for co in step.tasks:
        if co.role == TaskRole.CO and co.status in OPEN_TASK_STATUSES:
            co.status, co.done_at = TaskStatus.LAPSED, step.now
            _save_task(co, "status", "done_at")
            record_event(
                appeal,
                AppealEvent.Kind.CO_UNIT_LAPSED,
                actor=None,
                at=step.now,
                unit=co.unit,
                data={"resolve_due": co.resolve_due.isoformat()},
            )


def _finish(appeal: Appeal, task: UnitTask, now: datetime) -> None:
    """The lead unit's result stands: the item is resolved and waits for its callback."""
    task.status, task.done_at, task.report = TaskStatus.RESOLVED, task.done_at or now, appeal.reply
    _save_task(task, "status", "done_at", "report")
    appeal.status = AppealStatus.RESOLVED
    _save(appeal, "status", "reply", "resolved_at")
    _lapse_pending_extension(appeal, now)
    # Those who reported the same problem get the same reply (DESIGN §5, merge).
    appeal.duplicates.update(reply=appeal.reply)


@transaction.atomic
def appeal_approve_reply(
    *, appeal: Appeal, actor: User, expected_version: int, now: datetime | None = None
) -> Appeal:
    """审核通过: the lead unit's head lets the reply go out; the item is resolved as of the handler's reply."""
    step = _begin(appeal, Action.APPROVE_REPLY, actor=actor, expected_version=expected_version, now=now)
    locked = step.appeal
    task = _lead_task(step.tasks)
    assert task is not None and locked.resolved_at is not None
    on_time = locked.resolve_due is None or locked.resolved_at <= locked.resolve_due
    _finish(locked, task, step.now)
    record_event(
        locked,
        AppealEvent.Kind.RESOLVED,
        actor=actor,
        at=step.now,
        unit=task.unit,
        data={"on_time": on_time, "reply": locked.reply, "approved": True},
    )
    return locked


@transaction.atomic
def appeal_reject_reply(
    *, appeal: Appeal, actor: User, expected_version: int, reason: str, now: datetime | None = None
) -> Appeal:
    """审核退回: the head sends the reply back to the lead handler with a reason; the item is worked again, its
    deadline unchanged. The timeline keeps the reply that was sent back."""
    if not reason.strip():
        raise InvalidInput("请说明退回理由", code="invalid_input", details={"reason": "必填"})
    step = _begin(appeal, Action.REJECT_REPLY, actor=actor, expected_version=expected_version, now=now)
    locked = step.appeal
    task = _lead_task(step.tasks)
    assert task is not None
    rejected = locked.reply
    task.status, task.done_at = TaskStatus.ACCEPTED, None
    _save_task(task, "status", "done_at")
    locked.status, locked.reply, locked.resolved_at = AppealStatus.IN_PROGRESS, "", None
    _save(locked, "status", "reply", "resolved_at")
    record_event(
        locked,
        AppealEvent.Kind.REPLY_REJECTED,
        actor=actor,
        at=step.now,
        unit=task.unit,
        data={"reason": reason, "reply": rejected},
    )
    notify(
        user_ids=unit_staff([task.unit_id], [Role.HANDLER]),
        appeal=locked,
        kind=Notification.Kind.REPLY_REJECTED,
        message=f"答复意见被退回：{locked.code}，理由：{reason}",
        at=step.now,
    )
    return locked


@transaction.atomic
def appeal_reclassify(
    *,
    appeal: Appeal,
    actor: User,
    expected_version: int,
    reason: str,
    category_code: str | None = None,
    kind: str | None = None,
    risk_colour: str | None = None,
    now: datetime | None = None,
) -> Appeal:
    """改类: the dispatcher corrects the category, the kind or the risk colour (re-grading a dispute) before the
    item is closed; the metrics and hot issues follow the current classification."""
    step = _begin(appeal, Action.RECLASSIFY, actor=actor, expected_version=expected_version, now=now)
    locked = step.appeal
    problems: dict[str, str] = {}
    if not reason.strip():
        problems["reason"] = "请说明改类理由"
    category = locked.category
    if category_code is not None:
        found = Category.objects.filter(code=category_code, is_active=True).first()
        if found is None:
            problems["category"] = "分类不存在"
        else:
            category = found
    new_kind = locked.kind if kind is None else kind
    if new_kind not in AppealKind.values:
        problems["kind"] = "类别不存在"
    colour = locked.risk_colour if risk_colour is None else risk_colour
    if new_kind != AppealKind.DISPUTE and kind is not None and risk_colour is None:
        colour = ""  # a dispute re-read as a request keeps no risk grade
    if colour and colour not in RiskColour.values:
        problems["risk_colour"] = "风险等级不存在"
    elif colour and new_kind != AppealKind.DISPUTE:
        problems["risk_colour"] = "只有矛盾纠纷设定风险等级"
    if problems:
        raise InvalidInput(next(iter(problems.values())), code="invalid_input", details=problems)
    before = {"category": locked.category.code, "kind": locked.kind, "risk_colour": locked.risk_colour}
    after = {"category": category.code, "kind": new_kind, "risk_colour": colour}
    if before == after:
        raise InvalidInput(
            "分类、类别和风险等级均未改变", code="invalid_input", details={"category": "未改变"}
        )
    locked.category, locked.kind, locked.risk_colour = category, new_kind, colour
    _save(locked, "category", "kind", "risk_colour")
    changed = [key for key in before if before[key] != after[key]]
    record_event(
        locked,
        AppealEvent.Kind.RECLASSIFIED,
        actor=actor,
        at=step.now,
        data={
            "from": {key: before[key] for key in changed},
            "to": {key: after[key] for key in changed},
            "reason": reason,
        },
    )
    return locked


@transaction.atomic
def appeal_change_co_units(
    *,
    appeal: Appeal,
    actor: User,
    expected_version: int,
    reason: str,
    add: Iterable[int] = (),
    remove: Iterable[int] = (),
    now: datetime | None = None,
) -> Appeal:
    """调整配合单位: the dispatcher adds co-units (with deadlines from the policy, from now) or drops them while
    the item is worked, with a reason."""
    step = _begin(appeal, Action.CO_UNITS, actor=actor, expected_version=expected_version, now=now)
    locked = step.appeal
    added, removed = list(dict.fromkeys(add)), list(dict.fromkeys(remove))
    problems: dict[str, str] = {}
    if not reason.strip():
        problems["reason"] = "请说明调整理由"
    if not added and not removed:
        problems["add"] = "请选择要增加或撤销的配合单位"
    tasks = {t.unit_id: t for t in step.tasks}
    current = {
        uid for uid, t in tasks.items() if t.role == TaskRole.CO and t.status not in GONE_TASK_STATUSES
    }
    if locked.lead_unit_id in added:
        problems["add"] = "牵头单位不能同时是配合单位"
    elif set(added) & current:
        problems["add"] = "已是配合单位"
    if set(added) & set(removed):
        problems["remove"] = "同一单位不能既增加又撤销"
    elif set(removed) - current:
        problems["remove"] = "不是本件的配合单位"
    units = {u.pk: u for u in units_visible_to(actor).filter(pk__in=added, is_active=True)}
    if not problems.get("add") and len(units) != len(added):
        problems["add"] = "单位不存在"
    if problems:
        raise InvalidInput(next(iter(problems.values())), code="invalid_input", details=problems)
    policy = locked.policy
    assert policy is not None  # an assigned appeal has its policy
    due = deadlines_from(policy=policy, start=step.now)
    for unit_id in added:
        task = tasks.get(unit_id) or UnitTask(appeal=locked, unit=units[unit_id])
        task.role, task.status = TaskRole.CO, TaskStatus.ASSIGNED
        task.sign_due, task.resolve_due, task.assigned_at = due.sign_due, due.resolve_due, step.now
        task.accepted_at = task.done_at = None
        task.report = ""
        task.save()
    for unit_id in removed:
        task = tasks[unit_id]
        task.status, task.done_at = TaskStatus.CANCELLED, step.now
        _save_task(task, "status", "done_at")
    _save(locked)
    record_event(
        locked,
        AppealEvent.Kind.CO_UNITS_CHANGED,
        actor=actor,
        at=step.now,
        data={"added": added, "removed": removed, "reason": reason},
    )
    if added:
        notify(
            user_ids=unit_staff(added),
            appeal=locked,
            kind=Notification.Kind.CO_UNITS_CHANGED,
            message=f"新交办（配合）：{locked.code} {locked.title}",
            at=step.now,
        )
    return locked


@transaction.atomic
def appeal_resolve_on_site(
    *, appeal: Appeal, actor: User, expected_version: int, reply: str, now: datetime | None = None
) -> Appeal:
    """就地化解: solved where it was heard, without assignment."""
    step = _begin(appeal, Action.RESOLVE_ON_SITE, actor=actor, expected_version=expected_version, now=now)
    refuse_stock_reply(reply)
    locked = step.appeal
    locked.status, locked.resolved_on_site, locked.reply, locked.resolved_at = (
        AppealStatus.RESOLVED,
        True,
        reply,
        step.now,
    )
    _save(locked, "status", "resolved_on_site", "reply", "resolved_at")
    record_event(locked, AppealEvent.Kind.RESOLVED_ON_SITE, actor=actor, at=step.now, data={"reply": reply})
    return locked


# --- after the result ------------------------------------------------------------------------------------


def _begin_citizen_callback(appeal: Appeal, *, expected_version: int, now: datetime | None) -> Locked:
    rows = Appeal.objects.select_related("category", "policy", "lead_unit")
    locked = lock_at_version(rows, pk=appeal.pk, expected_version=expected_version)
    if locked.status != AppealStatus.RESOLVED or locked.awaiting_decision:
        raise DomainError("只能评价已办结、尚未评价的诉求", code="not_resolved")
    tasks = list(locked.tasks.select_related("unit"))
    citizen = Standing(
        scope=Scope(everything=False, prefixes=(), unit_ids=frozenset(), roles=frozenset()),
        task=None,
        is_dispatcher=False,
        is_supervisor=False,
    )
    return Locked(appeal=locked, tasks=tasks, me=citizen, now=now or timezone.now())


@transaction.atomic
def appeal_callback(
    *,
    appeal: Appeal,
    actor: User | None,
    expected_version: int,
    solved: bool,
    satisfaction: str,
    method: str = Callback.Method.PHONE,
    note: str = "",
    now: datetime | None = None,
) -> Appeal:
    """回访. A satisfied answer closes the item; an unsatisfied one waits for the dispatcher's decision.

    Without an actor it is the citizen's own rating on the portal (method `portal`), who proved the item is
    theirs with its secret: only the state is checked, as for a callback by phone."""
    if satisfaction not in Satisfaction.values:
        raise InvalidInput("满意度不存在", code="invalid_input", details={"satisfaction": "满意度不存在"})
    if actor is None:
        if method != Callback.Method.PORTAL:
            raise Forbidden()
        step = _begin_citizen_callback(appeal, expected_version=expected_version, now=now)
    else:
        step = _begin(appeal, Action.CALLBACK, actor=actor, expected_version=expected_version, now=now)
    locked = step.appeal
    Callback.objects.create(
        appeal=locked,
        method=method,
        solved=solved,
        satisfaction=satisfaction,
        note=note,
        by=actor,
        at=step.now,
    )
    unsatisfied = satisfaction == Satisfaction.UNSATISFIED
    if unsatisfied:
        locked.awaiting_decision = True
    else:
        locked.status, locked.closed_at = AppealStatus.CLOSED, step.now
    _save(locked, "awaiting_decision", "status", "closed_at")
    record_event(
        locked,
        AppealEvent.Kind.CALLBACK,
        actor=actor,
        at=step.now,
        data={
            "solved": solved,
            "satisfaction": satisfaction,
            "method": method,
            "note": note,
            "closed": not unsatisfied,
        },
    )
    recipients = unit_staff([locked.lead_unit_id]) if locked.lead_unit_id else set()
    if unsatisfied:
        recipients |= _dispatchers(locked)
    notify(
        user_ids=recipients,
        appeal=locked,
        kind=Notification.Kind.CALLBACK,
        message=f"回访结果：{locked.code} {Satisfaction(satisfaction).label}",
        at=step.now,
    )
    return locked


@transaction.atomic
def appeal_reopen(
    *, appeal: Appeal, actor: User, expected_version: int, reason: str, now: datetime | None = None
) -> Appeal:
    """重办: after an unsatisfied callback the lead unit does it again, with fresh deadlines."""
    step = _begin(appeal, Action.REOPEN, actor=actor, expected_version=expected_version, now=now)
    locked = step.appeal
    lead = _lead_task(step.tasks)
    if lead is None or locked.policy is None:
        raise DomainError("就地化解的诉求不能重办，请重新登记交办", code="no_lead_unit")
    due = deadlines_from(policy=locked.policy, start=step.now)
    lead.status, lead.sign_due, lead.resolve_due, lead.assigned_at = (
        TaskStatus.ASSIGNED,
        due.sign_due,
        due.resolve_due,
        step.now,
    )
    lead.accepted_at = lead.done_at = None
    _save_task(lead, "status", "sign_due", "resolve_due", "assigned_at", "accepted_at", "done_at")
    locked.status, locked.awaiting_decision, locked.resolved_at, locked.closed_at = (
        AppealStatus.ASSIGNED,
        False,
        None,
        None,
    )
    locked.sign_due, locked.resolve_due, locked.escalate_due = due.sign_due, due.resolve_due, due.escalate_due
    locked.urged_at = locked.escalated_at = None
    _save(
        locked,
        "status",
        "awaiting_decision",
        "resolved_at",
        "closed_at",
        "sign_due",
        "resolve_due",
        "escalate_due",
        "urged_at",
        "escalated_at",
    )
    record_event(
        locked, AppealEvent.Kind.REOPENED, actor=actor, at=step.now, unit=lead.unit, data={"reason": reason}
    )
    notify(
        user_ids=unit_staff([lead.unit_id]),
        appeal=locked,
        kind=Notification.Kind.REOPENED,
        message=f"回访不满意，重办：{locked.code}",
        at=step.now,
    )
    return locked


@transaction.atomic
def appeal_merge(
    *, appeal: Appeal, actor: User, expected_version: int, into: Appeal, now: datetime | None = None
) -> Appeal:
    """合并: this appeal repeats `into`; its reporter gets the reply that `into` gets."""
    if into.pk == appeal.pk:
        raise InvalidInput("不能与自身合并", code="invalid_input", details={"into": "不能与自身合并"})
    # Lock both rows in id order, so two merges of the same pair cannot deadlock.
    list(
        Appeal.objects.select_for_update()
        .filter(pk__in=[appeal.pk, into.pk])
        .order_by("pk")
        .values_list("pk")
    )
    step = _begin(appeal, Action.MERGE, actor=actor, expected_version=expected_version, now=now)
    target = Appeal.objects.get(pk=into.pk)
    if target.status == AppealStatus.MERGED:
        raise DomainError("目标诉求本身已被合并，请合并到其原诉求", code="invalid_merge_target")
    locked = step.appeal
    for task in step.tasks:
        if task.status in OPEN_TASK_STATUSES:
            task.status = TaskStatus.CANCELLED
            _save_task(task, "status")
    _lapse_pending_extension(locked, step.now)
    locked.status, locked.duplicate_of, locked.reply = AppealStatus.MERGED, target, target.reply
    _save(locked, "status", "duplicate_of", "reply")
    record_event(
        locked,
        AppealEvent.Kind.MERGED,
        actor=actor,
        at=step.now,
        data={"into": target.pk, "code": target.code},
    )
    record_event(
        target,
        AppealEvent.Kind.DUPLICATE_ADDED,
        actor=actor,
        at=step.now,
        data={"duplicate": locked.pk, "code": locked.code},
    )
    return locked


@transaction.atomic
def appeal_reject(
    *, appeal: Appeal, actor: User, expected_version: int, reason: str, now: datetime | None = None
) -> Appeal:
    """不予受理: not within the remit, with the reason the citizen reads."""
    step = _begin(appeal, Action.REJECT, actor=actor, expected_version=expected_version, now=now)
    locked = step.appeal
    locked.status, locked.closed_at, locked.close_reason = (
        AppealStatus.CLOSED,
        step.now,
        f"不予受理：{reason}",
    )
    _save(locked, "status", "closed_at", "close_reason")
    record_event(locked, AppealEvent.Kind.REJECTED, actor=actor, at=step.now, data={"reason": reason})
    return locked


@transaction.atomic
def appeal_close(
    *, appeal: Appeal, actor: User, expected_version: int, reason: str = "", now: datetime | None = None
) -> Appeal:
    """销号: a resolved item leaves the books (after a callback, or when the citizen cannot be reached)."""
    step = _begin(appeal, Action.CLOSE, actor=actor, expected_version=expected_version, now=now)
    locked = step.appeal
    locked.status, locked.closed_at, locked.close_reason, locked.awaiting_decision = (
        AppealStatus.CLOSED,
        step.now,
        reason,
        False,
    )
    _save(locked, "status", "closed_at", "close_reason", "awaiting_decision")
    record_event(locked, AppealEvent.Kind.CLOSED, actor=actor, at=step.now, data={"reason": reason})
    return locked


@transaction.atomic
def appeal_supervise(
    *,
    appeal: Appeal,
    actor: User,
    expected_version: int,
    reason: str,
    days: int | None = None,
    now: datetime | None = None,
) -> Supervision:
    """督办: a supervisor's order to the lead unit, with a reply date when given."""
    step = _begin(appeal, Action.SUPERVISE, actor=actor, expected_version=expected_version, now=now)
    locked = step.appeal
    due = deadline_after(step.now, days, Clock.WORKING_DAYS) if days else None
    order = Supervision.objects.create(
        appeal=locked,
        level=Supervision.Level.SUPERVISE,
        issued_by=actor,
        unit=locked.lead_unit,
        reason=reason,
        due=due,
        created_at=step.now,
    )
    _save(locked)
    record_event(
        locked,
        AppealEvent.Kind.SUPERVISED,
        actor=actor,
        at=step.now,
        unit=locked.lead_unit,
        data={"reason": reason, "due": due.isoformat() if due else None},
    )
    if locked.lead_unit_id:
        notify(
            user_ids=unit_staff([locked.lead_unit_id]),
            appeal=locked,
            kind=Notification.Kind.SUPERVISED,
            message=f"督办：{locked.code}，{reason}",
            at=step.now,
        )
    return order


# --- personal data ---------------------------------------------------------------------------------------


def appeal_reveal_reporter(*, appeal: Appeal, actor: User, request: HttpRequest | None = None) -> Reporter:
    """The reporter's full name, phone and ID number, for someone who must reply; every reveal is audited."""
    if not may_reveal(actor, appeal):
        raise Forbidden("无权查看完整个人信息")
    audit_record(
        action=AuditEvent.Action.PERSONAL_DATA_REVEALED,
        actor=actor,
        request=request,
        target=appeal,
        data={"code": appeal.code},
    )
    return Reporter(
        name=appeal.reporter_name, phone=appeal.reporter_phone, id_number=appeal.reporter_id_number
    )
