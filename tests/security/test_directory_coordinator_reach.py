"""Issue 10, item 13: coordinator reach.

A coordinator-role user read *and changed* every other organisation's structural records in the same
country, and every regional action of its country. Reading stays as it was; writing another
organisation's records needs a write grant that organisation's programme manager gives (and revokes).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from reintegra.access.models import Programme
from reintegra.access.roles import Role
from reintegra.regional import services as regional_services
from reintegra.structural import choices as c
from reintegra.structural import services
from reintegra.structural.models import Stakeholder, WriteGrant
from reintegra.testing import factories
from reintegra.testing.api_clients import api_client_for

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    return api_client_for(user)


def web(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def country(db: Any) -> dict[str, Any]:
    """An office (oim) with a stakeholder and a framework, and the country's coordination body (mesa)."""
    oim = factories.organisation("oim-x", "GT", name="OIM X")
    manager = factories.user(oim, Role.PROGRAMME_MANAGER)
    programme = Programme.objects.get(organisation=oim)
    stakeholder = services.save_record(
        manager,
        Stakeholder(
            programme=programme,
            name="Ministerio de Trabajo",
            category=c.StakeholderCategory.NATIONAL_AUTHORITY,
            level=c.GeographicLevel.NATIONAL,
            country="GT",
            interest=5,
            influence=4,
            engaged_on=timezone.localdate() - timedelta(days=10),
        ),
    )
    mesa = factories.organisation("mesa-x", "GT", name="Mesa X")
    coordinator = factories.user(mesa, Role.COORDINATOR)
    action = regional_services.create_action(
        manager,
        regional_services.ActionInput(
            country="GT", title="Intermediación laboral", levels=["individual"], dimensions=["economic"]
        ),
    )
    return {
        "oim": oim,
        "manager": manager,
        "programme": programme,
        "stakeholder": stakeholder,
        "mesa": mesa,
        "coordinator": coordinator,
        "action": action,
    }


def test_a_coordinator_reads_but_does_not_change_another_organisations_records(country):
    coordinator, stakeholder = country["coordinator"], country["stakeholder"]
    detail = reverse("api:stakeholder-detail", args=[stakeholder.pk])
    # Reading stays as it was.
    assert api(coordinator).get(detail).status_code == 200
    assert web(coordinator).get(reverse("structural:stakeholder-detail", args=[stakeholder.pk])).status_code == 200
    listed = api(coordinator).get(reverse("api:stakeholder-list")).json()["results"]
    assert stakeholder.pk in [row["id"] for row in listed]
    # Writing does not.
    patched = api(coordinator).patch(detail, {"interest": 1}, format="json")
    assert patched.status_code == 403, patched.content
    assert patched.json()["code"] == "no_write_grant"
    interaction = api(coordinator).post(
        reverse("api:stakeholder-interactions", args=[stakeholder.pk]),
        {"kind": "meeting", "occurred_on": timezone.localdate().isoformat(), "summary": "Reunión"},
        format="json",
    )
    assert interaction.status_code == 403
    page = web(coordinator)
    assert page.get(reverse("structural:stakeholder-edit", args=[stakeholder.pk])).status_code == 403
    assert page.post(reverse("structural:stakeholder-edit", args=[stakeholder.pk]), {"name": "X"}).status_code == 403
    assert page.get(reverse("structural:interaction-new-stakeholder", args=[stakeholder.pk])).status_code == 403
    started = page.post(reverse("structural:checklist", args=["diaspora"]), {"programme": country["programme"].pk})
    assert started.status_code == 403
    detail_page = page.get(reverse("structural:stakeholder-detail", args=[stakeholder.pk])).content.decode()
    assert reverse("structural:stakeholder-edit", args=[stakeholder.pk]) not in detail_page
    stakeholder.refresh_from_db()
    assert stakeholder.interest == 5 and not stakeholder.interactions.exists()


def test_the_owner_grants_write_access_and_revokes_it(country):
    coordinator, stakeholder, manager = country["coordinator"], country["stakeholder"], country["manager"]
    detail = reverse("api:stakeholder-detail", args=[stakeholder.pk])
    # The coordination body cannot give itself access; the owner's programme manager gives it on the page.
    assert web(coordinator).post(reverse("structural:grants"), {}).status_code == 403
    given = web(manager).post(
        reverse("structural:grants"),
        {"grantee": country["mesa"].pk, "scope": "structural", "programme": country["programme"].pk},
    )
    assert given.status_code == 302, given.content.decode()[:2000]
    assert api(coordinator).patch(detail, {"interest": 3}, format="json").status_code == 200
    received = web(coordinator).get(reverse("structural:grants"))
    assert received.status_code == 200 and country["oim"].name in received.content.decode()
    grant = WriteGrant.objects.get(grantee=country["mesa"])
    assert web(coordinator).post(reverse("structural:grant-revoke", args=[grant.pk])).status_code == 403
    assert web(manager).post(reverse("structural:grant-revoke", args=[grant.pk])).status_code == 302
    assert api(coordinator).patch(detail, {"interest": 1}, format="json").status_code == 403
    stakeholder.refresh_from_db()
    assert stakeholder.interest == 3


def test_a_grant_names_one_of_the_owners_own_programmes(country):
    other = factories.organisation("otra", "GT")
    foreign = Programme.objects.get(organisation=other)
    response = web(country["manager"]).post(
        reverse("structural:grants"), {"grantee": country["mesa"].pk, "scope": "structural", "programme": foreign.pk}
    )
    assert response.status_code == 400
    assert not WriteGrant.objects.exists()
    with pytest.raises(Exception) as refused:
        services.grant_write(country["manager"], country["mesa"], c.GrantScope.STRUCTURAL, foreign)
    assert "programme" in refused.value.message_dict  # type: ignore[attr-defined]


def test_regional_actions_need_a_regional_grant(country):
    coordinator, action = country["coordinator"], country["action"]
    url = reverse("api:regional-action-detail", args=[action.pk])
    assert api(coordinator).get(url).status_code == 200
    assert api(coordinator).patch(url, {"title": "Cambiado"}, format="json").status_code == 403
    assert web(coordinator).get(reverse("regional:edit", args=[action.pk])).status_code == 403
    services.grant_write(country["manager"], country["mesa"], c.GrantScope.REGIONAL)
    assert api(coordinator).patch(url, {"title": "Cambiado"}, format="json").status_code == 200
    # The structural grant and the regional one are separate: the stakeholder is still out of reach.
    stakeholder_url = reverse("api:stakeholder-detail", args=[country["stakeholder"].pk])
    assert api(coordinator).patch(stakeholder_url, {"interest": 1}, format="json").status_code == 403
