"""API representations of the catalogue."""

from typing import Any

from django_countries import countries
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reintegra.api.fields import CountryCodeField, IdField
from reintegra.api.versioning import version_field
from reintegra.regional.choices import Dimension, EvaluationStatus, FundingSource, InstitutionKind, InterventionLevel
from reintegra.regional.models import RegionalAction
from reintegra.regional.selectors import ActionFilters
from reintegra.regional.services import ActionInput


@extend_schema_field({"type": "array", "items": {"type": "string", "enum": list(InterventionLevel.values)}})
class LevelList(serializers.ListField):
    """Levels an action covers (an inline enum: other apps name their level/dimension enums)."""

    child = serializers.ChoiceField(choices=InterventionLevel.choices)


@extend_schema_field({"type": "array", "items": {"type": "string", "enum": list(Dimension.values)}})
class DimensionList(serializers.ListField):
    child = serializers.ChoiceField(choices=Dimension.choices)


def _filter_choice(choices: Any) -> serializers.ChoiceField:
    """An optional filter on one of `choices`, documented as an inline enum (empty: no filter)."""

    @extend_schema_field({"type": "string", "enum": ["", *choices.values]})
    class FilterChoice(serializers.ChoiceField):
        pass

    return FilterChoice(choices=choices.choices, required=False, allow_blank=True)


class ActionFilterSerializer(serializers.Serializer):
    """The list's query parameters (reintegra.api.query); the same filters as the catalogue page."""

    country = CountryCodeField(required=False, allow_blank=True)
    level = _filter_choice(InterventionLevel)
    dimension = _filter_choice(Dimension)
    institution = IdField(required=False, help_text="Institution id.")
    funding_source = _filter_choice(FundingSource)
    evaluation_status = _filter_choice(EvaluationStatus)
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Words in the name, description, institution or target population.",
    )

    def filters(self) -> ActionFilters:
        data = self.validated_data
        return ActionFilters(
            country=data.get("country") or None,
            level=data.get("level") or None,
            dimension=data.get("dimension") or None,
            institution=data.get("institution"),
            funding_source=data.get("funding_source") or None,
            evaluation_status=data.get("evaluation_status") or None,
            q=data.get("q") or "",
        )


class MatrixQuerySerializer(serializers.Serializer):
    country = CountryCodeField(required=False, allow_blank=True, help_text="ISO code; omit for all countries.")


class RegionalActionSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code", read_only=True)
    institution_name = serializers.SerializerMethodField()
    institution_kind = serializers.SerializerMethodField()
    levels = LevelList(read_only=True)
    dimensions = DimensionList(read_only=True)
    entered_by_organisation = serializers.CharField(source="entered_by_organisation.code", read_only=True)
    version = version_field()

    class Meta:
        model = RegionalAction
        fields = [
            "id",
            "country",
            "title",
            "institution",
            "institution_name",
            "institution_kind",
            "levels",
            "dimensions",
            "target_population",
            "description",
            "starts_on",
            "ends_on",
            "funding_source",
            "evaluation_status",
            "evaluated_on",
            "evaluation_reference",
            "source",
            "entered_by_organisation",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_blank=True))
    def get_institution_name(self, action: RegionalAction) -> str:
        return action.institution.name if action.institution else ""

    @extend_schema_field(serializers.ChoiceField(choices=InstitutionKind.choices, allow_blank=True))
    def get_institution_kind(self, action: RegionalAction) -> str:
        return action.institution.kind if action.institution else ""


class RegionalActionInputSerializer(serializers.Serializer):
    """What a client sends to add or change an action (the service checks the rules again)."""

    country = serializers.ChoiceField(choices=list(countries))
    title = serializers.CharField(max_length=300)
    # At least one of each: the service's rule (code "required"), as on the web form.
    levels = LevelList()
    dimensions = DimensionList()
    description = serializers.CharField(required=False, allow_blank=True, default="")
    institution_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    institution_kind = serializers.ChoiceField(
        choices=InstitutionKind.choices, required=False, default=InstitutionKind.OTHER
    )
    target_population = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    funding_source = serializers.ChoiceField(
        choices=FundingSource.choices, required=False, default=FundingSource.UNKNOWN
    )
    evaluation_status = serializers.ChoiceField(
        choices=EvaluationStatus.choices, required=False, default=EvaluationStatus.NOT_EVALUATED
    )
    evaluated_on = serializers.DateField(required=False, allow_null=True, default=None)
    evaluation_reference = serializers.CharField(required=False, allow_blank=True, default="")
    # A field named like Field.source: DRF takes declared fields out of the class, mypy only sees the clash.
    source = serializers.CharField(  # type: ignore[assignment]
        max_length=300, required=False, allow_blank=True, default=""
    )

    def to_input(self, base: ActionInput | None = None) -> ActionInput:
        """The input for the service; on a partial update, the fields not sent keep `base`'s values."""
        values: dict[str, Any] = dict(self.validated_data)
        if base is not None and self.partial:
            merged = {**base.__dict__, **values}
            merged.pop("extra", None)
            return ActionInput(**merged)
        return ActionInput(**values)


class ContributedActionSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="Which app counts it, e.g. community_projects.")
    id = serializers.IntegerField()
    title = serializers.CharField()
    country = serializers.CharField()


class MatrixCellSerializer(serializers.Serializer):
    # Plain strings here: the same choice sets are already named in the action schemas (LevelsEnum...).
    level = serializers.CharField(help_text="individual, community or structural.")
    dimension = serializers.CharField(help_text="economic, social or psychosocial.")
    count = serializers.IntegerField(help_text="Actions covering this cell (an action may cover several cells).")
    likely_duplicates = serializers.IntegerField(
        help_text="Actions of this cell with a similar action by another institution in the same country."
    )
    contributed = ContributedActionSerializer(
        many=True, help_text="Actions of other apps counted in this cell (community projects) that you may see."
    )


class MatrixSerializer(serializers.Serializer):
    country = serializers.CharField(allow_null=True, help_text="ISO code; null for all countries.")
    cells = MatrixCellSerializer(many=True, help_text="Always the nine cells, zeros included.")
    duplicates_checked = serializers.BooleanField(
        help_text="False when the scope had too many actions to look for duplicates."
    )
