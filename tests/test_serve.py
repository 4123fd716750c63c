"""`reintegra serve --with-worker`: the production stack really serves — gunicorn workers, WhiteNoise static
files, DEBUG off, the background worker beating (a missing page is the site's own 404, never Django's technical
page) — and the worker count rule."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from reintegra.testing.template_db import copy_migrated_sqlite
from reintegra.web.management.commands.serve import default_workers


def test_workers_follow_the_cores_within_bounds():
    assert default_workers(1) == 3 and default_workers(2) == 5 and default_workers(64) == 8


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310  # loopback only
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310  # loopback only
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _wait_for(base: str, server: subprocess.Popen[str]) -> tuple[int, dict[str, str], bytes]:
    deadline = time.monotonic() + 300  # collecting the static files takes minutes on a loaded two-core machine
    while True:
        try:
            return _get(f"{base}/healthz")
        except (urllib.error.URLError, ConnectionError, TimeoutError):  # workers still booting on a loaded machine
            assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
            time.sleep(0.5)


def test_serve_answers_with_gunicorn_static_files_and_no_debug_pages(tmp_path: Path):
    port = _free_port()
    env = {
        **os.environ,
        "REINTEGRA_HOME": str(tmp_path),
        "REINTEGRA_DEBUG": "0",
        "REINTEGRA_STATIC_ROOT": str(tmp_path / "static"),
        "REINTEGRA_METRICS_TOKEN": "s" * 40,
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # The serving stack is what is tested here, on the run's migrated SQLite copy whatever the suite's database.
    env["DATABASE_URL"] = f"sqlite:///{copy_migrated_sqlite(tmp_path / 'reintegra.sqlite3')}"
    server = subprocess.Popen(
        [sys.executable, "-m", "reintegra", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--with-worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        status, headers, _body = _wait_for(base, server)
        assert status == 200 and "gunicorn" in headers.get("Server", "")
        page = _get(f"{base}/login/")[2].decode()
        stylesheet = re.search(r'href="(/static/css/reintegra\.[0-9a-f]{12}\.css)"', page)
        assert stylesheet, "the stylesheet's name carries its hash"
        status, headers, _body = _get(f"{base}{stylesheet.group(1)}", **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers.get("Content-Encoding") == "gzip"
        assert "max-age=315360000" in headers.get("Cache-Control", "")
        status, _headers, body = _get(f"{base}/no-such-page/?name=Ana")
        assert status == 404 and b"URLconf" not in body and b"Traceback" not in body
        assert _worker_beats(base), "the background worker started with the server beats (/readyz)"
        # The workers' counters, added up in prometheus_client's multiprocess mode; by route name, not path.
        status, _headers, body = _get(f"{base}/metrics", Authorization="Bearer " + "s" * 40)
        assert status == 200 and b'reintegra_http_requests_total{method="GET",route="healthz",status="200"}' in body
        assert b"no-such-page" not in body
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "Booting worker" in output and "Starting the background worker" in output
    assert "name=Ana" not in output  # request lines are logged without their query string
    assert "GET unmatched 404 " in output  # one line per request, by route name (reintegra.observability)


def _worker_beats(base: str) -> bool:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status, _headers, body = _get(f"{base}/readyz")
        if status == 200 and b'"worker": "ok"' in body:
            return True
        time.sleep(0.5)
    return False


def test_the_connection_of_the_serving_process_is_closed_before_the_workers_fork(
    tmp_path: Path, monkeypatch, django_db_blocker
):
    import django.db
    from django.db.utils import ConnectionHandler

    from reintegra.web.management.commands.serve import close_connections_before_forking

    # A file database of its own (the suite's in-memory SQLite is never really closed).
    handler = ConnectionHandler({"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "x.db")}})
    monkeypatch.setattr(django.db, "connections", handler)
    with django_db_blocker.unblock(), handler["default"].cursor() as cursor:  # as `reintegra demo` leaves it
        cursor.execute("SELECT 1")
    assert handler["default"].connection is not None
    close_connections_before_forking()
    assert handler["default"].connection is None
