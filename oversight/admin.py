from django.contrib import admin

from oversight.models import (
    GoodPractice,
    Interview,
    InterviewFollowUp,
    Notice,
    NoticeCounter,
    Rectification,
    RectificationUpdate,
)


class InterviewFollowUpInline(admin.TabularInline):
    model = InterviewFollowUp
    extra = 0
    raw_id_fields = ("by",)


@admin.register(Interview)
class InterviewAdmin(admin.ModelAdmin):
    list_display = ("held_on", "unit", "interviewee", "status", "follow_up_due")
    list_filter = ("status",)
    search_fields = ("unit__name", "interviewee", "interviewers", "place")
    date_hierarchy = "held_on"
    raw_id_fields = ("unit", "notice", "created_by", "appeals")
    readonly_fields = ("version", "created_at", "updated_at")
    inlines = [InterviewFollowUpInline]


class RectificationUpdateInline(admin.TabularInline):
    model = RectificationUpdate
    extra = 0
    raw_id_fields = ("by",)


@admin.register(Rectification)
class RectificationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "unit", "source", "due", "status")
    list_filter = ("status", "source")
    search_fields = ("unit__name", "problem")
    raw_id_fields = ("unit", "interview", "created_by", "verified_by", "appeals")
    readonly_fields = ("version", "created_at", "updated_at")
    inlines = [RectificationUpdateInline]


@admin.register(GoodPractice)
class GoodPracticeAdmin(admin.ModelAdmin):
    list_display = ("title", "unit", "category", "period_starts", "period_ends", "is_published")
    list_filter = ("is_published",)
    search_fields = ("title", "summary", "unit__name")
    raw_id_fields = ("unit", "category", "created_by")
    readonly_fields = ("version", "created_at", "updated_at")


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("title", "number", "region", "period_starts", "period_ends", "status")
    list_filter = ("status",)
    search_fields = ("title", "number")
    raw_id_fields = ("region", "created_by", "published_by")
    readonly_fields = ("version", "created_at", "updated_at")


@admin.register(NoticeCounter)
class NoticeCounterAdmin(admin.ModelAdmin):
    list_display = ("year", "last")
