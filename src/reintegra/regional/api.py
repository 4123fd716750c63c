"""`/api/v1/regional-actions/`: the regional catalogue and its level × dimension matrix."""

from typing import Any

from django.db.models import QuerySet
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
from reintegra.regional import selectors, services
from reintegra.regional.models import RegionalAction
from reintegra.regional.serializers import (
    ActionFilterSerializer,
    MatrixQuerySerializer,
    MatrixSerializer,
    RegionalActionInputSerializer,
    RegionalActionSerializer,
)


@extend_schema_view(
    list=extend_schema(summary="Actions of the regional catalogue", tags=["regional-actions"]),
    retrieve=versioning.read_schema(summary="One action", tags=["regional-actions"]),
    create=extend_schema(
        summary="Add an action",
        request=RegionalActionInputSerializer,
        responses={201: RegionalActionSerializer},
        tags=["regional-actions"],
    ),
    update=versioning.write_schema(
        summary="Change an action",
        request=RegionalActionInputSerializer,
        responses=RegionalActionSerializer,
        tags=["regional-actions"],
    ),
    partial_update=versioning.write_schema(
        summary="Change some fields of an action",
        request=RegionalActionInputSerializer,
        responses=RegionalActionSerializer,
        tags=["regional-actions"],
    ),
)
class RegionalActionViewSet(
    QueryParametersMixin,
    versioning.ETagMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = RegionalActionSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    read_capabilities = (Capability.VIEW_STRUCTURAL,)
    write_capabilities = (Capability.EDIT_STRUCTURAL,)
    pagination_class = StandardPagination
    queryset = RegionalAction.objects.none()
    query_parameters = {"list": ActionFilterSerializer, "matrix": MatrixQuerySerializer}

    def get_queryset(self) -> QuerySet[RegionalAction]:
        if self.action != "list":
            return selectors.search_actions(acting_user(self.request))
        filters = self.query_serializer
        assert isinstance(filters, ActionFilterSerializer)
        return selectors.search_actions(acting_user(self.request), filters.filters())

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = RegionalActionInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        created = services.create_action(acting_user(request), incoming.to_input())
        return Response(RegionalActionSerializer(created).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        current = self.get_object()
        partial = kwargs.get("partial", False)
        incoming = RegionalActionInputSerializer(data=request.data, partial=partial)
        incoming.is_valid(raise_exception=True)
        saved = services.update_action(
            acting_user(request),
            current,
            incoming.to_input(services.ActionInput.from_action(current)),
            expected_version=versioning.expected_version(request, current),
        )
        return Response(RegionalActionSerializer(saved).data)

    @extend_schema(
        summary="Level × dimension matrix",
        description="Counts of actions in each of the nine cells (zeros included), for one country or all.",
        responses=MatrixSerializer,
        tags=["regional-actions"],
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def matrix(self, request: Request) -> Response:
        country = self.query.get("country") or None
        cells, scan = selectors.matrix_for(acting_user(request), country)
        contributed = selectors.contributed_actions(
            acting_user(request), selectors.ActionFilters(country=country), per_cell=True
        )
        data = {
            "country": country,
            "cells": [
                {
                    "level": c.level,
                    "dimension": c.dimension,
                    "count": c.count,
                    "likely_duplicates": c.likely_duplicates,
                    "contributed": [a for a in contributed if (a.level, a.dimension) == (c.level, c.dimension)],
                }
                for c in cells
            ],
            "duplicates_checked": scan.checked,
        }
        return Response(MatrixSerializer(data).data)
