"""Programmes of the user's organisation and their settings (programme managers edit them)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from reintegra.access import permissions, programme_settings, selectors, services
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.models import Programme
from reintegra.access.programme_forms import ProgrammeSettingsForm
from reintegra.access.roles import Capability
from reintegra.access.versioning import StaleVersion
from reintegra.web import versioning
from reintegra.web.forms import apply_service_errors


@login_required
@require_GET
def programme_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    programmes = selectors.programme_list(request.user)
    return render(
        request,
        "access/programmes.html",
        {
            "nav": "programmes",
            "programmes": programmes,
            "can_manage": request.user.has_capability(Capability.MANAGE_PROGRAMME),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    permissions.require(request.user, Capability.MANAGE_PROGRAMME)
    try:
        programme = selectors.get_programme(request.user, pk)
    except Programme.DoesNotExist:
        raise Http404 from None
    form = ProgrammeSettingsForm(request.POST or None, initial=ProgrammeSettingsForm.initial_for(programme))
    context: dict[str, Any] = {
        "nav": "programmes",
        "programme": programme,
        "form": form,
        "other_settings": programme_settings.links_for(programme.pk),
    }
    if request.method != "POST":
        context["record_version"] = programme.revision
        return render(request, "access/programme_form.html", context)
    context["record_version"] = versioning.posted_version(request.POST)
    if form.is_valid():
        try:
            services.update_programme(
                request.user, programme, form.cleaned_data, expected_version=context["record_version"]
            )
        except StaleVersion as stale:
            stored = ProgrammeSettingsForm.initial_for(stale.current)
            context.update(conflict=versioning.conflict(stale, [(form, stored)]), record_version=stale.current_version)
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, _("The programme settings were saved."))
            return redirect("programmes:list")
    context["has_errors"] = bool(form.errors) or "conflict" in context
    return render(request, "access/programme_form.html", context)
