"""The indicator performance tracking table (IPTT) of a programme, its downloads and the donor report of a
reporting period. Reading needs VIEW_AGGREGATES or MANAGE_MONITORING on the programme (404 for a programme
outside the reader's reach); small counts are suppressed as `monitoring.permissions` decides."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.models import Programme
from reintegra.monitoring import permissions, report_downloads, reports
from reintegra.monitoring.models import ReportingPeriod

TABLE_FORMATS = ("xlsx", "csv")


def _programme(request: AuthenticatedHttpRequest, pk: int) -> Programme:
    try:
        return permissions.access_programme_by_id(request.user, pk)
    except Programme.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
def iptt(request: AuthenticatedHttpRequest, programme: int) -> HttpResponse:
    found = _programme(request, programme)
    asked = request.GET.get("por", "")
    report = reports.iptt_for(request.user, found, by=asked)
    return render(
        request,
        "monitoring/iptt.html",
        {
            "programme": found,
            "section": "iptt",
            "report": report,
            "asked": asked,
            "unknown_breakdown": bool(asked) and asked != report.by,
            "nav": "monitoring",
        },
    )


@login_required
@require_GET
def iptt_download(request: AuthenticatedHttpRequest, programme: int, fmt: str) -> HttpResponseBase:
    if fmt not in TABLE_FORMATS:
        raise Http404
    return report_downloads.iptt(request.user, _programme(request, programme), fmt, by=request.GET.get("por", ""))


@login_required
@require_GET
def logframe_download(request: AuthenticatedHttpRequest, programme: int, fmt: str) -> HttpResponseBase:
    if fmt not in TABLE_FORMATS:
        raise Http404
    return report_downloads.logframe(request.user, _programme(request, programme), fmt)


@login_required
@require_GET
def values_hxl(request: AuthenticatedHttpRequest, programme: int) -> HttpResponseBase:
    return report_downloads.values_hxl(request.user, _programme(request, programme))


@login_required
@require_GET
def donor_report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    try:
        period = reports.period_for(request.user, pk)
    except ReportingPeriod.DoesNotExist:
        raise Http404 from None
    return report_downloads.donor_report(request.user, period)
