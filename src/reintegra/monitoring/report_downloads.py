"""The downloads of the IPTT, the logframe and the indicator values, shared by the pages and the API: each one
recorded in the access trail before its first byte (`access.exports`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from reintegra.access import audit, exports
from reintegra.access.spreadsheets import csv_lines
from reintegra.monitoring import pdf, permissions, report_tables, reports

if TYPE_CHECKING:
    from reintegra.access.models import Programme, User
    from reintegra.monitoring.models import ReportingPeriod

HXL_DIMENSIONS = report_tables.HXL_DIMENSIONS


def by_dimension(
    programme: Programme, *, k: int | None, threshold: int, public_only: bool = False
) -> dict[str, reports.Report]:
    """One report per disaggregation of the HXL file ("" for the totals)."""
    base = reports.build(programme, k=k, threshold=threshold, public_only=public_only)
    found = {"": base}
    offered = dict(base.offered)
    for key in HXL_DIMENSIONS:
        if key in offered:
            found[key] = reports.build(programme, k=k, threshold=threshold, by=key, public_only=public_only)
    return found


def hxl_response(reports_by_dimension: dict[str, reports.Report], stem: str) -> StreamingHttpResponse:
    """The HXL-tagged CSV: the header, the hashtag row, then the values (no byte-order mark: HXL tools
    read the first cell as text)."""
    names, tags = report_tables.hxl_header()
    rows = [tags, *report_tables.hxl_rows(reports_by_dimension)]
    response = StreamingHttpResponse(csv_lines(names, rows, bom=False), content_type=exports.CSV_TYPE)
    response["Content-Disposition"] = exports.attachment(exports.safe_filename(stem, "csv"))
    return response


def iptt(user: User, programme: Programme, fmt: str, *, by: str = "", channel: str = "web") -> HttpResponseBase:
    report = reports.iptt_for(user, programme, by=by)
    return exports.download(
        user,
        fmt,
        f"iptt-{programme.code}",
        report_tables.iptt_header(report),
        report_tables.iptt_rows(report),
        purpose=f"IPTT of programme {programme.pk}" + (f" by {report.by}" if report.by else ""),
        object_type="monitoring.indicator",
        channel=channel,
        sheet_title=_("IPTT"),
    )


def logframe(user: User, programme: Programme, fmt: str, *, channel: str = "web") -> HttpResponseBase:
    reports.iptt_for(user, programme)  # the reader's permission, as for the IPTT
    tree = reports.result_tree(reports.framework_of(programme))
    return exports.download(
        user,
        fmt,
        f"logframe-{programme.code}",
        report_tables.logframe_header(),
        report_tables.logframe_rows(tree),
        purpose=f"logframe of programme {programme.pk}",
        object_type="monitoring.resultsframework",
        channel=channel,
        sheet_title=_("Logframe"),
    )


def values_hxl(user: User, programme: Programme, *, channel: str = "web") -> StreamingHttpResponse:
    reports.iptt_for(user, programme)
    found = by_dimension(programme, k=reports.reader_k(user, [programme]), threshold=permissions.threshold([programme]))
    audit.record_access(
        user,
        "export",
        programme,
        purpose=f"indicator values of programme {programme.pk} (HXL CSV)",
        channel=channel,
    )
    return hxl_response(found, f"indicadores-{programme.code}-hxl")


def public_values(programme: Programme, fmt: str) -> HttpResponseBase:
    """The public page's values: opted-in indicators, k-suppressed; aggregates only, so not recorded."""
    k = permissions.threshold([programme])
    found = by_dimension(programme, k=k, threshold=k, public_only=True)
    if fmt == "hxl":
        return hxl_response(found, f"estadisticas-{programme.code}-hxl")
    names, _tags = report_tables.hxl_header()
    return exports.csv_response(
        exports.safe_filename(f"estadisticas-{programme.code}", "csv"), names, report_tables.hxl_rows(found)
    )


def donor_report(user: User, period: ReportingPeriod, *, channel: str = "web") -> HttpResponse:
    content = pdf.donor_report_pdf(user, period)
    audit.record_access(user, "export", period, purpose="donor report (PDF)", channel=channel)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = exports.attachment(
        exports.safe_filename(f"informe-{period.programme.code}-{period.label}", "pdf", dated=False)
    )
    return response
