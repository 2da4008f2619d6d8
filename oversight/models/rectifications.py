from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel


class RectificationSource(models.TextChoices):
    CASE_REVIEW = "case_review", _("case review")
    CHRONIC_PROBLEM = "chronic_problem", _("chronic problem")
    INSPECTION = "inspection", _("inspection")
    PUBLIC_OPINION = "public_opinion", _("public opinion")


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("open")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    VERIFIED = "verified", _("verified")


# Statuses whose due date still binds: overdue is shown, not stored, when one of these is past due.
RECTIFICATION_PENDING = (RectificationStatus.OPEN, RectificationStatus.IN_PROGRESS)


class Rectification(BaseModel):
    """整改: a problem a unit must put right by a date, checked by a supervisor when it says it is done."""

    source = models.CharField(_("source"), max_length=20, choices=RectificationSource.choices)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="+"
    )
    problem = models.TextField(_("problem"))
    measures = models.TextField(_("measures"), blank=True)
    due = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=16, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    appeals = models.ManyToManyField(
        "appeals.Appeal", verbose_name=_("appeals"), blank=True, related_name="+"
    )
    interview = models.ForeignKey(
        "oversight.Interview",
        verbose_name=_("interview"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    done_at = models.DateTimeField(_("reported done at"), null=True, blank=True)
    verification_note = models.TextField(_("verification note"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=RectificationSource.values), name="rectification_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RectificationStatus.values), name="rectification_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=RectificationStatus.VERIFIED) | Q(verified_at__isnull=False),
                name="rectification_verified_has_time",
            ),
        ]
        indexes = [
            # The ledger: newest first, keyset on (created_at, id); overdue items are pending ones past due.
            models.Index(fields=["-created_at", "-id"], name="rectification_created"),
            models.Index(fields=["unit", "status"], name="rectification_unit_status"),
            models.Index(fields=["status", "due"], name="rectification_status_due"),
        ]

    def __str__(self) -> str:
        return self.problem[:40]

    def is_overdue(self, today: date | None = None) -> bool:
        return self.status in RECTIFICATION_PENDING and self.due < (today or timezone.localdate())


class RectificationUpdate(models.Model):
    """A progress report on a rectification item, by the unit or a supervisor."""

    item = models.ForeignKey(
        Rectification, verbose_name=_("rectification item"), on_delete=models.CASCADE, related_name="updates"
    )
    note = models.TextField(_("note"))
    # The status the item reached with this update, when it changed one.
    status = models.CharField(_("status"), max_length=16, choices=RectificationStatus.choices, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rectification progress update")
        verbose_name_plural = _("rectification progress updates")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.note[:40]
