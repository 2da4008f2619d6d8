"""The appeal page: header, reporter (masked, revealed on request), the units' parts, the timeline and
the forms of exactly the actions the person may take now; each action calls its one service."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from appeals.forms import (
    AcceptForm,
    ActionForm,
    AssignForm,
    CallbackForm,
    CloseForm,
    CoUnitsForm,
    DecideExtensionForm,
    ExtendForm,
    MergeForm,
    NoteForm,
    ReasonForm,
    ReclassifyForm,
    ReplyForm,
    SuperviseForm,
)
from appeals.models import (
    ACTIVE_STATUSES,
    OPEN_TASK_STATUSES,
    Appeal,
    AppealEvent,
    AppealKind,
    AppealSource,
    AppealStatus,
    Callback,
    Category,
    DeadlinePolicy,
    ExtensionStatus,
    RiskColour,
    Satisfaction,
    TaskRole,
    TaskStatus,
)
from appeals.permissions import (
    Action,
    access_appeal,
    allowed_actions,
    appeals_visible_to,
    check_action,
    co_units_waited_for,
    may_reveal,
)
from appeals.selectors import appeal_tasks, appeal_timeline, similar_appeals, staffless_warnings
from appeals.services import (
    Reporter,
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
    reply_quality,
)
from appeals.views.countdowns import countdown, countdown_formats
from core.errors import DomainError, InvalidInput, NotFound
from core.masking import mask_id_number, mask_name, mask_phone
from core.web import add_details, request_user
from geo.models import Region, ancestor_codes
from org.models import Unit, User
from org.permissions import user_scope


@dataclass(frozen=True)
class ActionSpec:
    label: Promise
    form: type[ActionForm]
    done: Promise
    confirm: Promise | None = None


ACTIONS: dict[str, ActionSpec] = {
    Action.ASSIGN: ActionSpec(_("Assign"), AssignForm, _("The appeal was assigned.")),
    Action.ACCEPT: ActionSpec(_("Accept"), AcceptForm, _("Accepted: the appeal is now in your unit's work.")),
    Action.RETURN: ActionSpec(
        _("Return"), ReasonForm, _("The appeal was returned."), _("Return this appeal to the dispatcher?")
    ),
    Action.EXTEND: ActionSpec(_("Request an extension"), ExtendForm, _("The extension was requested.")),
    Action.APPROVE_EXTENSION: ActionSpec(
        _("Approve the extension"), DecideExtensionForm, _("The extension was approved.")
    ),
    Action.DENY_EXTENSION: ActionSpec(
        _("Deny the extension"), DecideExtensionForm, _("The extension was denied.")
    ),
    Action.NOTE: ActionSpec(_("Add a progress note"), NoteForm, _("The note was added.")),
    Action.RESOLVE: ActionSpec(_("Resolve"), ReplyForm, _("The result was filed.")),
    Action.RESOLVE_ON_SITE: ActionSpec(
        _("Resolve on the spot"), ReplyForm, _("Recorded as resolved on the spot.")
    ),
    Action.CALLBACK: ActionSpec(_("Record a callback"), CallbackForm, _("The callback was recorded.")),
    Action.REOPEN: ActionSpec(_("Reopen"), ReasonForm, _("The appeal was reopened.")),
    Action.MERGE: ActionSpec(
        _("Merge as a duplicate"),
        MergeForm,
        _("The appeal was merged."),
        _("Merge this appeal into the other one?"),
    ),
    Action.REJECT: ActionSpec(
        _("Reject"),
        ReasonForm,
        _("The appeal was rejected."),
        _("Reject this appeal as not within the remit?"),
    ),
    Action.CLOSE: ActionSpec(_("Close"), CloseForm, _("The appeal was closed."), _("Close this appeal?")),
    Action.SUPERVISE: ActionSpec(
        _("Issue a supervision order"), SuperviseForm, _("The supervision order was issued.")
    ),
    Action.APPROVE_REPLY: ActionSpec(
        _("Approve the reply"),
        AcceptForm,
        _("The reply was approved: the appeal is resolved."),
        _("Approve this reply to the citizen?"),
    ),
    Action.REJECT_REPLY: ActionSpec(
        _("Send the reply back"), ReasonForm, _("The reply was sent back to the handler.")
    ),
    Action.RECLASSIFY: ActionSpec(_("Reclassify"), ReclassifyForm, _("The appeal was reclassified.")),
    Action.CO_UNITS: ActionSpec(_("Change co-units"), CoUnitsForm, _("The co-units were changed.")),
}


def _auto_id(action: str) -> str:
    """Field ids per action: the page holds several forms with a `reason` field."""
    return f"id_{action.replace('-', '_')}_%s"


def _perform(action: str, form: ActionForm, appeal: Appeal, actor: User) -> None:
    """Call the one service behind `action` with the form's data."""
    d = form.cleaned_data
    common: dict[str, Any] = {"appeal": appeal, "actor": actor, "expected_version": d["version"]}
    if action == Action.ASSIGN:
        appeal_assign(
            **common, lead_unit_id=d["lead_unit"], co_unit_ids=d["co_units"], policy_code=d["policy"] or None
        )
    elif action == Action.ACCEPT:
        appeal_accept(**common)
    elif action == Action.RETURN:
        appeal_return(**common, reason=d["reason"])
    elif action == Action.EXTEND:
        appeal_request_extension(**common, days=d["days"], reason=d["reason"])
    elif action in (Action.APPROVE_EXTENSION, Action.DENY_EXTENSION):
        appeal_decide_extension(**common, approve=action == Action.APPROVE_EXTENSION, note=d["note"])
    elif action == Action.NOTE:
        appeal_note(**common, text=d["text"])
    elif action == Action.RESOLVE:
        appeal_resolve(**common, reply=d["reply"])
    elif action == Action.RESOLVE_ON_SITE:
        appeal_resolve_on_site(**common, reply=d["reply"])
    elif action == Action.CALLBACK:
        appeal_callback(
            **common, solved=d["solved"], satisfaction=d["satisfaction"], method=d["method"], note=d["note"]
        )
    elif action == Action.REOPEN:
        appeal_reopen(**common, reason=d["reason"])
    elif action == Action.MERGE:
        appeal_merge(**common, into=d["into"])
    elif action == Action.REJECT:
        appeal_reject(**common, reason=d["reason"])
    elif action == Action.CLOSE:
        appeal_close(**common, reason=d["reason"])
    elif action == Action.SUPERVISE:
        appeal_supervise(**common, reason=d["reason"], days=d["days"])
    elif action == Action.APPROVE_REPLY:
        appeal_approve_reply(**common)
    elif action == Action.REJECT_REPLY:
        appeal_reject_reply(**common, reason=d["reason"])
    elif action == Action.RECLASSIFY:
        appeal_reclassify(
            **common,
            category_code=d["category"],
            kind=d["kind"],
            risk_colour=d["risk_colour"],
            reason=d["reason"],
        )
    elif action == Action.CO_UNITS:
        appeal_change_co_units(**common, add=d["add"], remove=d["remove"], reason=d["reason"])
    else:  # pragma: no cover - ACTIONS and this dispatch list the same actions
        raise NotFound("没有这个操作", code="unknown_action")


def _units_given(action: str, form: ActionForm) -> list[int]:
    """The units an assignment or a change of co-units gave a part to."""
    d = form.cleaned_data
    if action == Action.ASSIGN:
        return [d["lead_unit"], *d["co_units"]]
    if action == Action.CO_UNITS:
        return list(d["add"])
    return []


@dataclass(frozen=True)
class Detail:
    label: Promise | str
    text: str
    url: str | None = None


@dataclass(frozen=True)
class TimelineEntry:
    event: AppealEvent
    details: list[Detail] = field(default_factory=list)


# The keys an event's data may carry, in the order they are shown; others are shown under their own name.
DETAIL_LABELS: dict[str, Promise | str] = {
    "lead_unit": _("Lead unit"),
    "co_units": _("Co-units"),
    "policy": _("Deadline policy"),
    "sign_due": _("Sign due"),
    "resolve_due": _("Resolve due"),
    "old_resolve_due": _("Previous resolve due"),
    "days": _("Days"),
    "reason": _("Reason"),
    "text": _("Note"),
    "reply": _("Reply to the citizen"),
    "report": pgettext_lazy("co-unit's part", "Opinion"),
    "from": _("Before"),
    "to": _("After"),
    "added": _("Co-units added"),
    "removed": _("Co-units dropped"),
    "approved": _("Approved by the unit head"),
    "note": _("Note"),
    "solved": _("Solved"),
    "satisfaction": _("Satisfaction"),
    "method": _("Method"),
    "closed": _("Closed"),
    "on_time": _("On time"),
    "role": _("Role"),
    "source": _("Source"),
    "due": _("Reply due"),
    "code": _("Tracking code"),
}
# Internal references that the page shows another way (the code links to the other appeal).
HIDDEN_DETAILS = {"request", "into", "duplicate"}
DATETIME_DETAILS = {"sign_due", "resolve_due", "old_resolve_due", "due"}
CHOICE_DETAILS: dict[str, Any] = {
    "satisfaction": Satisfaction,
    "method": Callback.Method,
    "role": TaskRole,
    "source": AppealSource,
}


def _local(value: datetime) -> str:
    return formats.date_format(timezone.localtime(value), "Y-m-d H:i")


def _detail_text(key: str, value: Any, units: dict[int, str], policies: dict[str, str]) -> str:
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if key == "lead_unit":
        return units.get(value, f"#{value}")
    if key in ("co_units", "added", "removed"):
        return "、".join(units.get(uid, f"#{uid}") for uid in value)
    if key in ("from", "to") and isinstance(value, dict):
        return "；".join(
            f"{CLASSIFICATION_LABELS.get(k, k)}：{_classification_text(k, v)}" for k, v in value.items()
        )
    if key == "policy":
        return policies.get(value, str(value))
    if key in DATETIME_DETAILS and isinstance(value, str):
        try:
            return _local(datetime.fromisoformat(value))
        except ValueError:
            return value
    if key in CHOICE_DETAILS:
        try:
            return str(CHOICE_DETAILS[key](value).label)
        except ValueError:
            return str(value)
    return str(value)


CLASSIFICATION_LABELS: dict[str, Promise] = {
    "category": _("Category"),
    "kind": _("Kind"),
    "risk_colour": _("Risk colour"),
}


def _classification_text(key: str, value: str) -> str:
    """A category code, kind or risk colour of a reclassification, in words."""
    if not value:
        return gettext("none")
    if key == "category":
        category = Category.objects.filter(code=value).select_related("parent").first()
        return str(category) if category else value
    choices = {"kind": AppealKind, "risk_colour": RiskColour}[key]
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _timeline(appeal: Appeal) -> list[TimelineEntry]:
    """The events with their data in words: unit and policy names, local times, labels for choices."""
    events = list(appeal_timeline(appeal))
    unit_ids: set[int] = set()
    for event in events:
        if isinstance(event.data.get("lead_unit"), int):
            unit_ids.add(event.data["lead_unit"])
        for key in ("co_units", "added", "removed"):
            unit_ids.update(uid for uid in event.data.get(key) or [] if isinstance(uid, int))
    units = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name")) if unit_ids else {}
    policies = dict(DeadlinePolicy.objects.values_list("code", "name"))
    entries = []
    for event in events:
        data = event.data or {}
        keys: list[str] = [k for k in DETAIL_LABELS if k in data] + [
            k for k in data if k not in DETAIL_LABELS and k not in HIDDEN_DETAILS
        ]
        details = []
        for key in keys:
            value = data[key]
            if value is None or value == "" or value == []:
                continue
            url = None
            if key == "code":
                other = data.get("into") or data.get("duplicate")
                url = reverse("appeals:detail", args=[other]) if isinstance(other, int) else None
            label = DETAIL_LABELS.get(key, key)
            details.append(Detail(label=label, text=_detail_text(key, value, units, policies), url=url))
        entries.append(TimelineEntry(event=event, details=details))
    return entries


@dataclass(frozen=True)
class ActionPanel:
    action: str
    label: Promise
    form: ActionForm
    url: str
    confirm: Promise | None
    # True when the form has nothing to fill in: shown as a single button.
    bare: bool


@dataclass(frozen=True)
class VisitLink:
    """The visit an appeal was raised on, with its photos, for those who may see that visit."""

    url: str
    started_at: datetime
    place: str
    photos: list[str]


def _visit_link(user: User, appeal: Appeal) -> VisitLink | None:
    """campaigns.VisitProblem links a visit to the appeal it became. The appeals app reads it through the
    relation alone (campaigns lies above appeals, DESIGN §8); a visit is visible where its village lies in the
    user's regions, the rule of campaigns.permissions.visits_visible_to."""
    try:
        visit = appeal.visit_link.visit
    except ObjectDoesNotExist:
        return None
    scope = user_scope(user)
    if not (scope.everything or any(visit.region_id.startswith(p) for p in scope.prefixes)):
        return None
    return VisitLink(
        url=reverse("campaigns:visit", kwargs={"visit_id": visit.pk}),
        started_at=visit.started_at,
        place=visit.region.name,
        photos=[
            reverse("campaigns:photo", kwargs={"photo_uuid": p.uuid}) for p in visit.photos.order_by("id")
        ],
    )


def _citizen_photos(appeal: Appeal) -> list[str]:
    """Photos the citizen sent with a portal submission (portal.PortalPhoto), read through the relation alone as
    the visit above (portal lies above appeals); whoever sees the appeal sees them."""
    return [
        reverse("portal:photo", kwargs={"photo_uuid": p.uuid}) for p in appeal.portal_photos.order_by("id")
    ]


def _region_path(region: Region) -> str:
    """县 乡 村 of the appeal's region (the prefecture and province go without saying)."""
    codes = ancestor_codes(region.code)
    names = dict(
        Region.objects.filter(code__in=codes, level__gte=Region.Level.COUNTY).values_list("code", "name")
    )
    return " ".join(names[code] for code in reversed(codes) if code in names)


def _similar(user: User, appeal: Appeal) -> list[Any]:
    """Open or recent appeals of the county that tell the same problem: candidates for a merge (合并)."""
    return similar_appeals(
        appeals_visible_to(user),
        title=appeal.title,
        description=appeal.description,
        region_code=appeal.region_id,
        category_code=appeal.category.code,
        exclude=appeal.pk,
        limit=5,
    )


def _detail_response(
    request: HttpRequest,
    appeal: Appeal,
    *,
    bound: dict[str, ActionForm] | None = None,
    revealed: Reporter | None = None,
    preview: str | None = None,
) -> HttpResponse:
    user = request_user(request)
    now = timezone.now()
    actions = allowed_actions(user, appeal, now=now)
    # Triage: the text models' guesses beside the dispatcher's choice; approval: the reply's score.
    triage = appeal.status == AppealStatus.REGISTERED and (
        Action.ASSIGN in actions or Action.RECLASSIFY in actions
    )
    approving = Action.APPROVE_REPLY in actions and bool(appeal.reply)
    panels = []
    for action in actions:
        spec = ACTIONS[action]
        form = (bound or {}).get(action) or spec.form(user=user, appeal=appeal, auto_id=_auto_id(action))
        panels.append(
            ActionPanel(
                action=action,
                label=spec.label,
                form=form,
                url=reverse("appeals:action", args=[appeal.pk, action]),
                confirm=spec.confirm,
                bare=not form.visible_fields(),
            )
        )
    active = appeal.status in ACTIVE_STATUSES
    tasks = list(appeal_tasks(appeal))
    lead_to_accept = any(t.role == TaskRole.LEAD and t.status == TaskStatus.ASSIGNED for t in tasks)
    reporter = {
        "name": mask_name(appeal.reporter_name),
        "phone": mask_phone(appeal.reporter_phone),
        "id_number": mask_id_number(appeal.reporter_id_number),
    }
    context = {
        "appeal": appeal,
        "region_path": _region_path(appeal.region),
        "task_rows": [
            (t, countdown(t.resolve_due, now) if t.status in OPEN_TASK_STATUSES else None) for t in tasks
        ],
        "pending_extension": appeal.extensions.filter(status=ExtensionStatus.PENDING)
        .select_related("requested_by", "task__unit")
        .first(),
        "timeline": _timeline(appeal),
        "panels": panels,
        "reporter": reporter,
        "revealed": revealed,
        "may_reveal": not appeal.anonymous and revealed is None and may_reveal(user, appeal),
        "sign_countdown": countdown(appeal.sign_due, now) if active and lead_to_accept else None,
        "resolve_countdown": countdown(appeal.resolve_due, now) if active else None,
        "duplicates": list(appeals_visible_to(user).filter(duplicate_of=appeal).only("pk", "code", "title")),
        "similar": []
        if appeal.status in (AppealStatus.MERGED, AppealStatus.CLOSED)
        else _similar(user, appeal),
        "may_merge": Action.MERGE in actions,
        "countdown_formats": countdown_formats(),
        "visit": _visit_link(user, appeal),
        "suggestions": appeal_suggestions(appeal=appeal) if triage else None,
        "reply_score": reply_quality(appeal=appeal, reply=appeal.reply, at=appeal.resolved_at or now)
        if approving
        else None,
        "reply_preview": reply_quality(appeal=appeal, reply=preview, at=now) if preview else None,
        "citizen_photos": _citizen_photos(appeal),
        "waiting_for": co_units_waited_for(tasks, now=now)
        if any(t.role == TaskRole.LEAD and t.status == TaskStatus.ACCEPTED for t in tasks)
        else [],
    }
    response = render(request, "appeals/detail.html", context)
    if revealed is not None:
        # The full personal data must not stay in a browser's or a proxy's cache.
        response["Cache-Control"] = "no-store"
    return response


@login_required
def appeal_detail(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """The appeal page: header, reporter (masked), units' parts, timeline and the actions allowed now."""
    appeal = access_appeal(request_user(request), appeal_id)
    return _detail_response(request, appeal)


@login_required
@require_POST
def appeal_action(request: HttpRequest, appeal_id: int, action: str) -> HttpResponse:
    """One workflow action: the service decides; the page says what happened (redirect after post)."""
    user = request_user(request)
    appeal = access_appeal(user, appeal_id)
    spec = ACTIONS.get(action)
    if spec is None:
        raise NotFound("没有这个操作", code="unknown_action")
    form = spec.form(request.POST, user=user, appeal=appeal, auto_id=_auto_id(action))
    if not form.is_valid():
        try:
            check_action(action, user=user, appeal=appeal)
        except DomainError as exc:
            # The form is not on the page any more (someone acted meanwhile): say why instead.
            messages.error(request, exc.message)
            return redirect("appeals:detail", appeal_id=appeal.pk)
        return _detail_response(request, appeal, bound={action: form})
    if action in (Action.RESOLVE, Action.RESOLVE_ON_SITE) and "preview" in request.POST:
        # 检查答复质量: the handler sees the reply's score and reasons before filing it; nothing is written.
        return _detail_response(request, appeal, bound={action: form}, preview=form.cleaned_data["reply"])
    try:
        _perform(action, form, appeal, user)
    except InvalidInput as exc:
        add_details(form, exc, {"units": "lead_unit"})
        return _detail_response(request, appeal, bound={action: form})
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, str(spec.done))
        for warning in staffless_warnings(_units_given(action, form)):
            messages.warning(request, warning)
    return redirect("appeals:detail", appeal_id=appeal.pk)


@login_required
@require_POST
def reveal_reporter(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """The reporter's full data, on this response only; the service writes the audit record."""
    user = request_user(request)
    appeal = access_appeal(user, appeal_id)
    reporter = appeal_reveal_reporter(appeal=appeal, actor=user, request=request)
    return _detail_response(request, appeal, revealed=reporter)
