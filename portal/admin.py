from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from core.web import request_user
from portal.models import Consultation, ConsultationAnswer, Open311Key, PublicRequest
from portal.services import consultation_adopt, new_key


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


class ConsultationAnswerInline(admin.TabularInline):
    model = ConsultationAnswer
    fields = ("appeal", "answers", "adopted", "public_reply")
    readonly_fields = ("appeal", "answers", "adopted", "public_reply")
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    """征集, to look at: a unit creates, edits and publishes its consultations on its own pages
    (/portal/staff/consultations/, through the services: checked, versioned, audited), which an administrator
    may open for any unit; one way to write them."""

    list_display = ("title", "unit", "starts", "ends", "is_published", "version")
    list_filter = ("is_published",)
    inlines = [ConsultationAnswerInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Consultation | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Consultation | None = None) -> bool:
        return False


class ConsultationAnswerForm(forms.ModelForm):
    class Meta:
        model = ConsultationAnswer
        fields = ["adopted", "public_reply"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("adopted") and not str(data.get("public_reply", "")).strip():
            raise ValidationError("采纳时请填写公开答复")
        return data


@admin.register(ConsultationAnswer)
class ConsultationAnswerAdmin(admin.ModelAdmin):
    """Answers by consultation; 采纳 with the reply the portal shows (the rest stays internal)."""

    form = ConsultationAnswerForm
    list_display = ("consultation", "appeal", "created_at", "adopted")
    list_filter = ("consultation", "adopted")
    fields = ("consultation", "appeal", "answers", "adopted", "public_reply")
    readonly_fields = ("consultation", "appeal", "answers")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ConsultationAnswer, form: Any, change: bool) -> None:
        consultation_adopt(
            answer=obj,
            adopted=obj.adopted,
            public_reply=obj.public_reply,
            actor=request_user(request),
            request=request,
        )
