"""`/api/v1/evaluations/`, `/api/v1/recommendations/{id}/` and `/api/v1/lessons/`: evaluations with their
OECD-DAC ratings, recommendations with the management response, lessons learned and their search."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.access.roles import Capability
from reintegra.api import versioning
from reintegra.api.pagination import StandardPagination
from reintegra.api.permissions import CapabilityPermission, acting_user
from reintegra.api.query import QueryParametersMixin
from reintegra.monitoring import evaluation_selectors as selectors
from reintegra.monitoring import evaluation_services as services
from reintegra.monitoring.evaluation_serializers import (
    EvaluationFilterSerializer,
    EvaluationInputSerializer,
    EvaluationSerializer,
    LessonFilterSerializer,
    LessonInputSerializer,
    LessonSerializer,
    RecommendationInputSerializer,
    RecommendationSerializer,
)
from reintegra.monitoring.models import Evaluation, Lesson, Recommendation

READ = (Capability.VIEW_AGGREGATES, Capability.MANAGE_MONITORING)
WRITE = (Capability.MANAGE_MONITORING,)


class _Base(QueryParametersMixin, versioning.ETagMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    permission_classes = [IsAuthenticated, CapabilityPermission]
    read_capabilities, write_capabilities = READ, WRITE

    def _access(self, user: Any, pk: Any, *, for_write: bool) -> Any:
        raise NotImplementedError

    def get_object(self) -> Any:
        """The record (404 when hidden); for a write, 403 unless the user may change it."""
        writing = self.request.method not in SAFE_METHODS
        try:
            return self._access(acting_user(self.request), self.kwargs["pk"], for_write=writing)
        except ObjectDoesNotExist:
            raise Http404 from None


@extend_schema_view(
    list=extend_schema(summary="Evaluations of the programmes you read", tags=["evaluations"]),
    retrieve=versioning.read_schema(summary="One evaluation", tags=["evaluations"]),
    create=extend_schema(
        summary="Record an evaluation",
        description="JSON, or multipart with the report (PDF, DOCX or ODT, 20 MB at most).",
        request=EvaluationInputSerializer,
        responses={201: EvaluationSerializer},
        tags=["evaluations"],
    ),
    update=versioning.write_schema(
        summary="Change an evaluation",
        request=EvaluationInputSerializer,
        responses=EvaluationSerializer,
        tags=["evaluations"],
    ),
    partial_update=versioning.write_schema(
        summary="Change some fields of an evaluation",
        request=EvaluationInputSerializer,
        responses=EvaluationSerializer,
        tags=["evaluations"],
    ),
)
class EvaluationViewSet(
    _Base, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin
):
    serializer_class = EvaluationSerializer
    pagination_class = StandardPagination
    queryset = Evaluation.objects.none()
    query_parameters = {"list": EvaluationFilterSerializer}

    def _access(self, user: Any, pk: Any, *, for_write: bool) -> Evaluation:
        return selectors.access_evaluation_by_id(user, pk, for_write=for_write)

    def get_queryset(self) -> QuerySet[Evaluation]:
        programme = self.query.get("programme") if self.action == "list" else None
        return selectors.search_evaluations(acting_user(self.request), programme)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = EvaluationInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        created = services.create_evaluation(acting_user(request), incoming.programme_id(), incoming.to_input())
        return Response(EvaluationSerializer(created).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        current = self.get_object()
        incoming = EvaluationInputSerializer(data=request.data, partial=kwargs.get("partial", False))
        incoming.is_valid(raise_exception=True)
        saved = services.update_evaluation(
            acting_user(request),
            current,
            incoming.to_input(services.EvaluationInput.of(current)),
            expected_version=versioning.expected_version(request, current),
        )
        return Response(EvaluationSerializer(saved).data)

    @extend_schema(
        methods=["GET"],
        summary="Recommendations of an evaluation, with the management response",
        responses=RecommendationSerializer(many=True),
        tags=["evaluations"],
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a recommendation (and its management response)",
        request=RecommendationInputSerializer,
        responses={201: RecommendationSerializer},
        tags=["evaluations"],
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def recommendations(self, request: Request, pk: str) -> Response:
        user = acting_user(request)
        evaluation = self.get_object()
        if request.method == "GET":
            rows = selectors.recommendations_of(evaluation)
            return Response(RecommendationSerializer(rows, many=True).data)
        incoming = RecommendationInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        created = services.add_recommendation(user, evaluation, incoming.to_input())
        return Response(RecommendationSerializer(created).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=versioning.read_schema(summary="One recommendation and its management response", tags=["evaluations"]),
    update=versioning.write_schema(
        summary="Change a recommendation or its management response",
        request=RecommendationInputSerializer,
        responses=RecommendationSerializer,
        tags=["evaluations"],
    ),
    partial_update=versioning.write_schema(
        summary="Change some fields of a recommendation or its management response",
        request=RecommendationInputSerializer,
        responses=RecommendationSerializer,
        tags=["evaluations"],
    ),
)
class RecommendationViewSet(_Base, mixins.RetrieveModelMixin, mixins.UpdateModelMixin):
    serializer_class = RecommendationSerializer
    queryset = Recommendation.objects.none()

    def _access(self, user: Any, pk: Any, *, for_write: bool) -> Recommendation:
        return selectors.access_recommendation_by_id(user, pk, for_write=for_write)

    def get_queryset(self) -> QuerySet[Recommendation]:
        return selectors.recommendations_for(acting_user(self.request))

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        current = self.get_object()
        incoming = RecommendationInputSerializer(data=request.data, partial=kwargs.get("partial", False))
        incoming.is_valid(raise_exception=True)
        saved = services.update_recommendation(
            acting_user(request),
            current,
            incoming.to_input(services.RecommendationInput.of(current)),
            expected_version=versioning.expected_version(request, current),
        )
        return Response(RecommendationSerializer(saved).data)


@extend_schema_view(
    list=extend_schema(
        summary="Lessons learned of the programmes you read",
        description="`search`: PostgreSQL full-text search (Spanish), an equivalent word search elsewhere.",
        tags=["lessons"],
    ),
    retrieve=versioning.read_schema(summary="One lesson", tags=["lessons"]),
    create=extend_schema(
        summary="Record a lesson", request=LessonInputSerializer, responses={201: LessonSerializer}, tags=["lessons"]
    ),
    update=versioning.write_schema(
        summary="Change a lesson", request=LessonInputSerializer, responses=LessonSerializer, tags=["lessons"]
    ),
    partial_update=versioning.write_schema(
        summary="Change some fields of a lesson",
        request=LessonInputSerializer,
        responses=LessonSerializer,
        tags=["lessons"],
    ),
)
class LessonViewSet(
    _Base, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin
):
    serializer_class = LessonSerializer
    pagination_class = StandardPagination
    queryset = Lesson.objects.none()
    query_parameters = {"list": LessonFilterSerializer}

    def _access(self, user: Any, pk: Any, *, for_write: bool) -> Lesson:
        return selectors.access_lesson_by_id(user, pk, for_write=for_write)

    def get_queryset(self) -> QuerySet[Lesson]:
        if self.action != "list":
            return selectors.lessons_for(acting_user(self.request))
        filters = self.query_serializer
        assert isinstance(filters, LessonFilterSerializer)
        return selectors.search_lessons(acting_user(self.request), filters.filters())

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = LessonInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        created = services.create_lesson(acting_user(request), incoming.programme_id(), incoming.to_input())
        return Response(LessonSerializer(created).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        current = self.get_object()
        incoming = LessonInputSerializer(data=request.data, partial=kwargs.get("partial", False))
        incoming.is_valid(raise_exception=True)
        saved = services.update_lesson(
            acting_user(request),
            current,
            incoming.to_input(services.LessonInput.of(current)),
            expected_version=versioning.expected_version(request, current),
        )
        return Response(LessonSerializer(saved).data)
