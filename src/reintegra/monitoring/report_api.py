"""`/api/v1/` reads of indicator values and the monitoring downloads: an indicator's values over a span,
disaggregated and suppressed for the reader; the IPTT and the logframe as XLSX / CSV; the indicator values
as an HXL-tagged CSV; the donor report of a reporting period as a PDF. Downloads are recorded in the
access trail."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.access.models import Programme
from reintegra.access.roles import Capability as C
from reintegra.api.fields import IdField
from reintegra.api.negotiation import FileDownloadNegotiation
from reintegra.api.permissions import ProtectedView, acting_user
from reintegra.monitoring import permissions, report_downloads, reports
from reintegra.monitoring.models import Indicator, ReportingPeriod

READERS = (C.VIEW_AGGREGATES, C.MANAGE_MONITORING)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TAGS = ["indicators"]


class ValuesQuery(serializers.Serializer[Any]):
    period_start = serializers.DateField(
        required=False, help_text=_("First day counted (default: the programme's start).")
    )
    period_end = serializers.DateField(required=False, help_text=_("Last day counted (default: today)."))
    disaggregate = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=_("Comma-separated disaggregations, e.g. sex,age_band (at most three)."),
    )


class FigureSerializer(serializers.Serializer[Any]):
    numerator = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(allow_null=True)
    value = serializers.FloatField(allow_null=True)


class IndicatorSummarySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    measure = serializers.CharField()
    unit = serializers.CharField(allow_blank=True)
    direction = serializers.CharField()
    time_aggregation = serializers.CharField()
    programme = serializers.IntegerField()


class ValuesSerializer(serializers.Serializer[Any]):
    indicator = IndicatorSummarySerializer()
    total = FigureSerializer()
    cells = serializers.ListField(
        child=serializers.DictField(),
        help_text=_(
            "One entry per crossed cell: the bucket of each disaggregation by name, numerator, denominator, "
            'value and "suppressed" (its numbers are null when it is).'
        ),
    )
    suppression_threshold = serializers.IntegerField()
    suppressed = serializers.BooleanField(help_text=_("Whether small counts are suppressed for you."))


class ProgrammeQuery(serializers.Serializer[Any]):
    programme = IdField(help_text=_("The programme."))


class IptttQuery(ProgrammeQuery):
    disaggregate = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text=_("One disaggregation, e.g. sex.")
    )


def _programme(request: Request, pk: int) -> Programme:
    try:
        return permissions.access_programme_by_id(acting_user(request), pk)
    except Programme.DoesNotExist:
        raise Http404 from None


def _dimensions(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


class IndicatorValuesView(ProtectedView):
    """An indicator's value over a span, with its disaggregation; small counts suppressed for aggregate
    roles (complementary suppression). A cumulative indicator counts distinct units over the span given."""

    read_capabilities = READERS
    serializer_class = ValuesSerializer
    query_parameters = {"get": ValuesQuery}

    @extend_schema(
        operation_id="indicators_values", tags=TAGS, responses=ValuesSerializer, summary=_("Values of an indicator")
    )
    def get(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        try:
            indicator = reports.indicator_for(user, pk)
        except Indicator.DoesNotExist:
            raise Http404 from None
        start = self.query.get("period_start")
        end = self.query.get("period_end") or timezone.localdate()
        body = reports.values_of(user, indicator, start, end, _dimensions(self.query.get("disaggregate", "")))
        return Response(ValuesSerializer(body).data)


def _binary(media_type: str, description: Any) -> dict[Any, Any]:
    return {(200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description=description)}


class IpttXlsxView(ProtectedView):
    read_capabilities = READERS
    content_negotiation_class = FileDownloadNegotiation  # `Accept: <the file's type>` gets the file, not 406
    query_parameters = {"get": IptttQuery}
    fmt = "xlsx"

    @extend_schema(
        operation_id="indicators_iptt_xlsx",
        tags=TAGS,
        responses=_binary(XLSX, _("The IPTT as a workbook.")),
        summary=_("IPTT (XLSX)"),
    )
    def get(self, request: Request) -> HttpResponseBase:
        programme = _programme(request, self.query["programme"])
        by = self.query.get("disaggregate", "")
        return report_downloads.iptt(acting_user(request), programme, self.fmt, by=by, channel="api")


class IpttCsvView(IpttXlsxView):
    fmt = "csv"

    @extend_schema(
        operation_id="indicators_iptt_csv",
        tags=TAGS,
        responses=_binary("text/csv", _("The IPTT as CSV.")),
        summary=_("IPTT (CSV)"),
    )
    def get(self, request: Request) -> HttpResponseBase:
        return super().get(request)


class LogframeXlsxView(ProtectedView):
    read_capabilities = READERS
    content_negotiation_class = FileDownloadNegotiation  # `Accept: <the file's type>` gets the file, not 406
    query_parameters = {"get": ProgrammeQuery}

    @extend_schema(
        operation_id="indicators_logframe_xlsx",
        tags=TAGS,
        responses=_binary(XLSX, _("The logframe matrix as a workbook.")),
        summary=_("Logframe (XLSX)"),
    )
    def get(self, request: Request) -> HttpResponseBase:
        programme = _programme(request, self.query["programme"])
        return report_downloads.logframe(acting_user(request), programme, "xlsx", channel="api")


class ValuesHxlView(ProtectedView):
    read_capabilities = READERS
    content_negotiation_class = FileDownloadNegotiation  # `Accept: <the file's type>` gets the file, not 406
    query_parameters = {"get": ProgrammeQuery}

    @extend_schema(
        operation_id="indicators_values_hxl",
        tags=TAGS,
        responses=_binary(
            "text/csv",
            _(
                "One row per indicator, period and disaggregation cell, with a row of HXL hashtags under the "
                "header (#indicator+code, #date+period+start, #adm1+code, #sex, #indicator+value…)."
            ),
        ),
        summary=_("Indicator values (HXL-tagged CSV)"),
    )
    def get(self, request: Request) -> HttpResponseBase:
        programme = _programme(request, self.query["programme"])
        return report_downloads.values_hxl(acting_user(request), programme, channel="api")


class DonorReportView(ProtectedView):
    read_capabilities = READERS
    content_negotiation_class = FileDownloadNegotiation  # `Accept: <the file's type>` gets the file, not 406

    @extend_schema(
        operation_id="reporting_periods_report_pdf",
        tags=["reporting periods"],
        responses=_binary("application/pdf", _("The donor report of the period.")),
        summary=_("Donor report (PDF)"),
    )
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        user = acting_user(request)
        try:
            period = reports.period_for(user, pk)
        except ReportingPeriod.DoesNotExist:
            raise Http404 from None
        return report_downloads.donor_report(user, period, channel="api")
