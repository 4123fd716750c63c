"""API serializers: one base scopes every related record to the user's programmes and parses a record
(`to_record`) that the viewset saves through `services.save_record` (the same checks as the web forms)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.drainage import set_override
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reintegra.access.models import Programme, User
from reintegra.api.versioning import version_field
from reintegra.structural import choices as c
from reintegra.structural import editable, selectors
from reintegra.structural.models import (
    ActionItem,
    Agreement,
    CapacityActivity,
    CapacityAssessment,
    CapacityPlan,
    CommonProduct,
    CooperationFramework,
    CoordinationMechanism,
    DataExchangeRule,
    Interaction,
    MainstreamingProcess,
    MechanismMember,
    Meeting,
    ProgrammeRecord,
    ProgressIndicator,
    SectorOpportunity,
    Stakeholder,
)


class InlineEnums:
    """Choice fields documented as inline enums: field names like "status" or "level" carry different
    choice sets across apps, and named enum components would collide in the OpenAPI schema."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            choice = getattr(field, "child", field)
            if isinstance(choice, serializers.ChoiceField):
                # A class per choice set: drf-spectacular copies fields (re-instantiating their class).
                choice.__class__ = _inline_choice_class(type(choice), tuple(str(v) for v in choice.choices))


_INLINE_CLASSES: dict[tuple[type, tuple[str, ...]], type] = {}


def _inline_choice_class(base: type, values: tuple[str, ...]) -> type:
    key = (base, values)
    if key not in _INLINE_CLASSES:
        cls = type(f"Inline{base.__name__}", (base,), {})
        # The enum sits inside allOf so the schema's enum post-processing leaves it inline (no name clash).
        set_override(cls, "field", {"type": "string", "allOf": [{"enum": list(values)}]})
        _INLINE_CLASSES[key] = cls
    return _INLINE_CLASSES[key]


class ReadOnlyStructural(InlineEnums, serializers.ModelSerializer):
    pass


class StructuralSerializer(InlineEnums, serializers.ModelSerializer):
    version = version_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Without a signed-in user (a serializer built outside a request: schema generation) nothing is
        # offered: no programme, no record, no person.
        user = getattr(self.context.get("request"), "user", None)
        if not isinstance(user, User):
            user = None
        visible = selectors.visible_programme_ids(user) if user is not None else frozenset()
        single = self.instance if isinstance(self.instance, ProgrammeRecord) else None
        for name, field in self.fields.items():
            related: Any = getattr(field, "child_relation", field)
            queryset = getattr(related, "queryset", None)
            if queryset is None:
                continue
            if queryset.model is Programme:
                editable = selectors.editable_programme_ids(user) if user is not None else frozenset()
                related.queryset = Programme.objects.filter(pk__in=editable)
            elif issubclass(queryset.model, ProgrammeRecord):
                related.queryset = queryset.model._default_manager.filter(programme_id__in=visible)
            elif queryset.model is User:
                # The people the service accepts (services._check_people); the record's current one stays.
                programme = single.programme if single is not None else None
                current_id = getattr(single, f"{name}_id", None)
                current = User.objects.filter(pk__in=[current_id] if current_id else [])
                assignable = selectors.assignable_users(user, programme) if user is not None else User.objects.none()
                related.queryset = (assignable | current).distinct()
        if self.instance is not None and "programme" in self.fields:
            self.fields["programme"].read_only = True

    def to_record(self, instance: ProgrammeRecord) -> tuple[ProgrammeRecord, dict[str, list[Any]]]:
        """The record with the validated values set (not saved yet) and its many-to-many values: what
        `services.save_record` takes. The viewset calls the service, as a page does with a form's values."""
        validated = dict(self.validated_data)
        m2m = {f.name: validated.pop(f.name) for f in instance._meta.many_to_many if f.name in validated}
        for key, value in validated.items():
            setattr(instance, key, value)
        return instance, m2m

    def create(self, validated_data: dict[str, Any]) -> Any:
        raise TypeError("A structural record is saved by services.save_record (StructuralViewSet), not here.")

    def update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        raise TypeError("A structural record is saved by services.save_record (StructuralViewSet), not here.")


_STAMPS = ["id", "version", "created_at", "updated_at"]


class StakeholderSerializer(StructuralSerializer):
    engagement_category = serializers.SerializerMethodField(
        help_text="Gradient model (Figure 4.1): manage_closely | communicate | inform."
    )
    functions = serializers.ListField(
        child=serializers.ChoiceField(choices=c.StakeholderFunction.choices), required=False
    )
    country = serializers.CharField(max_length=2)

    class Meta:
        model = Stakeholder
        fields = [*_STAMPS, *editable.STAKEHOLDER, "engagement_category", "last_reviewed_on", "next_review_on"]
        read_only_fields = [*_STAMPS, "last_reviewed_on", "next_review_on"]

    @extend_schema_field(serializers.ChoiceField(choices=c.EngagementCategory.choices))
    def get_engagement_category(self, obj: Stakeholder) -> str:
        return obj.engagement_category


class InteractionSerializer(StructuralSerializer):
    class Meta:
        model = Interaction
        fields = [*_STAMPS, "stakeholder", *editable.INTERACTION]
        read_only_fields = [*_STAMPS, "stakeholder"]


class CommonProductSerializer(StructuralSerializer):
    is_behind = serializers.BooleanField(read_only=True, help_text="Stalled, or open after its due date.")

    class Meta:
        model = CommonProduct
        fields = [*_STAMPS, "programme", "stakeholder", *editable.COMMON_PRODUCT, "is_behind"]
        read_only_fields = [*_STAMPS, "programme"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        stakeholder = attrs.get("stakeholder")
        if stakeholder is not None:
            attrs["programme"] = stakeholder.programme
        return attrs


class AgreementSerializer(StructuralSerializer):
    renewal_notice_on = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Agreement
        fields = [*_STAMPS, *editable.AGREEMENT, "renewal_notice_on"]
        read_only_fields = _STAMPS


class CapacityAssessmentSerializer(StructuralSerializer):
    class Meta:
        model = CapacityAssessment
        fields = [*_STAMPS, *editable.CAPACITY_ASSESSMENT]
        read_only_fields = _STAMPS


class CapacityActivitySerializer(ReadOnlyStructural):
    class Meta:
        model = CapacityActivity
        fields = ["id", *editable.CAPACITY_ACTIVITY]
        read_only_fields = fields


class IndicatorSerializer(ReadOnlyStructural):
    class Meta:
        model = ProgressIndicator
        fields = ["id", *editable.INDICATOR]
        read_only_fields = fields


class CapacityPlanSerializer(StructuralSerializer):
    activities = CapacityActivitySerializer(many=True, read_only=True)
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = CapacityPlan
        fields = [*_STAMPS, *editable.CAPACITY_PLAN, "activities", "indicators"]
        read_only_fields = _STAMPS


class MemberSerializer(ReadOnlyStructural):
    class Meta:
        model = MechanismMember
        fields = ["stakeholder", "role", "is_senior"]
        read_only_fields = fields


class CoordinationMechanismSerializer(StructuralSerializer):
    members = MemberSerializer(many=True, read_only=True)

    class Meta:
        model = CoordinationMechanism
        fields = [*_STAMPS, *editable.MECHANISM, "members"]
        read_only_fields = _STAMPS


class MeetingSerializer(StructuralSerializer):
    class Meta:
        model = Meeting
        fields = [*_STAMPS, "mechanism", *editable.MEETING]
        read_only_fields = [*_STAMPS, "mechanism"]


class ActionItemSerializer(StructuralSerializer):
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = ActionItem
        fields = [
            *_STAMPS,
            "programme",
            "mechanism",
            "meeting",
            "process",
            *editable.ACTION_ITEM,
            "completed_on",
            "is_overdue",
        ]
        read_only_fields = [*_STAMPS, "programme", "completed_on"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        parents = [attrs.get(n, getattr(self.instance, n, None)) for n in ("meeting", "mechanism", "process")]
        parent = next((p for p in parents if p is not None), None)
        if parent is None:
            # Parsing, not a rule: the parent says which programme the item belongs to (the web form's URL does).
            raise serializers.ValidationError(
                {"non_field_errors": ["An action item belongs to a meeting, a mechanism or a mainstreaming process."]},
                code="parent_required",
            )
        attrs["programme"] = parent.programme
        return attrs


class ExchangeRuleSerializer(ReadOnlyStructural):
    class Meta:
        model = DataExchangeRule
        fields = ["party", "category", "may_enter", "may_consult"]
        read_only_fields = fields


class CooperationFrameworkSerializer(StructuralSerializer):
    exchange_rules = ExchangeRuleSerializer(many=True, read_only=True)
    host_country = serializers.CharField(max_length=2)
    origin_country = serializers.CharField(max_length=2)

    class Meta:
        model = CooperationFramework
        fields = [*_STAMPS, *editable.FRAMEWORK, "exchange_rules"]
        read_only_fields = _STAMPS


class OpportunitySerializer(ReadOnlyStructural):
    class Meta:
        model = SectorOpportunity
        fields = ["id", *editable.OPPORTUNITY]
        read_only_fields = fields


class MainstreamingProcessSerializer(StructuralSerializer):
    opportunities = OpportunitySerializer(many=True, read_only=True)

    class Meta:
        model = MainstreamingProcess
        fields = [*_STAMPS, *editable.PROCESS, "opportunities"]
        read_only_fields = _STAMPS
