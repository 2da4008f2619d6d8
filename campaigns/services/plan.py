"""Writes of campaign planning: targets per unit and metric, and responsibilities (包保) for places.

Who plans: administrators, and dispatchers (the campaign office, 指挥中心), each for the units and places in
the region subtree of the unit where they hold that role. Anyone else is refused (403). A unit, place or
responsibility outside the planner's regions is answered like one that does not exist (404), so planning cannot
probe another county. Input that is wrong in itself is refused with 422 and the reason per field; nothing is
written then.

A responsible visitor (包保人) must be able to record visits at the place: a visitor, handler, dispatcher or
unit head whose unit's region subtree holds it (the rule `visit_record` applies when the visit comes in).
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Q, QuerySet

from campaigns.models import Campaign, Enterprise, Metric, Responsibility, Target
from campaigns.permissions import PLAN_ROLES, RECORD_ROLES, may_plan
from core.errors import Forbidden, InvalidInput, NotFound
from geo.models import Region, code_prefix, subtree_bounds
from org.models import Unit, User
from org.permissions import Scope, user_scope

MAX_TARGET = 10_000_000
NOT_PLANNABLE = "只有管理员和调度员可以制定走访计划"


def _require_planner(actor: User) -> Scope:
    if not may_plan(actor):
        raise Forbidden(NOT_PLANNABLE)
    return user_scope(actor)


def visitor_candidates(user: User) -> QuerySet[User]:
    """The people a planner may make responsible: active users holding a visiting role in an active unit of
    the planner's regions."""
    scope = user_scope(user)
    in_regions = Q()
    if not scope.everything:
        prefixes = {grant.prefix for grant in scope.grants if grant.role in PLAN_ROLES}
        in_regions = reduce(
            or_,
            (Q(memberships__unit__region__code__range=subtree_bounds(p)) for p in prefixes),
            Q(pk__in=[]),
        )
    # One filter() call, so that role, unit and region are those of the same membership.
    return (
        User.objects.filter(
            in_regions,
            is_active=True,
            memberships__role__in=RECORD_ROLES,
            memberships__unit__is_active=True,
        )
        .distinct()
        .order_by("full_name", "username", "id")
    )


def _visitor(*, actor: User, visitor_id: int, place_code: str) -> User:
    """The chosen visitor if the planner may choose them and they may record visits at the place."""
    visitor = visitor_candidates(actor).filter(pk=visitor_id).first()
    if visitor is None:
        raise InvalidInput(
            "请选择本辖区内的走访干部", code="invalid_input", details={"visitor": "请选择本辖区内的走访干部"}
        )
    if not user_scope(visitor).covers(place_code, *RECORD_ROLES):
        reason = f"{visitor.get_full_name()}所在单位不负责该地，无法在此登记走访"
        raise InvalidInput(reason, code="invalid_input", details={"visitor": reason})
    return visitor


@transaction.atomic
def target_set(*, actor: User, campaign: Campaign, unit_id: int, metric: str, quantity: int) -> Target | None:
    """Set a unit's target for one metric; a quantity of 0 clears it (returns None)."""
    scope = _require_planner(actor)
    problems: dict[str, str] = {}
    if metric not in Metric.values:
        problems["metric"] = "指标无效"
    if not 0 <= quantity <= MAX_TARGET:
        problems["quantity"] = f"应在0至{MAX_TARGET}之间"
    if problems:
        raise InvalidInput(next(iter(problems.values())), code="invalid_input", details=problems)
    unit = Unit.objects.filter(pk=unit_id, is_active=True).first()
    if unit is None or not scope.covers(unit.region_id, *PLAN_ROLES):
        raise NotFound("单位不存在")
    if quantity == 0:
        Target.objects.filter(campaign=campaign, unit=unit, metric=metric).delete()
        return None
    target, _created = Target.objects.update_or_create(
        campaign=campaign, unit=unit, metric=metric, defaults={"quantity": quantity}
    )
    return target


@transaction.atomic
def responsibility_assign(
    *,
    actor: User,
    campaign: Campaign,
    visitor_id: int,
    place_code: str = "",
    enterprise_id: int | None = None,
) -> Responsibility:
    """Make a visitor responsible (包保) for a village/community or an enterprise; a repeat changes nothing."""
    scope = _require_planner(actor)
    if bool(place_code) == (enterprise_id is not None):
        reason = "请选择村（社区）或企业，二者选一"
        raise InvalidInput(reason, code="invalid_input", details={"place_code": reason})
    enterprise: Enterprise | None = None
    region: Region | None = None
    if place_code:
        region = Region.objects.filter(pk=place_code).first()
        if region is None or not scope.covers(region.code, *PLAN_ROLES):
            raise NotFound("村（社区）不存在")
        if region.level != Region.Level.VILLAGE:
            reason = "包保地点须是村（社区）或企业；整个乡镇请用“按乡镇包保”"
            raise InvalidInput(reason, code="invalid_input", details={"place_code": reason})
        code = region.code
    else:
        assert enterprise_id is not None
        enterprise = Enterprise.objects.filter(pk=enterprise_id, is_active=True).first()
        if enterprise is None or not scope.covers(enterprise.region_id, *PLAN_ROLES):
            raise NotFound("企业不存在")
        code = enterprise.region_id
    visitor = _visitor(actor=actor, visitor_id=visitor_id, place_code=code)
    responsibility, _created = Responsibility.objects.get_or_create(
        campaign=campaign, visitor=visitor, region=region, enterprise=enterprise
    )
    return responsibility


@dataclass(frozen=True)
class TownshipAssignment:
    township: Region
    visitor: User
    created: int
    already: int


@transaction.atomic
def responsibilities_assign_township(
    *, actor: User, campaign: Campaign, visitor_id: int, township_code: str
) -> TownshipAssignment:
    """Make a visitor responsible for every village/community of a township; places already theirs stay."""
    scope = _require_planner(actor)
    township = Region.objects.filter(pk=township_code).first()
    if township is None or not scope.covers(township.code, *PLAN_ROLES):
        raise NotFound("乡镇不存在")
    if township.level != Region.Level.TOWNSHIP:
        reason = "请选择乡镇（街道）"
        raise InvalidInput(reason, code="invalid_input", details={"township": reason})
    visitor = _visitor(actor=actor, visitor_id=visitor_id, place_code=township.code)
    villages = Region.objects.filter(
        code__range=subtree_bounds(code_prefix(township.code, township.level)), level=Region.Level.VILLAGE
    )
    held = set(
        Responsibility.objects.filter(campaign=campaign, visitor=visitor, region__in=villages).values_list(
            "region_id", flat=True
        )
    )
    new = [
        Responsibility(campaign=campaign, visitor=visitor, region_id=code)
        for code in villages.values_list("code", flat=True)
        if code not in held
    ]
    Responsibility.objects.bulk_create(new, batch_size=500)
    return TownshipAssignment(township=township, visitor=visitor, created=len(new), already=len(held))


@transaction.atomic
def responsibility_remove(*, actor: User, campaign: Campaign, responsibility_id: int) -> None:
    """End one responsibility; its visits stay as they were."""
    scope = _require_planner(actor)
    responsibility = (
        Responsibility.objects.select_related("enterprise")
        .filter(pk=responsibility_id, campaign=campaign)
        .first()
    )
    if responsibility is None:
        raise NotFound("包保关系不存在")
    code = responsibility.region_id or (
        responsibility.enterprise.region_id if responsibility.enterprise else ""
    )
    if not scope.covers(code, *PLAN_ROLES):
        raise NotFound("包保关系不存在")
    responsibility.delete()
