from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel


class InterviewStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    HELD = "held", _("held")
    FOLLOWED_UP = "followed_up", _("followed up")
    CLOSED = "closed", _("closed")


class Interview(BaseModel):
    """约谈: a supervisor calls in the responsible person of a unit whose metrics or cases fell short."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("interviewed unit"), on_delete=models.PROTECT, related_name="+"
    )
    # [{"metric": "on_time_resolution_rate", "value": 0.42, "from": "2026-10-01", "to": "2026-11-01"}]:
    # what the metrics said when the interview was decided, frozen as it was.
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    notice = models.ForeignKey(
        "oversight.Notice",
        verbose_name=_("notice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="interviews",
    )
    appeals = models.ManyToManyField(
        "appeals.Appeal", verbose_name=_("appeals"), blank=True, related_name="+"
    )
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200)
    interviewers = models.CharField(_("interviewers"), max_length=200)
    # The unit's responsible person, as a name: the interview concerns the unit's work.
    interviewee = models.CharField(_("interviewee"), max_length=100)
    summary = models.TextField(_("summary"), blank=True)
    commitments = models.JSONField(_("commitments"), default=list)
    follow_up_due = models.DateField(_("follow-up due"))
    status = models.CharField(
        _("status"), max_length=16, choices=InterviewStatus.choices, default=InterviewStatus.SCHEDULED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(follow_up_due__gt=F("held_on")), name="interview_follow_up_after_held"
            ),
            models.CheckConstraint(
                condition=Q(status__in=InterviewStatus.values), name="interview_status_valid"
            ),
        ]
        indexes = [
            # The interview list: newest first, keyset on (held_on, id), narrowed by unit.
            models.Index(fields=["-held_on", "-id"], name="interview_held"),
            models.Index(fields=["unit", "-held_on"], name="interview_unit_held"),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.interviewee}"


class InterviewFollowUp(models.Model):
    """One check on whether the interviewed unit kept its commitments."""

    interview = models.ForeignKey(
        Interview, verbose_name=_("interview"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    on = models.DateField(_("date"))
    note = models.TextField(_("note"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("interview follow-up")
        verbose_name_plural = _("interview follow-ups")
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.note[:30]}"
