"""The page of a programme's child-protection settings (/ninez/programas/<pk>/plazos/), linked from the
programme's settings page (access.programme_settings)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from reintegra.access import permissions
from reintegra.access import selectors as access_selectors
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.models import Programme
from reintegra.access.roles import Capability
from reintegra.access.versioning import StaleVersion
from reintegra.children import selectors, settings_services
from reintegra.web import versioning
from reintegra.web.forms import apply_service_errors


class DeadlinesForm(forms.Form):
    high_priority_days = forms.IntegerField(
        label=gettext_lazy("High priority: days to complete the BIA"), help_text=gettext_lazy("Usually 2 days.")
    )
    medium_priority_days = forms.IntegerField(
        label=gettext_lazy("Medium priority: days to complete the BIA"), help_text=gettext_lazy("Usually a week.")
    )
    low_priority_days = forms.IntegerField(
        label=gettext_lazy("Low priority: days to complete the BIA"), help_text=gettext_lazy("Usually 30 days.")
    )

    def to_input(self) -> settings_services.DeadlineInput:
        return settings_services.DeadlineInput(**self.cleaned_data)


def _initial(programme: Programme) -> dict[str, int]:
    return {f"{priority}_priority_days": days for priority, days in selectors.deadlines_of(programme).items()}


@login_required
@require_http_methods(["GET", "POST"])
def deadlines(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    permissions.require(request.user, Capability.MANAGE_PROGRAMME)
    try:
        programme = access_selectors.get_programme(request.user, pk)
    except Programme.DoesNotExist:
        raise Http404 from None
    stored = selectors.settings_of(programme)
    form = DeadlinesForm(request.POST or None, initial=_initial(programme))
    context: dict[str, Any] = {"nav": "programmes", "programme": programme, "form": form}
    context["record_version"] = (
        versioning.posted_version(request.POST) if request.method == "POST" else (versioning.version_of(stored))
    )
    if request.method == "POST" and form.is_valid():
        try:
            settings_services.save_deadlines(
                request.user, programme, form.to_input(), expected_version=context["record_version"]
            )
        except StaleVersion as stale:
            context.update(
                conflict=versioning.conflict(stale, [(form, _initial(programme))]),
                record_version=stale.current_version,
            )
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, _("The best-interests assessment deadlines were saved."))
            return redirect("programmes:edit", pk=programme.pk)
    context["has_errors"] = form.is_bound and (bool(form.errors) or "conflict" in context)
    return render(request, "children/deadlines.html", context)
