"""Forms of the child's case pages. They parse only; the services (`children.services`) decide what is
required and refuse the rest, and the views put those errors back on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.access.text_limits import TextLimitsMixin
from reintegra.cases.forms.common import BaseListFormSet, list_formset_factory, staff_choices, textarea
from reintegra.children import models as text_model
from reintegra.children.choices import (
    AssessmentStage,
    BiaPriority,
    BiaRecommendation,
    BidDecision,
    CareStatus,
    ChildProtectionAuthority,
    GuardianshipStatus,
    HearingMethod,
    PanelRole,
    ParticipationDecision,
    ParticipationMethod,
    RiskIndicator,
    SchoolEnrolment,
)
from reintegra.children.models import BestInterestsAssessment, BestInterestsDetermination, ChildProfile
from reintegra.children.services import (
    AssessmentInput,
    CaregiverInput,
    DeterminationInput,
    PanelMemberInput,
    ProfileInput,
)
from reintegra.web.forms import marked_required
from reintegra.web.widgets import DateInput


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


def _text(label: Any, *, rows: int = 3, max_length: int = 4000, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=max_length, widget=textarea(rows), strip=False, **kwargs
    )


# --- Profile -------------------------------------------------------------------------------------


class CaregiverForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.ChildProfile,)
    name = forms.CharField(label=_("Name"), required=False, max_length=160)
    relationship = forms.CharField(label=_("Relationship to the child"), required=False, max_length=80)
    contact = forms.CharField(label=_("Contact"), required=False, max_length=160)

    def has_values(self) -> bool:
        return any((self.cleaned_data.get(name) or "").strip() for name in ("name", "relationship", "contact"))


CaregiverFormSet = list_formset_factory(CaregiverForm, extra=1, can_delete=True, max_num=10)


class ProfileForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.ChildProfile,)
    care_status = marked_required(
        forms.ChoiceField(label=_("Care situation"), choices=_blank(CareStatus.choices), required=False)
    )
    guardian_name = forms.CharField(label=_("Legal guardian"), required=False, max_length=160)
    guardian_relationship = forms.CharField(
        label=_("Guardian's relationship to the child"), required=False, max_length=80
    )
    guardian_contact = forms.CharField(label=_("Guardian's contact"), required=False, max_length=160)
    guardianship_status = forms.ChoiceField(
        label=_("Legal status of the guardianship"), choices=GuardianshipStatus.choices, required=False
    )
    guardian_informed = forms.BooleanField(label=_("The guardian was informed"), required=False)
    authority = forms.ChoiceField(
        label=_("Child-protection authority"), choices=_blank(ChildProtectionAuthority.choices), required=False
    )
    authority_officer = forms.CharField(label=_("Officer of the authority"), required=False, max_length=160)
    authority_reference = forms.CharField(label=_("Authority's file reference"), required=False, max_length=80)
    school_enrolment = forms.ChoiceField(label=_("School enrolment"), choices=SchoolEnrolment.choices, required=False)
    school_notes = _text(_("School"), max_length=500)
    health_status = _text(_("Health status"), max_length=500)
    languages = forms.CharField(
        label=_("The child's languages"), required=False, max_length=200, help_text=_("e.g. k'iche', español")
    )

    @staticmethod
    def initial_of(profile: ChildProfile | None) -> dict[str, Any]:
        if profile is None:
            return {"guardianship_status": GuardianshipStatus.UNKNOWN, "school_enrolment": SchoolEnrolment.UNKNOWN}
        return {name: getattr(profile, name) for name in ("care_status", *_PROFILE_TEXT)}

    def to_input(self, caregivers: list[CaregiverForm]) -> ProfileInput:
        v = self.cleaned_data
        values = {name: v.get(name) or "" for name in _PROFILE_TEXT if name != "guardian_informed"}
        values["guardianship_status"] = values["guardianship_status"] or GuardianshipStatus.UNKNOWN
        values["school_enrolment"] = values["school_enrolment"] or SchoolEnrolment.UNKNOWN
        return ProfileInput(
            care_status=v.get("care_status") or "",
            caregivers=[
                CaregiverInput(**{k: f.cleaned_data.get(k) or "" for k in ("name", "relationship", "contact")})
                for f in caregivers
            ],
            guardian_informed=bool(v.get("guardian_informed")),
            **values,
        )


_PROFILE_TEXT = (
    "guardian_name",
    "guardian_relationship",
    "guardian_contact",
    "guardianship_status",
    "guardian_informed",
    "authority",
    "authority_officer",
    "authority_reference",
    "school_enrolment",
    "school_notes",
    "health_status",
    "languages",
)


def kept_caregivers(formset: BaseListFormSet[CaregiverForm]) -> list[CaregiverForm]:
    """The rows the user filled in and did not remove, in order (the service names them by position)."""
    return [f for f in formset.kept_forms() if f.has_values()]


# --- BIA -----------------------------------------------------------------------------------------

BIA_SECTIONS = (
    (
        _("The child's views and wishes"),
        ("child_participated", "hearing_method", "trusted_adult_present", "child_views", "participation_note"),
    ),
    (_("Family situation and care arrangements"), ("family_situation",)),
    (_("Safety and risks"), ("risk_indicators", "safety_risks")),
    (_("Health, education and psychosocial well-being"), ("health", "education", "psychosocial")),
    (_("The family in the country of origin"), ("family_needs",)),
    (_("Context"), ("local_context", "cross_border")),
    (_("Recommendation"), ("recommendation", "recommendation_reasons")),
)


class AssessmentForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.BestInterestsAssessment,)
    stage = marked_required(
        forms.ChoiceField(label=_("Stage"), choices=_blank(AssessmentStage.choices), required=False)
    )
    priority = marked_required(
        forms.ChoiceField(
            label=_("Priority"),
            choices=_blank(BiaPriority.choices),
            required=False,
            help_text=_(
                "Sets the deadline to complete it: high 2 days, medium 1 week, low 30 days (programme settings)."
            ),
        )
    )
    started_on = marked_required(
        forms.DateField(label=_("Started on"), required=False, widget=DateInput(), initial=timezone.localdate)
    )
    child_participated = forms.BooleanField(label=_("The child participated"), required=False)
    hearing_method = forms.ChoiceField(
        label=_("How the child was heard"), choices=_blank(HearingMethod.choices), required=False
    )
    trusted_adult_present = forms.BooleanField(label=_("A trusted adult was present"), required=False)
    child_views = _text(_("The child's views and wishes"), rows=4)
    participation_note = _text(_("Why the child was not heard"), max_length=1000)
    family_situation = _text(_("Family situation and care arrangements"), rows=4)
    risk_indicators = forms.MultipleChoiceField(
        label=_("Risk indicators"), choices=RiskIndicator.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    safety_risks = _text(_("Safety and risks (violence, exploitation, trafficking)"), rows=4)
    health = _text(_("Health"))
    education = _text(_("Education"))
    psychosocial = _text(_("Psychosocial well-being"))
    family_needs = _text(_("The family's social, psychosocial and economic needs in the country of origin"))
    local_context = _text(_("Context: referral network and infrastructure"))
    cross_border = _text(_("Cross-border consent and data issues"))
    recommendation = forms.ChoiceField(
        label=_("Recommendation"), choices=_blank(BiaRecommendation.choices), required=False
    )
    recommendation_reasons = _text(_("Reasons for the recommendation"), rows=4)

    @staticmethod
    def initial_of(bia: BestInterestsAssessment) -> dict[str, Any]:
        data = {name: getattr(bia, name) for name in AssessmentForm.base_fields if name != "risk_indicators"}
        data["risk_indicators"] = list(bia.risk_indicators or [])
        return data

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in BIA_SECTIONS]

    def to_input(self, *, complete: bool) -> AssessmentInput:
        v = self.cleaned_data
        texts = {
            name: v.get(name) or "" for name in self.base_fields if isinstance(self.base_fields[name], forms.CharField)
        }
        return AssessmentInput(
            stage=v.get("stage") or "",
            priority=v.get("priority") or "",
            started_on=v.get("started_on"),
            child_participated=bool(v.get("child_participated")),
            hearing_method=v.get("hearing_method") or "",
            trusted_adult_present=bool(v.get("trusted_adult_present")),
            risk_indicators=list(v.get("risk_indicators") or []),
            recommendation=v.get("recommendation") or "",
            complete=complete,
            **texts,
        )


class ApproveForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.BestInterestsAssessment,)
    note = _text(_("Supervisor's note"), max_length=1000)


# --- BID -----------------------------------------------------------------------------------------


class PanelMemberForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.PanelMember,)
    user = forms.TypedChoiceField(label=_("User"), coerce=int, empty_value=None, required=False)
    name = forms.CharField(label=_("Name (a member from outside the platform)"), required=False, max_length=160)
    role = forms.ChoiceField(label=_("Role on the panel"), choices=_blank(PanelRole.choices), required=False)
    no_conflict_declared = forms.BooleanField(label=_("Declares no conflict of interest"), required=False)
    conflict_note = forms.CharField(label=_("Conflict of interest declared"), required=False, max_length=500)
    confidentiality_declared = forms.BooleanField(label=_("Signed the confidentiality declaration"), required=False)

    def __init__(self, *args: Any, organisation_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = staff_choices(organisation_id, blank="—")  # type: ignore[attr-defined]

    def has_values(self) -> bool:
        return bool(
            self.cleaned_data.get("user")
            or (self.cleaned_data.get("name") or "").strip()
            or self.cleaned_data.get("role")
        )

    def to_input(self) -> PanelMemberInput:
        v = self.cleaned_data
        return PanelMemberInput(
            role=v.get("role") or "",
            user_id=v.get("user"),
            name=v.get("name") or "",
            no_conflict_declared=bool(v.get("no_conflict_declared")),
            conflict_note=v.get("conflict_note") or "",
            confidentiality_declared=bool(v.get("confidentiality_declared")),
        )


PanelFormSet = list_formset_factory(PanelMemberForm, extra=3, can_delete=True, max_num=12)


class DeterminationForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.BestInterestsDetermination,)
    convened_on = marked_required(
        forms.DateField(label=_("Panel convened on"), required=False, widget=DateInput(), initial=timezone.localdate)
    )
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=_blank(BidDecision.choices),
        required=False,
        help_text=_("Leave it empty while the panel has not decided."),
    )
    reasons = _text(_("Reasons"), rows=5)
    decided_on = forms.DateField(label=_("Decided on"), required=False, widget=DateInput())
    review_on = forms.DateField(label=_("Review date"), required=False, widget=DateInput())

    @staticmethod
    def initial_of(bid: BestInterestsDetermination | None) -> dict[str, Any]:
        if bid is None:
            return {}
        return {name: getattr(bid, name) for name in ("convened_on", "decision", "reasons", "decided_on", "review_on")}

    def to_input(self, members: list[PanelMemberForm]) -> DeterminationInput:
        v = self.cleaned_data
        return DeterminationInput(
            convened_on=v.get("convened_on"),
            members=[m.to_input() for m in members],
            decision=v.get("decision") or "",
            reasons=v.get("reasons") or "",
            decided_on=v.get("decided_on"),
            review_on=v.get("review_on"),
        )


def kept_members(formset: BaseListFormSet[PanelMemberForm]) -> list[PanelMemberForm]:
    return [f for f in formset.kept_forms() if f.has_values()]


# --- Participation and child cases ----------------------------------------------------------------


class ParticipationForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.ChildParticipation,)
    decision = marked_required(
        forms.ChoiceField(label=_("Decision"), choices=_blank(ParticipationDecision.choices), required=False)
    )
    method = marked_required(
        forms.ChoiceField(
            label=_("How the child took part"), choices=_blank(ParticipationMethod.choices), required=False
        )
    )
    views = marked_required(_text(_("The child's views, or why the child was not heard"), max_length=2000))
    recorded_on = marked_required(
        forms.DateField(label=_("Date"), required=False, widget=DateInput(), initial=timezone.localdate)
    )


class ChildCaseForm(forms.Form):
    member = forms.TypedChoiceField(label=_("Household member"), coerce=int, empty_value=None, required=False)

    def __init__(self, *args: Any, members: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.pk, str(m)) for m in members]  # type: ignore[attr-defined]
