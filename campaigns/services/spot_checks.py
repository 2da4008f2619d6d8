"""抽查回访: a supervisor draws a random sample of one unit's visits in a campaign and calls the households back.

Only supervisors (and administrators) whose scope covers the unit's region draw samples and record call-backs.
A unit's visits are those its members (org.Membership) recorded in the campaign. Sampling and call-back results
hold no personal data of citizens, so they are not written to the audit log; the household contact a visitor
may have recorded is, and only its drawer sees it in full, through an audited reveal.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from appeals.models import Satisfaction
from campaigns.models import Campaign, SpotCheck, SpotCheckItem, SpotCheckOutcome, Visit
from campaigns.permissions import SPOT_CHECK_ROLES
from core.audit import audit_record
from core.errors import DomainError, Forbidden, InvalidInput, NotFound
from core.models import AuditEvent
from org.models import Membership, Unit, User
from org.permissions import user_scope

MIN_SAMPLE, MAX_SAMPLE = 1, 200
RECORDED_OUTCOMES = (SpotCheckOutcome.CONFIRMED, SpotCheckOutcome.DENIED, SpotCheckOutcome.UNREACHABLE)


def _require_checker(actor: User, unit: Unit) -> None:
    """403 for a role that never draws or records; 404 for a unit outside the supervisor's regions."""
    scope = user_scope(actor)
    if not scope.holds(*SPOT_CHECK_ROLES):
        raise Forbidden("只有督查员可以抽查回访")
    if not scope.covers(unit.region_id, *SPOT_CHECK_ROLES):
        raise NotFound("单位不存在")


def unit_visits(*, campaign: Campaign, unit: Unit) -> QuerySet[Visit]:
    """The visits the unit's members recorded in the campaign."""
    members = Membership.objects.filter(unit=unit).values("user")
    return Visit.objects.filter(campaign=campaign, visitor__in=members)


@transaction.atomic
def spot_check_draw(
    *, actor: User, campaign: Campaign, unit: Unit, size: int, now: datetime | None = None
) -> SpotCheck:
    """A uniformly random sample of `size` of the unit's visits in the campaign, each to be called back."""
    _require_checker(actor, unit)
    if not MIN_SAMPLE <= size <= MAX_SAMPLE:
        raise InvalidInput(
            f"抽查数量应在{MIN_SAMPLE}至{MAX_SAMPLE}之间",
            code="invalid_input",
            details={"size": f"应在{MIN_SAMPLE}至{MAX_SAMPLE}之间"},
        )
    visits = unit_visits(campaign=campaign, unit=unit)
    population = visits.count()
    if population == 0:
        raise InvalidInput(
            "该单位在本次走访活动中还没有走访记录", code="no_visits", details={"unit": "没有可抽查的走访记录"}
        )
    sample = list(visits.order_by("?").values_list("id", flat=True)[:size])
    check = SpotCheck.objects.create(
        campaign=campaign, unit=unit, drawn_by=actor, population=population, sample_size=len(sample)
    )
    if now is not None:
        SpotCheck.objects.filter(pk=check.pk).update(created_at=now)
        check.created_at = now
    SpotCheckItem.objects.bulk_create(SpotCheckItem(spot_check=check, visit_id=pk) for pk in sorted(sample))
    return check


@transaction.atomic
def spot_check_record(
    *,
    actor: User,
    item: SpotCheckItem,
    outcome: str,
    satisfaction: str = "",
    note: str = "",
    now: datetime | None = None,
) -> SpotCheckItem:
    """What the household said when called back; the supervisor who recorded it may correct it later."""
    locked = SpotCheckItem.objects.select_for_update().select_related("spot_check__unit").get(pk=item.pk)
    _require_checker(actor, locked.spot_check.unit)
    problems: dict[str, str] = {}
    if outcome not in RECORDED_OUTCOMES:
        problems["outcome"] = "请选择：确认走访、否认走访或无法联系"
    if satisfaction and satisfaction not in Satisfaction.values:
        problems["satisfaction"] = "满意度无效"
    elif satisfaction and outcome != SpotCheckOutcome.CONFIRMED:
        problems["satisfaction"] = "只有群众确认走访时才能填写满意度"
    if len(note) > 1000:
        problems["note"] = "备注最多1000字"
    if problems:
        raise InvalidInput(next(iter(problems.values())), code="invalid_input", details=problems)
    if locked.checked_by_id is not None and locked.checked_by_id != actor.pk:
        raise DomainError("该回访结果已由其他督查员登记", code="already_recorded")
    locked.outcome, locked.satisfaction, locked.note = outcome, satisfaction, note.strip()
    locked.checked_by, locked.checked_at = actor, now or timezone.now()
    locked.save(update_fields=["outcome", "satisfaction", "note", "checked_by", "checked_at"])
    return locked


@dataclass(frozen=True)
class HouseholdContact:
    name: str
    phone: str


def spot_check_reveal_contact(
    *, actor: User, item: SpotCheckItem, request: HttpRequest | None = None
) -> HouseholdContact:
    """The household contact of a sampled visit in full, for the supervisor who drew the spot-check only (anyone
    else: 404, as for a missing item); every reveal is written to the audit log."""
    check = item.spot_check
    visit = item.visit
    if check.drawn_by_id != actor.pk or not (visit.household_name or visit.household_phone):
        raise NotFound("联系人不存在")
    audit_record(
        action=AuditEvent.Action.PERSONAL_DATA_REVEALED,
        actor=actor,
        request=request,
        target=visit,
        data={"what": "household_contact", "spot_check": check.pk, "item": item.pk},
    )
    return HouseholdContact(name=visit.household_name, phone=visit.household_phone)
