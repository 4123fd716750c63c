"""The analytics page (`/seguimiento/analitica/`, formerly `/proteccion/analitica/`): case counts by one
dimension with small cells suppressed, and the k-anonymous pseudonymised CSV download for M&E officers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_countries import countries

from reintegra.access import exports, permissions
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.roles import Capability
from reintegra.cases.choices import AttentionFlag, CaseStatus, ClosureCategory, MigrationCause, ReturnType, Sex
from reintegra.monitoring import analytics as me_data
from reintegra.monitoring import analytics_forms as forms
from reintegra.monitoring.analytics_serializers import pseudonymised_download
from reintegra.replica import reading_from_replica
from reintegra.web.forms import apply_service_errors

if TYPE_CHECKING:
    from reintegra.access.models import User

_VALUE_LABELS = {
    "status": CaseStatus,
    "return_type": ReturnType,
    "sex": Sex,
    "closure_category": ClosureCategory,
    "attention_flag": AttentionFlag,
    "cause_of_migration": MigrationCause,
}


def _cell_label(dimension: str, row: dict[str, Any]) -> str:
    value = row.get(dimension)
    if value in (None, ""):
        return _("Not recorded") if dimension != "closure_category" else _("Not closed")
    if dimension in _VALUE_LABELS:
        try:
            return str(_VALUE_LABELS[dimension](value).label)
        except ValueError:
            return str(value)
    if dimension == "nationality":
        return str(countries.name(value) or value)
    return str(value)


@login_required
@require_GET
@reading_from_replica()
def analytics(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Counts of cases by one dimension, small cells suppressed (Capability.VIEW_AGGREGATES)."""
    user: User = request.user
    permissions.require(user, Capability.VIEW_AGGREGATES)
    form = forms.AggregateForm(request.GET or None)
    by, k = "status", None
    valid = True
    if form.is_bound:
        valid = form.is_valid()
        if valid:
            by, k = form.cleaned_data["by"], form.cleaned_data["k"]
    rows: list[dict[str, Any]] = []
    if valid:
        try:
            cells = me_data.aggregate_cases(user, by=[by], k=k)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            rows = [{"label": _cell_label(by, cell), **cell} for cell in cells]
    floor = me_data.aggregate_threshold(user)
    can_download = user.has_capability(Capability.VIEW_PSEUDONYMISED)
    return render(
        request,
        "monitoring/analytics.html",
        {
            "nav": "monitoring",
            "form": form,
            "dimension_label": forms.DIMENSION_LABELS.get(by, by),
            "rows": rows,
            "k": max(k or floor, floor),
            "all_organisations": user.has_capability(Capability.VIEW_AGGREGATES_ALL_ORGANISATIONS),
            "can_download": can_download,
            "release": me_data.pseudonymised_release(user).summary if can_download else None,
        },
    )


@login_required
@require_GET
@reading_from_replica()
def analytics_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """Every k-anonymous pseudonymised case row of the organisation as CSV (Capability.VIEW_PSEUDONYMISED);
    recorded."""
    release = me_data.pseudonymised_release(request.user)  # PermissionDenied without the capability
    return pseudonymised_download(request.user, release, channel="web", codes=exports.codes_requested(request))
