"""API representations of results frameworks, indicators and reporting periods: they parse and present,
the services decide."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from reintegra.api.fields import IdField
from reintegra.api.versioning import version_field
from reintegra.monitoring import choices as c
from reintegra.monitoring import services
from reintegra.monitoring.models import Indicator, ReportingPeriod, ResultNode, ResultsFramework


def _blankable(choices: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=[("", ""), *choices.choices], required=False, allow_blank=True, default="")


class FrameworkFilters(serializers.Serializer[Any]):
    programme = IdField(required=False, help_text="Programme id.")


class IndicatorFilters(serializers.Serializer[Any]):
    programme = IdField(required=False, help_text="Programme id.")
    node = IdField(required=False, help_text="Result id.")


class PeriodFilters(serializers.Serializer[Any]):
    programme = IdField(required=False, help_text="Programme id.")
    status = serializers.ChoiceField(choices=c.PeriodStatus.choices, required=False, allow_blank=True)


class NodeSerializer(serializers.ModelSerializer[ResultNode]):
    version = version_field()

    class Meta:
        model = ResultNode
        fields = [
            "id",
            "parent",
            "kind",
            "code",
            "title",
            "description",
            "level",
            "dimension",
            "assumptions",
            "risks",
            "order",
            "version",
        ]
        read_only_fields = fields


class FrameworkSerializer(serializers.ModelSerializer[ResultsFramework]):
    nodes = NodeSerializer(many=True, read_only=True, help_text="The results tree, each node naming its parent.")
    version = version_field()

    class Meta:
        model = ResultsFramework
        fields = [
            "id",
            "programme",
            "theory_of_change",
            "report_context",
            "is_public",
            "nodes",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class FrameworkInputSerializer(serializers.Serializer[Any]):
    theory_of_change = serializers.CharField(required=False, allow_blank=True, default="")
    report_context = serializers.CharField(required=False, allow_blank=True, default="")
    is_public = serializers.BooleanField(required=False, default=False)

    def to_input(self, base: services.FrameworkInput | None = None) -> services.FrameworkInput:
        values = dict(self.validated_data)
        if base is not None and self.partial:
            return services.FrameworkInput(**{**base.__dict__, **values})
        return services.FrameworkInput(**values)


class FrameworkCreateSerializer(FrameworkInputSerializer):
    programme = IdField(help_text="The programme the framework is of (one framework per programme).")


class NodeInputSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=c.NodeKind.choices)
    title = serializers.CharField(max_length=300, allow_blank=True)
    parent = IdField(  # type: ignore[assignment]  # the result above, not DRF's Field.parent
        required=False, allow_null=True, default=None, help_text="The result this one contributes to."
    )
    code = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    level = _blankable(c.ApproachLevel)
    dimension = _blankable(c.ResultDimension)
    assumptions = serializers.CharField(required=False, allow_blank=True, default="")
    risks = serializers.CharField(required=False, allow_blank=True, default="")
    order = serializers.IntegerField(required=False, default=0, min_value=0, max_value=32767)

    def to_input(self, base: services.NodeInput | None = None) -> services.NodeInput:
        values = dict(self.validated_data)
        if base is not None and self.partial:
            return services.NodeInput(**{**base.__dict__, **values})
        return services.NodeInput(**values)


@extend_schema_field({"type": "object", "additionalProperties": True})
class DefinitionField(serializers.JSONField):
    """The computation of a computed indicator (monitoring.definition): population, unit, date, filters,
    numerator, value. Checked by the service: errors come back under `definition.<part>`."""


@extend_schema_serializer(component_name="ResultIndicator")  # structural has its own "Indicator"
class IndicatorSerializer(serializers.ModelSerializer[Indicator]):
    programme = serializers.IntegerField(source="framework.programme_id", read_only=True)
    definition = DefinitionField(read_only=True)
    version = version_field()

    class Meta:
        model = Indicator
        fields = [
            "id",
            "programme",
            "framework",
            "node",
            "standard",
            *(f.name for f in fields(services.IndicatorInput) if f.name not in ("node", "definition")),
            "definition",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class IndicatorInputSerializer(serializers.Serializer[Any]):
    """What a client sends to add or change an indicator (the service checks the rules)."""

    programme = IdField(required=False, help_text="On creation: the programme whose framework gets the indicator.")
    node = IdField(allow_null=True, help_text="The result the indicator measures.")
    code = serializers.CharField(max_length=40, allow_blank=True)
    name_es = serializers.CharField(max_length=250, allow_blank=True)
    name_en = serializers.CharField(max_length=250, required=False, allow_blank=True, default="")
    name_fr = serializers.CharField(max_length=250, required=False, allow_blank=True, default="")
    description_es = serializers.CharField(required=False, allow_blank=True, default="")
    description_en = serializers.CharField(required=False, allow_blank=True, default="")
    description_fr = serializers.CharField(required=False, allow_blank=True, default="")
    measure = serializers.ChoiceField(choices=c.Measure.choices)
    unit = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    direction = serializers.ChoiceField(choices=c.Direction.choices, required=False, default=c.Direction.INCREASE)
    time_aggregation = serializers.ChoiceField(
        choices=c.TimeAggregation.choices, required=False, default=c.TimeAggregation.PER_PERIOD
    )
    level = _blankable(c.ApproachLevel)
    dimension = _blankable(c.ResultDimension)
    is_computed = serializers.BooleanField(required=False, default=False)
    definition = DefinitionField(required=False, default=dict)
    baseline_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, default=None
    )
    baseline_date = serializers.DateField(required=False, allow_null=True, default=None)
    baseline_source = serializers.CharField(max_length=250, required=False, allow_blank=True, default="")
    lop_target = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, default=None
    )
    means_of_verification = serializers.CharField(required=False, allow_blank=True, default="")
    data_source = serializers.CharField(max_length=250, required=False, allow_blank=True, default="")
    frequency = serializers.ChoiceField(choices=c.Frequency.choices, required=False, default=c.Frequency.QUARTERLY)
    responsible = IdField(required=False, allow_null=True, default=None)
    is_kpi = serializers.BooleanField(required=False, default=False)
    is_public = serializers.BooleanField(required=False, default=False)
    order = serializers.IntegerField(required=False, default=0, min_value=0, max_value=32767)

    def to_input(self, base: services.IndicatorInput | None = None) -> services.IndicatorInput:
        values = dict(self.validated_data)
        values.pop("programme", None)
        if base is not None and self.partial:
            return services.IndicatorInput(**{**base.__dict__, **values})
        return services.IndicatorInput(**values)


class PeriodSerializer(serializers.ModelSerializer[ReportingPeriod]):
    version = version_field()

    class Meta:
        model = ReportingPeriod
        fields = [
            "id",
            "programme",
            "kind",
            "label",
            "starts_on",
            "ends_on",
            "status",
            "narrative",
            "submitted_at",
            "version",
        ]
        read_only_fields = fields


class PeriodInputSerializer(serializers.Serializer[Any]):
    programme = IdField(help_text="Programme id.")
    kind = serializers.ChoiceField(choices=c.PeriodKind.choices)
    label = serializers.CharField(  # type: ignore[assignment]  # the period's name, not DRF's Field.label
        max_length=60, required=False, allow_blank=True, default=""
    )
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    narrative = serializers.CharField(required=False, allow_blank=True, default="")

    def to_input(self) -> services.PeriodInput:
        values = dict(self.validated_data)
        values.pop("programme")
        return services.PeriodInput(**values)


class PartsSerializer(serializers.Serializer[Any]):
    numerator = serializers.FloatField(required=False, allow_null=True)
    denominator = serializers.FloatField(required=False, allow_null=True)
    value = serializers.FloatField(required=False, allow_null=True)
    suppressed = serializers.BooleanField(required=False, help_text="A small count hidden from this reader.")


class CellChangeSerializer(serializers.Serializer[Any]):
    dimension = serializers.CharField(help_text='"" for the total.')
    bucket = serializers.CharField()
    before = PartsSerializer(allow_null=True)
    after = PartsSerializer(allow_null=True)


class IndicatorChangeSerializer(serializers.Serializer[Any]):
    indicator = serializers.IntegerField()
    code = serializers.CharField()
    reason = serializers.ChoiceField(
        choices=["unchanged", "definition", "data", "new"],
        help_text="definition: its computation was edited since; data: records changed since; "
        "new: added after the submission.",
    )
    before = PartsSerializer(allow_null=True)
    after = PartsSerializer(allow_null=True)
    cells = CellChangeSerializer(many=True)


class SubmittedSerializer(serializers.Serializer[Any]):
    period = PeriodSerializer()
    snapshots = serializers.IntegerField(help_text="Indicators frozen.")
