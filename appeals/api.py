"""The appeals API (DESIGN §10): reference lists, registration, the list and detail, the timeline, one
endpoint per workflow action, the audited reveal of the reporter, and the user's notifications."""

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from appeals.models import Appeal, AppealStatus, DeadlinePolicy, ExtensionStatus, Notification
from appeals.permissions import (
    REGISTER_ROLES,
    access_appeal,
    allowed_actions,
    appeals_visible_to,
    registration_region,
)
from appeals.schemas import (
    AppealCreated,
    AppealDetail,
    AppealIn,
    AppealListItem,
    AppealOut,
    AppealQuery,
    AssignIn,
    CallbackIn,
    CategoryOut,
    CloseIn,
    CoUnitsIn,
    CountOut,
    DecisionIn,
    EventOut,
    ExtendIn,
    MergeIn,
    NoteIn,
    NotificationFilters,
    NotificationOut,
    NotificationsReadIn,
    PolicyOut,
    ReasonIn,
    ReclassifyIn,
    RejectIn,
    ReporterOut,
    ResolveIn,
    SimilarIn,
    SimilarOut,
    SuggestIn,
    SuggestionsOut,
    SuperviseIn,
    UpdatedOut,
    VersionIn,
    appeal_detail_out,
    appeal_out,
    similar_out,
)
from appeals.selectors import (
    AppealFilters,
    appeal_tasks,
    appeal_timeline,
    appeals_filter,
    categories_active,
    ordered,
    similar_appeals,
    staffless_warnings,
    unread_count,
)
from appeals.services import (
    appeal_accept,
    appeal_approve_reply,
    appeal_assign,
    appeal_callback,
    appeal_change_co_units,
    appeal_close,
    appeal_decide_extension,
    appeal_merge,
    appeal_note,
    appeal_reclassify,
    appeal_register,
    appeal_reject,
    appeal_reject_reply,
    appeal_reopen,
    appeal_request_extension,
    appeal_resolve,
    appeal_resolve_on_site,
    appeal_return,
    appeal_reveal_reporter,
    appeal_suggestions,
    appeal_supervise,
    routing_suggest,
    text_suggestions,
)
from appeals.services.notify import notifications_mark_read
from core.api import Page, responses
from core.audit import audit_list_page
from core.pagination import keyset_paginate
from org.auth import api_user
from org.models import User
from org.permissions import require_role

router = Router(tags=["appeals"])

ACTION = responses(AppealOut, 403, 404, 409)


def _out(appeal: Appeal, *, warn_units: Iterable[int] = ()) -> dict[str, Any]:
    """The appeal as the actions answer it; `warnings` names the units given to it that have no staff."""
    out = appeal_out(appeal, now=timezone.now())
    out["warnings"] = staffless_warnings(warn_units)
    return out


# --- reference ---------------------------------------------------------------------------------------------


@router.get(
    "/categories", response=responses(list[CategoryOut]), tags=["reference"], summary="Active categories"
)
def list_categories(request: HttpRequest) -> QuerySet[Any]:
    """The two-level taxonomy: level-1 rows have no `parent_code`."""
    return categories_active()


@router.get("/policies", response=responses(list[PolicyOut]), tags=["reference"], summary="Deadline policies")
def list_policies(request: HttpRequest) -> QuerySet[DeadlinePolicy]:
    return DeadlinePolicy.objects.filter(is_active=True).order_by("code")


# --- appeals -----------------------------------------------------------------------------------------------


@router.post("/appeals", response=responses(AppealCreated, status=201), summary="Register an appeal")
def create_appeal(request: HttpRequest, payload: AppealIn) -> Status:
    """登记. With `on_site_reply` the appeal is registered already resolved (就地化解). The `secret` is shown once."""
    registered = appeal_register(
        draft=payload.draft(), actor=api_user(request), on_site_reply=payload.on_site_reply
    )
    return Status(201, {**_out(registered.appeal), "secret": registered.secret})


@router.post(
    "/appeals/similar",
    response=responses(SimilarOut, 403, 422),
    summary="Similar open or recent appeals of the same county, for a text not yet saved",
)
def similar_to_text(request: HttpRequest, payload: SimilarIn) -> dict[str, Any]:
    """The registration form asks before saving: candidates by MinHash LSH, re-checked, best first."""
    user = api_user(request)
    require_role(user, *REGISTER_ROLES)
    region = registration_region(user, payload.region_code)
    found = similar_appeals(
        appeals_visible_to(user),
        title=payload.title,
        description=payload.description,
        region_code=region.code,
    )
    return {"items": [similar_out(s) for s in found]}


@router.get("/appeals", response=responses(Page[AppealListItem]), summary="Appeals in my scope")
def list_appeals(request: HttpRequest, filters: Query[AppealQuery]) -> dict[str, Any]:
    appeals = appeals_filter(
        appeals_visible_to(api_user(request), within=filters.region, paged=True),
        AppealFilters(
            status=tuple(filters.status),
            unit=filters.unit,
            task_status=filters.task_status,
            lead_unit=filters.lead_unit,
            kind=filters.kind,
            category=filters.category,
            not_categories=tuple(filters.not_category),
            risk_colour=filters.risk_colour,
            created_from=filters.created_from,
            created_to=filters.created_to,
            source=filters.source,
            overdue=filters.overdue,
            returned=filters.returned,
            awaiting_decision=filters.awaiting_decision,
            q=filters.q or None,
        ),
    )
    appeals, order = ordered(appeals, filters.order, unit=filters.unit)
    page = keyset_paginate(
        appeals.select_related("policy"), order=order, cursor=filters.cursor, limit=filters.limit
    )
    audit_list_page(
        request=request,
        actor=api_user(request),
        listing="appeals",
        cursor=filters.cursor,
        rows=len(page.items),
    )
    return {"items": [_out(a) for a in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/appeals/suggestions",
    response=responses(SuggestionsOut, 403),
    summary="Category and lead unit suggestions for a text being registered",
)
def suggest_for_text(request: HttpRequest, payload: SuggestIn) -> Any:
    """The registration form asks while the title and description are typed; nothing is stored."""
    require_role(api_user(request), *REGISTER_ROLES)
    return text_suggestions(
        title=payload.title, description=payload.description, region_code=payload.region_code
    )


@router.get("/appeals/{appeal_id}", response=responses(AppealDetail, 404), summary="One appeal")
def get_appeal(request: HttpRequest, appeal_id: int) -> dict[str, Any]:
    """The reporter is masked; `allowed_actions` lists what the user may do now."""
    user = api_user(request)
    appeal = access_appeal(user, appeal_id)
    registered = appeal.status == AppealStatus.REGISTERED
    return appeal_detail_out(
        appeal,
        now=timezone.now(),
        tasks=list(appeal_tasks(appeal)),
        actions=allowed_actions(user, appeal),
        routing=routing_suggest(appeal=appeal) if registered else None,
        pending=appeal.extensions.filter(status=ExtensionStatus.PENDING).first(),
    )


@router.get(
    "/appeals/{appeal_id}/suggestions",
    response=responses(SuggestionsOut, 404),
    summary="Category and lead unit suggestions (top 3, with confidence)",
)
def suggestions(request: HttpRequest, appeal_id: int) -> Any:
    """From the text models; empty lists when none is sure enough. The dispatcher decides."""
    return appeal_suggestions(appeal=access_appeal(api_user(request), appeal_id))


@router.get(
    "/appeals/{appeal_id}/events", response=responses(list[EventOut], 404), summary="The appeal's timeline"
)
def list_events(request: HttpRequest, appeal_id: int) -> QuerySet[Any]:
    return appeal_timeline(access_appeal(api_user(request), appeal_id))


@router.get(
    "/appeals/{appeal_id}/similar",
    response=responses(SimilarOut, 404),
    summary="Open or recent appeals of the same county that tell the same problem (duplicates)",
)
def similar_to_appeal(request: HttpRequest, appeal_id: int) -> dict[str, Any]:
    """For triage: each one may be the original this appeal repeats (merge), or a repeat of this one."""
    user = api_user(request)
    appeal = access_appeal(user, appeal_id)
    found = similar_appeals(
        appeals_visible_to(user),
        title=appeal.title,
        description=appeal.description,
        region_code=appeal.region_id,
        category_code=appeal.category.code,
        exclude=appeal.pk,
    )
    return {"items": [similar_out(s) for s in found]}


@router.post(
    "/appeals/{appeal_id}/reveal",
    response=responses(ReporterOut, 403, 404),
    summary="Reveal the reporter's personal data (audited)",
)
def reveal_reporter(request: HttpRequest, appeal_id: int) -> Any:
    """For those who must reply to the citizen; every reveal is written to the audit log."""
    user = api_user(request)
    return appeal_reveal_reporter(appeal=access_appeal(user, appeal_id), actor=user, request=request)


# --- actions (DESIGN §5): each acts on the version the client read ------------------------------------------


def _acting(request: HttpRequest, appeal_id: int) -> tuple[User, Appeal]:
    user = api_user(request)
    return user, access_appeal(user, appeal_id)


@router.post(
    "/appeals/{appeal_id}/assign", response=ACTION, summary="Assign (交办) to a lead unit and co-units"
)
def assign(request: HttpRequest, appeal_id: int, payload: AssignIn) -> dict[str, Any]:
    user, appeal = _acting(request, appeal_id)
    return _out(
        appeal_assign(
            appeal=appeal,
            actor=user,
            expected_version=payload.version,
            lead_unit_id=payload.lead_unit,
            co_unit_ids=payload.co_units,
            policy_code=payload.policy,
        ),
        warn_units=[payload.lead_unit, *payload.co_units],
    )


@router.post("/appeals/{appeal_id}/co-units", response=ACTION, summary="Add or drop co-units (调整配合单位)")
def co_units(request: HttpRequest, appeal_id: int, payload: CoUnitsIn) -> dict[str, Any]:
    """The dispatcher, while the item is worked, with a reason; `warnings` names an added unit without staff."""
    user, appeal = _acting(request, appeal_id)
    changed = appeal_change_co_units(
        appeal=appeal,
        actor=user,
        expected_version=payload.version,
        add=payload.add,
        remove=payload.remove,
        reason=payload.reason,
    )
    return _out(changed, warn_units=payload.add)


@router.post(
    "/appeals/{appeal_id}/reclassify",
    response=ACTION,
    summary="Reclassify (改类): category, kind or risk colour, with a reason",
)
def reclassify(request: HttpRequest, appeal_id: int, payload: ReclassifyIn) -> dict[str, Any]:
    user, appeal = _acting(request, appeal_id)
    return _out(
        appeal_reclassify(
            appeal=appeal,
            actor=user,
            expected_version=payload.version,
            category_code=payload.category,
            kind=payload.kind,
            risk_colour=payload.risk_colour,
            reason=payload.reason,
        )
    )


@router.post("/appeals/{appeal_id}/accept", response=ACTION, summary="Accept (签收) my unit's task")
def accept(request: HttpRequest, appeal_id: int, payload: VersionIn) -> dict[str, Any]:
    user, appeal = _acting(request, appeal_id)
    return _out(appeal_accept(appeal=appeal, actor=user, expected_version=payload.version))


@router.post("/appeals/{appeal_id}/return", response=ACTION, summary="Return (退回) a mis-assigned task")
def return_(request: HttpRequest, appeal_id: int, payload: ReasonIn) -> dict[str, Any]:
    user, appeal = _acting(request, appeal_id)
    return _out(
        appeal_return(appeal=appeal, actor=user, expected_version=payload.version, reason=payload.reason)
    )


@router.post("/appeals/{appeal_id}/extend", response=ACTION, summary="Request an extension (延期)")
def extend(request: HttpRequest, appeal_id: int, payload: ExtendIn) -> dict[str, Any]:
    user, appeal = _acting(request, appeal_id)
    extension = appeal_request_extension(
        appeal=appeal, actor=user, expected_version=payload.version, days=payload.days, reason=payload.reason
    )
    return _out(extension.appeal)


@router.post(
    "/appeals/{appeal_id}/approve-extension", response=ACTION, summary="Approve the pending extension"
)
def approve_extension(request: HttpRequest, appeal_id: int, payload: DecisionIn) -> dict[str, Any]:
    user, appeal = _acting(request, appeal_id)
    return _out(
        appeal_decide_extension(
            appeal=appeal, actor=user, expected_version=payload.version, approve=True, note=payload.note
        )
    )


@router.post("/appeals/{appeal_id}/deny-extension", response=ACTION, summary="Deny the pending extension")
def deny_extension(request: HttpRequest, appeal_id: int, payload: DecisionIn) -> dict[str, Any]:
    user, appeal = _acting(request, appeal_id)
    return _out(
        appeal_decide_extension(
            appeal=appeal, actor=user, expected_version=payload.version, approve=False, note=payload.note
        )
    )


@router.post("/appeals/{appeal_id}/note", response=ACTION, summary="Add a progress note (办理进展)")
def note(request: HttpRequest, appeal_id: int, payload: NoteIn) -> dict[str, Any]:
    user, appeal = _acting(request, appeal_id)
    return _out(appeal_note(appeal=appeal, actor=user, expected_version=payload.version, text=payload.text))


@router.post(
    "/appeals/{appeal_id}/resolve",
    response=ACTION,
    summary="Resolve (办结): a co-unit files its report, the lead unit the result and reply",
)
def resolve(request: HttpRequest, appeal_id: int, payload: ResolveIn) -> dict[str, Any]:
    user, appeal = _acting(request, appeal_id)
    return _out(
        appeal_resolve(appeal=appeal, actor=user, expected_version=payload.version, reply=payload.reply)
    )


@router.post(
    "/appeals/{appeal_id}/approve-reply", response=ACTION, summary="Approve the reply (审核通过): resolved"
)
def approve_reply(request: HttpRequest, appeal_id: int, payload: VersionIn) -> dict[str, Any]:
    """The lead unit's head; the item counts as resolved as of the handler's reply."""
    user, appeal = _acting(request, appeal_id)
    return _out(appeal_approve_reply(appeal=appeal, actor=user, expected_version=payload.version))


@router.post(
    "/appeals/{appeal_id}/reject-reply",
    response=ACTION,
    summary="Send the reply back (审核退回) with a reason",
)
def reject_reply(request: HttpRequest, appeal_id: int, payload: ReasonIn) -> dict[str, Any]:
    user, appeal = _acting(request, appeal_id)
    return _out(
        appeal_reject_reply(
            appeal=appeal, actor=user, expected_version=payload.version, reason=payload.reason
        )
    )


@router.post(
    "/appeals/{appeal_id}/resolve-on-site", response=ACTION, summary="Resolve on site (就地化解) unassigned"
)
def resolve_on_site(request: HttpRequest, appeal_id: int, payload: ResolveIn) -> dict[str, Any]:
    user, appeal = _acting(request, appeal_id)
    return _out(
        appeal_resolve_on_site(
            appeal=appeal, actor=user, expected_version=payload.version, reply=payload.reply
        )
    )


@router.post("/appeals/{appeal_id}/callback", response=ACTION, summary="Record a callback (回访)")
def callback(request: HttpRequest, appeal_id: int, payload: CallbackIn) -> dict[str, Any]:
    """Satisfied or basically satisfied closes the appeal; unsatisfied waits for the dispatcher."""
    user, appeal = _acting(request, appeal_id)
    return _out(
        appeal_callback(
            appeal=appeal,
            actor=user,
            expected_version=payload.version,
            solved=payload.solved,
            satisfaction=payload.satisfaction,
            method=payload.method,
            note=payload.note,
        )
    )


@router.post(
    "/appeals/{appeal_id}/reopen", response=ACTION, summary="Reopen (重办) after an unsatisfied callback"
)
def reopen(request: HttpRequest, appeal_id: int, payload: ReasonIn) -> dict[str, Any]:
    user, appeal = _acting(request, appeal_id)
    return _out(
        appeal_reopen(appeal=appeal, actor=user, expected_version=payload.version, reason=payload.reason)
    )


@router.post("/appeals/{appeal_id}/merge", response=ACTION, summary="Merge (合并) into the appeal it repeats")
def merge(request: HttpRequest, appeal_id: int, payload: MergeIn) -> dict[str, Any]:
    """The target must be visible to the user too; one outside the scope is answered like a missing one."""
    user, appeal = _acting(request, appeal_id)
    into = access_appeal(user, payload.into)
    return _out(appeal_merge(appeal=appeal, actor=user, expected_version=payload.version, into=into))


@router.post("/appeals/{appeal_id}/reject", response=ACTION, summary="Reject (不予受理) with a reason")
def reject(request: HttpRequest, appeal_id: int, payload: RejectIn) -> dict[str, Any]:
    user, appeal = _acting(request, appeal_id)
    return _out(
        appeal_reject(appeal=appeal, actor=user, expected_version=payload.version, reason=payload.reason)
    )


@router.post("/appeals/{appeal_id}/close", response=ACTION, summary="Close (销号) a resolved appeal")
def close(request: HttpRequest, appeal_id: int, payload: CloseIn) -> dict[str, Any]:
    user, appeal = _acting(request, appeal_id)
    return _out(
        appeal_close(appeal=appeal, actor=user, expected_version=payload.version, reason=payload.reason)
    )


@router.post("/appeals/{appeal_id}/supervise", response=ACTION, summary="Issue a supervision order (督办)")
def supervise(request: HttpRequest, appeal_id: int, payload: SuperviseIn) -> dict[str, Any]:
    user, appeal = _acting(request, appeal_id)
    order = appeal_supervise(
        appeal=appeal, actor=user, expected_version=payload.version, reason=payload.reason, days=payload.days
    )
    return _out(order.appeal)


# --- notifications ------------------------------------------------------------------------------------------


@router.get(
    "/notifications",
    response=responses(Page[NotificationOut]),
    tags=["notifications"],
    summary="My notifications, newest first",
)
def list_notifications(request: HttpRequest, filters: Query[NotificationFilters]) -> dict[str, Any]:
    notifications = Notification.objects.filter(user=api_user(request)).select_related("appeal")
    if filters.unread is not None:
        notifications = notifications.filter(read_at__isnull=filters.unread)
    page = keyset_paginate(
        notifications, order=["-created_at", "-id"], cursor=filters.cursor, limit=filters.limit
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get(
    "/notifications/unread-count",
    response=responses(CountOut),
    tags=["notifications"],
    summary="How many of my notifications are unread",
)
def count_unread(request: HttpRequest) -> dict[str, int]:
    return {"count": unread_count(api_user(request).pk)}


@router.post(
    "/notifications/read",
    response=responses(UpdatedOut),
    tags=["notifications"],
    summary="Mark my notifications read",
)
def mark_read(request: HttpRequest, payload: NotificationsReadIn) -> dict[str, int]:
    """Ids that are not the user's own, or already read, are left alone and not counted."""
    return {
        "updated": notifications_mark_read(user_id=api_user(request).pk, ids=payload.ids, every=payload.all)
    }
