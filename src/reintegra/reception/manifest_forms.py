"""Forms of manifest imports: parse only (the services decide what is refused)."""

from __future__ import annotations

import json
from typing import Any, cast

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from reintegra.cases.choices import DocumentType
from reintegra.cases.forms.common import country_choices
from reintegra.reception.choices import ArrivalMeans, ReturnType
from reintegra.reception.manifest_choices import LetterM, ManifestDateFormat, ManifestField
from reintegra.reception.manifest_core import fold
from reintegra.reception.manifest_services import MappingInput
from reintegra.web.forms import marked_required
from reintegra.web.widgets import DateInput, FastSelect

ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Manifest (CSV or XLSX)"), required=False, widget=forms.ClearableFileInput(attrs={"accept": ACCEPT})
    )
    point = forms.TypedChoiceField(label=_("Reception point"), coerce=int, required=False, empty_value=None)
    mapping = forms.TypedChoiceField(label=_("Column mapping"), coerce=int, required=False, empty_value=None)
    arrived_on = forms.DateField(
        label=_("Arrival date"),
        required=False,
        widget=DateInput(),
        help_text=_("For rows without an arrival date (when the mapping has no such column)."),
    )

    def __init__(self, *args: Any, points: Any, mappings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["point"]).choices = [("", "—"), *((p.pk, p.name) for p in points)]
        cast(forms.ChoiceField, self.fields["mapping"]).choices = [("", "—"), *((m.pk, m.name) for m in mappings)]
        for name in ("file", "point", "mapping"):
            marked_required(self.fields[name])


class HeaderForm(forms.Form):
    sample = forms.FileField(
        label=_("A manifest of this source (CSV or XLSX)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("Only its header is read, to offer its columns; nothing is imported."),
    )


class MappingForm(forms.Form):
    """One select per intake field, offering the columns of the file's header."""

    name = forms.CharField(label=_("Name"), max_length=120, required=False, help_text=_("e.g. INM — lista de vuelo"))
    header = forms.CharField(widget=forms.HiddenInput, required=False)
    date_format = forms.ChoiceField(label=_("Date format"), choices=ManifestDateFormat.choices)
    letter_m = forms.ChoiceField(label=_("A lone M in the sex column means"), choices=LetterM.choices)
    document_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices)
    means = forms.ChoiceField(label=_("Means"), choices=ArrivalMeans.choices)
    return_type = forms.ChoiceField(
        label=_("Return type"),
        required=False,
        choices=[("", "—"), *ReturnType.choices],
    )
    host_country = forms.ChoiceField(label=_("Host country"), required=False, widget=FastSelect)

    def __init__(self, *args: Any, header: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["header"].initial = json.dumps(header, ensure_ascii=False)
        cast(forms.ChoiceField, self.fields["host_country"]).choices = country_choices(_("— Not recorded —"))
        options = [("", _("(not in this file)")), *((column, column) for column in header if column)]
        named = _columns_named_like_fields(header)
        for value, label in ManifestField.choices:
            self.fields[f"col_{value}"] = forms.ChoiceField(
                label=label, choices=options, required=False, initial=named.get(value, "")
            )
        marked_required(self.fields["name"])
        marked_required(self.fields["return_type"])

    def field_names(self) -> list[str]:
        return [f"col_{value}" for value in ManifestField.values]

    def to_input(self) -> MappingInput:
        v = self.cleaned_data
        return MappingInput(
            name=v["name"],
            columns={value: v.get(f"col_{value}") or "" for value in ManifestField.values},
            return_type=v["return_type"] or "",
            date_format=v["date_format"],
            letter_m=v["letter_m"],
            document_type=v["document_type"],
            means=v["means"],
            host_country=(v["host_country"] or "").upper(),
        )


def _columns_named_like_fields(header: list[str]) -> dict[str, str]:
    """{field: column} for the columns whose header is a field's name in one of the platform's languages (or its
    code), capitals and accents aside: offered first, so that a list headed "Edad" needs no choosing."""
    by_name: dict[str, str] = {}
    for language in ("es", "en", "fr"):
        with translation.override(language):
            for value, label in ManifestField.choices:
                by_name.setdefault(fold(str(label)), value)
    for code in ManifestField.values:
        by_name.setdefault(fold(code), code)
    found: dict[str, str] = {}
    for column in header:
        field = by_name.get(fold(column))
        if field is not None:
            found.setdefault(field, column)
    return found


def mapping_initial(mapping: Any) -> dict[str, Any]:
    """A saved mapping as the form's initial values (its columns on their fields)."""
    values: dict[str, Any] = {
        name: getattr(mapping, name)
        for name in ("name", "date_format", "letter_m", "document_type", "means", "return_type")
    }
    values["host_country"] = str(mapping.host_country or "")
    values.update({f"col_{field}": column for field, column in (mapping.columns or {}).items()})
    return values


def header_of(data: Any) -> list[str]:
    try:
        header = json.loads(data.get("header") or "[]")
    except ValueError:
        return []
    return [str(h)[:200] for h in header if isinstance(h, str)][:200] if isinstance(header, list) else []


def column_aliases() -> dict[str, str]:
    """The service names columns as `columns.<field>`; the form's fields are `col_<field>`."""
    return {f"columns.{value}": f"col_{value}" for value in ManifestField.values}
