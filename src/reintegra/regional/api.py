"""`/api/v1/regional-actions/`: the regional catalogue and its level × dimension matrix."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.access.roles import Capability
from reintegra.api import versioning
from reintegra.api.pagination import StandardPagination
from reintegra.api.permissions import CapabilityPermission
from reintegra.regional import selectors, services
from reintegra.regional.forms import ActionFilterForm
from reintegra.regional.models import RegionalAction
from reintegra.regional.serializers import MatrixSerializer, RegionalActionInputSerializer, RegionalActionSerializer

FILTER_PARAMETERS = [
    OpenApiParameter("country", str, description="ISO 3166 code, e.g. GT."),
    OpenApiParameter("level", str, enum=["individual", "community", "structural"]),
    OpenApiParameter("dimension", str, enum=["economic", "social", "psychosocial"]),
    OpenApiParameter("institution", int, description="Institution id."),
    OpenApiParameter("funding_source", str),
    OpenApiParameter("evaluation_status", str),
    OpenApiParameter("q", str, description="Words in the name, description, institution or target population."),
]


@extend_schema_view(
    list=extend_schema(
        summary="Actions of the regional catalogue", parameters=FILTER_PARAMETERS, tags=["regional-actions"]
    ),
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

    def get_queryset(self) -> QuerySet[RegionalAction]:
        qs = selectors.actions_for(self.request.user)
        if self.action == "list":
            form = ActionFilterForm(
                self.request.query_params,
                country_choices=list(countries),
                institutions=selectors.institutions_for(self.request.user),
            )
            if not form.is_valid():
                raise ValidationError({name: [str(e) for e in errors] for name, errors in form.errors.items()})
            qs = selectors.filter_actions(qs, form.filters())
        return qs.order_by("country", "title", "id")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = RegionalActionInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        created = services.create_action(request.user, incoming.to_input())
        return Response(RegionalActionSerializer(created).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        current = self.get_object()
        partial = kwargs.get("partial", False)
        incoming = RegionalActionInputSerializer(data=request.data, partial=partial)
        incoming.is_valid(raise_exception=True)
        saved = services.update_action(
            request.user,
            current,
            incoming.to_input(services.ActionInput.from_action(current)),
            expected_version=versioning.expected_version(request, current),
        )
        return Response(RegionalActionSerializer(saved).data)

    @extend_schema(
        summary="Level × dimension matrix",
        description="Counts of actions in each of the nine cells (zeros included), for one country or all.",
        parameters=[OpenApiParameter("country", OpenApiTypes.STR, description="ISO code; omit for all countries.")],
        responses=MatrixSerializer,
        tags=["regional-actions"],
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def matrix(self, request: Request) -> Response:
        country = (request.query_params.get("country") or "").upper() or None
        if country and country not in dict(countries):
            raise ValidationError({"country": [_("Unknown country code.")]})
        cells, scan = selectors.matrix_for(request.user, country)
        data = {
            "country": country,
            "cells": [
                {"level": c.level, "dimension": c.dimension, "count": c.count, "likely_duplicates": c.likely_duplicates}
                for c in cells
            ],
            "duplicates_checked": scan.checked,
        }
        return Response(MatrixSerializer(data).data)
