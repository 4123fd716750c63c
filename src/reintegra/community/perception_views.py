"""Pages of the community perception survey: answering it for a community (programme managers and
coordinators of the community's organisation) and its XLSForm for offline collection (readers of the community
level), and importing the answers collected offline with it. The results are a section of the community's page
(`community_detail`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from reintegra.access import audit, exports
from reintegra.access import permissions as access_permissions
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.community import perception_selectors, perception_services, permissions
from reintegra.community.perception_forms import PerceptionForm
from reintegra.community.perception_services import import_purpose
from reintegra.community.views import NAV, _community
from reintegra.sustainability import xlsform
from reintegra.sustainability.definition import LANGUAGES, label
from reintegra.sustainability.forms import SubmissionsForm
from reintegra.web.forms import apply_service_errors


@login_required
@require_http_methods(["GET", "POST"])
def perception_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    community = _community(request, pk, for_write=True)
    version = perception_selectors.survey_version(community)
    if version is None:
        messages.error(request, _("No community perception survey is published for this organisation."))
        return redirect("community:detail", community.pk)
    data = request.POST if request.method == "POST" else None
    form = PerceptionForm(data, version=version, sessions=perception_selectors.survey_sessions(community))
    if data is not None and form.is_valid():
        try:
            perception_services.record_response(request.user, community, form.to_input())
        except ValidationError as exc:
            apply_service_errors(exc, form, aliases=form.service_names())
        else:
            messages.success(request, _("The answer to the community perception survey was recorded."))
            if "another" in request.POST:
                return redirect("community:perception-new", community.pk)
            return redirect("community:detail", community.pk)
    context = {
        "form": form,
        "community": community,
        "version": version,
        "instrument_name": label(version.definition.get("labels"), get_language() or "es"),
        "sections": form.sections(),
        "has_errors": bool(form.errors),
        "nav": NAV,
    }
    return render(request, "community/perception_form.html", context)


@login_required
@require_GET
def perception_xlsform(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The survey version the community's organisation uses, as an XLSForm for ODK Collect / KoboCollect."""
    access_permissions.require(request.user, permissions.READ, permissions.EDIT)
    community = _community(request, pk)
    version = perception_selectors.survey_version(community)
    if version is None:
        raise Http404(_("No community perception survey is published for this organisation."))
    code = (get_language() or "es").split("-")[0]
    sheets = xlsform.xlsform_sheets(version.parsed(), code if code in LANGUAGES else "es")
    return exports.download_workbook(
        request.user, f"{version.instrument.code}-v{version.number}", sheets, purpose="XLSForm", obj=version
    )


@login_required
@require_http_methods(["GET", "POST"])
def perception_import(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Import the answers collected offline with the community's XLSForm (an ODK / Kobo export): every bad row
    reported by row and column and nothing written, or every new row written; a re-import adds nothing."""
    community = _community(request, pk, for_write=True)
    version = perception_selectors.survey_version(community)
    if version is None:
        messages.error(request, _("No community perception survey is published for this organisation."))
        return redirect("community:detail", community.pk)
    form = SubmissionsForm(request.POST, request.FILES) if request.method == "POST" else SubmissionsForm()
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = perception_services.import_responses(request.user, community, upload, upload.name).as_dict()
        except ValidationError as exc:
            apply_service_errors(exc, form, onto="file")
        else:
            audit.record_access(request.user, "import", community, purpose=import_purpose(report))
    context = {
        "form": form,
        "community": community,
        "version": version,
        "report": report,
        "has_errors": bool(form.errors),
        "nav": NAV,
    }
    return render(request, "community/perception_import.html", context, status=400 if form.errors else 200)
