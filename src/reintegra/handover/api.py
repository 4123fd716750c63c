"""REST API of hand-overs (`/api/v1/handovers/`, `/api/v1/partners/`). Thin: the role check before any
lookup, scoped selectors (not visible → 404), writes through `handover.services`.

`POST /api/v1/handovers/inbox/` has no user session: the package's signature by a registered partner
authenticates it. It answers 202 with the hand-over's state, or 4xx JSON with a `code`: `unknown_sender`,
`bad_signature`, `replay`, `expired`, `cannot_decrypt`, `malformed`…"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import Http404, HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reintegra.access.audit import record_access
from reintegra.access.roles import Capability
from reintegra.api.parsers import JSONParser
from reintegra.api.permissions import ProtectedView, acting_user
from reintegra.api.query import QueryParametersMixin
from reintegra.api.throttling import AddressRateLimited, requests_wait_message
from reintegra.cases import permissions as case_permissions
from reintegra.cases.models import Case
from reintegra.handover import inputs, keys, selectors, services
from reintegra.handover import permissions as handover_permissions
from reintegra.handover.models import Delivery, HandOver, PartnerInstallation
from reintegra.handover.serializers import (
    AcceptSerializer,
    DeclineSerializer,
    DeliverySerializer,
    HandOverCreateSerializer,
    HandOverDetailSerializer,
    HandOverErrorSerializer,
    HandOverSerializer,
    InstallationSerializer,
    PackageUploadSerializer,
    PartnerCreateSerializer,
    PartnerSerializer,
)

C = Capability
READ = (C.EDIT_CASES, C.VIEW_ORGANISATION_CASES)
TAGS = ["handovers"]


def _not_found() -> Http404:
    return Http404(_("Not found."))


def _handover(request: Request, pk: int, side: str = "") -> HandOver:
    try:
        return handover_permissions.access_handover_by_id(acting_user(request), pk, side=side)
    except HandOver.DoesNotExist:
        raise _not_found() from None


def _detail(user: Any, handover: HandOver, status_code: int = 200) -> Response:
    record_access(user, "view", handover, purpose="hand-over", channel="api")
    return Response(HandOverDetailSerializer(handover).data, status=status_code)


class HandOversView(ProtectedView):
    """GET: the hand-overs you see (sent from your cases, received by your organisation). POST: a draft
    hand-over of a case you may change."""

    queryset = HandOver.objects.none()
    serializer_class = HandOverSerializer
    read_capabilities = READ
    write_capabilities = (C.EDIT_CASES,)

    @extend_schema(operation_id="handovers_list", responses=HandOverSerializer(many=True), tags=TAGS)
    def get(self, request: Request) -> Response:
        rows = selectors.handovers_for(acting_user(request))[:200]
        return Response(HandOverSerializer(rows, many=True).data)

    @extend_schema(
        operation_id="handovers_create",
        request=HandOverCreateSerializer,
        responses={201: HandOverDetailSerializer, 403: HandOverErrorSerializer},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        body = HandOverCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            case = case_permissions.access_case_by_id(user, body.validated_data["case"], for_write=True)
        except Case.DoesNotExist:
            raise _not_found() from None
        handover = services.create_handover(user, case, inputs.handover_input(user, body.validated_data), channel="api")
        return _detail(user, handover, status.HTTP_201_CREATED)


class HandOverView(ProtectedView):
    queryset = HandOver.objects.none()
    serializer_class = HandOverDetailSerializer
    read_capabilities = READ

    @extend_schema(operation_id="handovers_retrieve", responses=HandOverDetailSerializer, tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return _detail(acting_user(request), _handover(request, pk))


class _StepView(ProtectedView):
    queryset = HandOver.objects.none()
    serializer_class = HandOverDetailSerializer
    write_capabilities = (C.EDIT_CASES,)


class SendView(_StepView):
    @extend_schema(
        operation_id="handovers_send",
        request=None,
        responses={200: HandOverDetailSerializer, 403: HandOverErrorSerializer},
        tags=TAGS,
        description=str(_("403 `cross_border_consent_required` without a cross-border consent naming the recipient.")),
    )
    def post(self, request: Request, pk: int) -> Response:
        handover = services.send_handover(acting_user(request), _handover(request, pk, "sender"), channel="api")
        return _detail(acting_user(request), handover)


class RevokeView(_StepView):
    @extend_schema(operation_id="handovers_revoke", request=None, responses=HandOverDetailSerializer, tags=TAGS)
    def post(self, request: Request, pk: int) -> Response:
        handover = services.revoke_handover(acting_user(request), _handover(request, pk, "sender"), channel="api")
        return _detail(acting_user(request), handover)


class AcceptView(_StepView):
    @extend_schema(
        operation_id="handovers_accept", request=AcceptSerializer, responses=HandOverDetailSerializer, tags=TAGS
    )
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        handover = _handover(request, pk, "recipient")
        body = AcceptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = inputs.accept_input(
            user, body.validated_data.get("existing_returnee"), body.validated_data.get("distinct_from")
        )
        return _detail(user, services.accept_handover(user, handover, data, channel="api"))


class DeclineView(_StepView):
    @extend_schema(
        operation_id="handovers_decline", request=DeclineSerializer, responses=HandOverDetailSerializer, tags=TAGS
    )
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        handover = _handover(request, pk, "recipient")
        body = DeclineSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return _detail(user, services.decline_handover(user, handover, body.validated_data["reason"], channel="api"))


class PackageFileView(ProtectedView):
    """The sealed package of a hand-over to a partner, as a `.json.jwe` file to carry when there is no
    connection (only the partner can open it)."""

    queryset = HandOver.objects.none()
    serializer_class = HandOverErrorSerializer
    read_capabilities = (C.EDIT_CASES,)

    @extend_schema(
        operation_id="handovers_package",
        responses={(200, "application/jose"): OpenApiResponse(description="JWE compact serialisation")},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        user = acting_user(request)
        handover = _handover(request, pk)
        delivery = selectors.package_of(user, handover)
        if delivery is None:
            raise _not_found()
        record_access(user, "export", handover, purpose="hand-over package file", channel="api")
        return package_response(handover, delivery)


def package_response(handover: HandOver, delivery: Delivery) -> HttpResponse:
    response = HttpResponse(delivery.token, content_type="application/jose")
    response["Content-Disposition"] = f'attachment; filename="traspaso-{handover.package_id}-{delivery.pk}.json.jwe"'
    return response


class UploadView(ProtectedView):
    """A package carried as a file: the recipient organisation's user uploads it (same checks as the inbox)."""

    queryset = HandOver.objects.none()
    serializer_class = HandOverDetailSerializer
    write_capabilities = (C.EDIT_CASES,)

    @extend_schema(
        operation_id="handovers_upload",
        request=PackageUploadSerializer,
        responses={
            201: HandOverDetailSerializer,
            400: HandOverErrorSerializer,
            403: HandOverErrorSerializer,
            409: HandOverErrorSerializer,
        },
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        body = PackageUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            handover = services.receive_package(body.validated_data["package"].strip(), uploaded_by=user, channel="api")
        except services.PackageRefused as exc:
            return Response({"detail": str(exc), "code": exc.code}, status=exc.status)
        return Response(HandOverDetailSerializer(handover).data, status=status.HTTP_201_CREATED)


class JoseParser(BaseParser):
    media_type = "application/jose"

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        return stream.read().decode("ascii", errors="replace")


class InboxView(AddressRateLimited, QueryParametersMixin, APIView):
    """The receiving endpoint of partner installations: no session, no token; the package's signature by a
    registered partner is the authentication. Body: the JWE (`application/jose`) or `{"package": "…"}`.
    Rate-limited per address (`handover_inbox`), so nobody can make it decrypt and verify without end."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_scope = "handover_inbox"

    def wait_message(self, wait: timedelta) -> str:
        return requests_wait_message(wait)

    parser_classes = [JSONParser, JoseParser]

    @extend_schema(
        operation_id="handovers_inbox",
        request=PackageUploadSerializer,
        description=str(_('The body is the JWE itself (Content-Type: application/jose) or {"package": "…"}.')),
        responses={
            202: OpenApiResponse(description="received"),
            400: HandOverErrorSerializer,
            403: HandOverErrorSerializer,
            409: HandOverErrorSerializer,
            429: HandOverErrorSerializer,
        },
        tags=TAGS,
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = request.data
        if isinstance(data, str):
            token = data
        elif isinstance(data, dict) and isinstance(data.get("package"), str):
            token = data["package"]
        else:
            token = ""
        try:
            handover = services.receive_package(token.strip(), channel="api")
        except services.PackageRefused as exc:
            return Response({"detail": str(exc), "code": exc.code}, status=exc.status)
        return Response(
            {"status": handover.status, "handover_id": str(handover.package_id)}, status=status.HTTP_202_ACCEPTED
        )


class InstallationView(QueryParametersMixin, APIView):
    """This installation's public keys and their fingerprint, to give a partner (read them out of band too)."""

    authentication_classes: list[Any] = []  # public keys: no user needed, a token is not even read
    permission_classes = [AllowAny]

    @extend_schema(operation_id="handovers_installation", responses=InstallationSerializer, tags=TAGS, auth=[])
    def get(self, request: Request) -> Response:
        return Response(InstallationSerializer.present(keys.public_jwks()))


class DeliveriesView(ProtectedView):
    """The outbox's deliveries not yet delivered (waiting or failed), with their attempts."""

    queryset = Delivery.objects.none()
    serializer_class = DeliverySerializer
    read_capabilities = (C.EDIT_CASES,)

    @extend_schema(operation_id="handovers_deliveries", responses=DeliverySerializer(many=True), tags=TAGS)
    def get(self, request: Request) -> Response:
        return Response(DeliverySerializer(selectors.failed_deliveries(acting_user(request))[:200], many=True).data)


class RetryView(ProtectedView):
    queryset = Delivery.objects.none()
    serializer_class = DeliverySerializer
    write_capabilities = (C.EDIT_CASES,)

    @extend_schema(operation_id="handovers_delivery_retry", request=None, responses=DeliverySerializer, tags=TAGS)
    def post(self, request: Request, pk: int) -> Response:
        try:
            delivery = selectors.get_delivery(acting_user(request), pk)
        except Delivery.DoesNotExist:
            raise _not_found() from None
        delivery = services.retry_delivery(acting_user(request), delivery, channel="api")
        delivery.refresh_from_db()
        return Response(DeliverySerializer(delivery).data)


class PartnersView(ProtectedView):
    """GET: your organisation's partner installations, with their public keys and fingerprints. POST:
    register one (programme managers)."""

    queryset = PartnerInstallation.objects.none()
    serializer_class = PartnerSerializer
    read_capabilities = READ
    write_capabilities = (C.MANAGE_PROGRAMME,)

    @extend_schema(operation_id="partners_list", responses=PartnerSerializer(many=True), tags=["partners"])
    def get(self, request: Request) -> Response:
        return Response(PartnerSerializer(selectors.partners_for(acting_user(request)), many=True).data)

    @extend_schema(
        operation_id="partners_create",
        request=PartnerCreateSerializer,
        responses={201: PartnerSerializer},
        tags=["partners"],
    )
    def post(self, request: Request) -> Response:
        body = PartnerCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        partner = services.register_partner(
            acting_user(request), inputs.partner_input(body.validated_data), channel="api"
        )
        return Response(PartnerSerializer(partner).data, status=status.HTTP_201_CREATED)


class PartnerView(ProtectedView):
    queryset = PartnerInstallation.objects.none()
    serializer_class = PartnerSerializer
    read_capabilities = READ

    @extend_schema(operation_id="partners_retrieve", responses=PartnerSerializer, tags=["partners"])
    def get(self, request: Request, pk: int) -> Response:
        try:
            partner = handover_permissions.access_partner_by_id(acting_user(request), pk)
        except PartnerInstallation.DoesNotExist:
            raise _not_found() from None
        return Response(PartnerSerializer(partner).data)
