from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from appeals.models import Appeal, AppealEvent, Category, DeadlinePolicy, RoutingRule


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
        "is_active",
    ]
    search_fields = ["code", "name"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "region_prefix", "lead_kind", "co_kinds", "is_active"]
    list_filter = ["is_active", "lead_kind"]
    search_fields = ["category__name", "category__code", "region_prefix"]
    list_select_related = ["category", "category__parent"]
    autocomplete_fields = ["category"]


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
