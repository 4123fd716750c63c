"""Permission matrix of every route whose view lives in this app: every role × every relation to the object.

Expected answers are computed from `ROLE_CAPABILITIES` and the scoping rules, never written cell by cell:
- anonymous: the login page (web) or 401 (API);
- the capability a route checks before any lookup is missing: 403;
- the object is not visible (another organisation's, or a case the role may not see): 404;
- otherwise the route's success code.
Case visibility: organisation-wide roles see their organisation's cases; case-holding roles their own and
their team's; nobody else any case. Programme configuration: global objects and the user's organisation's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from reintegra.access.roles import ROLE_CAPABILITIES, Capability, Role
from reintegra.sustainability import services
from reintegra.sustainability.models import FeasibilityApproach, Instrument
from reintegra.testing import factories
from reintegra.testing.module_world import built_once
from reintegra.testing.routes import routes_of_app

from .conftest import as_cells, best_answers, economic_answers, rss_raw

C = Capability
READERS = frozenset({C.MANAGE_PROGRAMME, C.VIEW_AGGREGATES, C.IMPORT_SUBMISSIONS, C.EDIT_CASES})
CASE_READERS = frozenset({C.VIEW_ASSIGNED_CASES, C.VIEW_ORGANISATION_CASES})  # the rounds' export
OWN, TEAM, SAME_ORG, OTHER_ORG, NONE = "own", "team", "same_org", "other_org", "none"
CASE_RELATIONS = (OWN, TEAM, SAME_ORG, OTHER_ORG)
CONFIG_RELATIONS = (OWN, OTHER_ORG)


@dataclass(frozen=True)
class Row:
    target: str  # case | round | instrument | instrument_code | draft | published | grid_row | none
    needs: frozenset[Capability] | None  # any one of them, checked before the lookup; None = signed in
    ok: int
    data: str = ""  # which valid body to send


MATRIX: dict[tuple[str, str], Row] = {
    ("sustainability:case-rounds", "GET"): Row("case", None, 200),
    ("sustainability:round-new", "GET"): Row("case", frozenset({C.EDIT_CASES}), 200),
    ("sustainability:round-new", "POST"): Row("case", frozenset({C.EDIT_CASES}), 302, "round_form"),
    ("sustainability:round", "GET"): Row("round", None, 200),
    ("sustainability:round-rescore", "POST"): Row("round", frozenset({C.EDIT_CASES}), 302, "rescore"),
    ("sustainability:home", "GET"): Row("none", READERS, 302),
    ("sustainability:due", "GET"): Row("none", frozenset({C.EDIT_CASES}), 200),
    ("sustainability:export-rounds", "GET"): Row("none", CASE_READERS, 200),
    ("api:survey-round-export-csv", "GET"): Row("none", CASE_READERS, 200),
    ("api:survey-round-export-xlsx", "GET"): Row("none", CASE_READERS, 200),
    ("sustainability:instruments", "GET"): Row("none", READERS, 200),
    ("sustainability:instrument-upload", "POST"): Row("none", frozenset({C.MANAGE_PROGRAMME}), 302, "upload"),
    ("sustainability:instrument", "GET"): Row("instrument", READERS, 200),
    ("sustainability:version-xlsform", "GET"): Row("published", READERS, 200),
    ("sustainability:version-definition", "GET"): Row("published", READERS, 200),
    ("sustainability:version-publish", "POST"): Row("draft", frozenset({C.MANAGE_PROGRAMME}), 302),
    ("sustainability:version-edit", "GET"): Row("draft", frozenset({C.MANAGE_PROGRAMME}), 200),
    ("sustainability:version-edit", "POST"): Row("draft", frozenset({C.MANAGE_PROGRAMME}), 302, "draft"),
    ("sustainability:version-submissions", "POST"): Row("published", frozenset({C.IMPORT_SUBMISSIONS}), 200, "csv"),
    ("sustainability:grid", "GET"): Row("none", frozenset({C.MANAGE_PROGRAMME}), 200),
    ("sustainability:grid-new", "GET"): Row("none", frozenset({C.MANAGE_PROGRAMME}), 200),
    ("sustainability:grid-new", "POST"): Row("none", frozenset({C.MANAGE_PROGRAMME}), 302, "grid_row"),
    ("sustainability:grid-edit", "GET"): Row("grid_row", frozenset({C.MANAGE_PROGRAMME}), 200),
    ("sustainability:grid-edit", "POST"): Row("grid_row", frozenset({C.MANAGE_PROGRAMME}), 302, "grid_row"),
    ("sustainability:grid-delete", "POST"): Row("grid_row", frozenset({C.MANAGE_PROGRAMME}), 302),
    ("sustainability:grid-import", "POST"): Row("none", frozenset({C.MANAGE_PROGRAMME}), 302, "grid_file"),
    ("sustainability:distribution", "GET"): Row("none", frozenset({C.VIEW_AGGREGATES}), 200),
    ("api:instrument-list", "GET"): Row("none", READERS, 200),
    ("api:instrument-detail", "GET"): Row("instrument_code", READERS, 200),
    ("api:instrument-xlsform", "GET"): Row("instrument_code", READERS, 200),
    ("api:instrument-submissions", "POST"): Row("instrument_code", frozenset({C.IMPORT_SUBMISSIONS}), 200, "csv"),
    ("api:case-sustainability", "GET"): Row("case", frozenset({C.VIEW_ASSIGNED_CASES}), 200),
    ("api:case-sustainability", "POST"): Row("case", frozenset({C.EDIT_CASES}), 201, "round_api"),
}


def test_every_route_has_a_row():
    exposed = {(name, m) for name, methods in routes_of_app("reintegra.sustainability").items() for m in methods}
    assert exposed == set(MATRIX)


def case_visible(role: Role, relation: str) -> bool:
    caps = ROLE_CAPABILITIES[role]
    if C.VIEW_ORGANISATION_CASES in caps:
        return relation in (OWN, TEAM, SAME_ORG)
    if C.VIEW_ASSIGNED_CASES in caps:
        return relation in (OWN, TEAM)
    return False


def expected(row: Row, role: Role, relation: str) -> int:
    caps = ROLE_CAPABILITIES[role]
    if row.needs is not None and not caps & row.needs:
        return 403
    if row.target in ("case", "round"):
        return row.ok if case_visible(role, relation) else 404
    if relation == OTHER_ORG:
        return 404
    return row.ok


def relations(row: Row) -> tuple[str, ...]:
    if row.target in ("case", "round"):
        return CASE_RELATIONS
    if row.target == "none":
        return (NONE,)
    return CONFIG_RELATIONS


class World:
    def __init__(self) -> None:
        self.org = factories.organisation("mtx-a")
        self.programme = self.org.programmes.get()
        self.team = factories.team(self.org)
        self.other_team = factories.team(self.org)
        self.other = factories.organisation("mtx-b")
        self.colleague = factories.user(self.org, Role.CASE_MANAGER, team=self.team)
        self.elsewhere = factories.user(self.org, Role.CASE_MANAGER, team=self.other_team)
        self.foreign = factories.user(self.other, Role.CASE_MANAGER)
        self.foreign_pm = factories.user(self.other, Role.PROGRAMME_MANAGER)
        self.users = {role: factories.user(self.org, role, team=self.team) for role in Role}
        self.cases = {
            TEAM: factories.case(self.colleague, case_manager=self.colleague),
            SAME_ORG: factories.case(self.elsewhere, case_manager=self.elsewhere),
            OTHER_ORG: factories.case(self.foreign, case_manager=self.foreign),
        }
        self.own = {}
        for role, user in self.users.items():
            holds = C.EDIT_CASES in ROLE_CAPABILITIES[role] and C.VIEW_ASSIGNED_CASES in ROLE_CAPABILITIES[role]
            opener = user if holds else self.colleague
            self.own[role] = factories.case(opener, case_manager=opener)
        self.rounds = {}
        for key, case in [*self.cases.items(), *((("own", r), c) for r, c in self.own.items())]:
            manager = case.case_manager
            self.rounds[key] = services.record_round(
                manager, case, services.RoundInput("rss", timezone.localdate(), best_answers())
            )
        self.global_version = Instrument.objects.get(code="rss", programme__isnull=True).versions.get()
        self.config = {}
        for relation, (programme, pm) in {
            OWN: (self.programme, None),
            OTHER_ORG: (self.other.programmes.get(), None),
        }.items():
            raw = rss_raw() | {"code": f"enc_{relation}", "version": 1}
            published = services.load_instrument(pm, raw, programme=programme, publish=True).version
            draft = services.load_instrument(pm, raw | {"version": 2}, programme=programme).version
            row = FeasibilityApproach.objects.create(programme=programme, dimension="economic", approach="Capital")
            self.config[relation] = {"published": published, "draft": draft, "grid_row": row}

    def url(self, name: str, row: Row, role: Role, relation: str) -> str:
        if row.target == "none":
            return reverse(name)
        if row.target == "case":
            case = self.own[role] if relation == OWN else self.cases[relation]
            return reverse(name, args=[case.pk])
        if row.target == "round":
            round_ = self.rounds[("own", role)] if relation == OWN else self.rounds[relation]
            return reverse(name, args=[round_.pk])
        objects = self.config[relation]
        if row.target == "instrument":
            return reverse(name, args=[objects["published"].instrument_id])
        if row.target == "instrument_code":
            return reverse(name, args=[objects["published"].instrument.code])
        return reverse(name, args=[objects[row.target].pk])

    def data(self, kind: str, role: Role, relation: str) -> tuple[dict[str, Any], str | None]:
        today = timezone.localdate().isoformat()
        case_number = self.own[role].case_number
        if kind == "round_form":
            return {"taken_on": today, **{f"q_{code}": v for code, v in economic_answers().items()}}, None
        if kind == "round_api":
            return {"instrument": "rss", "date": today, "answers": economic_answers()}, "json"
        if kind == "rescore":
            return {"version": self.global_version.pk}, None
        if kind == "upload":
            raw = rss_raw() | {"code": "subida", "version": 1}
            content = yaml.safe_dump(raw, allow_unicode=True).encode()
            return {"programme": self.programme.pk, "file": SimpleUploadedFile("i.yaml", content)}, "multipart"
        if kind == "draft":
            draft = self.config[relation]["draft"]
            content = yaml.safe_dump(draft.definition, allow_unicode=True)
            # Edits carry the version they are based on (issue 10).
            return {"definition": content, "revision": str(draft.revision)}, None
        if kind == "csv":
            cells = as_cells(economic_answers())
            text = f"case_number,survey_date,{','.join(cells)}\n{case_number},{today},{','.join(cells.values())}\n"
            return {"file": SimpleUploadedFile("s.csv", text.encode())}, "multipart"
        if kind == "grid_row":
            data = {"dimension": "social", "approach": "Vivienda temporal", "position": 1, "is_active": "on"}
            if relation in self.config:  # an edit: the version of the row it is based on
                data["revision"] = str(self.config[relation]["grid_row"].revision)
            return data, None
        if kind == "grid_file":
            text = "dimension,approach\neconomic,Capital semilla\n"
            return {"programme": self.programme.pk, "file": SimpleUploadedFile("g.csv", text.encode())}, "multipart"
        return {}, None


def _request(client: Any, method: str, url: str, data: dict[str, Any], fmt: str | None) -> int:
    call = getattr(client, method.lower())
    if method == "GET":
        return call(url).status_code
    if isinstance(client, APIClient):
        return call(url, data, format=fmt or "json").status_code
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
    for relation in relations(row):
        anonymous = APIClient() if is_api else Client()
        url = world.url(name, row, Role.CASE_MANAGER, relation)
        data, fmt = world.data(row.data, Role.CASE_MANAGER, relation)
        with transaction.atomic():
            got = _request(anonymous, method, url, data, fmt)
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
            data, fmt = world.data(row.data, role, relation)
            with transaction.atomic():
                got = _request(client, method, url, data, fmt)
                transaction.set_rollback(True)
            want = expected(row, role, relation)
            if got != want:
                failures.append((str(role), relation, got, want))
    assert not failures, failures
