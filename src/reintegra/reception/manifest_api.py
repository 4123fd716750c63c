"""`POST /api/v1/arrivals/import/` (a manifest file, a mapping and a reception point → the task's id),
`GET /api/v1/tasks/{id}/` (its status, progress and report), `GET /api/v1/manifest-mappings/` and
`GET`/`PUT /api/v1/manifest-mappings/{id}/` (a saved mapping changed through the page's service).

Only the user's organisation's imports exist for them (another's task id answers 404); importing needs
Capability.IMPORT_MANIFESTS (403 before anything is read)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.access.roles import Capability
from reintegra.api import versioning
from reintegra.api.permissions import ProtectedView, acting_user
from reintegra.reception import manifest_selectors as selectors
from reintegra.reception import manifest_services as services
from reintegra.reception.manifest_models import ManifestImport, ManifestMapping
from reintegra.reception.manifest_serializers import (
    ManifestMappingSerializer,
    ManifestMappingWriteSerializer,
    ManifestTaskSerializer,
    ManifestUploadSerializer,
)

TAGS = ["reception"]


class _ManifestView(ProtectedView):
    read_capabilities = (Capability.IMPORT_MANIFESTS,)
    write_capabilities = (Capability.IMPORT_MANIFESTS,)


def _present(record: ManifestImport) -> dict[str, Any]:
    return ManifestTaskSerializer(ManifestTaskSerializer.present(record, selectors.pending_count(record))).data


class ArrivalImportView(_ManifestView):
    queryset = ManifestImport.objects.none()
    serializer_class = ManifestUploadSerializer
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Import a manifest as arrivals and intakes (runs as a background task; poll /tasks/{task_id}/)",
        request={"multipart/form-data": ManifestUploadSerializer},
        responses={202: ManifestTaskSerializer, 400: OpenApiResponse(description="Field errors")},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        incoming = ManifestUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        record = services.start_import(
            acting_user(request),
            point_id=data["point"],
            mapping_id=data["mapping"],
            upload=data["file"],
            file_name=data["file"].name,
            arrived_on=data.get("arrived_on"),
            channel="api",
        )
        return Response(_present(record), status=202)


class TaskView(_ManifestView):
    queryset = ManifestImport.objects.none()
    serializer_class = ManifestTaskSerializer

    @extend_schema(summary="A background task's status, progress and report (manifest imports)", tags=TAGS)
    def get(self, request: Request, task_id: str) -> Response:
        try:
            record = selectors.get_import_by_task(acting_user(request), task_id)
        except ManifestImport.DoesNotExist:
            raise Http404 from None
        return Response(_present(record))


class MappingsView(_ManifestView):
    queryset = ManifestMapping.objects.none()
    serializer_class = ManifestMappingSerializer

    @extend_schema(
        operation_id="manifest_mappings_list", summary="The organisation's saved manifest column mappings", tags=TAGS
    )
    def get(self, request: Request) -> Response:
        return Response(ManifestMappingSerializer(selectors.mappings_for(acting_user(request)), many=True).data)


class MappingView(versioning.ETagMixin, _ManifestView):
    queryset = ManifestMapping.objects.none()
    serializer_class = ManifestMappingSerializer

    def _mapping(self, request: Request, pk: int) -> ManifestMapping:
        try:
            return selectors.get_mapping(acting_user(request), pk)
        except ManifestMapping.DoesNotExist:
            raise Http404 from None

    @versioning.read_schema(
        operation_id="manifest_mappings_retrieve", summary="A saved manifest column mapping", tags=TAGS
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(ManifestMappingSerializer(self._mapping(request, pk)).data)

    @versioning.write_schema(
        summary="Change a saved manifest column mapping (the same rules as creating one; kept in its history)",
        request=ManifestMappingWriteSerializer,
        responses={200: ManifestMappingSerializer, 400: OpenApiResponse(description="Field errors with codes")},
        tags=TAGS,
    )
    def put(self, request: Request, pk: int) -> Response:
        mapping = self._mapping(request, pk)
        incoming = ManifestMappingWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        saved = services.save_mapping(
            acting_user(request),
            incoming.to_input(),
            mapping,
            expected_version=versioning.expected_version(request, mapping),
        )
        return Response(ManifestMappingSerializer(saved).data)
