"""Writes of units, memberships and API tokens."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.audit import audit_context, audit_record
from core.errors import DomainError, Forbidden
from core.models import AuditEvent
from org.models import ApiToken, Membership, Role, Unit, User
from org.permissions import is_administrator

TOKEN_PREFIX = "zf_"  # noqa: S105 (a marker, not a secret)


@transaction.atomic
def membership_grant(
    *, user: User, unit: Unit, role: Role, actor: User | None, request: HttpRequest | None = None
) -> Membership:
    """Give the user a role in a unit (idempotent); each new grant is audited (org.signals)."""
    with audit_context(actor=actor, request=request):
        membership, _ = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    return membership


@transaction.atomic
def membership_revoke(
    *, membership: Membership, actor: User | None, request: HttpRequest | None = None
) -> None:
    """Take a role away; audited (org.signals)."""
    with audit_context(actor=actor, request=request):
        membership.delete()


@transaction.atomic
def user_password_changed(*, user: User, actor: User | None, request: HttpRequest | None = None) -> int:
    """After any change of a user's password: their API tokens end, and the change is audited (a reset when
    someone else made it). Returns how many tokens were revoked."""
    now = timezone.now()
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now).update(
        revoked_at=now
    )
    by_other = actor is not None and getattr(actor, "pk", None) not in (None, user.pk)
    audit_record(
        action=AuditEvent.Action.PASSWORD_RESET if by_other else AuditEvent.Action.PASSWORD_CHANGED,
        actor=actor,
        request=request,
        target=user,
        data={"tokens_revoked": revoked, "must_change": user.must_change_password},
    )
    return revoked


@transaction.atomic
def user_set_password(
    *, user: User, password: str, actor: User, must_change: bool, request: HttpRequest | None = None
) -> User:
    """Set a password: by the user themselves (which clears a forced change) or by an administrator, who may
    force a change at the next login. Tokens are revoked and the change audited (org.signals)."""
    user.set_password(password)
    user.must_change_password = must_change
    with audit_context(actor=actor, request=request):
        user.save(update_fields=["password", "must_change_password"])
    return user


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


class SecondFactorMissing(DomainError):
    """The password was right but the account signs in with a TOTP code too, and it was missing or wrong."""

    status = 401


def otp_device(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator, if they enrolled one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def otp_match(*, user: User, code: str) -> TOTPDevice | None:
    """The confirmed device the code is valid for (each code counts once), else None."""
    device = otp_device(user)
    code = code.strip().replace(" ", "")
    if device is None or not code.isdigit() or not device.verify_token(code):
        return None
    return device


@transaction.atomic
def otp_enrolment_device(*, user: User) -> TOTPDevice:
    """The authenticator being enrolled: unconfirmed until the user types a first valid code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def otp_confirm(*, user: User, code: str, request: HttpRequest | None = None) -> TOTPDevice:
    """Finish enrolment with the first code from the authenticator app; older devices are replaced. Audited."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-id").first()
    code = code.strip().replace(" ", "")
    if device is None or not code.isdigit() or not device.verify_token(code):
        raise DomainError("验证码不正确，请核对手机上显示的六位数字后重试", code="otp_invalid")
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(action=AuditEvent.Action.OTP_ENROLLED, actor=user, request=request, target=user)
    return device


def token_issue_for_login(
    *, user: User, otp: str = "", name: str = "", request: HttpRequest | None = None
) -> IssuedToken:
    """A token for a user who just gave the right password: refused while they must change it; a user with
    an authenticator gives its code too (`otp`), and an administrator under ADMIN_2FA_REQUIRED who has not
    enrolled one gets no token until they do (on the web)."""
    if user.must_change_password:
        raise Forbidden("管理员已重置您的密码，请先在网页上修改密码", code="password_change_required")
    if otp_device(user) is not None:
        if not otp:
            raise SecondFactorMissing(
                "此账号已开启两步验证，请同时提供动态验证码（otp）", code="otp_required"
            )
        if otp_match(user=user, code=otp) is None:
            # A wrong code counts towards the lockout like a wrong password.
            user_login_failed.send(
                sender=__name__, credentials={"username": user.get_username()}, request=request
            )
            raise SecondFactorMissing("动态验证码不正确或已使用", code="otp_invalid")
    elif settings.ADMIN_2FA_REQUIRED and is_administrator(user):
        raise Forbidden("管理员须先在网页上开启两步验证", code="otp_enrolment_required")
    return token_issue(user=user, name=name, request=request)
