"""Form fields every app's HTML forms share."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from core.text import plain_text


class PlainTextField(forms.CharField):
    """Free text shown as plain text everywhere: the length and markup rules of core.text.plain_text."""

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plain_max_length = max_length
        self.widget.attrs["maxlength"] = str(max_length)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if not value:
            return ""
        try:
            return plain_text(value, max_length=self.plain_max_length, required=self.required)
        except ValueError as exc:
            raise ValidationError(str(exc), code="plain_text") from None
