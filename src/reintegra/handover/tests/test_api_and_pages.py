from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from reintegra.access.roles import Role
from reintegra.handover.choices import HandOverStatus
from reintegra.handover.models import HandOver
from reintegra.handover.tests.conftest import World, consent, sent
from reintegra.testing import factories

pytestmark = pytest.mark.django_db


def api_for(user: object) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def test_create_send_and_accept_through_the_api(world: World) -> None:
    sender = api_for(world.sender)
    body = {
        "case": world.case.pk,
        "recipient_organisation": world.other_org.pk,
        "framework": world.framework.pk,
        "recipient_party": world.party.pk,
        "reason": "Seguimiento en Guatemala",
    }
    created = sender.post("/api/v1/handovers/", body, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    refused = sender.post(f"/api/v1/handovers/{pk}/send/")
    assert refused.status_code == 403 and refused.json()["code"] == "cross_border_consent_required"
    consent(world.case, world.other_org, world.sender)
    assert sender.post(f"/api/v1/handovers/{pk}/send/").json()["status"] == "received"
    recipient = api_for(world.recipient)
    inbox = recipient.get("/api/v1/handovers/").json()
    assert [h["id"] for h in inbox] == [pk]
    answer = recipient.post(f"/api/v1/handovers/{pk}/accept/", {}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "accepted"


def test_field_errors_have_codes(world: World) -> None:
    response = api_for(world.sender).post(
        "/api/v1/handovers/",
        {
            "case": world.case.pk,
            "recipient_organisation": world.other_org.pk,
            "framework": world.framework.pk,
            "recipient_party": 999999,
            "reason": "",
        },
        format="json",
    )
    assert response.status_code == 400
    codes = {(e["field"], e["code"]) for e in response.json()["errors"]}
    assert codes == {("reason", "required"), ("recipient_party", "invalid_choice")}


def test_other_organisations_see_nothing(world: World) -> None:
    handover = sent(world)
    outsider = factories.user(factories.organisation("ajena", country="HN"), Role.SUPERVISOR)
    client = api_for(outsider)
    assert client.get("/api/v1/handovers/").json() == []
    assert client.get(f"/api/v1/handovers/{handover.pk}/").status_code == 404
    assert client.post(f"/api/v1/handovers/{handover.pk}/accept/", {}, format="json").status_code == 404
    assert client.post(f"/api/v1/handovers/{handover.pk}/revoke/").status_code == 404
    # The recipient sees it but may not revoke it; the sender may not accept it.
    assert api_for(world.recipient).post(f"/api/v1/handovers/{handover.pk}/revoke/").status_code == 403
    assert api_for(world.sender).post(f"/api/v1/handovers/{handover.pk}/accept/", {}, format="json").status_code == 403
    assert HandOver.objects.get(pk=handover.pk).status == HandOverStatus.RECEIVED


def test_drafts_are_not_in_the_recipients_inbox(world: World) -> None:
    from reintegra.handover import services

    services.create_handover(world.sender, world.case, world.handover_input())
    assert api_for(world.recipient).get("/api/v1/handovers/").json() == []


def test_inbox_endpoint_answers_codes_without_a_session(world: World) -> None:
    client = APIClient()
    response = client.post("/api/v1/handovers/inbox/", data="x.y.z.w.v", content_type="application/jose")
    assert response.status_code == 400 and response.json()["code"] == "cannot_decrypt"
    response = client.post("/api/v1/handovers/inbox/", data="nonsense", content_type="application/jose")
    assert response.status_code == 400 and response.json()["code"] == "malformed"


def test_inbox_is_rate_limited_per_address(world: World, settings: object) -> None:
    from rest_framework.settings import api_settings
    from rest_framework.throttling import ScopedRateThrottle

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "handover_inbox": "3/min"}
    ScopedRateThrottle.THROTTLE_RATES = rates  # DRF reads the rates once, at import
    try:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="es")
        codes = [
            client.post("/api/v1/handovers/inbox/", data="nonsense", content_type="application/jose") for _ in range(4)
        ]
        assert [r.status_code for r in codes] == [400, 400, 400, 429]
        refused = codes[-1]
        assert refused.json()["code"] == "throttled" and int(refused["Retry-After"]) >= 1
        assert refused.json()["detail"].startswith("Demasiadas solicitudes")
        other = APIClient(REMOTE_ADDR="10.9.8.7")
        answer = other.post("/api/v1/handovers/inbox/", data="nonsense", content_type="application/jose")
        assert answer.status_code == 400  # another address is not limited
    finally:
        ScopedRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


def test_partners_need_a_programme_manager(world: World) -> None:
    response = api_for(world.sender).post("/api/v1/partners/", {}, format="json")
    assert response.status_code == 403
    manager = factories.user(world.org, Role.PROGRAMME_MANAGER)
    response = api_for(manager).post(
        "/api/v1/partners/",
        {
            "name": "",
            "base_url": "ftp://x",
            "public_jwks": {"keys": []},
            "framework": world.framework.pk,
            "organisation": world.other_org.pk,
            "remote_organisation_code": "ong-gt",
        },
        format="json",
    )
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"name", "base_url", "public_jwks"}


def test_pages(world: World, client: object) -> None:
    handover = sent(world)
    client.force_login(world.recipient)  # type: ignore[attr-defined]
    page = client.get("/traspasos/", HTTP_ACCEPT_LANGUAGE="es")  # type: ignore[attr-defined]
    assert page.status_code == 200 and "Traspasos recibidos" in page.content.decode()
    detail = client.get(f"/traspasos/{handover.pk}/", HTTP_ACCEPT_LANGUAGE="es")  # type: ignore[attr-defined]
    assert detail.status_code == 200 and world.case.returnee.first_family_name in detail.content.decode()
    declined = client.post(f"/traspasos/{handover.pk}/", {"step": "decline", "reason": ""})  # type: ignore[attr-defined]
    assert declined.status_code == 200
    declined = client.post(f"/traspasos/{handover.pk}/", {"step": "decline", "reason": "Sin cupo"})  # type: ignore[attr-defined]
    assert declined.status_code == 302
    assert HandOver.objects.get(pk=handover.pk).status == HandOverStatus.DECLINED
    client.force_login(world.sender)  # type: ignore[attr-defined]
    assert client.get(f"/traspasos/caso/{world.case.pk}/nuevo/").status_code == 200  # type: ignore[attr-defined]
    assert client.get("/traspasos/enviados/").status_code == 200  # type: ignore[attr-defined]
    assert client.get("/traspasos/instalaciones/").status_code == 200  # type: ignore[attr-defined]
    outsider = factories.user(factories.organisation("ajena2", country="HN"), Role.SUPERVISOR)
    client.force_login(outsider)  # type: ignore[attr-defined]
    assert client.get(f"/traspasos/{handover.pk}/").status_code == 404  # type: ignore[attr-defined]
