"""Forms of the catalogue pages: filters, an action, an import file."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from reintegra.access.text_limits import TextLimitsMixin
from reintegra.regional import models as text_model
from reintegra.regional.choices import Dimension, EvaluationStatus, FundingSource, InstitutionKind, InterventionLevel
from reintegra.regional.models import Institution
from reintegra.regional.selectors import ActionFilters
from reintegra.regional.services import INPUT_FIELDS, ActionInput
from reintegra.web.forms import marked_required
from reintegra.web.widgets import DateInput


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class ActionFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    country = forms.ChoiceField(label=_("Country"), required=False)
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=_blank(_("All levels")) + InterventionLevel.choices
    )
    dimension = forms.ChoiceField(
        label=_("Dimension"), required=False, choices=_blank(_("All dimensions")) + Dimension.choices
    )
    institution = forms.ModelChoiceField(
        label=_("Institution"), required=False, queryset=Institution.objects.none(), empty_label=_("All institutions")
    )
    funding_source = forms.ChoiceField(
        label=_("Funding source"), required=False, choices=_blank(_("All sources")) + FundingSource.choices
    )
    evaluation_status = forms.ChoiceField(
        label=_("Evaluation status"), required=False, choices=_blank(_("All statuses")) + EvaluationStatus.choices
    )

    def __init__(self, *args: Any, country_choices: list[tuple[str, str]], institutions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = _blank(_("All countries")) + country_choices
        cast("forms.ModelChoiceField[Any]", self.fields["institution"]).queryset = institutions
        self.fields["q"].widget.attrs.update({"type": "search", "placeholder": _("Name, description, institution…")})

    def filters(self) -> ActionFilters:
        """The valid filters; an invalid one is ignored (and named by `invalid_fields`)."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        institution = data.get("institution")
        return ActionFilters(
            country=data.get("country") or None,
            level=data.get("level") or None,
            dimension=data.get("dimension") or None,
            institution=institution.pk if institution else None,
            funding_source=data.get("funding_source") or None,
            evaluation_status=data.get("evaluation_status") or None,
            q=data.get("q") or "",
        )

    def invalid_fields(self) -> list[str]:
        return [str(self.fields[name].label) for name in self.errors]


class ActionForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.RegionalAction,)
    title = forms.CharField(label=_("Action"), max_length=300)
    country = forms.ChoiceField(label=_("Country"))
    institution_name = forms.CharField(
        label=_("Institution"),
        max_length=200,
        required=False,
        help_text=_("The institution that runs it; the same name in the same country is recognised."),
    )
    institution_kind = forms.ChoiceField(
        label=_("Kind of institution"), choices=InstitutionKind.choices, initial=InstitutionKind.GOVERNMENT
    )
    # At least one of each: the service's rule, refused by it as through the API.
    levels = marked_required(
        forms.MultipleChoiceField(
            label=_("Levels"),
            choices=InterventionLevel.choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=_("The action is counted in every level × dimension cell it covers."),
        )
    )
    dimensions = marked_required(
        forms.MultipleChoiceField(
            label=_("Dimensions"), choices=Dimension.choices, required=False, widget=forms.CheckboxSelectMultiple
        )
    )
    target_population = forms.CharField(
        label=_("Target population"),
        max_length=300,
        required=False,
        help_text=_("For example: women returnees, youth aged 18 to 24, returnee families."),
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    starts_on = forms.DateField(label=_("Start date"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=_("End date"), required=False, widget=DateInput())
    funding_source = forms.ChoiceField(label=_("Funding source"), choices=FundingSource.choices)
    evaluation_status = forms.ChoiceField(
        label=_("Evaluation status"),
        choices=EvaluationStatus.choices,
        help_text=_("“Good practice” only after an evaluation: give its date and reference."),
    )
    evaluated_on = forms.DateField(label=_("Evaluation date"), required=False, widget=DateInput())
    evaluation_reference = forms.CharField(
        label=_("Evaluation reference or summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    source = forms.CharField(label=_("Source"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = _blank("—") + list(countries)

    @classmethod
    def initial_from(cls, data: ActionInput) -> dict[str, Any]:
        return {name: getattr(data, name) for name in INPUT_FIELDS}

    def to_input(self) -> ActionInput:
        values: dict[str, Any] = {name: self.cleaned_data.get(name) for name in INPUT_FIELDS}
        for name in ("title", "description", "institution_name", "target_population", "evaluation_reference", "source"):
            values[name] = values[name] or ""
        return ActionInput(**values)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_("Required columns: country, action, level, dimension. Nothing is saved if any row is wrong."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload
