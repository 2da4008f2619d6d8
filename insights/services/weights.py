"""Editing the composite score's weights (DESIGN §6: weights editable, per league)."""

from decimal import Decimal, InvalidOperation

from django.db import transaction

from core.errors import InvalidInput
from insights.models import ScoreWeight
from insights.permissions import WEIGHT_ROLES
from insights.selectors.metrics import RATE_KEYS
from insights.selectors.rankings import LEAGUES
from org.models import User
from org.permissions import require_role

MAX_WEIGHT = Decimal(100)


@transaction.atomic
def score_weights_set(*, actor: User, league: str, weights: dict[str, object]) -> dict[str, float]:
    """Store a league's weights (0–100 each, at least one above 0); all or nothing. Admins only."""
    require_role(actor, *WEIGHT_ROLES)
    errors: dict[str, str] = {}
    if league not in LEAGUES:
        errors["league"] = "排名类别不存在"
    parsed: dict[str, Decimal] = {}
    for key, raw in weights.items():
        if key not in RATE_KEYS:
            errors[key] = "不是可计分的指标"
            continue
        try:
            value = Decimal(str(raw)).quantize(Decimal("0.1"))
        except (InvalidOperation, ValueError):
            errors[key] = "应为0到100之间的数"
            continue
        if not Decimal(0) <= value <= MAX_WEIGHT:
            errors[key] = "应为0到100之间的数"
        parsed[key] = value
    if not errors and not any(parsed.values()):
        errors["weights"] = "至少一个指标的权重应大于0"
    if errors:
        raise InvalidInput("权重设置有误", code="invalid_input", details=errors)
    for key, value in parsed.items():
        ScoreWeight.objects.update_or_create(
            league=league, metric=key, defaults={"weight": value, "updated_by": actor}
        )
    return {key: float(value) for key, value in parsed.items()}
