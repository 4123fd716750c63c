"""`/api/v1/` of the structural level. One scoped viewset base: reads need VIEW_STRUCTURAL, writes
EDIT_STRUCTURAL (403 before any lookup); rows come from `selectors.visible` (hidden -> 404); the serializers
parse a record (`to_record`) and the viewset saves it through `services.save_record`."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.access.roles import Capability
from reintegra.api import versioning
from reintegra.api.fields import IdField
from reintegra.api.pagination import StandardPagination
from reintegra.api.permissions import CapabilityPermission, acting_user
from reintegra.api.query import QueryParametersMixin
from reintegra.structural import permissions as structural_permissions
from reintegra.structural import selectors, services
from reintegra.structural import serializers as s
from reintegra.structural.models import (
    ActionItem,
    Agreement,
    CapacityAssessment,
    CapacityPlan,
    CommonProduct,
    CooperationFramework,
    CoordinationMechanism,
    MainstreamingProcess,
    ProgrammeRecord,
    Stakeholder,
)


class ProgrammeFilter(serializers.Serializer):
    programme = IdField(required=False, help_text="Only the records of this programme (id).")


class StructuralViewSet(
    QueryParametersMixin,
    versioning.ETagMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsAuthenticated, CapabilityPermission]
    read_capabilities: tuple[Capability, ...] = (Capability.VIEW_STRUCTURAL, Capability.EDIT_STRUCTURAL)
    write_capabilities: tuple[Capability, ...] = (Capability.EDIT_STRUCTURAL,)
    pagination_class = StandardPagination
    model: type[ProgrammeRecord] = Stakeholder
    related: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()
    query_parameters = {"list": ProgrammeFilter}

    def check_object_permissions(self, request: Request, obj: Any) -> None:
        """A write on a record the user sees but may not change (another organisation's, no write grant):
        403 before anything about the body."""
        super().check_object_permissions(request, obj)
        if request.method not in SAFE_METHODS and not selectors.can_edit_programme(
            acting_user(request), obj.programme_id
        ):
            raise structural_permissions.no_write_grant(obj.programme_id)

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.api_records(
            acting_user(self.request),
            self.model,
            related=self.related,
            prefetch=self.prefetch,
            programme=self.query.get("programme"),
        )

    def perform_create(self, serializer: Any) -> None:
        self._save(serializer, self.model())

    def perform_update(self, serializer: Any) -> None:
        self._save(serializer, serializer.instance, versioning.expected_version(self.request, serializer.instance))

    def _save(self, serializer: Any, record: Any, expected_version: int | None = None) -> None:
        """The serializer parses, the service saves (checks, audit); the answer shows what was saved."""
        record, m2m = serializer.to_record(record)
        serializer.instance = services.save_record(
            acting_user(self.request), record, m2m, expected_version=expected_version
        )

    def _nested(
        self, request: Request, parent: Any, queryset: QuerySet[Any], serializer_class: Any, **link: Any
    ) -> Response:
        """GET: the parent's children (paginated); POST: a new child linked to the parent."""
        if request.method == "POST":
            serializer = serializer_class(
                data=request.data,
                context={**self.get_serializer_context(), "parent": {**link, "programme": parent.programme}},
            )
            serializer.is_valid(raise_exception=True)
            self._save(serializer, serializer_class.Meta.model(**link, programme=parent.programme))
            return Response(serializer.data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(queryset)
        data = serializer_class(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)


def _schema(tag: str, what: str, serializer_class: Any) -> Any:
    return extend_schema_view(
        list=extend_schema(summary=f"{what}: list (scoped to your programmes)", tags=[tag]),
        retrieve=versioning.read_schema(summary=f"{what}: one", tags=[tag]),
        create=extend_schema(summary=f"{what}: create", tags=[tag]),
        update=versioning.write_schema(summary=f"{what}: replace", tags=[tag], responses=serializer_class),
        partial_update=versioning.write_schema(summary=f"{what}: update", tags=[tag], responses=serializer_class),
    )


def _nested_schema(tag: str, serializer_class: Any, list_summary: str, create_summary: str) -> Any:
    """The schema of a `_nested` action: GET lists the parent's children, POST records one."""

    def decorate(view: Any) -> Any:
        view = extend_schema(
            methods=["POST"],
            summary=create_summary,
            request=serializer_class,
            responses={201: serializer_class},
            tags=[tag],
        )(view)
        return extend_schema(methods=["GET"], summary=list_summary, responses=serializer_class(many=True), tags=[tag])(
            view
        )

    return decorate


@_schema("structural: stakeholders", "Stakeholders", s.StakeholderSerializer)
class StakeholderViewSet(StructuralViewSet):
    model = Stakeholder
    serializer_class = s.StakeholderSerializer
    queryset = Stakeholder.objects.none()

    @_nested_schema(
        "structural: stakeholders", s.InteractionSerializer, "Interaction log of a stakeholder", "Record an interaction"
    )
    @action(detail=True, methods=["get", "post"], pagination_class=StandardPagination)
    def interactions(self, request: Request, pk: Any = None) -> Response:
        stakeholder = self.get_object()
        queryset = selectors.interactions_of(stakeholder)
        return self._nested(request, stakeholder, queryset, s.InteractionSerializer, stakeholder=stakeholder)


@_schema("structural: stakeholders", "Common products", s.CommonProductSerializer)
class CommonProductViewSet(StructuralViewSet):
    model = CommonProduct
    serializer_class = s.CommonProductSerializer
    queryset = CommonProduct.objects.none()
    related = ("stakeholder",)


@_schema("structural: agreements", "Agreements", s.AgreementSerializer)
class AgreementViewSet(StructuralViewSet):
    model = Agreement
    serializer_class = s.AgreementSerializer
    queryset = Agreement.objects.none()
    prefetch = ("parties",)


@_schema("structural: capacity", "Capacity assessments", s.CapacityAssessmentSerializer)
class CapacityAssessmentViewSet(StructuralViewSet):
    model = CapacityAssessment
    serializer_class = s.CapacityAssessmentSerializer
    queryset = CapacityAssessment.objects.none()


@_schema("structural: capacity", "Capacity-development plans", s.CapacityPlanSerializer)
class CapacityPlanViewSet(StructuralViewSet):
    model = CapacityPlan
    serializer_class = s.CapacityPlanSerializer
    queryset = CapacityPlan.objects.none()
    prefetch = ("stakeholders", "activities", "indicators")


@_schema("structural: coordination", "Coordination mechanisms", s.CoordinationMechanismSerializer)
class CoordinationMechanismViewSet(StructuralViewSet):
    model = CoordinationMechanism
    serializer_class = s.CoordinationMechanismSerializer
    queryset = CoordinationMechanism.objects.none()
    prefetch = ("members",)

    @_nested_schema("structural: coordination", s.MeetingSerializer, "Meetings of a mechanism", "Record a meeting")
    @action(detail=True, methods=["get", "post"], pagination_class=StandardPagination)
    def meetings(self, request: Request, pk: Any = None) -> Response:
        mechanism = self.get_object()
        queryset = selectors.meetings_of(mechanism)
        return self._nested(request, mechanism, queryset, s.MeetingSerializer, mechanism=mechanism)


@_schema("structural: coordination", "Action items", s.ActionItemSerializer)
class ActionItemViewSet(StructuralViewSet):
    model = ActionItem
    serializer_class = s.ActionItemSerializer
    queryset = ActionItem.objects.none()


@_schema("structural: cooperation", "Cooperation frameworks", s.CooperationFrameworkSerializer)
class CooperationFrameworkViewSet(StructuralViewSet):
    model = CooperationFramework
    serializer_class = s.CooperationFrameworkSerializer
    queryset = CooperationFramework.objects.none()
    prefetch = ("parties", "agreements", "exchange_rules")


@_schema("structural: mainstreaming", "Mainstreaming processes", s.MainstreamingProcessSerializer)
class MainstreamingProcessViewSet(StructuralViewSet):
    model = MainstreamingProcess
    serializer_class = s.MainstreamingProcessSerializer
    queryset = MainstreamingProcess.objects.none()
    prefetch = ("opportunities",)
