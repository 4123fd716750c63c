"""`/api/v1/results-frameworks/` (with the results tree nested, and its nodes' writes), `/api/v1/indicators/`
and `/api/v1/reporting-periods/` (submitting a period, what changed since)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.access.roles import Capability
from reintegra.api import versioning
from reintegra.api.pagination import StandardPagination
from reintegra.api.permissions import CapabilityPermission, acting_user
from reintegra.api.query import QueryParametersMixin
from reintegra.monitoring import permissions, selectors, services, snapshots
from reintegra.monitoring.models import Indicator, ReportingPeriod, ResultNode, ResultsFramework
from reintegra.monitoring.serializers import (
    FrameworkCreateSerializer,
    FrameworkFilters,
    FrameworkInputSerializer,
    FrameworkSerializer,
    IndicatorChangeSerializer,
    IndicatorFilters,
    IndicatorInputSerializer,
    IndicatorSerializer,
    NodeInputSerializer,
    NodeSerializer,
    PeriodFilters,
    PeriodInputSerializer,
    PeriodSerializer,
    SubmittedSerializer,
)

READ = permissions.READ
WRITE = (Capability.MANAGE_MONITORING,)


@extend_schema_view(
    list=extend_schema(summary="Results frameworks of the programmes you follow", tags=["results-frameworks"]),
    retrieve=versioning.read_schema(summary="One results framework, its tree nested", tags=["results-frameworks"]),
    create=extend_schema(
        summary="Create a programme's results framework",
        request=FrameworkCreateSerializer,
        responses={201: FrameworkSerializer},
        tags=["results-frameworks"],
    ),
    update=versioning.write_schema(
        summary="Change the theory of change",
        request=FrameworkInputSerializer,
        responses=FrameworkSerializer,
        tags=["results-frameworks"],
    ),
    partial_update=versioning.write_schema(
        summary="Change some fields",
        request=FrameworkInputSerializer,
        responses=FrameworkSerializer,
        tags=["results-frameworks"],
    ),
)
class ResultsFrameworkViewSet(
    QueryParametersMixin,
    versioning.ETagMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = FrameworkSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    read_capabilities, write_capabilities = READ, WRITE
    pagination_class = StandardPagination
    queryset = ResultsFramework.objects.none()
    query_parameters = {"list": FrameworkFilters}

    def get_queryset(self) -> QuerySet[ResultsFramework]:
        programme = self.query.get("programme") if self.action == "list" else None
        return selectors.search_frameworks(acting_user(self.request), programme)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = acting_user(request)
        incoming = FrameworkCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        programme = services.writable_programme(user, incoming.validated_data["programme"])
        data = services.FrameworkInput(**{k: v for k, v in incoming.validated_data.items() if k != "programme"})
        created = services.create_framework(user, programme, data)
        return Response(FrameworkSerializer(created).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        current = self.get_object()
        permissions.require_manage(acting_user(request), current.programme)
        incoming = FrameworkInputSerializer(data=request.data, partial=kwargs.get("partial", False))
        incoming.is_valid(raise_exception=True)
        saved = services.edit_framework(
            acting_user(request),
            current,
            incoming.to_input(services.FrameworkInput.of(current)),
            expected_version=versioning.expected_version(request, current),
        )
        return Response(FrameworkSerializer(saved).data)

    @extend_schema(
        summary="Add a result to the tree",
        description="impact (the root, one per framework) → outcome → output → activity: a result goes under "
        "one of the kind above it (`parent` `wrong_kind` otherwise).",
        request=NodeInputSerializer,
        responses={201: NodeSerializer},
        tags=["results-frameworks"],
    )
    @action(detail=True, methods=["post"], url_path="nodes", pagination_class=None)
    def nodes(self, request: Request, pk: Any = None) -> Response:
        framework = self.get_object()
        permissions.require_manage(acting_user(request), framework.programme)
        incoming = NodeInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        node = services.add_node(acting_user(request), framework, incoming.to_input())
        return Response(NodeSerializer(node).data, status=status.HTTP_201_CREATED)

    def _node(self, framework: ResultsFramework, node_id: str) -> ResultNode:
        try:
            node = selectors.get_node(acting_user(self.request), node_id)
        except ResultNode.DoesNotExist:
            raise Http404 from None
        if node.framework_id != framework.pk:
            raise Http404
        return node

    @extend_schema(
        methods=["GET"],
        summary="One result of the tree",
        responses=NodeSerializer,
        parameters=[versioning.ETAG],
        tags=["results-frameworks"],
    )
    @extend_schema(
        methods=["PUT", "PATCH"],
        summary="Change or move a result (a new parent moves it)",
        request=NodeInputSerializer,
        responses={200: NodeSerializer, 412: versioning.STALE_RESPONSE, 428: versioning.REQUIRED_RESPONSE},
        parameters=[versioning.IF_MATCH, versioning.ETAG],
        tags=["results-frameworks"],
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Delete a result with nothing under it",
        responses={204: None, 412: versioning.STALE_RESPONSE, 428: versioning.REQUIRED_RESPONSE},
        parameters=[versioning.IF_MATCH],
        tags=["results-frameworks"],
    )
    @action(
        detail=True,
        methods=["get", "put", "patch", "delete"],
        url_path=r"nodes/(?P<node_id>[0-9]{1,18})",
        url_name="node",
        pagination_class=None,
    )
    def node(self, request: Request, pk: Any = None, node_id: str = "") -> Response:
        framework = self.get_object()
        user = acting_user(request)
        current = self._node(framework, node_id)
        if request.method == "GET":
            return Response(NodeSerializer(current).data)
        permissions.require_manage(user, framework.programme)
        expected = versioning.expected_version(request, current)
        if request.method == "DELETE":
            services.delete_node(user, current, expected_version=expected)
            return Response(status=status.HTTP_204_NO_CONTENT)
        incoming = NodeInputSerializer(data=request.data, partial=request.method == "PATCH")
        incoming.is_valid(raise_exception=True)
        saved = services.edit_node(
            user, current, incoming.to_input(services.NodeInput.of(current)), expected_version=expected
        )
        return Response(NodeSerializer(saved).data)


@extend_schema_view(
    list=extend_schema(summary="Indicators of the frameworks you follow", tags=["indicators"]),
    retrieve=versioning.read_schema(summary="One indicator", tags=["indicators"]),
    create=extend_schema(
        summary="Add an indicator",
        description="A computed indicator's rule is in `definition`; what is wrong with it answers 400 under "
        "`definition.<part>` (e.g. `definition.filters.0.op`).",
        request=IndicatorInputSerializer,
        responses={201: IndicatorSerializer},
        tags=["indicators"],
    ),
    update=versioning.write_schema(
        summary="Change an indicator",
        request=IndicatorInputSerializer,
        responses=IndicatorSerializer,
        tags=["indicators"],
    ),
    partial_update=versioning.write_schema(
        summary="Change some fields of an indicator",
        request=IndicatorInputSerializer,
        responses=IndicatorSerializer,
        tags=["indicators"],
    ),
    destroy=versioning.write_schema(summary="Delete an indicator no period has frozen", tags=["indicators"]),
)
class IndicatorViewSet(
    QueryParametersMixin,
    versioning.ETagMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = IndicatorSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    read_capabilities, write_capabilities = READ, WRITE
    pagination_class = StandardPagination
    queryset = Indicator.objects.none()
    query_parameters = {"list": IndicatorFilters}

    def get_queryset(self) -> QuerySet[Indicator]:
        if self.action != "list":
            return selectors.search_indicators(acting_user(self.request))
        return selectors.search_indicators(
            acting_user(self.request), self.query.get("programme"), self.query.get("node")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = acting_user(request)
        incoming = IndicatorInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        framework = services.writable_framework(user, incoming.validated_data.get("programme"))
        created = services.create_indicator(user, framework, incoming.to_input())
        return Response(IndicatorSerializer(created).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        current = self.get_object()
        user = acting_user(request)
        permissions.require_manage(user, current.framework.programme)
        incoming = IndicatorInputSerializer(data=request.data, partial=kwargs.get("partial", False))
        incoming.is_valid(raise_exception=True)
        saved = services.edit_indicator(
            user,
            current,
            incoming.to_input(services.IndicatorInput.of(current)),
            expected_version=versioning.expected_version(request, current),
        )
        return Response(IndicatorSerializer(saved).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        current = self.get_object()
        user = acting_user(request)
        permissions.require_manage(user, current.framework.programme)
        services.delete_indicator(user, current, expected_version=versioning.expected_version(request, current))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="Reporting periods of the programmes you follow", tags=["reporting-periods"]),
    retrieve=versioning.read_schema(summary="One reporting period", tags=["reporting-periods"]),
    create=extend_schema(
        summary="Add a reporting period",
        description="Periods of the same kind of one programme do not overlap (`starts_on` `overlap`).",
        request=PeriodInputSerializer,
        responses={201: PeriodSerializer},
        tags=["reporting-periods"],
    ),
)
class ReportingPeriodViewSet(
    QueryParametersMixin,
    versioning.ETagMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PeriodSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    read_capabilities, write_capabilities = READ, WRITE
    pagination_class = StandardPagination
    queryset = ReportingPeriod.objects.none()
    query_parameters = {"list": PeriodFilters}

    def get_queryset(self) -> QuerySet[ReportingPeriod]:
        if self.action != "list":
            return selectors.search_periods(acting_user(self.request))
        return selectors.search_periods(
            acting_user(self.request), self.query.get("programme"), self.query.get("status") or ""
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = acting_user(request)
        incoming = PeriodInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        programme = services.writable_programme(user, incoming.validated_data["programme"])
        created = services.create_period(user, programme, incoming.to_input())
        return Response(PeriodSerializer(created).data, status=status.HTTP_201_CREATED)

    @versioning.write_schema(
        optional=True,
        summary="Submit the period: freeze every indicator's values",
        description="Once: a submitted period answers 400 `period_submitted`.",
        request=None,
        responses=SubmittedSerializer,
        tags=["reporting-periods"],
    )
    @action(detail=True, methods=["post"], pagination_class=None)
    def submit(self, request: Request, pk: Any = None) -> Response:
        period = self.get_object()
        user = acting_user(request)
        permissions.require_manage(user, period.programme)
        expected = versioning.expected_version(request, period, required=False)
        created = services.submit_period(user, period, expected_version=expected)
        period.refresh_from_db()
        return Response(SubmittedSerializer({"period": period, "snapshots": len(created)}).data)

    @extend_schema(
        summary="What changed since the period was submitted, and why",
        responses=IndicatorChangeSerializer(many=True),
        tags=["reporting-periods"],
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def recompute(self, request: Request, pk: Any = None) -> Response:
        period = self.get_object()
        user = acting_user(request)
        programme = period.programme
        exact = permissions.sees_small_counts(user, [programme])
        k = permissions.threshold([programme])
        framework = selectors.framework_of(programme)
        indicators = selectors.indicators_of(framework) if framework else []

        def shown(cell: Any, measure: str) -> Any:
            return snapshots.for_reader(cell, measure, k=k, exact=exact)

        data = [
            {
                "indicator": change.indicator.pk,
                "code": change.indicator.code,
                "reason": change.reason,
                "before": shown(change.before, change.indicator.measure),
                "after": shown(change.after, change.indicator.measure),
                "cells": [
                    {
                        "dimension": cell.dimension,
                        "bucket": cell.bucket,
                        "before": shown(cell.before, change.indicator.measure),
                        "after": shown(cell.after, change.indicator.measure),
                    }
                    for cell in change.cells
                ],
            }
            for change in snapshots.differences(period, indicators)
        ]
        return Response(IndicatorChangeSerializer(data, many=True).data)
