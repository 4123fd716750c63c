"""The staff pages of feedback (/retroalimentacion/: list, record, detail with its steps, dashboard), of
information requests (answer, publish anonymised) and of the practical guides (write, version, review)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.access import permissions as access_permissions
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.models import Programme
from reintegra.access.roles import Capability
from reintegra.access.transitions import TransitionError
from reintegra.cases import permissions as case_permissions
from reintegra.cases.pages import case_page_context, get_case_or_404, record_view
from reintegra.public import dashboard as feedback_dashboard
from reintegra.public import forms, permissions, selectors, services
from reintegra.public.choices import SATISFACTION_ITEMS, FeedbackKind, FeedbackStatus
from reintegra.public.models import Feedback, Guide, InformationRequest
from reintegra.web.forms import apply_service_errors
from reintegra.web.pagination import page_of
from reintegra.web.steps import show_refused

NAV = "feedback"
CASE_READ = (Capability.VIEW_ASSIGNED_CASES, Capability.VIEW_ORGANISATION_CASES)
PAGE_SIZE = 50


def _feedback(request: AuthenticatedHttpRequest, pk: int) -> Feedback:
    try:
        return permissions.access_feedback_by_id(request.user, pk)
    except Feedback.DoesNotExist:
        raise Http404(_("Feedback not found.")) from None


def _programme_choices(request: AuthenticatedHttpRequest) -> list[tuple[int, str]]:
    return [(p.pk, p.name) for p in selectors.programmes_for(request.user)]


@login_required
@require_GET
def feedback_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access_permissions.require(request.user, *permissions.FEEDBACK)
    kind = request.GET.get("tipo", "")
    status = request.GET.get("estado", "")
    filters = selectors.FeedbackFilters(
        kind=kind if kind in FeedbackKind.values else "", status=status if status in FeedbackStatus.values else ""
    )
    page = page_of(request, selectors.search_feedback(request.user, filters), PAGE_SIZE)
    context = {
        "nav": NAV,
        "page": page,
        "kinds": FeedbackKind.choices,
        "statuses": FeedbackStatus.choices,
        "kind": filters.kind,
        "status": filters.status,
        "today": timezone.localdate(),
    }
    return render(request, "public/staff/feedback_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def feedback_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    access_permissions.require(request.user, Capability.HANDLE_FEEDBACK)
    form = forms.FeedbackRecordForm(
        request.POST or None,
        # From a case's closure page: the channel and the case named already (the form checks them as typed).
        initial={"channel": request.GET.get("canal", ""), "case": request.GET.get("caso", "")},
        programmes=_programme_choices(request),
        providers=[(p.pk, p.name) for p in selectors.providers_for_user(request.user)],
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = services.record_feedback(request.user, form.to_input())
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(
                request, _("Feedback recorded with tracking code %(code)s.") % {"code": item.tracking_code}
            )
            if item.kind == FeedbackKind.SENSITIVE and not access_permissions.has_any(
                request.user, Capability.HANDLE_SENSITIVE_FEEDBACK
            ):
                return redirect("public_staff:feedback-list")  # sent to the focal point: no longer visible here
            return redirect("public_staff:feedback", pk=item.pk)
    context = {"nav": NAV, "form": form, "has_errors": form.is_bound and bool(form.errors)}
    return render(request, "public/staff/feedback_form.html", context)


def _detail_context(request: AuthenticatedHttpRequest, item: Feedback, **forms_: Any) -> dict[str, Any]:
    return {
        "nav": NAV,
        "item": item,
        "events": selectors.history_of(item),
        "note_form": forms_.get("note_form") or forms.NoteForm(),
        "response_form": forms_.get("response_form") or forms.ResponseForm(initial={"response": item.response}),
        "close_form": forms_.get("close_form") or forms.CloseLoopForm(),
        "provider_form": forms_.get("provider_form") or _provider_form(item),
        "has_errors": any(f.errors for f in forms_.values()),
        "today": timezone.localdate(),
    }


def _provider_form(item: Feedback, data: Any = None) -> forms.ProviderForm:
    providers = [(p.pk, p.name) for p in selectors.providers_for_feedback(item.programme)]
    return forms.ProviderForm(data, providers=providers, initial={"provider": item.provider_id or ""})


@login_required
@require_GET
def feedback_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _feedback(request, pk)
    services.record_read(request.user, item)
    return render(request, "public/staff/feedback_detail.html", _detail_context(request, item))


Step = Callable[[Any, Feedback, dict[str, Any]], Feedback]
FormFor = Callable[[Any, Feedback], django_forms.Form]
STEPS: dict[str, tuple[str, FormFor, Step]] = {
    "acusar": (
        "note_form",
        lambda data, item: forms.NoteForm(data),
        lambda u, i, d: services.acknowledge_feedback(u, i, note=d["note"]),
    ),
    "nota": (
        "note_form",
        lambda data, item: forms.NoteForm(data),
        lambda u, i, d: services.add_note(u, i, note=d["note"]),
    ),
    "responder": (
        "response_form",
        lambda data, item: forms.ResponseForm(data),
        lambda u, i, d: services.respond_feedback(u, i, response=d["response"]),
    ),
    "cerrar": (
        "close_form",
        lambda data, item: forms.CloseLoopForm(data),
        lambda u, i, d: services.close_loop(u, i, how=d["how"]),
    ),
    "proveedor": (
        "provider_form",
        lambda data, item: _provider_form(item, data),
        lambda u, i, d: services.set_provider(u, i, provider=d["provider"]),
    ),
}


@login_required
@require_POST
def feedback_step(request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
    access_permissions.require(request.user, *permissions.FEEDBACK)
    if step not in STEPS:
        raise Http404
    item = _feedback(request, pk)
    name, form_for, call = STEPS[step]
    form = form_for(request.POST, item)
    if form.is_valid():
        try:
            call(request.user, item, form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(error, form)
        except TransitionError as refused:
            show_refused(request, refused)
            return redirect("public_staff:feedback", pk=item.pk)
        else:
            messages.success(request, _("Saved."))
            return redirect("public_staff:feedback", pk=item.pk)
    return render(request, "public/staff/feedback_detail.html", _detail_context(request, item, **{name: form}))


@login_required
@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    access_permissions.require(request.user, *permissions.FEEDBACK, Capability.VIEW_AGGREGATES)
    context = {"nav": NAV, "board": feedback_dashboard.board_for(request.user)}
    return render(request, "public/staff/dashboard.html", context)


# --- information requests ------------------------------------------------------------------------------


def _request(request: AuthenticatedHttpRequest, pk: int) -> InformationRequest:
    try:
        return permissions.access_request_by_id(request.user, pk)
    except InformationRequest.DoesNotExist:
        raise Http404(_("Question not found.")) from None


@login_required
@require_GET
def request_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access_permissions.require(request.user, permissions.PUBLISH)
    page = page_of(request, selectors.requests_for(request.user), PAGE_SIZE)
    return render(request, "public/staff/request_list.html", {"nav": NAV, "page": page})


def _request_context(item: InformationRequest, **forms_: Any) -> dict[str, Any]:
    return {
        "nav": NAV,
        "item": item,
        "answer_form": forms_.get("answer_form") or forms.AnswerForm(initial={"answer": item.answer}),
        "publish_form": forms_.get("publish_form")
        or forms.PublishForm(
            initial={
                "public_question": item.public_question or item.question,
                "public_answer": item.public_answer or item.answer,
            }
        ),
        "has_errors": any(f.errors for f in forms_.values()),
    }


@login_required
@require_GET
def request_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _request(request, pk)
    return render(request, "public/staff/request_detail.html", _request_context(item))


@login_required
@require_POST
def request_step(request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
    access_permissions.require(request.user, permissions.PUBLISH)
    if step not in ("responder", "publicar"):
        raise Http404
    item = _request(request, pk)
    form: forms.AnswerForm | forms.PublishForm
    if step == "responder":
        form, name = forms.AnswerForm(request.POST), "answer_form"
    else:
        form, name = forms.PublishForm(request.POST), "publish_form"
    if form.is_valid():
        try:
            if isinstance(form, forms.AnswerForm):
                services.answer_request(request.user, item, answer=form.cleaned_data["answer"])
            else:
                services.publish_request(request.user, item, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(error, form)
        except TransitionError as refused:
            show_refused(request, refused)
            return redirect("public_staff:request", pk=item.pk)
        else:
            messages.success(request, _("Saved."))
            return redirect("public_staff:request", pk=item.pk)
    return render(request, "public/staff/request_detail.html", _request_context(item, **{name: form}))


# --- guides ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def guide_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access_permissions.require(request.user, permissions.PUBLISH)
    page = page_of(request, selectors.guides_for(request.user), PAGE_SIZE)
    context = {"nav": NAV, "page": page, "today": timezone.localdate()}
    return render(request, "public/staff/guide_list.html", context)


def _guide_initial(guide: Guide) -> dict[str, Any]:
    return {
        "programme": guide.programme_id,
        "country": guide.country,
        "municipality": guide.municipality_id,
        "topic": guide.topic,
        "language": guide.language,
        "title": guide.title,
        "body": guide.body,
        "is_published": guide.is_published,
    }


def _guide_form(request: AuthenticatedHttpRequest, guide: Guide | None) -> HttpResponse:
    initial = _guide_initial(guide) if guide is not None else {}
    form = forms.GuideForm(request.POST or None, initial=initial, programmes=_programme_choices(request))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_guide(request.user, guide, form.to_input())
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, _("The guide was saved (version %(version)s).") % {"version": saved.version})
            return redirect("public_staff:guide", pk=saved.pk)
    context = {
        "nav": NAV,
        "form": form,
        "guide": guide,
        "versions": selectors.guide_versions(guide) if guide is not None else [],
        "has_errors": form.is_bound and bool(form.errors),
        "today": timezone.localdate(),
    }
    return render(request, "public/staff/guide_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def guide_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    access_permissions.require(request.user, permissions.PUBLISH)
    return _guide_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def guide_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access_permissions.require(request.user, permissions.PUBLISH)
    try:
        guide = permissions.access_guide_by_id(request.user, pk)
    except Guide.DoesNotExist:
        raise Http404(_("Guide not found.")) from None
    return _guide_form(request, guide)


@login_required
@require_POST
def guide_reviewed(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access_permissions.require(request.user, permissions.PUBLISH)
    try:
        guide = permissions.access_guide_by_id(request.user, pk)
    except Guide.DoesNotExist:
        raise Http404(_("Guide not found.")) from None
    services.mark_guide_reviewed(request.user, guide)
    messages.success(request, _("The guide is marked as reviewed today."))
    return redirect("public_staff:guide", pk=guide.pk)


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access_permissions.require(request.user, permissions.PUBLISH)
    try:
        programme = permissions.access_programme_by_id(request.user, pk)
    except Programme.DoesNotExist:
        raise Http404 from None
    stored = selectors.settings_of(programme)
    initial = {
        name: getattr(stored, name)
        for name in (
            "is_listed",
            "summary",
            "eligibility",
            "acknowledge_days",
            "sensitive_acknowledge_days",
            "resolve_days",
            "guide_review_months",
        )
    }
    form = forms.SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_settings(request.user, programme, form.to_input())
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, _("The public page and feedback deadlines were saved."))
            return redirect("public_staff:settings", pk=programme.pk)
    context = {"nav": NAV, "programme": programme, "form": form, "has_errors": form.is_bound and bool(form.errors)}
    return render(request, "public/staff/settings.html", context)


# --- a case's satisfaction surveys (the case tab "Satisfaction") -----------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_satisfaction(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The surveys of the case and, for whoever may change it, the form to record one (one rule path: the
    service checks again)."""
    access_permissions.require(request.user, *CASE_READ)
    case = get_case_or_404(request, pk, for_write=request.method == "POST")
    can_record = case_permissions.can_change_case(request.user, case)
    form = forms.SatisfactionForm(request.POST or None, initial={"taken_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_satisfaction_survey(request.user, case, form.to_input())
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, _("The satisfaction survey was recorded."))
            return redirect("public_staff:case-satisfaction", pk=case.pk)
    if request.method == "GET":
        record_view(request, case, "satisfaction")
    context = case_page_context(request, case, "satisfaction")
    context.update(
        {
            "surveys": list(selectors.satisfaction_of_case(case)),
            "items": SATISFACTION_ITEMS,
            "form": form if can_record else None,
            "has_errors": form.is_bound and bool(form.errors),
        }
    )
    return render(request, "public/staff/case_satisfaction.html", context)
