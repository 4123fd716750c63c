# ruff: noqa: F811  (the fixtures imported from reintegra.conftest are used as test parameters)
"""Issue 10, item 12 (passwords): self-service password change, "forgot your password?" by e-mail link that
never reveals whether an account exists, and reset links sent by a user manager of the organisation."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from rest_framework.test import APIClient

from reintegra.access.models import AccessEvent, User
from reintegra.access.roles import Role
from reintegra.conftest import (  # noqa: F401
    _english_outside_requests,
    case_manager,
    org,
    other_case_manager,
    other_org,
    supervisor,
    team,
)
from reintegra.testing import factories

pytestmark = pytest.mark.django_db


def ApiToken_model():
    """Imported when used, so that each test fails on its own on code without it."""
    from reintegra.access.models import ApiToken

    return ApiToken


PASSWORD = "correct-horse-battery"
NEW = "otra-frase-larga-y-segura-2026"
CHANGE = "/cuenta/contrasena/"
FORGOT = "/cuenta/recuperar/"


@pytest.fixture(autouse=True)
def _clear_rate_limit():
    cache.clear()
    yield
    cache.clear()


def signed_in(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def api_token(username: str = "gestora") -> str:
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json")
    return response.json()["token"]


def token_works(token: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/v1/cases/").status_code == 200


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def page(response) -> str:
    return response.content.decode()


def without_csrf(html: str) -> str:
    return re.sub(r'(name="csrf-token" content|name="csrfmiddlewaretoken" value)="[^"]*"', r"\1", html)


# --- change -------------------------------------------------------------------------------------------


def test_a_user_changes_their_password_other_sessions_and_tokens_end(case_manager):
    here, elsewhere = signed_in(case_manager), signed_in(case_manager)
    token = api_token()
    form = page(here.get(CHANGE))
    for name in ("old_password", "new_password1", "new_password2"):
        assert f'name="{name}"' in form and f'for="id_{name}"' in form
    response = here.post(CHANGE, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    assert here.get("/").status_code == 200  # this session stays
    assert elsewhere.get("/").status_code == 302  # the other one is logged out
    assert not token_works(token)
    case_manager.refresh_from_db()
    assert case_manager.check_password(NEW)
    assert AccessEvent.objects.filter(user=case_manager, action="password_changed").exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"old_password": "wrong", "new_password1": NEW, "new_password2": NEW}, "old_password", "not right"),
        ({"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW + "x"}, "new_password2", "not the same"),
        (
            {"old_password": PASSWORD, "new_password1": "12345678901", "new_password2": "12345678901"},
            "new_password1",
            "entirely numeric",
        ),
        ({"old_password": PASSWORD, "new_password1": "corta", "new_password2": "corta"}, "new_password1", "too short"),
    ],
)
def test_bad_changes_redisplay_with_the_error_and_change_nothing(case_manager, data, field, message):
    client = signed_in(case_manager)
    token = api_token()
    response = client.post(CHANGE, data)
    assert response.status_code == 200
    html = page(response)
    assert message in html
    assert 'class="alert alert--error error-summary"' in html and f'href="#id_{field}"' in html
    assert 'aria-invalid="true"' in html
    case_manager.refresh_from_db()
    assert case_manager.check_password(PASSWORD)
    assert token_works(token)


def test_the_change_page_in_spanish_and_french(case_manager):
    assert "Cambiar la contraseña" in page(signed_in(case_manager, "es").get(CHANGE))
    assert "Changer de mot de passe" in page(signed_in(case_manager, "fr").get(CHANGE))


def test_the_change_page_is_for_signed_in_users():
    assert Client().get(CHANGE).status_code == 302


# --- forgot your password? ------------------------------------------------------------------------


def test_the_login_page_links_to_the_forgotten_password_page():
    assert f'href="{FORGOT}"' in page(Client().get("/login/"))


def test_forgotten_password_never_reveals_whether_an_account_exists(case_manager, mailoutbox):
    case_manager.email = "ana@example.org"
    case_manager.save()
    known = Client().post(FORGOT, {"identifier": "gestora"})
    unknown = Client().post(FORGOT, {"identifier": "nobody-here"})
    by_email = Client().post(FORGOT, {"identifier": "ANA@example.org"})
    assert known.status_code == unknown.status_code == by_email.status_code == 302
    assert known["Location"] == unknown["Location"] == by_email["Location"]
    assert without_csrf(page(Client().get(known["Location"]))) == without_csrf(page(Client().get(unknown["Location"])))
    assert len(mailoutbox) == 2
    assert mailoutbox[0].to == ["ana@example.org"]


def test_the_link_sets_a_new_password_once_and_revokes_tokens(case_manager, mailoutbox):
    case_manager.email = "ana@example.org"
    case_manager.save()
    token = api_token()
    elsewhere = signed_in(case_manager)
    Client(HTTP_ACCEPT_LANGUAGE="en").post(FORGOT, {"identifier": "gestora"})
    link = link_in(mailoutbox[0])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    assert "set-password" in set_url  # the token left the address before the form shows
    weak = client.post(set_url, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200 and "too short" in page(weak)
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    case_manager.refresh_from_db()
    assert case_manager.check_password(NEW)
    assert not token_works(token)
    assert elsewhere.get("/").status_code == 302
    assert AccessEvent.objects.filter(user=case_manager, action="password_reset").exists()
    # Used once: the same link no longer works.
    again = Client(HTTP_ACCEPT_LANGUAGE="en").get(link, follow=True)
    assert "This link does not work" in page(again)


def test_the_link_expires(case_manager, mailoutbox):
    case_manager.email = "ana@example.org"
    case_manager.save()
    Client().post(FORGOT, {"identifier": "gestora"})
    link = link_in(mailoutbox[0])
    with override_settings(PASSWORD_RESET_TIMEOUT=3600):
        from django.contrib.auth.tokens import default_token_generator

        later = default_token_generator._now() + timedelta(hours=2)
        with mock.patch.object(type(default_token_generator), "_now", return_value=later):
            response = Client(HTTP_ACCEPT_LANGUAGE="en").get(link, follow=True)
    assert "This link does not work" in page(response)


def test_no_link_for_deactivated_accounts_or_accounts_without_email(case_manager, mailoutbox):
    assert Client().post(FORGOT, {"identifier": "gestora"}).status_code == 302  # no e-mail address
    case_manager.email = "ana@example.org"
    case_manager.is_active = False
    case_manager.save()
    assert Client().post(FORGOT, {"identifier": "gestora"}).status_code == 302
    assert mailoutbox == []


def test_the_email_is_in_the_language_of_the_page_it_was_asked_from(case_manager, mailoutbox):
    case_manager.email = "ana@example.org"
    case_manager.save()
    Client(HTTP_ACCEPT_LANGUAGE="fr").post(FORGOT, {"identifier": "gestora"})
    assert "mot de passe" in mailoutbox[0].subject.lower()
    Client(HTTP_ACCEPT_LANGUAGE="es").post(FORGOT, {"identifier": "gestora"})
    assert "contraseña" in mailoutbox[1].subject.lower()


# --- sent by a user manager -----------------------------------------------------------------------


@pytest.fixture
def manager(org):
    return factories.user(org, Role.PROGRAMME_MANAGER, username="jefa")


def test_a_user_manager_sends_a_link_in_the_users_language(manager, case_manager, mailoutbox):
    case_manager.email = "ana@example.org"
    case_manager.language = "fr"
    case_manager.save()
    client = signed_in(manager)
    users = client.get("/usuarios/")
    assert users.status_code == 200
    assert "gestora" in page(users)
    response = client.post(f"/usuarios/{case_manager.pk}/enviar-enlace/")
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["ana@example.org"]
    assert "mot de passe" in message.subject.lower()
    assert "/cuenta/restablecer/" in message.body
    assert AccessEvent.objects.filter(
        user=manager, action="password_reset_sent", object_id=str(case_manager.pk)
    ).exists()
    # The link works for a new account that never had a password, too.
    fresh = factories.user(manager.organisation, username="nueva", email="nueva@example.org")
    User.objects.filter(pk=fresh.pk).update(password="!unusable")
    assert client.post(f"/usuarios/{fresh.pk}/enviar-enlace/").status_code == 302
    follow = Client().get(link_in(mailoutbox[1]), follow=True)
    set_url = follow.redirect_chain[-1][0]
    assert Client().post(set_url, {"new_password1": NEW, "new_password2": NEW}).status_code in (200, 302)


def test_only_user_managers_of_the_users_organisation(
    manager, case_manager, supervisor, other_case_manager, mailoutbox
):
    other_case_manager.email = "gt@example.org"
    other_case_manager.save()
    client = signed_in(manager)
    assert "gestor-gt" not in page(client.get("/usuarios/"))
    assert client.post(f"/usuarios/{other_case_manager.pk}/enviar-enlace/").status_code == 404
    not_a_manager = signed_in(supervisor)
    assert not_a_manager.get("/usuarios/").status_code == 403
    assert not_a_manager.post(f"/usuarios/{case_manager.pk}/enviar-enlace/").status_code == 403
    assert Client().post(f"/usuarios/{case_manager.pk}/enviar-enlace/").status_code == 302  # to the login page
    assert mailoutbox == []


def test_a_user_without_email_gets_a_clear_message(manager, case_manager, mailoutbox):
    response = signed_in(manager).post(f"/usuarios/{case_manager.pk}/enviar-enlace/", follow=True)
    assert "has no e-mail address" in page(response)
    assert mailoutbox == []


def test_the_users_page_is_in_the_navigation_of_user_managers(manager, case_manager):
    assert 'href="/usuarios/"' in page(signed_in(manager).get("/"))
    assert 'href="/usuarios/"' not in page(signed_in(case_manager).get("/"))


def test_logging_in_notes_the_users_language(case_manager):
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    assert client.post("/login/", {"username": "gestora", "password": PASSWORD}).status_code == 302
    case_manager.refresh_from_db()
    assert case_manager.language == "fr"


def test_no_token_row_is_left_behind_when_a_user_manager_deactivates_someone(manager, case_manager):
    api_token()
    case_manager.is_active = False
    case_manager.save()
    assert not ApiToken_model().objects.filter(user=case_manager).exists()
