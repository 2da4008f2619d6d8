"""The text models of the appeals: trained on the deployment's own closed appeals, asked at triage and at
registration for a category and a lead unit (DESIGN §5: the text model suggests, the dispatcher decides).

Three models, versioned under var/models/ (`text.classify` keeps the versions):
- `category`: the category code of an appeal from its title and description (`classify_train` writes the same
  name, so a model trained on other labelled data serves until the deployment has enough of its own; its labels
  may be category codes or names);
- `lead-unit-kind`: the kind of the lead unit (人社, 住建…), resolved to the concrete staffed unit of the
  appeal's region the way routing rules are, so that what a county's appeals teach serves every county;
- `reply`: what the reply-quality score learns from the closed appeals and the replies they got
  (`text.replies.ReplyModel`: the weights of words, the topics shared by appeals and their replies).
"""

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Q

from appeals.models import Appeal, AppealStatus, Category
from appeals.services.routing import routing_rule_for, units_for_kinds
from text.classify import (
    Classifier,
    evaluate,
    latest,
    latest_model_path,
    new_model_path,
    registered_terms,
    save,
    split,
    train,
)
from text.replies import ReplyModel, ReplyScore, load_reply_model, score_reply

logger = logging.getLogger(__name__)

CATEGORY_MODEL = "category"
LEAD_KIND_MODEL = "lead-unit-kind"
REPLY_MODEL = "reply"
# The model's one-vs-rest probability below which a guess is not shown (暂无建议). On the teddy2020 full
# messages (bench/classify.py) 97 % of the texts reach it and 97 % of those shown first are right.
MIN_CONFIDENCE = 0.35
TOP = 3


def _min_new_labels() -> int:
    return int(settings.TEXT_RETRAIN_MIN_NEW_LABELS)


def appeal_text(title: str, description: str) -> str:
    """What the models read of an appeal: the title as the first sentence, then the description."""
    return f"{title.strip()}。{description.strip()}"


@dataclass(frozen=True)
class Suggested:
    code: str
    name: str
    confidence: float


@dataclass(frozen=True)
class SuggestedUnit:
    id: int
    name: str
    confidence: float


@dataclass(frozen=True)
class Suggestions:
    categories: list[Suggested] = field(default_factory=list)
    lead_units: list[SuggestedUnit] = field(default_factory=list)


def _categories_of(classifier: Classifier, texts: list[str]) -> list[list[Suggested]]:
    """The suggested categories of each text: the model's labels are category codes or names."""
    ranked_all = classifier.top_many(texts, k=TOP)
    labels = {label for ranked in ranked_all for label, _ in ranked}
    active = list(Category.objects.filter(Q(code__in=labels) | Q(name__in=labels), is_active=True))
    by_label: dict[str, Category] = {}
    # a code wins over a name, and a level-1 category's name over a child's of the same name
    for category in sorted(active, key=lambda c: c.parent_id is not None):
        by_label.setdefault(category.name, category)
    for category in active:
        by_label[category.code] = category
    result: list[list[Suggested]] = []
    for ranked in ranked_all:
        out: list[Suggested] = []
        for label, confidence in ranked:
            found = by_label.get(label)
            if found is not None and confidence >= MIN_CONFIDENCE and found.code not in {s.code for s in out}:
                out.append(Suggested(code=found.code, name=found.name, confidence=round(confidence, 3)))
        result.append(out)
    return result


def category_suggestions(*, appeals: list[Appeal]) -> dict[int, Suggested]:
    """The first suggested category of each appeal that has one (a queue's rows, in one pass of the model)."""
    classifier = latest(CATEGORY_MODEL)
    if classifier is None or not appeals:
        return {}
    texts = [appeal_text(appeal.title, appeal.description) for appeal in appeals]
    found = _categories_of(classifier, texts)
    return {appeal.pk: suggested[0] for appeal, suggested in zip(appeals, found, strict=True) if suggested}


def _units_of_kinds(kinds: list[tuple[str, float]], region_code: str) -> list[SuggestedUnit]:
    units = units_for_kinds(region_code=region_code, kinds=[kind for kind, _ in kinds])
    out: list[SuggestedUnit] = []
    for kind, confidence in kinds:
        unit = units.get(kind)
        if unit is not None and confidence >= MIN_CONFIDENCE and unit.pk not in {u.id for u in out}:
            out.append(SuggestedUnit(id=unit.pk, name=unit.name, confidence=round(confidence, 3)))
    return out[:TOP]


def _lead_kinds_by_rules(categories: list[Suggested], region_code: str) -> list[tuple[str, float]]:
    """Without a lead-unit model: the lead kind the routing rules give each suggested category."""
    found = {c.code: c for c in Category.objects.filter(code__in=[s.code for s in categories])}
    kinds: list[tuple[str, float]] = []
    for suggested in categories:
        probe = Appeal(category=found[suggested.code], region_id=region_code)
        rule = routing_rule_for(appeal=probe)
        if rule is not None and rule.lead_kind not in {k for k, _ in kinds}:
            kinds.append((rule.lead_kind, suggested.confidence))
    return kinds


def text_suggestions(*, title: str, description: str, region_code: str) -> Suggestions:
    """Top-3 categories and lead units with their confidence; empty lists when no model is sure enough."""
    text = appeal_text(title, description)
    if not text.strip("。"):
        return Suggestions()
    category_model = latest(CATEGORY_MODEL)
    categories = _categories_of(category_model, [text])[0] if category_model else []
    kind_model = latest(LEAD_KIND_MODEL)
    if kind_model is not None:
        kinds = kind_model.top(text, k=TOP)
    else:
        kinds = _lead_kinds_by_rules(categories, region_code) if region_code else []
    lead_units = _units_of_kinds(kinds, region_code) if region_code else []
    return Suggestions(categories=categories, lead_units=lead_units)


def appeal_suggestions(*, appeal: Appeal) -> Suggestions:
    return text_suggestions(title=appeal.title, description=appeal.description, region_code=appeal.region_id)


def reply_quality(*, appeal: Appeal, reply: str, at: datetime) -> ReplyScore:
    """How well `reply`, filed at `at`, answers the appeal (relevance, completeness, timeliness, courtesy),
    with the reasons in plain words: shown to the handler before filing and to the head who approves."""
    path = latest_model_path(REPLY_MODEL)
    return score_reply(
        title=appeal.title,
        description=appeal.description,
        reply=reply,
        registered_at=appeal.created_at,
        replied_at=at,
        deadline=appeal.resolve_due,
        model=load_reply_model(path) if path else None,
    )


@dataclass(frozen=True)
class Retrained:
    name: str
    n: int
    trained: bool
    reason: str = ""
    evaluation: dict[str, Any] = field(default_factory=dict)


def _labelled_appeals() -> list[tuple[str, str, str, str]]:
    """(title, description, category code, lead unit kind) of every closed appeal that was worked to a
    result: a rejected or merged item says nothing about where such a problem belongs."""
    rows = (
        Appeal.objects.filter(status=AppealStatus.CLOSED, resolved_at__isnull=False)
        .order_by("pk")
        .values_list("title", "description", "category__code", "lead_unit__kind")
    )
    return [(t, d, c, k or "") for t, d, c, k in rows.iterator(chunk_size=2000)]


def _previous_n(name: str) -> int:
    path = latest_model_path(name)
    if path is None:
        return 0

    try:
        facts = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    meta = facts.get("meta", {})
    return int(meta.get("appeals", 0)) if meta.get("source") == "appeals" else 0


def _retrain_one(name: str, texts: list[str], labels: list[str], *, force: bool) -> Retrained:
    previous = _previous_n(name)
    if len(set(labels)) < 2:
        return Retrained(name=name, n=len(texts), trained=False, reason="fewer than two labels")
    if not force and len(texts) - previous < _min_new_labels():
        return Retrained(name=name, n=len(texts), trained=False, reason=f"{len(texts) - previous} new labels")
    fit_texts, fit_labels, val_texts, val_labels = split(texts, labels)
    terms = registered_terms(labels)
    validation = (
        evaluate(train(fit_texts, fit_labels, terms=terms), val_texts, val_labels) if val_texts else {}
    )
    classifier = train(texts, labels, terms=terms, source="appeals", appeals=len(texts))
    path = save(classifier, new_model_path(name), evaluation={"validation": validation})
    logger.info("text model %s retrained on %d appeals: %s (%s)", name, len(texts), validation, path)
    return Retrained(name=name, n=len(texts), trained=True, evaluation=validation)


def _retrain_reply_model(*, force: bool) -> Retrained:
    """The reply model, on every closed appeal that got a reply (the words' weights) and their pairs (the
    topics), once as many new replies exist as new labels are asked of the classifiers."""
    rows = (
        Appeal.objects.filter(status=AppealStatus.CLOSED, resolved_at__isnull=False)
        .exclude(reply="")
        .order_by("pk")
        .values_list("title", "description", "reply")
    )
    pairs = [(appeal_text(t, d), r) for t, d, r in rows.iterator(chunk_size=2000)]
    previous = _previous_n(REPLY_MODEL)
    if not pairs:
        return Retrained(name=REPLY_MODEL, n=0, trained=False, reason="no replies")
    if not force and len(pairs) - previous < _min_new_labels():
        return Retrained(
            name=REPLY_MODEL, n=len(pairs), trained=False, reason=f"{len(pairs) - previous} new replies"
        )
    model = ReplyModel.fit((appeal for appeal, _ in pairs), pairs)
    path = model.save(new_model_path(REPLY_MODEL), meta={"source": "appeals", "appeals": len(pairs)})
    logger.info("reply model retrained on %d replies (topics: %s): %s", len(pairs), model.has_topics, path)
    return Retrained(name=REPLY_MODEL, n=len(pairs), trained=True, evaluation={"topics": model.has_topics})


def text_models_retrain(*, force: bool = False) -> list[Retrained]:
    """Retrain the category and lead-unit models on the closed appeals once enough new labels exist since
    the last version trained on them (TEXT_RETRAIN_MIN_NEW_LABELS, default 200), and the reply model once as
    many new replies exist; `force` trains anyway."""
    rows = _labelled_appeals()
    texts = [appeal_text(title, description) for title, description, _, _ in rows]
    results = [_retrain_one(CATEGORY_MODEL, texts, [code for _, _, code, _ in rows], force=force)]
    with_kind = [(text, kind) for text, (_, _, _, kind) in zip(texts, rows, strict=True) if kind]
    results.append(
        _retrain_one(LEAD_KIND_MODEL, [t for t, _ in with_kind], [k for _, k in with_kind], force=force)
    )
    results.append(_retrain_reply_model(force=force))
    return results


__all__ = [
    "CATEGORY_MODEL",
    "LEAD_KIND_MODEL",
    "MIN_CONFIDENCE",
    "REPLY_MODEL",
    "Retrained",
    "Suggestions",
    "appeal_suggestions",
    "category_suggestions",
    "reply_quality",
    "text_models_retrain",
    "text_suggestions",
]
