"""Permission matrix of every tracing route (pages and API): every role × every relation to the case.

Expected answers are computed from `ROLE_CAPABILITIES` and the scoping rules, never written cell by cell:
- anonymous: the login page (web) or 401 (API);
- the capabilities a route checks before any lookup are missing (all of `needs`): 403;
- the case is not visible (another organisation's, or a case the role may not see): 404;
- otherwise the route's success code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from reintegra.access.roles import ROLE_CAPABILITIES, Capability, Role
from reintegra.children import tracing_selectors
from reintegra.children import tracing_services as services
from reintegra.testing import factories
from reintegra.testing.module_world import built_once
from reintegra.testing.routes import routes_of_app

C = Capability
OWN, TEAM, SAME_ORG, OTHER_ORG = "own", "team", "same_org", "other_org"
RELATIONS = (OWN, TEAM, SAME_ORG, OTHER_ORG)
READ = frozenset({C.SEE_PROTECTION})
WRITE = frozenset({C.SEE_PROTECTION, C.EDIT_CASES})


@dataclass(frozen=True)
class Row:
    target: str  # case | request | follow_up
    needs: frozenset[Capability]  # all of them, checked before the lookup
    ok: int
    data: str = ""


MATRIX: dict[tuple[str, str], Row] = {
    ("children:tracing", "GET"): Row("case", READ, 200),
    ("children:tracing-request-new", "GET"): Row("case", WRITE, 200),
    ("children:tracing-request-new", "POST"): Row("case", WRITE, 302, "request"),
    ("children:tracing-request", "GET"): Row("request", READ, 200),
    ("children:tracing-request-close", "POST"): Row("request", WRITE, 302, "close"),
    ("children:tracing-matches", "GET"): Row("request", READ, 200),
    ("children:tracing-action-new", "GET"): Row("case", WRITE, 200),
    ("children:tracing-action-new", "POST"): Row("case", WRITE, 302, "action"),
    ("children:tracing-found-new", "GET"): Row("case", WRITE, 200),
    ("children:tracing-found-new", "POST"): Row("case", WRITE, 302, "found"),
    ("children:reunification", "GET"): Row("case", WRITE, 200),
    ("children:reunification", "POST"): Row("case", WRITE, 302, "assessment"),
    ("children:reunification-follow-up", "GET"): Row("follow_up", WRITE, 200),
    ("children:reunification-follow-up", "POST"): Row("follow_up", WRITE, 302, "follow_up"),
    ("api:case-tracing-requests", "GET"): Row("case", READ, 200),
    ("api:case-tracing-requests", "POST"): Row("case", WRITE, 201, "request"),
    ("api:case-tracing-matches", "GET"): Row("request", READ, 200),
    ("api:case-tracing-request-close", "POST"): Row("request", WRITE, 200, "close"),
    ("api:case-tracing-actions", "GET"): Row("case", READ, 200),
    ("api:case-tracing-actions", "POST"): Row("case", WRITE, 201, "action"),
    ("api:case-family-members-found", "GET"): Row("case", READ, 200),
    ("api:case-family-members-found", "POST"): Row("case", WRITE, 201, "found"),
    ("api:case-reunification-assessment", "GET"): Row("case", READ, 200),
    ("api:case-reunification-assessment", "PUT"): Row("case", WRITE, 200, "assessment_api"),
    ("api:case-reunification-follow-up", "POST"): Row("follow_up", WRITE, 200, "follow_up"),
}


def test_every_route_has_a_row():
    exposed = set()
    for module in ("reintegra.children.tracing_views", "reintegra.children.tracing_api"):
        exposed |= {(name, m) for name, methods in routes_of_app(module).items() for m in methods}
    assert exposed == set(MATRIX)


def case_visible(role: Role, relation: str) -> bool:
    caps = ROLE_CAPABILITIES[role]
    if C.VIEW_ORGANISATION_CASES in caps:
        return relation in (OWN, TEAM, SAME_ORG)
    if C.VIEW_ASSIGNED_CASES in caps:
        return relation in (OWN, TEAM)
    return False


def expected(row: Row, role: Role, relation: str) -> int:
    if not row.needs <= ROLE_CAPABILITIES[role]:
        return 403
    return row.ok if case_visible(role, relation) else 404


class World:
    def __init__(self) -> None:
        today = timezone.localdate()
        self.org = factories.organisation("mtx-ninez-a")
        self.team = factories.team(self.org)
        other = factories.organisation("mtx-ninez-b")
        self.colleague = factories.user(self.org, Role.CASE_MANAGER, team=self.team)
        elsewhere = factories.user(self.org, Role.CASE_MANAGER, team=factories.team(self.org))
        foreign = factories.user(other, Role.CASE_MANAGER)
        self.users = {role: factories.user(self.org, role, team=self.team) for role in Role}
        self.cases = {
            TEAM: factories.case(self.colleague, case_manager=self.colleague),
            SAME_ORG: factories.case(elsewhere, case_manager=elsewhere),
            OTHER_ORG: factories.case(foreign, case_manager=foreign),
        }
        self.own = {}
        for role, user in self.users.items():
            holds = C.EDIT_CASES in ROLE_CAPABILITIES[role] and C.VIEW_ASSIGNED_CASES in ROLE_CAPABILITIES[role]
            opener = user if holds else self.colleague
            self.own[role] = factories.case(opener, case_manager=opener)
        self.records: dict[int, dict[str, Any]] = {}
        for case in [*self.cases.values(), *self.own.values()]:
            manager = case.case_manager
            request = services.open_tracing_request(
                manager, case, services.TracingRequestInput("mother", "Rosa", "Xol", opened_on=today)
            )
            other_request = services.open_tracing_request(
                manager, case, services.TracingRequestInput("father", "Pedro", "Xol", opened_on=today)
            )
            found = services.record_family_member_found(
                manager, case, services.FamilyMemberInput(other_request.pk, "father", "Pedro", "Xol", today)
            )
            assessment = services.save_reunification_assessment(
                manager,
                case,
                services.ReunificationInput(
                    assessed_on=today - timedelta(days=1),
                    family_member=found.pk,
                    family_willing="yes",
                    family_able="yes",
                    home_safe="yes",
                    child_wish="wants",
                    authority_view="agrees",
                    recommendation="reunify",
                    reunified_on=today,
                ),
            )
            self.records[case.pk] = {
                "request": request,
                "assessment": assessment,
                "follow_up": tracing_selectors.follow_ups_of(case)[0],
            }

    def case(self, role: Role, relation: str) -> Any:
        return self.own[role] if relation == OWN else self.cases[relation]

    def url(self, name: str, row: Row, role: Role, relation: str) -> str:
        case = self.case(role, relation)
        if row.target == "case":
            return reverse(name, args=[case.pk])
        return reverse(name, args=[case.pk, self.records[case.pk][row.target].pk])

    def data(self, kind: str, role: Role, relation: str) -> dict[str, Any]:
        today = timezone.localdate().isoformat()
        records = self.records[self.case(role, relation).pk]
        request = records["request"].pk
        return {
            "": {},
            "request": {"relationship": "grandparent", "given_names": "Juana", "opened_on": today},
            "close": {"closed_on": today},
            "action": {
                "request": request,
                "method": "phone",
                "taken_on": today,
                "carried_out_by": "Gestora",
                "result": "no_result",
            },
            "found": {"request": request, "relationship": "mother", "given_names": "Rosa", "found_on": today},
            "assessment": {
                "revision": str(records["assessment"].revision),
                "assessed_on": today,
                "family_willing": "unknown",
                "family_able": "unknown",
                "home_safe": "unknown",
                "child_wish": "not_heard",
                "authority_view": "pending",
                "recommendation": "pending",
            },
            "assessment_api": {"reasons": "Revisado con la familia"},
            "follow_up": {"done_on": today, "outlook": "stable"},
        }[kind]


def _request(client: Any, method: str, url: str, data: dict[str, Any], version: int) -> int:
    call = getattr(client, method.lower())
    if method == "GET":
        return call(url).status_code
    if isinstance(client, APIClient):
        return call(url, data, format="json", HTTP_IF_MATCH=f'"{version}"').status_code
    return call(url, data).status_code


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Any:
    """Built once per module inside a transaction rolled back at the end (it was built again for each route): every
    test's own transaction, and every request's savepoint, nest inside it, so no request's write reaches the next."""
    with built_once(django_db_blocker, World) as world:
        yield world


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(MATRIX))
def test_route(world, route):
    name, method = route
    row = MATRIX[route]
    is_api = name.startswith("api:")
    failures = []
    for relation in RELATIONS:
        anonymous = APIClient() if is_api else Client()
        url = world.url(name, row, Role.CASE_MANAGER, relation)
        data = world.data(row.data, Role.CASE_MANAGER, relation)
        with transaction.atomic():
            got = _request(anonymous, method, url, data, 1)
            transaction.set_rollback(True)
        if got != (401 if is_api else 302):
            failures.append(("anonymous", relation, got))
        for role, user in world.users.items():
            client = APIClient() if is_api else Client()
            if is_api:
                client.force_authenticate(user)
            else:
                client.force_login(user)
            url = world.url(name, row, role, relation)
            data = world.data(row.data, role, relation)
            version = world.records[world.case(role, relation).pk]["assessment"].revision
            with transaction.atomic():
                got = _request(client, method, url, data, version)
                transaction.set_rollback(True)
            want = expected(row, role, relation)
            if got != want:
                failures.append((str(role), relation, got, want))
    assert not failures, failures
