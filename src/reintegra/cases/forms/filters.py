"""The case list filters (a read: a bad value is dropped and reported, never an error page)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reintegra.cases import selectors
from reintegra.cases.choices import (
    CaseStatus,
    ReturnType,
)
from reintegra.cases.forms.common import (
    blank_choice,
    choice_field,
    municipality_choices,
    staff_choices,
)
from reintegra.web.widgets import DateInput, FastSelect, SelectWidget

if TYPE_CHECKING:
    from reintegra.access.models import User

# --- Case list filters ---------------------------------------------------------------------------


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Name, case number or identity document number. Accents and capitals do not matter."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, widget=SelectWidget)
    case_manager = forms.TypedChoiceField(
        label=_("Case manager"), required=False, coerce=int, empty_value=None, widget=SelectWidget
    )
    return_from = forms.DateField(label=_("Returned from"), required=False, widget=DateInput())
    return_to = forms.DateField(label=_("Returned until"), required=False, widget=DateInput())
    municipality = forms.TypedChoiceField(
        label=_("Municipality"), required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    return_type = forms.ChoiceField(label=_("Return type"), required=False, widget=SelectWidget)
    mine = forms.BooleanField(label=_("Only my cases"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "status").choices = [blank_choice(_("All statuses")), *CaseStatus.choices]
        choice_field(self, "return_type").choices = [blank_choice(_("All return types")), *ReturnType.choices]
        choice_field(self, "case_manager").choices = staff_choices(user.organisation_id, _("Anyone"))
        country = user.organisation.country.code if user.organisation is not None else ""
        choice_field(self, "municipality").choices = municipality_choices(country, _("All municipalities"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        start, end = cleaned.get("return_from"), cleaned.get("return_to")
        if start and end and start > end:
            self.add_error("return_to", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> selectors.CaseFilters:
        """The valid part of the filters: a bad value is dropped (and reported), never an error page."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return selectors.CaseFilters(
            search=data.get("q") or "",
            status=data.get("status") or "",
            case_manager=data.get("case_manager"),
            return_from=data.get("return_from"),
            return_to=data.get("return_to"),
            municipality=data.get("municipality"),
            return_type=data.get("return_type") or "",
            mine_only=bool(data.get("mine")),
        )

    def invalid_labels(self) -> list[str]:
        return [str(self.fields[name].label) for name in self.errors if name in self.fields]
