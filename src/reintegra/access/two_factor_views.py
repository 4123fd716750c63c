"""The two-factor pages: `/cuenta/verificar/` (enter a code after the password) and `/cuenta/doble-factor/`
(set up or turn off an authenticator app). The rules live in `reintegra.access.two_factor`;
`access.middleware` keeps a user who still owes the second factor on these pages."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from reintegra.access import two_factor
from reintegra.access.account_forms import CodeForm
from reintegra.access.http import AuthenticatedHttpRequest


def _requested_next(request: HttpRequest) -> str:
    """The `next` the request carries when it is a safe, local address; "" otherwise."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _code_error(form: CodeForm, exc: ValidationError) -> None:
    """Show the error and empty the field: a rejected code is of no use to type over."""
    form.add_error("otp_token", exc)
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict
    data["otp_token"] = ""
    form.data = data


def _mark_verified(request: HttpRequest, device: Any) -> None:
    # A new session key at the moment of elevation, like at login (session fixation).
    request.session.cycle_key()
    otp_login(request, device)


@never_cache
@sensitive_post_parameters("otp_token")
@login_required
def two_factor_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The second step of logging in for a user with an authenticator app."""
    next_url = _requested_next(request)
    step = two_factor.pending_step(request.user)
    if step is None:
        return HttpResponseRedirect(next_url or reverse("dashboard"))
    if step == two_factor.Step.ENROL:
        return HttpResponseRedirect(_with_next(reverse("two_factor_setup"), next_url))
    form = CodeForm(request.POST if request.method == "POST" else None)
    form.fields["otp_token"].widget.attrs["autofocus"] = True
    if form.is_valid():
        try:
            device = two_factor.verify_code(request.user, form.cleaned_data["otp_token"])
        except ValidationError as exc:
            _code_error(form, exc)
        else:
            _mark_verified(request, device)
            return HttpResponseRedirect(next_url or reverse("dashboard"))
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": next_url, "nav": "two_factor"})


@never_cache
@sensitive_post_parameters("otp_token")
@login_required
def two_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up an authenticator app, or see and turn off the one set up. A session that has not entered a
    code yet is sent to enter one first: a password alone must not change the second factor."""
    user = request.user
    next_url = _requested_next(request)
    if two_factor.has_confirmed_device(user):
        if not two_factor.is_verified(user):
            return HttpResponseRedirect(_with_next(reverse("two_factor_verify"), next_url))
        return _manage(request)
    return _enrol(request, next_url)


def _enrol(request: AuthenticatedHttpRequest, next_url: str) -> HttpResponse:
    user = request.user
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "restart":
        two_factor.restart_enrolment(user)
        return HttpResponseRedirect(_with_next(reverse("two_factor_setup"), next_url))
    device = two_factor.start_enrolment(user)
    form = CodeForm(request.POST if action == "confirm" else None)
    if form.is_valid():
        try:
            device = two_factor.confirm_enrolment(user, device, form.cleaned_data["otp_token"])
        except ValidationError as exc:
            _code_error(form, exc)
        else:
            _mark_verified(request, device)
            messages.success(
                request,
                _("Your authenticator app is set up. From now on you will enter a code from it when you log in."),
            )
            return HttpResponseRedirect(next_url or reverse("two_factor_setup"))
    uri = two_factor.provisioning_uri(device)
    context = {
        "nav": "two_factor",
        "form": form,
        "next": next_url,
        "required": two_factor.two_factor_required(user),
        "secret": two_factor.grouped(two_factor.secret_base32(device)),
        "otpauth_uri": uri,
        "qr_code": two_factor.qr_data_uri(uri),
    }
    return render(request, "registration/two_factor_setup.html", context)


def _manage(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    can_disable = two_factor.can_disable(user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_disable:
            raise PermissionDenied(_("Your role requires two-factor authentication: it cannot be turned off."))
        if form.is_valid():
            try:
                two_factor.disable(user, form.cleaned_data["otp_token"])
            except ValidationError as exc:
                _code_error(form, exc)
            else:
                messages.success(request, _("Two-factor authentication is off."))
                return HttpResponseRedirect(reverse("two_factor_setup"))
    context = {
        "nav": "two_factor",
        "form": form,
        "devices": two_factor.confirmed_devices(user),
        "can_disable": can_disable,
    }
    return render(request, "registration/two_factor_manage.html", context)
