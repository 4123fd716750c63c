"""The audit-trail pages (`/proteccion/auditoria/`, data-protection officers): the change log and the access
trail merged, and their CSV export. The other data-protection pages are `protection.views`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from reintegra.access import exports, forms, selectors, serializers, trail_display
from reintegra.access.http import AuthenticatedHttpRequest

AUDIT_PAGE_SIZE = 50

# --- audit trail ---------------------------------------------------------------------------------


def _trail_form(request: AuthenticatedHttpRequest) -> tuple[forms.AuditFilterForm, selectors.TrailFilters | None]:
    """The filter form and its filters; None when the filters are not valid (the form shows why)."""
    users = selectors.trail_users(request.user)  # Capability.VIEW_AUDIT, else PermissionDenied
    params = request.GET.copy()
    params.pop("before", None)
    form = forms.AuditFilterForm(params or None, users=users)
    if not form.is_bound:
        return form, selectors.TrailFilters()
    return form, form.filters() if form.is_valid() else None


@login_required
@require_GET
def audit_trail(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Both trails merged, newest first, AUDIT_PAGE_SIZE at a time ("older" follows a position: no count)."""
    form, filters = _trail_form(request)
    position = None
    token = request.GET.get("before", "")
    if token:
        try:
            position = selectors.TrailPosition.parse(token)
        except ValueError:
            messages.warning(request, _("The page asked for was not understood; showing the newest entries."))
    rows: list[trail_display.ShownEntry] = []
    next_token = ""
    if filters is not None:
        entries = list(selectors.audit_trail(request.user, filters, older_than=position, limit=AUDIT_PAGE_SIZE + 1))
        if len(entries) > AUDIT_PAGE_SIZE:
            entries = entries[:AUDIT_PAGE_SIZE]
            next_token = entries[-1].position.token()
        rows = list(trail_display.present(request.user, entries))
    return render(
        request,
        "access/audit.html",
        {
            "nav": "audit",
            "form": form,
            "rows": rows,
            "next_token": next_token,
            "paged": position is not None,
            "invalid": filters is None,
            "filtered": filters not in (None, selectors.TrailFilters()),
        },
    )


@login_required
@require_GET
def audit_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The filtered trail as CSV (every matching entry, streamed); the export itself is recorded. In the
    reader's language, or with `?codes=1` as stored (the API's field names and codes)."""
    form, filters = _trail_form(request)
    if filters is None:
        messages.error(request, _("Correct the filters before exporting."))
        return render(
            request,
            "access/audit.html",
            {"nav": "audit", "form": form, "rows": [], "invalid": True, "filtered": True},
            status=400,
        )
    entries = selectors.audit_trail(request.user, filters)
    codes = exports.codes_requested(request)
    return exports.download(
        request.user,
        "csv",
        "audit-trail",
        serializers.TRAIL_CSV_COLUMNS if codes else trail_display.TRAIL_COLUMNS,
        serializers.trail_rows(entries) if codes else trail_display.trail_rows(request.user, entries),
        purpose="audit trail: " + serializers.trail_filter_summary(filters),
        codes=codes,
    )
