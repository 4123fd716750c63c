"""`/api/v1/public/…` (no login, no session read: `authentication_classes = []`) and the staff's
`/api/v1/feedback/…`.

Public: `services/?municipality=` (an id or a name, typos allowed), `guides/`, `challenge/` (the question a
submission must answer), `POST feedback/` and `POST information-requests/` (anonymous allowed; answer a
tracking code), `feedback/{tracking_code}/` (status and public response only). Staff: feedback of the
user's organisation (sensitive items only for the focal point: 404 for anyone else), recorded and handled
through `public.services`."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reintegra.access import audit
from reintegra.access.roles import Capability
from reintegra.access.throttle import client_ip
from reintegra.api.pagination import StandardPagination
from reintegra.api.permissions import ProtectedView, acting_user
from reintegra.api.query import QueryParametersMixin
from reintegra.cases import permissions as case_permissions
from reintegra.cases.models import Case
from reintegra.places.models import AdminArea
from reintegra.public import permissions, selectors, services, spam
from reintegra.public import serializers as s
from reintegra.public.models import Feedback, SatisfactionSurvey
from reintegra.public.pages import cacheable

PUBLIC_TAGS = ["public"]
TAGS = ["feedback"]
ERRORS = OpenApiResponse(description="Field errors with codes (also `challenge`, `honeypot`, `rate_limited`)")


class PublicView(QueryParametersMixin, APIView):
    """Login-free: no authentication runs, so nothing here can read a user or a session."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]


def _municipality(value: str) -> AdminArea:
    value = value.strip()
    try:
        if value.isdigit():
            return selectors.get_municipality(int(value))
        found = selectors.search_municipalities(value, limit=1)
    except AdminArea.DoesNotExist:
        raise Http404 from None
    if not found:
        raise Http404
    return found[0]


class PublicServicesView(PublicView):
    """The services a programme marks public, with their public contact point, covering a municipality."""

    query_parameters = {"get": s.ServicesQuery}

    @extend_schema(
        operation_id="public_services",
        summary="Public services of a municipality",
        parameters=[s.ServicesQuery],
        responses={200: s.PublicServicesSerializer, 404: OpenApiResponse(description="no such municipality")},
        tags=PUBLIC_TAGS,
        auth=[],
    )
    def get(self, request: Request) -> Any:
        assert self.query_serializer is not None
        area = _municipality(self.query_serializer.validated_data["municipality"])
        services_ = list(selectors.public_services(area))
        body = s.PublicServicesSerializer({"municipality": area, "services": services_}).data
        return cacheable(_rendered(request, self, body), request)


def _rendered(request: Request, view: APIView, body: Any) -> Response:
    """The response rendered now, so that its ETag can be computed from the body."""
    response = Response(body)
    response.accepted_renderer = request.accepted_renderer
    response.accepted_media_type = request.accepted_media_type
    response.renderer_context = view.get_renderer_context()  # type: ignore[attr-defined]
    response.render()
    return response


class PublicGuidesView(PublicView):
    """Published practical guides (filter by municipality, country, language, topic)."""

    query_parameters = {"get": s.GuidesQuery}

    @extend_schema(
        operation_id="public_guides",
        summary="Published practical guides",
        parameters=[s.GuidesQuery],
        responses={
            200: s.PublicGuideSerializer(many=True),
            404: OpenApiResponse(description="no such municipality"),
        },
        tags=PUBLIC_TAGS,
        auth=[],
    )
    def get(self, request: Request) -> Any:
        assert self.query_serializer is not None
        q = self.query_serializer.validated_data
        area = None
        if "municipality" in q:
            try:
                area = selectors.get_municipality(q["municipality"])
            except AdminArea.DoesNotExist:
                raise Http404 from None
        guides = selectors.public_guides(
            area=area, country=q.get("country", "").upper() or None, language=q.get("language")
        )
        if q.get("topic"):
            guides = selectors.with_topic(guides, q["topic"])
        body = s.PublicGuideSerializer(guides, many=True).data
        return cacheable(_rendered(request, self, body), request)


class ChallengeView(PublicView):
    """A fresh question to answer in a submission (`challenge_token`, `challenge_answer`); valid one hour."""

    @extend_schema(
        operation_id="public_challenge",
        summary="A challenge for a submission",
        responses={200: s.ChallengeSerializer},
        tags=PUBLIC_TAGS,
        auth=[],
    )
    def get(self, request: Request) -> Response:
        challenge = spam.new_challenge()
        return Response(
            {"question": challenge.question, "token": challenge.token}, headers={"Cache-Control": "no-store"}
        )


class PublicFeedbackView(PublicView):
    """Feedback or a complaint, anonymous unless `contact` is given; answers its tracking code."""

    @extend_schema(
        operation_id="public_feedback_create",
        summary="Give feedback",
        request=s.PublicFeedbackInputSerializer,
        responses={201: s.ReceiptSerializer, 400: ERRORS},
        tags=PUBLIC_TAGS,
        auth=[],
    )
    def post(self, request: Request) -> Response:
        incoming = s.PublicFeedbackInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        item = services.submit_feedback(incoming.submission(client_ip(request)), incoming.to_input())
        return Response({"tracking_code": item.tracking_code, "status": item.status}, status=status.HTTP_201_CREATED)


class PublicFeedbackStatusView(PublicView):
    """Status and public response of the item with this tracking code (nothing else)."""

    @extend_schema(
        operation_id="public_feedback_status",
        summary="Follow feedback by its tracking code",
        responses={200: s.TrackingSerializer, 404: OpenApiResponse(description="unknown code")},
        tags=PUBLIC_TAGS,
        auth=[],
    )
    def get(self, request: Request, tracking_code: str) -> Response:
        try:
            found = selectors.feedback_status(tracking_code)
        except Feedback.DoesNotExist:
            raise Http404 from None
        return Response(s.TrackingSerializer(found).data, headers={"Cache-Control": "no-store"})


class PublicInformationRequestView(PublicView):
    """A question about a municipality or a need, from abroad; answers its tracking code."""

    @extend_schema(
        operation_id="public_information_request_create",
        summary="Ask a question",
        request=s.InformationRequestInputSerializer,
        responses={201: s.ReceiptSerializer, 400: ERRORS},
        tags=PUBLIC_TAGS,
        auth=[],
    )
    def post(self, request: Request) -> Response:
        incoming = s.InformationRequestInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        made = services.submit_information_request(incoming.submission(client_ip(request)), incoming.to_input())
        return Response({"tracking_code": made.tracking_code, "status": made.status}, status=status.HTTP_201_CREATED)


# --- staff -------------------------------------------------------------------------------------------------


def _feedback(request: Request, pk: int) -> Feedback:
    try:
        return permissions.access_feedback_by_id(acting_user(request), pk)
    except Feedback.DoesNotExist:
        raise Http404 from None


class FeedbackListView(ProtectedView):
    """Your organisation's feedback (sensitive items only for the feedback focal point); POST records one."""

    read_capabilities = permissions.FEEDBACK
    write_capabilities = (Capability.HANDLE_FEEDBACK,)
    queryset = Feedback.objects.none()
    serializer_class = s.FeedbackSerializer
    pagination_class = StandardPagination
    query_parameters = {"get": s.FeedbackFilterSerializer}

    @extend_schema(
        operation_id="feedback_list",
        summary="List feedback",
        parameters=[s.FeedbackFilterSerializer],
        responses=s.FeedbackSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        assert self.query_serializer is not None
        q = self.query_serializer.validated_data
        filters = selectors.FeedbackFilters(
            kind=q.get("kind", ""), status=q.get("status", ""), programme=q.get("programme")
        )
        page = self.paginate_queryset(selectors.search_feedback(acting_user(request), filters))
        return self.get_paginated_response(s.FeedbackSerializer(page, many=True).data)

    @extend_schema(
        operation_id="feedback_create",
        summary="Record feedback heard in person or by phone",
        request=s.FeedbackInputSerializer,
        responses={201: s.FeedbackSerializer, 400: ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        incoming = s.FeedbackInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        item = services.record_feedback(acting_user(request), incoming.to_input())
        return Response(s.FeedbackSerializer(item).data, status=status.HTTP_201_CREATED)


class FeedbackItemView(ProtectedView):
    read_capabilities = permissions.FEEDBACK
    queryset = Feedback.objects.none()
    serializer_class = s.FeedbackSerializer

    @extend_schema(
        operation_id="feedback_retrieve", summary="A feedback item", responses=s.FeedbackSerializer, tags=TAGS
    )
    def get(self, request: Request, pk: int) -> Response:
        item = _feedback(request, pk)
        services.record_read(acting_user(request), item, channel="api")
        return Response(s.FeedbackSerializer(item).data)


class _StepView(ProtectedView):
    read_capabilities = permissions.FEEDBACK
    write_capabilities = permissions.FEEDBACK
    queryset = Feedback.objects.none()

    def step(self, request: Request, pk: int, serializer: Any, call: Any) -> Response:
        item = _feedback(request, pk)
        incoming = serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        item = call(acting_user(request), item, **incoming.validated_data)
        return Response(s.FeedbackSerializer(item).data)


class AcknowledgeView(_StepView):
    serializer_class = s.NoteSerializer

    @extend_schema(
        operation_id="feedback_acknowledge",
        summary="Acknowledge",
        request=s.NoteSerializer,
        responses={200: s.FeedbackSerializer, 400: ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        return self.step(request, pk, s.NoteSerializer, services.acknowledge_feedback)


class NoteView(_StepView):
    serializer_class = s.NoteSerializer

    @extend_schema(
        operation_id="feedback_note",
        summary="Add a note to the handling history",
        request=s.NoteSerializer,
        responses={200: s.FeedbackSerializer, 400: ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        return self.step(request, pk, s.NoteSerializer, services.add_note)


class RespondView(_StepView):
    serializer_class = s.ResponseSerializer

    @extend_schema(
        operation_id="feedback_respond",
        summary="Respond",
        request=s.ResponseSerializer,
        responses={200: s.FeedbackSerializer, 400: ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        return self.step(request, pk, s.ResponseSerializer, services.respond_feedback)


class CloseLoopView(_StepView):
    serializer_class = s.CloseLoopSerializer

    @extend_schema(
        operation_id="feedback_close_loop",
        summary="Record that the response was communicated",
        request=s.CloseLoopSerializer,
        responses={200: s.FeedbackSerializer, 400: ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        return self.step(request, pk, s.CloseLoopSerializer, services.close_loop)


class ProviderView(_StepView):
    serializer_class = s.ProviderSerializer

    @extend_schema(
        operation_id="feedback_provider",
        summary="Name, change or remove the service provider the item is about",
        request=s.ProviderSerializer,
        responses={200: s.FeedbackSerializer, 400: ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        return self.step(request, pk, s.ProviderSerializer, services.set_provider)


class CaseSatisfactionView(ProtectedView):
    """The satisfaction surveys of a case: list, or record one (the case manager, on a case they may change)."""

    queryset = SatisfactionSurvey.objects.none()
    serializer_class = s.SatisfactionSurveySerializer
    read_capabilities = (Capability.VIEW_ASSIGNED_CASES, Capability.VIEW_ORGANISATION_CASES)
    write_capabilities = (Capability.EDIT_CASES,)

    def _case(self, request: Request, pk: int, *, for_write: bool = False) -> Case:
        try:
            return case_permissions.access_case_by_id(acting_user(request), pk, for_write=for_write)
        except Case.DoesNotExist:
            raise Http404 from None

    @extend_schema(
        operation_id="case_satisfaction_surveys_list",
        summary="The satisfaction surveys of a case",
        responses=s.SatisfactionSurveySerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        case = self._case(request, pk)
        audit.record_access(acting_user(request), "view", case, purpose="satisfaction surveys", channel="api")
        return Response(s.SatisfactionSurveySerializer(selectors.satisfaction_of_case(case), many=True).data)

    @extend_schema(
        operation_id="case_satisfaction_surveys_create",
        summary="Record a satisfaction survey of a case (answers yes / partly / no)",
        request=s.SatisfactionInputSerializer,
        responses={201: s.SatisfactionSurveySerializer, 400: ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        case = self._case(request, pk, for_write=True)
        incoming = s.SatisfactionInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        survey = services.record_satisfaction_survey(acting_user(request), case, incoming.to_input())
        return Response(s.SatisfactionSurveySerializer(survey).data, status=status.HTTP_201_CREATED)
