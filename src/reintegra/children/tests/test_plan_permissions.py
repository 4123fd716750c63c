"""Permission matrix of the child plan, child follow-up and closure-checklist routes (pages in
`children.plan_views`, endpoints in `children.plan_api`), for every role × relation to the case, computed
from ROLE_CAPABILITIES and the rules of `children.permissions`:

- read: the protection category (403 before any lookup), then a case the user sees (404 otherwise);
- write (every page is a form): the protection category and EDIT_CASES (403 before any lookup), then a case
  the user sees (404).

"ok" is any answer but 403/404/5xx: a write sent empty comes back with its field errors (form or 400).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from reintegra.access.roles import ROLE_CAPABILITIES, Capability, Role
from reintegra.children.tests.conftest import years_ago
from reintegra.testing import factories as f
from reintegra.testing.api_clients import api_client_for
from reintegra.testing.routes import routes_of_app

pytestmark = pytest.mark.django_db

C = Capability
WEB = {
    ("children:child-plan", "GET"): "write",
    ("children:child-plan", "POST"): "write",
    ("children:child-follow-up-new", "GET"): "write",
    ("children:child-follow-up-new", "POST"): "write",
    ("children:closure-checklist", "GET"): "write",
    ("children:closure-checklist", "POST"): "write",
}
API = {
    ("api:case-child-plan", "GET"): "read",
    ("api:case-child-plan", "PUT"): "write",
    ("api:case-child-follow-ups", "GET"): "read",
    ("api:case-child-follow-ups", "POST"): "write",
    ("api:case-child-closure-checklist", "GET"): "read",
    ("api:case-child-closure-checklist", "PUT"): "write",
}
RELATIONS = ("own", "other_org", "missing")


def test_every_route_has_a_row():
    web = {(n, m) for n, methods in routes_of_app("reintegra.children.plan_views").items() for m in methods}
    api = {(n, m) for n, methods in routes_of_app("reintegra.children.plan_api").items() for m in methods}
    assert web == set(WEB)
    assert api == set(API)


def expected(rule: str, role: Role, relation: str) -> int | str:
    needed = {"read": {C.SEE_PROTECTION}, "write": {C.SEE_PROTECTION, C.EDIT_CASES}}[rule]
    if not needed <= ROLE_CAPABILITIES[role]:
        return 403
    return "ok" if relation == "own" else 404


def _child_case(by: Any, org: Any) -> Any:
    child = f.returnee(by, given_names="Ana", birth_date=years_ago(15), nationality=str(org.country))
    return f.case(by, child)


@pytest.fixture
def world() -> dict[str, Any]:
    own, other = f.organisation("uno", country="GT"), f.organisation("dos", country="GT")
    stranger = f.user(other, Role.CASE_MANAGER)
    return {"own": own, "other_case": _child_case(stranger, other)}


def _setup(world: dict[str, Any], role: Role) -> tuple[Any, dict[str, int]]:
    org = world["own"]
    user = f.user(org, role)
    maker = user if C.EDIT_CASES in ROLE_CAPABILITIES[role] else f.user(org, Role.PROGRAMME_MANAGER)
    case = _child_case(maker, org)
    return user, {"own": case.pk, "other_org": world["other_case"].pk, "missing": 999_999}


def _matches(answer: int, wanted: int | str) -> bool:
    if wanted == "ok":
        return answer not in (403, 404) and answer < 500
    return answer == wanted


@pytest.mark.parametrize("role", list(Role))
def test_web_matrix(world, role):
    user, cases = _setup(world, role)
    client = Client()
    client.force_login(user)
    failures = []
    for (name, method), rule in WEB.items():
        for relation in RELATIONS:
            url = reverse(name, args=[cases[relation]])
            answer = (client.get(url) if method == "GET" else client.post(url, {})).status_code
            wanted = expected(rule, role, relation)
            if not _matches(answer, wanted):
                failures.append((name, method, relation, answer, wanted))
    assert not failures


@pytest.mark.parametrize("role", list(Role))
def test_api_matrix(world, role):
    user, cases = _setup(world, role)
    api = api_client_for(user)
    failures = []
    for (name, method), rule in API.items():
        for relation in RELATIONS:
            url = reverse(name, args=[cases[relation]])
            answer = getattr(api, method.lower())(url, {}, format="json").status_code
            wanted = expected(rule, role, relation)
            if not _matches(answer, wanted):
                failures.append((name, method, relation, answer, wanted))
    assert not failures


def test_anonymous_visitors_go_to_the_login_page_or_get_401(world):
    _user, cases = _setup(world, Role.CASE_MANAGER)
    for (name, method), _rule in WEB.items():
        url = reverse(name, args=[cases["own"]])
        response = Client().get(url) if method == "GET" else Client().post(url, {})
        assert response.status_code == 302 and urlsplit(response["Location"]).path == reverse("login")
    for (name, method), _rule in API.items():
        response = getattr(Client(), method.lower())(reverse(name, args=[cases["own"]]))
        assert response.status_code in (401, 403)
