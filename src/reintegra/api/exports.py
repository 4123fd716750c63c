"""The API's table downloads (`GET /api/v1/<list>/export.csv` and `.xlsx`): one endpoint class per list and
format, made by `export_views` from the app's table function (`access.exports.Table`), so every download of
the API declares its parameters (the list's filters and `codes`), its capabilities and its schema the same
way, and answers through `access.exports.download_table` (streamed CSV, audited with channel "api")."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.http import HttpResponseBase
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request

from reintegra.access import exports
from reintegra.api.permissions import ProtectedView, acting_user
from reintegra.api.query import ExportQuery

if TYPE_CHECKING:
    from reintegra.access.models import User
    from reintegra.access.roles import Capability

TableOf = Callable[["User", dict[str, Any]], exports.Table]
MEDIA = {"csv": "text/csv", "xlsx": exports.XLSX_TYPE}
DESCRIPTION = _(
    "Every row the caller may see, with the columns the caller may see; headers and values in the language of "
    "the request, machine codes with `codes=true`. The CSV is streamed; each download is recorded in the "
    "access trail."
)


class TableExportView(ProtectedView):
    fmt = "csv"
    table_of: TableOf
    write_capabilities = None  # it has no write method: any other method answers 405, not 403
    query_parameters = {"get": ExportQuery}

    def get(self, request: Request) -> HttpResponseBase:
        user = acting_user(request)
        table = type(self).table_of(user, self.query)
        return exports.download_table(user, self.fmt, table, channel="api", codes=bool(self.query.get("codes")))


def export_views(
    name: str,
    table_of: TableOf,
    *,
    readers: tuple[Capability, ...],
    summary: Any,
    tag: str,
    query: type[Any] = ExportQuery,
) -> dict[str, type[TableExportView]]:
    """The CSV and XLSX endpoints of one list (`{"csv": View, "xlsx": View}`), with operation ids
    `<name>_export_csv` / `<name>_export_xlsx`."""
    views: dict[str, type[TableExportView]] = {}
    for fmt in exports.FORMATS:
        titled = format_lazy("{} ({})", summary, fmt.upper())
        schema = extend_schema(
            operation_id=f"{name}_export_{fmt}",
            summary=titled,
            description=DESCRIPTION,
            responses={(200, MEDIA[fmt]): OpenApiResponse(OpenApiTypes.BINARY, description=titled)},
            tags=[tag],
        )

        def get(self: TableExportView, request: Request) -> HttpResponseBase:
            return TableExportView.get(self, request)

        attributes = {
            "fmt": fmt,
            "table_of": staticmethod(table_of),
            "read_capabilities": readers,
            "query_parameters": {"get": query},
            "get": schema(get),
            "__module__": table_of.__module__,  # the app's permission matrix covers its routes
        }
        views[fmt] = type(f"{name.title().replace('_', '')}{fmt.title()}ExportView", (TableExportView,), attributes)
    return views
