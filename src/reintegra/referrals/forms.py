"""Forms of the referral pages: parse and validate input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reintegra.access.models import Organisation
from reintegra.access.text_limits import TextLimitsMixin
from reintegra.cases.choices import AttentionFlag, Sex
from reintegra.places.models import AdminArea
from reintegra.referrals import catalogue, services
from reintegra.referrals import models as text_model
from reintegra.referrals.choices import (
    Cost,
    DeclineReason,
    Dimension,
    OrganisationType,
    PathwayPopulation,
    ReferralPriority,
    ReferralStatus,
    ServiceSector,
)
from reintegra.referrals.models import ServiceProvider
from reintegra.web.widgets import DateInput


def _set_choices(form: forms.Form, name: str, choices: list[tuple[Any, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


ANY_DIMENSION = [("", _("Any")), *Dimension.choices]
ANY_SECTOR = [("", _("Any")), *ServiceSector.choices]


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    dimension = forms.ChoiceField(label=_("Dimension"), required=False, choices=ANY_DIMENSION)
    sector = forms.ChoiceField(label=_("Need / sector"), required=False, choices=ANY_SECTOR)
    country = forms.ChoiceField(label=_("Country"), required=False)
    area = forms.ModelChoiceField(
        label=_("Area"), required=False, queryset=AdminArea.objects.filter(level=1).order_by("country", "name")
    )
    age = forms.IntegerField(label=_("Age of the person"), required=False, min_value=0, max_value=120)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django_countries import countries

        used = sorted({str(c) for c in ServiceProvider.objects.values_list("country", flat=True)})
        country = self.fields["country"]
        assert isinstance(country, forms.ChoiceField)
        country.choices = [("", _("Any")), *((code, countries.name(code)) for code in used)]


class ReferralFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any")), *ReferralStatus.choices])
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("Any")), *ReferralPriority.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class ReferralForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.Referral,)
    service = forms.TypedChoiceField(label=_("Service"), coerce=int)
    plan_item = forms.TypedChoiceField(label=_("Plan item"), coerce=int, required=False, empty_value=None)
    priority = forms.ChoiceField(label=_("Priority"), choices=ReferralPriority.choices, initial=ReferralPriority.NORMAL)
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
        _set_choices(self, "service", [("", "—"), *services])
        _set_choices(self, "plan_item", [("", "—"), *plan_items])


class SendForm(forms.Form):
    life_at_risk_justification = ReferralForm.base_fields["life_at_risk_justification"]


class AcceptForm(forms.Form):
    outcome_due_on = forms.DateField(
        label=_("Outcome expected by"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty to use the service's target response time."),
    )
    note = forms.CharField(label=_("Note for the referring organisation"), required=False, max_length=500)


class DeclineForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.Referral,)
    decline_reason = forms.ChoiceField(label=_("Reason for declining"), choices=[("", "—"), *DeclineReason.choices])
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class OutcomeForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.Referral,)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (ReferralStatus.SERVICE_DELIVERED.value, ReferralStatus.SERVICE_DELIVERED.label),
            (ReferralStatus.NO_SHOW.value, ReferralStatus.NO_SHOW.label),
            (ReferralStatus.REFERRED_ONWARD.value, ReferralStatus.REFERRED_ONWARD.label),
        ],
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class CloseForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.Referral,)
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


class WithdrawForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.Referral,)
    withdrawal_reason = forms.CharField(
        label=_("Why is it withdrawn?"),
        required=False,  # the service requires it, with its own message
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The provider is told that nothing more is needed; it does not see this reason."),
    )


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "send": SendForm,
    "accept": AcceptForm,
    "decline": DeclineForm,
    "outcome": OutcomeForm,
    "close": CloseForm,
    "withdraw": WithdrawForm,
}


class PathwayForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.ReferralPathway,)
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=ServiceProvider.objects.filter(is_active=True))
    service = forms.TypedChoiceField(label=_("Service"), required=False, coerce=int, empty_value=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    approved_on = forms.DateField(label=_("Approval date"), widget=DateInput())
    population = forms.ChoiceField(
        label=_("For whom"),
        required=False,
        choices=PathwayPopulation.choices,
        initial=PathwayPopulation.EVERYONE,
        help_text=_("A child's referral goes under a child-focused SOP with the provider when there is one."),
    )
    child_safeguards = forms.CharField(
        label=_("Child safeguards"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For a child-focused SOP: how the child's best interests are kept, who informs the child-protection "
            "authority, how the guardian's consent and the child's assent are obtained, who accompanies the child."
        ),
    )
    transferred_fields = forms.MultipleChoiceField(
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
    response_time_hours = forms.IntegerField(label=_("Agreed response time (hours)"), required=False)
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

        services = Service.objects.select_related("provider").order_by("provider__name", "name")
        _set_choices(
            self,
            "service",
            [("", _("Every service of the provider")), *((s.pk, f"{s.provider.name} — {s.name}") for s in services)],
        )
        _set_choices(
            self,
            "transferred_fields",
            [(code, f"{f.label}{' *' if f.category else ''}") for code, f in catalogue.FIELDS.items()],
        )

    def to_input(self, service: Any = None) -> services.PathwayInput:
        """The service's input, with the `service` the chosen id names (looked up by the view)."""
        data = {**self.cleaned_data, "population": self.cleaned_data.get("population") or PathwayPopulation.EVERYONE}
        return services.input_of(services.PathwayInput, data, service=service)


def _country_choices() -> list[tuple[str, str]]:
    from django_countries import countries

    return [(code, str(name)) for code, name in countries]


class ProviderForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.ServiceProvider,)
    name = forms.CharField(label=_("Name"), max_length=200)
    organisation_type = forms.ChoiceField(
        label=_("Type of organisation"), choices=[("", "—"), *OrganisationType.choices]
    )
    country = forms.ChoiceField(label=_("Country"))
    organisation = forms.ModelChoiceField(
        label=_("Organisation on the platform"),
        required=False,
        queryset=Organisation.objects.filter(is_active=True).order_by("name"),
        help_text=_(
            "When the provider's staff use Reintegra. The link is made when a programme manager of that "
            "organisation accepts it; referrals sent from then on arrive in its portal."
        ),
    )
    languages = forms.CharField(label=_("Languages"), required=False, max_length=200)
    address = forms.CharField(label=_("Address"), required=False, max_length=250)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    email = forms.EmailField(label=_("E-mail"), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "country", [("", "—"), *_country_choices()])

    def to_input(self, contacts: list[dict[str, Any]]) -> services.ProviderInput:
        """The service's input, with the contact rows kept (`contacts_of(formset)`)."""
        rows = [services.input_of(services.ContactInput, c) for c in contacts]
        return services.input_of(services.ProviderInput, self.cleaned_data, contacts=rows)


class ContactForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.ContactPerson,)
    name = forms.CharField(label=_("Name"), required=False, max_length=160)
    position = forms.CharField(label=_("Position"), required=False, max_length=160)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    email = forms.EmailField(label=_("E-mail"), required=False)
    availability = forms.CharField(label=_("Availability"), required=False, max_length=200)


ContactFormSet = forms.formset_factory(ContactForm, extra=2, can_delete=True, max_num=20, absolute_max=40)


CONTACT_FIELDS = ("name", "position", "phone", "email", "availability")


def contact_forms(formset: Any) -> list[forms.Form]:
    """The contact rows kept: anything filled in and not marked for deletion (a row without a name is the
    service's to refuse, under its position: "contacts.1.name")."""
    return [
        f
        for f in formset.forms
        if any(f.cleaned_data.get(k) for k in CONTACT_FIELDS) and not f.cleaned_data.get("DELETE")
    ]


def contacts_of(formset: Any) -> list[dict[str, Any]]:
    return [f.cleaned_data for f in contact_forms(formset)]


class ServiceForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.Service,)
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(
        label=_("Code"),
        required=False,
        max_length=60,
        help_text=_("Identifies the service in imports and exports. Leave empty to make one from the name."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    dimension = forms.ChoiceField(label=_("Dimension"), choices=[("", "—"), *Dimension.choices])
    sector = forms.ChoiceField(label=_("Need / sector"), choices=[("", "—"), *ServiceSector.choices])
    country = forms.ChoiceField(label=_("Country of coverage"))
    areas = forms.ModelMultipleChoiceField(
        label=_("Coverage areas"),
        required=False,
        queryset=AdminArea.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_(
            "Leave empty when the service covers the whole country. A state/department covers its municipalities."
        ),
    )
    min_age = forms.IntegerField(label=_("Minimum age"), required=False)
    max_age = forms.IntegerField(label=_("Maximum age"), required=False)
    sexes = forms.MultipleChoiceField(
        label=_("Sexes served"),
        required=False,
        choices=Sex.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: everyone."),
    )
    nationalities = forms.MultipleChoiceField(
        label=_("Nationalities served"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("None chosen: every nationality."),
    )
    vulnerability_criteria = forms.MultipleChoiceField(
        label=_("Vulnerability criteria"),
        required=False,
        choices=AttentionFlag.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: open to everyone; otherwise only people with one of these profiles."),
    )
    capacity_per_month = forms.IntegerField(
        label=_("Capacity per month"), required=False, help_text=_("Leave empty when unlimited.")
    )
    cost = forms.ChoiceField(label=_("Cost to the returnee"), choices=Cost.choices, initial=Cost.FREE)
    opening_hours = forms.CharField(label=_("Opening hours"), required=False, max_length=200)
    target_response_days = forms.IntegerField(label=_("Target response time (days)"), initial=14)
    languages = forms.CharField(label=_("Languages"), required=False, max_length=200)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    is_public = forms.BooleanField(
        label=_("Shown on the public portal"),
        required=False,
        help_text=_("Listed on the public information portal, with its public contact point."),
    )
    public_contact = forms.CharField(
        label=_("Public contact point"),
        required=False,
        max_length=250,
        help_text=_("An office's phone, e-mail or address the public may use; never a person's own number."),
    )

    def __init__(self, *args: Any, country: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _country_choices()
        _set_choices(self, "country", [("", "—"), *choices])
        _set_choices(self, "nationalities", choices)
        # Areas of the country chosen (the posted one when re-displayed), states before municipalities.
        chosen = (self.data.get("country") if self.is_bound else None) or country
        areas = self.fields["areas"]
        assert isinstance(areas, forms.ModelMultipleChoiceField)
        areas.queryset = AdminArea.objects.filter(country=chosen).select_related("parent").order_by("level", "name")

    def to_input(self, provider: ServiceProvider) -> services.ServiceInput:
        data = self.cleaned_data
        return services.input_of(services.ServiceInput, data, provider=provider, areas=list(data["areas"]))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
