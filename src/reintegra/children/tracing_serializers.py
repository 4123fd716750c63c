"""API shapes of family tracing and reunification. Write serializers parse only (nothing required, choices
listed for the schema): the rules and their codes are `tracing_services`', so the API refuses what the
pages refuse, on the same field with the same code."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reintegra.api import versioning
from reintegra.children import tracing_services as services
from reintegra.children.tracing_choices import (
    Answer,
    AuthorityView,
    ChildWish,
    PlacementOutlook,
    ReunificationRecommendation,
    SoughtRelationship,
    TracingMethod,
    TracingResult,
)
from reintegra.children.tracing_models import (
    FamilyMemberFound,
    ReunificationAssessment,
    ReunificationFollowUp,
    TracingAction,
    TracingRequest,
)

ID_MAX = 2**63 - 1


def _choice(choices: Any, **kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, required=False, allow_blank=True, **kwargs)


def _text(max_length: int = 2000) -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, max_length=max_length)


def _date() -> serializers.DateField:
    return serializers.DateField(required=False, allow_null=True)


def _id() -> serializers.IntegerField:
    return serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=ID_MAX)


# --- reads --------------------------------------------------------------------------------------------


class TracingActionSerializer(serializers.ModelSerializer[TracingAction]):
    request = serializers.IntegerField(source="request_id", read_only=True)

    class Meta:
        model = TracingAction
        fields = ["id", "request", "method", "taken_on", "carried_out_by", "result", "result_notes", "created_at"]
        read_only_fields = fields


class FamilyMemberFoundSerializer(serializers.ModelSerializer[FamilyMemberFound]):
    request = serializers.IntegerField(source="request_id", read_only=True)
    returnee = serializers.IntegerField(source="returnee_id", read_only=True, allow_null=True)

    class Meta:
        model = FamilyMemberFound
        fields = [
            "id",
            "request",
            "relationship",
            "given_names",
            "family_names",
            "contact",
            "found_on",
            "returnee",
            "notes",
        ]
        read_only_fields = fields


class TracingRequestSerializer(serializers.ModelSerializer[TracingRequest]):
    actions = TracingActionSerializer(many=True, read_only=True)
    found = FamilyMemberFoundSerializer(many=True, read_only=True)

    class Meta:
        model = TracingRequest
        fields = [
            "id",
            "relationship",
            "given_names",
            "family_names",
            "birth_year",
            "last_known_location",
            "notes",
            "status",
            "opened_on",
            "closed_on",
            "actions",
            "found",
        ]
        read_only_fields = fields


class FollowUpSerializer(serializers.ModelSerializer[ReunificationFollowUp]):
    class Meta:
        model = ReunificationFollowUp
        fields = ["id", "milestone", "due_on", "done_on", "outlook", "notes"]
        read_only_fields = fields


class ReunificationAssessmentSerializer(serializers.ModelSerializer[ReunificationAssessment]):
    version = versioning.version_field()
    family_member = serializers.IntegerField(source="family_member_id", read_only=True, allow_null=True)
    follow_ups = serializers.SerializerMethodField()

    class Meta:
        model = ReunificationAssessment
        fields = [
            "version",
            "assessed_on",
            "family_member",
            "family_willing",
            "family_able",
            "home_safe",
            "safety_notes",
            "child_wish",
            "child_views",
            "authority",
            "authority_view",
            "authority_notes",
            "recommendation",
            "reasons",
            "reunified_on",
            "follow_ups",
        ]
        read_only_fields = fields

    @extend_schema_field(FollowUpSerializer(many=True))
    def get_follow_ups(self, obj: ReunificationAssessment) -> list[dict[str, Any]]:
        # Read by the endpoint (tracing_selectors.follow_ups_of) and handed in the context.
        return list(FollowUpSerializer(self.context.get("follow_ups", []), many=True).data)


class FieldContributionSerializer(serializers.Serializer[Any]):
    field = serializers.CharField(help_text="given_names | family_names | birth")
    contribution = serializers.FloatField(help_text="Score with the field minus score without it.")


class MatchSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(help_text="returnee | household_member")
    returnee = serializers.IntegerField(source="returnee.pk", allow_null=True, default=None)
    name = serializers.CharField()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField(), source="explanation.reasons")
    contributions = FieldContributionSerializer(many=True, source="explanation.fields")
    cases = serializers.SerializerMethodField()

    def get_cases(self, obj: Any) -> list[dict[str, Any]]:
        return [{"case_number": number, "id": pk} for number, pk in obj.cases]


# --- writes -------------------------------------------------------------------------------------------


class TracingRequestWriteSerializer(serializers.Serializer[Any]):
    relationship = _choice(SoughtRelationship.choices)
    given_names = _text(120)
    family_names = _text(160)
    birth_year = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=32767)
    last_known_location = _text(300)
    notes = _text()
    opened_on = _date()

    def to_input(self) -> services.TracingRequestInput:
        v = self.validated_data
        return services.TracingRequestInput(
            relationship=v.get("relationship", ""),
            given_names=v.get("given_names", ""),
            family_names=v.get("family_names", ""),
            birth_year=v.get("birth_year"),
            last_known_location=v.get("last_known_location", ""),
            notes=v.get("notes", ""),
            opened_on=v.get("opened_on"),
        )


class CloseRequestSerializer(serializers.Serializer[Any]):
    closed_on = _date()


class TracingActionWriteSerializer(serializers.Serializer[Any]):
    request = _id()
    method = _choice(TracingMethod.choices)
    taken_on = _date()
    carried_out_by = _text(160)
    result = _choice(TracingResult.choices)
    result_notes = _text()

    def to_input(self) -> services.TracingActionInput:
        v = self.validated_data
        return services.TracingActionInput(
            request=v.get("request"),
            method=v.get("method", ""),
            taken_on=v.get("taken_on"),
            carried_out_by=v.get("carried_out_by", ""),
            result=v.get("result", ""),
            result_notes=v.get("result_notes", ""),
        )


class FamilyMemberWriteSerializer(serializers.Serializer[Any]):
    request = _id()
    relationship = _choice(SoughtRelationship.choices)
    given_names = _text(120)
    family_names = _text(160)
    contact = _text(300)
    found_on = _date()
    returnee = _id()
    notes = _text()

    def to_input(self) -> services.FamilyMemberInput:
        v = self.validated_data
        return services.FamilyMemberInput(
            request=v.get("request"),
            relationship=v.get("relationship", ""),
            given_names=v.get("given_names", ""),
            family_names=v.get("family_names", ""),
            contact=v.get("contact", ""),
            found_on=v.get("found_on"),
            returnee=v.get("returnee"),
            notes=v.get("notes", ""),
        )


class ReunificationWriteSerializer(serializers.Serializer[Any]):
    assessed_on = _date()
    family_member = _id()
    family_willing = _choice(Answer.choices)
    family_able = _choice(Answer.choices)
    home_safe = _choice(Answer.choices)
    safety_notes = _text()
    child_wish = _choice(ChildWish.choices)
    child_views = _text()
    authority = _text(160)
    authority_view = _choice(AuthorityView.choices)
    authority_notes = _text()
    recommendation = _choice(ReunificationRecommendation.choices)
    reasons = _text()
    reunified_on = _date()

    def to_input(self, current: services.ReunificationInput | None) -> services.ReunificationInput:
        """A full replacement (PUT): a field left out keeps its stored value, or the default when new."""
        base = vars(current) if current is not None else vars(services.ReunificationInput(assessed_on=None))
        return services.ReunificationInput(**{**base, **self.validated_data})


class FollowUpWriteSerializer(serializers.Serializer[Any]):
    done_on = _date()
    outlook = _choice(PlacementOutlook.choices)
    notes = _text()

    def to_input(self) -> services.FollowUpInput:
        v = self.validated_data
        return services.FollowUpInput(done_on=v.get("done_on"), outlook=v.get("outlook", ""), notes=v.get("notes", ""))
