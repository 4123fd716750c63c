"""Permission matrix of the account routes (`access.account_views`, `access.account_api`): every role, on
their own objects and on another user's (another user's token, a user of another organisation)."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from reintegra.access import api_tokens
from reintegra.access.roles import ROLE_CAPABILITIES, Capability, Role
from reintegra.testing import factories
from reintegra.testing.routes import HTTP_METHODS, routes_of_app

pytestmark = pytest.mark.django_db

PUBLIC, SIGNED_IN, MANAGER = "public", "signed-in", "manager"
TOKEN, USER, LINK = "token", "user", "link"  # what the URL names

# (route, method) -> (who may, what the URL names, body, the answer when permitted)
ROWS = {
    ("account:overview", "GET"): (SIGNED_IN, None, None, 200),
    ("account:password_change", "GET"): (SIGNED_IN, None, None, 200),
    ("account:password_change", "POST"): (SIGNED_IN, None, {"old_password": "x"}, 200),
    ("account:tokens", "GET"): (SIGNED_IN, None, None, 200),
    ("account:tokens", "POST"): (SIGNED_IN, None, {"name": "script", "password": "correct-horse-battery"}, 201),
    ("account:token_revoke", "POST"): (SIGNED_IN, TOKEN, None, 302),
    ("account:tokens_revoke_all", "POST"): (SIGNED_IN, None, None, 302),
    ("account:password_reset", "GET"): (PUBLIC, None, None, 200),
    ("account:password_reset", "POST"): (PUBLIC, None, {"identifier": "nadie"}, 302),
    ("account:password_reset_sent", "GET"): (PUBLIC, None, None, 200),
    ("account:password_reset_confirm", "GET"): (PUBLIC, LINK, None, 200),
    ("account:password_reset_confirm", "POST"): (PUBLIC, LINK, None, 200),
    ("account:password_reset_complete", "GET"): (PUBLIC, None, None, 200),
    ("account:users", "GET"): (MANAGER, None, None, 200),
    ("account:user_password_reset", "POST"): (MANAGER, USER, None, 302),
    ("api:auth-token-list", "GET"): (SIGNED_IN, None, None, 200),
    ("api:auth-token-detail", "GET"): (SIGNED_IN, TOKEN, None, 200),
    ("api:auth-token-detail", "DELETE"): (SIGNED_IN, TOKEN, None, 204),
}


@pytest.fixture(autouse=True)
def _clear_rate_limit():
    cache.clear()
    yield
    cache.clear()


def test_every_route_has_a_row():
    exposed = {
        (name, method)
        for module in ("reintegra.access.account_views", "reintegra.access.account_api")
        for name, methods in routes_of_app(module).items()
        for method in methods
    }
    assert exposed == set(ROWS)


def _expected(role: Role | None, route: tuple[str, str], own: bool) -> int:
    who, names, _body, ok = ROWS[route]
    api = route[0].startswith("api:")
    if who == PUBLIC:
        return ok
    if role is None:
        return 401 if api else 302
    if who == MANAGER and Capability.MANAGE_USERS not in ROLE_CAPABILITIES[role]:
        return 403
    if names == USER and role == Role.ADMIN:
        return ok  # a system administrator manages every organisation's users (access.services)
    if names in (TOKEN, USER) and not own:
        return 404  # another user's token, a user of another organisation: as if missing
    return ok


def _url(route: tuple[str, str], user, other) -> str:
    name = route[0]
    names = ROWS[route][1]
    if names == TOKEN:
        token, _secret = api_tokens.issue(user if user is not None else other, name="t", second_factor=True)
        return reverse(name, args=[token.pk])
    if names == USER:
        target = factories.user(user.organisation if user is not None else other.organisation)
        target.email = "target@example.org"
        target.save()
        return reverse(name, args=[target.pk])
    if names == LINK:
        return reverse(name, kwargs={"uidb64": "MQ", "token": "bad-token"})  # an invalid link: the page says so
    return reverse(name)


def _send(route: tuple[str, str], user, url: str):
    name, method = route
    body = ROWS[route][2] or {}
    if name.startswith("api:"):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return getattr(client, method.lower())(url, body, format="json")
    client = Client()
    if user is not None:
        client.force_login(user)
    return getattr(client, method.lower())(url, body)


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r.value if r else "anonymous")
@pytest.mark.parametrize("route", sorted(ROWS), ids=lambda r: f"{r[1]} {r[0]}")
def test_matrix(role, route):
    org, other_org = factories.organisation("gt1", "GT"), factories.organisation("mx1", "MX")
    other = factories.user(other_org, Role.PROGRAMME_MANAGER, username="ajena")
    for own in (True, False) if role is not None else (True,):
        user = factories.user(org, role, username=f"u{own}") if role is not None else None
        url = _url(route, user if own else None, other)
        response = _send(route, user, url)
        assert response.status_code == _expected(role, route, own), (own, response.content[:300])


def test_other_methods_are_refused():
    user = factories.user(factories.organisation("gt1", "GT"), Role.ADMIN)
    methods: dict[str, set[str]] = {}
    for name, method in ROWS:
        methods.setdefault(name, set()).add(method)
    for name, allowed in methods.items():
        args = {"account:token_revoke": [1], "account:user_password_reset": [1], "api:auth-token-detail": [1]}
        kwargs = {"uidb64": "MQ", "token": "x"} if name == "account:password_reset_confirm" else None
        url = reverse(name, args=args.get(name), kwargs=kwargs)
        for method in set(HTTP_METHODS) - allowed:
            client = APIClient() if name.startswith("api:") else Client()
            client.force_login(user)
            assert getattr(client, method.lower())(url).status_code == 405, (method, name)
