"""Which deadline policy an appeal gets, and the deadlines it yields."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from appeals.models import Appeal, AppealKind, DeadlinePolicy, RiskColour
from core.errors import InvalidInput
from core.workcalendar import Clock, deadline_after

# DESIGN §5: the preset for an item when neither the dispatcher nor its category names one.
KIND_POLICY = {
    AppealKind.REQUEST: "request",
    AppealKind.SUGGESTION: "request",
    AppealKind.INQUIRY: "inquiry",
    AppealKind.TIP: "complaint",
    AppealKind.DISPUTE: "request",
}
RED_DISPUTE_POLICY = "urgent"


def policy_for(*, appeal: Appeal, code: str | None = None) -> DeadlinePolicy:
    """The named policy, else the category's, else the preset for the kind (a red dispute is urgent)."""
    if code:
        policy = DeadlinePolicy.objects.filter(code=code, is_active=True).first()
        if policy is None:
            raise InvalidInput("办理时限不存在", code="unknown_policy", details={"policy": "办理时限不存在"})
        return policy
    if appeal.kind == AppealKind.DISPUTE and appeal.risk_colour == RiskColour.RED:
        fallback = RED_DISPUTE_POLICY
    else:
        fallback = KIND_POLICY[AppealKind(appeal.kind)]
    category = appeal.category
    for candidate in (category.default_policy, category.parent.default_policy if category.parent else None):
        if candidate is not None and candidate.is_active and fallback != RED_DISPUTE_POLICY:
            return candidate
    return DeadlinePolicy.objects.get(code=fallback)


@dataclass(frozen=True)
class Deadlines:
    sign_due: datetime
    resolve_due: datetime
    escalate_due: datetime


def escalate_after(resolve_due: datetime) -> datetime:
    """The end of the grace period after the resolve deadline (DESIGN §5: 5 working days by default)."""
    return deadline_after(resolve_due, settings.APPEAL_ESCALATION_GRACE_DAYS, Clock.WORKING_DAYS)


def deadlines_from(*, policy: DeadlinePolicy, start: datetime) -> Deadlines:
    resolve_due = deadline_after(start, policy.resolve_amount, Clock(policy.resolve_clock))
    return Deadlines(
        sign_due=deadline_after(start, policy.sign_amount, Clock(policy.sign_clock)),
        resolve_due=resolve_due,
        escalate_due=escalate_after(resolve_due),
    )
