"""Issue 10, item 1: the same settings in every entry point; DEBUG never on in production.

The WSGI application is booted in a subprocess with the documented production variables, as
`gunicorn reintegra.wsgi` would, and crafted bad requests must answer plain 400/500 bodies that print
no setting and not the database password.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from reintegra import environment

DB_PASSWORD = "Db-Pa55word-that-must-never-be-shown"
SECRET_KEY = "production-secret-key-" + "s" * 40


def production_environment(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("REINTEGRA_", "DJANGO_", "DATABASE_"))}
    return {
        **base,
        "REINTEGRA_ENV": "production",
        "REINTEGRA_SECRET_KEY": SECRET_KEY,
        "REINTEGRA_ALLOWED_HOSTS": "reintegra.example.org",
        "REINTEGRA_FIELD_KEYS": Fernet.generate_key().decode(),
        "REINTEGRA_BLIND_INDEX_KEY": "blind-index-" + "b" * 40,
        "REINTEGRA_PSEUDONYM_KEY": "pseudonym-" + "p" * 40,
        # Nothing listens on port 9: any database access fails, as when the database is down.
        "DATABASE_URL": f"postgres://reintegra:{DB_PASSWORD}@127.0.0.1:9/reintegra",
        **extra,
    }


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True, timeout=120
    )


# Requests sent straight to the WSGI callable, as a server in front of it would (HTTPS behind a proxy).
BOOT_AND_PROBE = """
    import io, json, sys
    import reintegra.wsgi
    from django.conf import settings

    def call(method, path, body=b"", content_type="application/json"):
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "reintegra.example.org",
            "SERVER_PORT": "443", "HTTP_HOST": "reintegra.example.org", "wsgi.url_scheme": "https",
            "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "CONTENT_TYPE": content_type,
            "CONTENT_LENGTH": str(len(body)), "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.version": (1, 0),
            "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
        }
        status = []
        chunks = reintegra.wsgi.application(environ, lambda s, h, exc_info=None: status.append(s))
        return {"status": int(status[0].split()[0]), "body": b"".join(chunks).decode("utf-8", "replace")}

    deep = b"[" * 100000 + b"]" * 100000
    print(json.dumps({
        "settings": settings.SETTINGS_MODULE,
        "debug": settings.DEBUG,
        "deep_json": call("POST", "/api/v1/auth/token/", deep),
        "deep_object": call("POST", "/api/v1/auth/token/", b'{"username":' * 5000 + b'"x"' + b"}" * 5000),
        "malformed": call("POST", "/api/v1/auth/token/", b'{"username": "a", "password": '),
        "database_down": call("POST", "/api/v1/auth/token/", b'{"username": "a", "password": "b"}'),
        "unknown_api_path": call("GET", "/api/v1/nope/"),
    }))
"""


@pytest.mark.parametrize("module", ["reintegra.wsgi", "reintegra.asgi"])
def test_server_entry_points_load_the_production_settings(module):
    result = run_python(
        f"import {module}\nfrom django.conf import settings\nprint(settings.SETTINGS_MODULE, settings.DEBUG)",
        production_environment(),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["reintegra.settings.production", "False"]


def test_wsgi_with_production_variables_answers_bad_requests_without_settings():
    result = run_python(BOOT_AND_PROBE, production_environment())
    assert result.returncode == 0, result.stderr[-3000:]
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["settings"] == "reintegra.settings.production"
    assert probe["debug"] is False
    for name in ("deep_json", "deep_object", "malformed", "database_down", "unknown_api_path"):
        answer = probe[name]
        assert answer["status"] in (400, 404, 500), (name, answer)
        body = answer["body"]
        for secret in (DB_PASSWORD, SECRET_KEY, "DATABASE_URL", "SECRET_KEY", "Traceback", "settings"):
            assert secret not in body, (name, secret)
        assert json.loads(body)["code"], (name, body)  # a plain JSON error with its code, not a page
    assert probe["deep_json"]["status"] == 400
    assert probe["deep_object"]["status"] == 400
    assert probe["malformed"]["status"] == 400
    assert probe["unknown_api_path"]["status"] == 404


@pytest.mark.parametrize("module", ["reintegra.wsgi", "reintegra.asgi"])
def test_development_settings_under_a_production_environment_fail_loudly(module):
    result = run_python(f"import {module}", production_environment(DJANGO_SETTINGS_MODULE="reintegra.settings"))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "REINTEGRA_ENV=production" in result.stderr


def test_the_reintegra_command_refuses_development_settings_in_production():
    result = subprocess.run(
        [sys.executable, "-m", "reintegra", "check"],
        env=production_environment(DJANGO_SETTINGS_MODULE="reintegra.settings.test"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "REINTEGRA_ENV=production" in result.stderr


def test_production_refuses_debug():
    result = run_python("import reintegra.wsgi", production_environment(REINTEGRA_DEBUG="1"))
    assert result.returncode != 0
    assert "REINTEGRA_DEBUG must be off" in result.stderr


def test_debug_is_off_unless_asked_for():
    base = {k: v for k, v in os.environ.items() if not k.startswith(("REINTEGRA_", "DJANGO_"))}
    probe = "import reintegra.wsgi\nfrom django.conf import settings\nprint(settings.SETTINGS_MODULE, settings.DEBUG)"
    assert run_python(probe, base).stdout.split() == ["reintegra.settings", "False"]
    assert run_python(probe, {**base, "REINTEGRA_DEBUG": "1"}).stdout.split() == ["reintegra.settings", "True"]


# --- the selection rule itself ---------------------------------------------------------------------------


def test_selection_rule():
    assert environment.settings_module({}) == "reintegra.settings"
    assert environment.settings_module({"REINTEGRA_ENV": "production"}) == "reintegra.settings.production"
    assert environment.settings_module({"REINTEGRA_ENV": " Production "}) == "reintegra.settings.production"
    # An explicit module is honoured, including a deployment's own module built on the production settings.
    assert (
        environment.settings_module({"DJANGO_SETTINGS_MODULE": "reintegra.settings.test"}) == "reintegra.settings.test"
    )
    site = {"REINTEGRA_ENV": "production", "DJANGO_SETTINGS_MODULE": "site_settings"}
    assert environment.settings_module(site) == "site_settings"
    for contradiction in ("reintegra.settings", "reintegra.settings.test"):
        with pytest.raises(ImproperlyConfigured, match="REINTEGRA_ENV=production"):
            environment.settings_module({"REINTEGRA_ENV": "production", "DJANGO_SETTINGS_MODULE": contradiction})
    with pytest.raises(ImproperlyConfigured, match="REINTEGRA_ENV"):
        environment.settings_module({"REINTEGRA_ENV": "prod"})


def test_select_settings_sets_the_module_for_django():
    environ: dict[str, str] = {"REINTEGRA_ENV": "production"}
    assert environment.select_settings(environ) == "reintegra.settings.production"
    assert environ["DJANGO_SETTINGS_MODULE"] == "reintegra.settings.production"


def test_settings_modules_refuse_to_be_loaded_for_production():
    # What the development and test settings call on import (pytest and django-admin do not select).
    env = {"REINTEGRA_ENV": "production", "DJANGO_SETTINGS_MODULE": "reintegra.settings.test"}
    with pytest.raises(ImproperlyConfigured):
        environment.refuse_in_production("reintegra.settings.test", env)
    environment.refuse_in_production("reintegra.settings", env)  # imported by the test settings: not the one loaded


def test_loaded_settings_are_verified():
    class Loaded:
        SETTINGS_MODULE = "site_settings"
        REINTEGRA_ENVIRONMENT = "development"
        DEBUG = False

    with pytest.raises(ImproperlyConfigured, match="does not build on"):
        environment.verify_loaded(Loaded, {"REINTEGRA_ENV": "production"})
    Loaded.REINTEGRA_ENVIRONMENT, Loaded.DEBUG = "production", True
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        environment.verify_loaded(Loaded, {})
    Loaded.DEBUG = False
    environment.verify_loaded(Loaded, {"REINTEGRA_ENV": "production"})
