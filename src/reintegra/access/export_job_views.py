""" "My exports" (`/exportaciones/`, namespace "exports"): the signed-in user's background exports with their
progress (htmx polls the list while one is running; without script, the page's Refresh link), and the download
of a finished one, only by its requester, answered 410 Gone once expired (`access.export_jobs`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from reintegra.access import export_jobs, exports
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.models import ExportJob

LISTED = 50  # the newest exports shown


def download_or_queue(
    request: AuthenticatedHttpRequest, kind: str, params: dict[str, Any], table: exports.Table, fmt: str
) -> HttpResponseBase:
    """A list page's download (`?format=`): the table at once, or, when it has more rows than
    `REINTEGRA_EXPORT_BACKGROUND_ROWS`, queued in the background and the user sent to "My exports"."""
    codes = exports.codes_requested(request)
    job = export_jobs.start_if_large(request.user, kind, params, fmt=fmt, codes=codes)
    if job is not None:
        messages.info(
            request,
            _("This export is large: it is being prepared in the background. Download it here when it is ready."),
        )
        return redirect("exports:list")
    return exports.download_table(request.user, fmt, table, codes=codes)


@login_required
@require_GET
def export_list(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    jobs = list(export_jobs.jobs_of(request.user)[:LISTED])
    context = {"nav": "exports", "jobs": jobs, "pending": export_jobs.has_pending(jobs)}
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "export-jobs":
        return render(request, "access/exports.html#jobs", context)
    return render(request, "access/exports.html", context)


@login_required
@require_GET
def export_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    try:
        job = export_jobs.job_of(request.user, pk)
        handle, name = export_jobs.open_download(request.user, job)
    except ExportJob.DoesNotExist:
        raise Http404 from None
    except export_jobs.ExportGone:
        return render(request, "access/export_gone.html", {"nav": "exports"}, status=410)
    except export_jobs.ExportNotReady:
        messages.info(request, _("This export is not ready yet."))
        return redirect("exports:list")
    content_type = exports.XLSX_TYPE if job.fmt == "xlsx" else exports.CSV_TYPE
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = exports.attachment(name)
    return response
