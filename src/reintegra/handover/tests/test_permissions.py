"""Permission matrix of every hand-over route, for every role × relation to a hand-over sent from
organisation A (the sender) to organisation B (the recipient), C being a third organisation. The expected
answer is computed from ROLE_CAPABILITIES and the app's rule:

- pages and lists: anyone who works on cases (EDIT_CASES or VIEW_ORGANISATION_CASES); the API answers 403
  before any lookup without one of them, a page hides the object (404);
- a hand-over is seen by the sender organisation's users who see the case (organisation-wide roles here:
  the case belongs to another team) and by the recipient organisation's case workers; anyone else: 404;
- send / revoke: the sender side with EDIT_CASES; accept / decline: the recipient side with EDIT_CASES
  (the other side: 403); partners: registered by programme managers (MANAGE_PROGRAMME).

Writes are checked where they must be refused (nothing changes then); the permitted writes are done in
test_services / test_api_and_pages. The inbox and the installation's public keys take no user."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from reintegra.access.roles import ROLE_CAPABILITIES, Capability, Role
from reintegra.handover import package, services
from reintegra.handover.models import Delivery, HandOver, PartnerInstallation
from reintegra.handover.tests.conftest import consent, framework_for
from reintegra.testing import factories
from reintegra.testing.routes import routes_of_app

pytestmark = pytest.mark.django_db
C = Capability
SENDER, RECIPIENT, OUTSIDER = "sender", "recipient", "outsider"
WORK = {C.EDIT_CASES, C.VIEW_ORGANISATION_CASES}

# (route, method) -> (kind, object): kind decides the rule below; object: what the URL takes.
MATRIX: dict[tuple[str, str], tuple[str, str]] = {
    ("handover:inbox", "GET"): ("list", ""),
    ("handover:outbox", "GET"): ("list", ""),
    ("handover:partners", "GET"): ("list", ""),
    ("handover:partners", "POST"): ("partner_write", ""),
    ("handover:detail", "GET"): ("read", "handover"),
    ("handover:detail", "POST"): ("recipient_write", "handover"),
    ("handover:package", "GET"): ("package", "handover"),
    ("handover:create", "GET"): ("create", "case"),
    ("handover:create", "POST"): ("create", "case"),
    ("handover:upload", "POST"): ("upload", ""),
    ("handover:retry", "POST"): ("retry", "delivery"),
    ("api:handovers", "GET"): ("api_list", ""),
    ("api:handovers", "POST"): ("create", ""),  # the case is in the body
    ("api:handover", "GET"): ("api_read", "handover"),
    ("api:handover-send", "POST"): ("sender_write", "handover"),
    ("api:handover-revoke", "POST"): ("sender_write", "handover"),
    ("api:handover-accept", "POST"): ("recipient_write", "handover"),
    ("api:handover-decline", "POST"): ("recipient_write", "handover"),
    ("api:handover-package", "GET"): ("package", "handover"),
    ("api:handovers-inbox", "POST"): ("public", ""),
    ("api:handovers-installation", "GET"): ("public", ""),
    ("api:handovers-upload", "POST"): ("upload", ""),
    ("api:handovers-deliveries", "GET"): ("edit_list", ""),
    ("api:handovers-delivery-retry", "POST"): ("retry", "delivery"),
    ("api:partners", "GET"): ("api_list", ""),
    ("api:partners", "POST"): ("partner_write", ""),
    ("api:partner", "GET"): ("partner_read", "partner"),
}


def test_every_route_has_a_row() -> None:
    exposed = {(name, m) for name, methods in routes_of_app("reintegra.handover").items() for m in methods}
    assert exposed == set(MATRIX)


def _works(role: Role) -> bool:
    return bool(ROLE_CAPABILITIES[role] & WORK)


def _sees(role: Role, relation: str) -> bool:
    caps = ROLE_CAPABILITIES[role]
    if relation == SENDER:
        return C.VIEW_ORGANISATION_CASES in caps
    return relation == RECIPIENT and _works(role)


def expected(kind: str, role: Role, relation: str, is_api: bool, method: str = "GET") -> str:  # noqa: C901 (one table)
    caps = ROLE_CAPABILITIES[role]
    edit = C.EDIT_CASES in caps
    if kind == "public":
        return "allowed"
    if kind in ("list", "api_list"):
        return "allowed" if _works(role) else "403"
    if kind == "edit_list":
        return "allowed" if edit else "403"
    if kind in ("read", "api_read"):
        if is_api and not _works(role):
            return "403"
        return "allowed" if _sees(role, relation) else "404"
    if kind == "package":
        if is_api and not edit:
            return "403"
        # Only the sender side has a package to carry (this hand-over is local: none, 404 for everyone).
        return "404"
    if kind in ("sender_write", "recipient_write"):
        if not edit:
            return "403"
        if not _sees(role, relation):
            return "404"
        side = SENDER if kind == "sender_write" else RECIPIENT
        return "allowed" if relation == side else "403"
    if kind == "create":
        # The case is A's, of another team: only organisation-wide roles of A see it. A write is refused
        # before the lookup without EDIT_CASES; the form page looks the case up first.
        sees_case = relation == SENDER and C.VIEW_ORGANISATION_CASES in caps
        if is_api or method == "POST":
            return "403" if not edit else ("allowed" if sees_case else "404")
        return "404" if not sees_case else ("allowed" if edit else "403")
    if kind == "upload":
        return "allowed" if edit else "403"
    if kind == "retry":
        if not edit:
            return "403"
        return "allowed" if relation == SENDER and C.VIEW_ORGANISATION_CASES in caps else "404"
    if kind == "partner_write":
        return "allowed" if C.MANAGE_PROGRAMME in caps else "403"
    if kind == "partner_read":
        if not _works(role):
            return "403"
        return "allowed" if relation == SENDER else "404"
    raise AssertionError(kind)


def _world() -> dict[str, Any]:
    a = factories.organisation("org-a", country="MX")
    b = factories.organisation("org-b", country="GT")
    c = factories.organisation("org-c", country="HN")
    owner = factories.user(a, Role.CASE_MANAGER, team=factories.team(a, "Equipo casos"), username="titular")
    case = factories.case(owner)
    framework, party = framework_for(a, ["returnee_profiles", "origin_situation"])
    consent(case, b, owner)
    draft = services.create_handover(
        owner, case, services.HandOverInput(framework, party, "Seguimiento", recipient_organisation=b)
    )
    handover = services.send_handover(owner, draft)
    _priv, public = package.generate_keys()
    partner = PartnerInstallation.objects.create(
        name="Socia",
        base_url="http://127.0.0.1:9",
        public_jwks=public,
        sender_id=package.installation_id(public),
        framework=framework,
        organisation=b,
        remote_organisation_code="org-b",
        owner=a,
        registered_by=owner,
    )
    remote = HandOver.objects.create(
        case=case, sending_organisation=a, sender_name=a.name, recipient_organisation=b, partner=partner, status="sent"
    )
    delivery = Delivery.objects.create(handover=remote, partner=partner, token="x.y.z.w.v", status="failed")
    users = {
        (role, relation): factories.user(org, role, username=f"{relation}-{role}")
        for role in Role
        for relation, org in ((SENDER, a), (RECIPIENT, b), (OUTSIDER, c))
    }
    return {"handover": handover, "case": case, "delivery": delivery, "partner": partner, "users": users}


def _url(name: str, obj: str, world: dict[str, Any]) -> str:
    return reverse(name, args=[world[obj].pk]) if obj else reverse(name)


def _outcome(status: int) -> str:
    if status in (403, 404):
        return str(status)
    assert status < 500, status
    return "allowed"


@pytest.mark.parametrize(("name", "method"), sorted(MATRIX), ids=lambda v: str(v))
def test_matrix(name: str, method: str) -> None:
    kind, obj = MATRIX[(name, method)]
    world = _world()
    is_api = name.startswith("api:")
    url = _url(name, obj, world)
    before = HandOver.objects.get(pk=world["handover"].pk).status
    for (role, relation), user in world["users"].items():
        want = expected(kind, role, relation, is_api, method)
        if method != "GET" and want == "allowed" and kind != "public":
            continue  # permitted writes are exercised in the service and API tests
        if is_api:
            client: Any = APIClient()
            client.force_authenticate(user)
            body = {"case": world["case"].pk, "recipient_party": 1, "reason": "x"} if name == "api:handovers" else {}
            response = getattr(client, method.lower())(url, body, format="json")
        else:
            client = Client()
            client.force_login(user)
            response = client.get(url) if method == "GET" else client.post(url, {"step": "decline", "reason": "x"})
        got = _outcome(response.status_code)
        assert got == want, f"{method} {name} as {role} ({relation}): {response.status_code}, expected {want}"
    assert HandOver.objects.get(pk=world["handover"].pk).status == before
