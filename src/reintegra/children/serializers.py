"""API shapes of the child's case: profile, best-interests assessments and determination, participation.
They parse and present; every rule is the service's (`children.services`)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from reintegra.api import versioning
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
from reintegra.children.models import (
    BestInterestsAssessment,
    BestInterestsDetermination,
    ChildParticipation,
    ChildProfile,
    PanelMember,
)
from reintegra.children.services import (
    AssessmentInput,
    CaregiverInput,
    DeterminationInput,
    PanelMemberInput,
    ProfileInput,
)


def _text(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False, **kwargs)


def _choice(choices: Any, **kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, required=False, allow_blank=True, default="", **kwargs)


# --- Profile -------------------------------------------------------------------------------------


class CaregiverSerializer(serializers.Serializer):
    name = _text(max_length=160)
    relationship = _text(max_length=80)
    contact = _text(max_length=160)


class ChildProfileSerializer(serializers.Serializer):
    """The child's profile (read and PUT). Every text is in the protection category."""

    version = serializers.IntegerField(read_only=True)
    is_child_case = serializers.BooleanField(read_only=True)
    care_status = _choice(CareStatus.choices)
    caregivers = CaregiverSerializer(many=True, required=False, default=list)
    guardian_name = _text(max_length=160)
    guardian_relationship = _text(max_length=80)
    guardian_contact = _text(max_length=160)
    guardianship_status = _choice(GuardianshipStatus.choices)
    guardian_informed = serializers.BooleanField(required=False, default=False)
    authority = _choice(ChildProtectionAuthority.choices)
    authority_officer = _text(max_length=160)
    authority_reference = _text(max_length=80)
    school_enrolment = _choice(SchoolEnrolment.choices)
    school_notes = _text(max_length=500)
    health_status = _text(max_length=500)
    languages = _text(max_length=200)

    @staticmethod
    def present(profile: ChildProfile | None, *, is_child_case: bool) -> dict[str, Any]:
        if profile is None:
            return {"version": 0, "is_child_case": is_child_case, "care_status": "", "caregivers": []}
        data: dict[str, Any] = {name: getattr(profile, name) for name in _PROFILE_OUT}
        data.update(version=profile.revision, is_child_case=is_child_case, caregivers=list(profile.caregivers or []))
        return data

    def to_input(self) -> ProfileInput:
        v = dict(self.validated_data)
        caregivers = [CaregiverInput(**row) for row in v.pop("caregivers", [])]
        v["guardianship_status"] = v.get("guardianship_status") or GuardianshipStatus.UNKNOWN
        v["school_enrolment"] = v.get("school_enrolment") or SchoolEnrolment.UNKNOWN
        return ProfileInput(caregivers=caregivers, **v)


_PROFILE_OUT = (
    "care_status",
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


# --- BIA -----------------------------------------------------------------------------------------


class BestInterestsAssessmentWriteSerializer(serializers.Serializer):
    stage = _choice(AssessmentStage.choices)
    priority = _choice(BiaPriority.choices)
    started_on = serializers.DateField(required=False, allow_null=True, default=None)
    child_participated = serializers.BooleanField(required=False, default=False)
    hearing_method = _choice(HearingMethod.choices)
    trusted_adult_present = serializers.BooleanField(required=False, default=False)
    child_views = _text(max_length=4000)
    participation_note = _text(max_length=1000)
    family_situation = _text(max_length=4000)
    risk_indicators = serializers.ListField(
        child=serializers.ChoiceField(choices=RiskIndicator.choices), required=False, default=list, max_length=20
    )
    safety_risks = _text(max_length=4000)
    health = _text(max_length=4000)
    education = _text(max_length=4000)
    psychosocial = _text(max_length=4000)
    family_needs = _text(max_length=4000)
    local_context = _text(max_length=4000)
    cross_border = _text(max_length=4000)
    recommendation = _choice(BiaRecommendation.choices)
    recommendation_reasons = _text(max_length=4000)
    complete = serializers.BooleanField(
        required=False, default=False, help_text="Completed: sent to a supervisor for approval."
    )

    def to_input(self) -> AssessmentInput:
        return AssessmentInput(**self.validated_data)


class BestInterestsAssessmentSerializer(serializers.ModelSerializer):
    version = versioning.version_field()
    assessed_by = serializers.CharField(source="assessed_by.display_name", read_only=True)
    approved_by = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    risk_indicators = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = BestInterestsAssessment
        fields = [
            "id",
            "version",
            "stage",
            "priority",
            "status",
            "started_on",
            "due_on",
            "overdue",
            "assessed_by",
            "child_participated",
            "hearing_method",
            "trusted_adult_present",
            "child_views",
            "participation_note",
            "family_situation",
            "risk_indicators",
            "safety_risks",
            "health",
            "education",
            "psychosocial",
            "family_needs",
            "local_context",
            "cross_border",
            "recommendation",
            "recommendation_reasons",
            "submitted_on",
            "approved_by",
            "approved_on",
            "approval_note",
            "returned_on",
        ]
        read_only_fields = fields

    def get_approved_by(self, obj: BestInterestsAssessment) -> str | None:
        return obj.approved_by.display_name() if obj.approved_by else None

    def get_overdue(self, obj: BestInterestsAssessment) -> bool:
        return obj.is_overdue()


class BestInterestsApprovalSerializer(serializers.Serializer):
    note = _text(max_length=1000)


# --- BID -----------------------------------------------------------------------------------------


class PanelMemberSerializer(serializers.Serializer):
    user = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**63 - 1,
        help_text="A user of the case's organisation; leave out for a member from outside the platform.",
    )
    name = _text(max_length=160)
    role = _choice(PanelRole.choices)
    no_conflict_declared = serializers.BooleanField(required=False, default=False)
    conflict_note = _text(max_length=500)
    confidentiality_declared = serializers.BooleanField(required=False, default=False)

    @staticmethod
    def present(member: PanelMember) -> dict[str, Any]:
        return {
            "user": member.user_id,
            "name": member.name,
            "role": member.role,
            "no_conflict_declared": member.no_conflict_declared,
            "conflict_note": member.conflict_note,
            "confidentiality_declared": member.confidentiality_declared,
        }


class BestInterestsDeterminationSerializer(serializers.Serializer):
    version = serializers.IntegerField(read_only=True)
    convened_on = serializers.DateField(required=False, allow_null=True, default=None)
    members = PanelMemberSerializer(many=True, required=False, default=list)
    decision = _choice(BidDecision.choices)
    reasons = _text(max_length=4000)
    decided_on = serializers.DateField(required=False, allow_null=True, default=None)
    review_on = serializers.DateField(required=False, allow_null=True, default=None)

    @staticmethod
    def present(bid: BestInterestsDetermination | None, members: list[PanelMember]) -> dict[str, Any]:
        if bid is None:
            return {
                "version": 0,
                "convened_on": None,
                "members": [],
                "decision": "",
                "reasons": "",
                "decided_on": None,
                "review_on": None,
            }
        return {
            "version": bid.revision,
            "convened_on": bid.convened_on,
            "members": [PanelMemberSerializer.present(m) for m in members],
            "decision": bid.decision,
            "reasons": bid.reasons,
            "decided_on": bid.decided_on,
            "review_on": bid.review_on,
        }

    def to_input(self) -> DeterminationInput:
        v = dict(self.validated_data)
        members = [PanelMemberInput(user_id=row.pop("user", None), **row) for row in v.pop("members", [])]
        return DeterminationInput(members=members, **v)


# --- Participation -------------------------------------------------------------------------------


class ChildParticipationSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.display_name", read_only=True)
    decision = _choice(ParticipationDecision.choices)
    method = _choice(ParticipationMethod.choices)
    views = _text(max_length=2000)
    recorded_on = serializers.DateField(required=False, allow_null=True, default=None)

    class Meta:
        model = ChildParticipation
        fields = ["id", "decision", "method", "views", "recorded_on", "recorded_by"]
        read_only_fields = ["id", "recorded_by"]
