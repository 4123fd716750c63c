# ruff: noqa: F811  (the fixtures imported from reintegra.conftest are used as test parameters)
"""Issue 10, item 11 (login): failed logins are throttled per address across accounts (password spraying)
and per account across addresses, on the login page, the API token endpoint and the password-reset request,
with a translated message (429; JSON with `code: "throttled"` in the API). django-axes, and so this
throttling, is off in the test settings: these tests turn it on."""

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from rest_framework.test import APIClient

from reintegra.conftest import _english_outside_requests, case_manager, org, team  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_throttling_on")]


def LoginFailure_model():
    """Imported when used, so that each test fails on its own on code without it."""
    from reintegra.access.models import LoginFailure

    return LoginFailure


PASSWORD = "correct-horse-battery"
LIMITS = {"ip": (20, 15), "account": (10, 15), "reset_ip": (10, 60), "reset_account": (3, 60)}


@pytest.fixture
def _throttling_on():
    cache.clear()
    with override_settings(AXES_ENABLED=True, REINTEGRA_LOGIN_THROTTLE=LIMITS, REINTEGRA_PROXY_COUNT=0):
        yield
    cache.clear()


def web(ip: str = "10.0.0.1", language: str = "en") -> Client:
    return Client(REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE=language)


def login(client: Client, username: str, password: str = "wrong-password"):  # noqa: S107
    return client.post("/login/", {"username": username, "password": password})


def test_spraying_one_password_over_many_accounts_from_one_address_is_stopped(case_manager):
    attacker = web("10.0.0.66")
    for n in range(20):
        assert login(attacker, f"persona{n}").status_code == 200  # the form again: wrong credentials
    refused = login(attacker, "gestora", PASSWORD)
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    assert "_auth_user_id" not in attacker.session
    # The API token endpoint from the same address: 429 with a code, JSON.
    api = APIClient(REMOTE_ADDR="10.0.0.66", HTTP_ACCEPT_LANGUAGE="en")
    response = api.post("/api/v1/auth/token/", {"username": "gestora", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert "Too many attempts" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0
    # Another address is not affected.
    assert login(web("10.0.0.7"), "gestora", PASSWORD).status_code == 302


def test_guessing_one_account_from_many_addresses_is_stopped(case_manager):
    for n in range(10):
        assert login(web(f"10.1.0.{n}"), "Gestora").status_code == 200  # any case of the name counts
    assert login(web("10.1.1.1"), "gestora", PASSWORD).status_code == 429
    # Other accounts log in as usual.
    from reintegra.testing import factories

    factories.user(case_manager.organisation, username="otra")
    assert login(web("10.1.1.1"), "otra", PASSWORD).status_code == 302


def test_names_that_do_not_exist_are_throttled_alike():
    for n in range(10):
        login(web(f"10.2.0.{n}"), "nadie")
    assert login(web("10.2.1.1"), "nadie").status_code == 429


def test_the_message_is_translated():
    client = web("10.3.0.1", language="es")
    for n in range(20):
        login(client, f"persona{n}")
    page = login(client, "persona0").content.decode()
    assert "Demasiados intentos" in page
    french = web("10.3.0.1", language="fr")
    assert "Trop de tentatives" in login(french, "persona0").content.decode()


def test_ones_own_successful_login_does_not_reset_the_address_count(case_manager):
    attacker = web("10.4.0.1")
    for n in range(19):
        login(attacker, f"persona{n}")
    assert login(attacker, "gestora", PASSWORD).status_code == 302  # the attacker's own account
    attacker.post("/logout/")
    login(attacker, "persona19")
    assert login(attacker, "gestora", PASSWORD).status_code == 429


def test_a_successful_login_clears_the_accounts_count(case_manager):
    for n in range(9):
        login(web(f"10.5.0.{n}"), "gestora")
    assert login(web("10.5.1.1"), "gestora", PASSWORD).status_code == 302
    for n in range(9):
        login(web(f"10.5.2.{n}"), "gestora")
    assert login(web("10.5.1.2"), "gestora", PASSWORD).status_code == 302


def test_the_api_token_endpoint_counts_failures_too(case_manager):
    for n in range(10):
        api = APIClient(REMOTE_ADDR=f"10.6.0.{n}")
        assert (
            api.post("/api/v1/auth/token/", {"username": "gestora", "password": "x"}, format="json").status_code == 400
        )
    assert login(web("10.6.1.1"), "gestora", PASSWORD).status_code == 429


def test_the_rate_limit_of_the_token_endpoint_answers_with_a_code(case_manager):
    api = APIClient(REMOTE_ADDR="10.7.0.1")
    statuses = []
    for _ in range(11):
        response = api.post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json")
        statuses.append(response.status_code)
    assert statuses[-1] == 429
    assert response.json()["code"] == "throttled"


def test_password_reset_requests_are_throttled_per_name_and_per_address(case_manager, mailoutbox):
    client = web("10.8.0.1")
    for _ in range(3):
        assert client.post("/cuenta/recuperar/", {"identifier": "gestora"}).status_code == 302
    refused = client.post("/cuenta/recuperar/", {"identifier": "gestora"})
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    sprayer = web("10.8.0.2")
    for n in range(10):
        assert sprayer.post("/cuenta/recuperar/", {"identifier": f"persona{n}"}).status_code == 302
    assert sprayer.post("/cuenta/recuperar/", {"identifier": "someone-else"}).status_code == 429


def test_a_wrong_current_password_on_the_change_page_counts_as_a_failed_login(case_manager):
    client = web("10.9.0.1")
    client.force_login(case_manager)
    for _ in range(10):
        response = client.post(
            "/cuenta/contrasena/",
            {
                "old_password": "guess",
                "new_password1": "a-new-long-passphrase",
                "new_password2": "a-new-long-passphrase",
            },
        )
        assert response.status_code == 200
    response = client.post(
        "/cuenta/contrasena/",
        {"old_password": PASSWORD, "new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"},
    )
    assert response.status_code == 429
    case_manager.refresh_from_db()
    assert case_manager.check_password(PASSWORD)


def test_who_tried_is_not_stored_in_clear():
    login(web("10.10.0.99"), "someone.secret")
    rows = list(LoginFailure_model().objects.values_list("key", flat=True))
    assert len(rows) == 2
    assert not any("10.10.0.99" in key or "someone" in key for key in rows)


def test_behind_a_proxy_the_forwarded_address_counts(case_manager):
    with override_settings(REINTEGRA_PROXY_COUNT=1):
        for n in range(20):
            proxied = Client(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=f"spoofed, 10.11.0.{n}")
            login(proxied, f"persona{n}")
        # 20 different clients behind the same proxy: nobody is throttled.
        ok = Client(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="10.11.1.1")
        assert login(ok, "gestora", PASSWORD).status_code == 302


@override_settings(AXES_ENABLED=False)
def test_off_when_login_throttling_is_off():
    for n in range(25):
        login(web(), f"persona{n}")
    assert not LoginFailure_model().objects.exists()
