from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


class Notice(BaseModel):
    """A 通报: generated for a period and a region from the metrics, edited as a draft, then published."""

    title = models.CharField(_("title"), max_length=200)
    # 发文机关, e.g. 黔南州大走访工作领导小组办公室
    issuer = models.CharField(_("issuer"), max_length=100)
    # 文号, given on publishing
    number = models.CharField(_("document number"), max_length=60, blank=True)
    period_starts = models.DateField(_("period from"))
    # Exclusive: the period is [starts, ends).
    period_ends = models.DateField(_("period to"))
    region = models.ForeignKey(
        "geo.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    # The generated, then edited, sections.
    content = models.JSONField(_("content"), default=dict)
    status = models.CharField(
        _("status"), max_length=16, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("drafted by"), on_delete=models.PROTECT, related_name="+"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    @property
    def period_last_day(self) -> date:
        """The period's inclusive last day, as people read it (period_ends is exclusive)."""
        return self.period_ends - timedelta(days=1)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [models.Index(fields=["region", "-created_at", "-id"], name="notice_region_created")]
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~models.Q(number=""), name="notice_number_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title


class NoticeCounter(models.Model):
    """The last document number given in a year; publishing takes the next under a row lock."""

    year = models.PositiveIntegerField(_("year"), unique=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("notice number counter")
        verbose_name_plural = _("notice number counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
