"""API shapes of the community level. They parse and present; `community.services` decides (the same rules
as the pages)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from reintegra.api import versioning
from reintegra.api.fields import CountryCodeField, EnumChoiceField, IdField
from reintegra.community import services
from reintegra.community.choices import Dimension, SessionKind, SiteCriterion


class CommunitySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    version = versioning.version_field()
    name = serializers.CharField(source="__str__", read_only=True)
    municipality = IdField(source="municipality_id", required=False, allow_null=True, default=None)
    admin_code = serializers.CharField(source="municipality.code", read_only=True)
    country = serializers.CharField(read_only=True)
    locality = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    population = serializers.IntegerField(required=False, allow_null=True, default=None)
    population_year = serializers.IntegerField(required=False, allow_null=True, default=None)
    population_source = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    organisations = serializers.ListField(child=IdField(), required=False, default=list, write_only=True)
    notes = serializers.CharField(required=False, allow_blank=True, default="")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["organisations"] = sorted(instance.organisations.values_list("pk", flat=True))
        return data

    def to_input(self) -> services.CommunityInput:
        d = self.validated_data
        return services.CommunityInput(
            municipality=d.get("municipality_id"),
            locality=d.get("locality", ""),
            population=d.get("population"),
            population_year=d.get("population_year"),
            population_source=d.get("population_source", ""),
            organisations=d.get("organisations", []),
            notes=d.get("notes", ""),
        )


class SiteScoreSerializer(serializers.Serializer[Any]):
    criterion = EnumChoiceField(SiteCriterion)
    score = serializers.IntegerField(required=False, allow_null=True, default=None)
    evidence = serializers.CharField(required=False, allow_blank=True, default="")


class ChecklistSerializer(serializers.Serializer[Any]):
    scores = SiteScoreSerializer(many=True)
    total = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(read_only=True, help_text="The community's version (its ETag).")

    def to_input(self) -> list[services.SiteScoreInput]:
        return [
            services.SiteScoreInput(row["criterion"], row.get("score"), row.get("evidence", ""))
            for row in self.validated_data["scores"]
        ]


class SessionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    kind = EnumChoiceField(SessionKind)
    held_on = serializers.DateField(required=False, allow_null=True, default=None)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    facilitators = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    participants = serializers.DictField(
        child=serializers.IntegerField(),
        required=False,
        default=dict,
        help_text="Counts by `group:sex:age_band` (returnee|non_migrant : female|male : youth|adult|older).",
    )
    priorities = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    tensions = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    follow_up = serializers.CharField(required=False, allow_blank=True, default="")

    def to_input(self) -> services.SessionInput:
        d = self.validated_data
        return services.SessionInput(
            kind=d["kind"],
            held_on=d.get("held_on"),
            place=d.get("place", ""),
            facilitators=d.get("facilitators", ""),
            participants=dict(d.get("participants", {})),
            priorities=d.get("priorities", []),
            tensions=d.get("tensions", ""),
            follow_up=d.get("follow_up", ""),
        )


class HotspotQuerySerializer(serializers.Serializer[Any]):
    country = CountryCodeField(required=False, allow_blank=True, default="")
    period_days = serializers.ChoiceField(choices=[90, 365], required=False, default=365)


class HotspotSerializer(serializers.Serializer[Any]):
    community = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    admin_code = serializers.CharField()
    country = serializers.CharField()
    returns = serializers.IntegerField(allow_null=True, help_text="null: fewer than k (hidden)")
    returns_90 = serializers.IntegerField(allow_null=True)
    returns_365 = serializers.IntegerField(allow_null=True)
    population = serializers.IntegerField(allow_null=True)
    returns_per_1000 = serializers.FloatField(allow_null=True)
    previous_returns = serializers.IntegerField(allow_null=True)
    trend = serializers.FloatField(allow_null=True)
    repeat_share = serializers.FloatField(allow_null=True)
    weakest_dimension = serializers.ChoiceField(choices=Dimension.choices, allow_null=True)
