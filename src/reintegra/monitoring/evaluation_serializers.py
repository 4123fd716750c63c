"""API representations of evaluations, recommendations (with the management response) and lessons learned.

Input serializers only parse and type-check: ranges (ratings 1–4), dates, owners and linked records are the
services' rules, refused there with the same field and code as on the web forms.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reintegra.api.fields import CountryCodeField, EnumChoiceField, IdField
from reintegra.api.versioning import version_field
from reintegra.monitoring import choices as c
from reintegra.monitoring.evaluation_selectors import LessonFilters, is_overdue
from reintegra.monitoring.evaluation_services import EvaluationInput, LessonInput, RecommendationInput
from reintegra.monitoring.models import Evaluation, Lesson, Recommendation


def _merged[T](cls: type[T], values: dict[str, Any], base: T | None, partial: bool) -> T:
    """The service's input; on a partial update, the fields not sent keep `base`'s values."""
    if base is not None and partial:
        return cls(**{**base.__dict__, **values})
    return cls(**values)


@extend_schema_field(
    {
        "type": "object",
        "properties": {criterion: {"type": "integer", "nullable": True} for criterion in c.DacCriterion.values},
        "additionalProperties": False,
        "description": "OECD-DAC criterion → rating: 1 unsatisfactory, 2 partly satisfactory, 3 satisfactory, "
        "4 highly satisfactory; null or absent: not rated.",
    }
)
class RatingsField(serializers.DictField):
    child = serializers.IntegerField(allow_null=True)


# --- evaluations -----------------------------------------------------------------------------------


class EvaluationFilterSerializer(serializers.Serializer[Any]):
    programme = IdField(required=False, help_text="Programme id.")


class EvaluationSerializer(serializers.ModelSerializer[Evaluation]):
    kind = EnumChoiceField(c.EvaluationType, read_only=True)
    ratings = RatingsField(read_only=True)
    report = serializers.SerializerMethodField()
    version = version_field()

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "programme",
            "kind",
            "title",
            "scope",
            "evaluator",
            "starts_on",
            "ends_on",
            "ratings",
            "findings",
            "report",
            "version",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="Where to download the report."))
    def get_report(self, evaluation: Evaluation) -> str | None:
        if not evaluation.report:
            return None
        return reverse("monitoring:evaluation-report", args=[evaluation.pk])


class EvaluationInputSerializer(serializers.Serializer[Any]):
    """An evaluation to add or change; `report` as a multipart upload (PDF, DOCX or ODT)."""

    programme = IdField(required=False, help_text="Programme id (on creation; a programme does not change).")
    kind = EnumChoiceField(c.EvaluationType)
    title = serializers.CharField(max_length=250, allow_blank=True)
    scope = serializers.CharField(required=False, allow_blank=True, default="")
    evaluator = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    ratings = RatingsField(required=False, default=dict)
    findings = serializers.CharField(required=False, allow_blank=True, default="")
    report = serializers.FileField(required=False, allow_null=True, default=None)

    def programme_id(self) -> int | None:
        value: int | None = self.validated_data.get("programme")
        return value

    def to_input(self, base: EvaluationInput | None = None) -> EvaluationInput:
        values = {k: v for k, v in self.validated_data.items() if k != "programme"}
        if base is not None and self.partial:
            values.setdefault("report", None)
        return _merged(EvaluationInput, values, base, self.partial)


# --- recommendations ---------------------------------------------------------------------------------


class RecommendationSerializer(serializers.ModelSerializer[Recommendation]):
    decision = EnumChoiceField(c.ResponseDecision, read_only=True)
    status = EnumChoiceField(c.ActionStatus, read_only=True)
    overdue = serializers.SerializerMethodField()
    version = version_field()

    class Meta:
        model = Recommendation
        fields = ["id", "evaluation", "order", "text", "decision", "action", "owner", "due_on", "status", "overdue"]
        fields += ["version"]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField(help_text="An accepted action still open past its due date."))
    def get_overdue(self, recommendation: Recommendation) -> bool:
        return is_overdue(recommendation, timezone.localdate())


class RecommendationInputSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(allow_blank=True)
    decision = EnumChoiceField(c.ResponseDecision, required=False, allow_blank=True, default="")
    action = serializers.CharField(required=False, allow_blank=True, default="")
    owner = IdField(required=False, allow_null=True, default=None, help_text="A user of the programme's organisation.")
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    status = EnumChoiceField(c.ActionStatus, required=False, default=c.ActionStatus.NOT_STARTED)

    def to_input(self, base: RecommendationInput | None = None) -> RecommendationInput:
        return _merged(RecommendationInput, dict(self.validated_data), base, self.partial)


# --- lessons ------------------------------------------------------------------------------------------


def _filter_choice(choices: Any) -> serializers.ChoiceField:
    """An optional filter on one of `choices`, documented as an inline enum (empty: no filter)."""

    @extend_schema_field({"type": "string", "enum": ["", *choices.values]})
    class FilterChoice(serializers.ChoiceField):
        pass

    return FilterChoice(choices=choices.choices, required=False, allow_blank=True)


class LessonFilterSerializer(serializers.Serializer[Any]):
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Words that must all be in the lesson (title, text or themes), accents and case aside; "
        "the lessons with more of them in the title first.",
    )
    programme = IdField(required=False, help_text="Programme id.")
    level = _filter_choice(c.ApproachLevel)
    dimension = _filter_choice(c.ResultDimension)
    country = CountryCodeField(required=False, allow_blank=True)
    theme = serializers.CharField(required=False, allow_blank=True, max_length=60)

    def filters(self) -> LessonFilters:
        data = self.validated_data
        return LessonFilters(
            search=data.get("search") or "",
            programme=data.get("programme"),
            level=data.get("level") or "",
            dimension=data.get("dimension") or "",
            country=data.get("country") or "",
            theme=data.get("theme") or "",
        )


@extend_schema_field({"type": "array", "items": {"type": "string", "maxLength": 60}})
class ThemeList(serializers.ListField):
    child = serializers.CharField(allow_blank=True)


class LessonSerializer(serializers.ModelSerializer[Lesson]):
    level = serializers.CharField(read_only=True, help_text="individual, community, structural or empty.")
    dimension = serializers.CharField(
        read_only=True, help_text="economic, social, psychosocial, cross_cutting or empty."
    )
    themes = ThemeList(read_only=True)
    version = version_field()

    class Meta:
        model = Lesson
        fields = [
            "id",
            "programme",
            "evaluation",
            "title",
            "body",
            "level",
            "dimension",
            "country",
            "themes",
            "recorded_on",
            "is_shared",
            "version",
        ]
        read_only_fields = fields


class LessonInputSerializer(serializers.Serializer[Any]):
    programme = IdField(required=False, help_text="Programme id (on creation; a lesson does not move).")
    title = serializers.CharField(allow_blank=True, max_length=250)
    body = serializers.CharField(allow_blank=True)
    # Plain text: the service refuses a value outside the choices with `invalid_choice`, as the web form does.
    level = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    dimension = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    country = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200, help_text="ISO 3166-1 alpha-2 code."
    )
    themes = ThemeList(required=False, default=list, max_length=100)
    evaluation = IdField(required=False, allow_null=True, default=None, help_text="An evaluation of the programme.")
    recorded_on = serializers.DateField(required=False, allow_null=True, default=None)
    is_shared = serializers.BooleanField(
        required=False,
        default=True,
        help_text="Read by every organisation's M&E readers (a lesson holds no personal data).",
    )

    def programme_id(self) -> int | None:
        value: int | None = self.validated_data.get("programme")
        return value

    def to_input(self, base: LessonInput | None = None) -> LessonInput:
        values = {k: v for k, v in self.validated_data.items() if k != "programme"}
        if "country" in values:
            values["country"] = str(values["country"]).upper()
        return _merged(LessonInput, values, base, self.partial)
