"""Permission matrix of every manifest-import route, for every role × whose import it is, computed from
ROLE_CAPABILITIES: Capability.IMPORT_MANIFESTS, and only the user's organisation's imports, reviews and tasks
exist (another organisation's answer 404)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from reintegra.access.roles import ROLE_CAPABILITIES, Capability, Role
from reintegra.reception.manifest_models import ManifestMapping, ManifestReview
from reintegra.reception.tests.manifest_helpers import COLUMNS, Desk, desk, manifest, row, start
from reintegra.testing import factories as f
from reintegra.testing.routes import routes_of_app

__all__ = ["desk"]

# (route name, method) -> (the route reads a record of an organisation, the answer when allowed)
MATRIX = {
    ("manifests:list", "GET"): (False, 200),
    ("manifests:new", "GET"): (False, 200),
    ("manifests:new", "POST"): (False, 302),
    ("manifests:detail", "GET"): (True, 200),
    ("manifests:review", "GET"): (True, 200),
    ("manifests:review-decide", "POST"): (True, 302),
    ("manifests:mapping-new", "GET"): (False, 200),
    ("manifests:mapping-new", "POST"): (False, 302),
    ("manifests:mapping-edit", "GET"): (True, 200),
    ("manifests:mapping-edit", "POST"): (True, 302),
    ("api:arrivals-import", "POST"): (False, 202),
    ("api:task", "GET"): (True, 200),
    ("api:manifest-mappings", "GET"): (False, 200),
    ("api:manifest-mapping", "GET"): (True, 200),
    ("api:manifest-mapping", "PUT"): (True, 200),
}


def test_every_route_has_a_row() -> None:
    exposed = {
        (name, method)
        for prefix in ("reintegra.reception.manifest_views", "reintegra.reception.manifest_api")
        for name, methods in routes_of_app(prefix).items()
        for method in methods
    }
    assert exposed == set(MATRIX)


def _pending_review(desk: Desk) -> ManifestReview:
    existing = f.returnee(desk.manager, birth_date=None, estimated_age=36)
    record = start(desk, manifest(row(born="", age="36")))
    assert existing.pk
    return ManifestReview.objects.get(manifest_import=record)


def _request(client, name: str, method: str, desk: Desk, review: ManifestReview, n: int):  # type: ignore[no-untyped-def]
    record = review.manifest_import
    args = {
        "manifests:detail": [record.pk],
        "manifests:review": [record.pk],
        "manifests:review-decide": [review.pk],
        "api:task": [record.task_id],
        "manifests:mapping-edit": [desk.mapping.pk],
        "api:manifest-mapping": [desk.mapping.pk],
    }.get(name, [])
    url = reverse(name, args=args)
    if method == "GET":
        return client.get(url)
    upload = SimpleUploadedFile(f"lista-{n}.csv", manifest(row(given=f"Persona {n}")), content_type="text/csv")
    if name == "manifests:new":
        return client.post(url, {"file": upload, "point": desk.point.pk, "mapping": desk.mapping.pk})
    if name == "api:arrivals-import":
        data = {"file": upload, "point": desk.point.pk, "mapping": desk.mapping.pk}
        return client.post(url, data, format="multipart")
    if name == "manifests:review-decide":
        return client.post(url, {"decision": "distinct"})
    version = ManifestMapping.objects.get(pk=desk.mapping.pk).revision  # the version the editor read
    if name == "api:manifest-mapping":  # the same columns: the imports that follow still read the file
        body = {"name": f"Lista {n}", "columns": COLUMNS, "return_type": "forced"}
        return client.put(url, body, format="json", HTTP_IF_MATCH=f'"{version}"')
    if name == "manifests:mapping-edit":
        data = {
            "revision": version,
            "name": f"Lista {n}",
            "header": json.dumps(list(COLUMNS.values())),
            "date_format": "dmy",
            "letter_m": "female",
            "document_type": "passport",
            "means": "flight",
            "return_type": "forced",
        }
        return client.post(url, {**data, **{f"col_{field}": column for field, column in COLUMNS.items()}})
    return client.post(
        url,
        {
            "name": f"Lista {n}",
            "header": '["Nombres", "Apellidos"]',
            "date_format": "dmy",
            "letter_m": "female",
            "document_type": "passport",
            "means": "bus",
            "return_type": "forced",
            "col_given_names": "Nombres",
            "col_family_names": "Apellidos",
        },
    )


# An upload naming another organisation's reception point and mapping is refused on those fields.
REFUSED_POINT = {"manifests:new": 200, "api:arrivals-import": 400}


def expected(name: str, role: Role, own: bool, reads_record: bool, allowed: int) -> int:
    if Capability.IMPORT_MANIFESTS not in ROLE_CAPABILITIES[role]:
        return 403
    if reads_record and not own:
        return 404
    if name in REFUSED_POINT and not own:
        return REFUSED_POINT[name]
    return allowed


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_anonymous(route: tuple[str, str], desk: Desk) -> None:
    name, method = route
    client = APIClient() if name.startswith("api:") else Client()
    response = _request(client, name, method, desk, _pending_review(desk), 0)
    assert response.status_code == (401 if name.startswith("api:") else 302)


@pytest.mark.parametrize("own", [True, False], ids=["own", "other"])
@pytest.mark.parametrize("role", list(Role))
def test_role_and_organisation(role: Role, own: bool, desk: Desk) -> None:
    user = f.user(desk.org if own else desk.other_org, role)
    web, api = Client(), APIClient()
    web.force_login(user)
    api.force_authenticate(user)
    review = _pending_review(desk)
    for n, ((name, method), (reads_record, allowed)) in enumerate(sorted(MATRIX.items())):
        client = api if name.startswith("api:") else web
        response = _request(client, name, method, desk, review, n)
        assert response.status_code == expected(name, role, own, reads_record, allowed), (name, method, role, own)
