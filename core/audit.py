"""The audit trail: one function writes it; Django's and axes' login signals feed it.

Each row carries a hash chained to the row before it (by id), so that a row changed, deleted or inserted behind
the application's back is evident: `python manage.py verify_audit` walks the chain. Writers are serialised
while they read the chain's head and append: on PostgreSQL by a transaction-scoped advisory lock, on SQLite by
the database's single writer (transactions there begin IMMEDIATE, config/settings.py).
"""

import contextlib
import contextvars
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from core.models import AuditEvent

# Any constant will do; it names "the audit chain" among the application's advisory locks.
AUDIT_LOCK_KEY = 0x7A6F7566_61756469 & 0x7FFFFFFFFFFFFFFF
GENESIS = "0" * 64

# The request being served, so that model signals (role and privilege changes) can name who did it and from
# where; set by core.middleware.AuditContextMiddleware, and by services for work done outside a request.
_context: contextvars.ContextVar["AuditContext | None"] = contextvars.ContextVar(
    "audit_context", default=None
)


@dataclass(frozen=True)
class AuditContext:
    explicit_actor: Any = None
    request: HttpRequest | None = None

    @property
    def actor(self) -> Any:
        # Read late: the API's token authentication replaces request.user after the middleware has run.
        return self.explicit_actor or getattr(self.request, "user", None)


@contextlib.contextmanager
def audit_context(*, actor: Any = None, request: HttpRequest | None = None) -> Iterator[None]:
    """Name the actor (and request) of the changes made inside this block, for the signal-fed audit rows."""
    token = _context.set(AuditContext(explicit_actor=actor, request=request))
    try:
        yield
    finally:
        _context.reset(token)


def current_context() -> AuditContext:
    """Who is acting now: the innermost audit_context, else nobody (a command or a job)."""
    return _context.get() or AuditContext()


def _canonical_ip(ip: str | None) -> str | None:
    if not ip:
        return None
    return clean_ipv6_address(ip) if ":" in ip else ip


def canonical(
    *,
    at: datetime,
    actor_id: int | None,
    username: str,
    action: str,
    object_type: str,
    object_id: str,
    ip: str | None,
    user_agent: str,
    data: Any,
) -> str:
    """The row as the chain hashes it: JSON with sorted keys, UTC time to the microsecond."""
    return json.dumps(
        {
            "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "actor": actor_id,
            "username": username,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "ip": _canonical_ip(ip),
            "user_agent": user_agent,
            "data": data,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def chain_hash(previous: str, row: str) -> str:
    return hashlib.sha256((previous + row).encode()).hexdigest()


def row_hash(event: AuditEvent, previous: str) -> str:
    """The hash a stored row should carry after `previous`."""
    return chain_hash(
        previous,
        canonical(
            at=event.at,
            actor_id=event.actor_id,
            username=event.username,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            ip=event.ip,
            user_agent=event.user_agent,
            data=event.data,
        ),
    )


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_LOCK_KEY])


def _chain_head() -> str:
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    return last or GENESIS


@dataclass(frozen=True)
class ChainReport:
    rows: int
    head: str
    broken_id: int | None = None
    expected: str = ""
    found: str = ""


def audit_verify(*, chunk: int = 5000) -> ChainReport:
    """Walk the chain in id order; the first row whose hash does not follow from the one before is named."""
    previous, rows = GENESIS, 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=chunk):
        expected = row_hash(event, previous)
        if event.hash != expected:
            return ChainReport(
                rows=rows, head=previous, broken_id=event.pk, expected=expected, found=event.hash
            )
        previous, rows = event.hash, rows + 1
    return ChainReport(rows=rows, head=previous)


def client_ip(request: HttpRequest | None) -> str | None:
    """The peer address; behind a reverse proxy the last X-Forwarded-For address, but only when the deployer
    says the proxy is trusted (TRUST_FORWARDED_FOR, docs/deploy.md): a client reaching Django directly could
    write any address there."""
    if request is None:
        return None
    if settings.TRUST_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: AuditEvent.Action,
    actor: Any = None,
    username: str = "",
    request: HttpRequest | None = None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event, chained to the last; the actor's username is copied so the row reads alone."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        username = username or actor.get_username()
    else:
        actor = None
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""
    ip = _canonical_ip(client_ip(request))
    # The details as the JSON column gives them back, so that the hash written is the hash recomputed.
    stored_data = json.loads(json.dumps(data or {}, ensure_ascii=False))
    fields: dict[str, Any] = {
        "action": str(action),
        "actor_id": actor.pk if actor is not None else None,
        "username": username[:150],
        "object_type": target._meta.label_lower if target is not None else "",
        "object_id": str(target.pk) if target is not None else "",
        "ip": ip,
        "user_agent": user_agent,
        "data": stored_data,
    }
    with transaction.atomic():
        _lock_chain()
        at = timezone.now()
        digest = chain_hash(_chain_head(), canonical(at=at, **fields))
        return AuditEvent.objects.create(at=at, hash=digest, **fields)


def _on_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit_record(action=AuditEvent.Action.LOGIN, actor=user, request=request)


def _on_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(action=AuditEvent.Action.LOGOUT, actor=user, request=request)


def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kw: Any
) -> None:
    audit_record(
        action=AuditEvent.Action.LOGIN_FAILED, username=str(credentials.get("username", "")), request=request
    )


def _on_locked_out(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str, **kw: Any
) -> None:
    audit_record(action=AuditEvent.Action.LOCKED_OUT, username=username or "", request=request)


def connect_signals() -> None:
    from axes.signals import user_locked_out

    user_logged_in.connect(_on_login, dispatch_uid="audit_login")
    user_logged_out.connect(_on_logout, dispatch_uid="audit_logout")
    user_login_failed.connect(_on_login_failed, dispatch_uid="audit_login_failed")
    user_locked_out.connect(_on_locked_out, dispatch_uid="audit_locked_out")


def audit_list_page(*, request: HttpRequest, actor: Any, listing: str, cursor: str | None, rows: int) -> None:
    """Paging through an API list is how a bulk download is made, so every page after the first (a request
    carrying a cursor) is audited as an export: the list, its query without the cursor, the rows served. The
    first page is what screens and devices read all day; it is not audited, so the cost is one row per page
    that only a walk through the whole list asks for. Reference lists (units, regions) are not audited."""
    if not cursor:
        return
    query = request.GET.copy()
    query.pop("cursor", None)
    audit_record(
        action=AuditEvent.Action.EXPORTED,
        actor=actor,
        request=request,
        data={"via": "api_page", "list": listing, "query": query.urlencode()[:500], "rows": rows},
    )
