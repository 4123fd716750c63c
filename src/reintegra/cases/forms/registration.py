"""The person (returnee form, identity documents) and the extras of the registration page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.access.models import User
from reintegra.access.roles import Capability
from reintegra.access.text_limits import TextLimitsMixin
from reintegra.cases import models as text_model
from reintegra.cases import services
from reintegra.cases.choices import (
    AttentionFlag,
    DocumentType,
    Sex,
)
from reintegra.cases.forms.common import (
    BaseListFormSet,
    blank_choice,
    choice_field,
    country_choices,
    list_formset_factory,
    municipality_choices,
    staff_choices,
)
from reintegra.web.widgets import DateInput, FastSelect

# --- Returnee ------------------------------------------------------------------------------------

# Fields whose change re-runs the duplicate check while the registration form is filled in.
DUPLICATE_FIELDS = ("given_names", "first_family_name", "second_family_name", "birth_date", "estimated_age")


class ReturneeForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.Returnee,)
    given_names = forms.CharField(label=_("Given names"), max_length=120)
    first_family_name = forms.CharField(label=_("First family name"), max_length=80)
    second_family_name = forms.CharField(label=_("Second family name"), max_length=80, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    gender_identity = forms.CharField(
        label=_("Gender identity"),
        max_length=80,
        required=False,
        help_text=_("Optional. Only as the person states it."),
    )
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DateInput())
    # From 0 to 120: the service's rule.
    estimated_age = forms.IntegerField(
        label=_("Estimated age"), required=False, help_text=_("Only when the birth date is not known.")
    )
    nationality = forms.ChoiceField(label=_("Nationality"), widget=FastSelect)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        help_text=_("A local number of the country of return, or an international number starting with +."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    languages = forms.CharField(
        label=_("Languages"), max_length=200, required=False, help_text=_("Comma-separated, e.g. español, k'iche'")
    )
    return_country = forms.ChoiceField(label=_("Country of return"), widget=FastSelect)
    municipality = forms.TypedChoiceField(
        label=_("Municipality of return"), required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    locality = forms.CharField(label=_("Locality / community"), max_length=120, required=False)
    address = forms.CharField(label=_("Address"), max_length=250, required=False)
    attention_flags = forms.MultipleChoiceField(
        label=_("Differential attention"),
        choices=AttentionFlag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick every profile that applies; it guides the assessment and the plan."),
    )

    def __init__(
        self,
        *args: Any,
        organisation: Any,
        duplicate_url: str = "",
        municipality_url: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        org_country = organisation.country.code if organisation else ""
        choice_field(self, "nationality").choices = country_choices()
        choice_field(self, "return_country").choices = country_choices()
        self.fields["nationality"].initial = self.fields["nationality"].initial or org_country
        self.fields["return_country"].initial = org_country
        country = self._value("return_country") or org_country
        choice_field(self, "municipality").choices = municipality_choices(country)
        if municipality_url:
            self.fields["return_country"].widget.attrs.update(
                {
                    "hx-get": municipality_url,
                    "hx-trigger": "change",
                    "hx-target": "#id_municipality",
                    "hx-swap": "innerHTML",
                }
            )
        if duplicate_url:
            for name in DUPLICATE_FIELDS:
                self.fields[name].widget.attrs.update(duplicate_check_attrs(duplicate_url))

    def _value(self, name: str) -> str:
        if self.is_bound:
            return str(self.data.get(self.add_prefix(name), "") or "")
        return str(self.initial.get(name, "") or "")

    def to_input(self, documents: list[services.DocumentInput] | None = None) -> services.ReturneeInput:
        """The service's input. On a form with errors, a field that did not parse is left empty, so the service
        can still be asked what else it would refuse (`services.returnee_problems`)."""
        c = self.cleaned_data
        return services.ReturneeInput(
            given_names=c.get("given_names") or "",
            first_family_name=c.get("first_family_name") or "",
            second_family_name=c.get("second_family_name") or "",
            sex=c.get("sex") or Sex.UNKNOWN,
            gender_identity=c.get("gender_identity") or "",
            birth_date=c.get("birth_date"),
            estimated_age=None if c.get("birth_date") else c.get("estimated_age"),
            nationality=c.get("nationality") or "",
            return_country=c.get("return_country") or "",
            phone=c.get("phone") or "",
            languages=c.get("languages") or "",
            municipality_id=c.get("municipality"),
            locality=c.get("locality") or "",
            address=c.get("address") or "",
            attention_flags=list(c.get("attention_flags") or []),
            documents=documents or [],
        )

    @staticmethod
    def initial_for(returnee: Any) -> dict[str, Any]:
        estimated_age = None
        if not returnee.birth_date and returnee.estimated_birth_year:
            estimated_age = timezone.localdate().year - returnee.estimated_birth_year
        return {
            "given_names": returnee.given_names,
            "first_family_name": returnee.first_family_name,
            "second_family_name": returnee.second_family_name,
            "sex": returnee.sex,
            "gender_identity": returnee.gender_identity,
            "birth_date": returnee.birth_date,
            "estimated_age": estimated_age,
            "nationality": returnee.nationality.code,
            "phone": returnee.phone,
            "languages": returnee.languages,
            "return_country": returnee.return_country.code,
            "municipality": returnee.municipality_id,
            "locality": returnee.locality,
            "address": returnee.address,
            "attention_flags": list(returnee.attention_flags or []),
        }


def duplicate_check_attrs(url: str) -> dict[str, str]:
    return {
        "hx-post": url,
        "hx-trigger": "change delay:500ms",
        "hx-target": "#duplicate-panel",
        "hx-swap": "innerHTML",
        "hx-include": "closest form",
        "hx-sync": "closest form:queue last",
    }


class DocumentForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.IdentityDocument,)
    document_type = forms.ChoiceField(label=_("Document type"))
    number = forms.CharField(
        label=_("Document number"), max_length=60, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    issuing_country = forms.ChoiceField(label=_("Issuing country"), widget=FastSelect)

    def __init__(self, *args: Any, default_country: str = "", duplicate_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "document_type").choices = [blank_choice(), *DocumentType.choices]
        choice_field(self, "issuing_country").choices = country_choices()
        self.fields["issuing_country"].initial = default_country
        if duplicate_url:
            self.fields["number"].widget.attrs.update(duplicate_check_attrs(duplicate_url))

    def to_input(self) -> services.DocumentInput:
        c = self.cleaned_data
        return services.DocumentInput(
            document_type=c["document_type"], number=c["number"], issuing_country=c["issuing_country"]
        )


DocumentFormSet = list_formset_factory(DocumentForm, extra=1, can_delete=True, max_num=10)


def documents_from(formset: BaseListFormSet[DocumentForm]) -> list[services.DocumentInput]:
    return [f.to_input() for f in formset.kept_forms()]


# --- Registration (the extras around the returnee, return and household forms) --------------------


class RegistrationForm(forms.Form):
    confirm_distinct = forms.BooleanField(
        label=_("I checked the possible duplicates and this is a different person"), required=False
    )
    case_manager = forms.TypedChoiceField(
        label=_("Case manager"), required=False, coerce=int, empty_value=None, help_text=_("By default, you.")
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.has_capability(Capability.ASSIGN_CASES):
            choice_field(self, "case_manager").choices = staff_choices(user.organisation_id, _("Me"))
        else:
            del self.fields["case_manager"]

    def chosen_case_manager(self) -> User | None:
        pk = self.cleaned_data.get("case_manager")
        return User.objects.filter(pk=pk).first() if pk else None
