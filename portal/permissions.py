"""The portal's guards. Nobody signs in here, so what stands between the public and the data is: the tracking
code with its secret (`access_tracked_appeal`, which answers a wrong secret exactly like an unknown code and
stops answering at all after repeated failures), rate limits per IP address and per phone number, a
proof-of-work challenge that a browser solves silently and a script pays for, and the Open311 keys.

Counters live in Django's cache: in-process without configuration, Redis when REDIS_URL is set (so several app
servers share them)."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from appeals.models import Appeal
from appeals.services import secret_hash
from core.audit import client_ip
from core.errors import DomainError, Forbidden, InvalidInput, NotFound
from org.models import Role, Unit, User
from org.permissions import user_scope
from portal.models import Consultation, ConsultationAnswer, Open311Key

# The one answer for an unknown code, a wrong secret and a locked lookup.
NOT_FOUND_MESSAGE = "受理编号或查询密码不正确"


class TooManyRequests(DomainError):
    """Too many attempts from one address or for one phone number; nothing was written."""

    status = 429


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


# Tunable in settings (PORTAL_LIMITS) so that a deployment behind one NAT'd village network can raise them.
LIMITS: dict[str, Limit] = {
    "submit_ip_hour": Limit(10, 3600),
    "submit_ip_day": Limit(30, 86400),
    "submit_phone_day": Limit(3, 86400),
    "lookup_fail_ip": Limit(10, 900),
    "lookup_fail_code": Limit(20, 3600),
    "open311_key_hour": Limit(600, 3600),
    # Each rendering of a poster PDF not made today costs seconds of CPU; a township office needs a few.
    "poster_pdf_ip_hour": Limit(30, 3600),
}


def _limit(name: str) -> Limit:
    custom = getattr(settings, "PORTAL_LIMITS", {}).get(name)
    return Limit(*custom) if custom else LIMITS[name]


def _key(name: str, subject: str) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{subject}".encode()).hexdigest()[:32]
    return f"portal:{name}:{digest}"  # no IP address or phone number kept in the cache in clear


def _count(name: str, subject: str) -> int:
    return int(cache.get(_key(name, subject), 0))


def _hit(name: str, subject: str) -> int:
    key = _key(name, subject)
    if cache.add(key, 1, _limit(name).seconds):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, _limit(name).seconds)
        return 1


def _over(name: str, subject: str) -> bool:
    return _count(name, subject) >= _limit(name).count


def check_submit_allowed(*, ip: str | None, phone: str) -> None:
    """Refuse (429, nothing written) when this address or phone number already submitted its share; an Open311
    integration (no address of its own citizens) is limited per key instead (`check_open311_rate`)."""
    if ip is not None and (_over("submit_ip_hour", ip) or _over("submit_ip_day", ip)):
        raise TooManyRequests("提交过于频繁，请稍后再试", code="rate_limited")
    if phone and _over("submit_phone_day", phone):
        raise TooManyRequests("该手机号今天提交次数已达上限，请明天再试或拨打热线", code="rate_limited")


def count_submission(*, ip: str | None, phone: str) -> None:
    if ip is not None:
        _hit("submit_ip_hour", ip)
        _hit("submit_ip_day", ip)
    if phone:
        _hit("submit_phone_day", phone)


def check_open311_rate(key: Open311Key) -> None:
    if _hit("open311_key_hour", str(key.pk)) > _limit("open311_key_hour").count:
        raise TooManyRequests("too many requests for this api_key", code="rate_limited")


def count_poster_pdf(*, ip: str | None) -> None:
    """Count one PDF rendering for this address; refuse (429) past its share of the hour."""
    if ip is not None and _hit("poster_pdf_ip_hour", ip) > _limit("poster_pdf_ip_hour").count:
        raise TooManyRequests("生成PDF过于频繁，请稍后再试，或打开网页版直接打印", code="rate_limited")


# --- proof of work ------------------------------------------------------------------------------------------

CHALLENGE_SALT = "portal.challenge"


def challenge_bits() -> int:
    return int(getattr(settings, "PORTAL_CHALLENGE_BITS", 16))


def challenge_issue() -> str:
    """A signed, timestamped random challenge: find a counter whose SHA-256 with it starts with N zero bits."""
    return signing.dumps({"n": secrets.token_hex(12), "b": challenge_bits()}, salt=CHALLENGE_SALT)


def _leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def challenge_solve(challenge: str) -> str:
    """What the page's script does (for tests, benchmarks and honest scripts that pay the price)."""
    bits = signing.loads(challenge, salt=CHALLENGE_SALT)["b"]
    counter = 0
    while _leading_zero_bits(hashlib.sha256(f"{challenge}:{counter}".encode()).digest()) < bits:
        counter += 1
    return str(counter)


def challenge_verify(challenge: str, answer: str) -> None:
    """Refuse a missing, forged, stale, reused or wrong answer (422 `challenge_failed`); each works once."""
    message = "页面已过期或校验未完成，请刷新页面后重新提交"
    refused = InvalidInput(message, code="challenge_failed", details={"challenge": message})
    try:
        data = signing.loads(
            challenge, salt=CHALLENGE_SALT, max_age=getattr(settings, "PORTAL_CHALLENGE_AGE", 3600)
        )
    except signing.BadSignature:
        raise refused from None
    if not answer.isdigit() or len(answer) > 12:
        raise refused
    digest = hashlib.sha256(f"{challenge}:{answer}".encode()).digest()
    if _leading_zero_bits(digest) < int(data["b"]) or int(data["b"]) < challenge_bits():
        raise refused
    # Used once: the same solved challenge does not buy a second submission.
    if not cache.add(f"portal:challenge:{data['n']}", 1, 2 * 3600):
        raise refused


# --- the citizen's own appeal ----------------------------------------------------------------------------


def access_tracked_appeal(request: HttpRequest, *, code: str, secret: str) -> Appeal:
    """The appeal with this tracking code, when the secret is its own; an unknown code, a wrong secret and a
    lookup after too many failures (from this address, or on this code) all get the same 404."""
    ip = client_ip(request) or ""
    code = code.strip().upper()
    given = secret_hash(secret)
    appeal = Appeal.objects.select_related("category", "region", "lead_unit").filter(code=code).first()
    expected = appeal.secret_hash if appeal is not None else hashlib.sha256(b"-").hexdigest()
    matches = hmac.compare_digest(given, expected) and appeal is not None
    if _over("lookup_fail_ip", ip) or _over("lookup_fail_code", code) or not matches:
        _hit("lookup_fail_ip", ip)
        _hit("lookup_fail_code", code)
        raise NotFound(NOT_FOUND_MESSAGE, code="not_found")
    assert appeal is not None
    return appeal


def access_open311_key(api_key: str) -> Open311Key:
    """The active key an integration presented; 403 for a missing, unknown or withdrawn one."""
    digest = hashlib.sha256(api_key.strip().encode()).hexdigest() if api_key else ""
    key = Open311Key.objects.filter(key_hash=digest, is_active=True).first() if digest else None
    if key is None:
        raise Forbidden("api_key missing or invalid", code="invalid_api_key")
    Open311Key.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key


def access_consultation(consultation_id: int) -> Consultation:
    """A published consultation (open, or closed with its adopted answers); 404 for a draft or none."""
    found = Consultation.objects.filter(pk=consultation_id, is_published=True).select_related("unit").first()
    if found is None:
        raise NotFound("征集不存在")
    return found


# Who runs a unit's consultations (create, edit, publish, adopt with a public reply in the unit's name): its
# head, who approves what the unit says (DESIGN §1), its dispatcher and its administrator. Every other member of
# the unit (a handler, a visitor, a supervisor, a leader) reads them and their answers; a superuser runs any.
CONSULTATION_ROLES = (Role.UNIT_HEAD, Role.DISPATCHER, Role.ADMIN)
NOT_RUNNING_MESSAGE = "只有本单位负责人、调度员或管理员可以发布征集、采纳回答"


def unit_consultations(user: User) -> QuerySet[Consultation]:
    """The consultations of the user's own units (any of them, for a superuser): the staff side of 征集."""
    scope = user_scope(user)
    rows = Consultation.objects.select_related("unit")
    return rows if scope.everything else rows.filter(unit_id__in=scope.unit_ids)


def may_read_consultations(user: User) -> bool:
    """A member of a unit (in any role) reads that unit's consultations; a superuser any unit's."""
    scope = user_scope(user)
    return scope.everything or bool(scope.unit_ids)


def consultation_run_units(user: User) -> frozenset[int] | None:
    """The units whose consultations the user runs; None for all (a superuser)."""
    scope = user_scope(user)
    return None if scope.everything else scope.units_with(*CONSULTATION_ROLES)


def may_run_consultation(user: User, consultation: Consultation | None = None) -> bool:
    """Whether the user runs `consultation` (or, without one, the consultations of at least one unit)."""
    units = consultation_run_units(user)
    return units is None or (consultation.unit_id in units if consultation else bool(units))


def consultation_units(user: User) -> QuerySet[Unit]:
    """The units a new consultation may be published in the name of: those the user runs them for."""
    runs = consultation_run_units(user)
    units = Unit.objects.filter(is_active=True)
    return (units if runs is None else units.filter(pk__in=runs)).order_by("region_id", "name")


def access_unit_consultation(user: User, consultation_id: int, *, to_run: bool = False) -> Consultation:
    """A consultation of one of the user's units (or any, for a superuser); 404 otherwise. With `to_run`, 403
    unless the user runs it (`CONSULTATION_ROLES`)."""
    found = unit_consultations(user).filter(pk=consultation_id).first()
    if found is None:
        raise NotFound("征集不存在")
    if to_run and not may_run_consultation(user, found):
        raise Forbidden(NOT_RUNNING_MESSAGE)
    return found


def access_consultation_unit(user: User, unit_id: int) -> Unit:
    """A unit the user may start a consultation for; 404 for another unit or none."""
    found = consultation_units(user).filter(pk=unit_id).first()
    if found is None:
        raise NotFound("单位不存在")
    return found


def access_unit_answer(user: User, consultation_id: int, answer_id: int) -> ConsultationAnswer:
    """An answer to adopt: of a consultation the user runs; 404 outside the user's units, as for the
    consultation, 403 for a member who does not run it."""
    consultation = access_unit_consultation(user, consultation_id, to_run=True)
    found = consultation.answers.filter(pk=answer_id).first()
    if found is None:
        raise NotFound("回答不存在")
    found.consultation = consultation
    return found
