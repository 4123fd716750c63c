"""Data minimisation end to end: a field the SOP does not list never reaches the provider, in the portal
page, the API detail and list. Values of every other attribute are searched for in the full responses."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from reintegra.cases.models import Returnee
from reintegra.referrals import services

SECRET_VALUES = {
    "phone": "+502 5555 0199",
    "address": "Calle Escondida 42",
    "languages": "k'iche'",
    "locality": "Aldea Xecaracoj",
}


@pytest.fixture
def sent(world):
    Returnee.objects.filter(pk=world.case.returnee_id).update(**SECRET_VALUES)
    world.case.returnee.refresh_from_db()
    world.consent()
    return services.send_referral(world.manager, world.referral())


def _leaks(text: str, world) -> list[str]:
    found = [v for v in SECRET_VALUES.values() if v in text]
    returnee = world.case.returnee
    if returnee.birth_date and returnee.birth_date.isoformat() in text:
        found.append("birth_date")
    return found


def test_portal_page_shows_only_sop_fields(world, sent):
    client = Client()
    client.force_login(world.provider_user)
    response = client.get(reverse("referrals:detail", args=[sent.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.case.returnee.full_name in html  # listed by the SOP
    assert world.case.case_number in html
    assert _leaks(html, world) == []


def test_api_detail_and_list_show_only_sop_fields(world, sent):
    client = APIClient()
    client.force_authenticate(world.provider_user)
    detail = client.get(f"/api/v1/referrals/{sent.pk}/")
    assert detail.status_code == 200
    assert [f["code"] for f in detail.json()["returnee"]] == ["case_number", "full_name", "age", "referral_reason"]
    assert "case" not in detail.json() and "reason" not in detail.json()
    listing = client.get("/api/v1/referrals/")
    for text in (detail.content.decode(), listing.content.decode()):
        assert _leaks(text, world) == []


def test_provider_b_gets_404(world, sent):
    client = APIClient()
    client.force_authenticate(world.other_provider_user)
    assert client.get(f"/api/v1/referrals/{sent.pk}/").status_code == 404
    assert client.get("/api/v1/referrals/").json()["count"] == 0
    web = Client()
    web.force_login(world.other_provider_user)
    assert web.get(reverse("referrals:detail", args=[sent.pk])).status_code == 404


def test_api_loop_and_consent_refusal(world):
    client = APIClient()
    client.force_authenticate(world.manager)
    created = client.post(
        "/api/v1/referrals/",
        {"case": world.case.pk, "service": world.service.pk, "priority": "urgent", "reason": "Empleo"},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    refused = client.post(f"/api/v1/referrals/{pk}/send/", {}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "consent_required"
    assert refused.json()["detail"]  # the project's error body, like every other 403
    world.consent()
    assert client.post(f"/api/v1/referrals/{pk}/send/", {}, format="json").json()["status"] == "sent"
    provider = APIClient()
    provider.force_authenticate(world.provider_user)
    too_early = provider.post(f"/api/v1/referrals/{pk}/outcome/", {"outcome": "no_show"}, format="json")
    # A step the status does not allow: the platform's TransitionError, 400 with its code.
    assert (too_early.status_code, too_early.json()["code"]) == (400, "invalid_transition")
    assert too_early.json()["detail"]
    assert provider.post(f"/api/v1/referrals/{pk}/accept/", {}, format="json").json()["status"] == "accepted"
    done = provider.post(f"/api/v1/referrals/{pk}/outcome/", {"outcome": "no_show"}, format="json")
    assert done.json()["status"] == "no_show"
    closed = client.post(f"/api/v1/referrals/{pk}/close/", {"satisfaction": 2}, format="json")
    assert closed.json()["status"] == "closed"


def test_recommendations_and_directory_filters(world):
    client = APIClient()
    client.force_authenticate(world.manager)
    recs = client.get(f"/api/v1/cases/{world.case.pk}/service-recommendations/?dimension=economic")
    assert recs.status_code == 200
    assert {r["service"]["id"] for r in recs.json()} == {world.service.pk, world.other_service.pk}
    assert client.get("/api/v1/services/?dimension=social").json()["count"] == 0
    assert client.get("/api/v1/services/?dimension=economic&age=30").json()["count"] == 2
