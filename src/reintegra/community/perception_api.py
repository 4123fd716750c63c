"""`/api/v1/communities/{id}/perception/`: the community perception survey's results (suppressed) and, by POST,
one anonymous response; `…/perception/submissions/` imports the answers collected offline. Role checks before any
lookup (403); another organisation's community is 404."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.access import audit
from reintegra.api.permissions import ProtectedView, acting_user
from reintegra.community import perception_selectors, perception_services
from reintegra.community import perception_serializers as s
from reintegra.community.api import EDIT, ERRORS, READ, TAGS, _community
from reintegra.community.models import PerceptionResponse
from reintegra.sustainability.serializers import ImportReportSerializer, SubmissionsUploadSerializer


class PerceptionView(ProtectedView):
    """The community's perception results (counts under k null); POST records one anonymous answer."""

    read_capabilities = READ
    write_capabilities = EDIT
    queryset = PerceptionResponse.objects.none()
    serializer_class = s.PerceptionResultsSerializer

    @extend_schema(
        operation_id="communities_perception_results",
        summary="A community's perception survey results",
        responses=s.PerceptionResultsSerializer,
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        community = _community(request, pk)
        return Response(s.PerceptionResultsSerializer(perception_selectors.results_of(community)).data)

    @extend_schema(
        summary="Record an answer to the community perception survey",
        request=s.PerceptionInputSerializer,
        responses={201: s.PerceptionResponseSerializer, 400: ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        community = _community(request, pk, for_write=True)
        incoming = s.PerceptionInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        response = perception_services.record_response(acting_user(request), community, incoming.to_input())
        return Response(s.PerceptionResponseSerializer(response).data, status=status.HTTP_201_CREATED)


class PerceptionSubmissionsView(ProtectedView):
    """POST an ODK / Kobo export of the community's XLSForm: the import report (rows with their column and
    reason; nothing written when any row is bad; submissions already imported skipped)."""

    read_capabilities = EDIT
    write_capabilities = EDIT
    queryset = PerceptionResponse.objects.none()
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = ImportReportSerializer

    @extend_schema(
        operation_id="communities_perception_submissions",
        summary="Import answers to the community perception survey collected offline (CSV, XLSX or JSON export)",
        request={"multipart/form-data": SubmissionsUploadSerializer},
        responses={200: ImportReportSerializer, 400: ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        community = _community(request, pk, for_write=True)
        upload = SubmissionsUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        user = acting_user(request)
        report = perception_services.import_responses(user, community, file, file.name).as_dict()
        audit.record_access(
            user, "import", community, purpose=perception_services.import_purpose(report), channel="api"
        )
        return Response(ImportReportSerializer(report).data)
