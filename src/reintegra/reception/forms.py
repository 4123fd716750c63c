"""Forms of the reception pages. They parse only; `reception.services` decides what is required and refuses
the rest, and the views put those errors back on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.access.text_limits import TextLimitsMixin
from reintegra.cases.choices import Sex
from reintegra.cases.forms.common import choice_field, country_choices, municipality_choices
from reintegra.reception import models as text_model
from reintegra.reception import services
from reintegra.reception.choices import ArrivalMeans, AssistanceKind, PointKind, ProtectionFlag, ReturnType
from reintegra.reception.models import ReceptionPoint
from reintegra.web.forms import marked_required
from reintegra.web.widgets import DateInput, DateTimeInput, FastSelect


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


def _count(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0, initial=0)


# --- Reception points ------------------------------------------------------------------------------


class PointForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.ReceptionPoint,)
    name = marked_required(forms.CharField(label=_("Name"), max_length=160, required=False))
    code = marked_required(
        forms.CharField(
            label=_("Code"),
            max_length=40,
            required=False,
            help_text=_("Short, unique in your organisation: lower-case letters, digits and hyphens (e.g. camr-omoa)."),
        )
    )
    country = marked_required(forms.ChoiceField(label=_("Country"), required=False, widget=FastSelect))
    kind = marked_required(forms.ChoiceField(label=_("Kind"), choices=_blank(PointKind.choices), required=False))
    receiving_institution = forms.CharField(label=_("Receiving institution"), max_length=200, required=False)
    municipality = forms.TypedChoiceField(
        label=_("Municipality"), required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    active = forms.BooleanField(label=_("Active (offered for new arrivals)"), required=False, initial=True)

    def __init__(self, *args: Any, country: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "country").choices = country_choices()
        self.fields["country"].initial = self.initial.get("country") or country
        selected = (self.data.get("country") if self.is_bound else None) or self.initial.get("country") or country
        choice_field(self, "municipality").choices = municipality_choices(str(selected or ""))

    @staticmethod
    def initial_of(point: ReceptionPoint) -> dict[str, Any]:
        return {
            "name": point.name,
            "code": point.code,
            "country": str(point.country),
            "kind": point.kind,
            "receiving_institution": point.receiving_institution,
            "municipality": point.municipality_id,
            "active": point.active,
        }

    def to_input(self) -> services.PointInput:
        c = self.cleaned_data
        return services.PointInput(
            code=c.get("code") or "",
            name=c.get("name") or "",
            country=c.get("country") or "",
            kind=c.get("kind") or "",
            receiving_institution=c.get("receiving_institution") or "",
            municipality_id=c.get("municipality"),
            active=bool(c.get("active")),
        )


# --- Arrivals --------------------------------------------------------------------------------------


class ArrivalForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.Arrival,)
    point = marked_required(
        forms.TypedChoiceField(label=_("Reception point"), coerce=int, empty_value=None, required=False)
    )
    arrived_at = marked_required(
        forms.DateTimeField(
            label=_("Arrived at"),
            required=False,
            widget=DateTimeInput(),
        )
    )
    means = marked_required(forms.ChoiceField(label=_("Means"), choices=_blank(ArrivalMeans.choices), required=False))
    means_number = forms.CharField(label=_("Flight or bus number"), max_length=40, required=False)
    host_country = forms.ChoiceField(label=_("Host country"), required=False, widget=FastSelect)
    return_type = marked_required(
        forms.ChoiceField(label=_("Return type"), choices=_blank(ReturnType.choices), required=False)
    )
    escort = forms.CharField(label=_("Escort"), max_length=160, required=False)
    men = _count(_("Men"))
    women = _count(_("Women"))
    boys = _count(_("Boys"))
    girls = _count(_("Girls"))
    accompanied_minors = _count(_("Accompanied minors"))
    unaccompanied_minors = _count(_("Unaccompanied minors"))
    family_units = _count(_("Family units"))

    def __init__(self, *args: Any, points: list[ReceptionPoint], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "point").choices = _blank([(p.pk, p.name) for p in points])
        choice_field(self, "host_country").choices = country_choices(_("— Not recorded —"))
        self.fields["arrived_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        if len(points) == 1:
            self.fields["point"].initial = points[0].pk

    def to_input(self) -> services.ArrivalInput:
        c = self.cleaned_data
        counts: dict[str, Any] = {name: c.get(name) or 0 for name in services.COUNT_FIELDS}
        return services.ArrivalInput(
            point_id=c.get("point"),
            arrived_at=c.get("arrived_at"),
            means=c.get("means") or "",
            means_number=c.get("means_number") or "",
            host_country=c.get("host_country") or "",
            return_type=c.get("return_type") or "",
            escort=c.get("escort") or "",
            **counts,
        )


class ArrivalFilterForm(forms.Form):
    point = forms.TypedChoiceField(label=_("Reception point"), coerce=int, empty_value=None, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args: Any, points: list[ReceptionPoint], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "point").choices = [("", _("All points")), *[(p.pk, p.name) for p in points]]


# --- Intake ----------------------------------------------------------------------------------------


class IntakeForm(TextLimitsMixin, forms.Form):
    """The fast intake: twelve fields, keyboard order, the first one focused."""

    text_models = (text_model.Intake,)

    given_names = marked_required(
        forms.CharField(
            label=_("Given names"),
            max_length=120,
            required=False,
            widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
        )
    )
    family_names = marked_required(
        forms.CharField(
            label=_("Family names"),
            max_length=160,
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "off"}),
        )
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN, required=False)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DateInput())
    estimated_age = forms.IntegerField(
        label=_("Age"), required=False, help_text=_("Only when the birth date is not known.")
    )
    nationality = forms.ChoiceField(label=_("Nationality"), required=False, widget=FastSelect)
    document_number = forms.CharField(
        label=_("Identity document (if any)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    municipality = forms.TypedChoiceField(
        label=_("Municipality of destination"), required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    travelling_with_family = forms.BooleanField(label=_("Travelling with family"), required=False)
    protection_flags = forms.MultipleChoiceField(
        label=_("Protection flags"),
        choices=ProtectionFlag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    assistance = forms.MultipleChoiceField(
        label=_("Assistance given"),
        choices=AssistanceKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # The desk's answer to possible duplicates (hidden; set by the candidate buttons).
    returnee = forms.IntegerField(required=False, widget=forms.HiddenInput)
    seen = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, country: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "nationality").choices = country_choices()
        self.fields["nationality"].initial = country
        choice_field(self, "municipality").choices = municipality_choices(country)

    def seen_ids(self) -> frozenset[int] | None:
        raw = (self.cleaned_data.get("seen") or "").strip()
        if not raw:
            return None
        return frozenset(int(part) for part in raw.split(",") if part.strip().isdigit())

    def to_input(self, *, returnee_id: int | None = None, distinct: bool = False) -> services.IntakeInput:
        c = self.cleaned_data
        return services.IntakeInput(
            given_names=c.get("given_names") or "",
            family_names=c.get("family_names") or "",
            sex=c.get("sex") or Sex.UNKNOWN,
            birth_date=c.get("birth_date"),
            estimated_age=c.get("estimated_age"),
            nationality=c.get("nationality") or "",
            document_number=c.get("document_number") or "",
            municipality_id=c.get("municipality"),
            phone=c.get("phone") or "",
            travelling_with_family=bool(c.get("travelling_with_family")),
            protection_flags=list(c.get("protection_flags") or []),
            assistance=list(c.get("assistance") or []),
            returnee_id=returnee_id,
            distinct_from=self.seen_ids() if distinct else None,
        )


class AssistanceForm(forms.Form):
    """The checklist, and who gave each item: an institution of the service directory (`institutions`: id and
    name) or the reception staff. Only ticked items send their institution (the service refuses the others)."""

    assistance = forms.MultipleChoiceField(
        label=_("Assistance given"),
        choices=AssistanceKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, institutions: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = [("", _("Reception staff")), *institutions]
        for kind, label in AssistanceKind.choices:
            self.fields[institution_field(kind)] = forms.TypedChoiceField(
                label=_("%(item)s: given by") % {"item": label},
                choices=options,
                coerce=int,
                empty_value=None,
                required=False,
            )

    def institution_fields(self) -> list[forms.BoundField]:
        return [self[institution_field(kind)] for kind in AssistanceKind.values]

    def institutions(self) -> dict[str, int | None]:
        c = self.cleaned_data
        return {kind: c.get(institution_field(kind)) for kind in c.get("assistance") or []}


def institution_field(kind: str) -> str:
    return f"institution_{kind}"


class StatisticsFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    point = forms.TypedChoiceField(label=_("Reception point"), coerce=int, empty_value=None, required=False)
    period = forms.ChoiceField(
        label=_("By"),
        choices=[("day", _("Day")), ("week", _("Week")), ("month", _("Month"))],
        required=False,
        initial="month",
    )

    def __init__(self, *args: Any, points: list[ReceptionPoint], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "point").choices = [("", _("All points")), *[(p.pk, p.name) for p in points]]
