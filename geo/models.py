from django.db import models
from django.utils.translation import gettext_lazy as _

# Significant digits of a 12-digit statistical code at each level: PP CC DD TTT VVV.
PREFIX_LENGTH = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}
CODE_LENGTH = 12


def code_prefix(code: str, level: int) -> str:
    """The digits that every code in this region's subtree starts with: 522701000000 (county) → 522701."""
    return code[: PREFIX_LENGTH[level]]


def subtree_bounds(prefix: str) -> tuple[str, str]:
    """The code range of a subtree; a range on the primary key uses its index on every database."""
    return prefix.ljust(CODE_LENGTH, "0"), prefix.ljust(CODE_LENGTH, "9")


class Region(models.Model):
    """A statistical division: province, prefecture, county, township or village/community."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("province")
        PREFECTURE = 2, _("prefecture")
        COUNTY = 3, _("county")
        TOWNSHIP = 4, _("township")
        VILLAGE = 5, _("village or community")

    # The code is the key: other tables store it, and a subtree is a range of it (see subtree_bounds).
    code = models.CharField(_("code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # The seat of a township's government (乡镇驻地), entered by an administrator: plausibility checks measure
    # how far a visit's location lies from it (campaigns/services/flags.py). Empty until someone enters it.
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        indexes = [
            # Lists of one level within a subtree: "the townships of 都匀市", ordered by code.
            models.Index(fields=["level", "code"], name="region_level_code"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="region_level_valid"),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="region_location_whole",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return code_prefix(self.code, self.level)

    @property
    def is_community(self) -> bool:
        """An urban community (社区) rather than a village (村), as its official name says."""
        return self.level == self.Level.VILLAGE and "社区" in self.name


def ancestor_codes(code: str) -> list[str]:
    """The codes of a region and of every region above it, nearest first: village, township, county, ..."""
    codes: list[str] = []
    for length in (12, 9, 6, 4, 2):
        candidate = code[:length].ljust(CODE_LENGTH, "0")
        if candidate[length:] == "0" * (CODE_LENGTH - length) and (not codes or codes[-1] != candidate):
            codes.append(candidate)
    return codes
