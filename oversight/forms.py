"""HTML forms of the oversight pages. They check the shape of what was typed and hand it to the services,
which check the rules; appeals are named by their tracking codes, one per line or separated by commas."""

import re
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from appeals.models import Appeal, Category
from appeals.permissions import appeals_visible_to
from core.forms import LastDayField, PlainTextField
from insights.selectors.metrics import DEFINITIONS
from org.models import User
from oversight.models import Notice, RectificationSource
from oversight.permissions import notice_regions, notices_citable_by, overseeable_units

SEPARATORS = re.compile(r"[\s,，、;；]+")


def _textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _day() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _set_choices(field: forms.Field, choices: list[tuple[Any, Any]]) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class AppealCodesField(forms.CharField):
    """Tracking codes of appeals the user may see; the cleaned value is the appeals."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, widget=_textarea(2), max_length=2000, **kwargs)
        self.user: User | None = None

    def clean(self, value: Any) -> list[Appeal]:
        text = super().clean(value)
        codes = [c for c in SEPARATORS.split(text or "") if c]
        if not codes:
            return []
        if len(codes) > 50:
            raise ValidationError(_("At most 50 appeals."))
        assert self.user is not None
        found = {a.code: a for a in appeals_visible_to(self.user).filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise ValidationError(_("No such appeal: %(codes)s") % {"codes": "、".join(missing[:5])})
        return list(found.values())


class OverseerForm(forms.Form):
    """A form whose `unit` lists the units the user oversees."""

    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        units = overseeable_units(user).order_by("region_id", "kind")
        _set_choices(self.fields["unit"], [("", "—"), *((u.pk, u.name) for u in units)])
        for field in self.fields.values():
            if isinstance(field, AppealCodesField):
                field.user = user


class PrefillForm(OverseerForm):
    """The unit and the period whose metrics give the interview's reasons."""

    starts = forms.DateField(label=_("Period from"), widget=_day())
    ends = LastDayField(label=_("Period to (last day)"))


class InterviewForm(OverseerForm):
    starts = forms.DateField(label=_("Period from"), required=False, widget=_day())
    ends = LastDayField(label=_("Period to (last day)"), required=False)
    reasons = forms.MultipleChoiceField(
        label=_("Metrics that fell short"),
        required=False,
        choices=[(key, d.label) for key, d in DEFINITIONS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    held_on = forms.DateField(label=_("Held on"), widget=_day())
    place = PlainTextField(label=_("Venue"), max_length=200)
    interviewers = PlainTextField(label=_("Interviewers"), max_length=200)
    interviewee = PlainTextField(
        label=_("Interviewee"), max_length=100, help_text=_("The unit's responsible person.")
    )
    summary = PlainTextField(label=_("Summary"), max_length=5000, required=False, widget=_textarea(4))
    commitments = forms.CharField(
        label=_("Commitments"), widget=_textarea(4), max_length=10000, help_text=_("One per line.")
    )
    follow_up_due = forms.DateField(label=_("Follow-up due"), widget=_day())
    notice = forms.TypedChoiceField(label=_("Notice"), coerce=int, required=False, empty_value=None)
    appeals = AppealCodesField(
        label=_("Linked appeals"), help_text=_("Tracking codes, one per line or separated by commas.")
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        notices = notices_citable_by(user).order_by("-published_at", "-id")
        _set_choices(self.fields["notice"], [("", "—"), *((n.pk, _notice_label(n)) for n in notices[:100])])

    def clean_commitments(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["commitments"].splitlines() if line.strip()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reasons") and not (data.get("starts") and data.get("ends")):
            self.add_error("ends", _("Give the period of the metrics."))
        return data


def _notice_label(notice: Notice) -> str:
    return f"{notice.number} {notice.title}".strip()


class InterviewHoldForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    summary = PlainTextField(label=_("Summary"), max_length=5000, widget=_textarea(4))


class FollowUpForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    on = forms.DateField(label=_("Date"), widget=_day(), initial=date.today)
    note = PlainTextField(label=_("Note"), max_length=2000, widget=_textarea(3))


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RectificationForm(OverseerForm):
    source = forms.ChoiceField(label=_("Source"), choices=RectificationSource.choices)
    problem = PlainTextField(label=_("Problem"), max_length=2000, widget=_textarea(3))
    measures = PlainTextField(label=_("Measures"), max_length=5000, required=False, widget=_textarea(3))
    due = forms.DateField(label=_("Due"), widget=_day())
    interview = forms.IntegerField(widget=forms.HiddenInput, required=False)
    appeals = AppealCodesField(
        label=_("Linked appeals"), help_text=_("Tracking codes, one per line or separated by commas.")
    )


class ProgressForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    note = PlainTextField(label=_("Progress"), max_length=2000, widget=_textarea(3))
    done = forms.BooleanField(label=_("The rectification is finished"), required=False)


class VerifyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    note = PlainTextField(label=_("Verification note"), max_length=2000, widget=_textarea(3))
    passed = forms.TypedChoiceField(
        label=_("Result"),
        coerce=lambda v: v == "1",
        choices=[("1", _("Verified")), ("0", _("Not verified: back to in progress"))],
        widget=forms.RadioSelect,
    )


class PracticeForm(OverseerForm):
    title = PlainTextField(label=_("Title"), max_length=200)
    summary = PlainTextField(label=_("Summary"), max_length=500, widget=_textarea(2))
    body = PlainTextField(label=_("Body"), max_length=20000, required=False, widget=_textarea(10))
    category = forms.TypedChoiceField(label=_("Category"), coerce=int, required=False, empty_value=None)
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=300, help_text=_("Separated by commas.")
    )
    period_starts = forms.DateField(label=_("Period from"), widget=_day())
    period_ends = LastDayField(label=_("Period to (last day)"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        categories = Category.objects.filter(is_active=True).select_related("parent")
        _set_choices(self.fields["category"], [("", "—"), *((c.pk, str(c)) for c in categories)])

    def clean_tags(self) -> list[str]:
        return [t for t in re.split(r"[,，、]+", self.cleaned_data["tags"]) if t.strip()]


class NoticeForm(forms.Form):
    starts = forms.DateField(label=_("Period from"), widget=_day())
    ends = LastDayField(
        label=_("Period to (last day)"), help_text=_("The last day the notice counts, itself included.")
    )
    region = forms.ChoiceField(label=_("Region"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(r.code, r.name) for r in notice_regions(user)]
