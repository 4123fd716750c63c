"""Issue 10, item 2: directory takeover across organisations.

An outside probe showed that a programme manager of organisation B could PATCH organisation A's provider
entry with `{"organisation": B}` and from then on receive A's referrals (names, phone, place, needs),
and that any programme manager could change any entry's contact details. The rules now:

- a directory entry (provider, its services and contact persons) is changed only by the organisation
  that maintains it (`ServiceProvider.owner`);
- linking an entry to an organisation on the platform needs that organisation's acceptance;
- the organisation that receives a referral is fixed when the referral is sent.

The tests go through the API and the pages as the probe did (everything is set up through them too).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from reintegra.access.models import Organisation, User
from reintegra.access.roles import Role
from reintegra.protection.services import record_consent
from reintegra.testing import factories
from reintegra.testing.api_clients import api_client_for

pytestmark = pytest.mark.django_db


def api(user: User) -> APIClient:
    return api_client_for(user)


def web(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@dataclass
class Network:
    """Organisation A refers a case to the provider P (on the platform, its own entry); B is a stranger."""

    a: Organisation
    a_manager: User  # programme manager of A
    a_case_manager: User
    case: Any
    p: Organisation
    p_manager: User
    p_staff: User  # service-provider user of P
    provider_id: int
    service_id: int
    b: Organisation
    b_manager: User
    b_staff: User

    def referrals_of(self, user: User) -> list[int]:
        response = api(user).get(reverse("api:referral-list"))
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    def send_referral(self) -> int:
        client = api(self.a_case_manager)
        made = client.post(
            reverse("api:referral-list"),
            {"case": self.case.pk, "service": self.service_id, "reason": "Necesita empleo"},
            format="json",
        )
        assert made.status_code == 201, made.content
        sent = client.post(reverse("api:referral-send", args=[made.json()["id"]]), {}, format="json")
        assert sent.status_code == 200, sent.content
        return int(made.json()["id"])


def _consent(network: Network, organisation: Organisation) -> None:
    record_consent(
        network.a_case_manager,
        network.case.returnee,
        "referral",
        "signed",
        timezone.localdate() - timedelta(days=1),
        recipient_organisation=organisation,
    )


@pytest.fixture
def network(db: Any) -> Network:
    a = factories.organisation("oim-a", "GT", name="OIM A")
    a_manager = factories.user(a, Role.PROGRAMME_MANAGER)
    a_case_manager = factories.user(a, Role.CASE_MANAGER)
    returnee = factories.returnee(a_case_manager, return_country="GT", nationality="GT", given_names="Rosalinda")
    case = factories.case(a_case_manager, returnee)
    p = factories.organisation("prov-p", "GT", name="Centro P")
    p_manager = factories.user(p, Role.PROGRAMME_MANAGER)
    p_staff = factories.user(p, Role.SERVICE_PROVIDER)
    b = factories.organisation("org-b", "GT", name="Organización B")
    b_manager = factories.user(b, Role.PROGRAMME_MANAGER)
    b_staff = factories.user(b, Role.SERVICE_PROVIDER)
    # P enters its own entry, linked to itself (its programme manager needs nobody's acceptance for that).
    created = api(p_manager).post(
        reverse("api:service-provider-list"),
        {"name": "Centro P", "organisation_type": "ngo", "country": "GT", "organisation": p.pk, "phone": "+502 1"},
        format="json",
    )
    assert created.status_code == 201, created.content
    provider_id = created.json()["id"]
    service = api(p_manager).post(
        reverse("api:service-list"),
        {"provider": provider_id, "name": "Empleo", "dimension": "economic", "sector": "employment", "country": "GT"},
        format="json",
    )
    assert service.status_code == 201, service.content
    sop = api(a_manager).post(
        reverse("api:referral-pathway-list"),
        {
            "provider": provider_id,
            "title": "POE A-P",
            "approved_on": timezone.localdate().isoformat(),
            "transferred_fields": ["case_number", "full_name", "age", "referral_reason"],
        },
        format="json",
    )
    assert sop.status_code == 201, sop.content
    network = Network(
        a,
        a_manager,
        a_case_manager,
        case,
        p,
        p_manager,
        p_staff,
        provider_id,
        service.json()["id"],
        b,
        b_manager,
        b_staff,
    )
    _consent(network, p)
    return network


def test_another_organisation_cannot_link_an_entry_to_itself(network):
    """The probe's request: B's programme manager PATCHes P's entry with B's id."""
    referral = network.send_referral()
    url = reverse("api:service-provider-detail", args=[network.provider_id])
    hijack = api(network.b_manager).patch(url, {"organisation": network.b.pk}, format="json")
    assert hijack.status_code == 403, hijack.content
    assert hijack.json()["code"] == "not_owner"
    entry = api(network.b_manager).get(url).json()
    assert entry["organisation"] == network.p.pk and entry["pending_organisation"] is None
    # B's staff receives nothing (not the referral already sent, not a new one); P's staff still does.
    second = network.send_referral()
    assert network.referrals_of(network.b_staff) == []
    assert set(network.referrals_of(network.p_staff)) == {referral, second}
    accept = api(network.b_staff).post(reverse("api:referral-accept", args=[referral]), {}, format="json")
    assert accept.status_code == 404


def test_another_organisation_cannot_change_an_entry_or_its_services(network):
    url = reverse("api:service-provider-detail", args=[network.provider_id])
    stranger = api(network.b_manager)
    assert stranger.patch(url, {"phone": "+502 666"}, format="json").status_code == 403
    assert stranger.patch(url, {"contacts": [{"name": "Impostor"}]}, format="json").status_code == 403
    assert stranger.patch(url, {"phone": ""}, format="json").json()["code"] == "not_owner"
    service_url = reverse("api:service-detail", args=[network.service_id])
    assert stranger.patch(service_url, {"capacity_per_month": 0}, format="json").status_code == 403
    new_service = {"provider": network.provider_id, "name": "X", "dimension": "social", "sector": "legal"}
    assert (
        stranger.post(reverse("api:service-list"), {**new_service, "country": "GT"}, format="json").status_code == 403
    )
    # The pages refuse the same.
    page = web(network.b_manager)
    assert page.get(reverse("referrals:provider-edit", args=[network.provider_id])).status_code == 403
    posted = page.post(
        reverse("referrals:provider-edit", args=[network.provider_id]),
        {"name": "Centro P", "organisation_type": "ngo", "country": "GT", "organisation": network.b.pk},
    )
    assert posted.status_code == 403
    assert page.get(reverse("referrals:service-new", args=[network.provider_id])).status_code == 403
    assert page.get(reverse("referrals:service-edit", args=[network.service_id])).status_code == 403
    detail = page.get(reverse("referrals:provider", args=[network.provider_id])).content.decode()
    assert reverse("referrals:provider-edit", args=[network.provider_id]) not in detail
    entry = api(network.p_manager).get(url).json()
    assert entry["phone"] == "+502 1" and entry["organisation"] == network.p.pk
    assert entry["owner"] == network.p.pk


def test_a_link_is_made_only_when_the_named_organisation_accepts(network):
    """Even the owner only asks: the entry reaches B's portal once B's programme manager accepts."""
    url = reverse("api:service-provider-detail", args=[network.provider_id])
    asked = api(network.p_manager).patch(url, {"organisation": network.b.pk}, format="json")
    assert asked.status_code == 200, asked.content
    assert asked.json()["organisation"] == network.p.pk  # unchanged while B has not answered
    assert asked.json()["pending_organisation"] == network.b.pk
    referral = network.send_referral()
    assert network.referrals_of(network.b_staff) == []  # pending: nothing reaches B
    assert network.referrals_of(network.p_staff) == [referral]
    # B's staff cannot answer for B, nor can A's programme manager; B's programme manager can.
    requests = api(network.b_manager).get(reverse("api:provider-link-list")).json()["results"]
    assert [(r["provider"], r["organisation"], r["status"]) for r in requests] == [
        (network.provider_id, network.b.pk, "pending")
    ]
    link = requests[0]["id"]
    assert api(network.b_staff).post(reverse("api:provider-link-accept", args=[link])).status_code == 403
    assert api(network.a_manager).post(reverse("api:provider-link-accept", args=[link])).status_code == 404
    accepted = api(network.b_manager).post(reverse("api:provider-link-accept", args=[link]))
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert api(network.b_manager).post(reverse("api:provider-link-refuse", args=[link])).status_code == 400
    assert api(network.p_manager).get(url).json()["organisation"] == network.b.pk
    # The referral already sent stays with P (its recipient was fixed at sending); new ones go to B.
    _consent(network, network.b)
    later = network.send_referral()
    assert network.referrals_of(network.p_staff) == [referral]
    assert network.referrals_of(network.b_staff) == [later]
    assert (
        api(network.p_staff).post(reverse("api:referral-accept", args=[referral]), {}, format="json").status_code == 200
    )
    assert (
        api(network.b_staff).post(reverse("api:referral-accept", args=[referral]), {}, format="json").status_code == 404
    )


def test_a_refused_link_leaves_the_entry_as_it_was(network):
    url = reverse("api:service-provider-detail", args=[network.provider_id])
    api(network.p_manager).patch(url, {"organisation": network.b.pk}, format="json")
    page = web(network.b_manager)
    listing = page.get(reverse("referrals:links"))
    assert listing.status_code == 200
    link = listing.context["page"].object_list[0]
    assert reverse("referrals:link-answer", args=[link.pk, "accept"]) in listing.content.decode()
    assert page.post(reverse("referrals:link-answer", args=[link.pk, "refuse"])).status_code == 302
    entry = api(network.p_manager).get(url).json()
    assert entry["organisation"] == network.p.pk and entry["pending_organisation"] is None
    # Another organisation's staff cannot answer through the page either.
    assert web(network.a_manager).post(reverse("referrals:link-answer", args=[link.pk, "accept"])).status_code == 404
    assert web(network.b_staff).post(reverse("referrals:link-answer", args=[link.pk, "accept"])).status_code == 403


def test_an_unlinked_entry_keeps_its_sent_referrals_with_their_recipient(network):
    referral = network.send_referral()
    url = reverse("api:service-provider-detail", args=[network.provider_id])
    assert api(network.p_manager).patch(url, {"organisation": None}, format="json").json()["organisation"] is None
    assert network.referrals_of(network.p_staff) == [referral]
    detail = api(network.p_staff).get(reverse("api:referral-detail", args=[referral]))
    assert detail.status_code == 200 and "Rosalinda" in detail.content.decode()
    assert (
        api(network.p_staff).post(reverse("api:referral-accept", args=[referral]), {}, format="json").status_code == 200
    )


def test_an_organisation_already_linked_elsewhere_is_refused_with_a_code(network):
    other_entry = api(network.b_manager).post(
        reverse("api:service-provider-list"),
        {"name": "Centro B", "organisation_type": "ngo", "country": "GT", "organisation": network.b.pk},
        format="json",
    )
    assert other_entry.status_code == 201 and other_entry.json()["organisation"] == network.b.pk
    url = reverse("api:service-provider-detail", args=[network.provider_id])
    refused = api(network.p_manager).patch(url, {"organisation": network.b.pk}, format="json")
    assert refused.status_code == 400
    assert "organisation" in refused.json()


def test_the_import_does_not_change_another_organisations_entries(network):
    rows = (
        "provider_name,provider_type,provider_country,provider_phone,service_code,service_name,dimension,sector,country\n"
        "Centro P,ngo,GT,+502 666,centro-p-nuevo,Nuevo,economic,employment,GT\n"
    )
    service_code = api(network.p_manager).get(reverse("api:service-detail", args=[network.service_id])).json()["code"]
    rows += f"Otro,ngo,GT,,{service_code},Secuestrado,social,legal,GT\n"
    upload = io.BytesIO(rows.encode())
    upload.name = "directorio.csv"
    response = web(network.b_manager).post(reverse("referrals:directory-import"), {"file": upload})
    assert response.status_code == 400
    errors = {(row, column) for row, column, _message in response.context["report"].errors}
    assert errors == {(2, "provider_name"), (3, "service_code")}
    entry = api(network.p_manager).get(reverse("api:service-provider-detail", args=[network.provider_id])).json()
    assert entry["phone"] == "+502 1"
    service = api(network.p_manager).get(reverse("api:service-detail", args=[network.service_id])).json()
    assert service["name"] == "Empleo"


def test_coordinators_change_only_the_entries_of_their_coordination_body(network):
    mesa = factories.organisation("mesa", "GT", name="Mesa de coordinación")
    coordinator = factories.user(mesa, Role.COORDINATOR)
    client = api(coordinator)
    own = client.post(
        reverse("api:service-provider-list"), {"name": "Red mesa", "organisation_type": "ngo", "country": "GT"}
    )
    assert own.status_code == 201 and own.json()["owner"] == mesa.pk
    assert (
        client.patch(reverse("api:service-provider-detail", args=[own.json()["id"]]), {"phone": "1"}).status_code == 200
    )
    foreign = client.patch(reverse("api:service-provider-detail", args=[network.provider_id]), {"phone": "1"})
    assert foreign.status_code == 403
