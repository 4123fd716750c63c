"""Forms of the referral pages: parse and validate input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reintegra.cases.choices import Dimension
from reintegra.places.models import AdminArea
from reintegra.referrals import catalogue
from reintegra.referrals.choices import DeclineReason, Priority, ReferralStatus, Sector
from reintegra.referrals.models import ServiceProvider

DATE = forms.DateInput(attrs={"type": "date"})


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    dimension = forms.ChoiceField(label=_("Dimension"), required=False, choices=[("", _("Any")), *Dimension.choices])
    sector = forms.ChoiceField(label=_("Need / sector"), required=False, choices=[("", _("Any")), *Sector.choices])
    country = forms.ChoiceField(label=_("Country"), required=False)
    area = forms.ModelChoiceField(
        label=_("Area"), required=False, queryset=AdminArea.objects.filter(level=1).order_by("country", "name")
    )
    age = forms.IntegerField(label=_("Age of the person"), required=False, min_value=0, max_value=120)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django_countries import countries

        used = sorted(set(ServiceProvider.objects.values_list("country", flat=True)))
        self.fields["country"].choices = [("", _("Any"))] + [(c, countries.name(c)) for c in used]  # type: ignore[attr-defined]


class ReferralFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any")), *ReferralStatus.choices])
    priority = forms.ChoiceField(label=_("Priority"), required=False, choices=[("", _("Any")), *Priority.choices])
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class ReferralForm(forms.Form):
    service = forms.TypedChoiceField(label=_("Service"), coerce=int)
    plan_item = forms.TypedChoiceField(label=_("Plan item"), coerce=int, required=False, empty_value=None)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    reason = forms.CharField(
        label=_("Reason for referral"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("What the person needs from this service. The provider sees it only if the SOP lists it."),
    )
    send_now = forms.BooleanField(label=_("Send now (checks the person's consent)"), required=False, initial=True)
    life_at_risk_justification = forms.CharField(
        label=_("Life-at-risk exception (mental-health professionals only)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only when the person's life is at risk or a mental disability prevents consent. Leave empty otherwise."
        ),
    )

    def __init__(self, *args: Any, services: list[tuple[int, str]], plan_items: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", "—")] + services  # type: ignore[attr-defined]
        self.fields["plan_item"].choices = [("", "—")] + plan_items  # type: ignore[attr-defined]


class SendForm(forms.Form):
    life_at_risk_justification = ReferralForm.base_fields["life_at_risk_justification"]


class AcceptForm(forms.Form):
    outcome_due_on = forms.DateField(
        label=_("Outcome expected by"),
        required=False,
        widget=DATE,
        help_text=_("Leave empty to use the service's target response time."),
    )
    note = forms.CharField(label=_("Note for the referring organisation"), required=False, max_length=500)


class DeclineForm(forms.Form):
    decline_reason = forms.ChoiceField(label=_("Reason for declining"), choices=[("", "—"), *DeclineReason.choices])
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (ReferralStatus.SERVICE_DELIVERED.value, ReferralStatus.SERVICE_DELIVERED.label),
            (ReferralStatus.NO_SHOW.value, ReferralStatus.NO_SHOW.label),
            (ReferralStatus.REFERRED_ONWARD.value, ReferralStatus.REFERRED_ONWARD.label),
        ],
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class CloseForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("Returnee's satisfaction"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—")] + [(i, str(i)) for i in range(1, 6)],
        help_text=_("1 = very dissatisfied, 5 = very satisfied."),
    )
    feedback = forms.CharField(
        label=_("Returnee's feedback"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "send": SendForm,
    "accept": AcceptForm,
    "decline": DeclineForm,
    "outcome": OutcomeForm,
    "close": CloseForm,
}


class PathwayForm(forms.Form):
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=ServiceProvider.objects.filter(is_active=True))
    service = forms.TypedChoiceField(label=_("Service"), required=False, coerce=int, empty_value=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    approved_on = forms.DateField(label=_("Approval date"), widget=DATE)
    fields = forms.MultipleChoiceField(
        label=_("Case data transferred"),
        choices=catalogue.FIELD_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only these fields reach the provider (data minimisation). Fields marked * are sensitive."),
    )
    transfer_method = forms.CharField(
        label=_("How the data is transferred"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    consent_procedure = forms.CharField(
        label=_("How consent is obtained"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    first_contact = forms.CharField(
        label=_("First contact"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Contact persons, availability, response time and the case data requested at first contact."),
    )
    response_time_hours = forms.IntegerField(label=_("Agreed response time (hours)"), required=False, min_value=1)
    follow_up = forms.CharField(
        label=_("Follow-up and continuity"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    documentation = forms.CharField(label=_("Documentation"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    cost_arrangements = forms.CharField(
        label=_("Cost arrangements"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from reintegra.referrals.models import Service

        self.fields["service"].choices = [("", _("Every service of the provider"))] + [  # type: ignore[attr-defined]
            (s.pk, f"{s.provider.name} — {s.name}")
            for s in Service.objects.select_related("provider").order_by("provider__name", "name")
        ]
        self.fields["fields"].choices = [  # type: ignore[attr-defined]
            (code, f"{f.label}{' *' if f.category else ''}") for code, f in catalogue.FIELDS.items()
        ]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))


def apply_errors(exc: Any, form: forms.Form) -> None:
    """A service's ValidationError onto the form (unknown field names become form-wide errors)."""
    if hasattr(exc, "message_dict"):
        for name, messages in exc.message_dict.items():
            for message in messages:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)
