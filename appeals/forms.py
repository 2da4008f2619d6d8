"""HTML forms of the appeals pages. They check the shape of what was typed (lengths, markup, choices) and
hand the result to the services, which check the rules."""

import re
from collections import defaultdict
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from appeals.models import (
    GONE_TASK_STATUSES,
    Appeal,
    AppealKind,
    AppealSource,
    Callback,
    Category,
    DeadlinePolicy,
    RiskColour,
    Satisfaction,
    TaskRole,
)
from appeals.permissions import appeals_visible_to
from appeals.services import AppealDraft, Reporter, policy_for, routing_suggest
from core.forms import PlainTextField
from geo.models import Region
from org.models import Unit, User
from org.permissions import regions_visible_to, units_visible_to

PHONE = re.compile(r"^\+?[0-9][0-9\- ]{5,18}[0-9]$")
ID_NUMBER = re.compile(r"^(\d{17}[0-9Xx]|\d{15})$")
CODE = re.compile(r"^\d{6}-\d{4}-\d{6}$")

# Columns the service writes the text into, and what the longest prefix it adds leaves room for.
REASON_MAX = 480
REPLY_MAX = 2000
NOTE_MAX = 1000


def _set_choices(field: forms.Field, choices: list[tuple[Any, Any]]) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def category_choices() -> list[tuple[str, Any]]:
    """Active categories as optgroups per level-1 category; a level-1 without children is itself a choice."""
    categories = list(Category.objects.filter(is_active=True).order_by("sort_order", "code"))
    children: dict[int, list[Category]] = defaultdict(list)
    for category in categories:
        if category.parent_id:
            children[category.parent_id].append(category)
    choices: list[tuple[str, Any]] = [("", "---------")]
    for category in categories:
        if category.parent_id:
            continue
        kids = children.get(category.pk)
        if kids:
            choices.append((category.name, [(c.code, c.name) for c in kids]))
        else:
            choices.append((category.code, category.name))
    return choices


def region_options(user: User) -> list[tuple[str, str]]:
    """The villages and communities in the user's scope, for the region field's datalist."""
    villages = (
        regions_visible_to(user)
        .filter(level=Region.Level.VILLAGE)
        .select_related("parent", "parent__parent")
        .order_by("code")
    )
    options = []
    for village in villages:
        township = village.parent
        county = township.parent if township else None
        path = [r.name for r in (county, township) if r is not None]
        options.append((village.code, " ".join([*path, village.name])))
    return options


class RegisterForm(forms.Form):
    """登记: what a cadre takes down when a citizen raises a problem."""

    kind = forms.ChoiceField(label=_("Kind"), choices=AppealKind.choices, initial=AppealKind.REQUEST)
    source = forms.ChoiceField(label=_("Source"), choices=AppealSource.choices, initial=AppealSource.VISIT)
    title = PlainTextField(label=_("Title"), max_length=100)
    description = PlainTextField(label=_("Description"), max_length=5000, widget=_textarea(5))
    category = forms.ChoiceField(label=_("Category"))
    region_code = forms.CharField(
        label=_("Region code"),
        help_text=_("The 12-digit code of the village or community; type a name to search."),
        max_length=12,
        widget=forms.TextInput(
            attrs={"list": "region-options", "inputmode": "numeric", "autocomplete": "off"}
        ),
    )
    address = PlainTextField(label=_("Address"), max_length=200, required=False)
    parties_count = forms.IntegerField(label=_("Parties"), min_value=1, max_value=100000, initial=1)
    risk_colour = forms.ChoiceField(
        label=_("Risk colour"),
        choices=[("", _("not a dispute")), *RiskColour.choices],
        required=False,
        help_text=_("Only for disputes; a dispute without a colour is yellow."),
    )
    anonymous = forms.BooleanField(label=_("Anonymous"), required=False)
    reporter_name = PlainTextField(label=_("Reporter name"), max_length=50, required=False)
    reporter_phone = forms.CharField(
        label=_("Reporter phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    reporter_id_number = forms.CharField(label=_("Reporter ID number"), max_length=18, required=False)
    on_site_reply = PlainTextField(
        label=_("Resolved on the spot: reply to the citizen"),
        help_text=_("Leave empty unless the problem was solved during the visit."),
        max_length=REPLY_MAX,
        required=False,
        widget=_textarea(3),
    )

    REPORTER_FIELDS = ("reporter_name", "reporter_phone", "reporter_id_number")
    # The keys of the service's InvalidInput details that are not field names, and the field they belong beside.
    DETAIL_FIELDS = {"reporter": "reporter_name"}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        _set_choices(self.fields["category"], category_choices())

    def clean_region_code(self) -> str:
        code = self.cleaned_data["region_code"].strip()
        if not re.fullmatch(r"\d{12}", code):
            raise ValidationError(_("Enter the 12-digit region code."), code="region_code")
        return code

    def clean_reporter_phone(self) -> str:
        phone = self.cleaned_data["reporter_phone"].strip()
        if phone and not PHONE.fullmatch(phone):
            raise ValidationError(_("Enter a phone number of digits only."), code="phone")
        return phone

    def clean_reporter_id_number(self) -> str:
        value = self.cleaned_data["reporter_id_number"].strip().upper()
        if value and not ID_NUMBER.fullmatch(value):
            raise ValidationError(
                _("A resident ID number has 18 characters (or 15 digits)."), code="id_number"
            )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("anonymous"):
            if any(data.get(name) for name in self.REPORTER_FIELDS):
                self.add_error(
                    "anonymous", _("An anonymous appeal has no reporter data; clear those fields.")
                )
        else:
            for name in ("reporter_name", "reporter_phone"):
                if name in data and not data[name]:
                    self.add_error(name, _("Required unless the appeal is anonymous."))
        if data.get("risk_colour") and data.get("kind") != AppealKind.DISPUTE:
            self.add_error("risk_colour", _("Only disputes carry a risk colour."))
        return data

    def draft(self) -> AppealDraft:
        d = self.cleaned_data
        return AppealDraft(
            kind=d["kind"],
            source=d["source"],
            title=d["title"],
            description=d["description"],
            region_code=d["region_code"],
            category_code=d["category"],
            risk_colour=d["risk_colour"],
            address=d["address"],
            parties_count=d["parties_count"],
            anonymous=d["anonymous"],
            reporter=Reporter(
                name=d["reporter_name"], phone=d["reporter_phone"], id_number=d["reporter_id_number"]
            ),
        )


# --- the workflow actions on the appeal page ------------------------------------------------------------


class ActionForm(forms.Form):
    """One action on one appeal; `version` is the one the person saw, so a concurrent change is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, user: User, appeal: Appeal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.appeal = appeal
        if not self.is_bound:
            self.initial.setdefault("version", appeal.version)


class AcceptForm(ActionForm):
    pass


class ReasonForm(ActionForm):
    reason = PlainTextField(label=_("Reason"), max_length=REASON_MAX, widget=_textarea(2))


class CloseForm(ActionForm):
    reason = PlainTextField(label=_("Reason"), max_length=REASON_MAX, required=False, widget=_textarea(2))


class ExtendForm(ActionForm):
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=60)
    reason = PlainTextField(label=_("Reason"), max_length=REASON_MAX, widget=_textarea(2))


class DecideExtensionForm(ActionForm):
    note = PlainTextField(label=_("Note"), max_length=REASON_MAX, required=False, widget=_textarea(2))


class NoteForm(ActionForm):
    text = PlainTextField(label=_("Progress note"), max_length=NOTE_MAX, widget=_textarea(3))


class ReplyForm(ActionForm):
    reply = PlainTextField(label=_("Reply to the citizen"), max_length=REPLY_MAX, widget=_textarea(5))


class SuperviseForm(ActionForm):
    reason = PlainTextField(label=_("Reason"), max_length=REASON_MAX, widget=_textarea(2))
    days = forms.IntegerField(
        label=_("Reply within (working days)"), min_value=1, max_value=60, required=False
    )


class CallbackForm(ActionForm):
    solved = forms.TypedChoiceField(
        label=_("Solved?"),
        choices=[("yes", _("yes")), ("no", _("no"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    satisfaction = forms.ChoiceField(
        label=_("Satisfaction"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    method = forms.ChoiceField(
        label=_("Method"), choices=Callback.Method.choices, initial=Callback.Method.PHONE
    )
    note = PlainTextField(label=_("Note"), max_length=REASON_MAX, required=False, widget=_textarea(2))


class MergeForm(ActionForm):
    into = forms.CharField(
        label=_("Original appeal"),
        help_text=_("Its tracking code (522701-2027-000123) or its number."),
        max_length=24,
    )

    def clean_into(self) -> Appeal:
        value = self.cleaned_data["into"].strip()
        visible = appeals_visible_to(self.user)
        target = None
        if CODE.fullmatch(value):
            target = visible.filter(code=value).first()
        elif value.isdigit():
            target = visible.filter(pk=int(value)).first()
        if target is None:
            raise ValidationError(
                _("No appeal with this tracking code or number in your scope."), code="into"
            )
        return target


def unit_choices(user: User) -> list[tuple[str, Any]]:
    """The active units the user may assign to, grouped by their region."""
    units = (
        units_visible_to(user).filter(is_active=True).select_related("region").order_by("region_id", "name")
    )
    groups: dict[str, list[tuple[int, str]]] = {}
    for unit in units:
        groups.setdefault(unit.region.name, []).append((unit.pk, unit.name))
    return list(groups.items())


class AssignForm(ActionForm):
    lead_unit = forms.TypedChoiceField(label=_("Lead unit"), coerce=int)
    co_units = forms.TypedMultipleChoiceField(
        label=_("Co-units"),
        coerce=int,
        required=False,
        help_text=_("Hold Ctrl (or tap on a phone) to choose several."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    policy = forms.ChoiceField(label=_("Deadline policy"), required=False)

    def __init__(self, *args: Any, user: User, appeal: Appeal, **kwargs: Any) -> None:
        super().__init__(*args, user=user, appeal=appeal, **kwargs)
        choices = unit_choices(user)
        _set_choices(self.fields["lead_unit"], [("", "---------"), *choices])
        _set_choices(self.fields["co_units"], choices)
        default = policy_for(appeal=appeal)
        policies = DeadlinePolicy.objects.filter(is_active=True).order_by("code")
        _set_choices(
            self.fields["policy"],
            [("", _("Default: %(name)s") % {"name": default.name}), *[(p.code, p.name) for p in policies]],
        )
        if not self.is_bound:
            suggestion = routing_suggest(appeal=appeal)
            self.suggestion: list[Unit] = [
                u for u in [suggestion.lead, *suggestion.co_units] if u is not None
            ]
            if suggestion.lead is not None:
                self.initial.setdefault("lead_unit", suggestion.lead.pk)
            self.initial.setdefault("co_units", [u.pk for u in suggestion.co_units])
        else:
            self.suggestion = []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lead, co = data.get("lead_unit"), data.get("co_units") or []
        if lead is not None and lead in co:
            self.add_error("co_units", _("The lead unit cannot also be a co-unit."))
        return data


class ReclassifyForm(ActionForm):
    """改类: the current classification is the starting point; change what is wrong."""

    category = forms.ChoiceField(label=_("Category"))
    kind = forms.ChoiceField(label=_("Kind"), choices=AppealKind.choices)
    risk_colour = forms.ChoiceField(
        label=_("Risk colour"),
        choices=[("", _("none")), *RiskColour.choices],
        required=False,
        help_text=_("Disputes only: re-grade the dispute's risk."),
    )
    reason = PlainTextField(label=_("Reason"), max_length=REASON_MAX, widget=_textarea(2))

    def __init__(self, *args: Any, user: User, appeal: Appeal, **kwargs: Any) -> None:
        super().__init__(*args, user=user, appeal=appeal, **kwargs)
        _set_choices(self.fields["category"], category_choices())
        if not self.is_bound:
            self.initial.update(
                category=appeal.category.code, kind=appeal.kind, risk_colour=appeal.risk_colour
            )


class CoUnitsForm(ActionForm):
    """调整配合单位: units to add and co-units to drop."""

    add = forms.TypedMultipleChoiceField(
        label=_("Add co-units"),
        coerce=int,
        required=False,
        help_text=_("Hold Ctrl (or tap on a phone) to choose several."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    remove = forms.TypedMultipleChoiceField(
        label=_("Drop co-units"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = PlainTextField(label=_("Reason"), max_length=REASON_MAX, widget=_textarea(2))

    def __init__(self, *args: Any, user: User, appeal: Appeal, **kwargs: Any) -> None:
        super().__init__(*args, user=user, appeal=appeal, **kwargs)
        _set_choices(self.fields["add"], unit_choices(user))
        current = appeal.tasks.filter(role=TaskRole.CO).exclude(status__in=GONE_TASK_STATUSES)
        _set_choices(
            self.fields["remove"], [(t.unit_id, t.unit.name) for t in current.select_related("unit")]
        )
