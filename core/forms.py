"""Form fields every app's HTML forms share."""

from datetime import date, timedelta
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


class LastDayField(forms.DateField):
    """The end of a statistical period as people read it, its inclusive last day, rendered as YYYY-MM-DD for
    <input type=date> in every locale; the cleaned value is the exclusive end the code keeps (core.period)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        # A date here is the exclusive end given as initial data; what was typed comes back as text, as typed.
        return value - timedelta(days=1) if isinstance(value, date) else value

    def to_python(self, value: Any) -> date | None:
        day = super().to_python(value)
        return None if day is None else day + timedelta(days=1)
