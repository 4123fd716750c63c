"""API shapes of the community level. They parse and present; `community.services` decides (the same rules
as the pages)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from reintegra.api import versioning
from reintegra.api.fields import CountryCodeField, EnumChoiceField, IdField
from reintegra.community import services
from reintegra.community.choices import (
    AgeBand,
    Dimension,
    MilestoneStatus,
    ParticipantKind,
    ParticipantRole,
    ParticipantSex,
    ProjectActivity,
    ProjectApproach,
    ProjectResult,
    ProjectStatus,
    SessionKind,
    SiteCriterion,
)


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


# --- Community profiles ------------------------------------------------------------------------------


class ProfileSectionSerializer(serializers.Serializer[Any]):
    rating = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="0 to 3")
    evidence = serializers.CharField(required=False, allow_blank=True, default="")
    sources = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ProfileSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    number = serializers.IntegerField(read_only=True, help_text="The profile's version: 1, 2, 3… per community.")
    as_of = serializers.DateField(required=False, allow_null=True, default=None)
    sections = serializers.DictField(
        child=ProfileSectionSerializer(),
        required=False,
        default=dict,
        help_text="By section: needs, resources, impact_of_returns, drivers, barriers, resilience.",
    )
    summary = serializers.CharField(required=False, allow_blank=True, default="")

    def to_input(self) -> services.ProfileInput:
        d = self.validated_data
        return services.ProfileInput(
            as_of=d.get("as_of"),
            sections={
                code: services.SectionInput(s.get("rating"), s.get("evidence", ""), s.get("sources", ""))
                for code, s in d.get("sections", {}).items()
            },
            summary=d.get("summary", ""),
        )


# --- Community projects --------------------------------------------------------------------------------


def _amount() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True, default=None)


class BudgetLineSerializer(serializers.Serializer[Any]):
    line = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    budget = _amount()
    spent = _amount()


class MilestoneSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    status = EnumChoiceField(MilestoneStatus, required=False, default=MilestoneStatus.PENDING)


class ProjectSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    version = versioning.version_field()
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    approach = EnumChoiceField(ProjectApproach, required=False, allow_blank=True, default="")
    dimensions = serializers.ListField(child=EnumChoiceField(Dimension), required=False, default=list)
    activities = serializers.ListField(child=EnumChoiceField(ProjectActivity), required=False, default=list)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    communities = serializers.ListField(child=IdField(), required=False, default=list, write_only=True)
    partners = serializers.ListField(
        child=IdField(),
        required=False,
        default=list,
        write_only=True,
        help_text="Stakeholders of the structural registry.",
    )
    country = serializers.CharField(read_only=True)
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True, default="")
    budget_lines = BudgetLineSerializer(many=True, required=False, default=list)
    milestones = MilestoneSerializer(many=True, required=False, default=list)
    risks = serializers.CharField(required=False, allow_blank=True, default="")
    outcomes = serializers.CharField(required=False, allow_blank=True, default="")
    status = EnumChoiceField(ProjectStatus, read_only=True)
    closed_on = serializers.DateField(read_only=True)
    result = EnumChoiceField(ProjectResult, read_only=True)
    closing_assessment = serializers.CharField(read_only=True)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["communities"] = sorted(instance.communities.values_list("pk", flat=True))
        data["partners"] = sorted(instance.partners.values_list("pk", flat=True))
        counts = {"returnee": 0, "non_migrant": 0}
        for kind, count in instance.participants.values_list("kind", "count"):
            counts[kind] += count
        data["participants"] = {"returnees": counts["returnee"], "non_migrants": counts["non_migrant"]}
        return data

    def to_input(self) -> services.ProjectInput:
        d = self.validated_data
        return services.ProjectInput(
            title=d.get("title", ""),
            approach=d.get("approach", ""),
            dimensions=d.get("dimensions", []),
            activities=d.get("activities", []),
            communities=d.get("communities", []),
            partners=d.get("partners", []),
            description=d.get("description", ""),
            starts_on=d.get("starts_on"),
            ends_on=d.get("ends_on"),
            currency=d.get("currency", ""),
            budget_lines=[dict(row) for row in d.get("budget_lines", [])],
            milestones=[dict(row) for row in d.get("milestones", [])],
            risks=d.get("risks", ""),
            outcomes=d.get("outcomes", ""),
        )


class ProjectStatusSerializer(serializers.Serializer[Any]):
    status = EnumChoiceField(ProjectStatus)
    closed_on = serializers.DateField(required=False, allow_null=True, default=None)
    result = EnumChoiceField(ProjectResult, required=False, allow_blank=True, default="")
    closing_assessment = serializers.CharField(required=False, allow_blank=True, default="")

    def to_input(self) -> services.StatusInput:
        d = self.validated_data
        return services.StatusInput(
            status=d["status"],
            closed_on=d.get("closed_on"),
            result=d.get("result", ""),
            closing_assessment=d.get("closing_assessment", ""),
        )


class ParticipantSerializer(serializers.Serializer[Any]):
    """A returnee (`case`, optional `plan_item`; who may change the case links it) or non-migrant residents
    (`count`, optional `sex`, `age_band`; no names). `case` reads null for a case you do not see."""

    id = serializers.IntegerField(read_only=True)
    kind = EnumChoiceField(ParticipantKind)
    case = IdField(required=False, allow_null=True, default=None)
    plan_item = IdField(required=False, allow_null=True, default=None)
    role = EnumChoiceField(ParticipantRole, required=False, default=ParticipantRole.MEMBER)
    count = serializers.IntegerField(required=False, allow_null=True, default=None)
    sex = EnumChoiceField(ParticipantSex, required=False, allow_blank=True, default="")
    age_band = EnumChoiceField(AgeBand, required=False, allow_blank=True, default="")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        visible = self.context.get("visible_cases", set())
        seen = instance.case_id in visible
        return {
            "id": instance.pk,
            "kind": instance.kind,
            "case": instance.case_id if seen else None,
            "plan_item": instance.plan_item_id if seen else None,
            "role": instance.role,
            "count": instance.count,
            "sex": instance.sex,
            "age_band": instance.age_band,
        }

    def returnee_input(self) -> services.ReturneeInput:
        d = self.validated_data
        return services.ReturneeInput(case=d.get("case"), plan_item=d.get("plan_item"), role=d.get("role", "member"))

    def residents_input(self) -> services.ResidentsInput:
        d = self.validated_data
        return services.ResidentsInput(
            count=d.get("count"), sex=d.get("sex", ""), age_band=d.get("age_band", ""), role=d.get("role", "member")
        )


class VisitSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    visited_on = serializers.DateField(required=False, allow_null=True, default=None)
    findings = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    next_steps = serializers.CharField(required=False, allow_blank=True, default="")

    def to_input(self) -> services.VisitInput:
        d = self.validated_data
        return services.VisitInput(
            visited_on=d.get("visited_on"), findings=d.get("findings", ""), next_steps=d.get("next_steps", "")
        )
