"""API shapes of reception. They parse and present; `reception.services` decides (the same rules as the pages)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from reintegra.api import versioning
from reintegra.api.fields import CountryCodeField, EnumChoiceField, IdField
from reintegra.cases.choices import Sex
from reintegra.reception import services
from reintegra.reception.choices import (
    ArrivalMeans,
    ArrivalSource,
    AssistanceKind,
    PointKind,
    ProtectionFlag,
    ReturnType,
)


class ReceptionPointSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=160)
    country = CountryCodeField()
    kind = EnumChoiceField(PointKind)
    receiving_institution = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    municipality = IdField(source="municipality_id", required=False, allow_null=True, default=None)
    active = serializers.BooleanField(required=False, default=True)

    def to_input(self) -> services.PointInput:
        d = self.validated_data
        return services.PointInput(
            code=d["code"],
            name=d["name"],
            country=d["country"],
            kind=d["kind"],
            receiving_institution=d.get("receiving_institution", ""),
            municipality_id=d.get("municipality_id"),
            active=d.get("active", True),
        )


class ArrivalSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    point = IdField(source="point_id")
    point_name = serializers.CharField(source="point.name", read_only=True)
    arrived_at = serializers.DateTimeField()
    means = EnumChoiceField(ArrivalMeans)
    means_number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    host_country = CountryCodeField(required=False, allow_blank=True, default="")
    return_type = EnumChoiceField(ReturnType)
    escort = serializers.CharField(max_length=160, required=False, allow_blank=True, default="")
    men = serializers.IntegerField(min_value=0, required=False, default=0)
    women = serializers.IntegerField(min_value=0, required=False, default=0)
    boys = serializers.IntegerField(min_value=0, required=False, default=0)
    girls = serializers.IntegerField(min_value=0, required=False, default=0)
    accompanied_minors = serializers.IntegerField(min_value=0, required=False, default=0)
    unaccompanied_minors = serializers.IntegerField(min_value=0, required=False, default=0)
    family_units = serializers.IntegerField(min_value=0, required=False, default=0)
    intakes = serializers.IntegerField(source="intake_count", read_only=True, default=None)

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        # "source" is an attribute of every DRF field: declared here.
        fields["source"] = EnumChoiceField(ArrivalSource, read_only=True)
        return fields

    def to_input(self) -> services.ArrivalInput:
        d = self.validated_data
        return services.ArrivalInput(
            point_id=d["point_id"],
            arrived_at=d["arrived_at"],
            means=d["means"],
            return_type=d["return_type"],
            means_number=d.get("means_number", ""),
            host_country=d.get("host_country", ""),
            escort=d.get("escort", ""),
            **{name: d.get(name, 0) for name in services.COUNT_FIELDS},
        )


_INSTITUTIONS_HELP = (
    "Who gave a ticked item: {kind: service provider id, or null for the reception staff}. "
    "An item without one takes the institution remembered at the reception point."
)


class AssistanceGivenSerializer(serializers.Serializer[Any]):
    """An item given: `institution` (a service directory provider) gave it, or null for the reception staff;
    `given_by` is the staff member who recorded it."""

    kind = EnumChoiceField(AssistanceKind)
    institution = serializers.IntegerField(source="institution_id", allow_null=True)
    institution_name = serializers.CharField(source="institution.name", allow_null=True, default=None)
    given_by = serializers.IntegerField(source="given_by_id")
    given_at = serializers.DateTimeField()


class IntakeSerializer(serializers.Serializer[Any]):
    """An intake as presented: the person (id and name: the read is recorded in the access trail)."""

    id = serializers.IntegerField()
    returnee = serializers.IntegerField(source="returnee_id")
    full_name = serializers.CharField(source="returnee.full_name")
    case = serializers.IntegerField(source="case_id", allow_null=True)
    case_number = serializers.CharField(source="case.case_number", allow_null=True, default=None)
    is_repeat_return = serializers.BooleanField()
    travelling_with_family = serializers.BooleanField()
    protection_flags = serializers.ListField(child=EnumChoiceField(ProtectionFlag))
    municipality_of_destination = serializers.IntegerField(source="municipality_of_destination_id", allow_null=True)
    assistance = AssistanceGivenSerializer(many=True, source="assistance.all")
    recorded_by = serializers.IntegerField(source="recorded_by_id", allow_null=True)
    recorded_at = serializers.DateTimeField()


class IntakeWriteSerializer(serializers.Serializer[Any]):
    """The fast intake. `returnee`: the person recognised among the candidates of a 409 answer;
    `distinct_from`: the candidate ids shown, confirmed to be someone else."""

    given_names = serializers.CharField(max_length=120, allow_blank=True)
    family_names = serializers.CharField(max_length=160, allow_blank=True)
    sex = EnumChoiceField(Sex, required=False, default=Sex.UNKNOWN)
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)
    estimated_age = serializers.IntegerField(required=False, allow_null=True, default=None)
    nationality = CountryCodeField(required=False, allow_blank=True, default="")
    document_number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    municipality = IdField(required=False, allow_null=True, default=None)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    travelling_with_family = serializers.BooleanField(required=False, default=False)
    protection_flags = serializers.ListField(child=EnumChoiceField(ProtectionFlag), required=False, default=list)
    assistance = serializers.ListField(child=EnumChoiceField(AssistanceKind), required=False, default=list)
    assistance_institutions = serializers.DictField(
        child=IdField(allow_null=True), required=False, default=dict, help_text=_INSTITUTIONS_HELP
    )
    returnee = IdField(required=False, allow_null=True, default=None)
    distinct_from = serializers.ListField(child=IdField(), required=False, allow_null=True, default=None)

    def to_input(self) -> services.IntakeInput:
        d = self.validated_data
        distinct = d.get("distinct_from")
        return services.IntakeInput(
            given_names=d["given_names"],
            family_names=d["family_names"],
            sex=d.get("sex") or Sex.UNKNOWN,
            birth_date=d.get("birth_date"),
            estimated_age=d.get("estimated_age"),
            nationality=d.get("nationality") or "",
            document_number=d.get("document_number") or "",
            municipality_id=d.get("municipality"),
            phone=d.get("phone") or "",
            travelling_with_family=d.get("travelling_with_family", False),
            protection_flags=list(d.get("protection_flags") or []),
            assistance=list(d.get("assistance") or []),
            assistance_institutions=dict(d.get("assistance_institutions") or {}),
            returnee_id=d.get("returnee"),
            distinct_from=frozenset(distinct) if distinct is not None else None,
        )


class IntakeAssistanceSerializer(serializers.Serializer[Any]):
    """An intake's assistance checklist as the intake's page shows it; `version` is the intake's (its ETag)."""

    intake = serializers.IntegerField(source="pk")
    version = versioning.version_field()
    assistance = AssistanceGivenSerializer(many=True)


class AssistanceWriteSerializer(serializers.Serializer[Any]):
    """The whole checklist, as the page sends it: items not listed are removed; those listed before keep who
    recorded them and when."""

    assistance = serializers.ListField(child=EnumChoiceField(AssistanceKind), allow_empty=True)
    assistance_institutions = serializers.DictField(
        child=IdField(allow_null=True), required=False, default=dict, help_text=_INSTITUTIONS_HELP
    )


class StatisticsQuerySerializer(serializers.Serializer[Any]):
    point = IdField(required=False)
    period = serializers.ChoiceField(choices=["day", "week", "month"], required=False, default="month")

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        # `from` and `to` are Python keywords: declared here.
        fields["from"] = serializers.DateField(required=False)
        fields["to"] = serializers.DateField(required=False)
        return fields


class ArrivalQuerySerializer(StatisticsQuerySerializer):
    period = None  # type: ignore[assignment]


class ShownValueSerializer(serializers.Serializer[Any]):
    value = serializers.FloatField(allow_null=True)
    suppressed = serializers.BooleanField()


class StatisticsSerializer(serializers.Serializer[Any]):
    """Counts of the reader's organisation (small ones hidden for aggregate readers: `suppressed`)."""

    exact = serializers.BooleanField()
    k = serializers.IntegerField()
    period = serializers.CharField()
    arrivals = ShownValueSerializer()
    people_received = ShownValueSerializer()
    by_period = serializers.ListField(child=serializers.DictField())
    tables = serializers.DictField(child=serializers.DictField(child=ShownValueSerializer()))
