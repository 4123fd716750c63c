"""Server-rendered pages of the case-management UI (htmx for partial updates).

Thin by design (docs/ARCHITECTURE.md): parse input with `cases.forms`, read through `cases.selectors`
(already scoped to what the user may see), write through `cases.services`, render. What a step may do
in which case status comes from `cases.lifecycle`, so a button is hidden or disabled with the same
message a service would raise; if someone posts anyway, the service's `TransitionError` is shown as an
error message and nothing typed is lost. Every view of a case page is recorded in the access trail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.forms import BaseFormSet, DateField
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.access import audit, scoping
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.roles import Capability, SensitiveCategory
from reintegra.access.versioning import StaleVersion
from reintegra.cases import conflicts, duplicates, extensions, forms, lifecycle, selectors, services
from reintegra.cases.models import Case, PlanItemProgress
from reintegra.cases.pages import TAB_URLS, case_page_context
from reintegra.web import pagination
from reintegra.web.forms import apply_service_errors
from reintegra.web.steps import Step

PAGE_SIZE = 25

# --- Helpers -------------------------------------------------------------------------------------


def _is_htmx(request: AuthenticatedHttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request")


def _require_edit(user: Any) -> None:
    if not scoping.can_edit_cases(user):
        raise PermissionDenied(_("You do not have permission to do this."))


def _get_case(request: AuthenticatedHttpRequest, pk: Any) -> Case:
    try:
        return selectors.get_case(request.user, pk)
    except Case.DoesNotExist:
        # The same answer whether the case does not exist or is not visible: existence is not revealed.
        raise Http404(_("Case not found.")) from None


def _record_view(request: AuthenticatedHttpRequest, case: Case, what: str) -> None:
    audit.record_access(request.user, "view", case, purpose=f"case page: {what}")


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
    except lifecycle.TransitionError as exc:
        messages.error(request, str(exc))
    except StaleVersion as exc:
        if on_stale is None:
            apply_service_errors(exc, error_forms)
        else:
            on_stale(exc)
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
    case = _get_case(request, pk)
    _require_edit(request.user)
    ctx = case_page_context(request, case, tab)
    state: Step = ctx["steps"][step]
    ctx["blocked"] = not state.allowed
    if request.method == "GET":
        if not state.allowed:
            messages.warning(request, state.reason)
            return redirect(TAB_URLS[tab], pk=case.pk)
        _record_view(request, case, f"form {step}")
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
            "has_errors": _any_errors(form) or "conflict" in ctx,
            "form_title": title,
            "cancel_tab": tab,
            **(extra(case) if extra else {}),
        }
    )
    return render(request, template, ctx)


def _any_errors(*parts: Any) -> bool:
    for part in parts:
        if part is None:
            continue
        if isinstance(part, BaseFormSet):
            if part.is_bound and (part.non_form_errors() or any(f.errors for f in part.forms)):
                return True
        elif part.is_bound and part.errors:
            return True
    return False


# --- Case list -----------------------------------------------------------------------------------


@login_required
@require_GET
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = forms.CaseFilterForm(request.GET or None, user=request.user)
    if form.is_bound:
        filters = form.filters()
        invalid = form.invalid_labels()
    else:
        filters, invalid = selectors.CaseFilters(), []
    page, cases = pagination.page_of_ids(request, selectors.search_cases(request.user, filters), PAGE_SIZE)
    context = {
        "nav": "cases",
        "form": form,
        "page": page,
        "cases": cases,
        "invalid_filters": invalid,
        "filtered": filters != selectors.CaseFilters(),
    }
    if _is_htmx(request) and request.headers.get("HX-Target") == "case-results":
        response = render(request, "cases/case_list.html#results", context)
    else:
        response = render(request, "cases/case_list.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- Registration --------------------------------------------------------------------------------


def _duplicate_query(data: Any) -> duplicates.DuplicateQuery:
    """What has been typed so far on the registration form (a bad date or age is left out, not an error)."""
    try:
        birth_date = DateField(required=False).clean(data.get("birth_date") or "")
    except ValidationError:
        birth_date = None
    age = (data.get("estimated_age") or "").strip()
    return duplicates.DuplicateQuery(
        given_names=data.get("given_names") or "",
        first_family_name=data.get("first_family_name") or "",
        second_family_name=data.get("second_family_name") or "",
        birth_date=birth_date,
        estimated_age=int(age) if not birth_date and age.isdigit() and int(age) <= 120 else None,
        document_numbers=tuple(_document_numbers(data)),
    )


def _document_numbers(data: Any, prefix: str = "documents") -> list[str]:
    numbers = []
    for key in data:
        if key.startswith(f"{prefix}-") and key.endswith("-number") and "__prefix__" not in key:
            delete_key = key[: -len("number")] + "DELETE"
            if data.get(delete_key):
                continue
            value = (data.get(key) or "").strip()
            if value:
                numbers.append(value)
    return numbers


@dataclass(frozen=True)
class DuplicatePanel:
    """What the duplicate panel of the registration form shows."""

    result: duplicates.DuplicateResult = field(default_factory=duplicates.DuplicateResult)
    checked: bool = False
    throttled: str = ""

    def context(self) -> dict[str, Any]:
        return {
            "duplicates": self.result.candidates,
            "out_of_scope_match": self.result.out_of_scope_match,
            "strong_duplicates": self.result.needs_confirmation,
            "duplicates_checked": self.checked,
            "duplicates_throttled": self.throttled,
        }


def _check_duplicates(request: AuthenticatedHttpRequest, data: Any) -> DuplicatePanel:
    """The duplicate check for what has been typed (rate-limited and recorded by cases.duplicates)."""
    query = _duplicate_query(data)
    if not query.is_searchable():
        return DuplicatePanel(checked=True)
    try:
        return DuplicatePanel(duplicates.check(request.user, query), checked=True)
    except duplicates.DuplicateCheckThrottled as exc:
        return DuplicatePanel(checked=True, throttled=str(exc))


def _seen_candidates(data: Any) -> frozenset[int]:
    return frozenset(int(v) for v in data.getlist("seen_candidate") if v.isdigit() and len(v) < 19)


def _register_context(request: AuthenticatedHttpRequest, data: Any) -> dict[str, Any]:
    user = request.user
    org = user.organisation
    duplicate_url = reverse("cases:duplicates")
    org_country = org.country.code if org else ""
    return {
        "returnee_form": forms.ReturneeForm(
            data,
            organisation=org,
            duplicate_url=duplicate_url,
            municipality_url=reverse("cases:municipalities"),
        ),
        "documents": forms.DocumentFormSet(
            data, prefix="documents", form_kwargs={"default_country": org_country, "duplicate_url": duplicate_url}
        ),
        "return_form": forms.ReturnForm(data),
        "members": forms.MemberFormSet(data, prefix="members"),
        "extras": forms.RegistrationForm(data, user=user),
    }


@login_required
@require_http_methods(["GET", "POST"])
def register(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One page: the person, their documents, the return, the household; duplicate warning first."""
    user = request.user
    _require_edit(user)
    data = request.POST if request.method == "POST" else None
    ctx = _register_context(request, data)
    returnee_form, documents = ctx["returnee_form"], ctx["documents"]
    return_form, members, extras = ctx["return_form"], ctx["members"], ctx["extras"]
    panel = DuplicatePanel()
    if data is not None:
        # Validate every part (a list, not a generator) so all errors show at once.
        parts = [returnee_form, documents, return_form, members, extras]
        if all([part.is_valid() for part in parts]):
            # The duplicate rule is the service's (cases.duplicates): it answers with the candidates.
            case, panel = _save_registration(request, ctx)
            if case is not None:
                messages.success(
                    request,
                    _("Case %(number)s opened for %(name)s.") % {"number": case.case_number, "name": case.returnee},
                )
                return redirect("cases:detail", pk=case.pk)
        else:
            _show_rule_errors(request, returnee_form, return_form)
            panel = _check_duplicates(request, data)
    ctx.update(
        {
            "nav": "register",
            **panel.context(),
            "confirm_checked": bool(data and data.get("confirm_distinct")),
            "has_errors": _any_errors(returnee_form, documents, return_form, members, extras),
        }
    )
    return render(request, "cases/register.html", ctx)


def _show_rule_errors(request: AuthenticatedHttpRequest, returnee_form: Any, return_form: Any | None) -> None:
    """Some part did not parse: ask the services what else they would refuse (nothing is written), so the
    page shows every error at once; the rules themselves stay the services'."""
    problems = [(returnee_form, services.returnee_problems(request.user, returnee_form.to_input()))]
    if return_form is not None:
        problems.append((return_form, services.return_problems(return_form.to_input())))
    for form, error in problems:
        if error is not None:
            apply_service_errors(error, form, only_new_fields=True)


def _save_registration(request: AuthenticatedHttpRequest, ctx: dict[str, Any]) -> tuple[Case | None, DuplicatePanel]:
    """Returnee, case and household in one transaction; on a service error nothing is saved."""
    user = request.user
    returnee_form, documents = ctx["returnee_form"], ctx["documents"]
    return_form, members, extras = ctx["return_form"], ctx["members"], ctx["extras"]
    confirmation = None
    if extras.cleaned_data.get("confirm_distinct"):
        confirmation = duplicates.DistinctPersonConfirmation(seen=_seen_candidates(request.POST))
    stage = "returnee"
    try:
        with transaction.atomic():
            returnee = services.register_returnee(
                user, returnee_form.to_input(forms.documents_from(documents)), confirmation=confirmation
            )
            stage = "case"
            case = services.open_case(user, returnee, return_form.to_input(), case_manager=extras.chosen_case_manager())
            stage = "household"
            member_inputs = forms.members_from(members)
            if member_inputs:
                services.set_household(user, case, member_inputs)
    except duplicates.PossibleDuplicate as exc:
        extras.add_error("confirm_distinct", str(exc))
        return None, DuplicatePanel(exc.result, checked=True)
    except duplicates.DuplicateCheckThrottled as exc:
        messages.error(request, str(exc))
        return None, DuplicatePanel(checked=True, throttled=str(exc))
    except ValidationError as exc:
        targets = {"returnee": [returnee_form], "case": [return_form, extras], "household": [return_form]}[stage]
        apply_service_errors(exc, targets, rows={"members": members.kept_forms()})
        return None, _check_duplicates(request, request.POST)
    except lifecycle.TransitionError as exc:
        messages.error(request, str(exc))
        return None, DuplicatePanel()
    return case, DuplicatePanel()


@login_required
@require_POST
def duplicate_check(request: AuthenticatedHttpRequest) -> HttpResponse:
    """htmx partial: the duplicate panel for what has been typed so far (POST keeps names out of URLs)."""
    _require_edit(request.user)
    panel = _check_duplicates(request, request.POST)
    return render(
        request,
        "cases/includes/duplicate_panel.html",
        {**panel.context(), "confirm_checked": bool(request.POST.get("confirm_distinct")), "checked": True},
    )


@login_required
@require_GET
def municipality_options(request: AuthenticatedHttpRequest) -> HttpResponse:
    """htmx partial: the <option>s of the municipality select for the chosen country of return."""
    country = (request.GET.get("return_country") or "").upper()[:2]
    choices = forms.municipality_choices(country) if country.isalpha() else forms.municipality_choices("")
    return render(request, "cases/includes/municipality_options.html", {"choices": choices})


# --- Case pages ----------------------------------------------------------------------------------


def _summary_data(request: AuthenticatedHttpRequest, case: Case) -> dict[str, Any]:
    documents = case.returnee.documents.all()
    if not scoping.can_see(request.user, SensitiveCategory.IDENTITY_DOCUMENT):
        documents = documents.defer("number")  # not even decrypted
    members = list(case.household.members.all()) if case.household is not None else []
    return {
        "documents": list(documents),
        "members": members,
        "recent_events": list(selectors.timeline(case)[:5]),
    }


def _hidden_assessment_fields(user: Any) -> list[str]:
    return [name for name, cat in forms.ASSESSMENT_SENSITIVE.items() if not scoping.can_see(user, cat)]


def _assessments_data(request: AuthenticatedHttpRequest, case: Case) -> dict[str, Any]:
    hidden = _hidden_assessment_fields(request.user)
    assessments = case.assessments.select_related("assessed_by").defer(*hidden)
    return {"assessments": list(assessments), "restricted": bool(hidden)}


def _counselling_data(request: AuthenticatedHttpRequest, case: Case) -> dict[str, Any]:
    sessions = case.counselling_sessions.select_related("counsellor")
    can_read = scoping.can_see(request.user, SensitiveCategory.PSYCHOSOCIAL)
    if not can_read:
        sessions = sessions.defer("notes")
    return {"sessions": list(sessions), "restricted": not can_read}


def _plan_data(request: AuthenticatedHttpRequest, case: Case) -> dict[str, Any]:
    return {}


def _follow_up_data(request: AuthenticatedHttpRequest, case: Case) -> dict[str, Any]:
    visits = case.follow_ups.select_related("conducted_by").prefetch_related(
        Prefetch("progress", queryset=PlanItemProgress.objects.select_related("item").order_by("item__dimension"))
    )
    return {"visits": list(visits)}


def _closure_data(request: AuthenticatedHttpRequest, case: Case) -> dict[str, Any]:
    return {"close_form": forms.CloseForm(), "reopen_form": forms.ReopenForm()}


def _timeline_data(request: AuthenticatedHttpRequest, case: Case) -> dict[str, Any]:
    return {"events": list(selectors.timeline(case)[:500])}


TAB_DATA: dict[str, Callable[[AuthenticatedHttpRequest, Case], dict[str, Any]]] = {
    "summary": _summary_data,
    "assessments": _assessments_data,
    "counselling": _counselling_data,
    "plan": _plan_data,
    "follow_up": _follow_up_data,
    "closure": _closure_data,
    "timeline": _timeline_data,
}


@login_required
@require_GET
def case_tab(request: AuthenticatedHttpRequest, pk: int, tab: str = "summary") -> HttpResponse:
    if tab not in TAB_DATA:
        raise Http404
    case = _get_case(request, pk)
    _record_view(request, case, tab)
    ctx = case_page_context(request, case, tab)
    ctx.update(TAB_DATA[tab](request, case))
    return render(request, f"cases/case_{tab}.html", ctx)


# --- Step forms ----------------------------------------------------------------------------------


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
            initial=[conflicts.document_row(d) for d in returnee.documents.all()] if data is None else [],
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
        _show_rule_errors(request, form, None)
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
            "has_errors": _any_errors(form, documents) or "conflict" in ctx,
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
        initial=[forms.MemberForm.initial_for(m) for m in current.members.all()] if current and data is None else [],
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
            "has_errors": _any_errors(notes, members) or "conflict" in ctx,
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
        initial=[forms.PlanItemForm.initial_for(i) for i in plan.items.all()] if plan and data is None else [],
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
            "has_errors": _any_errors(form, items) or "conflict" in ctx,
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
        make_form=lambda data, case, ctx: forms.FollowUpForm(
            data, items=ctx["plan"].items.all() if ctx["plan"] else []
        ),
        save=lambda case, form: services.record_follow_up(request.user, case, form.values(), form.progress()),
        success=_("Follow-up visit recorded."),
        title=_("New follow-up visit"),
        template="cases/forms/follow_up.html",
    )


@login_required
@require_POST
def close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk)
    _require_edit(request.user)
    form = forms.CloseForm(request.POST)
    if form.is_valid() and _perform(
        request,
        lambda: services.close_case(
            request.user,
            case,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            closed_on=form.cleaned_data["closed_on"],
        ),
        [form],
    ):
        return _done(request, case, "closure", _("The case is closed."))
    ctx = case_page_context(request, case, "closure")
    ctx.update({"close_form": form, "reopen_form": forms.ReopenForm(), "has_errors": _any_errors(form)})
    return render(request, "cases/case_closure.html", ctx)


@login_required
@require_POST
def reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk)
    _require_edit(request.user)
    form = forms.ReopenForm(request.POST)
    if form.is_valid() and _perform(
        request, lambda: services.reopen_case(request.user, case, reason=form.cleaned_data["reason"]), [form]
    ):
        return _done(request, case, "summary", _("The case is reopened."))
    ctx = case_page_context(request, case, "closure")
    ctx.update({"close_form": forms.CloseForm(), "reopen_form": form, "has_errors": _any_errors(form)})
    return render(request, "cases/case_closure.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk)
    if not request.user.has_capability(Capability.ASSIGN_CASES):
        raise PermissionDenied(_("Only a supervisor can assign a case to someone else."))
    if case.organisation_id != request.user.organisation_id:
        # A case shared with the user's organisation stays managed by the organisation that holds it.
        raise PermissionDenied(_("You do not have permission to do this."))
    ctx = case_page_context(request, case, "summary")
    data = request.POST if request.method == "POST" else None
    form = forms.AssignForm(data, user=request.user, initial={"case_manager": case.case_manager_id})
    ctx["record_version"] = conflicts.edit_version(request, case)
    on_stale = conflicts.stale_handler(
        ctx, form, conflicts.Versioning(record=lambda c: c, stored=lambda c: {"case_manager": c.case_manager_id})
    )
    if data is None:
        _record_view(request, case, "form assign")
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
            "has_errors": _any_errors(form) or "conflict" in ctx,
            "form_title": _("Assign a case manager"),
            "cancel_tab": "summary",
        }
    )
    return render(request, "cases/forms/simple.html", ctx)
