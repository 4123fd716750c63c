"""Server-rendered pages of the case-management UI (htmx for partial updates).

The case list, registration and the case's tabs; the forms of each step are in `step_views`.

Thin by design (docs/ARCHITECTURE.md): parse input with `cases.forms`, read through `cases.selectors`
(already scoped to what the user may see), write through `cases.services`, render. What a step may do
in which case status comes from `cases.lifecycle`, so a button is hidden or disabled with the same
message a service would raise; if someone posts anyway, the service's `TransitionError` is shown as an
error message (`web.steps.show_refused`) and nothing typed is lost. Every view of a case page is recorded
in the access trail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import DateField
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.access import exports, permissions, scoping
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.roles import Capability, SensitiveCategory
from reintegra.access.transitions import TransitionError
from reintegra.cases import case_file as case_file_pdf
from reintegra.cases import duplicates, export_views, forms, selectors, services
from reintegra.cases import exports as case_exports
from reintegra.cases.models import Case
from reintegra.cases.pages import (
    any_errors,
    case_page_context,
    get_case_or_404,
    is_htmx,
    record_view,
    show_rule_errors,
)
from reintegra.web import pagination
from reintegra.web.forms import apply_service_errors
from reintegra.web.steps import show_refused

if TYPE_CHECKING:
    from reintegra.access.models import User

PAGE_SIZE = 25


# --- Case list ------------------------------------------------------------------------------------


@login_required
@require_GET
def case_list(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    form = forms.CaseFilterForm(request.GET or None, user=request.user)
    if form.is_bound:
        filters = form.filters()
        invalid = form.invalid_labels()
    else:
        filters, invalid = selectors.CaseFilters(), []
    if request.GET.get("format") in exports.FORMATS:  # the "Export" menu: the list with its filters
        permissions.require(request.user, *export_views.CASE_READERS)
        table = case_exports.case_table(request.user, filters)
        params = case_exports.filter_params(filters)
        return export_views.answer(request, "cases", params, table, request.GET["format"])
    page, cases = pagination.page_of_ids(request, selectors.search_cases(request.user, filters), PAGE_SIZE)
    context = {
        "nav": "cases",
        "form": form,
        "page": page,
        "cases": cases,
        "invalid_filters": invalid,
        "filtered": filters != selectors.CaseFilters(),
        "can_export": permissions.has_any(request.user, *export_views.CASE_READERS),
        "export_query": export_views.list_query(request),
    }
    if is_htmx(request) and request.headers.get("HX-Target") == "case-results":
        response = render(request, "cases/case_list.html#results", context)
    else:
        response = render(request, "cases/case_list.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- Registration ---------------------------------------------------------------------------------


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
    permissions.require(user, Capability.EDIT_CASES)
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
            show_rule_errors(request, returnee_form, return_form)
            panel = _check_duplicates(request, data)
    ctx.update(
        {
            "nav": "register",
            **panel.context(),
            "confirm_checked": bool(data and data.get("confirm_distinct")),
            "has_errors": any_errors(returnee_form, documents, return_form, members, extras),
        }
    )
    return render(request, "cases/register.html", ctx)


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
    except TransitionError as exc:
        show_refused(request, exc)
        return None, DuplicatePanel()
    return case, DuplicatePanel()


@login_required
@require_POST
def duplicate_check(request: AuthenticatedHttpRequest) -> HttpResponse:
    """htmx partial: the duplicate panel for what has been typed so far (POST keeps names out of URLs)."""
    permissions.require(request.user, Capability.EDIT_CASES)
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


# --- Case pages -----------------------------------------------------------------------------------


def _summary_data(request: AuthenticatedHttpRequest, case: Case) -> dict[str, Any]:
    with_numbers = scoping.can_see(request.user, SensitiveCategory.IDENTITY_DOCUMENT)
    return {
        "documents": selectors.documents_of(case.returnee, with_numbers=with_numbers),
        "members": selectors.members_of(case.household),
        "recent_events": list(selectors.timeline(case)[:5]),
    }


def _hidden_assessment_fields(user: User) -> list[str]:
    return [name for name, cat in forms.ASSESSMENT_SENSITIVE.items() if not scoping.can_see(user, cat)]


def _assessments_data(request: AuthenticatedHttpRequest, case: Case) -> dict[str, Any]:
    hidden = _hidden_assessment_fields(request.user)
    return {"assessments": list(selectors.assessments_of(case, hidden=hidden)), "restricted": bool(hidden)}


def _counselling_data(request: AuthenticatedHttpRequest, case: Case) -> dict[str, Any]:
    can_read = scoping.can_see(request.user, SensitiveCategory.PSYCHOSOCIAL)
    sessions = selectors.counselling_sessions_of(case, with_notes=can_read)
    return {"sessions": list(sessions), "restricted": not can_read}


def _plan_data(request: AuthenticatedHttpRequest, case: Case) -> dict[str, Any]:
    return {}


def _follow_up_data(request: AuthenticatedHttpRequest, case: Case) -> dict[str, Any]:
    return {"visits": list(selectors.follow_ups_of(case, progress_order=("item__dimension",)))}


def _closure_data(request: AuthenticatedHttpRequest, case: Case) -> dict[str, Any]:
    matters = [] if case.is_closed else selectors.open_matters(case)
    return {"close_form": forms.CloseForm(matters=matters), "reopen_form": forms.ReopenForm()}


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
    case = get_case_or_404(request, pk)
    record_view(request, case, tab)
    ctx = case_page_context(request, case, tab)
    ctx.update(TAB_DATA[tab](request, case))
    return render(request, f"cases/case_{tab}.html", ctx)


@login_required
@require_GET
def case_file(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The printable case file (PDF): whoever sees the case gets what they see of it; 404 otherwise."""
    case = get_case_or_404(request, pk)
    return case_file_pdf.response(request.user, case)
