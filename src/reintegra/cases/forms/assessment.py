"""Assessments and counselling sessions (sensitive fields only for those who may see them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.access import scoping
from reintegra.access.roles import SensitiveCategory
from reintegra.access.text_limits import TextLimitsMixin
from reintegra.cases import models as text_model
from reintegra.cases.choices import (
    AssessmentKind,
    ContactMode,
    NeedLevel,
)
from reintegra.cases.forms.common import (
    textarea,
)
from reintegra.web.widgets import DateInput

if TYPE_CHECKING:
    from reintegra.access.models import User

# --- Assessment and counselling ------------------------------------------------------------------


# Sensitive fields of an assessment and their category (the model fields carry the same tags).
ASSESSMENT_SENSITIVE = {
    "protection_concerns": SensitiveCategory.PROTECTION,
    "health_notes": SensitiveCategory.HEALTH,
    "mental_health_notes": SensitiveCategory.MENTAL_HEALTH,
    "gbv_notes": SensitiveCategory.GBV,
}


class AssessmentForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.Assessment,)
    kind = forms.ChoiceField(label=_("Kind"), choices=AssessmentKind.choices, initial=AssessmentKind.INITIAL)
    assessed_on = forms.DateField(label=_("Date"), widget=DateInput())
    needs_vulnerabilities = forms.CharField(label=_("Needs and vulnerabilities"), required=False, widget=textarea())
    capacities_skills = forms.CharField(label=_("Capacities and skills"), required=False, widget=textarea())
    risk_factors = forms.CharField(label=_("Risk factors"), required=False, widget=textarea())
    protective_factors = forms.CharField(label=_("Protective factors"), required=False, widget=textarea())
    family_situation = forms.CharField(label=_("Family situation"), required=False, widget=textarea())
    economic_need = forms.ChoiceField(label=_("Economic need"), choices=NeedLevel.choices, initial=NeedLevel.NONE)
    economic_needs = forms.CharField(label=_("Economic needs"), required=False, widget=textarea(2))
    social_need = forms.ChoiceField(label=_("Social need"), choices=NeedLevel.choices, initial=NeedLevel.NONE)
    social_needs = forms.CharField(label=_("Social needs"), required=False, widget=textarea(2))
    psychosocial_need = forms.ChoiceField(
        label=_("Psychosocial need"), choices=NeedLevel.choices, initial=NeedLevel.NONE
    )
    psychosocial_needs = forms.CharField(label=_("Psychosocial needs"), required=False, widget=textarea(2))
    protection_concerns = forms.CharField(label=_("Protection concerns"), required=False, widget=textarea())
    health_notes = forms.CharField(label=_("Health"), required=False, widget=textarea())
    mental_health_notes = forms.CharField(label=_("Mental health"), required=False, widget=textarea())
    gbv_notes = forms.CharField(label=_("Gender-based violence"), required=False, widget=textarea())

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
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


class CounsellingForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.CounsellingSession,)
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    mode = forms.ChoiceField(label=_("Mode"), choices=ContactMode.choices, initial=ContactMode.IN_PERSON)
    # Its range is the model's (CounsellingSession.duration_minutes), checked by the service.
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), required=False)
    topics = forms.CharField(label=_("Topics"), max_length=300, required=False)
    notes = forms.CharField(
        label=_("Psychosocial notes"),
        required=False,
        widget=textarea(5),
        help_text=_("Confidential: only roles allowed to read psychosocial notes see them."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()
        if not scoping.can_see(user, SensitiveCategory.PSYCHOSOCIAL):
            del self.fields["notes"]

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}
