"""API shapes of the child plan, the child's follow-up and the child closure checklist. They parse and
present; every rule is the service's (`children.plan_services`)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from reintegra.api.fields import IdField
from reintegra.cases import services as case_services
from reintegra.cases.choices import ContactMode, Dimension, PlanItemStatus
from reintegra.cases.serializers.plan import ProgressSerializer
from reintegra.children.plan_choices import (
    ChildPlanSector,
    ChildPlanTarget,
    ChildPlanTerm,
    ChildPlanTimeframe,
    ChildViewOnClosure,
    ChildVulnerability,
    ClosureConditionStatus,
    CommunityProtectionActor,
    MonitoringFrequency,
)
from reintegra.children.plan_models import ChildClosureChecklist, ChildFollowUp
from reintegra.children.plan_selectors import ChildPlan
from reintegra.children.plan_services import (
    CONDITIONS,
    ChildFollowUpInput,
    ChildPlanItemInput,
    ClosureChecklistInput,
)


def _text(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False, **kwargs)


def _choice(choices: Any, **kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, required=False, allow_blank=True, default="", **kwargs)


# --- Child plan ----------------------------------------------------------------------------------


class ChildPlanMeasureSerializer(serializers.Serializer[Any]):
    """One item of the case's plan placed in the child plan."""

    item = IdField(help_text="The id of an item of the case's plan.")
    timeframe = _choice(ChildPlanTimeframe.choices)
    duration = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=999, help_text="Weeks or months."
    )
    target = _choice(ChildPlanTarget.choices)
    sector = _choice(ChildPlanSector.choices)
    community_actor = _choice(CommunityProtectionActor.choices)
    community_actor_name = _text(max_length=160)
    term = serializers.ChoiceField(choices=ChildPlanTerm.choices, read_only=True)

    def to_input(self, values: dict[str, Any]) -> ChildPlanItemInput:
        return ChildPlanItemInput(
            item_id=values["item"],
            timeframe=values["timeframe"],
            duration=values["duration"],
            target=values["target"],
            sector=values["sector"],
            community_actor=values["community_actor"],
            community_actor_name=values["community_actor_name"],
        )


class PlanItemRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    dimension = serializers.ChoiceField(choices=Dimension.choices, read_only=True)
    approach = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=PlanItemStatus.choices, read_only=True)
    due_date = serializers.DateField(read_only=True, allow_null=True)
    in_child_plan = serializers.BooleanField(read_only=True)


class ChildPlanSerializer(serializers.Serializer[Any]):
    """The child plan: PUT lists the measures (the plan's items not listed leave the child plan)."""

    version = serializers.IntegerField(read_only=True, help_text="The plan's version (0: no plan yet).")
    measures = ChildPlanMeasureSerializer(many=True, max_length=50)  # type: ignore[call-arg]  # many=True's max_length
    plan_items = PlanItemRefSerializer(many=True, read_only=True)

    @staticmethod
    def present(child_plan: ChildPlan) -> dict[str, Any]:
        measures = []
        items = []
        for row in child_plan.rows:
            item = row.item
            items.append(
                {
                    "id": item.pk,
                    "dimension": item.dimension,
                    "approach": item.approach,
                    "status": item.status,
                    "due_date": item.due_date,
                    "in_child_plan": row.detail is not None,
                }
            )
            if row.detail is not None:
                d = row.detail
                measures.append(
                    {
                        "item": item.pk,
                        "timeframe": d.timeframe,
                        "duration": d.duration,
                        "target": d.target,
                        "sector": d.sector,
                        "community_actor": d.community_actor,
                        "community_actor_name": d.community_actor_name,
                        "term": d.term,
                    }
                )
        return {"version": child_plan.version, "measures": measures, "plan_items": items}

    def to_inputs(self) -> list[ChildPlanItemInput]:
        parse = ChildPlanMeasureSerializer()
        return [parse.to_input(row) for row in self.validated_data["measures"]]


# --- Child follow-up -----------------------------------------------------------------------------


class ChildFollowUpSerializer(serializers.Serializer[Any]):
    """A follow-up visit of a child case with the child's current vulnerabilities and the agreed monitoring
    frequency (`next_visit_on` left out: set from the frequency)."""

    id = serializers.IntegerField(read_only=True)
    visit = serializers.IntegerField(read_only=True, help_text="The id of the case's follow-up visit.")
    visited_on = serializers.DateField(required=False, allow_null=True, default=None)
    mode = serializers.ChoiceField(choices=ContactMode.choices, required=False, default=ContactMode.IN_PERSON)
    notes = _text(max_length=4000)
    significant_changes = _text(max_length=4000)
    next_visit_on = serializers.DateField(required=False, allow_null=True, default=None)
    progress = ProgressSerializer(many=True, required=False, default=list, max_length=50)  # type: ignore[call-arg]
    vulnerabilities = serializers.ListField(
        child=serializers.ChoiceField(choices=ChildVulnerability.choices), required=False, default=list, max_length=20
    )
    vulnerability_note = _text(max_length=2000)
    monitoring_frequency = _choice(MonitoringFrequency.choices)
    monitored_with = _choice(CommunityProtectionActor.choices)
    child_participated = serializers.BooleanField(required=False, default=False)
    next_due_on = serializers.DateField(read_only=True)

    @staticmethod
    def present(record: ChildFollowUp) -> dict[str, Any]:
        visit = record.visit
        return {
            "id": record.pk,
            "visit": visit.pk,
            "visited_on": visit.visited_on,
            "mode": visit.mode,
            "notes": visit.notes,
            "significant_changes": visit.significant_changes,
            "next_visit_on": visit.next_visit_on,
            "progress": list(record.visit.progress.all()),
            "vulnerabilities": list(record.vulnerabilities or []),
            "vulnerability_note": record.vulnerability_note,
            "monitoring_frequency": record.monitoring_frequency,
            "monitored_with": record.monitored_with,
            "child_participated": record.child_participated,
            "next_due_on": record.next_due_on,
        }

    def visit_values(self) -> dict[str, Any]:
        v = self.validated_data
        return {name: v[name] for name in case_services.FOLLOW_UP_FIELDS}

    def progress_inputs(self) -> list[case_services.ProgressInput]:
        return [
            case_services.ProgressInput(item_id=entry["item_id"], status=entry["status"], note=entry.get("note", ""))
            for entry in self.validated_data["progress"]
        ]

    def to_input(self) -> ChildFollowUpInput:
        v = self.validated_data
        return ChildFollowUpInput(
            monitoring_frequency=v["monitoring_frequency"],
            vulnerabilities=list(v["vulnerabilities"]),
            vulnerability_note=v["vulnerability_note"],
            monitored_with=v["monitored_with"],
            child_participated=v["child_participated"],
        )


# --- Child closure checklist ---------------------------------------------------------------------


class ClosureChecklistSerializer(serializers.Serializer[Any]):
    """The child closure checklist; `complete`: completed (what the closure of a child case needs)."""

    version = serializers.IntegerField(read_only=True)
    safe_care = _choice(ClosureConditionStatus.choices)
    safe_care_note = _text(max_length=1000)
    school = _choice(ClosureConditionStatus.choices)
    school_note = _text(max_length=1000)
    health = _choice(ClosureConditionStatus.choices)
    health_note = _text(max_length=1000)
    psychosocial = _choice(ClosureConditionStatus.choices)
    psychosocial_note = _text(max_length=1000)
    family_economy = _choice(ClosureConditionStatus.choices)
    family_economy_note = _text(max_length=1000)
    child_view = _choice(ChildViewOnClosure.choices)
    child_view_note = _text(max_length=2000)
    good_practice = _text(max_length=4000)
    complete = serializers.BooleanField(required=False, default=False)
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)

    @staticmethod
    def present(checklist: ChildClosureChecklist | None) -> dict[str, Any]:
        if checklist is None:
            return {"version": 0, "complete": False, "completed_at": None}
        names = [*CONDITIONS, *(f"{n}_note" for n in CONDITIONS), "child_view", "child_view_note", "good_practice"]
        data: dict[str, Any] = {name: getattr(checklist, name) for name in names}
        data.update(version=checklist.revision, complete=checklist.is_completed, completed_at=checklist.completed_at)
        return data

    def to_input(self) -> ClosureChecklistInput:
        return ClosureChecklistInput(**dict(self.validated_data))
