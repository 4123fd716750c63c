"""`/api/v1/instruments/` and `/api/v1/cases/{id}/sustainability/`."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.access import audit, exports, scoping
from reintegra.access.roles import Capability, SensitiveCategory
from reintegra.api.pagination import StandardPagination
from reintegra.api.permissions import CapabilityPermission, ProtectedView, acting_user
from reintegra.api.query import QueryParametersMixin
from reintegra.cases import permissions as case_permissions
from reintegra.cases.models import Case
from reintegra.sustainability import selectors, services, xlsform
from reintegra.sustainability.choices import RoundSource
from reintegra.sustainability.models import Instrument, InstrumentVersion, SurveyRound
from reintegra.sustainability.serializers import (
    ImportReportSerializer,
    InstrumentDetailSerializer,
    InstrumentListSerializer,
    RoundSerializer,
    RoundWriteSerializer,
    SubmissionsUploadSerializer,
)

INSTRUMENT_READERS = (
    Capability.MANAGE_PROGRAMME,
    Capability.VIEW_AGGREGATES,
    Capability.IMPORT_SUBMISSIONS,
    Capability.EDIT_CASES,
)


class VersionQuery(serializers.Serializer):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="Instrument version number (default: the latest published one).",
    )


def _version(instrument: Instrument, number: int | None, *, published_only: bool = True) -> InstrumentVersion:
    version = selectors.version_numbered(instrument, number, published_only=published_only)
    if version is None:
        raise Http404
    return version


@extend_schema_view(
    list=extend_schema(summary="Instruments (questionnaires) you can use", tags=["instruments"]),
    retrieve=extend_schema(
        summary="An instrument's full definition: versions, questions, options with scores, weights, bands",
        tags=["instruments"],
    ),
)
class InstrumentViewSet(
    QueryParametersMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [IsAuthenticated, CapabilityPermission]
    read_capabilities = INSTRUMENT_READERS
    write_capabilities = (Capability.IMPORT_SUBMISSIONS,)
    pagination_class = StandardPagination
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9_\-]+"
    queryset = Instrument.objects.none()
    query_parameters = {"xlsform": VersionQuery, "submissions": VersionQuery}

    def get_queryset(self) -> QuerySet[Instrument]:
        return selectors.instruments_for(acting_user(self.request))

    def get_serializer_class(self) -> Any:
        return InstrumentDetailSerializer if self.action == "retrieve" else InstrumentListSerializer

    def get_object(self) -> Instrument:
        try:
            return selectors.get_instrument(acting_user(self.request), self.kwargs["code"])
        except Instrument.DoesNotExist:
            raise Http404 from None

    @extend_schema(
        summary="The instrument as an XLSForm (.xlsx) for ODK Collect / KoboCollect",
        responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY},
        tags=["instruments"],
    )
    @action(detail=True, methods=["get"], url_path="xlsform")
    def xlsform(self, request: Request, code: str | None = None) -> HttpResponseBase:
        version = _version(self.get_object(), self.query.get("version"), published_only=False)
        parsed = services.parsed_or_none(version)
        if parsed is None:
            raise DRFValidationError({"version": ["This draft is not complete yet."]})
        return exports.download_workbook(
            acting_user(request),
            f"{version.instrument.code}-v{version.number}",
            xlsform.xlsform_sheets(parsed),
            purpose="XLSForm",
            obj=version,
            channel="api",
        )

    @extend_schema(
        summary="Import submissions exported from KoboToolbox / ODK Central (CSV or JSON)",
        request={"multipart/form-data": SubmissionsUploadSerializer},
        responses={200: ImportReportSerializer},
        tags=["instruments"],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="submissions",
        parser_classes=[MultiPartParser, FormParser],
    )
    def submissions(self, request: Request, code: str | None = None) -> Response:
        upload = SubmissionsUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        version = _version(self.get_object(), self.query.get("version"))
        file = upload.validated_data["file"]
        report = services.import_submissions(acting_user(request), version, file, file.name).as_dict()
        audit.record_access(
            acting_user(request),
            "import",
            version,
            purpose=f"RSS submissions: {report['imported']} imported",
            channel="api",
        )
        return Response(ImportReportSerializer(report).data)


class CaseRoundsView(ProtectedView):
    """Survey rounds of a case: list, or record one (scored at once)."""

    queryset = SurveyRound.objects.none()
    serializer_class = RoundSerializer
    read_capabilities = (Capability.VIEW_ASSIGNED_CASES,)
    write_capabilities = (Capability.EDIT_CASES,)

    def _case(self, request: Request, pk: int, *, for_write: bool = False) -> Case:
        try:
            return case_permissions.access_case_by_id(acting_user(request), pk, for_write=for_write)
        except Case.DoesNotExist:
            raise Http404 from None

    def _context(self, request: Request) -> dict[str, Any]:
        return {"can_see_psychosocial": scoping.can_see(acting_user(request), SensitiveCategory.PSYCHOSOCIAL)}

    @extend_schema(
        summary="Survey rounds of a case, with scores and bands",
        responses=RoundSerializer(many=True),
        tags=["sustainability"],
    )
    def get(self, request: Request, pk: int) -> Response:
        case = self._case(request, pk)
        audit.record_access(acting_user(request), "view", case, purpose="sustainability rounds", channel="api")
        rounds = selectors.rounds_for_case(case)
        return Response(RoundSerializer(rounds, many=True, context=self._context(request)).data)

    @extend_schema(
        summary="Record a survey round (baseline or follow-up); a score is null when too few questions were answered",
        request=RoundWriteSerializer,
        responses={201: RoundSerializer, 400: OpenApiResponse(description="Field errors (answers by question code)")},
        tags=["sustainability"],
    )
    def post(self, request: Request, pk: int) -> Response:
        case = self._case(request, pk, for_write=True)
        data = RoundWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        round_ = services.record_round(acting_user(request), case, data.to_input(), source=RoundSource.API)
        round_ = selectors.round_of_case(case, round_.pk)
        return Response(RoundSerializer(round_, context=self._context(request)).data, status=status.HTTP_201_CREATED)
