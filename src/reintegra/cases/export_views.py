"""Downloads of the case list (with the list's filters: `views.case_list` answers `?format=`), the returnees
and the follow-up visits (`cases.exports`): CSV streamed, XLSX written once, both audited
(`access.exports`). Only people who work on cases export them, and only the rows they see. A list of more rows
than `REINTEGRA_EXPORT_BACKGROUND_ROWS` is prepared in the background instead (`access.export_jobs`): the page
then leads to "My exports"."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBase
from django.views.decorators.http import require_GET

from reintegra.access import exports, permissions
from reintegra.access.export_job_views import download_or_queue
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.roles import Capability
from reintegra.cases import exports as case_exports

CASE_READERS = (Capability.VIEW_ASSIGNED_CASES, Capability.VIEW_ORGANISATION_CASES)


def requested_format(request: AuthenticatedHttpRequest) -> str:
    """`?format=csv|xlsx`; an export page without a known format is not found."""
    fmt = request.GET.get("format", "csv")
    if fmt not in exports.FORMATS:
        raise Http404
    return fmt


def list_query(request: AuthenticatedHttpRequest) -> str:
    """The list's current filters for its "Export" menu (`web/includes/export_menu.html`): the page and any
    earlier format left out."""
    query = request.GET.copy()
    for name in ("page", "format", exports.CODES_PARAMETER):
        query.pop(name, None)
    return query.urlencode()


def answer(
    request: AuthenticatedHttpRequest, kind: str, params: dict[str, Any], table: exports.Table, fmt: str
) -> HttpResponseBase:
    """The table at once, or, when it is large, queued in the background (`access.export_job_views`)."""
    return download_or_queue(request, kind, params, table, fmt)


@login_required
@require_GET
def returnees(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    permissions.require(request.user, *CASE_READERS)
    fmt = requested_format(request)
    return answer(request, "returnees", {}, case_exports.returnee_table(request.user), fmt)


@login_required
@require_GET
def follow_ups(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    permissions.require(request.user, *CASE_READERS)
    fmt = requested_format(request)
    return answer(request, "follow-ups", {}, case_exports.follow_up_table(request.user), fmt)
