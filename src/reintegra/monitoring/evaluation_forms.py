"""Forms of the evaluation and learning pages: they parse; the services decide (one rule path).

Ratings and owners are parsed as numbers behind a select, so that a value the select does not offer reaches
the service and is refused there with the same field and code as through the API.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from reintegra.access.text_limits import TextLimitsMixin
from reintegra.monitoring import choices as c
from reintegra.monitoring import models as text_model
from reintegra.monitoring.evaluation_selectors import LessonFilters
from reintegra.monitoring.evaluation_services import EvaluationInput, LessonInput, RecommendationInput
from reintegra.web.forms import marked_required
from reintegra.web.widgets import DateInput

RATING_PREFIX = "ratings."


def _blank(label: Any) -> list[tuple[Any, Any]]:
    return [("", label)]


def _text(data: dict[str, Any], name: str) -> str:
    return str(data.get(name) or "")


class EvaluationForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.Evaluation,)
    kind = marked_required(
        forms.ChoiceField(label=_("Type"), required=False, choices=_blank("—") + c.EvaluationType.choices)
    )
    title = marked_required(forms.CharField(label=_("Title"), required=False, max_length=250))
    scope = forms.CharField(
        label=_("Scope"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was evaluated: period, components, places, questions."),
    )
    evaluator = forms.CharField(
        label=_("Evaluator"), required=False, max_length=200, help_text=_("The team or firm that evaluated.")
    )
    starts_on = forms.DateField(label=_("Start date"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=_("End date"), required=False, widget=DateInput())
    report = forms.FileField(
        label=_("Report"), required=False, help_text=_("PDF, DOCX or ODT, 20 MB at most. Leave empty to keep it.")
    )
    findings = forms.CharField(label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = _blank(_("Not rated")) + [(value, f"{value} · {label}") for value, label in c.Rating.choices]
        for criterion, label in c.DacCriterion.choices:
            self.fields[f"{RATING_PREFIX}{criterion}"] = forms.IntegerField(
                label=label, required=False, widget=forms.Select(choices=options)
            )

    def rating_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(RATING_PREFIX)]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith(RATING_PREFIX)]

    @classmethod
    def initial_from(cls, data: EvaluationInput) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(data, name) for name in ("kind", "title", "scope", "evaluator", "starts_on", "ends_on")
        }
        initial["findings"] = data.findings
        initial.update({f"{RATING_PREFIX}{k}": v for k, v in data.ratings.items()})
        return initial

    def to_input(self) -> EvaluationInput:
        data = self.cleaned_data
        ratings = {
            name.removeprefix(RATING_PREFIX): data.get(name)
            for name in self.fields
            if name.startswith(RATING_PREFIX) and data.get(name) is not None
        }
        return EvaluationInput(
            kind=_text(data, "kind"),
            title=_text(data, "title"),
            scope=_text(data, "scope"),
            evaluator=_text(data, "evaluator"),
            starts_on=data.get("starts_on"),
            ends_on=data.get("ends_on"),
            ratings=ratings,
            findings=_text(data, "findings"),
            report=data.get("report") or None,
        )


class RecommendationForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.Recommendation,)
    text = marked_required(
        forms.CharField(label=_("Recommendation"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    )
    decision = forms.ChoiceField(label=_("Management response"), required=False, choices=c.ResponseDecision.choices)
    action = forms.CharField(
        label=_("Action"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the programme will do; required when the recommendation is accepted."),
    )
    owner = forms.IntegerField(label=_("Owner"), required=False, widget=forms.Select())
    due_on = forms.DateField(label=_("Due date"), required=False, widget=DateInput())
    status = forms.ChoiceField(label=_("Status of the action"), required=False, choices=c.ActionStatus.choices)

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.Select, self.fields["owner"].widget).choices = _blank("—") + people

    @classmethod
    def initial_from(cls, data: RecommendationInput) -> dict[str, Any]:
        return dict(data.__dict__)

    def to_input(self) -> RecommendationInput:
        data = self.cleaned_data
        return RecommendationInput(
            text=_text(data, "text"),
            decision=_text(data, "decision"),
            action=_text(data, "action"),
            owner=data.get("owner"),
            due_on=data.get("due_on"),
            status=_text(data, "status") or c.ActionStatus.NOT_STARTED,
        )


def split_themes(raw: str) -> list[str]:
    return [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]


class LessonForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.Lesson,)
    title = marked_required(forms.CharField(label=_("Title"), required=False, max_length=250))
    body = marked_required(forms.CharField(label=_("Lesson"), required=False, widget=forms.Textarea(attrs={"rows": 8})))
    level = forms.ChoiceField(label=_("Level"), required=False, choices=_blank("—") + c.ApproachLevel.choices)
    dimension = forms.ChoiceField(label=_("Dimension"), required=False, choices=_blank("—") + c.ResultDimension.choices)
    country = forms.ChoiceField(label=_("Country"), required=False)
    themes = forms.CharField(
        label=_("Themes"),
        required=False,
        max_length=1500,
        help_text=_("Separated by commas, e.g. employment, mental health, documentation."),
    )
    evaluation = forms.IntegerField(label=_("From the evaluation"), required=False, widget=forms.Select())
    recorded_on = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    is_shared = forms.BooleanField(
        label=_("Share with the other organisations on the platform"),
        required=False,
        initial=True,
        help_text=_("Lessons hold no personal data; shared ones appear as lessons from similar programmes."),
    )

    def __init__(self, *args: Any, evaluations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = _blank("—") + list(countries)
        cast(forms.Select, self.fields["evaluation"].widget).choices = _blank("—") + evaluations

    @classmethod
    def initial_from(cls, data: LessonInput) -> dict[str, Any]:
        initial = dict(data.__dict__)
        initial["themes"] = ", ".join(data.themes)
        return initial

    def to_input(self) -> LessonInput:
        data = self.cleaned_data
        return LessonInput(
            title=_text(data, "title"),
            body=_text(data, "body"),
            level=_text(data, "level"),
            dimension=_text(data, "dimension"),
            country=_text(data, "country"),
            themes=split_themes(_text(data, "themes")),
            evaluation=data.get("evaluation"),
            recorded_on=data.get("recorded_on"),
            is_shared=bool(data.get("is_shared")),
        )


class LessonFilterForm(forms.Form):
    search = forms.CharField(label=_("Search"), required=False, max_length=200)
    programme = forms.TypedChoiceField(label=_("Programme"), required=False, coerce=int, empty_value=None)
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=_blank(_("All levels")) + c.ApproachLevel.choices
    )
    dimension = forms.ChoiceField(
        label=_("Dimension"), required=False, choices=_blank(_("All dimensions")) + c.ResultDimension.choices
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    theme = forms.CharField(label=_("Theme"), required=False, max_length=60)

    def __init__(self, *args: Any, programmes: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["programme"]).choices = _blank(_("All programmes")) + programmes
        cast(forms.ChoiceField, self.fields["country"]).choices = _blank(_("All countries")) + list(countries)
        self.fields["search"].widget.attrs.update({"type": "search", "placeholder": _("Words of the lesson…")})

    def filters(self) -> LessonFilters:
        """The valid filters; an invalid one is ignored (and named by `invalid_fields`)."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return LessonFilters(
            search=_text(data, "search"),
            programme=data.get("programme"),
            level=_text(data, "level"),
            dimension=_text(data, "dimension"),
            country=_text(data, "country"),
            theme=_text(data, "theme"),
        )

    def invalid_fields(self) -> list[str]:
        return [str(self.fields[name].label) for name in self.errors]
