"""Permission matrix of the monitoring report routes (IPTT, downloads, donor report, values endpoint, public
statistics): Role (and anonymous) × relation of the programme to the user.

Relations: "own" (a programme of the user's organisation; it publishes its statistics) and "other" (another
organisation's; it publishes nothing). Expected answers come from ROLE_CAPABILITIES and the rule in
`monitoring.selectors`: reading needs VIEW_AGGREGATES or MANAGE_MONITORING on the organisation's programmes,
every organisation's with VIEW_AGGREGATES_ALL_ORGANISATIONS; hidden → 404, no capability → 403; the public
pages answer anyone for a published programme and 404 otherwise.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from reintegra.access.roles import ROLE_CAPABILITIES, Capability, Role
from reintegra.monitoring import pdf
from reintegra.monitoring.tests import report_world
from reintegra.testing.routes import routes_of_app

RELATIONS = ("own", "other")
MODULES = ("reintegra.monitoring.iptt_views", "reintegra.monitoring.report_api", "reintegra.monitoring.public_views")

# route → (kind, what its URL takes)
MATRIX: dict[tuple[str, str], tuple[str, str]] = {
    ("monitoring:iptt", "GET"): ("page", "programme"),
    ("monitoring:iptt-download", "GET"): ("page", "programme_fmt"),
    ("monitoring:logframe-download", "GET"): ("page", "programme_fmt"),
    ("monitoring:values-hxl", "GET"): ("page", "programme"),
    ("monitoring:donor-report", "GET"): ("page", "period"),
    ("api:indicator-values", "GET"): ("api", "indicator"),
    ("api:indicator-iptt-xlsx", "GET"): ("api", "programme_query"),
    ("api:indicator-iptt-csv", "GET"): ("api", "programme_query"),
    ("api:indicator-logframe-xlsx", "GET"): ("api", "programme_query"),
    ("api:indicator-values-hxl", "GET"): ("api", "programme_query"),
    ("api:reporting-period-report", "GET"): ("api", "period"),
    ("statistics:home", "GET"): ("public", ""),
    ("statistics:programme", "GET"): ("public", "programme"),
    ("statistics:download-csv", "GET"): ("public", "programme"),
    ("statistics:download-hxl", "GET"): ("public", "programme"),
}


def test_every_route_has_a_row():
    exposed = {(name, m) for module in MODULES for name, methods in routes_of_app(module).items() for m in methods}
    assert exposed == set(MATRIX)


def expected(kind: str, takes: str, role: Role | None, relation: str) -> int:
    if kind == "public":
        return 200 if relation == "own" or not takes else 404
    if role is None:
        return 401 if kind == "api" else 302
    caps = ROLE_CAPABILITIES[role]
    if not ({Capability.VIEW_AGGREGATES, Capability.MANAGE_MONITORING} & caps):
        return 403
    sees = relation == "own" or Capability.VIEW_AGGREGATES_ALL_ORGANISATIONS in caps
    return 200 if sees else 404


def _request(name: str, takes: str, world: report_world.World) -> tuple[str, dict[str, Any]]:
    if takes == "programme":
        return reverse(name, args=[world.programme.pk]), {}
    if takes == "programme_fmt":
        return reverse(name, args=[world.programme.pk, "xlsx"]), {}
    if takes == "programme_query":
        return reverse(name), {"programme": world.programme.pk}
    if takes == "period":
        return reverse(name, args=[world.q1.pk]), {}
    if takes == "indicator":
        return reverse(name, args=[world.per_period.pk]), {}
    return reverse(name), {}


@pytest.fixture(scope="module")
def setting(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """Both worlds and a user of every role in the first one's organisation, built once for the module."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        worlds = {"own": report_world.build(public=True), "other": report_world.build(public=False)}
        from reintegra.testing import factories

        org = worlds["own"].programme.organisation
        users = {role: factories.user(org, role) for role in Role}
        yield worlds, users
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(MATRIX))
def test_route(route, setting, monkeypatch):
    monkeypatch.setattr(pdf, "donor_report_pdf", lambda user, period: b"%PDF-1.7 matrix")  # rendering: elsewhere
    name, _method = route
    kind, takes = MATRIX[route]
    worlds, users = setting
    for relation in RELATIONS:
        url, params = _request(name, takes, worlds[relation])
        for role in [None, *Role]:
            client: Any = APIClient() if kind == "api" else Client()
            if role is not None:
                client.force_login(users[role])
            status = client.get(url, params).status_code
            assert status == expected(kind, takes, role, relation), (name, relation, role, status)
