"""The citizen's channels into Zoufang: what came in through the portal or Open311, its photos, and the keys
issued to Open311 integrations. The appeal itself lives in `appeals`; these rows only say how it arrived."""

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appeals.models import Appeal
from core.models import BaseModel


class Open311Key(models.Model):
    """An API key of one integration (a civic-tech client); only its hash is kept, the key is shown once."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    # The first characters, to tell keys apart in the admin without keeping the key.
    prefix = models.CharField(_("key prefix"), max_length=8)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 key")
        verbose_name_plural = _("Open311 keys")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class PublicRequest(models.Model):
    """An appeal that a citizen submitted themselves, through the portal or an Open311 client."""

    class Channel(models.TextChoices):
        PORTAL = "portal", _("citizen portal")
        OPEN311 = "open311", _("Open311")

    appeal = models.OneToOneField(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="public_request"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    key = models.ForeignKey(
        Open311Key,
        verbose_name=_("Open311 key"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    # Open311's token (tokens/{token}); the portal's rows have one too, unused.
    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("public request")
        verbose_name_plural = _("public requests")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Open311 GET requests: newest first within a date window.
            models.Index(fields=["created_at", "id"], name="public_request_created"),
        ]

    def __str__(self) -> str:
        return str(self.appeal_id)


def photo_path(photo: "PortalPhoto", filename: str) -> str:
    return f"portal/{timezone.now():%Y/%m}/{photo.uuid}.jpg"


class PortalPhoto(models.Model):
    """A photo sent with a portal submission, stored downscaled without EXIF (campaigns.services.photo_process)."""

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True)
    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="portal_photos"
    )
    image = models.FileField(_("image"), upload_to=photo_path, max_length=200)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size = models.PositiveIntegerField(_("size in bytes"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("portal photo")
        verbose_name_plural = _("portal photos")
        ordering = ["appeal_id", "id"]

    def __str__(self) -> str:
        return str(self.uuid)


class Consultation(BaseModel):
    """征集: a unit asks the public a few questions over a period; every answer is a suggestion (an appeal)."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="consultations"
    )
    title = models.CharField(_("topic"), max_length=100)
    text = models.TextField(_("text"), max_length=2000)
    starts = models.DateField(_("starts"))
    ends = models.DateField(_("ends"))
    # Up to 5: [{"text": "…", "choices": ["…", …]}]; no choices is a free-text question. Frozen once answered.
    questions = models.JSONField(_("questions"), default=list)
    is_published = models.BooleanField(_("published"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-starts", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gte=models.F("starts")), name="consultation_ends_after_starts"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ConsultationAnswer(models.Model):
    """One person's answers to a consultation, kept as asked; its suggestion appeal carries the text."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.PROTECT, related_name="answers"
    )
    appeal = models.OneToOneField(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="consultation_answer"
    )
    # [{"question": "…", "answer": "…"}], the questions as they were when answered.
    answers = models.JSONField(_("answers"), default=list)
    # Heard by a visitor in the field app: the phone's UUID (a repeat is the same answer, DESIGN §2.3), the
    # hash of what was sent, and the visit it was heard at. Empty for the portal's answers.
    uuid = models.UUIDField(_("UUID"), null=True, blank=True, unique=True)
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    visit = models.ForeignKey(
        "campaigns.Visit",
        verbose_name=_("visit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultation_answers",
    )
    adopted = models.BooleanField(_("adopted"), default=False)
    public_reply = models.TextField(_("public reply"), blank=True, max_length=1000)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("consultation answer")
        verbose_name_plural = _("consultation answers")
        ordering = ["consultation_id", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(adopted=False) | ~Q(public_reply=""), name="adopted_answer_has_reply"
            ),
        ]
        indexes = [
            # The unit's answers page: all of a consultation's answers newest first, or the adopted ones (or
            # the others) only.
            models.Index(F("consultation"), F("created_at").desc(), F("id").desc(), name="answer_newest"),
            models.Index(
                F("consultation"),
                F("adopted"),
                F("created_at").desc(),
                F("id").desc(),
                name="answer_adopted_newest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id}/{self.appeal_id}"
