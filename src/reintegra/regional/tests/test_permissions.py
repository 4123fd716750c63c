"""Permission matrix of every regional route, for every role × relation to the action, computed from
ROLE_CAPABILITIES and the catalogue's rule (read: VIEW_STRUCTURAL, all countries; write: EDIT_STRUCTURAL, and
for an existing action only its organisation or a coordinator whose coordination body that organisation
gave write access: issue 10 item 13; a coordinator of the action's country without it may not)."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from reintegra.access.roles import ROLE_CAPABILITIES, Capability, Role
from reintegra.testing.routes import routes_of_app

READ, CREATE, EDIT = "read", "create", "edit"
# (route name, method) -> which rule decides it, and the answer when allowed.
MATRIX = {
    ("regional:matrix", "GET"): (READ, 200),
    ("regional:list", "GET"): (READ, 200),
    ("regional:detail", "GET"): (READ, 200),
    ("regional:export", "GET"): (READ, 200),
    ("regional:create", "GET"): (CREATE, 200),
    ("regional:create", "POST"): (CREATE, 302),
    ("regional:import", "GET"): (CREATE, 200),
    ("regional:import", "POST"): (CREATE, 302),
    ("regional:edit", "GET"): (EDIT, 200),
    ("regional:edit", "POST"): (EDIT, 302),
    ("api:regional-action-list", "GET"): (READ, 200),
    ("api:regional-action-list", "POST"): (CREATE, 201),
    ("api:regional-action-matrix", "GET"): (READ, 200),
    ("api:regional-action-detail", "GET"): (READ, 200),
    ("api:regional-action-detail", "PUT"): (EDIT, 200),
    ("api:regional-action-detail", "PATCH"): (EDIT, 200),
}
# The user's organisation relative to the action: the one that entered it, another in the same country,
# one in another country, or one the entering organisation gave write access to its actions.
RELATIONS = ("own", "same_country", "other_country", "granted")

ACTION = {
    "country": "GT",
    "title": "Intermediación laboral",
    "levels": ["structural"],
    "dimensions": ["social"],
    "institution_name": "Ministerio de Trabajo",
    "institution_kind": "government",
    "funding_source": "national_budget",
    "evaluation_status": "not_evaluated",
}


def test_every_route_has_a_row():
    exposed = {(name, m) for name, methods in routes_of_app("reintegra.regional").items() for m in methods}
    assert exposed == set(MATRIX)


def expected(rule: str, allowed_answer: int, role: Role, relation: str) -> int:
    caps = ROLE_CAPABILITIES[role]
    if rule == READ:
        return allowed_answer if Capability.VIEW_STRUCTURAL in caps else 403
    if Capability.EDIT_STRUCTURAL not in caps:
        return 403
    if rule == CREATE:
        return allowed_answer
    may_edit = relation == "own" or (role == Role.COORDINATOR and relation == "granted")
    return allowed_answer if may_edit else 403


def _request(client, name, method, action_pk, user=None):
    args = [action_pk] if name in {"regional:detail", "regional:edit", "api:regional-action-detail"} else []
    url = reverse(name, args=args)
    is_api = name.startswith("api:")
    if method == "GET":
        return client.get(url)
    if is_api:
        # Changes carry the version they are based on (issue 10): If-Match in the API, a hidden field in forms.
        headers = {"HTTP_IF_MATCH": f'"{_version(action_pk)}"'} if method in ("PUT", "PATCH") else {}
        return getattr(client, method.lower())(url, {**ACTION, "title": f"Acción {method}"}, format="json", **headers)
    if name == "regional:import":
        upload = io.BytesIO(b"country,action,level,dimension\nGT,Beca Mi Primer Empleo,structural,economic\n")
        upload.name = "acciones.csv"
        return client.post(url, {"file": upload})
    form = {**ACTION, "title": "Acción web", "revision": str(_version(action_pk))}
    return client.post(url, form)


def _version(action_pk: int) -> int:
    from reintegra.regional.models import RegionalAction

    return RegionalAction.objects.get(pk=action_pk).revision


@pytest.fixture
def setting():
    from reintegra.regional import services
    from reintegra.structural import services as structural_services
    from reintegra.structural.choices import GrantScope
    from reintegra.testing import factories

    entering = factories.organisation(country="GT")
    author = factories.user(entering, Role.PROGRAMME_MANAGER)
    action = services.create_action(author, services.ActionInput(**ACTION))
    orgs = {
        "own": entering,
        "same_country": factories.organisation(country="GT"),
        "other_country": factories.organisation(country="MX"),
        "granted": factories.organisation(country="GT"),
    }
    structural_services.grant_write(author, orgs["granted"], GrantScope.REGIONAL)
    return action, orgs


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(MATRIX))
def test_anonymous(route, setting):
    action, _orgs = setting
    name, method = route
    client = APIClient() if name.startswith("api:") else Client()
    response = _request(client, name, method, action.pk)
    assert response.status_code == (401 if name.startswith("api:") else 302)


@pytest.mark.django_db
@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("role", list(Role))
def test_role_and_relation(role, relation, setting):
    from reintegra.testing import factories

    action, orgs = setting
    user = factories.user(orgs[relation], role)
    web, api = Client(), APIClient()
    web.force_login(user)
    api.force_authenticate(user)
    for (name, method), (rule, allowed) in sorted(MATRIX.items()):
        client = api if name.startswith("api:") else web
        response = _request(client, name, method, action.pk)
        assert response.status_code == expected(rule, allowed, role, relation), (name, method, role, relation)


@pytest.mark.django_db
def test_a_missing_action_is_404_for_readers_and_403_first_for_others(setting):
    from reintegra.testing import factories

    _action, orgs = setting
    reader = factories.user(orgs["own"], Role.CASE_MANAGER)
    provider = factories.user(orgs["own"], Role.SERVICE_PROVIDER)
    for user, answer in ((reader, 404), (provider, 403)):
        client = Client()
        client.force_login(user)
        assert client.get(reverse("regional:detail", args=[999999])).status_code == answer
        assert client.get(reverse("regional:edit", args=[999999])).status_code == 403
