"""The forms of each step of a case (personal details, return, household, assessment, counselling, plan,
follow-up, closure, assignment): set-up, validation, the service call, the page.

What a step may do in which case status comes from `cases.lifecycle`: a step not allowed now is not
offered (GET goes back to the tab with the reason); posted anyway, nothing is saved and the reason is shown
(`web.steps.show_refused` for the service's `TransitionError`), with what was typed kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from reintegra.access import permissions, scoping
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.roles import Capability, SensitiveCategory
from reintegra.access.transitions import TransitionError
from reintegra.access.versioning import StaleVersion
from reintegra.cases import conflicts, extensions, forms, selectors, services
from reintegra.cases import permissions as case_permissions
from reintegra.cases.models import Case
from reintegra.cases.pages import (
    TAB_URLS,
    any_errors,
    case_page_context,
    get_case_or_404,
    record_view,
    show_rule_errors,
)
from reintegra.web.forms import apply_service_errors
from reintegra.web.steps import Step, show_refused


def _perform(
    request: AuthenticatedHttpRequest,
    action: Callable[[], Any],
    error_forms: list[Any],
    on_stale: Callable[[StaleVersion], None] | None = None,
    rows: dict[str, Any] | None = None,
) -> bool:
    """Run a service call; map its errors onto the forms (or messages). True when it succeeded.

    `on_stale`: what to show when the record changed since the form was rendered (the conflict panel);
    `rows`: the row forms of a list the service names by position ({"items": formset.kept_forms()})."""
    try:
        action()
    except StaleVersion as exc:
        if on_stale is None:
            apply_service_errors(exc, error_forms)
        else:
            on_stale(exc)
    except TransitionError as exc:
        show_refused(request, exc)
    except ValidationError as exc:
        apply_service_errors(exc, error_forms, rows=rows)
    else:
        return True
    return False


def _setup_step(
    request: AuthenticatedHttpRequest, pk: Any, step: str, tab: str
) -> tuple[Case, dict[str, Any]] | HttpResponse:
    """The case and page context of a step form; on GET of a step not allowed now, back to the tab.

    The services check the same lifecycle rules again (and raise TransitionError, shown as a message).
    """
    case = get_case_or_404(request, pk, for_write=True)
    ctx = case_page_context(request, case, tab)
    state: Step = ctx["steps"][step]
    ctx["blocked"] = not state.allowed
    if request.method == "GET":
        if not state.allowed:
            messages.warning(request, state.reason)
            return redirect(TAB_URLS[tab], pk=case.pk)
        record_view(request, case, f"form {step}")
    elif not state.allowed:
        # Posted anyway (stale page, second tab): say why, keep what was typed, save nothing.
        messages.error(request, state.reason)
    return case, ctx


def _form_step(
    request: AuthenticatedHttpRequest,
    pk: int,
    *,
    step: str,
    tab: str,
    make_form: Callable[[Any, Case, dict[str, Any]], Any],
    save: Callable[[Case, Any], Any],
    success: str,
    title: str,
    template: str = "cases/forms/simple.html",
    form_name: str = "form",
    extra: Callable[[Case], dict[str, Any]] | None = None,
    versioned: conflicts.Versioning | None = None,
) -> HttpResponse:
    """One step of a case recorded with one form: set-up, validation, the service call, the page.

    A `versioned` step edits an existing record: its form carries the version and shows a conflict."""
    setup = _setup_step(request, pk, step, tab)
    if isinstance(setup, HttpResponse):
        return setup
    case, ctx = setup
    data = request.POST if request.method == "POST" else None
    form = make_form(data, case, ctx)
    on_stale = None
    if versioned is not None:
        ctx["record_version"] = conflicts.edit_version(request, versioned.record(case))
        on_stale = conflicts.stale_handler(ctx, form, versioned)
    if (
        data is not None
        and not ctx["blocked"]
        and form.is_valid()
        and _perform(request, lambda: save(case, form), [form], on_stale)
    ):
        return _done(request, case, tab, success)
    ctx.update(
        {
            form_name: form,
            "has_errors": any_errors(form) or "conflict" in ctx,
            "form_title": title,
            "cancel_tab": tab,
            **(extra(case) if extra else {}),
        }
    )
    return render(request, template, ctx)


def _done(request: AuthenticatedHttpRequest, case: Case, tab: str, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(TAB_URLS[tab], pk=case.pk)


@login_required
@require_http_methods(["GET", "POST"])
def edit_returnee(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    setup = _setup_step(request, pk, "edit", "summary")
    if isinstance(setup, HttpResponse):
        return setup
    case, ctx = setup
    user, returnee = request.user, case.returnee
    show_documents = scoping.can_see(user, SensitiveCategory.IDENTITY_DOCUMENT)
    data = request.POST if request.method == "POST" else None
    org_country = case.organisation.country.code
    form = forms.ReturneeForm(
        data,
        initial=forms.ReturneeForm.initial_for(returnee),
        organisation=case.organisation,
        municipality_url=reverse("cases:municipalities"),
    )
    documents = None
    if show_documents:
        documents = forms.DocumentFormSet(
            data,
            prefix="documents",
            initial=[conflicts.document_row(d) for d in selectors.documents_of(returnee)] if data is None else [],
            form_kwargs={"default_country": org_country},
        )
    ctx["record_version"] = conflicts.edit_version(request, returnee)
    on_stale = conflicts.stale_handler(
        ctx,
        form,
        conflicts.Versioning(
            record=lambda case: case.returnee,
            stored=forms.ReturneeForm.initial_for,
            lists=lambda current: [conflicts.documents_difference(current, documents)] if documents is not None else [],
        ),
    )

    parsed = form.is_valid() and (documents is None or documents.is_valid())
    if data is not None and not ctx["blocked"] and not parsed:
        show_rule_errors(request, form, None)
    elif data is not None and not ctx["blocked"]:
        docs = forms.documents_from(documents) if documents is not None else []
        if _perform(
            request,
            lambda: services.update_returnee(
                user,
                returnee,
                form.to_input(docs),
                documents=show_documents,
                expected_version=conflicts.expected(request),
            ),
            [form],
            on_stale,
        ):
            return _done(request, case, "summary", _("Personal details saved."))
    ctx.update(
        {
            "returnee_form": form,
            "documents": documents,
            "has_errors": any_errors(form, documents) or "conflict" in ctx,
            "form_title": _("Edit personal details"),
        }
    )
    return render(request, "cases/forms/returnee.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def edit_return(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _form_step(
        request,
        pk,
        step="edit",
        tab="summary",
        make_form=lambda data, case, ctx: forms.ReturnForm(data, initial=forms.ReturnForm.initial_for(case)),
        save=lambda case, form: services.update_return_information(
            request.user, case, form.to_input(), expected_version=conflicts.expected(request)
        ),
        success=_("Return information saved."),
        title=_("Edit return information"),
        template="cases/forms/return.html",
        form_name="return_form",
        versioned=conflicts.Versioning(record=lambda case: case, stored=forms.ReturnForm.initial_for),
    )


@login_required
@require_http_methods(["GET", "POST"])
def household(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    setup = _setup_step(request, pk, "household", "summary")
    if isinstance(setup, HttpResponse):
        return setup
    case, ctx = setup
    data = request.POST if request.method == "POST" else None
    current = case.household
    notes = forms.HouseholdNotesForm(data, initial={"notes": current.notes if current else ""})
    members = forms.MemberFormSet(
        data,
        prefix="members",
        # As for plan items: posted rows are not compared with stored rows that may have changed since.
        initial=[forms.MemberForm.initial_for(m) for m in selectors.members_of(current)] if data is None else [],
    )
    ctx["record_version"] = conflicts.edit_version(request, current)
    on_stale = conflicts.stale_handler(
        ctx,
        notes,
        conflicts.Versioning(
            record=lambda case: case.household,
            stored=lambda stored: {"notes": stored.notes},
            lists=lambda stored: [conflicts.members_difference(stored, members)],
        ),
    )

    if (
        data is not None
        and not ctx["blocked"]
        and notes.is_valid()
        and members.is_valid()
        and _perform(
            request,
            lambda: services.set_household(
                request.user,
                case,
                forms.members_from(members),
                notes=notes.cleaned_data["notes"],
                expected_version=conflicts.expected(request),
            ),
            [notes],
            on_stale,
            rows={"members": members.kept_forms()},
        )
    ):
        return _done(request, case, "summary", _("Household saved."))
    ctx.update(
        {
            "notes_form": notes,
            "members": members,
            "has_errors": any_errors(notes, members) or "conflict" in ctx,
            "form_title": _("Household"),
        }
    )
    return render(request, "cases/forms/household.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _form_step(
        request,
        pk,
        step="assess",
        tab="assessments",
        make_form=lambda data, case, ctx: forms.AssessmentForm(data, user=request.user),
        save=lambda case, form: services.record_assessment(request.user, case, form.values()),
        success=_("Assessment recorded."),
        title=_("New assessment"),
        template="cases/forms/assessment.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def counselling_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _form_step(
        request,
        pk,
        step="counsel",
        tab="counselling",
        make_form=lambda data, case, ctx: forms.CounsellingForm(data, user=request.user),
        save=lambda case, form: services.record_counselling_session(request.user, case, form.values()),
        success=_("Counselling session recorded."),
        title=_("New counselling session"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    setup = _setup_step(request, pk, "plan", "plan")
    if isinstance(setup, HttpResponse):
        return setup
    case, ctx = setup
    plan = ctx["plan"]
    data = request.POST if request.method == "POST" else None
    form = forms.PlanForm(data, initial={"goals": plan.goals, "motivations": plan.motivations} if plan else None)
    # Posted rows are compared with the blank row, not with the stored items: those may have changed since
    # the page was rendered, and a blank extra row would then look filled in.
    items = forms.PlanItemFormSet(
        data,
        prefix="items",
        initial=[forms.PlanItemForm.initial_for(i) for i in selectors.items_of(plan)] if data is None else [],
        form_kwargs={"default_currency": selectors.default_currency(case)},
    )
    ctx["record_version"] = conflicts.edit_version(request, plan)
    on_stale = conflicts.stale_handler(
        ctx,
        form,
        conflicts.Versioning(
            record=selectors.plan_for,
            stored=lambda stored: {"goals": stored.goals, "motivations": stored.motivations},
            lists=lambda stored: [conflicts.items_difference(stored, items)],
        ),
    )

    if (
        data is not None
        and not ctx["blocked"]
        and form.is_valid()
        and items.is_valid()
        and _perform(
            request,
            lambda: services.save_plan(
                request.user,
                case,
                goals=form.cleaned_data["goals"],
                motivations=form.cleaned_data["motivations"],
                items=forms.items_from(items),
                expected_version=conflicts.expected(request),
            ),
            [form],
            on_stale,
            rows={"items": items.kept_forms()},
        )
    ):
        return _done(request, case, "plan", _("Reintegration plan saved."))
    ctx.update(
        {
            "form": form,
            "items": items,
            "has_errors": any_errors(form, items) or "conflict" in ctx,
            "form_title": _("Edit the reintegration plan") if plan else _("Draft the reintegration plan"),
            # Panels other apps register for the plan form (e.g. the feasibility grid to pick approaches from).
            "form_panels": extensions.panels(request, case, "plan_form"),
        }
    )
    return render(request, "cases/forms/plan.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def plan_agree(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _form_step(
        request,
        pk,
        step="agree",
        tab="plan",
        make_form=lambda data, case, ctx: forms.AgreePlanForm(data),
        save=lambda case, form: services.agree_plan(
            request.user,
            case,
            agreed_on=form.cleaned_data["agreed_on"],
            late_reason=form.cleaned_data["late_reason"],
            expected_version=conflicts.expected(request),
        ),
        success=_("The reintegration plan is agreed. Follow-up can start."),
        title=_("Agree the reintegration plan"),
        template="cases/forms/agree.html",
        extra=lambda case: {"late_warning": selectors.plan_is_late(case, timezone.localdate())},
        versioned=conflicts.Versioning(
            record=selectors.plan_for,
            stored=lambda plan: {"agreed_on": plan.agreed_on, "late_reason": plan.agreed_late_reason},
            lists=conflicts.agreed_plan_lists,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _form_step(
        request,
        pk,
        step="follow_up",
        tab="follow_up",
        make_form=lambda data, case, ctx: forms.FollowUpForm(data, items=selectors.items_of(ctx["plan"])),
        save=lambda case, form: services.record_follow_up(request.user, case, form.values(), form.progress()),
        success=_("Follow-up visit recorded."),
        title=_("New follow-up visit"),
        template="cases/forms/follow_up.html",
    )


@login_required
@require_POST
def close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_or_404(request, pk, for_write=True)
    form = forms.CloseForm(request.POST, matters=selectors.open_matters(case))
    if form.is_valid() and _perform(
        request,
        lambda: services.close_case(
            request.user,
            case,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            closed_on=form.cleaned_data["closed_on"],
            open_matters=form.decisions(),
        ),
        [form],
    ):
        return _done(request, case, "closure", _("The case is closed."))
    ctx = case_page_context(request, case, "closure")
    ctx.update({"close_form": form, "reopen_form": forms.ReopenForm(), "has_errors": any_errors(form)})
    return render(request, "cases/case_closure.html", ctx)


@login_required
@require_POST
def reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_or_404(request, pk, for_write=True)
    form = forms.ReopenForm(request.POST)
    if form.is_valid() and _perform(
        request, lambda: services.reopen_case(request.user, case, reason=form.cleaned_data["reason"]), [form]
    ):
        return _done(request, case, "summary", _("The case is reopened."))
    ctx = case_page_context(request, case, "closure")
    ctx.update({"close_form": forms.CloseForm(matters=[]), "reopen_form": form, "has_errors": any_errors(form)})
    return render(request, "cases/case_closure.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_or_404(request, pk)
    if not permissions.has_any(request.user, Capability.ASSIGN_CASES):
        raise permissions.denied(_("Only a supervisor can assign a case to someone else."))
    case_permissions.require_holder(request.user, case)  # a shared case stays managed by its holder
    ctx = case_page_context(request, case, "summary")
    data = request.POST if request.method == "POST" else None
    form = forms.AssignForm(data, user=request.user, initial={"case_manager": case.case_manager_id})
    ctx["record_version"] = conflicts.edit_version(request, case)
    on_stale = conflicts.stale_handler(
        ctx, form, conflicts.Versioning(record=lambda c: c, stored=lambda c: {"case_manager": c.case_manager_id})
    )
    if data is None:
        record_view(request, case, "form assign")
    elif form.is_valid() and _perform(
        request,
        lambda: services.assign_case(request.user, case, form.chosen(), expected_version=conflicts.expected(request)),
        [form],
        on_stale,
    ):
        return _done(request, case, "summary", _("Case manager changed."))
    ctx.update(
        {
            "form": form,
            "has_errors": any_errors(form) or "conflict" in ctx,
            "form_title": _("Assign a case manager"),
            "cancel_tab": "summary",
        }
    )
    return render(request, "cases/forms/simple.html", ctx)
