"""Forms of the case-management UI: parse and validate input, then hand plain values to `services`.

Forms never save anything themselves. Each one turns the posted values into the dataclasses or dicts
that `cases.services` takes, so the rules that depend on a case's state stay in one place (services
and lifecycle) and the web UI and the API cannot disagree. Errors that services raise are mapped back
onto fields with `reintegra.web.forms.apply_service_errors`; widgets come from `reintegra.web.widgets`.

Sensitive fields (encrypted model fields tagged with a category) are only added to a form when
`access.scoping.can_see(user, category)`; a field that is not on the form is never sent to a service,
so nothing the user may not see is ever rendered or overwritten.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, cast

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.formsets import DELETION_FIELD_NAME
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from reintegra.access import scoping
from reintegra.access.models import User
from reintegra.access.roles import Capability, Role, SensitiveCategory
from reintegra.cases import selectors, services
from reintegra.cases.choices import (
    CLOSURE_CATEGORY,
    AssessmentKind,
    AssistanceForm,
    AttentionFlag,
    CaseStatus,
    ClosureCategory,
    ClosureReason,
    ContactMode,
    Dimension,
    DocumentType,
    MigrationCause,
    NeedLevel,
    PlanItemStatus,
    ReceptionAssistance,
    Relationship,
    ReturnType,
    Sex,
)
from reintegra.places.choices import AdminLevel
from reintegra.places.models import AdminArea
from reintegra.web.widgets import DateInput, FastSelect, FastSelectMultiple

# Member states of the Regional Conference on Migration (docs/domain-structural.md §7): first in country selects.
REGION_COUNTRIES = ("BZ", "CA", "CR", "SV", "US", "GT", "HN", "MX", "NI", "PA", "DO")


def _blank(label: Any = None) -> tuple[str, Any]:
    return ("", label or _("— Choose —"))


def _choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's field `name`, known to be a ChoiceField (`form.fields` is typed as plain Fields)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def country_choices(blank: Any = None) -> list[Any]:
    """Countries in the active language, the region's first (an optgroup each)."""
    region = sorted(((code, countries.name(code)) for code in REGION_COUNTRIES), key=lambda c: str(c[1]))
    others = [(c.code, c.name) for c in countries if c.code not in REGION_COUNTRIES]
    choices: list[Any] = [_blank(blank)] if blank is not False else []
    choices += [(_("Region"), region), (_("Other countries"), others)]
    return choices


def municipality_choices(country: str, blank: Any = None) -> list[Any]:
    """Municipalities (AdminArea level 2) of a country, grouped by state/department.

    One query of three columns: a few thousand rows render in milliseconds, so the select works
    without JavaScript and without a lookup service.
    """
    choices: list[Any] = [_blank(blank or _("— Not recorded —"))]
    if not country:
        return choices
    rows = (
        AdminArea.objects.filter(country=country, level=AdminLevel.SECOND)
        .order_by("parent__name", "name", "pk")
        .values_list("pk", "name", "parent__name")
    )
    groups: dict[str, list[tuple[int, str]]] = {}
    for pk, name, state in rows:
        groups.setdefault(state or "—", []).append((pk, name))
    choices += list(groups.items())
    return choices


def staff_choices(organisation_id: int | None, blank: Any = None) -> list[tuple[Any, Any]]:
    """Active users of the organisation who may hold cases (case managers and those above them)."""
    holders = [r.value for r in Role if Capability.VIEW_ASSIGNED_CASES in _role_caps(r)]
    # Without an organisation: the users without one (what organisation_id=None would match).
    in_organisation = (
        Q(organisation_id=organisation_id) if organisation_id is not None else Q(organisation__isnull=True)
    )
    users = (
        User.objects.filter(in_organisation, is_active=True, role_assignments__role__in=holders)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    choices: list[tuple[Any, Any]] = [_blank(blank)] if blank is not False else []
    choices += [(u.pk, u.display_name()) for u in users]
    return choices


def _role_caps(role: Role) -> frozenset[Capability]:
    from reintegra.access.roles import ROLE_CAPABILITIES

    return ROLE_CAPABILITIES[role]


# --- Case list filters ---------------------------------------------------------------------------


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Name, case number or identity document number. Accents and capitals do not matter."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    case_manager = forms.TypedChoiceField(label=_("Case manager"), required=False, coerce=int, empty_value=None)
    return_from = forms.DateField(label=_("Returned from"), required=False, widget=DateInput())
    return_to = forms.DateField(label=_("Returned until"), required=False, widget=DateInput())
    municipality = forms.TypedChoiceField(
        label=_("Municipality"), required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    return_type = forms.ChoiceField(label=_("Return type"), required=False)
    mine = forms.BooleanField(label=_("Only my cases"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "status").choices = [_blank(_("All statuses")), *CaseStatus.choices]
        _choice_field(self, "return_type").choices = [_blank(_("All return types")), *ReturnType.choices]
        _choice_field(self, "case_manager").choices = staff_choices(user.organisation_id, _("Anyone"))
        country = user.organisation.country.code if user.organisation_id else ""
        _choice_field(self, "municipality").choices = municipality_choices(country, _("All municipalities"))

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


# --- Returnee ------------------------------------------------------------------------------------

# Fields whose change re-runs the duplicate check while the registration form is filled in.
DUPLICATE_FIELDS = ("given_names", "first_family_name", "second_family_name", "birth_date", "estimated_age")


class ReturneeForm(forms.Form):
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
    estimated_age = forms.IntegerField(
        label=_("Estimated age"),
        required=False,
        min_value=0,
        max_value=120,
        help_text=_("Only when the birth date is not known."),
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
        _choice_field(self, "nationality").choices = country_choices()
        _choice_field(self, "return_country").choices = country_choices()
        self.fields["nationality"].initial = self.fields["nationality"].initial or org_country
        self.fields["return_country"].initial = org_country
        country = self._value("return_country") or org_country
        _choice_field(self, "municipality").choices = municipality_choices(country)
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

    def clean_birth_date(self) -> date | None:
        value = self.cleaned_data.get("birth_date")
        if value and value > timezone.localdate():
            raise ValidationError(_("The birth date cannot be in the future."))
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        if not cleaned.get("birth_date") and cleaned.get("estimated_age") is None and not self.has_error("birth_date"):
            self.add_error("birth_date", _("Enter the birth date or, if it is not known, an estimated age."))
        phone = (cleaned.get("phone") or "").strip()
        if phone:
            region = cleaned.get("return_country") or None
            try:
                parsed = phonenumbers.parse(phone, region)
            except phonenumbers.NumberParseException:
                parsed = None
            if parsed is None or not phonenumbers.is_valid_number(parsed):
                self.add_error(
                    "phone",
                    _(
                        "This is not a valid phone number for the country of return. Check it or start with + and "
                        "the country code."
                    ),
                )
            else:
                cleaned["phone"] = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        return cleaned

    def to_input(self, documents: list[services.DocumentInput] | None = None) -> services.ReturneeInput:
        c = self.cleaned_data
        return services.ReturneeInput(
            given_names=c["given_names"],
            first_family_name=c["first_family_name"],
            second_family_name=c.get("second_family_name") or "",
            sex=c.get("sex") or Sex.UNKNOWN,
            gender_identity=c.get("gender_identity") or "",
            birth_date=c.get("birth_date"),
            estimated_age=None if c.get("birth_date") else c.get("estimated_age"),
            nationality=c["nationality"],
            return_country=c["return_country"],
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


class DocumentForm(forms.Form):
    document_type = forms.ChoiceField(label=_("Document type"))
    number = forms.CharField(
        label=_("Document number"), max_length=60, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    issuing_country = forms.ChoiceField(label=_("Issuing country"), widget=FastSelect)

    def __init__(self, *args: Any, default_country: str = "", duplicate_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "document_type").choices = [_blank(), *DocumentType.choices]
        _choice_field(self, "issuing_country").choices = country_choices()
        self.fields["issuing_country"].initial = default_country
        if duplicate_url:
            self.fields["number"].widget.attrs.update(duplicate_check_attrs(duplicate_url))

    def to_input(self) -> services.DocumentInput:
        c = self.cleaned_data
        return services.DocumentInput(
            document_type=c["document_type"], number=c["number"], issuing_country=c["issuing_country"]
        )


class BaseListFormSet[F: forms.Form](forms.BaseFormSet):
    """A formset whose rows are added in the browser (static js) and removed with a DELETE box."""

    def kept_forms(self) -> list[F]:
        """Valid rows that are neither blank extra rows nor marked for removal (call after is_valid)."""
        # The DELETE test is BaseFormSet._should_delete_form's, which django-stubs does not declare.
        return [
            f
            for f in self.forms
            if getattr(f, "cleaned_data", None)
            and not (self.can_delete and f.cleaned_data.get(DELETION_FIELD_NAME, False))
        ]


def list_formset_factory[F: forms.Form](
    form: type[F],
    formset: type[BaseListFormSet[F]] = BaseListFormSet,
    *,
    extra: int = 1,
    can_delete: bool = False,
    max_num: int | None = None,
) -> type[BaseListFormSet[F]]:
    """`formset_factory` for list formsets; the class it makes subclasses `formset`, which its stub cannot say."""
    return cast(
        "type[BaseListFormSet[F]]",
        forms.formset_factory(form, formset=formset, extra=extra, can_delete=can_delete, max_num=max_num),
    )


DocumentFormSet = list_formset_factory(DocumentForm, extra=1, can_delete=True, max_num=10)


def documents_from(formset: BaseListFormSet[DocumentForm]) -> list[services.DocumentInput]:
    return [f.to_input() for f in formset.kept_forms()]


# --- Return information --------------------------------------------------------------------------


class ReturnForm(forms.Form):
    return_date = forms.DateField(label=_("Return date"), widget=DateInput())
    return_type = forms.ChoiceField(label=_("Return type"))
    host_country = forms.ChoiceField(
        label=_("Host country"), required=False, help_text=_("Country returned from."), widget=FastSelect
    )
    transit_countries = forms.MultipleChoiceField(
        label=_("Transit countries"),
        required=False,
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
        widget=FastSelectMultiple(attrs={"size": 8}),
    )
    reception_place = forms.CharField(
        label=_("Reception place"),
        max_length=200,
        required=False,
        help_text=_("E.g. airport, border crossing, centre."),
    )
    reception_assistance = forms.MultipleChoiceField(
        label=_("Assistance received at reception"),
        choices=ReceptionAssistance.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    causes_of_migration = forms.MultipleChoiceField(
        label=_("Causes of migration"),
        choices=MigrationCause.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Record at least one cause of migration.")},
    )
    causes_note = forms.CharField(
        label=_("Other causes / details"),
        max_length=300,
        required=False,
        help_text=_("Required when “Other” is ticked."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "return_type").choices = [_blank(), *ReturnType.choices]
        _choice_field(self, "host_country").choices = country_choices(_("— Not recorded —"))
        _choice_field(self, "transit_countries").choices = country_choices(False)

    def clean_return_date(self) -> date:
        value = self.cleaned_data["return_date"]
        if value > timezone.localdate():
            raise ValidationError(_("The return date cannot be in the future."))
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        if (
            MigrationCause.OTHER in (cleaned.get("causes_of_migration") or [])
            and not (cleaned.get("causes_note") or "").strip()
        ):
            self.add_error("causes_note", _("Describe the other cause of migration."))
        return cleaned

    def to_input(self) -> services.ReturnInput:
        c = self.cleaned_data
        return services.ReturnInput(
            return_date=c["return_date"],
            return_type=c["return_type"],
            host_country=c.get("host_country") or "",
            transit_countries=list(c.get("transit_countries") or []),
            reception_place=c.get("reception_place") or "",
            reception_assistance=list(c.get("reception_assistance") or []),
            causes_of_migration=list(c.get("causes_of_migration") or []),
            causes_note=c.get("causes_note") or "",
        )

    @staticmethod
    def initial_for(case: Any) -> dict[str, Any]:
        return {
            "return_date": case.return_date,
            "return_type": case.return_type,
            "host_country": case.host_country.code if case.host_country else "",
            "transit_countries": list(case.transit_countries or []),
            "reception_place": case.reception_place,
            "reception_assistance": list(case.reception_assistance or []),
            "causes_of_migration": list(case.causes_of_migration or []),
            "causes_note": case.causes_note,
        }


# --- Household -----------------------------------------------------------------------------------


class MemberForm(forms.Form):
    given_names = forms.CharField(label=_("Given names"), max_length=120)
    family_names = forms.CharField(label=_("Family names"), max_length=160, required=False)
    relationship = forms.ChoiceField(label=_("Relationship"))
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DateInput())
    estimated_age = forms.IntegerField(label=_("Estimated age"), required=False, min_value=0, max_value=120)
    returned_too = forms.BooleanField(label=_("Returned too"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "relationship").choices = [_blank(), *Relationship.choices]

    def clean_birth_date(self) -> date | None:
        value = self.cleaned_data.get("birth_date")
        if value and value > timezone.localdate():
            raise ValidationError(_("The birth date cannot be in the future."))
        return value

    def to_input(self) -> services.MemberInput:
        c = self.cleaned_data
        return services.MemberInput(
            given_names=c["given_names"],
            family_names=c.get("family_names") or "",
            relationship=c["relationship"],
            sex=c.get("sex") or Sex.UNKNOWN,
            birth_date=c.get("birth_date"),
            estimated_age=None if c.get("birth_date") else c.get("estimated_age"),
            returned_too=bool(c.get("returned_too")),
        )

    @staticmethod
    def initial_for(member: Any) -> dict[str, Any]:
        return {
            "given_names": member.given_names,
            "family_names": member.family_names,
            "relationship": member.relationship,
            "sex": member.sex,
            "birth_date": member.birth_date,
            "estimated_age": member.estimated_age,
            "returned_too": member.returned_too,
        }


MemberFormSet = list_formset_factory(MemberForm, extra=1, can_delete=True, max_num=30)


def members_from(formset: BaseListFormSet[MemberForm]) -> list[services.MemberInput]:
    return [f.to_input() for f in formset.kept_forms()]


class HouseholdNotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Household notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Living situation of the household; no health or protection details here."),
    )


# --- Registration (the extras around the returnee, return and household forms) --------------------


class RegistrationForm(forms.Form):
    confirm_distinct = forms.BooleanField(
        label=_("I checked the possible duplicates and this is a different person"), required=False
    )
    case_manager = forms.TypedChoiceField(
        label=_("Case manager"), required=False, coerce=int, empty_value=None, help_text=_("By default, you.")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.has_capability(Capability.ASSIGN_CASES):
            _choice_field(self, "case_manager").choices = staff_choices(user.organisation_id, _("Me"))
        else:
            del self.fields["case_manager"]

    def chosen_case_manager(self) -> User | None:
        pk = self.cleaned_data.get("case_manager")
        return User.objects.filter(pk=pk).first() if pk else None


# --- Assessment and counselling ------------------------------------------------------------------


# Sensitive fields of an assessment and their category (the model fields carry the same tags).
ASSESSMENT_SENSITIVE = {
    "protection_concerns": SensitiveCategory.PROTECTION,
    "health_notes": SensitiveCategory.HEALTH,
    "mental_health_notes": SensitiveCategory.MENTAL_HEALTH,
    "gbv_notes": SensitiveCategory.GBV,
}


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class AssessmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AssessmentKind.choices, initial=AssessmentKind.INITIAL)
    assessed_on = forms.DateField(label=_("Date"), widget=DateInput())
    needs_vulnerabilities = forms.CharField(label=_("Needs and vulnerabilities"), required=False, widget=_textarea())
    capacities_skills = forms.CharField(label=_("Capacities and skills"), required=False, widget=_textarea())
    risk_factors = forms.CharField(label=_("Risk factors"), required=False, widget=_textarea())
    protective_factors = forms.CharField(label=_("Protective factors"), required=False, widget=_textarea())
    family_situation = forms.CharField(label=_("Family situation"), required=False, widget=_textarea())
    economic_need = forms.ChoiceField(label=_("Economic need"), choices=NeedLevel.choices, initial=NeedLevel.NONE)
    economic_needs = forms.CharField(label=_("Economic needs"), required=False, widget=_textarea(2))
    social_need = forms.ChoiceField(label=_("Social need"), choices=NeedLevel.choices, initial=NeedLevel.NONE)
    social_needs = forms.CharField(label=_("Social needs"), required=False, widget=_textarea(2))
    psychosocial_need = forms.ChoiceField(
        label=_("Psychosocial need"), choices=NeedLevel.choices, initial=NeedLevel.NONE
    )
    psychosocial_needs = forms.CharField(label=_("Psychosocial needs"), required=False, widget=_textarea(2))
    protection_concerns = forms.CharField(label=_("Protection concerns"), required=False, widget=_textarea())
    health_notes = forms.CharField(label=_("Health"), required=False, widget=_textarea())
    mental_health_notes = forms.CharField(label=_("Mental health"), required=False, widget=_textarea())
    gbv_notes = forms.CharField(label=_("Gender-based violence"), required=False, widget=_textarea())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessed_on"].initial = timezone.localdate()
        for name, category in ASSESSMENT_SENSITIVE.items():
            if scoping.can_see(user, category):
                self.fields[name].widget.attrs["data-sensitive"] = "true"
            else:
                del self.fields[name]

    @property
    def sensitive_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ASSESSMENT_SENSITIVE if name in self.fields]

    def values(self) -> dict[str, Any]:
        # Only fields on the form: a sensitive field the user may not see is never written.
        return {name: self.cleaned_data[name] for name in self.fields}


class CounsellingForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    mode = forms.ChoiceField(label=_("Mode"), choices=ContactMode.choices, initial=ContactMode.IN_PERSON)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), required=False, min_value=1, max_value=600)
    topics = forms.CharField(label=_("Topics"), max_length=300, required=False)
    notes = forms.CharField(
        label=_("Psychosocial notes"),
        required=False,
        widget=_textarea(5),
        help_text=_("Confidential: only roles allowed to read psychosocial notes see them."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()
        if not scoping.can_see(user, SensitiveCategory.PSYCHOSOCIAL):
            del self.fields["notes"]

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}


# --- Reintegration plan --------------------------------------------------------------------------


class PlanForm(forms.Form):
    goals = forms.CharField(
        label=_("Goals"),
        required=False,
        widget=_textarea(3),
        help_text=_("Step 1: the returnee's own goals, in their words."),
    )
    motivations = forms.CharField(label=_("Motivations"), required=False, widget=_textarea(3))


class PlanItemForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    dimension = forms.ChoiceField(label=_("Dimension"))
    approach = forms.CharField(
        label=_("Approach"),
        max_length=120,
        help_text=_("E.g. job placement, business development, referral."),
        # Suggestions from the programme's feasibility grid, when a plan-form panel provides that datalist.
        widget=forms.TextInput(attrs={"list": "feasibility-approaches", "autocomplete": "off"}),
    )
    description = forms.CharField(label=_("Description"), required=False, widget=_textarea(2))
    assistance_form = forms.ChoiceField(label=_("Form of assistance"))
    amount = forms.DecimalField(
        label=_("Amount"), required=False, min_value=Decimal(0), max_digits=12, decimal_places=2
    )
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        required=False,
        widget=forms.TextInput(attrs={"size": 4, "placeholder": "MXN"}),
    )
    responsible = forms.CharField(label=_("Responsible"), max_length=160, required=False)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), choices=PlanItemStatus.choices, initial=PlanItemStatus.PLANNED)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "dimension").choices = [_blank(), *Dimension.choices]
        _choice_field(self, "assistance_form").choices = [_blank(), *AssistanceForm.choices]

    def clean_currency(self) -> str:
        value = (self.cleaned_data.get("currency") or "").strip().upper()
        if value and (len(value) != 3 or not value.isalpha()):
            raise ValidationError(_("Use a three-letter currency code (e.g. MXN, GTQ, HNL, USD)."))
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        if cleaned.get("amount") is not None and not cleaned.get("currency") and not self.has_error("currency"):
            self.add_error("currency", _("Give the currency of the amount (e.g. MXN, GTQ, HNL, USD)."))
        return cleaned

    def to_input(self) -> services.PlanItemInput:
        c = self.cleaned_data
        return services.PlanItemInput(
            id=c.get("id"),
            dimension=c["dimension"],
            approach=c["approach"],
            assistance_form=c["assistance_form"],
            description=c.get("description") or "",
            amount=c.get("amount"),
            currency=c.get("currency") or "",
            responsible=c.get("responsible") or "",
            due_date=c.get("due_date"),
            status=c.get("status") or PlanItemStatus.PLANNED,
        )

    @staticmethod
    def initial_for(item: Any) -> dict[str, Any]:
        return {
            "id": item.pk,
            "dimension": item.dimension,
            "approach": item.approach,
            "description": item.description,
            "assistance_form": item.assistance_form,
            "amount": item.amount,
            "currency": item.currency,
            "responsible": item.responsible,
            "due_date": item.due_date,
            "status": item.status,
        }


class BasePlanItemFormSet(BaseListFormSet[PlanItemForm]):
    def clean(self) -> None:
        super().clean()
        ids = [f.cleaned_data.get("id") for f in self.kept_forms() if f.cleaned_data.get("id")]
        if len(ids) != len(set(ids)):
            raise ValidationError(_("The same plan item appears twice."))


PlanItemFormSet = list_formset_factory(PlanItemForm, formset=BasePlanItemFormSet, extra=1, can_delete=True, max_num=50)


def items_from(formset: BaseListFormSet[PlanItemForm]) -> list[services.PlanItemInput]:
    return [f.to_input() for f in formset.kept_forms()]


class AgreePlanForm(forms.Form):
    agreed_on = forms.DateField(label=_("Agreed on"), widget=DateInput())
    late_reason = forms.CharField(
        label=_("Reason for agreeing after the first month"),
        max_length=300,
        required=False,
        widget=_textarea(2),
        help_text=_("Required when the plan is agreed more than one month after the return."),
    )

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["agreed_on"].initial = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        agreed_on = cleaned.get("agreed_on")
        if agreed_on and agreed_on > timezone.localdate():
            self.add_error("agreed_on", _("This date cannot be in the future."))
        elif (
            agreed_on
            and selectors.plan_is_late(self.case, agreed_on)
            and not (cleaned.get("late_reason") or "").strip()
        ):
            self.add_error(
                "late_reason",
                _("The plan is agreed more than one month after the return: say why (e.g. vulnerability, access)."),
            )
        return cleaned


# --- Follow-up -----------------------------------------------------------------------------------


class FollowUpForm(forms.Form):
    visited_on = forms.DateField(label=_("Date of the visit"), widget=DateInput())
    mode = forms.ChoiceField(label=_("Mode"), choices=ContactMode.choices, initial=ContactMode.IN_PERSON)
    notes = forms.CharField(label=_("Notes"), required=False, widget=_textarea(3))
    significant_changes = forms.CharField(
        label=_("Significant changes"),
        required=False,
        widget=_textarea(3),
        help_text=_("Any significant change in the person's life since the last contact."),
    )
    next_visit_on = forms.DateField(label=_("Next visit"), required=False, widget=DateInput())

    def __init__(self, *args: Any, items: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = timezone.localdate()
        self.items = list(items)
        for item in self.items:
            self.fields[f"progress_{item.pk}"] = forms.ChoiceField(
                label=_("Progress of “%(item)s”") % {"item": item.approach},
                choices=PlanItemStatus.choices,
                initial=item.status,
            )
            self.fields[f"progress_note_{item.pk}"] = forms.CharField(
                label=_("Note on “%(item)s”") % {"item": item.approach}, max_length=300, required=False
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        visited, next_visit = cleaned.get("visited_on"), cleaned.get("next_visit_on")
        if visited and visited > timezone.localdate():
            self.add_error("visited_on", _("This date cannot be in the future."))
        if visited and next_visit and next_visit <= visited:
            self.add_error("next_visit_on", _("The next visit must be after this visit."))
        return cleaned

    def progress_rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [(item, self[f"progress_{item.pk}"], self[f"progress_note_{item.pk}"]) for item in self.items]

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in services.FOLLOW_UP_FIELDS}

    def progress(self) -> list[services.ProgressInput]:
        return [
            services.ProgressInput(
                item_id=item.pk,
                status=self.cleaned_data[f"progress_{item.pk}"],
                note=self.cleaned_data.get(f"progress_note_{item.pk}") or "",
            )
            for item in self.items
        ]


# --- Closure, reopening, assignment --------------------------------------------------------------


def closure_reason_choices() -> list[Any]:
    """Reasons grouped by their category (Handbook §2.7): planned, abrupt, involuntary."""
    groups: list[Any] = [_blank()]
    for category in ClosureCategory:
        reasons = [(r.value, r.label) for r in ClosureReason if CLOSURE_CATEGORY[r] == category]
        groups.append((category.label, reasons))
    return groups


class CloseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason for closing"), error_messages={"required": _("A case cannot be closed without a reason.")}
    )
    closed_on = forms.DateField(label=_("Closing date"), widget=DateInput())
    note = forms.CharField(
        label=_("Closing note"),
        required=False,
        widget=_textarea(3),
        help_text=_("How the end of support was prepared and communicated to the returnee."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "reason").choices = closure_reason_choices()
        self.fields["closed_on"].initial = timezone.localdate()

    def clean_closed_on(self) -> date:
        value = self.cleaned_data["closed_on"]
        if value > timezone.localdate():
            raise ValidationError(_("This date cannot be in the future."))
        return value


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        max_length=300,
        widget=_textarea(2),
        error_messages={"required": _("Say why the case is reopened.")},
    )

    def clean_reason(self) -> str:
        value = self.cleaned_data["reason"].strip()
        if not value:
            raise ValidationError(_("Say why the case is reopened."))
        return value


class AssignForm(forms.Form):
    case_manager = forms.TypedChoiceField(label=_("Case manager"), coerce=int)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "case_manager").choices = staff_choices(user.organisation_id)

    def chosen(self) -> User:
        return User.objects.get(pk=self.cleaned_data["case_manager"])
