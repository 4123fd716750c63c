"""Permission matrix of the public app: every role (and anonymous) × every route × the object's organisation.

The portal's routes (/info/, /api/v1/public/) answer everyone alike, anonymous included. The staff routes
follow `testing.matrix`: without the row's capability 403 before any lookup, another organisation's record
404, otherwise the row's success. Sensitive feedback has its own matrix below: only the feedback focal
point sees it; every other role, supervisors included, gets 404 (or 403 without a feedback capability)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from reintegra.access.models import Programme
from reintegra.access.roles import ROLE_CAPABILITIES, Capability, Role
from reintegra.places.models import AdminArea
from reintegra.public import services
from reintegra.referrals import services as referral_services
from reintegra.testing import factories as f
from reintegra.testing.matrix import OTHER, OWN, Row, answer, cells, expected
from reintegra.testing.routes import routes_of_app

C = Capability
PUBLIC: frozenset[Capability] = frozenset()  # the portal: no capability, no login
FEED = frozenset({C.HANDLE_FEEDBACK, C.HANDLE_SENSITIVE_FEEDBACK})
RECORD = frozenset({C.HANDLE_FEEDBACK})
PUB = frozenset({C.PUBLISH_INFORMATION})
DASH = FEED | {C.VIEW_AGGREGATES}


def _feedback(w: Any) -> dict[str, Any]:
    return {"programme": w.programme.pk, "kind": "question", "channel": "phone", "text": "¿Cuándo abren?"}


def _guide(w: Any) -> dict[str, Any]:
    return {
        "programme": w.programme.pk,
        "country": "GT",
        "topic": "health",
        "title": "Salud",
        "body": "Centro de salud",
    }


def _settings(w: Any) -> dict[str, Any]:
    return {
        "is_listed": "on",
        "summary": "Apoyo",
        "eligibility": "Retornados",
        "acknowledge_days": "3",
        "sensitive_acknowledge_days": "1",
        "resolve_days": "30",
        "guide_review_months": "6",
    }


MATRIX: dict[tuple[str, str], Row] = {
    ("public:home", "GET"): Row(PUBLIC),
    ("public:municipality", "GET"): Row(PUBLIC, "municipality"),
    ("public:leaflet", "GET"): Row(PUBLIC, "municipality"),
    ("public:guide", "GET"): Row(PUBLIC, "public_guide"),
    ("public:ask", "GET"): Row(PUBLIC),
    ("public:ask", "POST"): Row(PUBLIC, data=lambda w: {"question": "¿?"}),  # no challenge answered: shown again
    ("public:feedback", "GET"): Row(PUBLIC),
    ("public:feedback", "POST"): Row(PUBLIC, data=lambda w: {"text": "Hola"}),
    ("public:sent", "GET"): Row(PUBLIC, "sent"),
    ("public:follow", "GET"): Row(PUBLIC),
    ("api:public-services", "GET"): Row(PUBLIC, ok=400),  # without its municipality
    ("api:public-guides", "GET"): Row(PUBLIC),
    ("api:public-challenge", "GET"): Row(PUBLIC),
    ("api:public-feedback", "POST"): Row(PUBLIC, ok=400, data=lambda w: {"text": "Hola"}),
    ("api:public-feedback-status", "GET"): Row(PUBLIC, "tracking"),
    ("api:public-information-requests", "POST"): Row(PUBLIC, ok=400, data=lambda w: {"question": "¿?"}),
    ("public_staff:feedback-list", "GET"): Row(FEED),
    ("public_staff:feedback-new", "GET"): Row(RECORD),
    ("public_staff:feedback-new", "POST"): Row(RECORD, ok=302, data=_feedback),
    ("public_staff:feedback", "GET"): Row(FEED, "feedback"),
    ("public_staff:feedback-step", "POST"): Row(FEED, "feedback_step", ok=302, data=lambda w: {"note": "Llamé"}),
    ("public_staff:dashboard", "GET"): Row(DASH),
    ("public_staff:requests", "GET"): Row(PUB),
    ("public_staff:request", "GET"): Row(PUB, "request"),
    ("public_staff:request-step", "POST"): Row(PUB, "request_step", ok=302, data=lambda w: {"answer": "Sí"}),
    ("public_staff:guides", "GET"): Row(PUB),
    ("public_staff:guide-new", "GET"): Row(PUB),
    ("public_staff:guide-new", "POST"): Row(PUB, ok=302, data=_guide),
    ("public_staff:guide", "GET"): Row(PUB, "guide"),
    ("public_staff:guide", "POST"): Row(PUB, "guide", ok=302, data=_guide),
    ("public_staff:guide-reviewed", "POST"): Row(PUB, "guide", ok=302),
    ("public_staff:settings", "GET"): Row(PUB, "programme"),
    ("public_staff:settings", "POST"): Row(PUB, "programme", ok=302, data=_settings),
    ("api:feedback", "GET"): Row(FEED),
    ("api:feedback", "POST"): Row(RECORD, ok=201, data=_feedback),
    ("api:feedback-item", "GET"): Row(FEED, "feedback"),
    ("api:feedback-acknowledge", "POST"): Row(FEED, "feedback", data=lambda w: {"note": "Recibido"}),
    ("api:feedback-note", "POST"): Row(FEED, "feedback", data=lambda w: {"note": "Llamé"}),
    ("api:feedback-respond", "POST"): Row(FEED, "feedback", data=lambda w: {"response": "Abrimos a las 8"}),
    ("api:feedback-close-loop", "POST"): Row(FEED, "responded", data=lambda w: {"how": "Llamada"}),
    ("api:feedback-provider", "POST"): Row(FEED, "feedback", data=lambda w: {"provider": w.provider}),
}


# A case's satisfaction surveys follow the case rules (cases.permissions), not the organisation's feedback:
# a role that reads cases, then a case the user sees (404 otherwise); writing needs EDIT_CASES too.
CASE_READ = frozenset({C.VIEW_ASSIGNED_CASES, C.VIEW_ORGANISATION_CASES})
CASE_ROUTES: dict[tuple[str, str], str] = {
    ("public_staff:case-satisfaction", "GET"): "read",
    ("public_staff:case-satisfaction", "POST"): "write",
    ("api:case-satisfaction-surveys", "GET"): "read",
    ("api:case-satisfaction-surveys", "POST"): "write",
}


def test_every_route_has_a_row() -> None:
    exposed = {(name, m) for name, methods in routes_of_app("reintegra.public").items() for m in methods}
    assert exposed == set(MATRIX) | set(CASE_ROUTES)


def _item(pm: Any, programme: Programme, kind: str = "complaint") -> Any:
    return services.record_feedback(
        pm,
        services.FeedbackInput(
            programme=programme.pk,
            kind=kind,
            concern="safety" if kind == "sensitive" else "",
            channel="phone",
            text="Texto",
        ),
    )


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with django_db_blocker.unblock(), transaction.atomic():
        org = f.organisation("matriz-pub-gt", "GT")
        other = f.organisation("matriz-pub-hn", "HN")
        programme = Programme.objects.get(organisation=org)
        other_programme = Programme.objects.get(organisation=other)
        pm = f.user(org, Role.PROGRAMME_MANAGER)
        other_pm = f.user(other, Role.PROGRAMME_MANAGER)
        muni = AdminArea.objects.create(country="GT", level=2, code="GT-PUB-1", name="Salcajá")
        for p, user in ((programme, pm), (other_programme, other_pm)):
            services.save_settings(user, p, services.SettingsInput(True, "Apoyo", "Retornados", 3, 1, 30, 6))
        own, hidden = _item(pm, programme), _item(other_pm, other_programme)
        own_done, hidden_done = _item(pm, programme), _item(other_pm, other_programme)
        services.respond_feedback(pm, own_done, response="Listo")
        services.respond_feedback(other_pm, hidden_done, response="Listo")
        guide = services.save_guide(pm, None, services.GuideInput(programme.pk, "GT", "health", "Salud", "Texto"))
        other_guide = services.save_guide(
            other_pm, None, services.GuideInput(other_programme.pk, "HN", "health", "Salud", "Texto")
        )
        requests = []
        for p in (programme, other_programme):
            requests.append(
                services.InformationRequest.objects.create(
                    tracking_code=services.new_tracking_code(), programme=p, requester_kind="migrant", question="¿?"
                )
            )
        sensitive = _item(f.user(org, Role.CASE_MANAGER), programme, "sensitive")
        provider = referral_services.save_provider(
            pm, referral_services.ProviderInput(name="Clínica Matriz", organisation_type="ngo", country="GT")
        )
        users = {role: f.user(org, role) for role in Role}
        objects = {
            OWN: {
                "municipality": [muni.pk],
                "public_guide": [guide.pk],
                "sent": ["opinion", own.tracking_code],
                "tracking": [own.tracking_code],
                "feedback": [own.pk],
                "feedback_step": [own.pk, "nota"],
                "responded": [own_done.pk],
                "request": [requests[0].pk],
                "request_step": [requests[0].pk, "responder"],
                "guide": [guide.pk],
                "programme": [programme.pk],
            },
            OTHER: {
                "feedback": [hidden.pk],
                "feedback_step": [hidden.pk, "nota"],
                "responded": [hidden_done.pk],
                "request": [requests[1].pk],
                "request_step": [requests[1].pk, "responder"],
                "guide": [other_guide.pk],
                "programme": [other_programme.pk],
            },
        }
        yield type(
            "World",
            (),
            {
                "users": users,
                "objects": objects,
                "programme": programme,
                "sensitive": sensitive,
                "provider": provider.pk,
            },
        )
        transaction.set_rollback(True)


def _cells() -> list[tuple[str, str, Role | None, str]]:
    """Public rows once per role with the own objects (nobody owns the portal); staff rows as usual."""
    return [c for c in cells(MATRIX) if MATRIX[(c[0], c[1])].needs or c[3] == OWN]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "role", "relation"), _cells())
def test_cell(world: Any, name: str, method: str, role: Role | None, relation: str) -> None:
    row = MATRIX[(name, method)]
    args = world.objects[relation][row.takes] if row.takes else []
    response = answer(world, name, method, row, role, args)
    want = row.ok if not row.needs else expected(role, row, relation, api=name.startswith("api:"))
    assert response.status_code == want, response.content[:300]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, *Role])
def test_sensitive_feedback_only_for_the_focal_point(world: Any, role: Role | None) -> None:
    pk = world.sensitive.pk
    caps = ROLE_CAPABILITIES[role] if role else frozenset()
    for api, url in (
        (False, reverse("public_staff:feedback", args=[pk])),
        (True, reverse("api:feedback-item", args=[pk])),
    ):
        client: Any = APIClient() if api else Client()
        if role is not None:
            client.force_login(world.users[role])
        status = client.get(url).status_code
        if role is None:
            assert status == (401 if api else 302)
        elif role == Role.FEEDBACK_FOCAL_POINT:
            assert status == 200
        elif caps & FEED:
            assert status == 404, role
        else:
            assert status == 403, role
        if role is not None:
            listed = client.get("/api/v1/feedback/") if api else None
            if listed is not None and listed.status_code == 200:
                ids = {row["id"] for row in listed.json()["results"]}
                assert (pk in ids) is (role == Role.FEEDBACK_FOCAL_POINT), role


def _survey() -> dict[str, Any]:
    return {
        "taken_on": timezone.localdate().isoformat(),
        "informed_of_options": "yes",
        "took_part_in_decisions": "yes",
        "confidentiality_respected": "yes",
        "would_recommend": "yes",
    }


def _case_expected(role: Role, rule: str, relation: str) -> int | str:
    caps = ROLE_CAPABILITIES[role]
    if not caps & CASE_READ or (rule == "write" and C.EDIT_CASES not in caps):
        return 403
    return "ok" if relation == "own" else 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_case_satisfaction_matrix(role: Role) -> None:
    org = f.organisation("matriz-sat-gt", "GT")
    other = f.organisation("matriz-sat-hn", "HN")
    user = f.user(org, role)
    maker = user if C.EDIT_CASES in ROLE_CAPABILITIES[role] else f.user(org, Role.CASE_MANAGER)
    cases = {"own": f.case(maker, case_manager=maker).pk, "other_org": f.case(f.user(other, Role.CASE_MANAGER)).pk}
    cases["missing"] = 999_999
    web, api = Client(), APIClient()
    web.force_login(user)
    api.force_authenticate(user)
    failures = []
    for (name, method), rule in CASE_ROUTES.items():
        for relation, pk in cases.items():
            url = reverse(name, args=[pk])
            with transaction.atomic():
                if name.startswith("api:"):
                    response = api.post(url, _survey(), format="json") if method == "POST" else api.get(url)
                else:
                    response = web.post(url, _survey()) if method == "POST" else web.get(url)
                transaction.set_rollback(True)
            wanted = _case_expected(role, rule, relation)
            got = response.status_code
            if (wanted == "ok" and (got in (403, 404) or got >= 500)) or (wanted != "ok" and got != wanted):
                failures.append((name, method, relation, got, wanted))
    assert failures == []
