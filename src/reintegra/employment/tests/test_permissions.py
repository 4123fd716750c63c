"""Permission matrix of the employment routes (pages in `employment.views`, endpoints in `employment.api`), for
every role × relation to the record, computed from ROLE_CAPABILITIES and the rules of
`employment.permissions`:

- case_read / case_write: a role that sees cases (and EDIT_CASES to write), 403 before any lookup; then a
  case the user sees (404 otherwise);
- placement: EDIT_CASES, then a placement of a case the user sees (404);
- vacancy_read: VIEW_STRUCTURAL or EDIT_STRUCTURAL, then a vacancy of a programme the user sees (404);
- vacancy_write / vacancy_new: EDIT_STRUCTURAL (then the vacancy, 404);
- candidates: a role that sees cases, then the vacancy (404);
- list_cases / list_vacancies / aggregates / anyone: the capability only.

"ok" is any answer but 403/404/5xx (a write sent with a partial body comes back with its field errors, or
428 without If-Match).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from reintegra.access.roles import ROLE_CAPABILITIES, Capability, Role
from reintegra.employment import services
from reintegra.employment.tests.conftest import World, profile_input, referred, vacancy_input
from reintegra.testing import factories as f
from reintegra.testing.api_clients import api_client_for
from reintegra.testing.routes import routes_of_app

pytestmark = pytest.mark.django_db

C = Capability
WEB = {
    ("employment:case", "GET"): "case_read",
    ("employment:profile", "GET"): "case_write",
    ("employment:profile", "POST"): "case_write",
    ("employment:shortlist", "POST"): "case_write",
    ("employment:placement-step", "POST"): "placement",
    ("employment:placement-refer", "GET"): "placement",
    ("employment:placement-refer", "POST"): "placement",
    ("employment:retention", "POST"): "retention",
    ("employment:vacancies", "GET"): "list_vacancies",
    ("employment:vacancy-new", "GET"): "vacancy_new",
    ("employment:vacancy-new", "POST"): "vacancy_new",
    ("employment:vacancy", "GET"): "vacancy_read",
    ("employment:skills-gaps", "GET"): "aggregates",
}
API = {
    ("api:occupations", "GET"): "anyone",
    ("api:jobseekers", "GET"): "list_cases",
    ("api:jobseeker", "GET"): "jobseeker",
    ("api:jobseeker-matches", "GET"): "jobseeker",
    ("api:case-jobseeker", "GET"): "case_read",
    ("api:case-jobseeker", "PUT"): "case_write",
    ("api:vacancies", "GET"): "list_vacancies",
    ("api:vacancies", "POST"): "vacancy_new",
    ("api:vacancy", "GET"): "vacancy_read",
    ("api:vacancy", "PUT"): "vacancy_write",
    ("api:vacancy-matches", "GET"): "candidates",
    ("api:placements", "GET"): "list_cases",
    ("api:placements", "POST"): "shortlist",
    ("api:placement-step", "POST"): "placement",
    ("api:placement-referral", "POST"): "placement",
    ("api:placement-retention", "POST"): "placement",
    ("api:skills-gaps", "GET"): "aggregates",
}
CASE_READ = {C.VIEW_ASSIGNED_CASES, C.VIEW_ORGANISATION_CASES}
VACANCY_READ = {C.VIEW_STRUCTURAL, C.EDIT_STRUCTURAL}
# rule -> (any of these capabilities, and all of these), whether an object is looked up
RULES: dict[str, tuple[set[Capability], set[Capability], bool]] = {
    "anyone": (set(), set(), False),
    "case_read": (CASE_READ, set(), True),
    "case_write": (CASE_READ, {C.EDIT_CASES}, True),
    "jobseeker": (CASE_READ, set(), True),
    "placement": (set(), {C.EDIT_CASES}, True),
    "retention": (set(), {C.EDIT_CASES}, True),
    "shortlist": (set(), {C.EDIT_CASES}, True),
    "list_cases": (CASE_READ, set(), False),
    "list_vacancies": (VACANCY_READ, set(), False),
    "vacancy_read": (VACANCY_READ, set(), True),
    "vacancy_new": (set(), {C.EDIT_STRUCTURAL}, False),
    "vacancy_write": (set(), {C.EDIT_STRUCTURAL}, True),
    "candidates": (CASE_READ, set(), True),
    "aggregates": (set(), {C.VIEW_AGGREGATES}, False),
}
RELATIONS = ("own", "other_org", "missing")


def test_every_route_has_a_row() -> None:
    web = {(n, m) for n, methods in routes_of_app("reintegra.employment.views").items() for m in methods}
    api = {(n, m) for n, methods in routes_of_app("reintegra.employment.api").items() for m in methods}
    assert web == set(WEB)
    assert api == set(API)


def expected(rule: str, role: Role, relation: str) -> int | str:
    caps = ROLE_CAPABILITIES[role]
    any_of, all_of, has_object = RULES[rule]
    if (any_of and not any_of & caps) or not all_of <= caps:
        return 403
    if not has_object or relation == "own":
        return "ok"
    return 404


def _own(world: World, role: Role) -> tuple[Any, dict[str, dict[str, int]]]:
    user = f.user(world.org, role)
    maker = user if C.EDIT_CASES in ROLE_CAPABILITIES[role] else world.case_manager
    case = f.case(maker) if maker is user else world.case
    if maker is user:
        from reintegra.employment.tests.conftest import consent

        consent(user, case)
    profile = services.save_profile(maker, case, profile_input(world.muni))
    vacancy = services.save_vacancy(world.manager, vacancy_input(world.programme, world.employer, world.muni))
    second = services.save_vacancy(world.manager, vacancy_input(world.programme, world.employer, world.muni))
    placement = referred(services.shortlist(maker, vacancy, profile), maker)
    services.advance_placement(maker, placement, step="interview")
    services.advance_placement(maker, placement, step="hired")
    check = placement.retention_checks.get(months=3)
    other_profile = services.save_profile(world.other_manager, world.other_case, profile_input(world.muni))
    other_second = services.save_vacancy(
        world.other_manager,
        vacancy_input(world.other_vacancy.programme, world.other_employer, world.other_vacancy.municipality),
    )
    other_placement = services.shortlist(world.other_manager, world.other_vacancy, other_profile)
    other_check_placement = referred(
        services.shortlist(world.other_manager, other_second, other_profile), world.other_manager
    )
    services.advance_placement(world.other_manager, other_check_placement, step="interview")
    services.advance_placement(world.other_manager, other_check_placement, step="hired")
    other_check = other_check_placement.retention_checks.get(months=3)
    ids = {
        "own": {
            "case": case.pk,
            "profile": profile.pk,
            "vacancy": vacancy.pk,
            "second": second.pk,
            "placement": placement.pk,
            "check": check.pk,
        },
        "other_org": {
            "case": world.other_case.pk,
            "profile": other_profile.pk,
            "vacancy": world.other_vacancy.pk,
            "second": other_second.pk,
            "placement": other_placement.pk,
            "check": other_check.pk,
        },
        "missing": dict.fromkeys(("case", "profile", "vacancy", "second", "placement", "check"), 999_999),
    }
    return user, ids


def _web_request(name: str, method: str, ids: dict[str, int]) -> tuple[str, dict[str, Any]]:
    key = {
        "employment:case": "case",
        "employment:profile": "case",
        "employment:shortlist": "case",
        "employment:placement-step": "placement",
        "employment:placement-refer": "placement",
        "employment:retention": "check",
        "employment:vacancy": "vacancy",
    }.get(name)
    url = reverse(name, kwargs={"pk": ids[key]}) if key else reverse(name)
    body: dict[str, Any] = {}
    if name == "employment:shortlist":
        body = {"vacancy": ids["second"]}
    if name == "employment:placement-step":
        body = {"step": "interview"}
    return url, body


def _api_request(name: str, method: str, ids: dict[str, int]) -> tuple[str, dict[str, Any]]:
    key = {
        "api:jobseeker": "profile",
        "api:jobseeker-matches": "profile",
        "api:case-jobseeker": "case",
        "api:vacancy": "vacancy",
        "api:vacancy-matches": "vacancy",
        "api:placement-step": "placement",
        "api:placement-referral": "placement",
        "api:placement-retention": "placement",
    }.get(name)
    url = reverse(name, kwargs={"pk": ids[key]}) if key else reverse(name)
    body: dict[str, Any] = {}
    if name == "api:placements" and method == "POST":
        body = {"jobseeker": ids["profile"], "vacancy": ids["second"]}
    if name == "api:placement-retention":
        body = {"months": 3, "outcome": "employed"}
    return url, body


def _matches(answer: int, wanted: int | str) -> bool:
    if wanted == "ok":
        return answer not in (403, 404) and answer < 500
    return answer == wanted


@pytest.mark.parametrize("role", list(Role))
def test_web_matrix(world: World, role: Role) -> None:
    user, ids = _own(world, role)
    client = Client()
    client.force_login(user)
    failures = []
    for (name, method), rule in WEB.items():
        for relation in RELATIONS:
            if relation != "own" and not RULES[rule][2]:
                continue
            url, body = _web_request(name, method, ids[relation])
            answer = client.get(url) if method == "GET" else client.post(url, body)
            wanted = expected(rule, role, relation)
            if not _matches(answer.status_code, wanted):
                failures.append((name, method, relation, answer.status_code, wanted))
    assert failures == []


@pytest.mark.parametrize("role", list(Role))
def test_api_matrix(world: World, role: Role) -> None:
    user, ids = _own(world, role)
    client = api_client_for(user)
    failures = []
    for (name, method), rule in API.items():
        for relation in RELATIONS:
            if relation != "own" and not RULES[rule][2]:
                continue
            url, body = _api_request(name, method, ids[relation])
            answer = getattr(client, method.lower())(url, body, format="json")
            wanted = expected(rule, role, relation)
            if not _matches(answer.status_code, wanted):
                failures.append((name, method, relation, answer.status_code, wanted))
    assert failures == []
