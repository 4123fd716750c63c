"""Forms of the structural level: one base that scopes every choice to the user's programmes.

Forms never save: views hand the unsaved instance and its many-to-many values to
`services.save_record`, which checks permissions and consistency and maps errors back here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reintegra.access.models import Organisation, Programme, User
from reintegra.access.roles import Role
from reintegra.access.text_limits import TextLimitsMixin
from reintegra.structural import choices as c
from reintegra.structural import editable, selectors
from reintegra.structural.models import (
    ActionItem,
    Agreement,
    CapacityActivity,
    CapacityAssessment,
    CapacityPlan,
    ChecklistStep,
    CommonProduct,
    ContactPerson,
    CooperationFramework,
    CoordinationMechanism,
    Document,
    Interaction,
    MainstreamingProcess,
    MechanismMember,
    Meeting,
    ProgrammeRecord,
    ProgressIndicator,
    SectorOpportunity,
    Stakeholder,
    StakeholderReview,
    Training,
)
from reintegra.web.widgets import DateInput


class StructuralForm(TextLimitsMixin, forms.ModelForm[Any]):
    """`programme` is asked only for top-level records; every linked record is limited to one the user
    sees, of the record's programme when it is known (a child, an edit)."""

    def __init__(self, *args: Any, user: User, programme: Programme | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.programme = programme
        if programme is None and self.instance.pk is not None:
            self.programme = self.instance.programme
        visible_ids = selectors.visible_programme_ids(user)
        for name, bound in self.fields.items():
            field: Any = bound
            if isinstance(field.widget, forms.DateInput):
                field.widget = DateInput()
            if name == "programme":
                self._offer_programmes(field)
            elif isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
                self._limit_choices(name, field, visible_ids)

    def _offer_programmes(self, field: Any) -> None:
        field.queryset = selectors.editable_programmes(self.user)
        if field.queryset.count() == 1 and not self.initial.get("programme"):
            self.initial["programme"] = field.queryset.first()

    def _limit_choices(self, name: str, field: Any, visible_ids: frozenset[int]) -> None:
        model = field.queryset.model
        if issubclass(model, ProgrammeRecord):
            qs = field.queryset.filter(programme_id__in=visible_ids)
            if self.programme is not None:
                qs = qs.filter(programme=self.programme)
            field.queryset = qs
        elif issubclass(model, User):
            # The people the service accepts (services._check_people); the record's current one stays.
            current = getattr(self.instance, f"{name}_id", None)
            field.queryset = (
                (
                    selectors.assignable_users(self.user, self.programme)
                    | User.objects.filter(pk__in=[current] if current else [])
                )
                .distinct()
                .order_by("username")
            )
        if isinstance(field, forms.ModelMultipleChoiceField):
            field.widget = forms.CheckboxSelectMultiple()
            field.widget.choices = field.choices

    def m2m_values(self) -> dict[str, list[Any]]:
        return {
            f.name: list(self.cleaned_data[f.name])
            for f in self.instance._meta.many_to_many
            if f.name in self.cleaned_data
        }


def _textareas(*names: str) -> dict[str, forms.Widget]:
    return {n: forms.Textarea(attrs={"rows": 3}) for n in names}


class StakeholderForm(StructuralForm):
    functions = forms.MultipleChoiceField(
        label=_("Possible functions"),
        choices=c.StakeholderFunction.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("From the functions of Cuadro 4.1 of the Handbook."),
    )

    class Meta:
        model = Stakeholder
        fields = editable.STAKEHOLDER
        widgets = {
            **_textareas("relevance", "engagement_strategy", "concerns", "expectations", "perceptions"),
            "interest": forms.NumberInput(attrs={"min": 1, "max": 5}),
            "influence": forms.NumberInput(attrs={"min": 1, "max": 5}),
        }
        help_texts = {
            "interest": _("1 = very low, 5 = very high interest in the programme."),
            "influence": _("1 = very low, 5 = very high influence on reintegration."),
            "significant_change_on": _("A significant change calls for a new review of the engagement."),
        }


class ContactPersonForm(StructuralForm):
    class Meta:
        model = ContactPerson
        fields = ["name", "position", "email", "phone"]


class InteractionForm(StructuralForm):
    class Meta:
        model = Interaction
        fields = editable.INTERACTION
        widgets = _textareas("summary")


class CommonProductForm(StructuralForm):
    class Meta:
        model = CommonProduct
        fields = editable.COMMON_PRODUCT
        widgets = _textareas("description")


class ReviewForm(StructuralForm):
    class Meta:
        model = StakeholderReview
        fields = ["reviewed_on", "reason", "progress", "notes"]
        widgets = _textareas("notes")


class AgreementForm(StructuralForm):
    class Meta:
        model = Agreement
        fields = editable.AGREEMENT
        widgets = _textareas("scope")


class DocumentForm(StructuralForm):
    class Meta:
        model = Document
        fields = ["kind", "title", "version", "issued_on", "file"]


class MechanismForm(StructuralForm):
    class Meta:
        model = CoordinationMechanism
        fields = editable.MECHANISM
        widgets = _textareas("mandate", "experts_observers")


class MemberForm(StructuralForm):
    class Meta:
        model = MechanismMember
        fields = ["stakeholder", "role", "representative", "position", "is_senior"]


class MeetingForm(StructuralForm):
    class Meta:
        model = Meeting
        fields = editable.MEETING
        widgets = _textareas("agenda", "minutes", "decisions")


class ActionItemForm(StructuralForm):
    class Meta:
        model = ActionItem
        fields = editable.ACTION_ITEM
        widgets = _textareas("description")


class CapacityAssessmentForm(StructuralForm):
    class Meta:
        model = CapacityAssessment
        fields = editable.CAPACITY_ASSESSMENT
        widgets = _textareas("gap")


class CapacityPlanForm(StructuralForm):
    class Meta:
        model = CapacityPlan
        fields = editable.CAPACITY_PLAN
        widgets = _textareas("objectives", "priorities_alignment", "assessment_summary")


class CapacityActivityForm(StructuralForm):
    class Meta:
        model = CapacityActivity
        fields = editable.CAPACITY_ACTIVITY


class TrainingForm(StructuralForm):
    class Meta:
        model = Training
        fields = ["title", "held_on", "institutions", "participants", "results"]
        widgets = _textareas("results")


class IndicatorForm(StructuralForm):
    class Meta:
        model = ProgressIndicator
        fields = editable.INDICATOR


class FrameworkForm(StructuralForm):
    class Meta:
        model = CooperationFramework
        fields = editable.FRAMEWORK
        widgets = _textareas("objectives", "roles")


class ProcessForm(StructuralForm):
    class Meta:
        model = MainstreamingProcess
        fields = editable.PROCESS
        widgets = _textareas("purpose")


class OpportunityForm(StructuralForm):
    class Meta:
        model = SectorOpportunity
        fields = editable.OPPORTUNITY
        widgets = _textareas("opportunity")


class StepForm(StructuralForm):
    class Meta:
        model = ChecklistStep
        fields = [
            "status",
            "started_on",
            "completed_on",
            "participants",
            "outputs",
            "evidence",
            "notes",
            "stakeholders",
        ]
        widgets = _textareas("participants", "outputs", "evidence", "notes")


class GrantForm(forms.Form):
    """Write access for a coordination body (services.grant_write checks every rule)."""

    grantee = forms.ModelChoiceField(
        label=_("Coordination body"),
        queryset=Organisation.objects.none(),
        help_text=_("Its coordinators may then change these records (they already read them)."),
    )
    scope = forms.ChoiceField(label=_("What it covers"), choices=c.GrantScope.choices)
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.none(),
        required=False,
        help_text=_("For structural records: which of your organisation's programmes."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        own = user.organisation_id
        coordinators = Organisation.objects.filter(
            is_active=True,
            users__is_active=True,
            users__role_assignments__role=Role.COORDINATOR.value,
        )
        if own is not None:
            coordinators = coordinators.exclude(pk=own)
        grantee: Any = self.fields["grantee"]
        grantee.queryset = coordinators.distinct().order_by("name")
        programme: Any = self.fields["programme"]
        programme.queryset = (
            Programme.objects.filter(organisation_id=own).order_by("name")
            if own is not None
            else Programme.objects.none()
        )
