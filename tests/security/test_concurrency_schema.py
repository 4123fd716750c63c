"""Issue 10, item 6: the OpenAPI schema documents optimistic concurrency on every edit — If-Match on each
PUT/PATCH (and the create-or-revise POST of the plan), the ETag of the reads, and the 412/428 answers.
A new edit endpoint without it fails here."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

# Records created by their first write: If-Match may be left out while they do not exist.
CREATED_ON_FIRST_WRITE = {
    "/api/v1/cases/{id}/household/",
    "/api/v1/cases/{id}/plan/",
    "/api/v1/cases/{id}/reunification-assessment/",  # tracing
    # core (children): the child's profile and the determination are created by their first PUT.
    "/api/v1/cases/{id}/child-profile/",
    "/api/v1/cases/{id}/best-interests-determination/",
}
CREATED_ON_FIRST_WRITE |= {"/api/v1/cases/{id}/child-closure-checklist/"}  # child plan
CREATED_ON_FIRST_WRITE |= {"/api/v1/programmes/{id}/child-protection-settings/"}  # a programme's BIA deadlines
CREATED_ON_FIRST_WRITE |= {"/api/v1/cases/{id}/jobseeker/"}  # employment: the jobseeker profile


@pytest.fixture(scope="module")
def schema(django_db_blocker: Any) -> dict[str, Any]:
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def _header(operation: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((p for p in operation.get("parameters", []) if p["in"] == "header" and p["name"] == name), None)


def _edits(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in ("put", "patch") or (method == "post" and path in CREATED_ON_FIRST_WRITE):
                found.append((path, method, operation))
    return found


def test_every_edit_documents_if_match_and_its_answers(schema: dict[str, Any]) -> None:
    edits = _edits(schema)
    assert len(edits) >= 20  # returnees, cases, plan, household, assessments, directory, structural, regional...
    for path, method, operation in edits:
        where = f"{method.upper()} {path}"
        if_match = _header(operation, "If-Match")
        assert if_match is not None, where
        assert if_match.get("required", False) is (path not in CREATED_ON_FIRST_WRITE), where
        assert "412" in operation["responses"], where
        assert "428" in operation["responses"], where
        stale = operation["responses"]["412"]["content"]["application/json"]["schema"]["$ref"]
        assert stale.endswith("/Stale"), where
        success = next(code for code in ("200", "201") if code in operation["responses"])
        assert "ETag" in operation["responses"][success].get("headers", {}), where


def test_reads_of_editable_records_document_the_etag(schema: dict[str, Any]) -> None:
    for path, method, _operation in _edits(schema):
        read = schema["paths"][path].get("get")
        assert read is not None, f"{method.upper()} {path} has no read to take the ETag from"
        assert "ETag" in read["responses"]["200"].get("headers", {}), path


def test_state_changes_take_an_optional_if_match(schema: dict[str, Any]) -> None:
    for path in ("/api/v1/cases/{id}/assign/", "/api/v1/cases/{id}/plan/agree/"):
        operation = schema["paths"][path]["post"]
        if_match = _header(operation, "If-Match")
        assert if_match is not None and not if_match.get("required", False), path
        assert "412" in operation["responses"], path
