"""Forms of the web UI. The round form is generated from the instrument version's definition."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from reintegra.access.models import Programme
from reintegra.sustainability.choices import Dimension
from reintegra.sustainability.definition import Definition, label
from reintegra.sustainability.models import FeasibilityApproach, InstrumentVersion
from reintegra.sustainability.services import RoundInput
from reintegra.web.forms import marked_required
from reintegra.web.widgets import DateInput

ANSWER_PREFIX = "q_"


class RoundForm(forms.Form):
    """Date, scheduled round and one field per question of the version (labels in the user's language)."""

    taken_on = forms.DateField(label=_("Survey date"), widget=DateInput(), initial=timezone.localdate)
    round_month = forms.TypedChoiceField(label=_("Round"), coerce=int, empty_value=None, required=False)

    def __init__(
        self, *args: Any, version: InstrumentVersion, months: list[int], done: set[int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        self.definition: Definition = version.parsed()
        language = get_language() or "es"
        choices: list[tuple[Any, Any]] = [("", _("From the date (or unscheduled)"))]
        for month in months:
            name = _("Baseline") if month == 0 else _("%(month)s months") % {"month": month}
            if month in done:
                continue
            choices.append((month, name))
        self.fields["round_month"].choices = choices  # type: ignore[attr-defined]
        self.question_fields = add_answer_fields(self, self.definition, language)

    def service_names(self) -> dict[str, str]:
        """The service's field names → this form's: an answer is "answers.<code>", the date "date"."""
        return {"date": "taken_on", **answer_names(self.definition)}

    def sections(self) -> list[dict[str, Any]]:
        names = dict(Dimension.choices)
        return [
            {"key": key, "label": names.get(key, _("Other questions")), "fields": [self[n] for n in fields]}
            for key, fields in self.question_fields.items()
        ]

    def answers(self) -> dict[str, Any]:
        return answers_of(self, self.definition)

    def to_input(self) -> RoundInput:
        return RoundInput(
            instrument=self.version.instrument.code,
            version=self.version.number,
            taken_on=self.cleaned_data["taken_on"],
            round_month=self.cleaned_data["round_month"],
            answers=self.answers(),
        )


def add_answer_fields(form: forms.Form, definition: Definition, language: str) -> dict[str, list[str]]:
    """One field per question of `definition` on `form` (labels in `language`); the field names by dimension
    ("other" for what is not scored). The round form's and any other subject's response form's (the community
    perception survey)."""
    by_dimension: dict[str, list[str]] = {}
    for q in definition.questions:
        name = ANSWER_PREFIX + q.code
        field = _answer_field(q.type, [(o.code, label(o.labels, language)) for o in q.options])
        field.label, field.help_text = label(q.labels, language), label(q.hint, language) if q.hint else ""
        # A required question is the service's rule (scoring.clean_answers): marked here, refused there.
        form.fields[name] = marked_required(field) if q.required else field
        by_dimension.setdefault(q.dimension or "other", []).append(name)
    return by_dimension


def answer_names(definition: Definition) -> dict[str, str]:
    """The service's name of an answer ("answers.<code>") → its field's on a form of `add_answer_fields`."""
    return {f"answers.{q.code}": ANSWER_PREFIX + q.code for q in definition.questions}


def answers_of(form: forms.Form, definition: Definition) -> dict[str, Any]:
    """The answers given on a valid form of `add_answer_fields`, by question code (blank ones left out)."""
    result: dict[str, Any] = {}
    for q in definition.questions:
        value = form.cleaned_data.get(ANSWER_PREFIX + q.code)
        if value in (None, "", []):
            continue
        result[q.code] = str(value) if q.type == "number" else value
    return result


def _answer_field(kind: str, options: list[tuple[str, str]]) -> forms.Field:
    """The field that reads one answer (its type only: whether it is required is the service's rule)."""
    if kind == "single":
        return forms.ChoiceField(choices=options, required=False, widget=forms.RadioSelect)
    if kind == "multiple":
        return forms.MultipleChoiceField(choices=options, required=False, widget=forms.CheckboxSelectMultiple)
    if kind == "number":
        return forms.DecimalField(required=False)
    if kind == "date":
        return forms.DateField(required=False, widget=DateInput())
    return forms.CharField(required=False, max_length=2000)


class RescoreForm(forms.Form):
    version = forms.ModelChoiceField(label=_("Instrument version"), queryset=InstrumentVersion.objects.none())

    def __init__(self, *args: Any, versions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["version"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = versions
        field.label_from_instance = lambda v: f"v{v.number}"  # type: ignore[method-assign,assignment]


class UploadForm(forms.Form):
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none())
    file = forms.FileField(
        label=_("File"),
        help_text=_("An instrument definition (YAML or JSON) or an XLSForm (.xlsx)."),
    )
    publish = forms.BooleanField(label=_("Publish now (a published version can no longer change)"), required=False)

    def __init__(self, *args: Any, programmes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = programmes
        if programmes.count() == 1:
            field.initial = programmes.first()


class SubmissionsForm(forms.Form):
    file = forms.FileField(
        label=_("Submissions file"),
        help_text=_("Export from KoboToolbox or ODK Central, as CSV, XLSX or JSON."),
    )


class DraftForm(forms.Form):
    definition = forms.CharField(
        label=_("Definition (YAML)"),
        widget=forms.Textarea(attrs={"rows": 30, "class": "code", "spellcheck": "false"}),
        help_text=_(
            "Give each option a score between 0 and 1 (or missing: true), each question its dimension and weights."
        ),
    )


class ApproachForm(forms.ModelForm[FeasibilityApproach]):
    class Meta:
        model = FeasibilityApproach
        fields = [
            "dimension",
            "approach",
            "useful_for",
            "criteria_individual",
            "criteria_community",
            "criteria_structural",
            "position",
            "is_active",
        ]


class GridImportForm(forms.Form):
    file = forms.FileField(
        label=_("Grid file"),
        help_text=_(
            "CSV, XLSX or YAML with the columns dimension, approach, useful_for, individual, community, structural."
        ),
    )
