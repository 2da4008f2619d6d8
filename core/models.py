from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Every domain row knows when it was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """Who did what, when, from where. Append-only: the database refuses updates and deletes."""

    class Action(models.TextChoices):
        LOGIN = "login", _("login")
        LOGOUT = "logout", _("logout")
        LOGIN_FAILED = "login_failed", _("failed login")
        LOCKED_OUT = "locked_out", _("locked out")
        ROLE_GRANTED = "role_granted", _("role granted")
        ROLE_REVOKED = "role_revoked", _("role revoked")
        TOKEN_ISSUED = "token_issued", _("token issued")
        TOKEN_REVOKED = "token_revoked", _("token revoked")
        PERSONAL_DATA_REVEALED = "personal_data_revealed", _("personal data revealed")
        EXPORTED = "exported", _("exported")
        PRIVILEGES_CHANGED = "privileges_changed", _("privileges changed")
        GROUPS_CHANGED = "groups_changed", _("groups changed")
        PERMISSIONS_CHANGED = "permissions_changed", _("permissions changed")
        PASSWORD_CHANGED = "password_changed", _("password changed")
        PASSWORD_RESET = "password_reset", _("password reset by an administrator")
        OTP_ENROLLED = "otp_enrolled", _("two-factor login enrolled")
        OTP_REMOVED = "otp_removed", _("two-factor login removed")
        # What a unit publishes to the public (a consultation, an adopted answer's reply) is signed for.
        PUBLIC_TEXT_CHANGED = "public_text_changed", _("public text changed")

    # Set by core.audit before the row is hashed, not by the database.
    at = models.DateTimeField(_("at"), default=timezone.now, editable=False, db_index=True)
    # PROTECT: people are deactivated, never deleted, so their trail stays whole.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The name typed at a failed login may belong to no account; it is kept as typed.
    username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=50, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    # sha256 of the previous row's hash and this row's canonical form (core.audit.chain_hash): a row changed,
    # removed or slipped in breaks the chain at that point, and `verify_audit` names it.
    hash = models.CharField(_("chain hash"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            # The audit page filters by actor or action, newest first.
            models.Index(fields=["actor", "-at"], name="audit_actor_at"),
            models.Index(fields=["action", "-at"], name="audit_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("audit events are append-only")


class CalendarSource(models.TextChoices):
    LIBRARY = "library", _("holiday library")
    ADMIN = "admin", _("administrator edit")
    IMPORT = "import", _("file import")


class CalendarDay(models.Model):
    """A day whose working status differs from Monday–Friday: a weekday holiday or an adjusted working weekend.

    Days that follow the default are not stored; `core.workcalendar` reads this table.
    """

    date = models.DateField(_("date"), primary_key=True)
    is_workday = models.BooleanField(_("is a working day"))
    # 春节, 国庆节, 春节调休上班: the name the State Council's notice gives the day.
    name = models.CharField(_("name"), max_length=50)
    source = models.CharField(_("source"), max_length=16, choices=CalendarSource.choices)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("holiday or adjusted working day")
        verbose_name_plural = _("holidays and adjusted working days")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source__in=CalendarSource.values), name="calendarday_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class CalendarYear(models.Model):
    """A year whose official holiday schedule is in CalendarDay; other years count Monday–Friday."""

    year = models.IntegerField(_("year"), primary_key=True)
    source = models.CharField(_("source"), max_length=16, choices=CalendarSource.choices)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        verbose_name = _("holiday schedule year")
        verbose_name_plural = _("holiday schedule years")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source__in=CalendarSource.values), name="calendaryear_source_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=1949, year__lte=9999), name="calendaryear_year_valid"
            ),
        ]

    def __str__(self) -> str:
        return str(self.year)
