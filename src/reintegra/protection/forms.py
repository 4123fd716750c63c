"""Forms of the protection pages: consent ledger and case sharing.

Forms only check shapes (dates, choices, lengths); the rules (the minor rule, dates, recipients, consent
before sharing) live in `protection.services`, whose `ValidationError`s are put back onto the form's fields
with `reintegra.web.forms.apply_service_errors`, so the web UI and the API cannot disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.access.models import Organisation
from reintegra.access.text_limits import TextLimitsMixin
from reintegra.protection import models as text_model
from reintegra.protection import services
from reintegra.protection.choices import ConsentMethod, ConsentPurpose
from reintegra.web.widgets import DateInput

if TYPE_CHECKING:
    from reintegra.access.models import User

# Shortest and longest "smallest cell" a user may ask for (the settings floor still applies).
MAX_K = 1000


def _blank(label: Any = None) -> tuple[str, Any]:
    return ("", label or _("— Choose —"))


def _textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


# --- consent ledger ------------------------------------------------------------------------------


class ConsentForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.Consent,)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=[_blank(), *ConsentPurpose.choices])
    recipient_organisation = forms.ModelChoiceField(
        label=_("Recipient organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— None —"),
        help_text=_("An organisation of the platform. Data goes only to the organisation or provider named here."),
    )
    recipient_provider = forms.ModelChoiceField(
        label=_("Or a provider outside the platform"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— None —"),
        help_text=_("A provider of the service directory that is not on the platform, for an external referral."),
    )
    recipient_description = forms.CharField(
        label=_("Note on the recipient or service"),
        max_length=200,
        required=False,
        help_text=_(
            "Optional, e.g. “mental-health services only”. A description alone does not allow sharing or a "
            "referral: name an organisation or a provider."
        ),
    )
    method = forms.ChoiceField(label=_("How it was given"), choices=[_blank(), *ConsentMethod.choices])
    given_on = forms.DateField(label=_("Date given"), widget=DateInput())
    expires_on = forms.DateField(label=_("Expiry date"), required=False, widget=DateInput())
    given_by_returnee = forms.BooleanField(label=_("Given by the person themselves"), required=False, initial=True)
    guardian_name = forms.CharField(
        label=_("Parent, guardian or representative who consents"),
        max_length=200,
        required=False,
        help_text=_("Required for a minor, and whenever the person did not give the consent themselves."),
    )
    child_assent = forms.BooleanField(label=_("The child's own assent was obtained"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["recipient_organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(is_active=True).order_by("name")
        providers = services.recipient_providers(user)
        if providers is None:
            del self.fields["recipient_provider"]
        else:
            provider_field = self.fields["recipient_provider"]
            assert isinstance(provider_field, forms.ModelChoiceField)
            provider_field.queryset = providers
        self.fields["given_on"].initial = timezone.localdate()


class WithdrawConsentForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.Consent,)
    withdrawn_on = forms.DateField(
        label=_("Withdrawn on"),
        required=False,
        widget=DateInput(),
        help_text=_("A withdrawal takes effect immediately: active shares under this consent are revoked now."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False, widget=_textarea(2))

    def __init__(self, *args: Any, consent_id: int, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_withdraw_{consent_id}_%s")
        super().__init__(*args, **kwargs)
        self.fields["withdrawn_on"].initial = timezone.localdate()


# --- case sharing --------------------------------------------------------------------------------


class ShareForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.CaseShare,)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), empty_label=_("— Choose —")
    )
    reason = forms.CharField(
        label=_("Reason for sharing"),
        max_length=300,
        widget=_textarea(3),
        help_text=_("What the organisation needs the information for. Share only what the care needs."),
    )

    def __init__(self, *args: Any, user: User, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(is_active=True).exclude(pk=case.organisation_id).order_by("name")
        # The life-at-risk exception (docs/domain-referrals.md §4) exists only for mental-health professionals.
        if getattr(user, "is_mental_health_professional", False):
            self.fields["life_at_risk_justification"] = forms.CharField(
                label=_("Life-at-risk exception: justification"),
                max_length=300,
                required=False,
                widget=_textarea(3),
                help_text=_(
                    "Only when there is no valid consent and, in your professional judgement, the person's life is "
                    "at risk or a mental disability prevents consent. The exception is recorded and flagged for "
                    "the data-protection officer."
                ),
            )
