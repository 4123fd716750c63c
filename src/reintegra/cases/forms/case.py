"""The case: return information, household, closure, reopening, assignment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.access.models import User
from reintegra.access.text_limits import TextLimitsMixin
from reintegra.cases import models as text_model
from reintegra.cases import services
from reintegra.cases.choices import (
    CLOSURE_CATEGORY,
    ClosureCategory,
    ClosureReason,
    MigrationCause,
    ReceptionAssistance,
    Relationship,
    ReturnType,
    Sex,
)
from reintegra.cases.extensions import OpenMatter
from reintegra.cases.forms.common import (
    BaseListFormSet,
    blank_choice,
    choice_field,
    country_choices,
    list_formset_factory,
    staff_choices,
    textarea,
)
from reintegra.web.forms import marked_required
from reintegra.web.widgets import DateInput, FastSelect, FastSelectMultiple

# --- Return information --------------------------------------------------------------------------


class ReturnForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.Case,)
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
    # At least one: the service's rule (shown as required, refused by the service like through the API).
    causes_of_migration = marked_required(
        forms.MultipleChoiceField(
            label=_("Causes of migration"),
            choices=MigrationCause.choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
    )
    causes_note = forms.CharField(
        label=_("Other causes / details"),
        max_length=300,
        required=False,
        help_text=_("Required when “Other” is ticked."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "return_type").choices = [blank_choice(), *ReturnType.choices]
        choice_field(self, "host_country").choices = country_choices(_("— Not recorded —"))
        choice_field(self, "transit_countries").choices = country_choices(False)

    def to_input(self) -> services.ReturnInput:
        """The service's input. On a form with errors, a field that did not parse is left empty (the return
        date: today), so the service can still be asked what else it would refuse (`services.return_problems`)."""
        c = self.cleaned_data
        return services.ReturnInput(
            return_date=c.get("return_date") or timezone.localdate(),
            return_type=c.get("return_type") or "",
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


class MemberForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.HouseholdMember,)
    given_names = forms.CharField(label=_("Given names"), max_length=120)
    family_names = forms.CharField(label=_("Family names"), max_length=160, required=False)
    relationship = forms.ChoiceField(label=_("Relationship"))
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DateInput())
    estimated_age = forms.IntegerField(label=_("Estimated age"), required=False)  # range: the model's
    returned_too = forms.BooleanField(label=_("Returned too"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "relationship").choices = [blank_choice(), *Relationship.choices]

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


class HouseholdNotesForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.Household,)
    notes = forms.CharField(
        label=_("Household notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Living situation of the household; no health or protection details here."),
    )


# --- Closure, reopening, assignment --------------------------------------------------------------


def closure_reason_choices() -> list[Any]:
    """Reasons grouped by their category (Handbook §2.7): planned, abrupt, involuntary."""
    groups: list[Any] = [blank_choice()]
    for category in ClosureCategory:
        reasons = [(r.value, r.label) for r in ClosureReason if CLOSURE_CATEGORY[r] == category]
        groups.append((category.label, reasons))
    return groups


class CloseForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.Case,)
    reason = forms.ChoiceField(
        label=_("Reason for closing"), error_messages={"required": _("A case cannot be closed without a reason.")}
    )
    closed_on = forms.DateField(label=_("Closing date"), widget=DateInput())
    note = forms.CharField(
        label=_("Closing note"),
        required=False,
        widget=textarea(3),
        help_text=_("How the end of support was prepared and communicated to the returnee."),
    )

    def __init__(self, *args: Any, matters: list[OpenMatter] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "reason").choices = closure_reason_choices()
        self.fields["closed_on"].initial = timezone.localdate()
        # One question per thing still open (cases.selectors.open_matters); the service requires each answer.
        self.matters = matters or []
        for matter in self.matters:
            self.fields[f"open_matters.{matter.key}"] = marked_required(
                forms.ChoiceField(
                    label=matter.label,
                    choices=matter.choices,
                    initial=matter.choices[0][0],
                    required=False,
                    widget=forms.RadioSelect,
                )
            )

    def matter_fields(self) -> list[tuple[OpenMatter, forms.BoundField]]:
        return [(matter, self[f"open_matters.{matter.key}"]) for matter in self.matters]

    def decisions(self) -> dict[str, str]:
        """{matter key: choice} as the service takes them."""
        return {matter.key: self.cleaned_data.get(f"open_matters.{matter.key}") or "" for matter in self.matters}


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        max_length=300,
        widget=textarea(2),
        error_messages={"required": _("Say why the case is reopened.")},
    )


class AssignForm(forms.Form):
    case_manager = forms.TypedChoiceField(label=_("Case manager"), coerce=int)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "case_manager").choices = staff_choices(user.organisation_id)

    def chosen(self) -> User:
        return User.objects.get(pk=self.cleaned_data["case_manager"])
