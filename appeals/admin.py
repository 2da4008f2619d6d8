from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from appeals.models import Appeal, AppealEvent, Category, DeadlinePolicy, RoutingRule
from geo.models import Region, code_prefix
from org.models import UnitKind


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "parent",
        "default_policy",
        "is_campaign_theme",
        "is_active",
        "sort_order",
    ]
    list_filter = ["is_active", "is_campaign_theme", "parent"]
    search_fields = ["code", "name"]
    list_editable = ["is_active", "sort_order"]
    list_select_related = ["parent", "default_policy"]


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "sign_amount",
        "sign_clock",
        "resolve_amount",
        "resolve_clock",
        "extension_cap",
        "extension_clock",
        "reply_approval",
        "is_active",
    ]
    search_fields = ["code", "name"]


def _region_choices() -> list[tuple[str, str]]:
    """The whole region, the prefecture, its counties and townships, a township under its county."""
    areas = Region.objects.filter(
        level__in=(Region.Level.PREFECTURE, Region.Level.COUNTY, Region.Level.TOWNSHIP)
    )
    indent = {2: "", 3: "　", 4: "　　"}  # prefecture, county, township
    return [("", str(_("everywhere")))] + [
        (code_prefix(area.code, area.level), f"{indent[area.level]}{area.name}")
        for area in areas.order_by("code")
    ]


class RoutingRuleForm(forms.ModelForm):
    """Routing rules in words: unit kinds, categories and regions to choose from, checked before saving."""

    lead_kind = forms.ChoiceField(label=_("lead unit kind"), choices=UnitKind.choices)
    co_kinds = forms.MultipleChoiceField(
        label=_("co-unit kinds"),
        choices=UnitKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    region_prefix = forms.ChoiceField(
        label=_("region"),
        required=False,
        help_text=_("The rule applies to appeals of this area; the narrowest rule of a category wins."),
    )

    class Meta:
        model = RoutingRule
        fields = ["category", "region_prefix", "lead_kind", "co_kinds", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region_prefix"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _region_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("lead_kind") and data.get("lead_kind") in (data.get("co_kinds") or []):
            self.add_error("co_kinds", _("The lead unit's kind cannot also be a co-unit's kind."))
        return data


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    form = RoutingRuleForm
    list_display = ["category", "region_name", "lead_kind_name", "co_kind_names", "is_active"]
    list_filter = ["is_active", "lead_kind"]
    search_fields = ["category__name", "category__code", "region_prefix"]
    list_select_related = ["category", "category__parent"]
    autocomplete_fields = ["category"]

    @admin.display(description=_("region"), ordering="region_prefix")
    def region_name(self, rule: RoutingRule) -> str:
        if not rule.region_prefix:
            return str(_("everywhere"))
        region = Region.objects.filter(code=rule.region_prefix.ljust(12, "0")).first()
        return region.name if region else rule.region_prefix

    @admin.display(description=_("lead unit kind"), ordering="lead_kind")
    def lead_kind_name(self, rule: RoutingRule) -> str:
        return str(dict(UnitKind.choices).get(rule.lead_kind, rule.lead_kind))

    @admin.display(description=_("co-unit kinds"))
    def co_kind_names(self, rule: RoutingRule) -> str:
        names = dict(UnitKind.choices)
        return "、".join(str(names.get(kind, kind)) for kind in rule.co_kinds) or "—"


class EventInline(admin.TabularInline):
    model = AppealEvent
    fields = ("at", "kind", "actor", "unit", "data")
    readonly_fields = ("at", "kind", "actor", "unit", "data")
    extra = 0
    can_delete = False
    ordering = ["at", "id"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    """Read-only: appeals change through the workflow (its services), never by editing rows."""

    list_display = [
        "code",
        "title",
        "status",
        "kind",
        "category",
        "region",
        "lead_unit",
        "resolve_due",
        "created_at",
    ]
    list_filter = ["status", "kind", "source", "risk_colour"]
    search_fields = ["code", "title"]
    list_select_related = ["category", "category__parent", "region", "lead_unit"]
    exclude = ["secret_hash", "reporter_name", "reporter_phone", "reporter_id_number"]
    inlines = [EventInline]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
