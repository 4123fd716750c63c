"""Hand-over pages (/traspasos/): inbox, outbox (with failed deliveries and their retry), detail with the
state history, creation from the case page, file upload, partner installations with key fingerprints.
Thin: forms parse, selectors read (404 for what the user may not see), services write."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.access import audit, permissions
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.roles import Capability
from reintegra.access.transitions import TransitionError
from reintegra.cases import permissions as case_permissions
from reintegra.cases.models import Case
from reintegra.handover import forms, inputs, keys, package, selectors, services
from reintegra.handover import permissions as handover_permissions
from reintegra.handover.api import package_response
from reintegra.handover.models import Delivery, HandOver
from reintegra.protection.services import ConsentRequired
from reintegra.web.forms import apply_service_errors
from reintegra.web.steps import show_refused


def _require_use(request: AuthenticatedHttpRequest) -> None:
    if not selectors.can_use(request.user):
        raise permissions.denied()


@login_required
@require_GET
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_use(request)
    rows = selectors.inbox(request.user)[:200]
    context = {"handovers": rows, "upload_form": forms.UploadForm(), "awaiting": selectors.awaiting_count(request.user)}
    return render(request, "handover/inbox.html", context)


@login_required
@require_GET
def outbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_use(request)
    rows = selectors.outbox(request.user)[:200]
    deliveries = selectors.failed_deliveries(request.user)[:100]
    return render(request, "handover/outbox.html", {"handovers": rows, "deliveries": deliveries})


def _get(request: AuthenticatedHttpRequest, pk: Any, side: str = "") -> HandOver:
    try:
        return handover_permissions.access_handover_by_id(request.user, pk, side=side)
    except HandOver.DoesNotExist:
        raise Http404(_("Hand-over not found.")) from None


_STEPS = ("send", "revoke", "accept", "decline")


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    step = request.POST.get("step", "") if request.method == "POST" else ""
    side = "sender" if step in ("send", "revoke") else "recipient" if step in ("accept", "decline") else ""
    if request.method == "POST" and step not in _STEPS:
        raise Http404
    if request.method == "POST":
        permissions.require(user, Capability.EDIT_CASES)
    handover = _get(request, pk, side)
    accept_form = forms.AcceptForm(request.POST if step == "accept" else None)
    decline_form = forms.DeclineForm(request.POST if step == "decline" else None)
    if request.method == "POST":
        done = _step(request, handover, step, accept_form, decline_form)
        if done:
            return redirect("handover:detail", pk=handover.pk)
    else:
        audit.record_access(user, "view", handover, purpose="hand-over")
    context = {
        "handover": handover,
        "events": selectors.events_of(handover),
        "deliveries": selectors.deliveries_of(handover),
        "is_sender": handover_permissions.is_sender(user, handover),
        "is_recipient": handover_permissions.is_recipient(user, handover),
        "accept_form": accept_form,
        "decline_form": decline_form,
        "payload": handover.payload or {},
        "has_package": selectors.package_of(user, handover) is not None,
    }
    return render(request, "handover/detail.html", context)


def _step(
    request: AuthenticatedHttpRequest, handover: HandOver, step: str, accept_form: Any, decline_form: Any
) -> bool:
    user = request.user
    try:
        if step == "send":
            services.send_handover(user, handover)
        elif step == "revoke":
            services.revoke_handover(user, handover)
        elif step == "accept" and accept_form.is_valid():
            data = inputs.accept_input(user, accept_form.cleaned_data.get("existing_returnee"), accept_form.seen())
            services.accept_handover(user, handover, data)
        elif step == "decline" and decline_form.is_valid():
            services.decline_handover(user, handover, decline_form.cleaned_data.get("reason", ""))
        else:
            return False
    except TransitionError as exc:
        show_refused(request, exc)
        return True
    except ConsentRequired as exc:
        messages.error(request, str(exc))
        return False
    except ValidationError as exc:
        apply_service_errors(exc, accept_form if step == "accept" else decline_form)
        if step in ("send", "revoke"):
            messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, _("Hand-over updated."))
    return True


@login_required
@require_GET
def package_file(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    handover = _get(request, pk)
    delivery = selectors.package_of(request.user, handover)
    if delivery is None:
        raise Http404(_("There is no package to download."))
    audit.record_access(request.user, "export", handover, purpose="hand-over package file")
    return package_response(handover, delivery)


@login_required
@require_http_methods(["GET", "POST"])
def create(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        permissions.require(user, Capability.EDIT_CASES)
    try:
        case = case_permissions.access_case_by_id(user, case_id, for_write=True)
    except Case.DoesNotExist:
        raise Http404(_("Case not found.")) from None
    form = forms.HandOverForm(request.POST or None, user=user, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            handover = services.create_handover(user, case, inputs.handover_input(user, form.cleaned_data))
        except TransitionError as exc:
            show_refused(request, exc)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("Draft hand-over saved. Check it, then send it."))
            return redirect("handover:detail", pk=handover.pk)
    return render(request, "handover/create.html", {"case": case, "form": form})


@login_required
@require_POST
def upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    permissions.require(request.user, Capability.EDIT_CASES)
    form = forms.UploadForm(request.POST, request.FILES)
    token = form.token() if form.is_valid() else ""
    if not token:
        messages.error(request, _("Choose the .json.jwe file of the hand-over."))
        return redirect("handover:inbox")
    try:
        handover = services.receive_package(token, uploaded_by=request.user, channel="web")
    except services.PackageRefused as exc:
        messages.error(request, str(exc))
        return redirect("handover:inbox")
    messages.success(request, _("Hand-over received."))
    return redirect("handover:detail", pk=handover.pk)


@login_required
@require_POST
def retry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    permissions.require(request.user, Capability.EDIT_CASES)
    try:
        delivery = selectors.get_delivery(request.user, pk)
    except Delivery.DoesNotExist:
        raise Http404 from None
    try:
        services.retry_delivery(request.user, delivery)
    except TransitionError as exc:
        show_refused(request, exc)
    else:
        messages.success(request, _("The package is being sent again."))
    return redirect("handover:outbox")


@login_required
@require_http_methods(["GET", "POST"])
def partners(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    _require_use(request)
    if request.method == "POST":
        permissions.require(user, Capability.MANAGE_PROGRAMME)
    form = forms.PartnerForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = inputs.partner_input({**form.cleaned_data, "public_jwks": form.jwks()})
        try:
            services.register_partner(user, data)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("Partner installation registered."))
            return redirect("handover:partners")
    rows = [(p, package.fingerprint(p.public_jwks)) for p in selectors.partners_for(user)]
    own = keys.public_jwks()
    context = {
        "partners": rows,
        "form": form,
        "can_register": permissions.has_any(user, Capability.MANAGE_PROGRAMME),
        "own_id": package.installation_id(own),
        "own_fingerprint": package.fingerprint(own),
        "own_jwks_json": json.dumps(own, indent=2),
    }
    return render(request, "handover/partners.html", context)
