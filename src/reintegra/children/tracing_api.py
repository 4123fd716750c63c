"""`/api/v1/cases/{id}/tracing-requests/`, `…/tracing-requests/{request_id}/matches/`, `…/tracing-actions/`,
`…/family-members-found/`, `…/reunification-assessment/` and `…/reunification-follow-ups/{follow_up_id}/`.

Each endpoint asks for the protection capability before any lookup (403), then for the case (404 when
hidden, 403 when seen but not the user's organisation's to change), parses with a serializer, and lets
`tracing_services` decide. Every read is recorded in the access trail.
"""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.access.roles import Capability
from reintegra.api import versioning
from reintegra.api.permissions import acting_user
from reintegra.cases.models import Case
from reintegra.children import tracing_selectors as selectors
from reintegra.children import tracing_services as services
from reintegra.children.api import TAGS, ChildCaseView
from reintegra.children.tracing_models import (
    FamilyMemberFound,
    ReunificationAssessment,
    ReunificationFollowUp,
    TracingAction,
    TracingRequest,
)
from reintegra.children.tracing_serializers import (
    CloseRequestSerializer,
    FamilyMemberFoundSerializer,
    FamilyMemberWriteSerializer,
    FollowUpSerializer,
    FollowUpWriteSerializer,
    MatchSerializer,
    ReunificationAssessmentSerializer,
    ReunificationWriteSerializer,
    TracingActionSerializer,
    TracingActionWriteSerializer,
    TracingRequestSerializer,
    TracingRequestWriteSerializer,
)

FIELD_ERRORS = OpenApiResponse(description="Field errors, each with its code (e.g. not_suitable, in_future)")


class _TracingView(ChildCaseView):
    # Recording tracing needs the protection capability, not the case-editing one (tracing can be an
    # authority's officer's work): both are checked before the case is looked up.
    write_capabilities = (Capability.SEE_PROTECTION,)

    def _read(self, request: Request, pk: int, what: str = selectors.PURPOSE) -> Case:
        case = self._case(request, pk)
        selectors.record_read(acting_user(request), case, channel="api", what=what)
        return case


class TracingRequestsView(_TracingView):
    """The people sought for the child."""

    queryset = TracingRequest.objects.none()
    serializer_class = TracingRequestSerializer

    @extend_schema(
        summary="Tracing requests of a child's case", responses=TracingRequestSerializer(many=True), tags=TAGS
    )
    def get(self, request: Request, pk: int) -> Response:
        case = self._read(request, pk)
        return Response(TracingRequestSerializer(selectors.requests_of(case), many=True).data)

    @extend_schema(
        summary="Open a tracing request (a person sought for the child)",
        request=TracingRequestWriteSerializer,
        responses={201: TracingRequestSerializer, 400: FIELD_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        case = self._case(request, pk, for_write=True)
        data = TracingRequestWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.open_tracing_request(acting_user(request), case, data.to_input())
        return Response(TracingRequestSerializer(created).data, status=status.HTTP_201_CREATED)


class TracingMatchesView(_TracingView):
    """Registered people who may be the person sought (only those the user may see), explained field by field."""

    queryset = TracingRequest.objects.none()
    serializer_class = MatchSerializer

    @extend_schema(
        summary="Registered returnees and household members who may be the person sought",
        responses=MatchSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request, pk: int, request_pk: int) -> Response:
        case = self._case(request, pk)
        try:
            tracing_request = selectors.request_of_case(case, request_pk)
        except TracingRequest.DoesNotExist:
            raise Http404 from None
        matches = selectors.matches_for(
            acting_user(request), tracing_request, today=timezone.localdate(), channel="api"
        )
        return Response(MatchSerializer(matches, many=True).data)


class TracingRequestCloseView(_TracingView):
    """Stop looking for a person without having found them."""

    queryset = TracingRequest.objects.none()
    serializer_class = TracingRequestSerializer

    @extend_schema(
        summary="Close an open tracing request without having found the person",
        request=CloseRequestSerializer,
        responses={200: TracingRequestSerializer, 400: FIELD_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int, request_pk: int) -> Response:
        case = self._case(request, pk, for_write=True)
        try:
            tracing_request = selectors.request_of_case(case, request_pk)
        except TracingRequest.DoesNotExist:
            raise Http404 from None
        data = CloseRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        closed = services.close_tracing_request(
            acting_user(request), case, request_id=tracing_request.pk, closed_on=data.validated_data.get("closed_on")
        )
        return Response(TracingRequestSerializer(selectors.request_of_case(case, closed.pk)).data)


class TracingActionsView(_TracingView):
    """Steps taken to find the family: method, who, when, result."""

    queryset = TracingAction.objects.none()
    serializer_class = TracingActionSerializer

    @extend_schema(
        summary="Tracing actions of a child's case, latest first",
        responses=TracingActionSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        case = self._read(request, pk)
        return Response(TracingActionSerializer(selectors.actions_of(case), many=True).data)

    @extend_schema(
        summary="Record a tracing action on an open tracing request of the case",
        request=TracingActionWriteSerializer,
        responses={201: TracingActionSerializer, 400: FIELD_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        case = self._case(request, pk, for_write=True)
        data = TracingActionWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        action = services.record_tracing_action(acting_user(request), case, data.to_input())
        return Response(TracingActionSerializer(action).data, status=status.HTTP_201_CREATED)


class FamilyMembersFoundView(_TracingView):
    """Relatives found; recording one closes its tracing request as found."""

    queryset = FamilyMemberFound.objects.none()
    serializer_class = FamilyMemberFoundSerializer

    @extend_schema(
        summary="Family members found for the child", responses=FamilyMemberFoundSerializer(many=True), tags=TAGS
    )
    def get(self, request: Request, pk: int) -> Response:
        case = self._read(request, pk)
        return Response(FamilyMemberFoundSerializer(selectors.found_of(case), many=True).data)

    @extend_schema(
        summary="Record a family member found (closes the tracing request as found)",
        request=FamilyMemberWriteSerializer,
        responses={201: FamilyMemberFoundSerializer, 400: FIELD_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        case = self._case(request, pk, for_write=True)
        data = FamilyMemberWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        found = services.record_family_member_found(acting_user(request), case, data.to_input())
        return Response(FamilyMemberFoundSerializer(found).data, status=status.HTTP_201_CREATED)


class ReunificationAssessmentView(_TracingView):
    """The reunification suitability assessment of the case, its recommendation and reunification date."""

    queryset = ReunificationAssessment.objects.none()
    serializer_class = ReunificationAssessmentSerializer

    def _present(self, case: Case, assessment: ReunificationAssessment, code: int = 200) -> Response:
        context = {"follow_ups": selectors.follow_ups_of(case)}
        response = Response(ReunificationAssessmentSerializer(assessment, context=context).data, status=code)
        response["ETag"] = versioning.etag(assessment.revision)
        return response

    @versioning.read_schema(
        summary="The reunification assessment (404 while there is none), with the follow-up visits planned",
        responses=ReunificationAssessmentSerializer,
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        case = self._read(request, pk, what="reunification assessment")
        assessment = selectors.assessment_of(case)
        if assessment is None:
            raise Http404
        return self._present(case, assessment)

    @versioning.write_schema(
        create=True,
        summary="Create or revise the reunification assessment; a reunification date plans the follow-up visits",
        request=ReunificationWriteSerializer,
        responses={200: ReunificationAssessmentSerializer, 201: ReunificationAssessmentSerializer, 400: FIELD_ERRORS},
        tags=TAGS,
    )
    def put(self, request: Request, pk: int) -> Response:
        case = self._case(request, pk, for_write=True)
        existing = selectors.assessment_of(case)
        data = ReunificationWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        current = services.ReunificationInput.of(existing) if existing is not None else None
        saved = services.save_reunification_assessment(
            acting_user(request),
            case,
            data.to_input(current),
            expected_version=versioning.expected_version(request, existing),
        )
        return self._present(case, saved, status.HTTP_200_OK if existing else status.HTTP_201_CREATED)


class ReunificationFollowUpView(_TracingView):
    """One planned post-reunification visit: record that it took place."""

    queryset = ReunificationFollowUp.objects.none()
    serializer_class = FollowUpSerializer

    @extend_schema(
        summary="Record a planned post-reunification follow-up visit",
        request=FollowUpWriteSerializer,
        responses={200: FollowUpSerializer, 400: FIELD_ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int, follow_up_pk: int) -> Response:
        case = self._case(request, pk, for_write=True)
        try:
            visit = selectors.follow_up_of_case(case, follow_up_pk)
        except ReunificationFollowUp.DoesNotExist:
            raise Http404 from None
        data = FollowUpWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = services.record_reunification_follow_up(acting_user(request), case, visit.pk, data.to_input())
        return Response(FollowUpSerializer(done).data)
