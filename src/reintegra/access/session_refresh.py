"""Sessions end after `SESSION_COOKIE_AGE` of inactivity without a database write on every page view.

Django either saves the session on every request (`SESSION_SAVE_EVERY_REQUEST`: one UPDATE per GET, and on
SQLite a write that can meet "database is locked" under load) or only when it changes (then the expiry
counts from the login, not from the last activity). This middleware marks the session changed at most once
per `REFRESH_SECONDS`: the idle timeout is kept to within a minute and a reading user costs no writes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

REFRESH_SECONDS = 60
KEY = "_refreshed_at"


def _now() -> int:
    return int(time.time())


class SessionIdleRefreshMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session that exists (a signed-in user, a CSRF-bearing form): never create one for a visitor.
        if session is not None and session.session_key and not session.is_empty():
            now = _now()
            if session.modified or now - int(session.get(KEY, 0)) >= REFRESH_SECONDS:
                session[KEY] = now  # marks it modified: SessionMiddleware saves it and renews the cookie
        return response
