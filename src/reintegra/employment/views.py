"""Pages of labour intermediation (/empleo/): the case tab "Empleo" (profile, matching vacancies with their
explanation, placements and retention checks), the profile form, vacancies with their ranked candidates,
and the skills gaps. Thin: forms parse, selectors read, services write and decide."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.access import audit
from reintegra.access import permissions as access_permissions
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.roles import Capability
from reintegra.cases.models import Case
from reintegra.cases.pages import case_page_context
from reintegra.employment import cv, forms, permissions, selectors, services
from reintegra.employment.choices import PlacementStatus
from reintegra.employment.models import Placement, Vacancy
from reintegra.protection.services import ConsentRequired
from reintegra.referrals import catalogue
from reintegra.web.forms import apply_service_errors
from reintegra.web.versioning import posted_version, version_of

TAB = "employment"


def _case(request: AuthenticatedHttpRequest, pk: Any, *, for_write: bool = False) -> Case:
    access_permissions.require(request.user, *permissions.CASE_READ)
    if for_write:
        access_permissions.require(request.user, Capability.EDIT_CASES)
    try:
        return permissions.access_case_by_id(request.user, pk, for_write=for_write)
    except Case.DoesNotExist:
        raise Http404(_("Case not found.")) from None


def _vacancy(request: AuthenticatedHttpRequest, pk: Any) -> Vacancy:
    try:
        return permissions.access_vacancy_by_id(request.user, pk)
    except Vacancy.DoesNotExist:
        raise Http404(_("Vacancy not found.")) from None


def _page(request: AuthenticatedHttpRequest, case: Case, template: str, **extra: Any) -> HttpResponse:
    ctx = case_page_context(request, case, TAB)
    ctx.update(extra)
    return render(request, template, ctx)


# --- The "Empleo" tab ------------------------------------------------------------------------------


@login_required
@require_GET
def case_tab(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    user = request.user
    audit.record_access(user, "view", case, purpose="case page: employment")
    profile = selectors.profile_of(case)
    placements = list(selectors.placements_of(profile)) if profile else []
    shortlisted = {p.vacancy_id for p in placements}
    return _page(
        request,
        case,
        "employment/case.html",
        profile=profile,
        shown=cv.present_profile(profile) if profile else None,
        consent=selectors.has_employment_consent(case),
        matches=[m for m in selectors.matches_for_profile(user, profile, limit=10)] if profile else [],
        shortlisted=shortlisted,
        placements=placements,
        referable={p.pk for p in placements if services.may_refer(p)},
        can_edit=permissions.can_change_profile(user, case),
        step_form=forms.StepForm(),
        retention_form=forms.RetentionForm(),
        done=(PlacementStatus.HIRED, PlacementStatus.NOT_HIRED),
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, for_write=True)
    profile = selectors.profile_of(case)
    data = request.POST if request.method == "POST" else None
    form = forms.ProfileForm(data, initial=forms.ProfileForm.initial_of(profile))
    formsets = forms.row_formsets(data, profile)
    if data is not None and form.is_valid() and all(f.is_valid() for f in formsets.values()):
        rows = {name: forms.kept_rows(f) for name, f in formsets.items()}
        try:
            services.save_profile(
                request.user, case, forms.profile_input(form, rows), expected_version=posted_version(request.POST)
            )
        except ValidationError as exc:
            apply_service_errors(exc, form, rows=rows)
        else:
            messages.success(request, _("The jobseeker profile was saved."))
            return redirect("employment:case", pk=case.pk)
    return _page(
        request,
        case,
        "employment/profile_form.html",
        form=form,
        formsets=formsets,
        record_version=version_of(profile),
        consent=selectors.has_employment_consent(case),
        has_errors=bool(data is not None and (form.errors or any(any(f.errors) for f in formsets.values()))),
    )


@login_required
@require_POST
def shortlist(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, for_write=True)
    profile = selectors.profile_of(case)
    if profile is None:
        raise Http404(_("No jobseeker profile."))
    form = forms.ShortlistForm(request.POST)
    vacancy = _vacancy(request, form.data.get("vacancy"))
    try:
        services.shortlist(request.user, vacancy, profile)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Shortlisted for the vacancy."))
    return redirect("employment:case", pk=case.pk)


@login_required
@require_POST
def placement_step(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access_permissions.require(request.user, Capability.EDIT_CASES)
    try:
        placement = selectors.get_placement(request.user, pk)
    except Placement.DoesNotExist:
        raise Http404(_("Placement not found.")) from None
    form = forms.StepForm(request.POST)
    form.is_valid()
    d = form.cleaned_data
    try:
        services.advance_placement(
            request.user, placement, step=d.get("step") or "", on=d.get("on"), reason=d.get("reason") or ""
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The placement was updated."))
    return redirect("employment:case", pk=placement.profile.case_id)


@login_required
@require_http_methods(["GET", "POST"])
def refer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Refer a shortlisted candidate to the employer or intermediation service through the referral network."""
    access_permissions.require(request.user, Capability.EDIT_CASES)
    try:
        placement = selectors.get_placement(request.user, pk)
    except Placement.DoesNotExist:
        raise Http404(_("Placement not found.")) from None
    case = _case(request, placement.profile.case_id, for_write=True)
    offered = selectors.placement_services(request.user, case)
    data = request.POST if request.method == "POST" else None
    form = forms.ReferForm(data, services_offered=offered)
    if data is not None and form.is_valid():
        service = next((s for s, _pathway in offered if s.pk == form.service_id()), None)
        try:
            services.refer_candidate(request.user, placement, service=service, note=form.cleaned_data["note"])
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ConsentRequired as exc:
            form.add_error(None, ValidationError(str(exc), code="consent_required"))
        else:
            messages.success(request, _("The candidate was referred to the employer through the referral network."))
            return redirect("employment:case", pk=case.pk)
    profile = placement.profile
    return _page(
        request,
        case,
        "employment/refer.html",
        form=form,
        placement=placement,
        offered=[(s, [catalogue.FIELDS[c].label for c in catalogue.FIELDS if c in set(p.fields)]) for s, p in offered],
        cv_lines=cv.cv_text(profile).splitlines(),
        has_errors=bool(data is not None and form.errors),
    )


@login_required
@require_POST
def retention(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access_permissions.require(request.user, Capability.EDIT_CASES)
    check = selectors.get_retention_check(request.user, pk)
    if check is None:
        raise Http404(_("Retention check not found."))
    form = forms.RetentionForm(request.POST)
    form.is_valid()
    d = form.cleaned_data
    try:
        services.record_retention(request.user, check, outcome=d.get("outcome") or "", checked_on=d.get("checked_on"))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The retention check was recorded."))
    return redirect("employment:case", pk=check.placement.profile.case_id)


# --- Vacancies -------------------------------------------------------------------------------------


@login_required
@require_GET
def vacancies(request: AuthenticatedHttpRequest) -> HttpResponse:
    access_permissions.require(request.user, *permissions.VACANCY_READ)
    return render(
        request,
        "employment/vacancies.html",
        {
            "vacancies": selectors.vacancies_page(request.user),
            "can_create": access_permissions.has_any(request.user, Capability.EDIT_STRUCTURAL),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def vacancy_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    access_permissions.require(request.user, Capability.EDIT_STRUCTURAL)
    user = request.user
    data = request.POST if request.method == "POST" else None
    form = forms.VacancyForm(
        data,
        programmes=selectors.editable_programmes(user),
        employers=selectors.employers_for(user),
    )
    if data is not None and form.is_valid():
        try:
            vacancy = services.save_vacancy(user, form.to_input())
        except ValidationError as exc:
            apply_service_errors(
                exc, form, aliases={"languages.0.language": "language", "languages.0.level": "language_level"}
            )
        else:
            messages.success(request, _("The vacancy was saved."))
            return redirect("employment:vacancy", pk=vacancy.pk)
    return render(
        request,
        "employment/vacancy_form.html",
        {"form": form, "has_errors": bool(data is not None and form.errors)},
    )


@login_required
@require_GET
def vacancy_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    vacancy = _vacancy(request, pk)
    user = request.user
    sees = permissions.can_see_matches(user)
    return render(
        request,
        "employment/vacancy.html",
        {
            "vacancy": vacancy,
            "matches": selectors.matches_for_vacancy(user, vacancy, limit=50) if sees else [],
            "sees_matches": sees,
            "placements": selectors.placements_q_for_vacancy(user, vacancy) if sees else [],
        },
    )


# --- Skills gaps -----------------------------------------------------------------------------------


@login_required
@require_GET
def skills_gaps(request: AuthenticatedHttpRequest) -> HttpResponse:
    permissions.require_aggregates(request.user)
    raw = request.GET.get("admin1", "")
    admin1 = selectors.admin1_of(raw)
    k = selectors.suppression_threshold(request.user)
    gaps, total = selectors.skills_gaps(request.user, admin1_id=admin1.pk if admin1 else None, k=k)
    return render(
        request,
        "employment/skills_gaps.html",
        {
            "gaps": gaps[:50],
            "total": total,
            "k": k,
            "admin1": admin1,
            "areas": selectors.admin1_areas(),
        },
    )
