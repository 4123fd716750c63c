"""The idle timeout is renewed at most once a minute, so reading pages does not write the session row each time."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reintegra.access import session_refresh


def _session_writes(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return sum(1 for q in queries.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"].upper())


@pytest.mark.django_db
def test_reading_pages_renews_the_session_once_a_minute(client, case_manager, monkeypatch):
    client.force_login(case_manager)
    now = [1_000_000]
    monkeypatch.setattr(session_refresh, "_now", lambda: now[0])
    _session_writes(client, "/")  # the first page after the login stamps the session
    assert _session_writes(client, "/") == 0
    now[0] += 30
    assert _session_writes(client, "/") == 0
    now[0] += session_refresh.REFRESH_SECONDS
    assert _session_writes(client, "/") == 1  # a minute on: the expiry moves with the activity
    assert client.session[session_refresh.KEY] == now[0]


@pytest.mark.django_db
def test_an_anonymous_visitor_gets_no_session(client, settings):
    answer = client.get("/login/")
    assert settings.SESSION_COOKIE_NAME not in answer.cookies
