"""Pages of manifest imports under /recepcion/manifiestos/: the list, the upload, the progress and report
of one import (htmx polls the progress; without JavaScript a link reloads it), the review of uncertain
matches, and a new column mapping made from a file's header."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.access import audit, permissions
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.uploads import UploadError
from reintegra.access.versioning import StaleVersion
from reintegra.reception import manifest_forms as forms
from reintegra.reception import manifest_selectors as selectors
from reintegra.reception import manifest_services as services
from reintegra.reception.manifest_choices import ManifestStatus, ReviewDecision
from reintegra.reception.manifest_io import ManifestFile
from reintegra.reception.manifest_models import ManifestImport, ManifestMapping, ManifestReview
from reintegra.web import versioning
from reintegra.web.forms import apply_service_errors

NAV = "manifests"


def _require(request: AuthenticatedHttpRequest) -> None:
    permissions.require(request.user, services.IMPORT)


@login_required
@require_GET
def import_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request)
    return render(
        request,
        "reception/manifest_list.html",
        {
            "nav": NAV,
            "imports": selectors.imports_for(request.user)[:50],
            "mappings": selectors.mappings_for(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request)
    context = {"points": selectors.points_for(request.user), "mappings": selectors.mappings_for(request.user)}
    form = forms.UploadForm(request.POST or None, request.FILES or None, **context)
    if request.method == "POST" and form.is_valid():
        v = form.cleaned_data
        upload = v.get("file")
        try:
            record = services.start_import(
                request.user,
                point_id=v.get("point"),
                mapping_id=v.get("mapping"),
                upload=upload,
                file_name=upload.name if upload else "",
                arrived_on=v.get("arrived_on"),
            )
        except ValidationError as exc:
            apply_service_errors(exc, form, limit=20)
        else:
            return redirect("manifests:detail", pk=record.pk)
    return render(request, "reception/manifest_upload.html", {"nav": NAV, "form": form})


def _record(request: AuthenticatedHttpRequest, pk: int) -> ManifestImport:
    _require(request)
    try:
        return selectors.get_import(request.user, pk)
    except ManifestImport.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
def import_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Progress while the import runs (the fragment alone for htmx), then the report."""
    record = _record(request, pk)
    running = record.status in (ManifestStatus.QUEUED, ManifestStatus.RUNNING)
    context: dict[str, Any] = {
        "nav": NAV,
        "record": record,
        "running": running,
        "percent": _percent(record),
        "problems": services.report_lines(record),
        "more": record.report.get("more", 0),
        "pending": selectors.pending_count(record),
    }
    if request.headers.get("HX-Request"):
        if not running:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"  # the report replaces the progress page
            return response
        return render(request, "reception/manifest_progress.html", context)
    return render(request, "reception/manifest_detail.html", context)


def _percent(record: ManifestImport) -> int:
    if record.status == ManifestStatus.DONE:
        return 100
    if not record.rows_total:
        return 0
    # Checking the rows is the first half of the work, writing them the second.
    return min(99, round(50 * (record.rows_checked + record.rows_written) / record.rows_total))


@login_required
@require_GET
def review_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    reviews = list(selectors.pending_reviews(record)[:25])
    items = []
    for review in reviews:
        created, candidates = selectors.review_people(review)
        items.append({"review": review, "created": created, "candidates": candidates})
    audit.record_access(request.user, "view", record, purpose="manifest review")
    return render(
        request,
        "reception/manifest_review.html",
        {"nav": NAV, "record": record, "items": items, "pending": selectors.pending_count(record)},
    )


@login_required
@require_POST
def review_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(request)
    try:
        review = selectors.get_review(request.user, pk)
    except ManifestReview.DoesNotExist:
        raise Http404 from None
    candidate = request.POST.get("candidate", "")
    try:
        services.decide_review(
            request.user,
            review,
            decision=request.POST.get("decision", ""),
            candidate_id=int(candidate) if candidate.isdigit() else None,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if review.decision == ReviewDecision.LINKED:
            messages.success(request, _("Row %(row)s linked to the registered person.") % {"row": review.row})
        else:
            messages.success(request, _("Row %(row)s kept as a different person.") % {"row": review.row})
    return redirect("manifests:review", pk=review.manifest_import_id)


@login_required
@require_http_methods(["GET", "POST"])
def mapping_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Two steps on one page: a file's header first, then a select per field offering its columns."""
    _require(request)
    header_form = forms.HeaderForm()
    form = None
    sample = request.FILES.get("sample") if request.method == "POST" else None
    if sample is not None:
        header_form = forms.HeaderForm(request.POST, request.FILES)
        try:
            header = ManifestFile(sample, sample.name or "").header
        except UploadError as exc:
            apply_service_errors(exc.as_validation_error("sample"), header_form)
        else:
            form = forms.MappingForm(header=header)
    elif request.method == "POST":
        header = forms.header_of(request.POST)
        form = forms.MappingForm(request.POST, header=header)
        if form.is_valid():
            try:
                services.save_mapping(request.user, form.to_input())
            except ValidationError as exc:
                apply_service_errors(exc, form, aliases=forms.column_aliases())
            else:
                messages.success(request, _("Mapping saved."))
                return redirect("manifests:list")
    return render(request, "reception/manifest_mapping.html", {"nav": NAV, "header_form": header_form, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def mapping_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A saved mapping changed (the source changed its file format): its columns are offered, or those of a
    new sample file; saved by the same service as a new one (same refusals), the change kept in the model's
    history. Imports already run keep what they recorded."""
    _require(request)
    try:
        mapping = selectors.get_mapping(request.user, pk)
    except ManifestMapping.DoesNotExist:
        raise Http404(_("Mapping not found.")) from None
    saved = list(dict.fromkeys(mapping.columns.values()))
    record_version = versioning.version_of(mapping)
    header_form = forms.HeaderForm()
    sample = request.FILES.get("sample") if request.method == "POST" else None
    if sample is not None:
        header_form = forms.HeaderForm(request.POST, request.FILES)
        header = saved
        try:
            header = list(dict.fromkeys([*ManifestFile(sample, sample.name or "").header, *saved]))
        except UploadError as exc:
            apply_service_errors(exc.as_validation_error("sample"), header_form)
        form = forms.MappingForm(initial=forms.mapping_initial(mapping), header=header)
    elif request.method == "POST":
        form = forms.MappingForm(request.POST, header=forms.header_of(request.POST))
        record_version = versioning.posted_version(request.POST)
        if form.is_valid():
            try:
                services.save_mapping(request.user, form.to_input(), mapping, expected_version=record_version)
            except StaleVersion as exc:
                # Shown above the form; saving again from here overwrites the other change knowingly.
                apply_service_errors(exc, form)
                record_version = exc.current_version
            except ValidationError as exc:
                apply_service_errors(exc, form, aliases=forms.column_aliases())
            else:
                messages.success(request, _("Mapping saved."))
                return redirect("manifests:list")
    else:
        form = forms.MappingForm(initial=forms.mapping_initial(mapping), header=saved)
    return render(
        request,
        "reception/manifest_mapping.html",
        {"nav": NAV, "header_form": header_form, "form": form, "mapping": mapping, "record_version": record_version},
    )
