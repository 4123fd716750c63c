# ruff: noqa: F811  (the fixtures imported from reintegra.conftest are used as test parameters)
"""Issue 10, item 3: API tokens are hashed, named and expire; users list and revoke theirs; a password
change, a deactivation or a lost role revokes them; a role's second factor cannot be bypassed; the Django
admin shows no secret; the old plaintext table is dropped."""

import importlib
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.models import update_last_login
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.oath import TOTP
from rest_framework.test import APIClient

from reintegra.access import services
from reintegra.access.models import AccessEvent, RoleSecurityPolicy, TOTPDevice, User
from reintegra.access.roles import Role
from reintegra.conftest import _english_outside_requests, case_manager, org, supervisor, team  # noqa: F401
from reintegra.testing import factories
from reintegra.testing.trail import access_events

pytestmark = pytest.mark.django_db


def ApiToken_model():
    """Imported when used, so that each test fails on its own on code without it."""
    from reintegra.access.models import ApiToken

    return ApiToken


PASSWORD = "correct-horse-battery"
TOKEN_URL = "/api/v1/auth/token/"
TOKENS_URL = "/api/v1/auth/tokens/"
CASES_URL = "/api/v1/cases/"


@pytest.fixture(autouse=True)
def _clear_rate_limit():
    cache.clear()  # the token endpoint is rate-limited per address
    yield
    cache.clear()


def get_token(username: str = "gestora", **extra) -> dict:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(TOKEN_URL, {"username": username, "password": PASSWORD, **extra}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def client_with(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def works(token: str) -> bool:
    status = client_with(token).get(CASES_URL).status_code
    assert status in (200, 401), status
    return status == 200


def db_cells():
    """Every text cell of every table of the database."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names from the schema
            for row in cursor.fetchall():
                yield from (cell for cell in row if isinstance(cell, str))


def totp_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


# --- stored as a hash, named, expiring ----------------------------------------------------------


def test_only_a_digest_is_stored_and_the_answer_says_when_it_expires(case_manager):
    body = get_token(name="Sincronización ODK")
    token = body["token"]
    assert works(token)
    assert not any(token in cell for cell in db_cells()), "the token is stored in clear"
    assert not any(token[4:20] in cell for cell in db_cells())
    expiry = timezone.datetime.fromisoformat(body["expiry"])
    assert abs(expiry - (timezone.now() + timedelta(days=30))) < timedelta(minutes=5)
    assert body["name"] == "Sincronización ODK"


def test_a_token_stops_working_when_it_expires(case_manager):
    token = get_token()["token"]
    assert works(token)
    later = timezone.now() + timedelta(days=31)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert not works(token)
    assert not works(token)  # an expired token is deleted, not just refused


@override_settings(REST_KNOX={"TOKEN_TTL": timedelta(days=2), "TOKEN_PREFIX": "rtg_", "AUTO_REFRESH": False})
def test_the_lifetime_is_a_setting(case_manager):
    expiry = timezone.datetime.fromisoformat(get_token()["expiry"])
    assert abs(expiry - (timezone.now() + timedelta(days=2))) < timedelta(minutes=5)


def test_the_lifetime_comes_from_the_environment(tmp_path):
    code = "import reintegra.settings as s; print(s.REST_KNOX['TOKEN_TTL'].days)"
    src = str(Path(__file__).resolve().parents[2] / "src")  # this checkout's settings
    env = {**os.environ, "REINTEGRA_API_TOKEN_DAYS": "7", "PYTHONPATH": src, "REINTEGRA_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "7"
    env.pop("REINTEGRA_API_TOKEN_DAYS")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "30"


def test_each_request_gets_its_own_named_token_and_a_limit_applies(case_manager):
    first, second = get_token(name="script A"), get_token()
    assert first["token"] != second["token"]
    assert second["name"].startswith("API token of ")
    with override_settings(REINTEGRA_API_TOKENS_PER_USER=2):
        response = APIClient().post(TOKEN_URL, {"username": "gestora", "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "token_limit"


# --- listing and revoking -------------------------------------------------------------------------


def test_users_list_and_revoke_their_own_tokens_in_the_api(case_manager, supervisor):
    mine = get_token(name="tablet")
    other = get_token("supervisor", name="their script")
    client = client_with(mine["token"])
    listed = client.get(TOKENS_URL)
    assert listed.status_code == 200
    rows = listed.json()
    assert [r["name"] for r in rows] == ["tablet"]
    assert rows[0]["current"] is True
    text = json.dumps(rows)
    token_row = ApiToken_model().objects.get(pk=mine["id"])
    assert mine["token"] not in text and token_row.digest not in text
    assert set(rows[0]) == {"id", "name", "hint", "created", "expiry", "last_used_at", "second_factor", "current"}
    # Another user's token: as if it did not exist.
    assert client.delete(f"{TOKENS_URL}{other['id']}/").status_code == 404
    assert client.get(f"{TOKENS_URL}{other['id']}/").status_code == 404
    assert works(other["token"])
    # A token cannot mint another.
    assert client.post(TOKENS_URL, {"name": "x"}, format="json").status_code == 405
    second = get_token(name="laptop")
    assert client.delete(f"{TOKENS_URL}{second['id']}/").status_code == 204
    assert not works(second["token"])
    assert works(mine["token"])
    assert AccessEvent.objects.filter(
        user=case_manager, action="token_revoked", object_id=str(second["id"]), channel="api"
    ).exists()
    assert AccessEvent.objects.filter(user=case_manager, action="token_created", object_id=str(mine["id"])).exists()


def test_users_list_create_and_revoke_tokens_in_their_account_pages(case_manager):
    web = Client(HTTP_ACCEPT_LANGUAGE="en")
    web.force_login(case_manager)
    overview = web.get("/cuenta/").content.decode()
    assert "/cuenta/tokens/" in overview
    assert 'href="/cuenta/"' in web.get("/").content.decode()  # in the user menu of every page
    wrong = web.post("/cuenta/tokens/", {"name": "Mi tableta", "password": "not-mine"})
    assert wrong.status_code == 200 and "Your password is not right" in wrong.content.decode()
    assert not ApiToken_model().objects.exists()  # a session alone does not mint a token
    created = web.post("/cuenta/tokens/", {"name": "Mi tableta", "password": PASSWORD})
    assert created.status_code == 201
    assert "no-store" in created["Cache-Control"]
    token = ApiToken_model().objects.get(user=case_manager)
    page = created.content.decode()
    secret = page.split('class="secret-box"')[1].split(">", 1)[1].split("<", 1)[0]
    assert secret.startswith("rtg_") and works(secret)
    again = web.get("/cuenta/tokens/").content.decode()
    assert "Mi tableta" in again and secret not in again and token.digest not in again
    assert web.post(f"/cuenta/tokens/{token.pk}/revocar/").status_code == 302
    assert not works(secret)
    # Spanish and French pages.
    for language, title in (("es", "Tokens de API"), ("fr", "Jetons d’API")):
        page = Client(HTTP_ACCEPT_LANGUAGE=language)
        page.force_login(case_manager)
        assert title in page.get("/cuenta/tokens/").content.decode()


def test_another_users_token_cannot_be_revoked_from_the_page(case_manager, supervisor):
    theirs = get_token("supervisor")
    web = Client()
    web.force_login(case_manager)
    assert web.post(f"/cuenta/tokens/{theirs['id']}/revocar/").status_code == 404
    assert works(theirs["token"])


# --- revoked when the account changes -------------------------------------------------------------


def test_a_password_change_revokes_every_token(case_manager):
    first, second = get_token()["token"], get_token()["token"]
    user = User.objects.get(pk=case_manager.pk)
    user.set_password("another-long-passphrase-42")
    user.save()
    assert not works(first) and not works(second)
    assert len(access_events(user=case_manager, action="token_revoked", purpose="password changed")) == 2


def test_logging_in_again_or_a_rehash_is_not_a_password_change(case_manager):
    token = get_token()["token"]
    update_last_login(None, case_manager)
    user = User.objects.get(pk=case_manager.pk)
    user.check_password(PASSWORD)  # a hash upgrade would save the password field alone
    user.set_password(PASSWORD)
    user._password = None
    user.save(update_fields=["password"])
    assert works(token)


def test_deactivation_revokes_tokens_for_good(case_manager):
    token = get_token()["token"]
    case_manager.is_active = False
    case_manager.save()
    assert not works(token)
    case_manager.is_active = True
    case_manager.save()
    assert not works(token)


def test_losing_a_role_revokes_tokens(org, team):
    user = factories.user(org, Role.CASE_MANAGER, Role.SUPERVISOR, team=team, username="doble")
    token = get_token("doble")["token"]
    services.set_roles(user, [Role.CASE_MANAGER])
    assert not works(token)


# --- the second factor ----------------------------------------------------------------------------


def test_a_role_that_requires_a_second_factor_is_refused_without_an_app_with_a_clear_code(case_manager):
    RoleSecurityPolicy.objects.create(role=Role.CASE_MANAGER.value, require_two_factor=True)
    response = APIClient().post(TOKEN_URL, {"username": "gestora", "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "two_factor_setup_required"
    assert "token" not in response.json()
    assert not ApiToken_model().objects.exists()


def test_a_user_with_an_app_needs_a_code(case_manager):
    device = TOTPDevice.objects.create(user=case_manager, name="app", confirmed=True)
    response = APIClient().post(TOKEN_URL, {"username": "gestora", "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "two_factor_required"
    body = get_token(otp=totp_code(device))
    assert ApiToken_model().objects.get(pk=body["id"]).second_factor


def test_tokens_issued_without_a_second_factor_end_when_the_role_starts_requiring_one(case_manager, supervisor):
    token = get_token()["token"]
    supervisors = get_token("supervisor")["token"]
    policy = RoleSecurityPolicy.objects.create(role=Role.CASE_MANAGER.value, require_two_factor=False)
    assert works(token)
    policy.require_two_factor = True
    policy.save()
    assert not works(token)
    assert works(supervisors)  # another role: unaffected


def test_gaining_a_role_that_requires_a_second_factor_ends_tokens_issued_without(case_manager):
    RoleSecurityPolicy.objects.create(role=Role.SUPERVISOR.value, require_two_factor=True)
    token = get_token()["token"]
    services.set_roles(case_manager, [Role.CASE_MANAGER, Role.SUPERVISOR])
    assert not works(token)


# --- the Django admin, the old table, malformed headers, the schema ------------------------------


def test_the_admin_shows_no_token_secret(client, case_manager):
    body = get_token(name="visible name")
    token = ApiToken_model().objects.get(pk=body["id"])
    root = User.objects.create_superuser("root", "root@example.org", "una-clave-muy-larga-123")
    client.force_login(root)
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 404
    assert client.get("/admin/authtoken/token/").status_code == 404
    listing = client.get("/admin/access/apitoken/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "visible name" in page
    assert body["token"] not in page and token.digest not in page and token.token_key not in page
    detail = client.get(f"/admin/access/apitoken/{token.pk}/change/").content.decode()
    assert body["token"] not in detail and token.digest not in detail
    assert client.get("/admin/access/apitoken/add/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_the_plaintext_table_is_dropped_by_a_migration():
    migration = importlib.import_module("reintegra.access.migrations.0007_drop_plaintext_api_tokens")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id integer)")
        cursor.execute("INSERT INTO authtoken_token VALUES ('0123456789abcdef0123456789abcdef01234567', 1)")
    assert "authtoken_token" in connection.introspection.table_names()
    with connection.schema_editor() as editor:
        for operation in migration.Migration.operations:
            operation.database_forwards("access", editor, None, None)
    assert "authtoken_token" not in connection.introspection.table_names()
    with connection.schema_editor() as editor:  # again, on a database that never had it
        for operation in migration.Migration.operations:
            operation.database_forwards("access", editor, None, None)


@pytest.mark.parametrize("header", ["Token a\x00b" + "c" * 60, "Token rtg_" + "é" * 30, "Token " + "z" * 500, "Token"])
def test_malformed_tokens_are_a_401(case_manager, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get(CASES_URL).status_code == 401


def test_the_schema_documents_the_token_scheme_and_routes():
    schema = APIClient(HTTP_ACCEPT_LANGUAGE="en").get("/api/schema/", {"format": "json"}).json()
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert scheme["type"] == "http" or scheme["in"] == "header"
    assert "expire" in scheme["description"]
    assert "/api/v1/auth/tokens/" in schema["paths"]
    assert "delete" in schema["paths"]["/api/v1/auth/tokens/{id}/"]
    token_props = schema["components"]["schemas"]["TokenResponse"]["properties"]
    assert {"token", "expiry"} <= set(token_props)


def test_the_token_check_reads_the_presented_token_only(case_manager):
    """knox read every token of the user on each request (to delete the expired ones): one statement per API
    request. An expired token is still refused and deleted when presented, the others when a new one is issued."""
    from django.test.utils import CaptureQueriesContext

    old = get_token()["token"]
    token = get_token()["token"]
    assert works(token)  # the first use notes `last_used_at`
    with CaptureQueriesContext(connection) as ctx:
        assert works(token)
    reads = [q["sql"] for q in ctx.captured_queries if "access_apitoken" in q["sql"].lower()]
    assert len(reads) == 1, reads
    later = timezone.now() + timedelta(days=31)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert not works(old)
    assert ApiToken_model().objects.filter(user=case_manager).count() == 1  # `old` deleted when presented


def test_the_token_check_reads_the_users_roles_with_the_token(case_manager):
    """The presented token, its user and the user's roles are one statement (`api.authentication`): the
    permission check reads the roles from it, as it would from their own statement."""
    from django.test.utils import CaptureQueriesContext

    from reintegra.access.models import RoleAssignment

    RoleAssignment.objects.create(user=case_manager, role=Role.ME_OFFICER)
    token = get_token()["token"]
    assert works(token)  # the first use notes `last_used_at`
    client = client_with(token)
    for _ in range(2):  # the second time from the statement compiled the first time
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(CASES_URL)
        assert response.status_code == 200
        roles = [q["sql"] for q in ctx.captured_queries if "access_roleassignment" in q["sql"].lower()]
        assert len(roles) == 1 and "access_apitoken" in roles[0].lower(), roles
        assert response.wsgi_request.user.roles == {Role.CASE_MANAGER, Role.ME_OFFICER}
    assert not works(token[:-1] + ("0" if token[-1] != "0" else "1"))  # same key, another secret: refused
