"""The programme settings form: the schedule of RSS rounds, the stakeholder rule, reminders' notice."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries as all_countries

from reintegra.web.widgets import DateInput


def _country_choices() -> list[tuple[str, str]]:
    # Called for each form, so the names come in the reader's language (not the one active at import).
    return [(code, str(name)) for code, name in all_countries]


class ProgrammeSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    countries = forms.MultipleChoiceField(
        label=_("Countries"),
        choices=_country_choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    starts_on = forms.DateField(label=_("Start date"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=_("End date"), required=False, widget=DateInput())
    is_active = forms.BooleanField(label=_("Active"), required=False)
    rss_round_months = forms.CharField(
        label=_("RSS rounds (months after return)"),
        max_length=100,
        help_text=_("Comma-separated, e.g. 0, 6, 12, 18 (0 is the baseline round)."),
    )
    # The ranges are the service's (services.PROGRAMME_SETTING_RANGES): the form only reads whole numbers.
    rss_baseline_window_days = forms.IntegerField(label=_("Days allowed for the baseline round"))
    rss_round_window_days = forms.IntegerField(
        label=_("Days either side of a follow-up round"),
        help_text=_(
            "A survey counts for a follow-up round when taken this many days before or after its due date; "
            "outside every round's window it is an unscheduled round."
        ),
    )
    stakeholder_high_threshold = forms.IntegerField(
        label=_("High interest/influence threshold"),
        help_text=_("A stakeholder scoring at least this on both interest and influence is managed closely."),
    )
    stakeholder_review_months = forms.IntegerField(label=_("Stakeholder review after (months)"))
    agreement_renewal_notice_days = forms.IntegerField(label=_("Agreement renewal notice (days)"))

    suppression_threshold = forms.IntegerField(
        label=_("Suppression threshold (k)"),
        required=False,  # left empty: unchanged
        help_text=_(
            "Counts below k are hidden in analytics, and every pseudonymised case row shares its sex, age band, "
            "nationality, return type, return period and area with at least k − 1 other rows (rows that cannot "
            "are withheld). A higher k protects people better and shows less detail."
        ),
    )

    def clean_rss_round_months(self) -> list[int]:
        raw = self.cleaned_data["rss_round_months"]
        try:
            return [int(part) for part in raw.replace(";", ",").split(",") if part.strip()]
        except ValueError:
            raise ValidationError(_("Give the months after return as whole numbers between 0 and 120.")) from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("suppression_threshold") is None:
            cleaned.pop("suppression_threshold", None)
        return cleaned

    @classmethod
    def initial_for(cls, programme: Any) -> dict[str, Any]:
        return {
            "name": programme.name,
            "countries": programme.countries,
            "starts_on": programme.starts_on,
            "ends_on": programme.ends_on,
            "is_active": programme.is_active,
            "rss_round_months": ", ".join(str(m) for m in programme.rss_round_months),
            "rss_baseline_window_days": programme.rss_baseline_window_days,
            "rss_round_window_days": programme.rss_round_window_days,
            "stakeholder_high_threshold": programme.stakeholder_high_threshold,
            "stakeholder_review_months": programme.stakeholder_review_months,
            "agreement_renewal_notice_days": programme.agreement_renewal_notice_days,
            "suppression_threshold": programme.suppression_threshold,
        }
