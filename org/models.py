from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel


class User(AbstractUser):
    """A cadre with an account. Citizens have none."""

    # Chinese names do not split into first and last; this is the name shown everywhere.
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # Set when an administrator resets the password: until the user picks their own, every page leads to the
    # change-password page and the API refuses them (org.middleware, org.auth).
    must_change_password = models.BooleanField(_("must change password at next login"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.full_name or self.username


class UnitKind(models.TextChoices):
    POLITICAL_LEGAL = "political_legal", _("Political-Legal Committee")
    POLICE = "police", _("Public Security Bureau")
    COURT = "court", _("Court")
    PROCURATORATE = "procuratorate", _("Procuratorate")
    JUSTICE = "justice", _("Justice Bureau")
    PETITION = "petition", _("Petition Bureau")
    HUMAN_RESOURCES = "human_resources", _("Human Resources and Social Security Bureau")
    HOUSING = "housing", _("Housing and Urban-Rural Development Bureau")
    NATURAL_RESOURCES = "natural_resources", _("Natural Resources Bureau")
    AGRICULTURE = "agriculture", _("Agriculture and Rural Affairs Bureau")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil Affairs Bureau")
    EDUCATION = "education", _("Education Bureau")
    HEALTH = "health", _("Health Commission")
    MARKET_REGULATION = "market_regulation", _("Market Regulation Bureau")
    ECOLOGY = "ecology", _("Ecology and Environment Bureau")
    TRANSPORT = "transport", _("Transport Bureau")
    TRADE_UNION = "trade_union", _("Federation of Trade Unions")
    TOWNSHIP_GOVERNMENT = "township_government", _("Township Government")
    VILLAGE_COMMITTEE = "village_committee", _("Village or Residents' Committee")


class UnitLevel(models.TextChoices):
    PREFECTURE = "prefecture", _("prefecture")
    COUNTY = "county", _("county")
    TOWNSHIP = "township", _("township")
    VILLAGE = "village", _("village")


class Unit(BaseModel):
    """A department or government at one level of the region tree: 都匀市人社局, 墨冲镇人民政府."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=UnitKind.choices)
    level = models.CharField(_("level"), max_length=16, choices=UnitLevel.choices)
    region = models.ForeignKey(
        "geo.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="units"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["region_id", "kind"]
        constraints = [
            # One bureau of a kind per region: routing resolves "人社 in 都匀市" to exactly one unit.
            models.UniqueConstraint(fields=["region", "kind"], name="unit_one_kind_per_region"),
            models.CheckConstraint(condition=models.Q(kind__in=UnitKind.values), name="unit_kind_valid"),
            models.CheckConstraint(condition=models.Q(level__in=UnitLevel.values), name="unit_level_valid"),
        ]
        indexes = [
            # Unit lists filter by kind within a region subtree (a range on region_id).
            models.Index(fields=["kind", "region"], name="unit_kind_region"),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    VISITOR = "visitor", _("field visitor")
    DISPATCHER = "dispatcher", _("dispatcher")
    HANDLER = "handler", _("handler")
    UNIT_HEAD = "unit_head", _("unit head")
    SUPERVISOR = "supervisor", _("supervisor")
    LEADER = "leader", _("leader")
    ADMIN = "admin", _("administrator")


class Membership(models.Model):
    """A user holds a role in a unit; a user may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user_id", "unit_id", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="membership_role_valid"),
        ]
        indexes = [
            # "The handlers of this unit": notifications and assignment pick people by unit and role.
            models.Index(fields=["unit", "role"], name="membership_unit_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


class ApiToken(models.Model):
    """A bearer token for a device or integration. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=12)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]
        indexes = [
            # The purge job looks for expired tokens.
            models.Index(fields=["expires_at"], name="apitoken_expires"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
