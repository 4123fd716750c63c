"""Login throttling beyond django-axes.

django-axes locks one account from one address after a few failures (`AXES_FAILURE_LIMIT`). That leaves
password spraying (one or two guesses against many accounts from one address) and a distributed guess
against one account (many addresses) unthrottled. This module counts failed logins

- per client address, whatever the account (`ip`), and
- per account name, whatever the address (`account`; also for names that do not exist, so the answer
  never tells whether an account exists),

within a sliding window (`settings.REINTEGRA_LOGIN_THROTTLE`: scope -> (failures, minutes)), and refuses
further attempts until enough of them have aged out. It covers every `authenticate()` call with a request
(the login page, the admin's login, `POST /api/v1/auth/token/`) through `ThrottleBackend` (first in
AUTHENTICATION_BACKENDS) and the `user_login_failed` signal; the answer is `lockout_response` (a 429: the
login page with a message, or JSON with `code: "throttled"` under /api/), which django-axes' middleware
also uses for its own lockouts. Password-reset requests are counted the same way, every request
(`reset_ip`, `reset_account`), and wrong current passwords on the password-change page count as failed
logins of that account.

It is on when django-axes is (`AXES_ENABLED`, env `REINTEGRA_LOGIN_THROTTLING`); the client address is the
one axes uses, `client_ip_address` (set `REINTEGRA_PROXY_COUNT` behind reverse proxies). Who tried is not
stored in clear: each row holds a keyed hash of the address or of the account name, and rows older than the
longest window go.
"""

from __future__ import annotations

import math
import unicodedata
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reintegra.access.models import LoginFailure

if TYPE_CHECKING:
    from reintegra.access.models import User

IP, ACCOUNT, RESET_IP, RESET_ACCOUNT = "ip", "account", "reset_ip", "reset_account"
API_PREFIX = "/api/"


class Throttled(Exception):
    """Too many attempts: `wait` until the next one is accepted."""

    code = "throttled"

    def __init__(self, wait: timedelta) -> None:
        super().__init__(wait)
        self.wait = wait

    @property
    def message(self) -> str:
        return wait_message(self.wait)


def enabled() -> bool:
    return bool(getattr(settings, "AXES_ENABLED", False))


def client_ip(request: HttpRequest) -> str:
    from axes.helpers import get_client_ip_address

    return str(get_client_ip_address(request) or "")


def client_ip_address(request: HttpRequest) -> str:
    """The client's address (`AXES_CLIENT_IP_CALLABLE`): REMOTE_ADDR, or, behind `REINTEGRA_PROXY_COUNT`
    trusted reverse proxies that each append to X-Forwarded-For, the address the outermost one saw (what
    the client itself wrote in that header is ignored). Without it, every user would share the proxy's
    address and one person's typos would throttle the whole site."""
    count = int(getattr(settings, "REINTEGRA_PROXY_COUNT", 0) or 0)
    if count > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= count:
            return str(hops[-count])
    return str(request.META.get("REMOTE_ADDR", ""))


def _account(name: Any) -> str:
    """The account name as typed, normalised so that case and Unicode variants count as one."""
    return unicodedata.normalize("NFKC", str(name or "")).strip().casefold()


def _key(scope: str, value: str) -> str:
    return salted_hmac(f"reintegra.throttle.{scope}", value, algorithm="sha256").hexdigest()


def _window(scope: str) -> tuple[int, timedelta]:
    limit, minutes = settings.REINTEGRA_LOGIN_THROTTLE[scope]
    return int(limit), timedelta(minutes=minutes)


def _wait(scope: str, value: str, now: datetime) -> timedelta | None:
    """How long until `value` may try again in `scope`; None when it may now."""
    limit, window = _window(scope)
    if not value or limit <= 0:
        return None
    recent = list(
        LoginFailure.objects.filter(scope=scope, key=_key(scope, value), at__gt=now - window)
        .order_by("-at")
        .values_list("at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return None
    return max(recent[-1] + window - now, timedelta(seconds=1))


def _longest_wait(checks: list[tuple[str, str]]) -> timedelta | None:
    now = timezone.now()
    waits = [w for scope, value in checks if (w := _wait(scope, value, now)) is not None]
    return max(waits) if waits else None


def _record(checks: list[tuple[str, str]]) -> None:
    now = timezone.now()
    longest = max(_window(scope)[1] for scope in settings.REINTEGRA_LOGIN_THROTTLE)
    LoginFailure.objects.filter(at__lt=now - longest).delete()
    LoginFailure.objects.bulk_create(
        LoginFailure(scope=scope, key=_key(scope, value), at=now) for scope, value in checks if value
    )


def _login_checks(request: HttpRequest, username: Any) -> list[tuple[str, str]]:
    return [(IP, client_ip(request)), (ACCOUNT, _account(username))]


def login_wait(request: HttpRequest, username: Any) -> timedelta | None:
    """How long this address, or this account, must wait before the next login attempt (None: not now)."""
    if not enabled():
        return None
    return _longest_wait(_login_checks(request, username))


def record_login_failure(request: HttpRequest, username: Any) -> None:
    if enabled():
        _record(_login_checks(request, username))


def forget_account_failures(username: Any) -> None:
    """A successful login clears the account's count (the address's count stays: a spraying attacker's own
    account must not reset it)."""
    LoginFailure.objects.filter(scope=ACCOUNT, key=_key(ACCOUNT, _account(username))).delete()


def count_reset_request(request: HttpRequest, identifier: Any) -> None:
    """Count a password-reset request; raises Throttled (without counting) when there were too many."""
    if not enabled():
        return
    checks = [(RESET_IP, client_ip(request)), (RESET_ACCOUNT, _account(identifier))]
    wait = _longest_wait(checks)
    if wait is not None:
        raise Throttled(wait)
    _record(checks)


def wait_text(wait: timedelta) -> str:
    seconds = max(1, math.ceil(wait.total_seconds()))
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    return timeuntil(timezone.now() + timedelta(seconds=seconds))


def wait_message(wait: timedelta) -> str:
    return _("Too many attempts. Wait %(wait)s and try again. If you forgot your password, ask for a new one.") % {
        "wait": wait_text(wait)
    }


# --- authentication ------------------------------------------------------------------------------


class ThrottleBackend:
    """Refuses to authenticate while the address or the account is throttled (first of the backends: the
    password is not even checked). Never logs anyone in, and has no `get_user`: Django must not pick it as
    the backend of a session."""

    def authenticate(self, request: HttpRequest | None, username: Any = None, **kwargs: Any) -> None:
        if request is None:
            return None  # the shell (createsuperuser, tests' client.login without a request)
        wait = login_wait(request, username)
        if wait is not None:
            request.login_throttled = wait  # type: ignore[attr-defined]
            # django-axes' middleware turns the response into `lockout_response`.
            request.axes_locked_out = True  # type: ignore[attr-defined]
            raise PermissionDenied(wait_message(wait))
        return None


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """`user_login_failed` receiver: count the failure, unless it was refused for being throttled."""
    if request is None or getattr(request, "login_throttled", None) is not None:
        return
    record_login_failure(request, credentials.get("username"))


def on_logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if enabled():
        forget_account_failures(user.get_username())


def _axes_wait() -> timedelta:
    cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
    if isinstance(cooloff, timedelta):
        return cooloff
    return timedelta(hours=float(cooloff or 0.25))


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """The answer to a throttled login (ours or django-axes'): 429, JSON under /api/, else the login page."""
    wait = getattr(request, "login_throttled", None) or _axes_wait()
    message = wait_message(wait)
    retry_after = str(max(1, math.ceil(wait.total_seconds())))
    if request.path_info.startswith(API_PREFIX):
        response: HttpResponse = JsonResponse({"detail": message, "code": Throttled.code}, status=429)
    else:
        from django.contrib.auth.forms import AuthenticationForm

        context = {"form": AuthenticationForm(request), "throttled_message": message, "next": ""}
        response = render(request, "registration/login.html", context, status=429)
    response["Retry-After"] = retry_after
    return response
