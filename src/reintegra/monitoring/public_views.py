"""The public statistics page (no login): the indicators a programme chose to publish (its framework's and
each indicator's opt-in), always k-suppressed, aggregates only; a programme that publishes nothing is a 404.

Light on purpose: no script and no chart library, the charts are inline SVG with the numbers in a table.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from reintegra.access.models import Programme
from reintegra.monitoring import pdf, report_downloads, reports
from reintegra.replica import reading_from_replica

DOWNLOAD_FORMATS = ("csv", "hxl")


def _programme(pk: int) -> Programme:
    try:
        return reports.public_programme(pk)
    except Programme.DoesNotExist:
        raise Http404 from None


@require_GET
@reading_from_replica()
def statistics_home(request: HttpRequest) -> HttpResponse:
    return render(request, "monitoring/public/home.html", {"programmes": reports.public_programmes()})


@require_GET
@reading_from_replica()
def statistics(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(pk)
    report = reports.public_iptt(programme, by=request.GET.get("por", ""))
    chart_of = pdf.charts(report)
    return render(
        request,
        "monitoring/public/programme.html",
        {
            "programme": programme,
            "report": report,
            "rows_with_charts": [(row, chart_of.get(row.indicator.pk)) for row in report.rows],
        },
    )


@require_GET
@reading_from_replica()
def statistics_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    if fmt not in DOWNLOAD_FORMATS:
        raise Http404
    return report_downloads.public_values(_programme(pk), fmt)
