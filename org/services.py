"""Writes of units, memberships and API tokens."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from core.audit import audit_record
from core.errors import DomainError
from core.models import AuditEvent
from org.models import ApiToken, Membership, Role, Unit, User

TOKEN_PREFIX = "zf_"  # noqa: S105 (a marker, not a secret)


@transaction.atomic
def membership_grant(
    *, user: User, unit: Unit, role: Role, actor: User | None, request: HttpRequest | None = None
) -> Membership:
    """Give the user a role in a unit (idempotent); each new grant is audited."""
    membership, created = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    if created:
        audit_record(
            action=AuditEvent.Action.ROLE_GRANTED,
            actor=actor,
            request=request,
            target=user,
            data={"unit_id": unit.pk, "unit": unit.name, "role": role.value},
        )
    return membership


@transaction.atomic
def membership_revoke(
    *, membership: Membership, actor: User | None, request: HttpRequest | None = None
) -> None:
    """Take a role away; audited."""
    audit_record(
        action=AuditEvent.Action.ROLE_REVOKED,
        actor=actor,
        request=request,
        target=membership.user,
        data={"unit_id": membership.unit_id, "unit": membership.unit.name, "role": membership.role},
    )
    membership.delete()


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str


@transaction.atomic
def token_issue(*, user: User, name: str = "", request: HttpRequest | None = None) -> IssuedToken:
    """A new bearer token for the user; the plain key is returned this once and never stored."""
    if not user.is_active:
        raise DomainError("账号已停用", code="inactive_user")
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        key_hash=_hash(key),
        prefix=key[: len(TOKEN_PREFIX) + 6],
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_DAYS),
    )
    audit_record(
        action=AuditEvent.Action.TOKEN_ISSUED,
        actor=user,
        request=request,
        target=token,
        data={"name": token.name},
    )
    return IssuedToken(token=token, key=key)


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: User, request: HttpRequest | None = None) -> ApiToken:
    """End a token now (idempotent); audited once."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(action=AuditEvent.Action.TOKEN_REVOKED, actor=actor, request=request, target=token)
    return token


def token_authenticate(*, key: str) -> ApiToken | None:
    """The live token behind a bearer key, or None. Marks use at most once a minute to spare the database."""
    if not key.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(key), revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is not None and (token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1)):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def tokens_purge(*, now: datetime | None = None, keep_days: int = 7) -> int:
    """Delete tokens that expired or were revoked more than `keep_days` ago; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=keep_days)
    expired = ApiToken.objects.filter(expires_at__lt=cutoff)
    revoked = ApiToken.objects.filter(revoked_at__lt=cutoff)
    deleted, _ = (expired | revoked).delete()
    return deleted
