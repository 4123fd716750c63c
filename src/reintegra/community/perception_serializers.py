"""API shapes of the community perception survey: they parse and present; `perception_services` decides."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from reintegra.api.fields import IdField
from reintegra.community.perception_services import PerceptionInput


class PerceptionInputSerializer(serializers.Serializer[Any]):
    taken_on = serializers.DateField(required=False, allow_null=True, default=None)
    session = IdField(
        required=False, allow_null=True, default=None, help_text="A household survey session of the community."
    )
    version = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, help_text="Null: the latest published version."
    )
    answers = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        default=dict,
        help_text="Question code → option code (a list for several), number, date or text. The profile questions "
        "respondent_group (returnee|non_migrant), respondent_sex (female|male) and respondent_age_band "
        "(youth|adult|older) are required.",
    )

    def to_input(self) -> PerceptionInput:
        d = self.validated_data
        return PerceptionInput(
            taken_on=d.get("taken_on"), session=d.get("session"), version=d.get("version"), answers=d["answers"]
        )


class PerceptionResponseSerializer(serializers.Serializer[Any]):
    """What the API answers for a recorded response: its profile and scores, never its answers again."""

    id = serializers.IntegerField()
    community = serializers.IntegerField(source="community_id")
    session = serializers.IntegerField(source="session_id", allow_null=True)
    version = serializers.IntegerField(source="version.number")
    taken_on = serializers.DateField()
    group = serializers.CharField()
    sex = serializers.CharField()
    age_band = serializers.CharField()
    economic = serializers.FloatField(allow_null=True)
    social = serializers.FloatField(allow_null=True)
    psychosocial = serializers.FloatField(allow_null=True)
    composite = serializers.FloatField(allow_null=True)


class GroupResultSerializer(serializers.Serializer[Any]):
    group = serializers.CharField(help_text="returnee, non_migrant or all")
    responses = serializers.IntegerField(allow_null=True, help_text="null: fewer than k (hidden)")
    by_sex = serializers.DictField(child=serializers.IntegerField(allow_null=True))
    scores = serializers.DictField(child=serializers.FloatField(allow_null=True))


class OptionResultSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the text shown, not DRF's Field.label
    counts = serializers.DictField(child=serializers.IntegerField(allow_null=True))


class QuestionResultSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the text shown, not DRF's Field.label
    dimension = serializers.CharField()
    options = OptionResultSerializer(many=True)


class PerceptionResultsSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(source="version.number", allow_null=True, default=None)
    k = serializers.IntegerField(help_text="Counts under k are null.")
    total = serializers.IntegerField(allow_null=True, help_text="null: fewer than k answers (nothing shown)")
    groups = GroupResultSerializer(many=True)
    questions = QuestionResultSerializer(many=True)
    other_versions = serializers.IntegerField()
