"""Pages of the child's case (/ninez/): the "Children" case tab, the profile, the best-interests assessments
and their approval, the determination, the child's participation, a child case for a returned minor of the
household, and the supervisor's queue. Thin: forms parse, selectors read (BIA and BID reads audited there),
services write and decide."""

from __future__ import annotations

from collections.abc import Callable
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
from reintegra.access.models import User
from reintegra.access.roles import Capability
from reintegra.access.transitions import TransitionError
from reintegra.cases.models import Case
from reintegra.cases.pages import case_page_context
from reintegra.children import forms, permissions, selectors, services, tracing_selectors
from reintegra.children.choices import BiaPriority, RiskIndicator
from reintegra.children.models import BestInterestsAssessment
from reintegra.web.forms import apply_service_errors
from reintegra.web.steps import show_refused
from reintegra.web.versioning import posted_version, version_of

TAB = "children"


def _case(request: AuthenticatedHttpRequest, pk: Any, *, for_write: bool = False) -> Case:
    # Role checks before any lookup, as the API's: a forbidden page never reveals whether a case exists.
    access_permissions.require(request.user, Capability.SEE_PROTECTION)
    if for_write:
        access_permissions.require(request.user, Capability.EDIT_CASES)
    try:
        return permissions.access_child_case_by_id(request.user, pk, for_write=for_write)
    except Case.DoesNotExist:
        raise Http404(_("Case not found.")) from None


def _assessment(request: AuthenticatedHttpRequest, case: Case, bia_id: Any) -> BestInterestsAssessment:
    try:
        return selectors.get_assessment(request.user, case, bia_id)
    except BestInterestsAssessment.DoesNotExist:
        raise Http404(_("Assessment not found.")) from None


def _page(request: AuthenticatedHttpRequest, case: Case, template: str, **extra: Any) -> HttpResponse:
    ctx = case_page_context(request, case, TAB)
    ctx.update(extra)
    return render(request, template, ctx)


def _tab(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return redirect("children:case", pk=pk)


# --- The "Children" tab ---------------------------------------------------------------------------


@login_required
@require_GET
def case(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    user = request.user
    audit.record_access(user, "view", case, purpose="case page: children")
    is_child = selectors.is_child_case(case)
    determination = selectors.current_determination(case) if is_child else None
    sees_bid = permissions.can_see_determination(user, case, determination)
    can_edit = permissions.can_change_case(user, case)
    return _page(
        request,
        case,
        "children/case.html",
        is_child_case=is_child,
        profile=selectors.profile_of(case) if is_child else None,
        assessments=selectors.assessments_of(user, case) if is_child else [],
        sees_determination=is_child and sees_bid,
        determination=selectors.read_determination(user, determination) if determination and sees_bid else None,
        panel=selectors.panel_of(determination) if sees_bid else [],
        participations=selectors.participations_of(case) if is_child else [],
        family_group=selectors.family_group(case),
        minors=selectors.minor_members_without_case(case) if can_edit else [],
        can_edit=can_edit,
        is_supervisor=permissions.is_supervisor_of(user, case),
        rules=_plan_rules(case) if is_child else [],
        **_tracing_section(user, case, is_child),
    )


def _tracing_section(user: User, case: Case, is_child: bool) -> dict[str, Any]:
    """The family tracing section embedded in the tab (its own context, less the case the page has)."""
    if not is_child:
        return {}
    return {key: value for key, value in tracing_selectors.section_for(user, case).items() if key != "case"}


def _plan_rules(case: Case) -> list[str]:
    """What the plan's agreement still waits for (the service's rule, asked without writing)."""
    try:
        services.check_plan_agreement(case)
    except TransitionError as exc:
        return [exc.message]
    return []


# --- Profile -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, for_write=True)
    profile = selectors.profile_of(case)
    data = request.POST if request.method == "POST" else None
    form = forms.ProfileForm(data, initial=forms.ProfileForm.initial_of(profile))
    caregivers = forms.CaregiverFormSet(
        data, initial=list(profile.caregivers or []) if profile else [], prefix="caregivers"
    )
    if data is not None and form.is_valid() and caregivers.is_valid():
        kept = forms.kept_caregivers(caregivers)
        try:
            services.save_profile(
                request.user, case, form.to_input(kept), expected_version=posted_version(request.POST)
            )
        except TransitionError as exc:
            show_refused(request, exc)
            return _tab(request, case.pk)
        except ValidationError as exc:
            apply_service_errors(exc, form, rows={"caregivers": kept})
        else:
            messages.success(request, _("The child's profile was saved."))
            return _tab(request, case.pk)
    return _page(
        request,
        case,
        "children/profile_form.html",
        form=form,
        caregivers=caregivers,
        record_version=version_of(profile),
        has_errors=bool(data is not None and (form.errors or any(caregivers.errors))),
    )


# --- BIA -----------------------------------------------------------------------------------------


def _save_assessment(
    request: AuthenticatedHttpRequest, case: Case, form: forms.AssessmentForm, bia: BestInterestsAssessment | None
) -> BestInterestsAssessment | None:
    complete = "complete" in request.POST
    try:
        if bia is None:
            return services.start_assessment(request.user, case, form.to_input(complete=complete))
        return services.update_assessment(
            request.user, bia, form.to_input(complete=complete), expected_version=posted_version(request.POST)
        )
    except TransitionError as exc:
        show_refused(request, exc)
    except ValidationError as exc:
        apply_service_errors(exc, form)
    return None


def _assessment_form(
    request: AuthenticatedHttpRequest, case: Case, bia: BestInterestsAssessment | None
) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = forms.AssessmentForm(data, initial=forms.AssessmentForm.initial_of(bia) if bia else None)
    if data is not None and form.is_valid():
        saved = _save_assessment(request, case, form, bia)
        if saved is not None:
            messages.success(request, _("The best-interests assessment was saved."))
            return redirect("children:assessment", pk=case.pk, bia_id=saved.pk)
    return _page(
        request,
        case,
        "children/assessment_form.html",
        form=form,
        bia=bia,
        record_version=version_of(bia) if bia else None,
        has_errors=bool(form.errors),
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _assessment_form(request, _case(request, pk, for_write=True), None)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_edit(request: AuthenticatedHttpRequest, pk: int, bia_id: int) -> HttpResponse:
    case = _case(request, pk, for_write=True)
    return _assessment_form(request, case, _assessment(request, case, bia_id))


@login_required
@require_GET
def assessment_detail(request: AuthenticatedHttpRequest, pk: int, bia_id: int) -> HttpResponse:
    case = _case(request, pk)
    bia = _assessment(request, case, bia_id)
    form = forms.AssessmentForm(initial=forms.AssessmentForm.initial_of(bia))
    return _page(
        request,
        case,
        "children/assessment_detail.html",
        bia=bia,
        sections=form.sections(),
        # The labels of the indicators recorded, in the choices' order (none: a dash).
        risk_labels=[label for code, label in RiskIndicator.choices if code in (bia.risk_indicators or [])],
        can_edit=permissions.can_change_case(request.user, case),
        can_approve=permissions.is_supervisor_of(request.user, case) and bia.assessed_by_id != request.user.pk,
        approve_form=forms.ApproveForm(),
    )


def _supervisor_decision(
    request: AuthenticatedHttpRequest, pk: int, bia_id: int, decide: Callable[..., Any], done: str
) -> HttpResponse:
    """Approve or send back a completed BIA: the same checks, note and answers for both decisions."""
    access_permissions.require(request.user, Capability.APPROVE_BEST_INTERESTS)
    case = _case(request, pk, for_write=True)
    bia = _assessment(request, case, bia_id)
    form = forms.ApproveForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        decide(request.user, bia, note=note)
    except TransitionError as exc:
        show_refused(request, exc)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("children:assessment", pk=case.pk, bia_id=bia.pk)


@login_required
@require_POST
def assessment_approve(request: AuthenticatedHttpRequest, pk: int, bia_id: int) -> HttpResponse:
    done = _("The best-interests assessment was approved.")
    return _supervisor_decision(request, pk, bia_id, services.approve_assessment, done)


@login_required
@require_POST
def assessment_return(request: AuthenticatedHttpRequest, pk: int, bia_id: int) -> HttpResponse:
    done = _("The assessment was sent back to its author for revision.")
    return _supervisor_decision(request, pk, bia_id, services.return_assessment, done)


# --- BID -----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def determination(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, for_write=request.method == "POST")
    current = selectors.current_determination(case)
    permissions.require_determination_read(request.user, case, current)
    if current is not None:
        selectors.read_determination(request.user, current)
    data = request.POST if request.method == "POST" else None
    form = forms.DeterminationForm(data, initial=forms.DeterminationForm.initial_of(current))
    members = forms.PanelFormSet(
        data,
        initial=[_member_initial(m) for m in selectors.panel_of(current)],
        prefix="members",
        form_kwargs={"organisation_id": case.organisation_id},
    )
    if data is not None and form.is_valid() and members.is_valid():
        kept = forms.kept_members(members)
        try:
            services.save_determination(
                request.user, case, form.to_input(kept), expected_version=posted_version(request.POST)
            )
        except TransitionError as exc:
            show_refused(request, exc)
            return _tab(request, case.pk)
        except ValidationError as exc:
            apply_service_errors(exc, form, rows={"members": kept})
        else:
            messages.success(request, _("The best-interests determination was saved."))
            return _tab(request, case.pk)
    return _page(
        request,
        case,
        "children/determination_form.html",
        form=form,
        members=members,
        record_version=version_of(current),
        has_errors=bool(data is not None and (form.errors or any(members.errors))),
    )


def _member_initial(member: Any) -> dict[str, Any]:
    return {
        "user": member.user_id,
        "name": "" if member.user_id else member.name,
        "role": member.role,
        "no_conflict_declared": member.no_conflict_declared,
        "conflict_note": member.conflict_note,
        "confidentiality_declared": member.confidentiality_declared,
    }


# --- Participation and child cases ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def participation_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, for_write=True)
    data = request.POST if request.method == "POST" else None
    form = forms.ParticipationForm(data, initial={"decision": request.GET.get("decision", "")})
    if data is not None and form.is_valid():
        v = form.cleaned_data
        try:
            services.record_participation(
                request.user,
                case,
                decision=v["decision"],
                method=v["method"],
                views=v["views"],
                recorded_on=v["recorded_on"],
            )
        except TransitionError as exc:
            show_refused(request, exc)
            return _tab(request, case.pk)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The child's participation was recorded."))
            return _tab(request, case.pk)
    return _page(request, case, "children/participation_form.html", form=form, has_errors=bool(form.errors))


@login_required
@require_http_methods(["GET", "POST"])
def child_case_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, for_write=True)
    data = request.POST if request.method == "POST" else None
    form = forms.ChildCaseForm(data, members=selectors.minor_members_without_case(case))
    if data is not None and form.is_valid():
        try:
            child = services.create_child_case(request.user, case, form.cleaned_data["member"])
        except TransitionError as exc:
            show_refused(request, exc)
            return _tab(request, case.pk)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("Child case %(number)s was opened.") % {"number": child.case_number})
            return redirect("children:case", pk=child.pk)
    return _page(request, case, "children/child_case_form.html", form=form, has_errors=bool(form.errors))


# --- The supervisor's queue -----------------------------------------------------------------------


@login_required
@require_GET
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    access_permissions.require(request.user, Capability.APPROVE_BEST_INTERESTS)
    found = selectors.approval_queue(request.user)
    overdue = [(BiaPriority(p).label, rows) for p, rows in found.overdue.items()]
    return render(
        request,
        "children/queue.html",
        {"nav": "bia_queue", "awaiting": found.awaiting, "overdue": overdue, "overdue_count": found.overdue_count},
    )
