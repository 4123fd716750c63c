"""Pages of the referral pathways (SOPs) under /derivaciones/procedimientos/."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from reintegra.access import permissions
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.roles import Capability
from reintegra.api.fields import parse_id
from reintegra.referrals import catalogue, forms, selectors, services
from reintegra.referrals import permissions as referral_permissions
from reintegra.referrals.choices import PathwayPopulation
from reintegra.referrals.models import ReferralPathway
from reintegra.referrals.pages import PAGE_SIZE
from reintegra.web.forms import apply_service_errors
from reintegra.web.pagination import page_of


@login_required
@require_GET
def pathway_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    permissions.require(request.user, Capability.VIEW_SERVICE_DIRECTORY)
    population = request.GET.get("population", "")
    population = population if population in PathwayPopulation.values else ""
    qs = selectors.pathway_list(request.user, current_only=not request.GET.get("all"), population=population)
    return render(
        request,
        "referrals/pathway_list.html",
        {
            "nav": "service_directory",
            "page": page_of(request, qs, PAGE_SIZE),
            "can_manage": referral_permissions.can_manage_pathways(request.user),
            "show_all": bool(request.GET.get("all")),
            "population": population,
            "populations": PathwayPopulation.choices,
        },
    )


def _get_pathway(request: AuthenticatedHttpRequest, pk: Any, *, for_write: bool = False) -> ReferralPathway:
    try:
        return referral_permissions.access_pathway_by_id(request.user, pk, for_write=for_write)
    except ReferralPathway.DoesNotExist:
        raise Http404(_("SOP not found.")) from None


@login_required
@require_GET
def pathway_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    permissions.require(request.user, Capability.VIEW_SERVICE_DIRECTORY)
    pathway = _get_pathway(request, pk)
    return render(
        request,
        "referrals/pathway_detail.html",
        {
            "nav": "service_directory",
            "pathway": pathway,
            "fields": [catalogue.FIELDS[c] for c in catalogue.FIELDS if c in set(pathway.fields)],
            "can_manage": referral_permissions.can_manage_pathways(request.user)
            and permissions.holds(request.user, pathway.referring_organisation_id)
            and pathway.is_current,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def pathway_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    if not referral_permissions.can_manage_pathways(request.user):
        raise permissions.denied()
    previous = _get_pathway(request, pk, for_write=True) if pk is not None else None
    initial: dict[str, Any] = {"transferred_fields": catalogue.DEFAULT_FIELDS, "approved_on": timezone.localdate()}
    # From the recommendations: ?provider=&service= start an SOP for that provider (and service).
    for name in ("provider", "service"):
        if parse_id(request.GET.get(name)):
            initial[name] = parse_id(request.GET.get(name))
    if previous is not None:
        initial.update(
            {
                name: getattr(previous, name)
                for name in (
                    "provider",
                    "title",
                    "transfer_method",
                    "consent_procedure",
                    "first_contact",
                    "response_time_hours",
                    "follow_up",
                    "documentation",
                    "cost_arrangements",
                    "population",
                    "child_safeguards",
                )
            }
        )
        initial["service"] = previous.service_id
        initial["transferred_fields"] = list(previous.fields)
    form = forms.PathwayForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        service_id = form.cleaned_data.get("service")
        service = selectors.service_or_none(service_id) if service_id else None
        try:
            pathway = services.save_pathway(request.user, form.to_input(service), previous=previous)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("SOP saved (version %(version)s).") % {"version": pathway.version})
            return redirect("referrals:pathway", pk=pathway.pk)
    return render(
        request,
        "referrals/pathway_form.html",
        {
            "nav": "service_directory",
            "form": form,
            "previous": previous,
            "has_errors": form.is_bound and bool(form.errors),
        },
    )
