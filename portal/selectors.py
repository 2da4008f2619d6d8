"""Reads of the portal: the place picker, what a citizen may see of their own appeal, and the Open311 lists.

Everything public passes through `text.redact.redact` and names no person: units by name, never staff."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from appeals.models import Appeal, AppealEvent, AppealKind, AppealStatus, Category, Satisfaction
from geo.models import Region
from portal.models import Consultation, ConsultationAnswer
from text.clusters import Text, cluster
from text.redact import redact

PREFECTURE_LEVEL = Region.Level.COUNTY - 1


@dataclass(frozen=True)
class Place:
    code: str
    name: str


def places_under(code: str | None) -> list[Place]:
    """The counties of the deployment (no code), or the townships of a county, the villages of a township."""
    if not code:
        rows = Region.objects.filter(level=Region.Level.COUNTY)
    else:
        rows = Region.objects.filter(parent_id=code, level__gte=Region.Level.COUNTY)
    return [Place(code=c, name=n) for c, n in rows.order_by("code").values_list("code", "name")]


def place_path(code: str) -> list[Place]:
    """County, township, village of a region code, for a form filled in from a poster's QR code."""
    region = (
        Region.objects.filter(pk=code, level__gte=Region.Level.COUNTY)
        .select_related("parent__parent")
        .first()
    )
    path: list[Place] = []
    while region is not None and region.level >= Region.Level.COUNTY:
        path.insert(0, Place(code=region.code, name=region.name))
        region = region.parent
    return path


def place_near(latitude: Decimal, longitude: Decimal) -> Region | None:
    """The nearest region with a known position within about 10 km, the finest level first; None elsewhere."""
    box = Decimal("0.1")
    rows = Region.objects.filter(
        level__gte=Region.Level.COUNTY,
        latitude__range=(latitude - box, latitude + box),
        longitude__range=(longitude - box, longitude + box),
    ).order_by("-level")[:200]

    def distance(region: Region) -> Decimal:
        assert region.latitude is not None and region.longitude is not None
        return (region.latitude - latitude) ** 2 + (region.longitude - longitude) ** 2

    best = sorted(rows, key=lambda r: (-r.level, distance(r)))
    return best[0] if best else None


def poster_places(code: str) -> list[Region]:
    """The village of a poster, or every village of a township (printed in one go); [] for any other code."""
    region = Region.objects.filter(pk=code).first()
    if region is None:
        return []
    if region.level == Region.Level.VILLAGE:
        return [region]
    if region.level == Region.Level.TOWNSHIP:
        return list(Region.objects.filter(parent=region, level=Region.Level.VILLAGE).order_by("code"))
    return []


def region_label(region: Region) -> str:
    names = []
    node: Region | None = region
    while node is not None and node.level >= Region.Level.COUNTY:
        names.append(node.name)
        node = node.parent
    return "".join(reversed(names))


# --- the citizen's view of their appeal ---------------------------------------------------------------------

PUBLIC_STATUS = {
    AppealStatus.REGISTERED: _("Received, being assigned"),
    AppealStatus.ASSIGNED: _("Assigned to the responsible unit"),
    AppealStatus.IN_PROGRESS: _("Being handled"),
    AppealStatus.AWAITING_APPROVAL: _("Being handled"),
    AppealStatus.RESOLVED: _("Handled, waiting for your rating"),
    AppealStatus.CLOSED: pgettext_lazy("portal", "Closed"),
    AppealStatus.MERGED: _("Handled together with an earlier report of the same problem"),
}

# Only these steps are shown; notes, co-unit opinions, supervision and internal reasons are not.
PUBLIC_EVENTS: dict[str, object] = {
    AppealEvent.Kind.REGISTERED: _("Received"),
    AppealEvent.Kind.ASSIGNED: _("Assigned"),
    AppealEvent.Kind.ACCEPTED: _("Accepted by the unit"),
    AppealEvent.Kind.RETURNED: _("Being re-assigned to the right unit"),
    AppealEvent.Kind.EXTENSION_APPROVED: _("Deadline extended"),
    AppealEvent.Kind.RESOLVED: _("Handled"),
    AppealEvent.Kind.RESOLVED_ON_SITE: _("Resolved on site"),
    AppealEvent.Kind.CALLBACK: _("Rated"),
    AppealEvent.Kind.REOPENED: _("Handled again"),
    AppealEvent.Kind.MERGED: _("Merged with a report of the same problem"),
    AppealEvent.Kind.REJECTED: _("Not within the remit"),
    AppealEvent.Kind.CLOSED: pgettext_lazy("portal", "Closed"),
}

# A reply is public once it was approved (or needed no approval): the item is resolved or later.
REPLY_PUBLIC = (AppealStatus.RESOLVED, AppealStatus.CLOSED)


@dataclass(frozen=True)
class PublicEvent:
    at: datetime
    label: str
    unit: str


@dataclass(frozen=True)
class PublicView:
    appeal: Appeal
    status: str
    title: str
    description: str
    place: str
    unit: str
    reply: str
    may_rate: bool
    rated: bool
    events: list[PublicEvent]


def public_view(appeal: Appeal) -> PublicView:
    """What the holder of the code and secret sees: status, a timeline of public steps, the approved reply."""
    rows = (
        appeal.events.filter(kind__in=list(PUBLIC_EVENTS))
        .select_related("unit", "actor_unit")
        .order_by("at", "id")
    )
    events = []
    for event in rows:
        unit = event.unit or (event.actor_unit if event.kind != AppealEvent.Kind.REGISTERED else None)
        events.append(
            PublicEvent(at=event.at, label=str(PUBLIC_EVENTS[event.kind]), unit=unit.name if unit else "")
        )
    resolved = appeal.status in REPLY_PUBLIC
    return PublicView(
        appeal=appeal,
        status=str(PUBLIC_STATUS[AppealStatus(appeal.status)]),
        title=redact(appeal.title),
        description=redact(appeal.description),
        place=region_label(appeal.region),
        unit=appeal.lead_unit.name if appeal.lead_unit else "",
        reply=redact(appeal.reply) if resolved and appeal.reply else "",
        may_rate=appeal.status == AppealStatus.RESOLVED and not appeal.awaiting_decision,
        rated=appeal.callbacks.exists(),
        events=events,
    )


SATISFACTION_CHOICES = Satisfaction.choices


# --- Open311 --------------------------------------------------------------------------------------------------


# docs/open311.md: handled (resolved, waiting for the rating), closed and merged items are "closed" for Open311.
OPEN311_CLOSED = (AppealStatus.RESOLVED, AppealStatus.CLOSED, AppealStatus.MERGED)


def open311_services() -> QuerySet[Category]:
    """The second-level categories in use: Open311's services."""
    return (
        Category.objects.filter(is_active=True, parent__isnull=False)
        .select_related("parent")
        .order_by("parent__sort_order", "sort_order", "code")
    )


def open311_requests() -> QuerySet[Appeal]:
    """What Open311 lists: appeals the public sent themselves (portal and Open311), never tips (线索) about
    wrongdoing, whose reporter would be exposed by the very fact of the report."""
    return (
        Appeal.objects.filter(public_request__isnull=False)
        .exclude(kind=AppealKind.TIP)
        .select_related("category", "region__parent__parent", "lead_unit", "public_request")
        .prefetch_related("portal_photos")
    )


def open311_filter(
    rows: QuerySet[Appeal],
    *,
    ids: list[str],
    service_code: str,
    start: datetime | None,
    end: datetime | None,
    status: str,
) -> QuerySet[Appeal]:
    if ids:
        return rows.filter(code__in=ids)
    if service_code:
        rows = rows.filter(category__code__in=service_code.split(","))
    if start is not None:
        rows = rows.filter(public_request__created_at__gte=start)
    if end is not None:
        rows = rows.filter(public_request__created_at__lte=end)
    closed = Q(status__in=OPEN311_CLOSED)
    if status == "closed":
        rows = rows.filter(closed)
    elif status == "open":
        rows = rows.exclude(closed)
    return rows.order_by("-public_request__created_at", "-id")


# --- consultations (征集) ------------------------------------------------------------------------------------


def consultations_public() -> QuerySet[Consultation]:
    """Published consultations, open ones first; each knows how many answers were adopted."""
    return (
        Consultation.objects.filter(is_published=True)
        .select_related("unit")
        .annotate(adopted_count=Count("answers", filter=Q(answers__adopted=True)))
        .order_by("-ends", "-id")
    )


@dataclass(frozen=True)
class AdoptedAnswer:
    answers: list[dict[str, str]]
    public_reply: str
    at: datetime


def adopted_answers(consultation: Consultation) -> list[AdoptedAnswer]:
    """What the unit adopted, with its public reply; the citizens' words redacted."""
    rows = ConsultationAnswer.objects.filter(consultation=consultation, adopted=True).order_by("created_at")
    return [
        AdoptedAnswer(
            answers=[{"question": p["question"], "answer": redact(p["answer"])} for p in row.answers],
            public_reply=redact(row.public_reply),
            at=row.created_at,
        )
        for row in rows
    ]


def regions_holding(region_code: str) -> list[str]:
    """The codes of the place and of every region above it (township, county, prefecture, province)."""
    return [region_code[:n].ljust(12, "0") for n in (12, 9, 6, 4, 2)]


def consultation_reaches(consultation: Consultation, region_code: str) -> bool:
    """Whether the place lies in the region of the consultation's unit, where it is asked."""
    return consultation.unit.region_id in regions_holding(region_code)


def _open_on(day: date) -> QuerySet[Consultation]:
    return Consultation.objects.filter(is_published=True, starts__lte=day, ends__gte=day).select_related(
        "unit"
    )


def consultation_open_at(region_code: str) -> Consultation | None:
    """The open consultation of a unit whose region holds this place (the nearest unit first), for its poster."""
    rows = _open_on(timezone.localdate()).filter(unit__region_id__in=regions_holding(region_code))
    return max(rows, key=lambda c: len(c.unit.region_id.rstrip("0")), default=None)


@dataclass(frozen=True)
class OpenConsultation:
    consultation: Consultation
    place_codes: list[str]  # the places asked, of those given


def consultations_open_at(region_codes: Iterable[str]) -> list[OpenConsultation]:
    """The consultations open today at any of these places, each with the places it reaches (for the field
    app: a visitor's 包保 villages); the nearest unit's first, then by topic."""
    codes = sorted(set(region_codes))
    holders: dict[str, list[str]] = {}
    for code in codes:
        for holder in regions_holding(code):
            holders.setdefault(holder, []).append(code)
    rows = _open_on(timezone.localdate()).filter(unit__region_id__in=list(holders)) if holders else []
    found = [
        OpenConsultation(consultation=c, place_codes=sorted(set(holders[c.unit.region_id]))) for c in rows
    ]
    return sorted(found, key=lambda o: (-len(o.consultation.unit.region_id.rstrip("0")), o.consultation.pk))


@dataclass(frozen=True)
class SimilarAnswers:
    """Free answers to one question that say much the same (text.clusters), e.g. 12 ≈ 加强农村治安巡逻."""

    text: str  # the member nearest the group's centre, redacted
    phrases: list[str]  # the group's key phrases
    members: list[tuple[str, str]]  # (tracking code, answer redacted), the representative first

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class QuestionAnswers:
    question: str
    choices: list[tuple[str, int]]  # (choice, how many chose it) for a choice question
    texts: list[tuple[str, str]]  # (tracking code, answer) for a free-text question
    similar: list[SimilarAnswers]  # the free answers grouped by similar text, largest group first
    alone: list[tuple[str, str]]  # (tracking code, answer) of the free answers alike to no other


# An answer is a sentence or two, not an appeal's title and story: two that say the same share fewer of their
# words than two appeals do ("多开展反诈骗宣传" and "加强防范电信诈骗的宣传" reach 0.2 to 0.3, where the hot issues
# ask 0.35 of titles and descriptions), so the answers are grouped from 0.2. Chosen on the demo's 16 answers in
# five subjects: at 0.35 two groups of two are found; at 0.2 反诈 3 of 4, 巡逻 4 of 4 and 监控 3 of 3, none
# merged with another subject (the three on unpaid wages still stand alone; at 0.15 they would not either).
ANSWER_THRESHOLD = 0.2


def similar_answers(given: list[tuple[str, str]]) -> tuple[list[SimilarAnswers], list[tuple[str, str]]]:
    """The free answers (tracking code, text) in groups of similar text, by the hot issues' clustering (TF-IDF,
    centroid linkage: text.clusters), largest group first; then the answers alike to no other, as given.

    All answers to one question are on its subject, so the words many of them share are kept (drop_common):
    "治安" in a tenth of the answers is what sets their group apart, not how people write."""
    found = cluster(
        [Text(title=answer) for _code, answer in given], threshold=ANSWER_THRESHOLD, drop_common=False
    )
    grouped = {i for group in found for i in group.members}
    groups = [
        SimilarAnswers(
            text=redact(given[group.members[0]][1]),
            phrases=[redact(p) for p in group.phrases],
            members=[(given[i][0], redact(given[i][1])) for i in group.members],
        )
        for group in found
    ]
    alone = [(code, redact(text)) for i, (code, text) in enumerate(given) if i not in grouped]
    return groups, alone


def _answer_rows(consultation: Consultation) -> list[ConsultationAnswer]:
    return list(
        ConsultationAnswer.objects.filter(consultation=consultation)
        .select_related("appeal")
        .only("answers", "appeal__code")
        .order_by("created_at", "id")
    )


ANSWER_GROUPS_SECONDS = 24 * 3600


def answers_by_question(consultation: Consultation) -> list[QuestionAnswers]:
    """The unit's view: each question with the counts of its choices, or its free answers (redacted), both as
    given and grouped by similar text.

    The answers are JSON lists of (question, answer) as asked; a consultation has hundreds of answers, not
    millions, so they are grouped here rather than in SQL (which would differ between SQLite and PostgreSQL)."""
    rows = _answer_rows(consultation)
    # Answers are never changed, only added; grouping a thousand free answers takes seconds (text.clusters'
    # pairs), so each state of the consultation is grouped once.
    key = f"portal:answers:{consultation.pk}:{consultation.version}:{len(rows)}:{rows[-1].pk if rows else 0}"
    cached = cache.get(key)
    if cached is not None:
        return list(cached)
    grouped = []
    for question in consultation.questions:
        text = str(question["text"])
        given = [(row.appeal.code, p["answer"]) for row in rows for p in row.answers if p["question"] == text]
        options = question.get("choices") or []
        similar, alone = ([], []) if options else similar_answers(given)
        grouped.append(
            QuestionAnswers(
                question=text,
                choices=[(c, sum(1 for _, a in given if a == c)) for c in options],
                texts=[] if options else [(code, redact(a)) for code, a in given],
                similar=similar,
                alone=alone,
            )
        )
    cache.set(key, grouped, ANSWER_GROUPS_SECONDS)
    return grouped


# The staff list: latest period first (keyset on these columns).
CONSULTATION_ORDER = ("-starts", "-id")


def consultation_list(rows: QuerySet[Consultation]) -> QuerySet[Consultation]:
    """The unit's consultations with their answers and adoptions counted, latest period first."""
    return rows.annotate(
        answers_n=Count("answers"), adopted_n=Count("answers", filter=Q(answers__adopted=True))
    ).order_by(*CONSULTATION_ORDER)


# The answers to adopt from: newest first.
ANSWER_ORDER = ("-created_at", "-id")


def consultation_answer_rows(
    consultation: Consultation, *, adopted: bool | None = None
) -> QuerySet[ConsultationAnswer]:
    """A consultation's answers, newest first; only the adopted ones (or only the others) when asked."""
    rows = ConsultationAnswer.objects.filter(consultation=consultation)
    if adopted is not None:
        rows = rows.filter(adopted=adopted)
    return rows.select_related("appeal").order_by(*ANSWER_ORDER)


@dataclass(frozen=True)
class AnswerCard:
    answer: ConsultationAnswer
    code: str
    pairs: list[dict[str, str]]  # the questions as asked and the answers, redacted
    reply: str  # the public reply, or what was typed when it was refused
    error: str = ""  # why an adoption was refused


def answer_cards(rows: list[ConsultationAnswer]) -> list[AnswerCard]:
    """One page of answers as the unit reads them to adopt: the citizen's words redacted."""
    return [
        AnswerCard(
            answer=row,
            code=row.appeal.code,
            pairs=[{"question": p["question"], "answer": redact(p["answer"])} for p in row.answers],
            reply=row.public_reply,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class ConsultationSummary:
    consultation: Consultation
    answers: int
    adopted: int
    replies: list[str]  # the public replies to what was adopted


def consultations_summary(
    *, start: datetime, end: datetime, region_prefix: str = ""
) -> list[ConsultationSummary]:
    """What the masses proposed and what was adopted, for the decision report: consultations running in the
    period (of units in the region), their answers in it and the adopted ones with their public replies."""
    in_period = Q(answers__created_at__gte=start, answers__created_at__lt=end)
    rows = (
        # The period's bounds are instants; the consultation's days are local (Asia/Shanghai) days.
        Consultation.objects.filter(
            is_published=True,
            starts__lte=timezone.localtime(end - timedelta(microseconds=1)).date(),
            ends__gte=timezone.localtime(start).date(),
        )
        .filter(unit__region__code__startswith=region_prefix)
        .select_related("unit")
        .annotate(
            answered=Count("answers", filter=in_period),
            adopted_n=Count("answers", filter=in_period & Q(answers__adopted=True)),
        )
        .order_by("-adopted_n", "-answered", "id")
    )
    adopted_replies: dict[int, list[str]] = {}
    for consultation_id, reply in ConsultationAnswer.objects.filter(
        consultation__in=rows, adopted=True, created_at__gte=start, created_at__lt=end
    ).values_list("consultation_id", "public_reply")[:200]:
        adopted_replies.setdefault(consultation_id, []).append(redact(reply))
    return [
        ConsultationSummary(
            consultation=c,
            answers=c.answered,
            adopted=c.adopted_n,
            replies=adopted_replies.get(c.pk, []),
        )
        for c in rows
    ]
