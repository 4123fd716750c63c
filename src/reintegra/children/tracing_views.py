"""Pages of family tracing and reunification, under /ninez/casos/<case_pk>/localizacion/.

Thin: forms parse, `tracing_selectors` read (scoped, audited), `tracing_services` write and decide. Every
page asks first for the protection capability (403 before any lookup), then for the case (404 when hidden):
`tracing_selectors.access_tracing_case`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.access import permissions
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.roles import Capability
from reintegra.access.versioning import StaleVersion
from reintegra.api.fields import parse_id
from reintegra.cases.models import Case
from reintegra.cases.pages import case_page_context
from reintegra.children import tracing_forms as forms
from reintegra.children import tracing_selectors as selectors
from reintegra.children import tracing_services as services
from reintegra.children.tracing_choices import TracingStatus
from reintegra.children.tracing_models import ReunificationFollowUp, TracingRequest
from reintegra.web import versioning
from reintegra.web.forms import apply_service_errors

# The tab of the case frame these pages belong to (the "Niñez" tab).
TAB = "children"
View = Callable[..., HttpResponse]


def _reading(view: View) -> View:
    @wraps(view)
    def wrapped(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        permissions.require(request.user, Capability.SEE_PROTECTION)
        return view(request, *args, **kwargs)

    return wrapped


def _writing(view: View) -> View:
    @wraps(view)
    def wrapped(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        permissions.require(request.user, Capability.SEE_PROTECTION)
        permissions.require(request.user, Capability.EDIT_CASES)
        return view(request, *args, **kwargs)

    return wrapped


def _case(request: AuthenticatedHttpRequest, case_pk: Any, *, for_write: bool = False) -> Case:
    try:
        return selectors.access_tracing_case(request.user, case_pk, for_write=for_write)
    except Case.DoesNotExist:
        raise Http404(_("Case not found.")) from None


def _request(case: Case, pk: Any) -> TracingRequest:
    try:
        return selectors.request_of_case(case, pk)
    except TracingRequest.DoesNotExist:
        raise Http404(_("Tracing request not found.")) from None


def _page(
    request: AuthenticatedHttpRequest, case: Case, template: str, extra: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    ctx = case_page_context(request, case, TAB)
    ctx.update(extra)
    return render(request, template, ctx, status=status)


def _form_page(
    request: AuthenticatedHttpRequest, case: Case, form: Any, title: str, extra: dict[str, Any] | None = None
) -> HttpResponse:
    posted = request.method == "POST"
    return _page(
        request,
        case,
        "children/tracing/form.html",
        {"form": form, "title": title, "has_errors": posted and bool(form.errors), **(extra or {})},
        status=400 if posted else 200,
    )


def _param(request: AuthenticatedHttpRequest, name: str) -> int | None:
    return parse_id(request.GET.get(name))


# --- overview -----------------------------------------------------------------------------------------


@login_required
@require_GET
@_reading
def tracing(request: AuthenticatedHttpRequest, case_pk: int) -> HttpResponse:
    case = _case(request, case_pk)
    return _page(request, case, "children/tracing/overview.html", selectors.section_for(request.user, case))


# --- tracing requests ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@_writing
def request_new(request: AuthenticatedHttpRequest, case_pk: int) -> HttpResponse:
    case = _case(request, case_pk, for_write=True)
    form = forms.TracingRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.open_tracing_request(request.user, case, form.to_input())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("Tracing request opened."))
            return redirect("children:tracing-request", case_pk=case.pk, pk=created.pk)
    return _form_page(request, case, form, _("Open a tracing request"))


@login_required
@require_GET
@_reading
def request_detail(request: AuthenticatedHttpRequest, case_pk: int, pk: int) -> HttpResponse:
    case = _case(request, case_pk)
    tracing_request = _request(case, pk)
    selectors.record_read(request.user, case)
    return _page(
        request,
        case,
        "children/tracing/request.html",
        {
            "tracing_request": tracing_request,
            "actions": selectors.actions_of_request(tracing_request),
            "found": selectors.found_of_request(tracing_request),
            "is_open": tracing_request.status == TracingStatus.OPEN,
            "close_form": forms.CloseRequestForm(),
            "can_change_tracing": selectors.can_change_tracing(request.user, case),
        },
    )


@login_required
@require_POST
@_writing
def request_close(request: AuthenticatedHttpRequest, case_pk: int, pk: int) -> HttpResponse:
    case = _case(request, case_pk, for_write=True)
    tracing_request = _request(case, pk)
    form = forms.CloseRequestForm(request.POST)
    if form.is_valid():
        try:
            services.close_tracing_request(
                request.user, case, request_id=tracing_request.pk, closed_on=form.cleaned_data["closed_on"]
            )
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("Tracing request closed."))
            return redirect("children:tracing-request", case_pk=case.pk, pk=tracing_request.pk)
    return _form_page(request, case, form, _("Close the tracing request"))


@login_required
@require_GET
@_reading
def request_matches(request: AuthenticatedHttpRequest, case_pk: int, pk: int) -> HttpResponse:
    case = _case(request, case_pk)
    tracing_request = _request(case, pk)
    matches = selectors.matches_for(request.user, tracing_request, today=timezone.localdate())
    return _page(
        request,
        case,
        "children/tracing/matches.html",
        {
            "tracing_request": tracing_request,
            "matches": matches,
            "is_open": tracing_request.status == TracingStatus.OPEN,
            "can_change_tracing": selectors.can_change_tracing(request.user, case),
        },
    )


# --- actions and people found -------------------------------------------------------------------------


def _open_requests(case: Case) -> list[TracingRequest]:
    return [r for r in selectors.requests_of(case) if r.status == TracingStatus.OPEN]


@login_required
@require_http_methods(["GET", "POST"])
@_writing
def action_new(request: AuthenticatedHttpRequest, case_pk: int) -> HttpResponse:
    case = _case(request, case_pk, for_write=True)
    post = request.POST if request.method == "POST" else None
    form = forms.TracingActionForm(
        post, requests=_open_requests(case), initial={"request": _param(request, "solicitud")}
    )
    if post is not None and form.is_valid():
        try:
            action = services.record_tracing_action(request.user, case, form.to_input())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("Tracing action recorded."))
            return redirect("children:tracing-request", case_pk=case.pk, pk=action.request_id)
    return _form_page(request, case, form, _("Record a tracing action"))


@login_required
@require_http_methods(["GET", "POST"])
@_writing
def found_new(request: AuthenticatedHttpRequest, case_pk: int) -> HttpResponse:
    case = _case(request, case_pk, for_write=True)
    post = request.POST if request.method == "POST" else None
    initial = {"request": _param(request, "solicitud"), "returnee": _param(request, "persona")}
    form = forms.FamilyMemberForm(post, requests=_open_requests(case), initial=initial)
    if post is not None and form.is_valid():
        try:
            found = services.record_family_member_found(request.user, case, form.to_input())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("Family member recorded; the tracing request is closed as found."))
            return redirect("children:tracing-request", case_pk=case.pk, pk=found.request_id)
    return _form_page(request, case, form, _("Record a family member found"))


# --- reunification ------------------------------------------------------------------------------------


def _assessment_initial(case: Case) -> dict[str, Any]:
    existing = selectors.assessment_of(case)
    if existing is None:
        return {"assessed_on": timezone.localdate()}
    return dict(vars(services.ReunificationInput.of(existing)))


@login_required
@require_http_methods(["GET", "POST"])
@_writing
def reunification(request: AuthenticatedHttpRequest, case_pk: int) -> HttpResponse:
    case = _case(request, case_pk, for_write=True)
    existing = selectors.assessment_of(case)
    selectors.record_read(request.user, case, what="reunification assessment")
    post = request.POST if request.method == "POST" else None
    form = forms.ReunificationForm(post, found=list(selectors.found_of(case)), initial=_assessment_initial(case))
    record_version = versioning.posted_version(post) if post is not None else versioning.version_of(existing)
    conflict = None
    if post is not None and form.is_valid():
        try:
            services.save_reunification_assessment(request.user, case, form.to_input(), expected_version=record_version)
        except StaleVersion as exc:
            conflict = versioning.conflict(exc, [(form, _assessment_initial(case))])
            record_version = exc.current_version
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("Reunification assessment saved."))
            return redirect("children:tracing", case_pk=case.pk)
    return _page(
        request,
        case,
        "children/tracing/reunification_form.html",
        {
            "form": form,
            "record_version": record_version,
            "conflict": conflict,
            "has_errors": post is not None and (bool(form.errors) or conflict is not None),
        },
        status=400 if post is not None else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@_writing
def follow_up(request: AuthenticatedHttpRequest, case_pk: int, pk: int) -> HttpResponse:
    case = _case(request, case_pk, for_write=True)
    try:
        visit = selectors.follow_up_of_case(case, pk)
    except ReunificationFollowUp.DoesNotExist:
        raise Http404(_("Follow-up visit not found.")) from None
    form = forms.FollowUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_reunification_follow_up(request.user, case, visit.pk, form.to_input())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("Follow-up visit recorded."))
            return redirect("children:tracing", case_pk=case.pk)
    return _form_page(request, case, form, visit.get_milestone_display(), {"visit": visit})
