"""Keeps a half-signed-in user on the two-factor pages (see `access.two_factor`).

After the password, a user with an authenticator app must enter a code (`/cuenta/verificar/`), and a user
whose role requires two-factor authentication but has no app must set one up (`/cuenta/doble-factor/`),
before any other page opens. Installed right after django-otp's `OTPMiddleware`.

The API (`/api/`) authenticates with tokens, which need the code when they are issued; a browser session
that has not passed the second factor is not a login there, so it is dropped for API requests rather than
letting the session cookie reach the data.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from reintegra.access import two_factor

API_PREFIX = "/api/"
# Paths open to a user who still owes the second factor (besides the pages named in `_open_paths`). The
# public information portal (`/info/`, reintegra.public) is login-free and reads no user: it stays open too.
OPEN_PREFIXES = ("/i18n/", "/healthz", "/readyz", "/info/")


def _open_paths() -> set[str]:
    return {reverse(name) for name in ("login", "logout", "two_factor_verify", "two_factor_setup")}


def _is_open(request: HttpRequest) -> bool:
    static = settings.STATIC_URL or "/static/"
    return (
        request.path in _open_paths() or request.path_info.startswith(OPEN_PREFIXES) or request.path.startswith(static)
    )


def _target(request: HttpRequest, step: two_factor.Step) -> str:
    url = reverse("two_factor_verify" if step == two_factor.Step.VERIFY else "two_factor_setup")
    if request.method in ("GET", "HEAD") and not request.headers.get("HX-Request"):
        url += "?" + urlencode({"next": request.get_full_path()})
    return url


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        step = two_factor.pending_step_for(request)
        request.two_factor_pending = step  # type: ignore[attr-defined]  # the layout hides the menu meanwhile
        if step is not None:
            if request.path_info.startswith(API_PREFIX):
                request.user = AnonymousUser()
            elif not _is_open(request):
                url = _target(request, step)
                if request.headers.get("HX-Request"):
                    # htmx would swap the whole page into a fragment: ask it to navigate instead.
                    return HttpResponse(status=204, headers={"HX-Redirect": url})
                return HttpResponseRedirect(url)
        return self.get_response(request)
