"""Campaigns (大走访), their targets and responsibilities, the enterprise register, and field visits.

Not built: companions and teams as input (the `companions` column exists; responsibilities are per person),
an enterprise register page (enterprises come from the admin), `import_ledger --kind visits`, the problems'
tracking codes and secrets in batch results (POST /visits has them), and photos in object storage (they live
under MEDIA_ROOT, so backups must include var/media).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.masking import mask_name, mask_phone
from core.models import BaseModel


class Campaign(BaseModel):
    """A time-boxed outreach campaign; `phases` is [{"name", "starts", "ends"}], `themes` category codes."""

    name = models.CharField(_("name"), max_length=100)
    starts = models.DateField(_("starts"))
    ends = models.DateField(_("ends"))
    phases = models.JSONField(_("phases"), default=list, blank=True)
    themes = models.JSONField(_("themes"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gte=models.F("starts")), name="campaign_ends_after_starts"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Metric(models.TextChoices):
    HOUSEHOLDS = "households", _("households visited")
    VILLAGES = "villages", _("villages and communities covered")
    ENTERPRISES = "enterprises", _("enterprises visited")
    DISPUTES = "disputes", _("disputes screened")


class Target(models.Model):
    """How much of one metric a unit is to achieve in a campaign."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="targets"
    )
    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    metric = models.CharField(_("metric"), max_length=16, choices=Metric.choices)
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["campaign_id", "unit_id", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit", "metric"], name="target_unique"),
            models.CheckConstraint(condition=Q(metric__in=Metric.values), name="target_metric_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.unit_id} · {self.metric} {self.quantity}"


class Enterprise(BaseModel):
    """An enterprise cadres visit (走企业), placed in a village/community or a township."""

    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        "geo.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="enterprises"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    # 统一社会信用代码; many small businesses in the register have none.
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["region_id", "name"]
        indexes = [
            # The plan's enterprises of an area (a range of region codes) in keyset pages of (region, name, id).
            models.Index(fields=["region", "name", "id"], name="enterprise_place"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""), name="enterprise_credit_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Responsibility(models.Model):
    """包保: a visitor answers for one village/community or one enterprise during a campaign."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="responsibilities"
    )
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visitor"),
        on_delete=models.PROTECT,
        related_name="responsibilities",
    )
    region = models.ForeignKey(
        "geo.Region",
        verbose_name=_("village or community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")
        constraints = [
            # The place is a village/community or an enterprise, never both, never neither.
            models.CheckConstraint(
                condition=Q(region__isnull=False, enterprise__isnull=True)
                | Q(region__isnull=True, enterprise__isnull=False),
                name="responsibility_one_place",
            ),
            models.UniqueConstraint(
                fields=["campaign", "visitor", "region"],
                condition=Q(region__isnull=False),
                name="responsibility_region_unique",
            ),
            models.UniqueConstraint(
                fields=["campaign", "visitor", "enterprise"],
                condition=Q(enterprise__isnull=False),
                name="responsibility_enterprise_unique",
            ),
        ]
        indexes = [
            # "My places" in the field app: a visitor's responsibilities in a campaign.
            models.Index(fields=["visitor", "campaign"], name="responsibility_visitor"),
            # Coverage: who answers for a village (包保人), and the villages nobody answers for.
            models.Index(fields=["campaign", "region"], name="responsibility_place"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.visitor_id} · {self.region_id or self.enterprise_id}"


class Visit(models.Model):
    """One visit as the field app submitted it, idempotent by its client UUID.

    `region` is always the place's region: the village/community visited, or the enterprise's region for an
    enterprise visit (then `enterprise` is set too). Scope and coverage read this one column.
    """

    uuid = models.UUIDField(_("client UUID"), unique=True)
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="visits"
    )
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("visitor"), on_delete=models.PROTECT, related_name="visits"
    )
    companions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("companions"), blank=True, related_name="+"
    )
    region = models.ForeignKey(
        "geo.Region", verbose_name=_("place"), on_delete=models.PROTECT, related_name="visits"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    started_at = models.DateTimeField(_("started at"))
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    households_reached = models.PositiveIntegerField(_("households reached"), default=0)
    people_met = models.PositiveIntegerField(_("people met"), default=0)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    # 意见建议 heard that are not problems for a department: kept with the visit, read in analysis.
    suggestions = models.TextField(_("suggestions"), max_length=2000, blank=True)
    # What was answered is frozen: the version of the form the visit was filled in.
    form_version = models.PositiveSmallIntegerField(_("form version"), default=1)
    # SHA-256 of the canonical JSON of the submitted body: a repeat has the same, a conflict another.
    content_hash = models.CharField(_("content hash"), max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Plausibility checks (services/flags.py): a digest of the notes without whitespace (blank under 15
    # characters) so copies are an indexed lookup; when the checks claimed the visit; whether they doubt it.
    notes_digest = models.CharField(_("notes digest"), max_length=16, blank=True, default="")
    flags_checked_at = models.DateTimeField(_("plausibility checked at"), null=True, blank=True)
    flagged = models.BooleanField(_("flagged"), default=False)
    # Optional: a household met, so that a spot-check (抽查回访) has someone to call. Personal data: masked
    # everywhere, revealed only to the supervisor who owns a spot-check sampling the visit (audited).
    household_name = models.CharField(_("household contact name"), max_length=50, blank=True, default="")
    household_phone = models.CharField(_("household contact phone"), max_length=20, blank=True, default="")

    class Meta:
        verbose_name = _("field visit")
        verbose_name_plural = _("field visits")
        ordering = ["-started_at", "-id"]
        indexes = [
            # The visit list in a region subtree, newest first (a range on region_id), and its keyset pages.
            models.Index(fields=["region", "-started_at", "-id"], name="visit_region_started"),
            models.Index(fields=["-started_at", "-id"], name="visit_started"),
            # List filters ?campaign= and ?visitor=; campaign progress aggregates by campaign.
            models.Index(fields=["campaign", "-started_at"], name="visit_campaign_started"),
            models.Index(fields=["visitor", "-started_at"], name="visit_visitor_started"),
            # Enterprises visited in a campaign (progress), and an enterprise's visit history.
            models.Index(fields=["enterprise", "campaign"], name="visit_enterprise"),
            # Plausibility checks: the visits not yet checked, claimed in id order; copies of a note in a
            # campaign; the supervisors' list of flagged visits, newest first, in all or in a region subtree.
            models.Index(
                fields=["id"], condition=Q(flags_checked_at__isnull=True), name="visit_flags_unchecked"
            ),
            # Digest first and no partial condition: SQLite's planner does not see that `notes_digest <> ''`
            # implies a partial index's `NOT (notes_digest = '')`, and fell back to a scan per note.
            models.Index(fields=["notes_digest", "campaign"], name="visit_notes_digest"),
            models.Index(fields=["-started_at", "-id"], condition=Q(flagged=True), name="visit_flagged"),
            models.Index(
                fields=["region", "-started_at", "-id"],
                condition=Q(flagged=True),
                name="visit_flagged_region",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(households_reached__lte=10_000, people_met__lte=10_000),
                name="visit_counts_plausible",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="visit_location_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.uuid} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def household_masked(self) -> str:
        """The household contact as everyone sees it: 张* 138****5678; blank when none was recorded."""
        return " ".join(p for p in (mask_name(self.household_name), mask_phone(self.household_phone)) if p)


class VisitProblem(models.Model):
    """A problem raised during a visit: the appeal it became (source `visit`), linked back to the visit."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("field visit"), on_delete=models.PROTECT, related_name="problems"
    )
    appeal = models.OneToOneField(
        "appeals.Appeal", verbose_name=_("appeal"), on_delete=models.PROTECT, related_name="visit_link"
    )

    class Meta:
        verbose_name = _("problem raised on a visit")
        verbose_name_plural = _("problems raised on visits")
        ordering = ["visit_id", "id"]

    def __str__(self) -> str:
        return f"{self.visit_id} → {self.appeal_id}"


def photo_path(photo: "VisitPhoto", filename: str) -> str:
    """Photos are stored under their own UUID, never under a name the phone chose."""
    return f"visits/{photo.created_at:%Y/%m}/{photo.uuid}.jpg"


class VisitPhoto(models.Model):
    """A photo taken on a visit, stored as a downscaled JPEG without EXIF (the location only when kept on
    purpose, then in the columns below). Idempotent by its client UUID like the visit itself."""

    uuid = models.UUIDField(_("client UUID"), unique=True)
    visit = models.ForeignKey(
        Visit, verbose_name=_("field visit"), on_delete=models.PROTECT, related_name="photos"
    )
    image = models.FileField(_("image"), upload_to=photo_path, max_length=200)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size = models.PositiveIntegerField(_("size in bytes"))
    # SHA-256 of the bytes as uploaded: a repeat has the same, a conflict another.
    content_hash = models.CharField(_("content hash"), max_length=64)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        ordering = ["visit_id", "created_at", "id"]

    def __str__(self) -> str:
        return str(self.uuid)


class FlagKind(models.TextChoices):
    IMPOSSIBLE_TRAVEL = "impossible_travel", _("impossible travel between places")
    BURST = "burst", _("many visits within minutes")
    FAR_FROM_TOWNSHIP = "far_from_township", _("location far from the township")
    COPIED_NOTES = "copied_notes", _("copied notes")


class VisitFlag(models.Model):
    """A reason to doubt a visit, found by the plausibility checks and shown to supervisors; not a verdict."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("field visit"), on_delete=models.CASCADE, related_name="flags"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=FlagKind.choices)
    details = models.JSONField(_("details"), default=dict, blank=True)
    detected_at = models.DateTimeField(_("detected at"), default=timezone.now)

    class Meta:
        verbose_name = _("plausibility flag")
        verbose_name_plural = _("plausibility flags")
        ordering = ["visit_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "kind"], name="visit_flag_unique"),
            models.CheckConstraint(condition=Q(kind__in=FlagKind.values), name="visit_flag_kind_valid"),
        ]
        indexes = [
            # The supervisors' list of flagged visits, by kind.
            models.Index(fields=["kind", "visit"], name="visit_flag_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.visit_id} {self.kind}"


class SpotCheck(BaseModel):
    """抽查回访: a random sample of one unit's visits in a campaign that a supervisor calls back."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="spot_checks"
    )
    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("drawn by"), on_delete=models.PROTECT, related_name="+"
    )
    # How many visits the sample was drawn from, so the sample's share can be shown beside its results.
    population = models.PositiveIntegerField(_("visits to draw from"))
    sample_size = models.PositiveIntegerField(_("sample size"))

    class Meta:
        verbose_name = _("spot-check")
        verbose_name_plural = _("spot-checks")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "campaign"], name="spot_check_unit"),
            # The spot-check list, newest first, and its keyset pages.
            models.Index(fields=["-created_at", "-id"], name="spot_check_created"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.unit_id} · {self.created_at:%Y-%m-%d}"


class SpotCheckOutcome(models.TextChoices):
    PENDING = "pending", _("not yet called")
    CONFIRMED = "confirmed", _("household confirms the visit")
    DENIED = "denied", _("household denies the visit")
    UNREACHABLE = "unreachable", _("could not be reached")


class SpotCheckItem(models.Model):
    """One sampled visit and what the household said when called back."""

    spot_check = models.ForeignKey(
        SpotCheck, verbose_name=_("spot-check"), on_delete=models.CASCADE, related_name="items"
    )
    visit = models.ForeignKey(
        Visit, verbose_name=_("field visit"), on_delete=models.PROTECT, related_name="spot_checks"
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=SpotCheckOutcome.choices, default=SpotCheckOutcome.PENDING
    )
    # Satisfaction codes of appeals.Satisfaction; blank unless the household confirmed the visit.
    satisfaction = models.CharField(_("satisfaction"), max_length=24, blank=True)
    note = models.TextField(_("note"), max_length=1000, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("spot-check item")
        verbose_name_plural = _("spot-check items")
        ordering = ["spot_check_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["spot_check", "visit"], name="spot_check_item_unique"),
            models.CheckConstraint(
                condition=Q(outcome__in=SpotCheckOutcome.values), name="spot_check_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(satisfaction="") | Q(outcome=SpotCheckOutcome.CONFIRMED),
                name="spot_check_satisfaction_when_confirmed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.spot_check_id} · {self.visit_id} {self.outcome}"


class VisitTally(models.Model):
    """A visitor's visits in a campaign to one place: what a target's achievement sums over the unit's members.
    Kept current by the visit service, in the visit's own transaction, because a visitor expects their campaign
    progress to move at once; rebuilt from the visits by a full refresh of the counters."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("geo.Region", on_delete=models.CASCADE, related_name="+")
    # 0 for a visit to a village or community (a nullable key column would let duplicates past the constraint).
    enterprise_id = models.PositiveBigIntegerField(default=0)
    visits = models.PositiveIntegerField(default=0)
    households = models.PositiveIntegerField(default=0)
    disputes = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("visit tally")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "visitor", "region", "enterprise_id"], name="visittally_key"
            )
        ]
        indexes = [
            # Coverage: the villages of a campaign visited at least once (enterprise_id 0), by a range of codes
            # (an area) or one code (is this village visited?), and their visits summed per area.
            models.Index(fields=["campaign", "enterprise_id", "region", "visits"], name="visittally_place"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.visitor_id} {self.region_id}"
