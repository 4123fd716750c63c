"""The M&E release through the API: k-anonymous pseudonymised case rows (`/api/v1/analytics/cases/`) and
suppressed aggregates (`/api/v1/analytics/aggregates/`). Moved from `protection` (issue 12) with their paths,
names and schema unchanged; routes in `monitoring.api_urls`."""

from typing import Any

from django.http import HttpResponseBase
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.access.audit import record_access
from reintegra.access.roles import Capability
from reintegra.access.spreadsheets import csv_lines
from reintegra.api.pagination import StandardPagination
from reintegra.api.permissions import ProtectedView, acting_user
from reintegra.api.query import ExportQuery
from reintegra.cases.models import Case
from reintegra.monitoring import analytics
from reintegra.monitoring.analytics_serializers import (
    AggregateQuerySerializer,
    AggregatesSerializer,
    PseudonymisedCaseSerializer,
    PseudonymisedPageSerializer,
    pseudonymised_download,
    pseudonymised_table,
)
from reintegra.protection import pseudonymise

C = Capability


class CSVRenderer(BaseRenderer):
    """`?format=csv` (or `Accept: text/csv`): a list of rows as CSV, other data as name,value lines; errors
    are answered in JSON (`api.exceptions`). (The rows download itself is streamed by `access.exports`.)"""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if isinstance(data, list):
            text = "".join(csv_lines(pseudonymise.ROW_KEYS, pseudonymised_table(data)))
        else:
            items = data.items() if isinstance(data, dict) else [("detail", data)]
            text = "".join(csv_lines(("name", "value"), ([name, value] for name, value in items)))
        return text.encode(self.charset)


RELEASE_DESCRIPTION = _(
    "Rows of your organisation's cases for monitoring and evaluation (M&E officers), k-anonymous: k is the "
    "programme's suppression threshold (the strictest of your organisation's programmes; default 5). "
    "The quasi-identifiers — sex, age band at return, nationality, return type, return quarter and area — "
    "are generalised until every released row shares them with at least k − 1 other rows: age bands may "
    'widen (0-17, 18-59, 60+), the quarter may become the year, any of them may be withheld ("*"), and '
    "the area goes up from municipality to state or department, country, or none, class by class. Rows "
    "that still cannot reach k are withheld and counted in `suppressed`; `smallest_class` is the size of "
    "the smallest class released. Attention flags and causes of migration are never in rows: count them "
    "with /api/v1/analytics/aggregates/?by=attention_flag or ?by=cause_of_migration. `case_pid` changes "
    "whenever the released data changes, so downloads cannot be joined row by row. `?format=csv` "
    "downloads every row at once; each page and download is recorded in the access trail."
)


class PseudonymisedCasesView(ProtectedView):
    """k-anonymous pseudonymised rows of your organisation's cases for monitoring and evaluation (M&E
    officers): coded facts, no names, contacts, documents, addresses or exact dates, quasi-identifiers
    generalised until at least k rows share them. `?format=csv` downloads every row at once; each read is
    recorded in the access trail."""

    queryset = Case.objects.none()
    serializer_class = PseudonymisedCaseSerializer
    read_capabilities = (C.VIEW_PSEUDONYMISED,)
    write_capabilities = (C.VIEW_PSEUDONYMISED,)
    pagination_class = StandardPagination
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]
    query_parameters = {"get": ExportQuery}

    @extend_schema(
        operation_id="analytics_cases_list",
        summary=_("k-anonymous pseudonymised case rows"),
        description=RELEASE_DESCRIPTION,
        responses={
            (200, "application/json"): PseudonymisedPageSerializer,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description=_("Every released row, as CSV (the same columns as `results`).")
            ),
        },
        tags=["analytics"],
    )
    def get(self, request: Request) -> HttpResponseBase:
        release = analytics.pseudonymised_release(acting_user(request))
        summary = release.summary
        if request.accepted_renderer.format == "csv":
            response = pseudonymised_download(
                acting_user(request), release, channel="api", codes=bool(self.query.get("codes"))
            )
            response["X-Reintegra-K"] = str(summary["k"])
            response["X-Reintegra-Suppressed"] = str(summary["suppressed"])
            return response
        page = self.paginate_queryset(release.entries) or []
        current = getattr(self.paginator, "page", None)
        number = current.number if current is not None else 1
        record_access(
            acting_user(request),
            "view",
            object_type="cases.case",
            purpose=f"pseudonymised case rows (page {number}, k={summary['k']})",
            channel="api",
        )
        rows = list(analytics.pseudonymised_rows(page))
        response = self.get_paginated_response(PseudonymisedCaseSerializer(rows, many=True).data)
        results = response.data.pop("results")
        response.data.update(summary)
        response.data["results"] = results
        return response


class AggregatesView(ProtectedView):
    """Counts of cases by one or more dimensions, with small cells suppressed (`count` null, `suppressed`
    true): over your organisation, or over all organisations for the coordination body."""

    queryset = Case.objects.none()
    serializer_class = AggregatesSerializer
    read_capabilities = (C.VIEW_AGGREGATES,)
    write_capabilities = (C.VIEW_AGGREGATES,)
    query_parameters = {"get": AggregateQuerySerializer}

    @extend_schema(
        operation_id="analytics_aggregates",
        summary=_("Case counts with small-cell suppression"),
        description=_(
            "k is the programme's suppression threshold (the strictest of the programmes counted; default 5); "
            "`k` in the query can raise it, never lower it. attention_flag and cause_of_migration count the "
            "cases holding each value (a case may hold several); a cell is hidden when it, or the number of "
            "cases without the value, is below k."
        ),
        responses=AggregatesSerializer,
        tags=["analytics"],
    )
    def get(self, request: Request) -> Response:
        by, k = self.query["by"], self.query.get("k")
        rows = analytics.aggregate_cases(acting_user(request), by=by, k=k)
        floor = analytics.aggregate_threshold(acting_user(request))
        return Response(AggregatesSerializer({"by": by, "k": max(k or floor, floor), "rows": rows}).data)
