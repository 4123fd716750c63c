"""Assessments, counselling sessions, the reintegration plan and follow-up visits."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from reintegra.api import versioning
from reintegra.api.fields import EnumChoiceField, IdField
from reintegra.cases import selectors, services
from reintegra.cases.choices import (
    CaseStatus,
    PlanItemStatus,
)
from reintegra.cases.models import (
    Assessment,
    Case,
    CounsellingSession,
    FollowUpVisit,
    PlanItem,
    ReintegrationPlan,
)
from reintegra.cases.serializers.common import (
    LIST_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    ProtectedModelSerializer,
    UserRefSerializer,
)

# --- Assessments and counselling -----------------------------------------------------------------


class AssessmentSerializer(ProtectedModelSerializer):
    assessed_by = UserRefSerializer(read_only=True)
    version = versioning.version_field()

    class Meta:
        model = Assessment
        fields = ["id", *services.ASSESSMENT_FIELDS, "assessed_by", "version", "created_at"]
        read_only_fields = ["id", "created_at"]


class CounsellingSessionSerializer(ProtectedModelSerializer):
    counsellor = UserRefSerializer(read_only=True)

    class Meta:
        model = CounsellingSession
        fields = ["id", *services.COUNSELLING_FIELDS, "counsellor", "created_at"]
        read_only_fields = ["id", "created_at"]


# --- Reintegration plan --------------------------------------------------------------------------


class PlanItemSerializer(ProtectedModelSerializer):
    id = IdField(required=False, help_text=_("Give the id to keep an existing item; leave it out for a new one."))
    status = EnumChoiceField(PlanItemStatus, required=False)

    class Meta:
        model = PlanItem
        fields = [
            "id",
            "dimension",
            "approach",
            "description",
            "assistance_form",
            "amount",
            "currency",
            "responsible",
            "due_date",
            "status",
        ]


class PlanSerializer(ProtectedModelSerializer):
    items = PlanItemSerializer(many=True, read_only=True)
    agreed_late = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()
    version = versioning.version_field()

    class Meta:
        model = ReintegrationPlan
        fields = [
            "id",
            "goals",
            "motivations",
            "items",
            "agreed_on",
            "agreed_late",
            "agreed_late_reason",
            "warnings",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _case(self, obj: ReintegrationPlan) -> Case:
        return self.context.get("case") or obj.case

    def get_agreed_late(self, obj: ReintegrationPlan) -> bool:
        return selectors.plan_is_late(self._case(obj), obj.agreed_on)

    def get_warnings(self, obj: ReintegrationPlan) -> list[str]:
        case = self._case(obj)
        deadline = case.return_date + timedelta(days=settings.REINTEGRA_PLAN_DEADLINE_DAYS)
        warnings: list[str | Promise] = []
        if obj.agreed_on is None:
            if timezone.localdate() > deadline and case.status != CaseStatus.CLOSED:
                warnings.append(
                    _("The plan should have been agreed by %(date)s, one month after the return.")
                    % {"date": deadline.isoformat()}
                )
        elif selectors.plan_is_late(case, obj.agreed_on):
            warnings.append(
                _("The plan was agreed %(days)s days after the return, more than one month.")
                % {"days": (obj.agreed_on - case.return_date).days}
            )
            if not obj.agreed_late_reason:
                warnings.append(_("Record why the plan was agreed after the first month."))
        if not obj.items.all():
            warnings.append(_("The plan has no items yet."))
        return [str(w) for w in warnings]


class PlanWriteSerializer(serializers.Serializer):
    goals = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH)
    motivations = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH)
    items = PlanItemSerializer(  # type: ignore[call-arg]  # many=True's max_length
        many=True,
        required=False,
        max_length=LIST_MAX_LENGTH,
        help_text=_("Replaces the item list when given; items keep their id."),
    )

    def to_item_inputs(self) -> list[services.PlanItemInput] | None:
        if "items" not in self.validated_data:
            return None
        return [services.PlanItemInput(**item) for item in self.validated_data["items"]]


class PlanAgreeSerializer(serializers.Serializer):
    agreed_on = serializers.DateField()
    late_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        help_text=_("Why the plan is agreed more than one month after the return."),
    )


# --- Follow-up -----------------------------------------------------------------------------------


class ProgressSerializer(serializers.Serializer):
    item = IdField(source="item_id")
    item_approach = serializers.CharField(source="item.approach", read_only=True)
    status = EnumChoiceField(PlanItemStatus)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class FollowUpVisitSerializer(ProtectedModelSerializer):
    conducted_by = UserRefSerializer(read_only=True)
    progress = ProgressSerializer(many=True, required=False, max_length=LIST_MAX_LENGTH)  # type: ignore[call-arg]  # many=True's max_length

    class Meta:
        model = FollowUpVisit
        fields = ["id", *services.FOLLOW_UP_FIELDS, "conducted_by", "progress", "created_at"]
        read_only_fields = ["id", "created_at"]

    def to_progress_inputs(self) -> list[services.ProgressInput]:
        return [
            services.ProgressInput(item_id=entry["item_id"], status=entry["status"], note=entry.get("note", ""))
            for entry in self.validated_data.get("progress", [])
        ]
