"""Permission matrix of every structural route: Role x relation of the record's programme to the user.

Relations: "own" (a programme of the user's organisation), "country" (another organisation's programme
covering the user's organisation's country), "granted" (the same, from an organisation that gave the
user's organisation write access to it), "other" (another organisation in another country).
Expected answers are computed from ROLE_CAPABILITIES and the rule in selectors.py, never written cell
by cell: VIEW/EDIT_STRUCTURAL sees own programmes; a coordinator also sees the programmes of its
country; writing needs EDIT_STRUCTURAL on a record the user may change: their organisation's, or, for a
coordinator, one it sees under a write grant (issue 10 item 13); hidden -> 404, forbidden -> 403.
Write grants are given and revoked by the owner's programme managers (MANAGE_PROGRAMME).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from reintegra.access.roles import ROLE_CAPABILITIES, Capability, Role
from reintegra.structural.pages import KINDS
from reintegra.structural.tests.conftest import build_world
from reintegra.testing import factories
from reintegra.testing.routes import routes_of_app

RELATIONS = ("own", "country", "granted", "other")
WRITES = {
    "form_new",
    "form_object",
    "programme_post",
    "object_post",
    "api_create",
    "api_put",
    "api_patch",
    "api_nested_post",
}


def _rows() -> dict[tuple[str, str], str]:
    rows = {
        ("structural:home", "GET"): "page",
        ("structural:checklist", "GET"): "page",
        ("structural:checklist", "POST"): "programme_post",
        ("structural:framework-exchange", "POST"): "object_post",
        ("structural:document-file", "GET"): "record",
        ("structural:process-action-plan", "GET"): "record",
        ("structural:grants", "GET"): "page",
        ("structural:grants", "POST"): "grant_post",
        ("structural:grant-revoke", "POST"): "grant_revoke",
    }
    for kind in KINDS.values():
        if kind.listed:
            rows[(f"structural:{kind.key}-list", "GET")] = "page"
        if kind.detailed:
            rows[(f"structural:{kind.key}-detail", "GET")] = "record"
        for method in ("GET", "POST"):
            rows[(f"structural:{kind.key}-edit", method)] = "form_object"
            if kind.creatable and not kind.parents:
                rows[(f"structural:{kind.key}-new", method)] = "form_new"
            for parent in kind.parents if kind.creatable else ():
                rows[(f"structural:{kind.key}-new-{parent}", method)] = "form_object"
    for basename in API_RECORDS:
        rows[(f"api:{basename}-list", "GET")] = "api_list"
        rows[(f"api:{basename}-list", "POST")] = "api_create"
        rows[(f"api:{basename}-detail", "GET")] = "api_record"
        rows[(f"api:{basename}-detail", "PUT")] = "api_put"
        rows[(f"api:{basename}-detail", "PATCH")] = "api_patch"
    for name in ("api:stakeholder-interactions", "api:coordination-mechanism-meetings"):
        rows[(name, "GET")] = "api_record"
        rows[(name, "POST")] = "api_nested_post"
    return rows


API_RECORDS = {
    "stakeholder": "stakeholder",
    "common-product": "product",
    "agreement": "agreement",
    "capacity-assessment": "assessment",
    "capacity-plan": "plan",
    "coordination-mechanism": "mechanism",
    "action-item": "actionitem",
    "cooperation-framework": "framework",
    "mainstreaming-process": "process",
}
MATRIX = _rows()


def test_every_route_has_a_row():
    exposed = {(name, m) for name, methods in routes_of_app("reintegra.structural").items() for m in methods}
    assert exposed == set(MATRIX)


def _record_key(name: str) -> str | None:
    """The world record a route is about (None for routes without an object)."""
    short = name.split(":", 1)[1]
    if name.startswith("api:"):
        for suffix in ("-detail", "-interactions", "-meetings"):
            if short.endswith(suffix):
                return API_RECORDS[short.removesuffix(suffix)]
        return None
    special = {
        "document-file": "document",
        "process-action-plan": "process",
        "framework-exchange": "framework",
        "grant-revoke": "grant",
    }
    if short in special:
        return special[short]
    if "-new-" in short:
        return short.split("-new-")[1]
    if short.endswith(("-detail", "-edit")):
        return short.rsplit("-", 1)[0]
    return None


def expected(rule: str, role: Role | None, relation: str) -> int:
    api = rule.startswith("api")
    if role is None:
        return 401 if api else 302
    caps = ROLE_CAPABILITIES[role]
    can_view = Capability.VIEW_STRUCTURAL in caps or Capability.EDIT_STRUCTURAL in caps
    can_edit = Capability.EDIT_STRUCTURAL in caps
    coordinator = role == Role.COORDINATOR
    sees = can_view and (relation == "own" or (relation in ("country", "granted") and coordinator))
    may_change = relation == "own" or (relation == "granted" and coordinator)
    if rule in ("grant_post", "grant_revoke"):
        if not (can_view and Capability.MANAGE_PROGRAMME in caps):
            return 403
        if rule == "grant_post":
            return 400  # allowed, but the empty form is re-displayed with its errors
        return 302 if relation == "own" else 404  # only the organisation's own grants
    writes = rule in WRITES
    if not (can_edit if writes else can_view):
        return 403
    if rule in {"page", "api_list", "form_new"}:
        return 200
    if rule == "api_create":
        return 400  # allowed, but the empty body is refused field by field
    if not sees:
        return 404
    if writes and not may_change:
        return 403  # seen, but another organisation's and not granted
    return {
        "record": 200,
        "form_object": 200,
        "programme_post": 302,
        "object_post": 302,
        "api_record": 200,
        "api_put": 400,
        "api_patch": 200,
        "api_nested_post": 400,
    }[rule]


def _worlds() -> tuple[dict[str, Any], dict[str, Any]]:
    from reintegra.structural import services
    from reintegra.structural.choices import GrantScope

    home = factories.organisation(country="GT")
    neighbour = factories.organisation(country="GT")  # its programme covers Guatemala too
    granting = factories.organisation(country="GT")  # ... and it gave `home` write access to it
    far = factories.organisation(country="MX")
    worlds = {}
    orgs = (home, neighbour, granting, far)
    for relation, org in zip(RELATIONS, orgs, strict=True):
        manager = factories.user(org, Role.PROGRAMME_MANAGER)
        worlds[relation] = {"org": org, "manager": manager, **build_world(org, manager)}
    granted = worlds["granted"]
    structural = services.grant_write(granted["manager"], home, GrantScope.STRUCTURAL, granted["stakeholder"].programme)
    for relation, grantee in zip(RELATIONS, (neighbour, far, far, neighbour), strict=True):
        # A grant each organisation gave (to revoke): `granted`'s is the one above.
        worlds[relation]["grant"] = (
            structural
            if relation == "granted"
            else services.grant_write(worlds[relation]["manager"], grantee, GrantScope.REGIONAL)
        )
    users = {role: factories.user(home, role) for role in Role}
    return worlds, users


@pytest.fixture(scope="module")
def setting(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """The three worlds are built once for the module, in a transaction rolled back at its end."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        yield _worlds()
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(MATRIX))
def test_route(route, setting):
    name, method = route
    rule = MATRIX[route]
    worlds, users = setting
    key = _record_key(name)
    for relation in RELATIONS:
        world = worlds[relation]
        url = _url(name, key, world)
        data: dict[str, Any] = {}
        if rule == "programme_post":
            data = {"programme": world["stakeholder"].programme_id}
        for role in [None, *Role]:
            if _same_as_own(key, rule, role, relation):
                continue
            status = _answer(name, method, users.get(role), url, data, world[key] if key is not None else None)
            assert status == _wanted(rule, method, role, relation), (name, method, role, relation, status)


def _url(name: str, key: str | None, world: dict[str, Any]) -> str:
    if key is not None:
        return reverse(name, args=[world[key].pk])
    if name == "structural:checklist":
        return reverse(name, args=["private_sector"])
    return reverse(name)


def _same_as_own(key: str | None, rule: str, role: Role | None, relation: str) -> bool:
    """Cells whose answer cannot depend on the record's relation, so only the "own" one is asked."""
    if key is None and rule != "programme_post" and relation != "own":
        return True  # routes without an object answer the same whatever the relation
    # Refused before any lookup: the record's relation cannot change the answer.
    return relation != "own" and (role is None or expected(rule, role, "own") == 403)


def _answer(name: str, method: str, user: Any, url: str, data: dict[str, Any], record: Any) -> int:
    """The status of one request by `user` (None: anonymous)."""
    if not name.startswith("api:"):
        client = Client()
        if user is not None:
            client.force_login(user)
        return getattr(client, method.lower())(url, data).status_code
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    # Edits carry the version they are based on (issue 10); without it PATCH answers 428.
    headers = {}
    if method in ("PUT", "PATCH") and record is not None:
        headers["HTTP_IF_MATCH"] = f'"{type(record).objects.get(pk=record.pk).revision}"'
    return getattr(api, method.lower())(url, data, format="json", **headers).status_code


def _wanted(rule: str, method: str, role: Role | None, relation: str) -> int:
    want = expected(rule, role, relation)
    if rule in ("form_object", "form_new") and method == "POST" and want == 200:
        return 400  # allowed, but the empty form is re-displayed with its errors
    return want
