"""Account pages (`/cuenta/`): the user's own password and API tokens, the "forgot your password?" pages, and
the user list where a user manager sends password-reset links (`/usuarios/`). Thin: the rules are in
`access.accounts`, `access.api_tokens` and `access.throttle`."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.access import accounts, api_tokens, permissions, throttle, two_factor
from reintegra.access.account_forms import PasswordChangeForm, PasswordResetRequestForm, SetPasswordForm, TokenForm
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.models import ROLE_LABELS, ApiToken
from reintegra.access.roles import Capability, Role
from reintegra.web.pagination import page_of


def _base_url(request: HttpRequest) -> str:
    return settings.REINTEGRA_BASE_URL or request.build_absolute_uri("/")


# --- the user's own account ----------------------------------------------------------------------


@require_GET
@login_required
def account(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "nav": "account",
        "token_count": api_tokens.live_token_count(user),
        "two_factor_on": two_factor.has_confirmed_device(user),
    }
    return render(request, "account/overview.html", context)


@never_cache
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
@login_required
def password_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Change one's own password. The other sessions end and the API tokens are revoked; this one stays."""
    user = request.user
    form = PasswordChangeForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_valid():
        wait = throttle.login_wait(request, user.get_username())
        if wait is not None:
            form.add_error(None, throttle.wait_message(wait))
            status = 429
        else:
            try:
                accounts.change_password(user, **form.cleaned_data)
            except accounts.WrongPassword as exc:
                throttle.record_login_failure(request, user.get_username())
                form.add_service_errors(exc)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                update_session_auth_hash(request, user)
                messages.success(
                    request,
                    _("Your password was changed. Your other sessions were closed and your API tokens revoked."),
                )
                return HttpResponseRedirect(reverse("account:overview"))
    context = {"nav": "account", "form": form, "has_errors": form.is_bound and bool(form.errors)}
    return render(request, "account/password_change.html", context, status=status)


def _tokens_page(
    request: AuthenticatedHttpRequest, form: TokenForm, *, status: int = 200, **extra: Any
) -> HttpResponse:
    tokens = list(api_tokens.tokens_of(request.user))
    context = {
        "nav": "account",
        "form": form,
        "tokens": tokens,
        "limit": settings.REINTEGRA_API_TOKENS_PER_USER,
        "ttl_days": ttl.days if (ttl := api_tokens.ttl()) is not None else None,
        "has_errors": form.is_bound and bool(form.errors),
        **extra,
    }
    return render(request, "account/api_tokens.html", context, status=status)


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
@login_required
def tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's API tokens; POST creates one (with the password again), shown once on the answer (never
    stored, never cached)."""
    user = request.user
    form = TokenForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        wait = throttle.login_wait(request, user.get_username())
        if wait is not None:
            form.add_error(None, throttle.wait_message(wait))
            return _tokens_page(request, form, status=429)
        try:
            token, secret = api_tokens.issue_in_session(
                user,
                form.cleaned_data["password"],
                name=form.cleaned_data["name"],
                second_factor=two_factor.is_verified(user),
            )
        except accounts.WrongPassword as exc:
            throttle.record_login_failure(request, user.get_username())
            form.add_service_errors(exc)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return _tokens_page(request, TokenForm(), status=201, created=token, secret=secret)
    return _tokens_page(request, form)


@require_POST
@login_required
def token_revoke(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    try:
        token = api_tokens.revoke(request.user, token_id, channel="web")
    except ApiToken.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("The API token “%(name)s” was revoked.") % {"name": token.name})
    return HttpResponseRedirect(reverse("account:tokens"))


@require_POST
@login_required
def tokens_revoke_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = api_tokens.revoke_all(request.user, api_tokens.Reason.BY_USER)
    messages.success(request, _("All your API tokens were revoked (%(count)d).") % {"count": count})
    return HttpResponseRedirect(reverse("account:tokens"))


# --- forgotten password --------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """ "Forgot your password?": the same answer whether or not an account matches."""
    form = PasswordResetRequestForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_valid():
        identifier = form.cleaned_data["identifier"]
        try:
            throttle.count_reset_request(request, identifier)
            accounts.request_reset(identifier, _base_url(request), language=get_language())
        except throttle.Throttled as exc:
            form.add_error(None, exc.message)
            status = 429
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return HttpResponseRedirect(reverse("account:password_reset_sent"))
    context = {"form": form, "has_errors": form.is_bound and bool(form.errors)}
    return render(request, "account/password_reset.html", context, status=status)


@require_GET
def password_reset_sent(request: HttpRequest) -> HttpResponse:
    hours = max(1, round(settings.PASSWORD_RESET_TIMEOUT / 3600))
    return render(request, "account/password_reset_sent.html", {"hours": hours})


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view (the link's token moves to the session before the form shows, so it never sits in a
    page address that could leak through a Referer); the password is set by `accounts`."""

    form_class = SetPasswordForm  # type: ignore[assignment]  # our form: the service sets the password
    template_name = "account/password_reset_confirm.html"
    success_url = reverse_lazy("account:password_reset_complete")
    http_method_names = ["get", "post", "head", "options"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        # Django's view answers an invalid link before looking at the method.
        if (request.method or "").lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        data = form.cleaned_data
        try:
            accounts.set_password_from_reset(form.user, data["new_password1"], data["new_password2"])
        except ValidationError as exc:
            form.add_service_errors(exc)
            return self.form_invalid(form)
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        context["has_errors"] = bool(form is not None and form.is_bound and form.errors)
        return context


@require_GET
def password_reset_complete(request: HttpRequest) -> HttpResponse:
    return render(request, "account/password_reset_complete.html")


# --- user managers: reset links for their organisation's users ------------------------------------


@require_GET
@login_required
def users(request: AuthenticatedHttpRequest) -> HttpResponse:
    permissions.require(request.user, Capability.MANAGE_USERS)
    page = page_of(request, accounts.manageable_users(request.user), per_page=50)
    rows = [
        {"user": u, "roles": [ROLE_LABELS.get(Role(code), code) for code in accounts.role_codes(u)]}
        for u in page.object_list
    ]
    return render(request, "account/users.html", {"nav": "users", "page": page, "rows": rows})


@require_POST
@login_required
def user_password_reset(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    permissions.require(request.user, Capability.MANAGE_USERS)
    target = accounts.manageable_user(request.user, user_id)
    if target is None:
        raise Http404
    try:
        accounts.send_reset_by_manager(request.user, target, _base_url(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("A link to set a new password was e-mailed to %(user)s.") % {"user": target.get_username()}
        )
    return HttpResponseRedirect(reverse("account:users"))
