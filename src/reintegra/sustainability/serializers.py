"""API shapes of instruments and survey rounds."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reintegra.sustainability.choices import Dimension
from reintegra.sustainability.definition import SCORES
from reintegra.sustainability.models import Instrument, InstrumentVersion, SurveyRound
from reintegra.sustainability.services import RoundInput


class InstrumentVersionSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="draft | published")
    definition = serializers.SerializerMethodField(
        help_text="Full definition: questions with codes, dimension, type, weight, composite_weight; "
        "options with codes and scores (missing = don't know / refuse); bands; min_answered_share."
    )

    class Meta:
        model = InstrumentVersion
        fields = ["number", "status", "published_at", "definition"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_definition(self, obj: InstrumentVersion) -> dict[str, Any]:
        return dict(obj.definition)


class InstrumentListSerializer(serializers.ModelSerializer):
    programme = serializers.CharField(source="programme.code", read_only=True, allow_null=True, default=None)
    versions = serializers.SerializerMethodField()
    labels = serializers.DictField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Instrument
        fields = ["code", "labels", "programme", "versions"]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_versions(self, obj: Instrument) -> list[dict[str, Any]]:
        return [{"number": v.number, "status": v.status} for v in obj.versions.all()]


class InstrumentDetailSerializer(InstrumentListSerializer):
    versions = InstrumentVersionSerializer(many=True, read_only=True)  # type: ignore[assignment]


class ScoresSerializer(serializers.Serializer):
    economic = serializers.FloatField(allow_null=True)
    social = serializers.FloatField(allow_null=True)
    psychosocial = serializers.FloatField(allow_null=True)
    composite = serializers.FloatField(allow_null=True)


class BandsSerializer(serializers.Serializer):
    economic = serializers.CharField(allow_null=True)
    social = serializers.CharField(allow_null=True)
    psychosocial = serializers.CharField(allow_null=True)
    composite = serializers.CharField(allow_null=True)


class RoundSerializer(serializers.ModelSerializer):
    instrument = serializers.CharField(source="version.instrument.code", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    date = serializers.DateField(source="taken_on", read_only=True)
    source = serializers.CharField(read_only=True, help_text="web | api | import")  # type: ignore[assignment]
    scores = serializers.SerializerMethodField()
    bands = serializers.SerializerMethodField()
    scored_with_version = serializers.SerializerMethodField()
    answers = serializers.SerializerMethodField()

    class Meta:
        model = SurveyRound
        fields = [
            "id",
            "instrument",
            "version",
            "date",
            "round_month",
            "source",
            "answers",
            "scores",
            "bands",
            "scored_with_version",
            "created_at",
        ]

    @extend_schema_field(ScoresSerializer)
    def get_scores(self, obj: SurveyRound) -> dict[str, float | None]:
        score = obj.current_score
        return score.values() if score else dict.fromkeys(SCORES)

    @extend_schema_field(BandsSerializer)
    def get_bands(self, obj: SurveyRound) -> dict[str, str | None]:
        score = obj.current_score
        return dict(score.bands) if score else dict.fromkeys(SCORES)

    @extend_schema_field(OpenApiTypes.INT)
    def get_scored_with_version(self, obj: SurveyRound) -> int | None:
        score = obj.current_score
        return score.version.number if score else None

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_answers(self, obj: SurveyRound) -> dict[str, Any]:
        """Answers to psychosocial questions only for staff allowed to read psychosocial notes."""
        if self.context.get("can_see_psychosocial", False):
            return dict(obj.answers)
        definition = obj.version.parsed()
        return {
            k: v
            for k, v in obj.answers.items()
            if (q := definition.question(k)) is None or q.dimension != Dimension.PSYCHOSOCIAL
        }


class RoundWriteSerializer(serializers.Serializer):
    instrument = serializers.CharField(max_length=64)
    version = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    date = serializers.DateField()
    # One the programme schedules and the case has not done: the service's rule (invalid_choice, as on the form).
    round_month = serializers.IntegerField(required=False, allow_null=True)
    answers = serializers.DictField(
        child=serializers.JSONField(),
        help_text="question code -> option code (single), list of option codes (multiple), number, date or text",
    )

    def to_input(self) -> RoundInput:
        v = self.validated_data
        return RoundInput(
            instrument=v["instrument"],
            version=v.get("version"),
            taken_on=v["date"],
            round_month=v.get("round_month"),
            answers=v["answers"],
        )


class SubmissionsUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="KoboToolbox / ODK Central export, CSV, XLSX or JSON")


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    reason = serializers.CharField()


class ImportReportSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    imported = serializers.IntegerField()
    already_imported = serializers.IntegerField()
    rejected = serializers.IntegerField()
    errors = ImportErrorSerializer(many=True)  # type: ignore[assignment]
