"""Permission matrix of the child's-case routes (core: pages in `children.views`, endpoints in `children.api`),
for every role × relation to the case, computed from ROLE_CAPABILITIES and the rules of `children.permissions`:

- read: the protection category (403 before any lookup), then a case the user sees (404 otherwise);
- write: the protection category and EDIT_CASES (403 before any lookup), then a case the user sees (404);
- approve: APPROVE_BEST_INTERESTS (403 before any lookup), then a case the user sees (404);
- queue: APPROVE_BEST_INTERESTS.

"ok" is any answer but 403/404/5xx: a write sent empty comes back with its field errors (form or 400), or 428
without If-Match; the one a permission rule must not give.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from reintegra.access.roles import ROLE_CAPABILITIES, Capability, Role
from reintegra.children import services
from reintegra.children.tests.conftest import bia_input, years_ago
from reintegra.testing import factories as f
from reintegra.testing.api_clients import api_client_for
from reintegra.testing.routes import routes_of_app

pytestmark = pytest.mark.django_db

C = Capability
WEB = {
    ("children:case", "GET"): "read",
    ("children:profile", "GET"): "write",
    ("children:profile", "POST"): "write",
    ("children:assessment-new", "GET"): "write",
    ("children:assessment-new", "POST"): "write",
    ("children:assessment", "GET"): "read",
    ("children:assessment-edit", "GET"): "write",
    ("children:assessment-edit", "POST"): "write",
    ("children:assessment-approve", "POST"): "approve",
    ("children:assessment-return", "POST"): "approve",
    ("children:determination", "GET"): "read",
    ("children:determination", "POST"): "write",
    ("children:participation", "GET"): "write",
    ("children:participation", "POST"): "write",
    ("children:child-case-new", "GET"): "write",
    ("children:child-case-new", "POST"): "write",
    ("children:queue", "GET"): "queue",
}
API = {
    ("api:case-child-profile", "GET"): "read",
    ("api:case-child-profile", "PUT"): "write",
    ("api:case-best-interests-assessments", "GET"): "read",
    ("api:case-best-interests-assessments", "POST"): "write",
    ("api:case-best-interests-assessment", "GET"): "read",
    ("api:case-best-interests-assessment", "PUT"): "write",
    ("api:case-best-interests-assessment-approve", "POST"): "approve",
    ("api:case-best-interests-assessment-return", "POST"): "approve",
    ("api:case-best-interests-determination", "GET"): "read",
    ("api:case-best-interests-determination", "PUT"): "write",
    ("api:case-child-participation", "GET"): "read",
    ("api:case-child-participation", "POST"): "write",
    ("api:case-child-cases", "POST"): "write",
}
RELATIONS = ("own", "other_org", "missing")


def test_every_route_has_a_row():
    web = {(n, m) for n, methods in routes_of_app("reintegra.children.views").items() for m in methods}
    api = {(n, m) for n, methods in routes_of_app("reintegra.children.api").items() for m in methods}
    assert web == set(WEB)
    assert api == set(API)


def expected(rule: str, role: Role, relation: str) -> int | str:
    caps = ROLE_CAPABILITIES[role]
    needed = {
        "read": {C.SEE_PROTECTION},
        "write": {C.SEE_PROTECTION, C.EDIT_CASES},
        "approve": {C.APPROVE_BEST_INTERESTS},
        "queue": {C.APPROVE_BEST_INTERESTS},
    }[rule]
    if not needed <= caps:
        return 403
    if rule == "queue" or relation == "own":
        return "ok"
    return 404


def _child_case(by: Any, org: Any) -> Any:
    child = f.returnee(by, given_names="Ana", birth_date=years_ago(15), nationality=str(org.country))
    return f.case(by, child)


@pytest.fixture
def world() -> dict[str, Any]:
    own, other = f.organisation("uno", country="GT"), f.organisation("dos", country="GT")
    stranger = f.user(other, Role.CASE_MANAGER)
    return {"own": own, "other_case": _child_case(stranger, other)}


def _setup(world: dict[str, Any], role: Role) -> tuple[Any, dict[str, Any]]:
    org = world["own"]
    user = f.user(org, role)
    maker = user if C.EDIT_CASES in ROLE_CAPABILITIES[role] else f.user(org, Role.PROGRAMME_MANAGER)
    case = _child_case(maker, org)
    assessor = f.user(org, Role.CASE_MANAGER)
    # A completed BIA by someone else, so that a supervisor's approval is a real one.
    services.start_assessment(maker, case, bia_input(complete=False))
    bia = services.start_assessment(maker, case, bia_input())
    bia.assessed_by = assessor
    bia.save(update_fields=["assessed_by"])
    other_bia = services.start_assessment(
        world["other_case"].case_manager, world["other_case"], bia_input(complete=False)
    )
    cases = {
        "own": (case.pk, bia.pk),
        "other_org": (world["other_case"].pk, other_bia.pk),
        "missing": (999_999, 999_999),
    }
    return user, cases


def _url(name: str, pk: int, bia_id: int) -> str:
    if name == "children:queue":
        return reverse(name)
    kwargs: dict[str, int] = {"pk": pk}
    if "assessment" in name and not name.endswith("assessments") and name != "children:assessment-new":
        kwargs["bia_id"] = bia_id
    return reverse(name, kwargs=kwargs)


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
        for relation in ("own",) if rule == "queue" else RELATIONS:
            url = _url(name, *cases[relation])
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
            url = _url(name, *cases[relation])
            answer = getattr(api, method.lower())(url, {}, format="json").status_code
            wanted = expected(rule, role, relation)
            if not _matches(answer, wanted):
                failures.append((name, method, relation, answer, wanted))
    assert not failures


def test_anonymous_visitors_go_to_the_login_page_or_get_401(world):
    _user, cases = _setup(world, Role.CASE_MANAGER)
    for (name, method), _rule in WEB.items():
        url = _url(name, *cases["own"])
        response = Client().get(url) if method == "GET" else Client().post(url, {})
        assert response.status_code == 302 and urlsplit(response["Location"]).path == reverse("login")
    for (name, method), _rule in API.items():
        response = getattr(Client(), method.lower())(_url(name, *cases["own"]))
        assert response.status_code in (401, 403)
