from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext, gettext_lazy

from core.models import AuditEvent, CalendarDay, CalendarSource, CalendarYear
from core.workcalendar import calendar_day_set, calendar_missing_years, default_is_workday


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is appended by the system and never edited or deleted by anyone."""

    list_display = ["at", "username", "action", "object_type", "object_id", "ip"]
    list_filter = ["action"]
    search_fields = ["username", "object_id", "ip"]
    date_hierarchy = "at"
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Holidays and adjusted working days; every edit goes through calendar_day_set."""

    list_display = ["date", "weekday", "is_workday", "name", "source", "updated_at"]
    list_filter = ["is_workday", "source"]
    search_fields = ["name"]
    date_hierarchy = "date"
    ordering = ["-date"]
    fields = ["date", "is_workday", "name", "source", "updated_at"]
    readonly_fields = ["source", "updated_at"]
    actions = None

    @admin.display(description=gettext_lazy("weekday"))
    def weekday(self, obj: CalendarDay) -> str:
        return dateformat.format(obj.date, "l")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The date is the key: changing it would add a second day, not move this one.
        return [*self.readonly_fields, "date"] if obj is not None else list(self.readonly_fields)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        for year in calendar_missing_years(around=timezone.localdate()):
            messages.warning(
                request,
                gettext(
                    "The official holiday schedule for %(year)s has not been imported; "
                    "working days are counted Monday to Friday."
                )
                % {"year": year},
            )
        return super().changelist_view(request, extra_context)

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        stored = calendar_day_set(
            day=obj.date, is_workday=obj.is_workday, name=obj.name, source=CalendarSource.ADMIN
        )
        if stored is None:
            messages.info(
                request,
                gettext("%(date)s follows the Monday to Friday default, so no entry is kept for it.")
                % {"date": obj.date.isoformat()},
            )
        else:
            obj.source, obj.updated_at = stored.source, stored.updated_at

    def response_add(
        self, request: HttpRequest, obj: CalendarDay, post_url_continue: str | None = None
    ) -> HttpResponse:
        if not CalendarDay.objects.filter(pk=obj.pk).exists():
            return HttpResponseRedirect(reverse("admin:core_calendarday_changelist"))
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request: HttpRequest, obj: CalendarDay) -> HttpResponse:
        if not CalendarDay.objects.filter(pk=obj.pk).exists():
            return HttpResponseRedirect(reverse("admin:core_calendarday_changelist"))
        return super().response_change(request, obj)

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        calendar_day_set(
            day=obj.date, is_workday=default_is_workday(obj.date), name=obj.name, source=CalendarSource.ADMIN
        )


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """The years whose official schedule is known; written by load_calendar and imports only."""

    list_display = ["year", "source", "loaded_at"]
    list_filter = ["source"]
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
