"""Two-factor authentication (TOTP): set-up, the code after the password, roles that require it, the API."""

import re
import time

import pytest
from auditlog.models import LogEntry
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.oath import TOTP
from rest_framework.test import APIClient

from reintegra.access import api_tokens, two_factor
from reintegra.access.models import ApiToken, RoleSecurityPolicy, TOTPDevice
from reintegra.access.roles import Role
from reintegra.testing import factories

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
SETUP = "/cuenta/doble-factor/"
VERIFY = "/cuenta/verificar/"
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _clear_throttle_cache():
    cache.clear()  # the token endpoint is rate-limited
    yield
    cache.clear()


@pytest.fixture
def web():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def code(device: TOTPDevice, steps: int = 0) -> str:
    """The code the app shows now (`steps` time steps later: a code is accepted only once)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    accepted = {code(device, s) for s in (-1, 0, 1, 2)}
    return next(c for c in (f"{n:06d}" for n in range(0, 10**6, 7919)) if c not in accepted)


def allow_next_try(device: TOTPDevice) -> None:
    """Skip django-otp's wait after a wrong code (1 s, doubling with each failure)."""
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None, throttling_failure_count=0)


def with_app(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def require_for(role: Role) -> None:
    RoleSecurityPolicy.objects.update_or_create(role=role.value, defaults={"require_two_factor": True})


def password_login(client: Client, username: str = "gestora") -> None:
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302


def html(response) -> str:
    return response.content.decode()


# --- unaffected users ----------------------------------------------------------------------------


def test_users_without_two_factor_log_in_as_before(web, case_manager):
    password_login(web)
    assert web.get(reverse("dashboard")).status_code == 200
    assert web.get(reverse("cases:list")).status_code == 200
    assert not TOTPDevice.objects.exists()
    assert not two_factor.two_factor_required(case_manager)
    # The user menu links to the set-up page.
    assert SETUP in html(web.get(reverse("dashboard")))


def test_a_policy_that_does_not_require_it_changes_nothing(web, case_manager):
    RoleSecurityPolicy.objects.create(role=Role.CASE_MANAGER.value, require_two_factor=False)
    password_login(web)
    assert web.get(reverse("dashboard")).status_code == 200


# --- set-up --------------------------------------------------------------------------------------


def test_enrolment_shows_secret_uri_and_qr_then_confirms_with_a_correct_code(web, case_manager):
    api_tokens.issue(case_manager, name="script", second_factor=False)  # issued before the second factor existed
    web.force_login(case_manager)
    response = web.get(SETUP)
    assert response.status_code == 200
    page = html(response)
    device = TOTPDevice.objects.get(user=case_manager)
    assert not device.confirmed
    assert two_factor.grouped(two_factor.secret_base32(device)) in page
    assert 'src="data:image/svg+xml' in page
    assert "otpauth://totp/Reintegra%3Agestora?secret=" in page
    assert 'autocomplete="one-time-code"' in page
    # Reloading keeps the same secret (the user may already have scanned it).
    web.get(SETUP)
    assert TOTPDevice.objects.get(user=case_manager).key == device.key

    response = web.post(SETUP, {"action": "confirm", "otp_token": wrong_code(device)})
    assert response.status_code == 200
    assert "This code is not valid" in html(response)
    device.refresh_from_db()
    assert not device.confirmed
    assert web.get(reverse("dashboard")).status_code == 200  # nothing required yet

    allow_next_try(device)
    response = web.post(SETUP, {"action": "confirm", "otp_token": code(device)})
    assert response.status_code == 302
    assert response["Location"] == SETUP
    device.refresh_from_db()
    assert device.confirmed
    assert not ApiToken.objects.filter(user=case_manager).exists()
    # The change log records the new second factor, never its secret.
    entries = LogEntry.objects.get_for_object(device)
    assert entries.exists()
    assert all("key" not in (entry.changes_dict or {}) for entry in entries)
    assert device.key not in str([entry.changes for entry in entries])
    # The session is verified: the application stays open, and the page now manages the app.
    assert web.get(reverse("dashboard")).status_code == 200
    page = html(web.get(SETUP))
    assert "Turn off two-factor authentication" in page
    assert "data:image/svg+xml" not in page


def test_enrolment_rejects_malformed_codes_and_can_start_again(web, case_manager):
    web.force_login(case_manager)
    web.get(SETUP)
    device = TOTPDevice.objects.get(user=case_manager)
    for bad in ("", "12345", "abcdef", "1234567"):
        response = web.post(SETUP, {"action": "confirm", "otp_token": bad})
        assert response.status_code == 200
        assert "code shown in your authenticator app" in html(response), bad
    response = web.post(SETUP, {"action": "restart"})
    assert response.status_code == 302
    new = TOTPDevice.objects.get(user=case_manager)
    assert new.key != device.key and not new.confirmed


def test_codes_with_spaces_are_accepted(web, case_manager):
    web.force_login(case_manager)
    web.get(SETUP)
    device = TOTPDevice.objects.get(user=case_manager)
    typed = code(device)
    response = web.post(SETUP, {"action": "confirm", "otp_token": f" {typed[:3]} {typed[3:]} "})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=case_manager).confirmed


# --- the code after the password -----------------------------------------------------------------


def test_login_with_an_app_requires_the_code_before_any_page(web, case_manager):
    device = with_app(case_manager)
    password_login(web)
    response = web.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2F"
    case_list = reverse("cases:list")
    assert web.get(case_list)["Location"].startswith(VERIFY)
    assert web.get("/admin/")["Location"].startswith(VERIFY)
    assert web.get(reverse("access:audit"))["Location"].startswith(VERIFY)
    # A password alone cannot change the second factor either.
    assert web.get(SETUP)["Location"].startswith(VERIFY)
    assert web.post(SETUP, {"otp_token": code(device)})["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(pk=device.pk).exists()

    page = web.get(VERIFY, {"next": case_list})
    assert page.status_code == 200
    assert reverse("cases:register") not in html(page)  # no navigation until verified

    response = web.post(VERIFY, {"otp_token": wrong_code(device), "next": case_list})
    assert response.status_code == 200
    assert "This code is not valid" in html(response)
    assert web.get(reverse("dashboard")).status_code == 302

    allow_next_try(device)
    response = web.post(VERIFY, {"otp_token": code(device), "next": case_list})
    assert response.status_code == 302
    assert response["Location"] == case_list
    assert web.get(reverse("dashboard")).status_code == 200
    assert web.get(case_list).status_code == 200
    # Verified: the verify page just moves on.
    assert web.get(VERIFY)["Location"] == reverse("dashboard")


def test_the_same_code_is_not_accepted_twice(web, case_manager):
    device = with_app(case_manager)
    current = code(device)
    password_login(web)
    assert web.post(VERIFY, {"otp_token": current}).status_code == 302
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    password_login(other)
    response = other.post(VERIFY, {"otp_token": current})
    assert response.status_code == 200
    assert "This code is not valid" in html(response)


def test_wrong_codes_are_throttled(web, case_manager):
    device = with_app(case_manager)
    password_login(web)
    web.post(VERIFY, {"otp_token": wrong_code(device)})
    response = web.post(VERIFY, {"otp_token": code(device)})  # right, but too soon after a wrong one
    assert response.status_code == 200
    assert "each wrong code makes the wait longer" in html(response)
    assert web.get(reverse("dashboard")).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    allow_next_try(device)
    assert web.post(VERIFY, {"otp_token": code(device)}).status_code == 302


def test_unsafe_next_is_ignored(web, case_manager):
    device = with_app(case_manager)
    password_login(web)
    response = web.post(VERIFY, {"otp_token": code(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("dashboard")


def test_pages_open_while_the_code_is_pending(web, case_manager):
    with_app(case_manager)
    password_login(web)
    assert web.get("/healthz").status_code == 200
    assert web.get("/info/").status_code == 200  # the public portal reads no user
    assert web.get("/estadisticas/").status_code == 302  # nothing else opened: on to the code
    response = web.post(reverse("set_language"), {"language": "fr", "next": VERIFY})
    assert response.status_code == 302
    assert web.get(reverse("login")).status_code == 302  # logged in already: on to the code
    assert web.post(reverse("logout")).status_code == 302
    assert web.get(reverse("dashboard"))["Location"].startswith(reverse("login"))


def test_htmx_requests_are_told_to_navigate(web, case_manager):
    with_app(case_manager)
    password_login(web)
    response = web.get(reverse("cases:list"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == VERIFY


def test_a_pending_session_is_no_login_for_the_api(web, case_manager):
    device = with_app(case_manager)
    password_login(web)
    assert web.get("/api/v1/cases/").status_code in (401, 403)
    web.post(VERIFY, {"otp_token": code(device)})
    assert web.get("/api/v1/cases/").status_code == 200


# --- roles that require it -----------------------------------------------------------------------


def test_two_factor_required_when_any_role_requires_it(org):
    both = factories.user(org, Role.CASE_MANAGER, Role.ME_OFFICER)
    other = factories.user(org, Role.SUPERVISOR)
    assert not two_factor.two_factor_required(both)
    require_for(Role.ME_OFFICER)
    assert two_factor.two_factor_required(both)
    assert not two_factor.two_factor_required(other)
    assert str(RoleSecurityPolicy.objects.get()) == "Monitoring and evaluation officer"


def test_a_role_that_requires_it_forces_enrolment(web, case_manager):
    require_for(Role.CASE_MANAGER)
    password_login(web)
    case_list = reverse("cases:list")
    response = web.get(case_list)
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?{urlencode({'next': case_list})}"
    assert web.get(VERIFY)["Location"].startswith(SETUP)
    page = web.get(SETUP, {"next": case_list})
    assert page.status_code == 200
    assert "Your role requires" in html(page)
    device = TOTPDevice.objects.get(user=case_manager)

    response = web.post(SETUP, {"action": "confirm", "otp_token": code(device), "next": case_list})
    assert response.status_code == 302
    assert response["Location"] == case_list
    assert web.get(case_list).status_code == 200

    # It cannot be turned off while the role requires it.
    page = html(web.get(SETUP))
    assert "cannot be turned off" in page
    assert web.post(SETUP, {"otp_token": code(device, 1)}).status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk, confirmed=True).exists()

    # Next login: the code, not the set-up.
    web.post(reverse("logout"))
    password_login(web)
    assert web.get(case_list)["Location"].startswith(VERIFY)


def test_a_requirement_set_during_a_session_applies_within_the_recheck_delay(web, case_manager, monkeypatch):
    web.force_login(case_manager)
    assert web.get(reverse("dashboard")).status_code == 200
    require_for(Role.CASE_MANAGER)
    # Remembered as clear for a short while (no extra query on every page)...
    assert web.get(reverse("dashboard")).status_code == 200
    # ...then asked again.
    monkeypatch.setattr(two_factor, "RECHECK_SECONDS", 0)
    assert web.get(reverse("dashboard"))["Location"].startswith(SETUP)
    # Another user's answer in the session never counts.
    monkeypatch.undo()
    session = web.session
    session["reintegra_two_factor_clear"] = [case_manager.pk + 1000, int(time.time())]
    session.save()
    assert web.get(reverse("dashboard"))["Location"].startswith(SETUP)


def test_users_can_turn_off_their_own_app_with_a_code(web, case_manager):
    device = with_app(case_manager)
    password_login(web)
    web.post(VERIFY, {"otp_token": code(device)})
    response = web.post(SETUP, {"otp_token": wrong_code(device)})
    assert response.status_code == 200
    assert "This code is not valid" in html(response)
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    allow_next_try(device)
    response = web.post(SETUP, {"otp_token": code(device, 1)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=case_manager).exists()
    web.post(reverse("logout"))
    password_login(web)
    assert web.get(reverse("dashboard")).status_code == 200


def test_policy_is_in_the_admin(client, db):
    from reintegra.access.models import User

    admin_user = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(admin_user)
    assert client.get("/admin/access/rolesecuritypolicy/").status_code == 200
    response = client.post(
        "/admin/access/rolesecuritypolicy/add/", {"role": Role.SUPERVISOR.value, "require_two_factor": "on"}
    )
    assert response.status_code == 302
    assert RoleSecurityPolicy.objects.get(role="supervisor").require_two_factor


def test_new_pages_have_no_inline_script_or_style(web, case_manager):
    device = with_app(case_manager)
    password_login(web)
    pages = [html(web.get(VERIFY))]
    web.post(VERIFY, {"otp_token": code(device)})
    pages.append(html(web.get(SETUP)))
    device.delete()
    pages.append(html(web.get(SETUP)))
    for page in pages:
        assert "style=" not in page
        assert "<style" not in page
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)


# --- API tokens ----------------------------------------------------------------------------------


def test_api_token_without_two_factor_is_unchanged(api, case_manager):
    response = api.post(TOKEN_URL, {"username": "gestora", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json()["token"]


def test_api_token_requires_a_valid_code_when_the_user_has_an_app(api, case_manager):
    device = with_app(case_manager)
    response = api.post(TOKEN_URL, {"username": "gestora", "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert "send the code from your authenticator app" in response.json()["otp"][0]
    assert "token" not in response.json()

    response = api.post(
        TOKEN_URL, {"username": "gestora", "password": PASSWORD, "otp": wrong_code(device)}, format="json"
    )
    assert response.status_code == 400
    assert "This code is not valid" in response.json()["otp"][0]

    # A right code with a wrong password reveals nothing about the code.
    allow_next_try(device)
    response = api.post(TOKEN_URL, {"username": "gestora", "password": "wrong", "otp": code(device)}, format="json")
    assert response.status_code == 400
    assert "otp" not in response.json()

    response = api.post(TOKEN_URL, {"username": "gestora", "password": PASSWORD, "otp": code(device)}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    authed = APIClient()
    authed.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert authed.get("/api/v1/cases/").status_code == 200


def test_api_token_refused_until_a_required_app_is_set_up(api, case_manager):
    require_for(Role.CASE_MANAGER)
    response = api.post(TOKEN_URL, {"username": "gestora", "password": PASSWORD, "otp": "123456"}, format="json")
    assert response.status_code == 400
    assert "Set it up in the web application" in response.json()["otp"][0]
    assert not ApiToken.objects.filter(user=case_manager).exists()


def test_api_token_otp_junk_is_a_400(api, case_manager):
    with_app(case_manager)
    for junk in (["1"], {"a": 1}, "x" * 50, "💥💥💥💥💥💥"):
        cache.clear()
        response = api.post(TOKEN_URL, {"username": "gestora", "password": PASSWORD, "otp": junk}, format="json")
        assert response.status_code == 400, junk
        assert "otp" in response.json()
