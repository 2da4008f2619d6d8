from django.contrib import admin

from campaigns.models import Campaign, Enterprise, Responsibility, Target, Visit


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "starts", "ends", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    inlines = [TargetInline]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "credit_code", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "credit_code", "region__code"]
    raw_id_fields = ["region"]


@admin.register(Responsibility)
class ResponsibilityAdmin(admin.ModelAdmin):
    list_display = ["campaign", "visitor", "region", "enterprise"]
    list_filter = ["campaign"]
    raw_id_fields = ["visitor", "region", "enterprise"]


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["uuid", "campaign", "visitor", "region", "enterprise", "started_at", "households_reached"]
    list_filter = ["campaign"]
    search_fields = ["uuid", "region__code"]
    raw_id_fields = ["visitor", "region", "enterprise", "companions"]
    list_select_related = ["campaign", "visitor", "region", "enterprise"]
    date_hierarchy = "started_at"
    # Personal data of the household met: revealed only to a spot-check's supervisor, audited, never here.
    exclude = ["household_name", "household_phone"]
