"""Issue 10, item 6: a real race on the plan PUT. Two threads read the same version and PUT at the same moment;
exactly one is saved, the other answers 412, and the plan holds the winner's items only.

The version check runs on the row locked by `select_for_update`; a writer held up inside its transaction (the
timeline event is slowed down here) makes the other wait for the lock and then see the new version. On SQLite
(IMMEDIATE transactions: one writer at a time) and its shared in-memory test database, concurrent writers
fail with "database table is locked" rather than wait, so this test runs on PostgreSQL (DATABASE_URL).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from reintegra.access.roles import Role
from reintegra.cases import services
from reintegra.conftest import _english_outside_requests  # noqa: F401 - English outside requests
from reintegra.testing import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent writers: run with DATABASE_URL on PostgreSQL"
    ),
]


def _client(user: Any) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def test_two_simultaneous_plan_puts(monkeypatch: pytest.MonkeyPatch) -> None:
    org = factories.organisation("oim-mx", country="MX")
    team = factories.team(org, "Equipo")
    users = [factories.user(org, Role.CASE_MANAGER, team=team, username=f"gestor{i}") for i in range(2)]
    case = factories.assessed_case(users[0])
    services.save_plan(
        users[0],
        case,
        goals="",
        motivations="",
        items=[services.PlanItemInput(dimension="economic", approach="Empleo", assistance_form="service")],
    )
    url = f"/api/v1/cases/{case.pk}/plan/"
    read = _client(users[0]).get(url)
    etag, items = read["ETag"], read.json()["items"]

    event = services._event

    def slow_event(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.5)  # inside the writer's transaction, after its version check
        return event(*args, **kwargs)

    monkeypatch.setattr(services, "_event", slow_event)
    start = threading.Barrier(2)
    answers: dict[str, int] = {}

    def put(user: Any, approach: str) -> None:
        try:
            body = {"items": [*items, {"dimension": "social", "approach": approach, "assistance_form": "service"}]}
            start.wait()
            answers[approach] = _client(user).put(url, body, format="json", HTTP_IF_MATCH=etag).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=put, args=(user, f"Apoyo {i}")) for i, user in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(answers.values()) == [200, 412], answers
    winner = next(approach for approach, code in answers.items() if code == 200)
    assert sorted(case.plan.items.values_list("approach", flat=True)) == sorted(["Empleo", winner])
    case.plan.refresh_from_db()
    assert case.plan.revision == 2
