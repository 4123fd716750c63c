"""`/api/v1/reception-points/`, `/api/v1/arrivals/` (and `{id}/`, `{id}/intakes/`), `/api/v1/intakes/{id}/assistance/`,
`/api/v1/reception/statistics/`.

Role checks before any lookup (403); another organisation's arrival is 404. Writes go through
`reception.services`: a refused input answers 400 with field errors and codes, a possible duplicate 409 with
the candidates the user may see (answer with `returnee` or `distinct_from`). An intake's assistance checklist
is versioned like the other editable records (ETag, If-Match)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.access import audit
from reintegra.access.roles import Capability
from reintegra.api import versioning
from reintegra.api.pagination import StandardPagination
from reintegra.api.permissions import ProtectedView, acting_user
from reintegra.cases import duplicates
from reintegra.cases.serializers import DuplicateResultSerializer, ErrorCodeSerializer, PossibleDuplicateSerializer
from reintegra.reception import permissions, selectors, services, statistics
from reintegra.reception import serializers as s
from reintegra.reception.models import Arrival, Intake, ReceptionPoint

TAGS = ["reception"]
C = Capability


class ReceptionPointsView(ProtectedView):
    """The organisation's reception points; POST creates one (programme managers)."""

    read_capabilities = (C.RECORD_RECEPTION, C.MANAGE_PROGRAMME)
    write_capabilities = (C.MANAGE_PROGRAMME,)
    queryset = ReceptionPoint.objects.none()
    serializer_class = s.ReceptionPointSerializer
    pagination_class = StandardPagination

    @extend_schema(
        operation_id="reception_points_list",
        summary="List the reception points of your organisation",
        responses=s.ReceptionPointSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.points_for(acting_user(request)))
        return self.get_paginated_response(s.ReceptionPointSerializer(page, many=True).data)

    @extend_schema(
        summary="Create a reception point",
        request=s.ReceptionPointSerializer,
        responses={201: s.ReceptionPointSerializer, 400: OpenApiResponse(description="Field errors with codes")},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        incoming = s.ReceptionPointSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        point = services.save_point(acting_user(request), incoming.to_input())
        return Response(s.ReceptionPointSerializer(point).data, status=status.HTTP_201_CREATED)


class ArrivalsView(ProtectedView):
    """Arrivals of the organisation, newest first (`point`, `from`, `to` filter); POST records one."""

    read_capabilities = (C.RECORD_RECEPTION,)
    write_capabilities = (C.RECORD_RECEPTION,)
    queryset = Arrival.objects.none()
    serializer_class = s.ArrivalSerializer
    pagination_class = StandardPagination
    query_parameters = {"get": s.ArrivalQuerySerializer}

    @extend_schema(
        operation_id="arrivals_list", summary="List arrivals", responses=s.ArrivalSerializer(many=True), tags=TAGS
    )
    def get(self, request: Request) -> Response:
        q = self.query
        filters = selectors.ArrivalFilters(q.get("point"), q.get("from"), q.get("to"))
        page = self.paginate_queryset(selectors.arrivals_for(acting_user(request), filters))
        return self.get_paginated_response(s.ArrivalSerializer(page, many=True).data)

    @extend_schema(
        summary="Record an arrival",
        request=s.ArrivalSerializer,
        responses={201: s.ArrivalSerializer, 400: OpenApiResponse(description="Field errors with codes")},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        incoming = s.ArrivalSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        arrival = services.create_arrival(acting_user(request), incoming.to_input())
        arrival.intake_count = 0  # type: ignore[attr-defined]  # a new arrival: nobody received yet
        return Response(s.ArrivalSerializer(arrival).data, status=status.HTTP_201_CREATED)


def _arrival(request: Request, pk: Any, *, for_write: bool = False) -> Arrival:
    try:
        return permissions.access_arrival_by_id(acting_user(request), pk, for_write=for_write)
    except Arrival.DoesNotExist:
        raise Http404 from None


class ArrivalView(ProtectedView):
    read_capabilities = (C.RECORD_RECEPTION,)
    queryset = Arrival.objects.none()
    serializer_class = s.ArrivalSerializer

    @extend_schema(operation_id="arrivals_retrieve", summary="An arrival", tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        arrival = _arrival(request, pk)
        arrival.intake_count = selectors.intake_count(arrival)  # type: ignore[attr-defined]
        return Response(s.ArrivalSerializer(arrival).data)


class ArrivalIntakesView(ProtectedView):
    """The people received at an arrival; POST records one (the same service as the desk page)."""

    read_capabilities = (C.RECORD_RECEPTION,)
    write_capabilities = (C.RECORD_RECEPTION,)
    queryset = Intake.objects.none()
    serializer_class = s.IntakeSerializer

    @extend_schema(
        operation_id="arrivals_intakes_list",
        summary="The people received at an arrival",
        responses=s.IntakeSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        arrival = _arrival(request, pk)
        intakes = selectors.intakes_of(acting_user(request), arrival, purpose="reception: arrival (API)")
        return Response(s.IntakeSerializer(intakes, many=True).data)

    @extend_schema(
        summary="Record a person received at the arrival",
        request=s.IntakeWriteSerializer,
        responses={
            201: s.IntakeSerializer,
            400: OpenApiResponse(description="Field errors with codes"),
            409: PossibleDuplicateSerializer,
            429: ErrorCodeSerializer,
        },
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        arrival = _arrival(request, pk, for_write=True)
        incoming = s.IntakeWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            intake = services.record_intake(acting_user(request), arrival, incoming.to_input(), channel="api")
        except duplicates.PossibleDuplicate as exc:
            body = {"detail": str(exc), "code": "possible_duplicate", **DuplicateResultSerializer(exc.result).data}
            return Response(body, status=status.HTTP_409_CONFLICT)
        except duplicates.DuplicateCheckThrottled as exc:
            return Response(
                {"detail": str(exc), "code": "throttled"},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(exc.wait)},
            )
        intake = selectors.intake_for_answer(intake.pk)
        return Response(s.IntakeSerializer(intake).data, status=status.HTTP_201_CREATED)


class IntakeAssistanceView(versioning.ETagMixin, ProtectedView):
    """An intake's assistance checklist, changed after the intake was recorded: the same service as the
    intake's page (`services.set_assistance`: the same refusals, codes and history)."""

    read_capabilities = (C.RECORD_RECEPTION,)
    write_capabilities = (C.RECORD_RECEPTION,)
    queryset = Intake.objects.none()
    serializer_class = s.IntakeAssistanceSerializer

    def _intake(self, request: Request, pk: int) -> Intake:
        try:
            return permissions.access_intake_by_id(acting_user(request), pk)
        except Intake.DoesNotExist:
            raise Http404 from None

    @staticmethod
    def _answer(intake: Intake) -> Response:
        shown = {"pk": intake.pk, "revision": intake.revision, "assistance": selectors.assistance_of(intake)}
        return Response(s.IntakeAssistanceSerializer(shown).data)

    @versioning.read_schema(
        operation_id="intakes_assistance_retrieve",
        summary="The assistance given to a person received (who gave each item)",
        responses=s.IntakeAssistanceSerializer,
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        intake = self._intake(request, pk)
        # What help a person received is about them: the read is in their access trail, as on the page.
        audit.record_access(acting_user(request), "view", intake.returnee, purpose="reception: intake (API)")
        return self._answer(intake)

    @versioning.write_schema(
        operation_id="intakes_assistance_update",
        summary="Change the assistance checklist of a person received (the whole list; who gave each item)",
        request=s.AssistanceWriteSerializer,
        responses={200: s.IntakeAssistanceSerializer, 400: OpenApiResponse(description="Field errors with codes")},
        tags=TAGS,
    )
    def put(self, request: Request, pk: int) -> Response:
        intake = self._intake(request, pk)
        incoming = s.AssistanceWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        services.set_assistance(
            acting_user(request),
            intake,
            list(data["assistance"]),
            dict(data.get("assistance_institutions") or {}),
            expected_version=versioning.expected_version(request, intake),
        )
        return self._answer(intake)


class StatisticsView(ProtectedView):
    """Reception statistics of your organisation (`from`, `to`, `point`, `period`)."""

    read_capabilities = (C.RECORD_RECEPTION, C.VIEW_AGGREGATES, C.MANAGE_MONITORING)
    queryset = Arrival.objects.none()
    serializer_class = s.StatisticsSerializer
    query_parameters = {"get": s.StatisticsQuerySerializer}

    @extend_schema(operation_id="reception_statistics", summary="Reception statistics", tags=TAGS)
    def get(self, request: Request) -> Response:
        q = self.query
        found = statistics.statistics_for(
            acting_user(request),
            date_from=q.get("from"),
            date_to=q.get("to"),
            point_id=q.get("point"),
            period=q.get("period") or "month",
        )
        return Response(found.as_dict())
