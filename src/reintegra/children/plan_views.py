"""Pages of the child plan, the child's follow-up and the child closure checklist (/ninez/casos/<pk>/…).
Thin: forms parse, selectors read, services write and decide; the section of the "Children" tab is a panel
(`plan_panels`)."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reintegra.access import audit
from reintegra.access import permissions as access_permissions
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.roles import Capability
from reintegra.access.transitions import TransitionError
from reintegra.cases import selectors as case_selectors
from reintegra.cases.forms.plan import FollowUpForm
from reintegra.cases.models import Case
from reintegra.cases.pages import case_page_context
from reintegra.children import permissions, plan_forms, plan_selectors, plan_services
from reintegra.web.forms import apply_service_errors
from reintegra.web.steps import show_refused
from reintegra.web.versioning import posted_version, version_of

TAB = "children"


def _case(request: AuthenticatedHttpRequest, pk: Any) -> Case:
    # Role checks before any lookup: a forbidden page never reveals whether a case exists.
    access_permissions.require(request.user, Capability.SEE_PROTECTION)
    access_permissions.require(request.user, Capability.EDIT_CASES)
    try:
        case = permissions.access_child_case_by_id(request.user, pk, for_write=True)
    except Case.DoesNotExist:
        raise Http404(_("Case not found.")) from None
    if request.method == "GET":
        audit.record_access(request.user, "view", case, purpose="case page: children")
    return case


def _page(request: AuthenticatedHttpRequest, case: Case, template: str, **extra: Any) -> HttpResponse:
    ctx = case_page_context(request, case, TAB)
    ctx.update(extra)
    return render(request, template, ctx)


def _done(request: AuthenticatedHttpRequest, case: Case, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("children:case", pk=case.pk)


@login_required
@require_http_methods(["GET", "POST"])
def child_plan(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    current = plan_selectors.child_plan_of(case)
    data = request.POST if request.method == "POST" else None
    page_form = django_forms.Form(data)
    rows = plan_forms.ChildPlanFormSet(data, initial=plan_forms.child_plan_initial(current), prefix="measures")
    if data is not None and page_form.is_valid() and rows.is_valid():
        included = plan_forms.included_rows(rows)
        try:
            plan_services.save_child_plan(
                request.user,
                case,
                [row.to_input() for row in included],
                expected_version=posted_version(request.POST),
            )
        except TransitionError as exc:
            show_refused(request, exc)
            return redirect("children:case", pk=case.pk)
        except ValidationError as exc:
            apply_service_errors(exc, page_form, rows={"measures": included})
        else:
            return _done(request, case, _("The child plan was saved."))
    items = {row.item.pk: row.item for row in current.rows}
    for form in rows.forms:
        form.plan_item = items.get(plan_forms.row_item_id(form) or 0)
    return _page(
        request,
        case,
        "children/plan/plan_form.html",
        form=page_form,
        formset=rows,
        child_plan=current,
        record_version=current.version,
        has_errors=bool(data is not None and (page_form.errors or any(rows.errors) or rows.non_form_errors())),
    )


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    data = request.POST if request.method == "POST" else None
    visit_form = FollowUpForm(data, items=case_selectors.items_of(case_selectors.plan_for(case)))
    child_form = plan_forms.ChildFollowUpForm(data)
    if data is not None and visit_form.is_valid() and child_form.is_valid():
        try:
            plan_services.record_child_follow_up(
                request.user, case, visit_form.values(), child_form.to_input(), visit_form.progress()
            )
        except TransitionError as exc:
            show_refused(request, exc)
            return redirect("children:case", pk=case.pk)
        except ValidationError as exc:
            apply_service_errors(exc, [visit_form, child_form])
        else:
            return _done(request, case, _("The child's follow-up visit was recorded."))
    return _page(
        request,
        case,
        "children/plan/follow_up_form.html",
        visit_form=visit_form,
        child_form=child_form,
        has_errors=bool(data is not None and (visit_form.errors or child_form.errors)),
    )


@login_required
@require_http_methods(["GET", "POST"])
def closure_checklist(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    checklist = plan_selectors.closure_checklist_of(case)
    data = request.POST if request.method == "POST" else None
    form = plan_forms.ClosureChecklistForm(data, initial=plan_forms.ClosureChecklistForm.initial_of(checklist))
    if data is not None and form.is_valid():
        try:
            saved = plan_services.save_closure_checklist(
                request.user, case, form.to_input(), expected_version=posted_version(request.POST)
            )
        except TransitionError as exc:
            show_refused(request, exc)
            return redirect("children:case", pk=case.pk)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            done = _("The child closure checklist is complete.") if saved.is_completed else _("Draft saved.")
            return _done(request, case, done)
    return _page(
        request,
        case,
        "children/plan/checklist_form.html",
        form=form,
        checklist=checklist,
        record_version=version_of(checklist),
        has_errors=bool(data is not None and form.errors),
    )
