from django.contrib import admin, messages
from django.http import HttpRequest

from portal.models import Open311Key, PublicRequest
from portal.services import new_key


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin):
    """Keys per integration: the key is shown once, on creation; withdraw one by clearing `active`."""

    list_display = ("name", "prefix", "is_active", "created_at", "last_used_at")
    fields = ("name", "is_active", "prefix", "created_at", "last_used_at")
    readonly_fields = ("prefix", "created_at", "last_used_at")

    def save_model(self, request: HttpRequest, obj: Open311Key, form: object, change: bool) -> None:
        if change:
            obj.save(update_fields=["name", "is_active"])
            return
        raw, obj.key_hash = new_key()
        obj.prefix = raw[:6]
        obj.save()
        messages.warning(request, f"api_key（只显示这一次，请转交对接系统）：{raw}")


@admin.register(PublicRequest)
class PublicRequestAdmin(admin.ModelAdmin):
    list_display = ("appeal", "channel", "key", "created_at")
    list_filter = ("channel",)
    raw_id_fields = ("appeal",)
    readonly_fields = ("appeal", "channel", "key", "token", "latitude", "longitude", "created_at")
