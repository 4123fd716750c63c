"""Pages of the community level under /comunidades/: communities (list, new, edit, the community's page
with its services, organisations, favourable-site checklist and participatory sessions) and the return
hotspots (table, sparklines, bar chart, CSV/XLSX). Thin: forms parse, selectors read, services write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.access import exports
from reintegra.access import permissions as access_permissions
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.roles import Capability
from reintegra.access.versioning import StaleVersion
from reintegra.community import forms, hotspot_table, perception_selectors, permissions, selectors, services
from reintegra.community.choices import ProjectStatus
from reintegra.community.models import (
    Community,
    CommunityProfile,
    CommunityProject,
    ParticipatorySession,
    ProjectParticipant,
)
from reintegra.web import versioning
from reintegra.web.forms import apply_service_errors

NAV = "community"
NAV_PROJECTS = "community_projects"


def _community(request: AuthenticatedHttpRequest, pk: Any, *, for_write: bool = False) -> Community:
    # The role check first: a forbidden page never reveals whether a community exists.
    access_permissions.require(request.user, permissions.EDIT if for_write else permissions.READ, permissions.EDIT)
    try:
        return permissions.access_community_by_id(request.user, pk, for_write=for_write)
    except Community.DoesNotExist:
        raise Http404(_("Community not found.")) from None


def _country(request: AuthenticatedHttpRequest) -> str:
    organisation = request.user.organisation
    return str(organisation.country) if organisation else ""


@login_required
@require_GET
def community_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access_permissions.require(request.user, permissions.READ, permissions.EDIT)
    return render(
        request,
        "community/community_list.html",
        {
            "communities": selectors.communities_for(request.user),
            "can_edit": permissions.can_edit(request.user),
            "can_hotspots": permissions.can_view_hotspots(request.user),
            "nav": NAV,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def community_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    access_permissions.require(request.user, permissions.EDIT)
    community = _community(request, pk, for_write=True) if pk is not None else None
    data = request.POST if request.method == "POST" else None
    country = community.country if community else _country(request)
    initial = forms.CommunityForm.initial_of(community) if community else None
    form = forms.CommunityForm(data, initial=initial, country=country)
    record_version = versioning.posted_version(request.POST) if data is not None else versioning.version_of(community)
    conflict = None
    if data is not None and form.is_valid():
        try:
            saved = services.save_community(
                request.user, form.to_input(), community, expected_version=record_version if community else None
            )
        except StaleVersion as exc:
            assert isinstance(exc.current, Community)
            stored = forms.CommunityForm.initial_of(exc.current)
            conflict, record_version = versioning.conflict(exc, [(form, stored)]), exc.current_version
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The community was saved."))
            return redirect("community:detail", saved.pk)
    context = {
        "form": form,
        "community": community,
        "has_errors": bool(form.errors) or conflict is not None,
        "record_version": record_version if community else None,
        "conflict": conflict,
        "nav": NAV,
    }
    return render(request, "community/community_form.html", context)


@login_required
@require_GET
def community_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    community = _community(request, pk)
    checklist = selectors.checklist_of(community)
    return render(
        request,
        "community/community_detail.html",
        {
            "community": community,
            "organisations": selectors.organisations_of(community),
            "services": selectors.services_covering(community)[:50],
            "checklist": checklist,
            "site_total": selectors.site_total(checklist),
            "sessions": selectors.sessions_of(community),
            "profile": (profile := selectors.current_profile(community)),
            "profile_rows": selectors.profile_rows(profile) if profile else [],
            "profile_history": selectors.profiles_of(community)[1:],
            "projects": selectors.projects_of_community(community),
            "perception": perception_selectors.results_of(community),
            "can_edit": permissions.holds_and_edits(request.user, community),
            "nav": NAV,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def checklist_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    community = _community(request, pk, for_write=True)
    data = request.POST if request.method == "POST" else None
    form = forms.ChecklistForm(data, initial=forms.ChecklistForm.initial_of(selectors.checklist_of(community)))
    record_version = versioning.posted_version(request.POST) if data is not None else versioning.version_of(community)
    conflict = None
    if data is not None and form.is_valid():
        try:
            services.save_checklist(request.user, community, form.to_input(), expected_version=record_version)
        except StaleVersion as exc:
            stored = forms.ChecklistForm.initial_of(selectors.checklist_of(community))
            conflict, record_version = versioning.conflict(exc, [(form, stored)]), exc.current_version
        except ValidationError as exc:
            apply_service_errors(exc, form, aliases=_checklist_aliases())
        else:
            messages.success(request, _("The favourable-site checklist was saved."))
            return redirect("community:detail", community.pk)
    context = {
        "form": form,
        "community": community,
        "has_errors": bool(form.errors) or conflict is not None,
        "record_version": record_version,
        "conflict": conflict,
        "nav": NAV,
    }
    return render(request, "community/checklist_form.html", context)


def _checklist_aliases() -> dict[str, str]:
    from reintegra.community.choices import SiteCriterion

    aliases = {}
    for i, code in enumerate(SiteCriterion.values):
        aliases[f"scores.{i}.score"] = f"{code}_score"
        aliases[f"scores.{i}.evidence"] = f"{code}_evidence"
    return aliases


def _session_aliases() -> dict[str, str]:
    return {f"participants.{key}": forms.SessionForm.count_name(key) for key in services.PARTICIPANT_KEYS}


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: AuthenticatedHttpRequest, pk: int, session_pk: int | None = None) -> HttpResponse:
    community = _community(request, pk, for_write=True)
    session = None
    if session_pk is not None:
        try:
            session = permissions.access_session_by_id(request.user, session_pk, for_write=True)
        except ParticipatorySession.DoesNotExist:
            raise Http404(_("Session not found.")) from None
        if session.community_id != community.pk:
            raise Http404(_("Session not found."))
    data = request.POST if request.method == "POST" else None
    form = forms.SessionForm(data, initial=forms.SessionForm.initial_of(session) if session else None)
    if data is not None and form.is_valid():
        try:
            services.record_session(request.user, community, form.to_input(), session)
        except ValidationError as exc:
            apply_service_errors(exc, form, aliases=_session_aliases())
        else:
            messages.success(request, _("The participatory session was saved."))
            return redirect("community:detail", community.pk)
    return render(
        request,
        "community/session_form.html",
        {"form": form, "community": community, "session": session, "has_errors": bool(form.errors), "nav": NAV},
    )


@login_required
@require_GET
def hotspots(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    if not permissions.can_view_hotspots(request.user):
        raise access_permissions.denied()
    form = forms.HotspotFilterForm(request.GET or None)
    values: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if v}
    found = selectors.hotspots_for(
        request.user, country=values.get("country", ""), period_days=values.get("period_days") or 365
    )
    fmt = request.GET.get("format", "")
    if fmt in exports.FORMATS:
        return exports.download(
            request.user,
            fmt,
            "comunidades-focos-de-retorno",
            hotspot_table.header(),
            hotspot_table.export_rows(found),
            purpose="return hotspots",
            object_type="community.community",
            codes=exports.codes_requested(request),
        )
    rows = [
        (row, hotspot_table.sparkline(row), hotspot_table.dimension_label(row.spot.weakest_dimension))
        for row in found.rows
    ]
    return render(
        request,
        "community/hotspots.html",
        {
            "form": form,
            "found": found,
            "rows": rows,
            "chart": hotspot_table.bar_chart(found),
            "map": hotspot_table.choropleth(found, selectors.hotspot_boundaries(found)),
            "nav": "community_hotspots",
        },
    )


# --- Community profiles ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def profile_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A new version of the community's profile, starting from the current one."""
    community = _community(request, pk, for_write=True)
    current = selectors.current_profile(community)
    data = request.POST if request.method == "POST" else None
    form = forms.ProfileForm(data, initial=forms.ProfileForm.initial_of(current))
    if data is not None and form.is_valid():
        try:
            services.save_profile(request.user, community, form.to_input())
        except ValidationError as exc:
            apply_service_errors(exc, form, aliases=forms.ProfileForm.aliases())
        else:
            messages.success(request, _("The community profile was saved."))
            return redirect("community:detail", community.pk)
    return render(
        request,
        "community/profile_form.html",
        {"form": form, "community": community, "current": current, "has_errors": bool(form.errors), "nav": NAV},
    )


@login_required
@require_GET
def profile_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access_permissions.require(request.user, permissions.READ, permissions.EDIT)
    try:
        profile = permissions.access_profile_by_id(request.user, pk)
    except CommunityProfile.DoesNotExist:
        raise Http404(_("Profile not found.")) from None
    return render(
        request,
        "community/profile_detail.html",
        {
            "profile": profile,
            "community": profile.community,
            "rows": selectors.profile_rows(profile),
            "history": selectors.profiles_of(profile.community),
            "nav": NAV,
        },
    )


# --- Community projects --------------------------------------------------------------------------------


def _project(request: AuthenticatedHttpRequest, pk: Any, *, for_write: bool = False) -> CommunityProject:
    access_permissions.require(request.user, permissions.EDIT if for_write else permissions.READ, permissions.EDIT)
    try:
        return permissions.access_project_by_id(request.user, pk, for_write=for_write)
    except CommunityProject.DoesNotExist:
        raise Http404(_("Project not found.")) from None


@login_required
@require_GET
def project_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access_permissions.require(request.user, permissions.READ, permissions.EDIT)
    form = forms.ProjectFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_bound and form.is_valid() else selectors.ProjectFilters()
    return render(
        request,
        "community/project_list.html",
        {
            "form": form,
            "projects": selectors.projects_for(request.user, filters),
            "can_edit": permissions.can_edit(request.user),
            "nav": NAV_PROJECTS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    access_permissions.require(request.user, permissions.EDIT)
    project = _project(request, pk, for_write=True) if pk is not None else None
    data = request.POST if request.method == "POST" else None
    initial = forms.ProjectForm.initial_of(project) if project else None
    if project is None and request.GET.get("community", "").isdigit():
        initial = {"communities": [int(request.GET["community"])]}
    stored = (len(project.budget_lines or []), len(project.milestones or [])) if project else (0, 0)
    form = forms.ProjectForm(
        data, initial=initial, user=request.user, stored_lines=stored[0], stored_milestones=stored[1]
    )
    record_version = versioning.posted_version(request.POST) if data is not None else versioning.version_of(project)
    conflict = None
    if data is not None and form.is_valid():
        try:
            saved = services.save_project(
                request.user, form.to_input(), project, expected_version=record_version if project else None
            )
        except StaleVersion as exc:
            assert isinstance(exc.current, CommunityProject)
            conflict = versioning.conflict(exc, [(form, forms.ProjectForm.initial_of(exc.current))])
            record_version = exc.current_version
        except ValidationError as exc:
            apply_service_errors(exc, form, aliases=form.aliases())
        else:
            messages.success(request, _("The community project was saved."))
            return redirect("community:project", saved.pk)
    context = {
        "form": form,
        "project": project,
        "has_errors": bool(form.errors) or conflict is not None,
        "record_version": record_version if project else None,
        "conflict": conflict,
        "nav": NAV_PROJECTS,
    }
    return render(request, "community/project_form.html", context)


@login_required
@require_GET
def project_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    can_edit = permissions.project_editable(request.user, project)
    dimension_labels, activity_labels = selectors.labels_of(project)
    return render(
        request,
        "community/project_detail.html",
        {
            "project": project,
            "communities": selectors.communities_of(project),
            "partners": selectors.partners_of(request.user, project),
            "participation": selectors.participation_of(request.user, project),
            "budget": selectors.budget_of(project),
            "milestones": selectors.milestones_of(project),
            "dimension_labels": dimension_labels,
            "activity_labels": activity_labels,
            "visits": selectors.visits_of(project),
            "can_edit": can_edit,
            "can_link": access_permissions.has_any(request.user, Capability.EDIT_CASES)
            and project.status != ProjectStatus.CLOSED,
            "is_open": project.status != ProjectStatus.CLOSED,
            "next_status": services.TRANSITIONS.get(ProjectStatus(project.status)),
            "nav": NAV_PROJECTS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Start a planned project, or close an active one with its closing assessment."""
    project = _project(request, pk, for_write=True)
    next_status = services.TRANSITIONS.get(ProjectStatus(project.status), "")
    data = request.POST if request.method == "POST" else None
    form = forms.StatusForm(data, initial={"status": next_status, "closed_on": timezone.localdate()})
    record_version = versioning.posted_version(request.POST) if data is not None else versioning.version_of(project)
    if data is not None and form.is_valid():
        try:
            services.change_project_status(request.user, project, form.to_input(), expected_version=record_version)
        except StaleVersion:
            messages.error(request, _("Someone changed this project since you opened it: check it and try again."))
            return redirect("community:project", project.pk)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The project's status was changed."))
            return redirect("community:project", project.pk)
    return render(
        request,
        "community/project_status.html",
        {
            "form": form,
            "project": project,
            "closing": next_status == ProjectStatus.CLOSED,
            "next_status": next_status,
            "record_version": record_version,
            "has_errors": bool(form.errors),
            "nav": NAV_PROJECTS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def participant_returnee(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Link one of the user's cases to the project (who may change the case; the service checks it)."""
    access_permissions.require(request.user, Capability.EDIT_CASES)
    project = _project(request, pk)
    data = request.POST if request.method == "POST" else None
    form = forms.ReturneeForm(data, user=request.user)
    if data is not None and form.is_valid():
        try:
            services.add_returnee(request.user, project, form.to_input())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The case now takes part in the project."))
            return redirect("community:project", project.pk)
    return render(
        request,
        "community/participant_form.html",
        {"form": form, "project": project, "returnee": True, "has_errors": bool(form.errors), "nav": NAV_PROJECTS},
    )


@login_required
@require_http_methods(["GET", "POST"])
def participant_residents(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record non-migrant residents taking part (a count; sex, age band and role if known; no names)."""
    project = _project(request, pk, for_write=True)
    data = request.POST if request.method == "POST" else None
    form = forms.ResidentsForm(data)
    if data is not None and form.is_valid():
        try:
            services.add_residents(request.user, project, form.to_input())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The non-migrant participants were recorded."))
            return redirect("community:project", project.pk)
    return render(
        request,
        "community/participant_form.html",
        {"form": form, "project": project, "returnee": False, "has_errors": bool(form.errors), "nav": NAV_PROJECTS},
    )


@login_required
@require_POST
def participant_remove(request: AuthenticatedHttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    project = _project(request, pk, for_write=True)
    participant = get_object_or_404(ProjectParticipant, pk=participant_pk, project=project)
    try:
        services.remove_participant(request.user, participant)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The participant was removed from the project."))
    return redirect("community:project", project.pk)


@login_required
@require_http_methods(["GET", "POST"])
def project_visit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk, for_write=True)
    data = request.POST if request.method == "POST" else None
    form = forms.VisitForm(data, initial={"visited_on": timezone.localdate()})
    if data is not None and form.is_valid():
        try:
            services.record_visit(request.user, project, form.to_input())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The follow-up visit was saved."))
            return redirect("community:project", project.pk)
    return render(
        request,
        "community/visit_form.html",
        {"form": form, "project": project, "has_errors": bool(form.errors), "nav": NAV_PROJECTS},
    )
