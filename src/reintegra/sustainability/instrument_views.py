"""Web pages of the survey instruments (/sostenibilidad/instrumentos/, /versiones/): the list, upload,
versions as XLSForm or YAML, drafts, publication, import of submissions."""

from __future__ import annotations

from typing import Any

import yaml
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.access import audit, exports, permissions
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.roles import Capability
from reintegra.access.versioning import StaleVersion
from reintegra.sustainability import forms, selectors, services, xlsform
from reintegra.sustainability.definition import label
from reintegra.sustainability.models import Instrument, InstrumentVersion
from reintegra.sustainability.pages import INSTRUMENT_READERS, language, needs
from reintegra.web import versioning
from reintegra.web.forms import apply_service_errors


@login_required
@require_GET
@needs(*INSTRUMENT_READERS)
def instruments(request: AuthenticatedHttpRequest) -> HttpResponse:
    items = [
        {"instrument": instrument, "versions": versions, "latest": versions[0] if versions else None}
        for instrument, versions in selectors.instruments_with_versions(request.user)
    ]
    managed = selectors.programmes_managed_by(request.user)
    can_manage = selectors.manages_programmes(request.user)
    return render(
        request,
        "sustainability/instruments.html",
        {
            "nav": "instruments",
            "items": items,
            "upload_form": forms.UploadForm(programmes=managed) if can_manage else None,
            "can_manage": can_manage,
            "can_report": request.user.has_capability(Capability.VIEW_AGGREGATES),
        },
    )


@login_required
@require_POST
@needs(Capability.MANAGE_PROGRAMME)
def instrument_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    managed = selectors.programmes_managed_by(request.user)
    form = forms.UploadForm(request.POST, request.FILES, programmes=managed)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        programme = form.cleaned_data["programme"]
        try:
            if upload.name.lower().endswith(".xlsx"):
                version = services.import_xlsform(request.user, programme, upload, upload.name)
                if form.cleaned_data["publish"] and not services.draft_problems(version):
                    services.publish_version(request.user, version)
                messages.success(
                    request, _("XLSForm imported as draft version %(number)s.") % {"number": version.number}
                )
            else:
                raw = services.read_definition_file(upload, upload.name)
                result = services.load_instrument(
                    request.user, raw, programme=programme, publish=form.cleaned_data["publish"], source=upload.name
                )
                version = result.version
                messages.success(request, _("Instrument loaded: version %(number)s.") % {"number": version.number})
            return redirect("sustainability:instrument", pk=version.instrument_id)
        except ValidationError as exc:
            apply_service_errors(exc, form, onto="file", limit=20)
    items = [
        {"instrument": instrument, "versions": versions, "latest": None}
        for instrument, versions in selectors.instruments_with_versions(request.user)
    ]
    return render(
        request,
        "sustainability/instruments.html",
        {"nav": "instruments", "items": items, "upload_form": form, "can_manage": True, "has_errors": True},
        status=400,
    )


def _instrument(request: AuthenticatedHttpRequest, pk: Any) -> Instrument:
    try:
        return selectors.get_instrument_by_id(request.user, pk)
    except Instrument.DoesNotExist:
        raise Http404(_("Instrument not found.")) from None


def _version(request: AuthenticatedHttpRequest, pk: Any) -> InstrumentVersion:
    try:
        return selectors.get_version(request.user, pk)
    except InstrumentVersion.DoesNotExist:
        raise Http404(_("Instrument version not found.")) from None


def _can_manage(request: AuthenticatedHttpRequest, instrument: Instrument) -> bool:
    return (
        permissions.has_any(request.user, Capability.MANAGE_PROGRAMME)
        and instrument.programme is not None
        and permissions.holds(request.user, instrument.programme)
    )


@login_required
@require_GET
@needs(*INSTRUMENT_READERS)
def instrument_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    instrument = _instrument(request, pk)
    versions = []
    for version in selectors.versions_of(instrument):
        parsed = services.parsed_or_none(version)
        versions.append(
            {
                "version": version,
                "parsed": parsed,
                "problems": services.draft_problems(version) if not version.is_published else [],
                "questions": [
                    {
                        "q": q,
                        "label": label(q.labels, language()),
                        "options": [(o, label(o.labels, language())) for o in q.options],
                    }
                    for q in (parsed.questions if parsed else [])
                ],
                "bands": [(b, label(b.labels, language())) for b in (parsed.bands if parsed else [])],
            }
        )
    return render(
        request,
        "sustainability/instrument_detail.html",
        {
            "nav": "instruments",
            "instrument": instrument,
            "versions": versions,
            "can_manage": _can_manage(request, instrument),
            "can_import": request.user.has_capability(Capability.IMPORT_SUBMISSIONS),
            "submissions_form": forms.SubmissionsForm(),
        },
    )


@login_required
@require_GET
@needs(*INSTRUMENT_READERS)
def version_xlsform(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    parsed = services.parsed_or_none(version)
    if parsed is None:
        raise Http404(_("This draft is not complete yet."))
    code = language().split("-")[0]
    sheets = xlsform.xlsform_sheets(parsed, code if code in ("es", "en", "fr") else "es")
    return exports.download_workbook(
        request.user, f"{version.instrument.code}-v{version.number}", sheets, purpose="XLSForm", obj=version
    )


@login_required
@require_GET
@needs(*INSTRUMENT_READERS)
def version_definition(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    text = yaml.safe_dump(version.definition, allow_unicode=True, sort_keys=False, width=120)
    audit.record_access(request.user, "export", version, purpose="instrument definition (YAML)")
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    filename = exports.safe_filename(f"{version.instrument.code}-v{version.number}", "yaml", dated=False)
    response["Content-Disposition"] = exports.attachment(filename)
    return response


@login_required
@require_POST
@needs(Capability.MANAGE_PROGRAMME)
def version_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    try:
        services.publish_version(request.user, version, expected_version=versioning.posted_version(request.POST))
    except StaleVersion as exc:
        messages.error(
            request,
            _("%(message)s Review the draft as it is now before publishing it.") % {"message": exc.message},
        )
    except ValidationError as exc:
        messages.error(
            request,
            _("This version cannot be published yet: %(problems)s") % {"problems": "; ".join(exc.messages[:10])},
        )
    else:
        messages.success(request, _("Version %(number)s published.") % {"number": version.number})
    return redirect("sustainability:instrument", pk=version.instrument_id)


@login_required
@require_http_methods(["GET", "POST"])
@needs(Capability.MANAGE_PROGRAMME)
def version_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    if not _can_manage(request, version.instrument) or version.is_published:
        raise PermissionDenied(_("Only a draft of your programme's own instrument can be edited."))
    initial = _definition_text(version)
    form = forms.DraftForm(request.POST or None, initial={"definition": initial})
    posted = request.method == "POST"
    record_version = versioning.posted_version(request.POST) if posted else version.revision
    conflict = None
    if posted and form.is_valid():
        try:
            raw = services.read_definition_file(form.cleaned_data["definition"].encode())
            services.update_draft(request.user, version, raw, expected_version=record_version)
        except StaleVersion as exc:
            label = str(form.fields["definition"].label)
            mine = form.cleaned_data["definition"]
            difference = versioning.text_difference(label, _definition_text(version), mine)
            conflict, record_version = versioning.conflict(exc, [], [difference]), exc.current_version
        except ValidationError as exc:
            apply_service_errors(exc, form, onto="definition")
        else:
            problems = services.draft_problems(version)
            if problems:
                messages.warning(
                    request,
                    _("Draft saved. Still to complete before publishing: %(n)s problems.") % {"n": len(problems)},
                )
            else:
                messages.success(request, _("Draft saved. It is complete and can be published."))
            return redirect("sustainability:instrument", pk=version.instrument_id)
    return render(
        request,
        "sustainability/version_edit.html",
        {
            "nav": "instruments",
            "version": version,
            "form": form,
            "problems": services.draft_problems(version),
            "record_version": record_version,
            "conflict": conflict,
            "has_errors": posted and (bool(form.errors) or conflict is not None),
        },
    )


def _definition_text(version: InstrumentVersion) -> str:
    return yaml.safe_dump(version.definition, allow_unicode=True, sort_keys=False, width=120)


@login_required
@require_POST
@needs(Capability.IMPORT_SUBMISSIONS)
def version_submissions(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    form = forms.SubmissionsForm(request.POST, request.FILES)
    report = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = services.import_submissions(request.user, version, upload, upload.name).as_dict()
        except ValidationError as exc:
            apply_service_errors(exc, form, onto="file")
        else:
            audit.record_access(
                request.user, "import", version, purpose=f"RSS submissions: {report['imported']} imported"
            )
    return render(
        request,
        "sustainability/import_report.html",
        {"nav": "instruments", "version": version, "form": form, "report": report},
        status=200 if report is not None else 400,
    )
