from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel


class GoodPractice(BaseModel):
    """经验做法: how a unit did something well, for other units to learn from and notices to cite."""

    title = models.CharField(_("title"), max_length=200)
    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    summary = models.CharField(_("summary"), max_length=500)
    body = models.TextField(_("body"), blank=True)
    category = models.ForeignKey(
        "appeals.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    period_starts = models.DateField(_("period from"))
    # Exclusive, like the notices' periods: the practice belongs to [starts, ends).
    period_ends = models.DateField(_("period to"))
    is_published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    @property
    def period_last_day(self) -> date:
        """The period's inclusive last day, as people read it (period_ends is exclusive)."""
        return self.period_ends - timedelta(days=1)

    class Meta:
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")
        ordering = ["-period_starts", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_ends__gt=F("period_starts")), name="practice_period_valid"
            ),
        ]
        indexes = [
            # practices_for: published practices overlapping a notice's period.
            models.Index(fields=["is_published", "period_starts"], name="practice_published_period"),
            models.Index(fields=["-created_at", "-id"], name="practice_created"),
        ]

    def __str__(self) -> str:
        return self.title
