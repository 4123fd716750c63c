"""A real server for browser tests: `reintegra runserver` in a subprocess on a database of its own.

The app runs as users meet it (its own process, its own database), so the test also proves that the
server starts from a clean database. With DATABASE_URL pointing at PostgreSQL, a throw-away database is
created and migrated on that server; otherwise the run's migrated SQLite file is copied (testing.template_db).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from reintegra.testing.template_db import clone_postgres, copy_migrated_sqlite

CHROMIUM = os.environ.get("REINTEGRA_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "browser-test-Passw0rd"


@dataclass
class LiveApp:
    url: str
    env: dict[str, str]

    def manage(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "reintegra", *args], env=self.env, capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _postgres_database(base_url: str, django_db_blocker) -> tuple[str, "callable"]:
    """A throw-away database on the server of `base_url`: a copy of the migrated template (testing.template_db)."""
    import psycopg
    from django.db import connection

    name = f"reintegra_browser_{uuid.uuid4().hex[:8]}"
    parsed = urlparse(base_url)
    admin_url = urlunparse(parsed._replace(path="/postgres"))
    with django_db_blocker.unblock():
        clone_postgres(connection, name)

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunparse(parsed._replace(path=f"/{name}")), drop


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory, django_db_blocker) -> Iterator[LiveApp]:
    base = os.environ.get("DATABASE_URL", "")
    drop = None
    if base.startswith(("postgres://", "postgresql://")):
        database_url, drop = _postgres_database(base, django_db_blocker)
    else:
        database_url = f"sqlite:///{copy_migrated_sqlite(tmp_path_factory.mktemp('browser') / 'app.sqlite3')}"
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "reintegra.settings",
        "REINTEGRA_DEBUG": "0",
        "REINTEGRA_LOGIN_THROTTLING": "0",
        "REINTEGRA_HOME": str(tmp_path_factory.mktemp("home")),
    }
    app = LiveApp(url=f"http://127.0.0.1:{port}", env=env)
    app.manage("load_places")
    app.manage("createorg", "--code", "oim-gt", "--name", "OIM Guatemala", "--country", "GT")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "reintegra",
            "createuser",
            "--username",
            "gestora",
            "--organization",
            "oim-gt",
            "--role",
            "case_manager",
            "--password-env",
            "BROWSER_PASSWORD",
        ],
        env={**env, "BROWSER_PASSWORD": PASSWORD},
        check=True,
        capture_output=True,
        timeout=120,
    )
    log = Path(tmp_path_factory.mktemp("log")) / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "reintegra", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{app.url}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("server did not start:\n" + log.read_text()) from None
                time.sleep(0.3)
        yield app
    finally:
        server.terminate()
        server.wait(timeout=20)
        if drop:
            drop()


@pytest.fixture
def page(live_app: LiveApp) -> Iterator["object"]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test` (it installs Debian's chromium).")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
        )
        context = browser.new_context(locale="es-MX", viewport={"width": 1280, "height": 900})
        pg = context.new_page()
        pg.set_default_timeout(15000)
        try:
            yield pg
        finally:
            artifacts = Path(os.environ.get("REINTEGRA_TEST_ARTIFACTS", "test-artifacts"))
            artifacts.mkdir(exist_ok=True)
            pg.screenshot(path=str(artifacts / "last-browser-page.png"), full_page=True)
            context.close()
            browser.close()


# The journeys' shared steps: one way to log in and to submit a form, so a change of the login page or of the
# forms' buttons is made once.


def log_in(page, live_app: LiveApp, username: str = "gestora", password: str = PASSWORD) -> None:
    """Log in from a fresh session (cookies cleared: the journeys switch users); lands off the login page."""
    page.context.clear_cookies()
    page.goto(f"{live_app.url}/login/")
    page.fill("[name=username]", username)
    page.fill("[name=password]", password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "/login/" not in page.url, f"{username} could not log in"


def submit(page, scope: str = "main form", *, last: bool = False) -> None:
    """Click the primary submit button of the page's (first, or last) form and wait for the next page."""
    buttons = page.locator(f"{scope} button[type=submit].button--primary")
    with page.expect_navigation():
        (buttons.last if last else buttons.first).click()
    page.wait_for_load_state("networkidle")


def main_text(page) -> str:
    return page.locator("main").inner_text()
