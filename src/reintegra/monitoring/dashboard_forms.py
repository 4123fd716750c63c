"""The dashboards' choices (programme, indicator, disaggregation): shapes only; the reads decide what exists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class ProgrammeDashboardForm(forms.Form):
    programme = forms.TypedChoiceField(label=_("Programme"), coerce=int, required=False)
    indicator = forms.TypedChoiceField(label=_("Indicator"), coerce=int, required=False)
    by = forms.ChoiceField(label=_("Disaggregate by"), required=False)

    def __init__(
        self,
        data: Any,
        *,
        programmes: Sequence[tuple[int, str]],
        indicators: Sequence[tuple[int, str]],
        dimensions: Sequence[tuple[str, Any]],
    ) -> None:
        super().__init__(data)
        set_choices(self, "programme", programmes)
        set_choices(self, "indicator", indicators)
        set_choices(self, "by", dimensions)


class CrossDashboardForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Standard indicator"), required=False)
    by = forms.ChoiceField(label=_("Disaggregate by"), required=False)

    def __init__(
        self, data: Any, *, indicators: Sequence[tuple[str, str]], dimensions: Sequence[tuple[str, Any]]
    ) -> None:
        super().__init__(data)
        set_choices(self, "indicator", indicators)
        set_choices(self, "by", dimensions)


def set_choices(form: forms.Form, name: str, choices: Sequence[tuple[Any, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = list(choices)


def chosen(form: forms.Form, name: str, default: Any) -> Any:
    """The valid value of a field, or `default` when absent or not among the choices."""
    form.is_valid()
    value = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else None
    return default if value in (None, "") else value
