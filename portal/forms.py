"""The citizen's forms. The categories are a short list in plain words, each mapped to the internal taxonomy
(appeals' reference data); the dispatcher reclassifies when the citizen's choice was not the right one."""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from appeals.models import AppealKind, Satisfaction
from core.forms import PlainTextField
from portal.services import PERIOD_BACKWARDS


@dataclass(frozen=True)
class PlainCategory:
    code: str
    label: object
    category: str  # the internal category code
    kind: str


PROBLEMS = [
    PlainCategory("wages", _("Unpaid wages"), "labour.wage_arrears", AppealKind.REQUEST),
    PlainCategory("land", _("Land, forest or house plot"), "land.ownership", AppealKind.DISPUTE),
    PlainCategory(
        "neighbours", _("Quarrel with neighbours or in the family"), "neighbour.dispute", AppealKind.DISPUTE
    ),
    PlainCategory("fraud", _("Fraud, theft or public order"), "security.public_order", AppealKind.REQUEST),
    PlainCategory(
        "roads", _("Roads, drinking water, electricity"), "infrastructure.roads", AppealKind.REQUEST
    ),
    PlainCategory("school", _("School and tuition"), "education.enrolment", AppealKind.REQUEST),
    PlainCategory("health", _("Doctors and medical insurance"), "health.insurance", AppealKind.REQUEST),
    PlainCategory(
        "welfare", _("Subsistence allowance, elderly care, relief"), "welfare.assistance", AppealKind.REQUEST
    ),
    PlainCategory("environment", _("Pollution or noise"), "environment.pollution", AppealKind.REQUEST),
    PlainCategory("shopping", _("Shopping and food safety"), "market.consumer", AppealKind.REQUEST),
    PlainCategory(
        "officials", _("Officials' conduct, village affairs"), "governance.conduct", AppealKind.REQUEST
    ),
    PlainCategory("legal", _("Lawsuits and legal help"), "justice.legal_aid", AppealKind.REQUEST),
    PlainCategory("other", _("Something else"), "other.other", AppealKind.REQUEST),
]
SUGGESTIONS = [
    PlainCategory(
        "development", _("How our place could develop"), "suggestion.development", AppealKind.SUGGESTION
    ),
    PlainCategory(
        "services", _("Better public services"), "suggestion.public_service", AppealKind.SUGGESTION
    ),
]
PLAIN = {c.code: c for c in PROBLEMS + SUGGESTIONS}


class PlaceAndContactForm(forms.Form):
    """What the submit and the consultation forms share (portal/_place.html, portal/_contact.html): the place
    picked county → township → village, the contact or anonymous, and the proof-of-work challenge. The cleaned
    data gets `region_code`, the finest place chosen; an anonymous sender's name and phone are dropped."""

    county = forms.CharField(label=_("County"), max_length=12, required=False)
    township = forms.CharField(label=_("Township"), max_length=12, required=False)
    village = forms.CharField(label=_("Village or community"), max_length=12, required=False)
    anonymous = forms.BooleanField(label=_("Anonymous (no reply by phone)"), required=False)
    name = PlainTextField(label=_("Your name"), max_length=20, required=False)
    phone = forms.RegexField(
        label=_("Mobile phone"),
        regex=r"^1[3-9]\d{9}$",
        required=False,
        error_messages={"invalid": _("Enter an 11-digit mobile number")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )
    challenge = forms.CharField(widget=forms.HiddenInput, max_length=400)
    answer = forms.CharField(widget=forms.HiddenInput, max_length=12, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        place = data.get("village") or data.get("township") or data.get("county")
        if not place:
            self.add_error("village", _("Choose the place"))
        data["region_code"] = place
        if not data.get("anonymous") and not (data.get("name") and data.get("phone")):
            self.add_error("phone", _("Leave your name and mobile phone, or choose anonymous"))
        if data.get("anonymous"):
            data["name"] = data["phone"] = ""
        return data


class SubmitForm(PlaceAndContactForm):
    kind = forms.ChoiceField(
        label=_("What do you want to do?"),
        choices=[("problem", _("Report a problem")), ("suggestion", _("Make a suggestion"))],
        widget=forms.RadioSelect,
        initial="problem",
    )
    topic = forms.ChoiceField(
        label=_("What is it about?"), choices=[(c.code, c.label) for c in PROBLEMS + SUGGESTIONS]
    )
    latitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, min_value=-90, max_value=90)
    longitude = forms.DecimalField(
        required=False, max_digits=9, decimal_places=6, min_value=-180, max_value=180
    )
    text = PlainTextField(
        label=_("What happened, or what do you suggest?"),
        max_length=2000,
        min_length=10,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"min_length": _("Please write a few sentences, at least 10 characters")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        topic = PLAIN.get(str(data.get("topic", "")))
        if topic is not None and (data.get("kind") == "suggestion") != (topic.kind == AppealKind.SUGGESTION):
            self.add_error("topic", _("Choose a topic of this kind"))
        return data


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=24)
    secret = forms.CharField(label=_("Secret"), max_length=16, widget=forms.PasswordInput(render_value=True))


class RateForm(TrackForm):
    solved = forms.TypedChoiceField(
        label=_("Was the problem solved?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    satisfaction = forms.ChoiceField(
        label=_("Are you satisfied with the handling?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    note = PlainTextField(label=_("Anything to add?"), max_length=300, required=False)


class ConsultationForm(PlaceAndContactForm):
    """The consultation's questions as fields q0…q4, then the place and the contact as on the submit form."""

    def __init__(self, *args: Any, questions: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i, question in enumerate(questions):
            choices = question.get("choices") or []
            name = f"q{i}"
            if choices:
                self.fields[name] = forms.ChoiceField(
                    label=question["text"],
                    choices=[(c, c) for c in choices],
                    widget=forms.RadioSelect,
                    required=False,
                )
            else:
                self.fields[name] = PlainTextField(
                    label=question["text"],
                    max_length=500,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
        self.question_names = [f"q{i}" for i in range(len(questions))]

    def question_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.question_names]


QUESTION_SLOTS = 5
QUESTION_KINDS = [("text", _("Free text")), ("choice", _("Choice"))]


class ConsultationEditForm(forms.Form):
    """A unit's consultation: topic, period, text and up to five questions (q0…q4), each free text or a choice
    among the lines of its choices box; the unit is chosen only when creating. Once answered, the questions are
    shown but not taken (disabled): the service keeps them as asked."""

    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    title = PlainTextField(label=_("Topic"), max_length=100)
    starts = forms.DateField(
        label=_("Starts"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends = forms.DateField(
        label=_("Ends (last day)"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    text = PlainTextField(label=_("Text"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(
        self,
        *args: Any,
        units: list[tuple[int, str]] | None = None,
        questions_frozen: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["unit"]
        else:
            unit_field = self.fields["unit"]
            assert isinstance(unit_field, forms.TypedChoiceField)
            unit_field.choices = units
        for i in range(QUESTION_SLOTS):
            self.fields[f"q{i}_text"] = PlainTextField(
                label=_("Question text"), max_length=200, required=False
            )
            self.fields[f"q{i}_kind"] = forms.ChoiceField(
                label=_("Question type"), choices=QUESTION_KINDS, initial="text", required=False
            )
            self.fields[f"q{i}_choices"] = forms.CharField(
                label=_("Choices, one per line"),
                max_length=800,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            if questions_frozen:
                for part in ("text", "kind", "choices"):
                    self.fields[f"q{i}_{part}"].disabled = True
        self.questions_frozen = questions_frozen

    @staticmethod
    def initial_for(consultation: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "unit": consultation.unit_id,
            "title": consultation.title,
            "starts": consultation.starts,
            "ends": consultation.ends,
            "text": consultation.text,
        }
        for i, question in enumerate(consultation.questions):
            choices = question.get("choices") or []
            initial[f"q{i}_text"] = question["text"]
            initial[f"q{i}_kind"] = "choice" if choices else "text"
            initial[f"q{i}_choices"] = "\n".join(choices)
        return initial

    def slots(self) -> list[tuple[int, forms.BoundField, forms.BoundField, forms.BoundField]]:
        """(number, text, kind, choices) of each question slot, for the page."""
        return [
            (i + 1, self[f"q{i}_text"], self[f"q{i}_kind"], self[f"q{i}_choices"])
            for i in range(QUESTION_SLOTS)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts"), data.get("ends")
        if starts and ends and ends < starts:
            # The service's own refusal, said here too so that every mistake shows on the first try.
            self.add_error("ends", PERIOD_BACKWARDS)
        for i in range(QUESTION_SLOTS):
            lines = [line for line in (data.get(f"q{i}_choices") or "").splitlines() if line.strip()]
            if data.get(f"q{i}_kind") == "choice" and data.get(f"q{i}_text") and len(lines) < 2:
                self.add_error(f"q{i}_choices", _("A choice question needs 2 to 8 choices, one per line."))
        return data

    def questions(self) -> list[dict[str, Any]]:
        """The filled-in slots in order; a choice question's choices are its non-blank lines."""
        data = self.cleaned_data
        found: list[dict[str, Any]] = []
        for i in range(QUESTION_SLOTS):
            text, kind = data.get(f"q{i}_text") or "", data.get(f"q{i}_kind") or "text"
            lines = [line.strip() for line in (data.get(f"q{i}_choices") or "").splitlines() if line.strip()]
            if not text and not (kind == "choice" and lines):
                continue
            found.append({"text": text, "choices": lines if kind == "choice" else []})
        return found
