"""`/api/v1/exports/`: background exports of the large lists (`access.export_jobs`). `POST` queues one
(`kind`, `format`, `codes`, the list's `filters`) and answers 202 with its status; `GET /exports/{id}/` follows
its progress; `GET /exports/{id}/download/` answers the file to its requester only (another caller's is 404),
409 `not_ready` while it is prepared and 410 `expired` once its link has expired. Each download is recorded
in the access trail."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.access import export_jobs, exports
from reintegra.access.choices import ExportFormat
from reintegra.access.models import ExportJob
from reintegra.api.permissions import ProtectedView, acting_user


class ExportGone(APIException):
    status_code = status.HTTP_410_GONE
    default_detail = _("This export is no longer available: its download link has expired.")
    default_code = "expired"


class ExportNotReady(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This export is not ready yet.")
    default_code = "not_ready"


class ExportJobSerializer(serializers.ModelSerializer[ExportJob]):
    format = serializers.CharField(source="fmt", read_only=True)
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]  # the list, not DRF's Field.label
    percent = serializers.IntegerField(read_only=True)
    download = serializers.SerializerMethodField(help_text=_("Where to download the file once it is ready."))

    class Meta:
        model = ExportJob
        fields = [
            "id", "kind", "label", "format", "codes", "language", "status", "rows_total", "rows_done", "percent",
            "created_at", "finished_at", "expires_at", "download",
        ]  # fmt: skip
        read_only_fields = fields

    def get_download(self, job: ExportJob) -> str | None:
        return reverse("api:export-download", args=[job.pk]) if job.downloadable else None


class ExportStartSerializer(serializers.Serializer[Any]):
    """Parses the request; `export_jobs.start` checks the list, the format and the caller's capabilities."""

    kind = serializers.CharField(
        max_length=40, help_text=_("The list: cases, returnees, follow-ups, referrals or survey-rounds.")
    )
    format = serializers.ChoiceField(choices=ExportFormat.choices, default=ExportFormat.CSV)
    codes = serializers.BooleanField(required=False, default=False)
    filters = serializers.DictField(
        required=False, default=dict, help_text=_("The list's filters, as its export endpoint takes them.")
    )


def _as_api_error(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(
        {field: [serializers.ErrorDetail(str(e.message), code=e.code) for e in errors]
         for field, errors in exc.error_dict.items()}
    )  # fmt: skip


class ExportListView(ProtectedView):
    queryset = ExportJob.objects.none()
    serializer_class = ExportJobSerializer
    read_capabilities = None  # any signed-in user: their own exports
    write_capabilities = None  # the list's own readers: checked by export_jobs.start

    @extend_schema(operation_id="exports_list", summary=_("Your exports"), tags=["exports"],
                   responses={200: ExportJobSerializer(many=True)})  # fmt: skip
    def get(self, request: Request) -> Response:
        jobs = export_jobs.jobs_of(acting_user(request))[:100]
        return Response(ExportJobSerializer(jobs, many=True).data)

    @extend_schema(operation_id="exports_create", summary=_("Prepare an export in the background"), tags=["exports"],
                   request=ExportStartSerializer, responses={202: ExportJobSerializer})  # fmt: skip
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        parsed = ExportStartSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data
        try:
            params = export_jobs.params_from(data["kind"], data["filters"])
            job = export_jobs.start(user, data["kind"], params, fmt=data["format"], codes=data["codes"], channel="api")
        except DjangoValidationError as exc:
            raise _as_api_error(exc) from None
        body = ExportJobSerializer(job).data
        location = reverse("api:export-detail", args=[job.pk])
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


class _OwnExport(ProtectedView):
    queryset = ExportJob.objects.none()
    serializer_class = ExportJobSerializer
    read_capabilities = None  # any signed-in user: their own exports only (another's is 404)
    write_capabilities = None

    def _job(self, request: Request, pk: Any) -> ExportJob:
        try:
            return export_jobs.job_of(acting_user(request), pk)
        except ExportJob.DoesNotExist:
            raise NotFound(_("No such export.")) from None


class ExportDetailView(_OwnExport):
    @extend_schema(operation_id="exports_retrieve", summary=_("One of your exports"), tags=["exports"],
                   responses={200: ExportJobSerializer})  # fmt: skip
    def get(self, request: Request, pk: int) -> Response:
        return Response(ExportJobSerializer(self._job(request, pk)).data)


class ExportDownloadView(_OwnExport):
    @extend_schema(operation_id="exports_download", summary=_("Download one of your exports"), tags=["exports"],
                   responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)})  # fmt: skip
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        job = self._job(request, pk)
        try:
            handle, name = export_jobs.open_download(acting_user(request), job, channel="api")
        except export_jobs.ExportGone:
            raise ExportGone from None
        except export_jobs.ExportNotReady:
            raise ExportNotReady from None
        content_type = exports.XLSX_TYPE if job.fmt == "xlsx" else exports.CSV_TYPE
        response = FileResponse(handle, content_type=content_type)
        response["Content-Disposition"] = exports.attachment(name)
        return response
