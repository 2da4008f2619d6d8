"""Editing the composite score's weights and the rates' minimum samples (DESIGN §6: editable, per league)."""

from decimal import Decimal, InvalidOperation

from django.db import transaction

from core.errors import InvalidInput
from insights.models import ScoreWeight
from insights.permissions import WEIGHT_ROLES
from insights.selectors.metrics import RATE_KEYS
from insights.selectors.rankings import (
    APPEAL_RATES,
    DEFAULT_MIN_SAMPLE,
    DEFAULT_WEIGHTS,
    LEAGUES,
    MAX_MIN_SAMPLE,
    league_weights,
)
from org.models import User
from org.permissions import require_role

MAX_WEIGHT = Decimal(100)


def _weights(raw: dict[str, object], errors: dict[str, str]) -> dict[str, Decimal]:
    parsed: dict[str, Decimal] = {}
    for key, value in raw.items():
        if key not in RATE_KEYS:
            errors[key] = "不是可计分的指标"
            continue
        try:
            number = Decimal(str(value)).quantize(Decimal("0.1"))
        except (InvalidOperation, ValueError):
            errors[key] = "应为0到100之间的数"
            continue
        if not Decimal(0) <= number <= MAX_WEIGHT:
            errors[key] = "应为0到100之间的数"
        parsed[key] = number
    return parsed


def _min_samples(raw: dict[str, object], errors: dict[str, str]) -> dict[str, int]:
    parsed: dict[str, int] = {}
    for key, value in raw.items():
        name = f"min_samples.{key}"
        if key not in APPEAL_RATES:
            errors[name] = "该指标不按件数计，没有最小样本" if key in RATE_KEYS else "不是可计分的指标"
            continue
        text = str(value).strip()
        if not text.isdigit() or not 1 <= int(text) <= MAX_MIN_SAMPLE:
            errors[name] = f"应为1到{MAX_MIN_SAMPLE}之间的整数"
            continue
        parsed[key] = int(text)
    return parsed


@transaction.atomic
def score_weights_set(
    *,
    actor: User,
    league: str,
    weights: dict[str, object],
    min_samples: dict[str, object] | None = None,
) -> dict[str, float]:
    """Store a league's weights (0–100 each, at least one above 0) and the minimum samples of its appeal-based
    rates (whole numbers 1–1000); all or nothing. Admins only."""
    require_role(actor, *WEIGHT_ROLES)
    errors: dict[str, str] = {}
    if league not in LEAGUES:
        errors["league"] = "排名类别不存在"
    parsed = _weights(weights, errors)
    samples = _min_samples(min_samples or {}, errors)
    if not errors and league in LEAGUES and not any({**league_weights(league), **parsed}.values()):
        errors["weights"] = "至少一个指标的权重应大于0"
    if errors:
        raise InvalidInput("权重设置有误", code="invalid_input", details=errors)
    for key in set(parsed) | set(samples):
        stored = ScoreWeight.objects.filter(league=league, metric=key).first()
        row = stored or ScoreWeight(
            league=league,
            metric=key,
            weight=Decimal(str(DEFAULT_WEIGHTS[key])),
            min_sample=DEFAULT_MIN_SAMPLE,
        )
        row.weight = parsed.get(key, row.weight)
        row.min_sample = samples.get(key, row.min_sample)
        row.updated_by = actor
        if stored is None:
            row.save()
        else:
            row.save(update_fields=["weight", "min_sample", "updated_by", "updated_at"])
    return {key: float(value) for key, value in parsed.items()}
