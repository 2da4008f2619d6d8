"""Who sees which appeals, and who may do what to one now.

Visibility is the scope rule of DESIGN §4: the appeal's region lies in one of the user's unit subtrees, or one
of the user's units has a part (a task) in it. The action rules below are the only statement of "who may":
services call `check_action` before they write, and pages and the API list `allowed_actions`.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from appeals.models import (
    ACTIVE_STATUSES,
    GONE_TASK_STATUSES,
    OPEN_TASK_STATUSES,
    Appeal,
    AppealStatus,
    ExtensionRequest,
    ExtensionStatus,
    TaskRole,
    TaskStatus,
    UnitTask,
)
from core.errors import DomainError, Forbidden, InvalidInput, NotFound
from geo.models import Region, subtree_bounds
from org.models import Membership, Role, Unit, User
from org.permissions import UNIT_STAFF, Scope, user_scope

# Who may see a citizen's name, phone and ID number in full: those who must reply to them.
REVEAL_ROLES = (Role.DISPATCHER, Role.SUPERVISOR)
# Who registers appeals on the web form (DESIGN §1: visitors in the field, dispatchers, handlers).
REGISTER_ROLES = (Role.DISPATCHER, Role.VISITOR, Role.HANDLER)
DISPATCH_ROLES = (Role.DISPATCHER,)
# Who watches the open disputes by risk colour (四色预警).
RISK_ROLES = (Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN)


def may_register(user: User) -> bool:
    return user_scope(user).holds(*REGISTER_ROLES)


def may_dispatch(user: User) -> bool:
    return user_scope(user).holds(*DISPATCH_ROLES)


def may_work_unit_queue(user: User) -> bool:
    return user_scope(user).holds(*UNIT_STAFF)


def appeals_visible_to(user: User, *, within: str | None = None, paged: bool = False) -> QuerySet[Appeal]:
    """The appeals the user sees (DESIGN §4, 条块); `within` a region subtree (a code prefix), those of that
    subtree alone. A territorial unit sees its region subtree; a functional department the appeals in which it,
    or a unit of its kind inside its subtree, has a part; every unit what it has a part in or registered.

    When the user's territory holds the whole subtree asked for, its region condition is the whole answer:
    without the OR over the units' tasks, the indexes on region and deadline serve the query (a leader's
    overdue count over a prefecture reads the appeal_open_due index instead of every appeal). `paged`: the
    queryset serves one page of a list (see below)."""
    scope = user_scope(user)
    appeals = Appeal.objects.all()
    if within is not None:
        appeals = appeals.filter(region__code__range=subtree_bounds(within))
    if scope.everything or (within is not None and scope.holds_territory(within)):
        return appeals
    # The task table's (unit, …) index answers "a part of one of these units" for a handful of units.
    tasks = UnitTask.objects.filter(appeal=OuterRef("pk"), unit_id__in=_line_units(scope))
    if paged:
        # For one page of a list (`paged`): PostgreSQL turns an EXISTS inside an OR into a hashed SubPlan over
        # every task of the units, built before the list's index is walked, not knowing that the LIMIT stops
        # after a page (135 ms for the prefecture 人社局's 184,426 task rows at 1M appeals). A correlation that
        # is not a plain equality (always true here) keeps it a per-row probe of the (appeal, unit) index:
        # 1 ms (docs/benchmarks.md). Counts and exports walk every row and keep the hash.
        tasks = tasks.filter(appeal_id__gte=OuterRef("pk"))
    has_part = Exists(tasks)
    registered = Q(registered_by_id__in=_unit_members(scope))
    return appeals.filter(scope.territory_q("region__code") | has_part | registered)


def _line_units(scope: Scope) -> list[int]:
    """The user's own units and, for each functional unit, the units of its kind inside its subtree (the
    prefecture 人社局 oversees the county 人社局s' items)."""
    same_kind = [Q(kind=kind, region__code__range=subtree_bounds(prefix)) for kind, prefix in scope.lines]
    if not same_kind:
        return sorted(scope.unit_ids)
    lines = Unit.objects.filter(reduce(or_, same_kind)).values_list("pk", flat=True)
    return sorted(scope.unit_ids | set(lines))


def _unit_members(scope: Scope) -> list[int]:
    """The people of the user's units: what they registered is their unit's."""
    return sorted(
        set(
            Membership.objects.filter(unit_id__in=scope.unit_ids).values_list("user_id", flat=True).distinct()
        )
    )


def access_appeal(user: User, appeal_id: int) -> Appeal:
    """The appeal if the user may see it; 404 alike for absent and out of scope."""
    try:
        return (
            appeals_visible_to(user)
            .select_related("category", "region", "lead_unit", "policy")
            .get(pk=appeal_id)
        )
    except Appeal.DoesNotExist:
        raise NotFound("诉求不存在") from None


class Action:
    """The actions of DESIGN §5 and §10, as they appear in URLs: POST /api/v1/appeals/{id}/{action}."""

    ASSIGN = "assign"
    ACCEPT = "accept"
    RETURN = "return"
    EXTEND = "extend"
    APPROVE_EXTENSION = "approve-extension"
    DENY_EXTENSION = "deny-extension"
    NOTE = "note"
    RESOLVE = "resolve"
    RESOLVE_ON_SITE = "resolve-on-site"
    CALLBACK = "callback"
    REOPEN = "reopen"
    MERGE = "merge"
    REJECT = "reject"
    CLOSE = "close"
    SUPERVISE = "supervise"
    APPROVE_REPLY = "approve-reply"
    REJECT_REPLY = "reject-reply"
    RECLASSIFY = "reclassify"
    CO_UNITS = "co-units"

    ALL = (
        ASSIGN,
        ACCEPT,
        RETURN,
        EXTEND,
        APPROVE_EXTENSION,
        DENY_EXTENSION,
        NOTE,
        RESOLVE,
        APPROVE_REPLY,
        REJECT_REPLY,
        RESOLVE_ON_SITE,
        CALLBACK,
        REOPEN,
        MERGE,
        REJECT,
        CLOSE,
        SUPERVISE,
        RECLASSIFY,
        CO_UNITS,
    )


@dataclass(frozen=True)
class Standing:
    """What the user is to this appeal: the open task they act through, if any, and their covering roles."""

    scope: Scope
    task: UnitTask | None
    is_dispatcher: bool
    is_supervisor: bool


def _standing(user: User, appeal: Appeal, tasks: list[UnitTask]) -> Standing:
    scope = user_scope(user)
    staff_units = scope.units_with(*UNIT_STAFF)
    mine = [t for t in tasks if t.unit_id in staff_units]
    # A person in both the lead unit and a co-unit acts for the lead.
    mine.sort(key=lambda t: (t.role != TaskRole.LEAD, t.id))
    open_mine = [t for t in mine if t.status in OPEN_TASK_STATUSES]
    return Standing(
        scope=scope,
        task=open_mine[0] if open_mine else None,
        is_dispatcher=scope.covers(appeal.region_id, Role.DISPATCHER),
        is_supervisor=scope.covers(appeal.region_id, Role.SUPERVISOR),
    )


def _refuse(message: str, code: str) -> DomainError:
    return DomainError(message, code=code)


def _pending_extension(appeal: Appeal) -> ExtensionRequest | None:
    return appeal.extensions.filter(status=ExtensionStatus.PENDING).select_related("task").first()


def check_action(
    action: str,
    *,
    user: User,
    appeal: Appeal,
    tasks: list[UnitTask] | None = None,
    now: datetime | None = None,
) -> Standing:
    """Raise 403 if the user's roles may never do this here, 409 with a code if the appeal's state forbids it now."""
    now = now or timezone.now()
    tasks = tasks if tasks is not None else list(appeal.tasks.all())
    me = _standing(user, appeal, tasks)
    status = appeal.status
    unit_head_of_lead = appeal.lead_unit_id in me.scope.units_with(Role.UNIT_HEAD)

    if action == Action.ASSIGN:
        if not me.is_dispatcher:
            raise Forbidden("只有调度员可以交办")
        if status != AppealStatus.REGISTERED:
            raise _refuse("只能交办待分办的诉求", "not_registered")
    elif action == Action.ACCEPT:
        if me.task is None:
            raise Forbidden("本单位没有需签收的任务")
        if me.task.status != TaskStatus.ASSIGNED:
            raise _refuse("只能签收待签收的任务", "not_assigned")
    elif action == Action.RETURN:
        if me.task is None:
            raise Forbidden("本单位没有可退回的任务")
        # DESIGN §5: a unit returns an item instead of signing for it, not after.
        if me.task.status != TaskStatus.ASSIGNED:
            raise _refuse("已签收的事项不能退回", "already_accepted")
        if now > me.task.sign_due:
            raise _refuse("已过签收时限，不能退回", "sign_deadline_passed")
    elif action == Action.EXTEND:
        if me.task is None or me.task.role != TaskRole.LEAD:
            raise Forbidden("只有牵头单位可以申请延期")
        if me.task.status != TaskStatus.ACCEPTED:
            raise _refuse("签收后才能申请延期", "not_accepted")
        if appeal.resolve_due is not None and now > appeal.resolve_due:
            raise _refuse("已过办结时限，不能申请延期", "resolve_deadline_passed")
        if appeal.policy is None or appeal.policy.extension_cap == 0:
            raise _refuse("该办理时限不允许延期", "extension_not_allowed")
        if _pending_extension(appeal) is not None:
            raise _refuse("已有待审批的延期申请", "extension_pending")
    elif action in (Action.APPROVE_EXTENSION, Action.DENY_EXTENSION):
        if not (unit_head_of_lead or me.is_dispatcher):
            raise Forbidden("只有牵头单位负责人或调度员可以审批延期")
        if status not in ACTIVE_STATUSES or _pending_extension(appeal) is None:
            raise _refuse("没有待审批的延期申请", "no_pending_extension")
    elif action == Action.NOTE:
        if me.task is None and not (me.is_dispatcher or me.is_supervisor):
            raise Forbidden("无权添加办理进展")
        if status in (AppealStatus.CLOSED, AppealStatus.MERGED):
            raise _refuse("已办结销号或已合并的诉求不能再添加进展", "not_open")
    elif action == Action.RESOLVE:
        if me.task is None:
            raise Forbidden("本单位没有可办结的任务")
        if me.task.status != TaskStatus.ACCEPTED:
            raise _refuse("签收后才能办结", "not_accepted")
        waiting = co_units_waited_for(tasks, now=now) if me.task.role == TaskRole.LEAD else []
        if waiting:
            names = "、".join(t.unit.name for t in waiting)
            raise _refuse(f"等待配合单位报送会办意见：{names}（报送或逾期后可办结）", "co_units_pending")
    elif action in (Action.APPROVE_REPLY, Action.REJECT_REPLY):
        if not unit_head_of_lead:
            raise Forbidden("只有牵头单位负责人可以审核答复意见")
        if status != AppealStatus.AWAITING_APPROVAL:
            raise _refuse("没有待审核的答复意见", "no_reply_to_approve")
    elif action == Action.RECLASSIFY:
        if not me.is_dispatcher:
            raise Forbidden("只有调度员可以改类")
        if status in (AppealStatus.CLOSED, AppealStatus.MERGED):
            raise _refuse("已销号或已合并的诉求不能改类", "not_open")
    elif action == Action.CO_UNITS:
        if not me.is_dispatcher:
            raise Forbidden("只有调度员可以调整配合单位")
        if status not in ACTIVE_STATUSES:
            raise _refuse("只能调整正在办理的诉求的配合单位", "not_active")
    elif action == Action.RESOLVE_ON_SITE:
        if not (me.is_dispatcher or appeal.registered_by_id == user.pk):
            raise Forbidden("只有登记人或调度员可以就地化解")
        if status != AppealStatus.REGISTERED:
            raise _refuse("只能就地化解待分办的诉求", "not_registered")
    elif action == Action.CALLBACK:
        if not (me.is_dispatcher or me.is_supervisor):
            raise Forbidden("只有调度员或督查员可以回访")
        if status != AppealStatus.RESOLVED or appeal.awaiting_decision:
            raise _refuse("只能回访已办结、未回访的诉求", "not_resolved")
    elif action == Action.REOPEN:
        if not me.is_dispatcher:
            raise Forbidden("只有调度员可以重办")
        if not appeal.awaiting_decision:
            raise _refuse("只有回访不满意的诉求可以重办", "no_unsatisfied_callback")
        if appeal.lead_unit_id is None:
            raise _refuse("就地化解的诉求不能重办，请重新登记交办", "no_lead_unit")
    elif action == Action.MERGE:
        if not me.is_dispatcher:
            raise Forbidden("只有调度员可以合并重复诉求")
        if status not in (AppealStatus.REGISTERED, *ACTIVE_STATUSES):
            raise _refuse("只能合并尚未办结的诉求", "not_mergeable")
    elif action == Action.REJECT:
        if not me.is_dispatcher:
            raise Forbidden("只有调度员可以不予受理")
        if status != AppealStatus.REGISTERED:
            raise _refuse("只能对待分办的诉求不予受理", "not_registered")
    elif action == Action.CLOSE:
        if not me.is_dispatcher:
            raise Forbidden("只有调度员可以销号")
        if status != AppealStatus.RESOLVED:
            raise _refuse("只能对已办结的诉求销号", "not_resolved")
    elif action == Action.SUPERVISE:
        if not me.is_supervisor:
            raise Forbidden("只有督查员可以督办")
        if status not in ACTIVE_STATUSES:
            raise _refuse("只能督办正在办理的诉求", "not_active")
    else:
        raise NotFound("没有这个操作", code="unknown_action")
    return me


def co_units_waited_for(tasks: list[UnitTask], *, now: datetime) -> list[UnitTask]:
    """The co-units whose opinion the lead still waits for: their part is open and their deadline not passed.
    Once every co-unit has filed or lapsed, the lead may resolve (DESIGN §5)."""
    return [
        t for t in tasks if t.role == TaskRole.CO and t.status in OPEN_TASK_STATUSES and now <= t.resolve_due
    ]


def allowed_actions(user: User, appeal: Appeal, *, now: datetime | None = None) -> list[str]:
    """The actions this user may take on this appeal now, in workflow order."""
    tasks = list(appeal.tasks.all())
    allowed = []
    for action in Action.ALL:
        try:
            check_action(action, user=user, appeal=appeal, tasks=tasks, now=now)
        except DomainError:
            continue
        allowed.append(action)
    return allowed


def acting_unit_id(user: User | None, *, region_code: str, unit_id: int | None) -> int | None:
    """The unit the user acted for on an appeal of this region: the event's own unit when it is one of theirs
    (a handler's part), else the unit whose grant covers the region most narrowly (a county's command centre
    before the prefecture's), else any of their units; None for the system."""
    if user is None:
        return None
    scope = user_scope(user)
    if unit_id is not None and unit_id in scope.unit_ids:
        return unit_id
    covering = [g for g in scope.grants if region_code.startswith(g.prefix)]
    if covering:
        return max(covering, key=lambda g: (len(g.prefix), -g.unit_id)).unit_id
    return min(scope.unit_ids, default=None)


def may_reveal(user: User, appeal: Appeal) -> bool:
    """Those who reply to the citizen: a unit with a part in the item, or a covering dispatcher or supervisor."""
    scope = user_scope(user)
    if scope.covers(appeal.region_id, *REVEAL_ROLES):
        return True
    staff_units = scope.units_with(*UNIT_STAFF)
    return appeal.tasks.filter(unit_id__in=staff_units).exclude(status__in=GONE_TASK_STATUSES).exists()


def registration_region(user: User, region_code: str) -> Region:
    """The region a cadre may register in (their scope, county level or below); else the same refusal as
    registration gives (422 on `region_code`)."""
    region = Region.objects.filter(pk=region_code).first()
    scope = user_scope(user)
    if region is None or not scope.covers(region.code, *scope.roles):
        raise InvalidInput(
            "输入有误，请检查后重试",
            code="invalid_input",
            details={"region_code": "区划不存在或不在您的工作范围内"},
        )
    if region.level < Region.Level.COUNTY:
        raise InvalidInput(
            "输入有误，请检查后重试", code="invalid_input", details={"region_code": "请选择县级及以下区划"}
        )
    return region
