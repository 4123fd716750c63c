"""Schemathesis against the live schema: 0 server errors and 0 answers that contradict the schema.

The schema is loaded from the running application (`reintegra.wsgi.application`, in-process, no server) and
every operation is fuzzed for three roles (case manager, programme manager, service provider), each
with its own API token, over the demo world (`reintegra demo` data: cases, referrals, structural records,
the regional catalogue). Generation is deterministic (Hypothesis derandomized, fixed budgets): a few
examples per operation and role, positive (valid per the schema) and negative (invalid) data.

Path parameters are ids the role can see (taken from the API's own lists), so the fuzzing reaches the
objects rather than only answering 404s. Checks: no 5xx, status code documented, content type documented,
body conforms to the documented schema. The number of requests made is printed.
"""

import contextlib
import io
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import HypothesisException
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from reintegra.demo.site import DEMO_PASSWORD

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ROLES = {"case_manager": "gestora", "programme_manager": "gerente", "service_provider": "proveedor"}
# Examples per operation and role: with about 125 operations, a few hundred requests per role.
POSITIVE_EXAMPLES = 2
NEGATIVE_EXAMPLES = 1


def _token(client: Any, username: str) -> str:
    response = client.post(
        "/api/v1/auth/token/", {"username": username, "password": DEMO_PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _known_ids(client: Any, headers: dict[str, str], schema: dict[str, Any]) -> dict[str, str]:
    """Collection path ("/api/v1/cases/") → an id (or code) the role sees, from the API's own lists."""
    known: dict[str, str] = {}
    for path, operations in schema["paths"].items():
        if "get" in operations and "{" not in path:
            found = _first_id(client, headers, path)
            if found:
                known[path] = found
    for path in schema["paths"]:
        # Nested collections (a case's assessments), once the parent's id is known.
        if path.count("{") == 1 and path.endswith("/") and "get" in schema["paths"][path]:
            parent = path.split("{")[0]
            if parent in known:
                concrete = path.replace(path[path.index("{") : path.index("}") + 1], known[parent])
                found = _first_id(client, headers, concrete)
                if found:
                    known[path] = found
    return known


def _first_id(client: Any, headers: dict[str, str], path: str) -> str | None:
    """The id (or code) of the first row a list answers, if it answers one."""
    response = client.get(path, headers=headers)
    if response.status_code != 200 or response.get("Content-Type") != "application/json":
        return None
    body = response.json()
    rows = body.get("results", []) if isinstance(body, dict) else body
    for row in rows:
        if isinstance(row, dict) and ("id" in row or "code" in row):
            return str(row.get("id", row.get("code")))
    return None


def _path_parameters(path: str, known: dict[str, str]) -> dict[str, str]:
    """Fixed path parameters for an operation: the ids of visible objects where known."""
    fixed: dict[str, str] = {}
    prefix = ""
    for segment in path.strip("/").split("/"):
        if segment.startswith("{"):
            name = segment[1:-1]
            value = known.get("/" + prefix)
            if value is None:
                return {}
            fixed[name] = value
        prefix += segment + "/"
    return fixed


def _fuzz(operation: Any, mode: Any, examples: int, headers: dict[str, str], path_parameters: dict[str, str]) -> Any:
    requests: Counter[str] = Counter()
    failures: list[str] = []
    strategy = operation.as_strategy(generation_mode=mode, headers=headers, path_parameters=path_parameters or None)

    @given(case=strategy)
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        response = case.call(headers=headers)
        requests[str(response.status_code)] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:  # collected, reported at the end
            body = response.content[:300].decode("utf-8", "replace") if response.content else ""
            titles = "; ".join(sorted({failure.title for failure in group.exceptions}))
            url = response.request.url if response.request is not None else ""
            failures.append(f"{operation.label} [{mode}] {url} → {response.status_code} {titles}: {body}")

    # Nothing to generate for this mode is not a failure (e.g. invalid data for an operation without inputs).
    with contextlib.suppress(HypothesisException):
        run()
    return requests, failures


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo world, built once for the three roles inside a transaction rolled back after the last of them: each
    role's test runs in a savepoint of its own (django_db), so what one role's fuzzing writes is gone for the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", no_serve=True, cases=30, seed=2024, stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@contextlib.contextmanager
def keeping_the_test_connection() -> Any:
    """Requests sent to the WSGI application itself would close the test's database connection when they
    start and end (inside the test's transaction, PostgreSQL then loses it): as Django's test client does,
    leave the connection alone meanwhile. (The test client connects the handler again after each request.)"""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(ROLES))
def test_api_conforms_to_its_schema_under_fuzzing(world: None, client: Any, role: str, record_property: Any) -> None:
    from reintegra.wsgi import application

    cache.clear()  # the token endpoint is throttled per address
    headers = {"Authorization": f"Token {_token(client, ROLES[role])}"}
    with keeping_the_test_connection():
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    raw = schema.raw_schema
    known = _known_ids(client, headers, raw)

    statuses: Counter[str] = Counter()
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        fixed = _path_parameters(operation.path, known)
        budgets = [(schemathesis.GenerationMode.POSITIVE, POSITIVE_EXAMPLES)]
        if len(operation.query) or len(operation.body):
            # Invalid data needs an input to be invalid in (the path parameters are fixed ids).
            budgets.append((schemathesis.GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES))
        for mode, examples in budgets:
            with keeping_the_test_connection():
                requests, found = _fuzz(operation, mode, examples, headers, fixed)
            statuses.update(requests)
            failures += found
        cache.clear()  # keep the token endpoint's throttle from answering every later example

    total = sum(statuses.values())
    print(
        f"\nschemathesis[{role}]: {operations} operations, {total} requests, statuses {dict(sorted(statuses.items()))}"
    )
    assert operations > 100 and total >= 2 * operations
    assert not failures, f"{len(failures)} failing requests:\n" + "\n\n".join(failures[:25])
