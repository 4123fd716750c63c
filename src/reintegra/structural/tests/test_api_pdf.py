"""API behaviour (engagement_category, nested routes, scoping of links) and the action-plan PDF."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from reintegra.access.roles import Role
from reintegra.structural import pdf
from reintegra.structural.models import Interaction, Stakeholder
from reintegra.testing import factories


@pytest.mark.django_db
def test_stakeholder_api_computes_engagement_with_the_programme_threshold(world):
    client = APIClient()
    client.force_authenticate(world.manager)
    body = {
        "programme": world.programme.pk,
        "name": "AGEXPORT",
        "category": "private_sector",
        "level": "national",
        "country": "GT",
        "interest": 3,
        "influence": 3,
    }
    response = client.post(reverse("api:stakeholder-list"), body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["engagement_category"] == "inform"
    world.programme.stakeholder_high_threshold = 3
    world.programme.save()
    detail = client.get(reverse("api:stakeholder-detail", args=[response.json()["id"]]))
    assert detail.json()["engagement_category"] == "manage_closely"


@pytest.mark.django_db
def test_api_refuses_bad_scores_with_field_errors(world):
    client = APIClient()
    client.force_authenticate(world.manager)
    body = {
        "programme": world.programme.pk,
        "name": "X",
        "category": "ngo",
        "level": "local",
        "country": "GT",
        "interest": 7,
        "influence": 0,
    }
    response = client.post(reverse("api:stakeholder-list"), body, format="json")
    assert response.status_code == 400
    assert {"interest", "influence"} <= set(response.json())


@pytest.mark.django_db
def test_nested_interactions_and_links_outside_the_users_programmes(world):
    client = APIClient()
    client.force_authenticate(world.manager)
    stakeholder = world.records["stakeholder"]
    url = reverse("api:stakeholder-interactions", args=[stakeholder.pk])
    response = client.post(url, {"kind": "call", "occurred_on": "2026-01-10", "summary": "Llamada"}, format="json")
    assert response.status_code == 201
    assert Interaction.objects.filter(stakeholder=stakeholder, summary="Llamada").exists()
    assert client.get(url).json()["count"] == 2
    # A stakeholder of another organisation cannot be linked: it does not exist for this user.
    other_org = factories.organisation(country="MX")
    other_manager = factories.user(other_org, Role.PROGRAMME_MANAGER)
    from reintegra.structural.tests.conftest import build_world

    foreign = build_world(other_org, other_manager)["stakeholder"]
    response = client.post(
        reverse("api:common-product-list"),
        {"stakeholder": foreign.pk, "kind": "action", "description": "x"},
        format="json",
    )
    assert response.status_code == 400 and "stakeholder" in response.json()
    assert client.get(reverse("api:stakeholder-detail", args=[foreign.pk])).status_code == 404


@pytest.mark.django_db
def test_action_plan_holds_every_action_and_no_contact_details(world):
    process = world.records["process"]
    html = pdf.action_plan_html(process)
    assert "Redactar la política" in html  # the process's action item
    assert "Bolsa de empleo" in html  # its sectoral opportunity
    contact = world.records["contact"]
    for secret in (contact.name, contact.email, contact.phone):
        assert secret not in html
    content = pdf.action_plan_pdf(process)
    assert content.startswith(b"%PDF") and len(content) > 1000


@pytest.mark.django_db
def test_action_plan_download(world):
    client = Client()
    client.force_login(world.manager)
    response = client.get(reverse("structural:process-action-plan", args=[world.records["process"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_grid_places_the_stakeholder_in_its_category(world):
    from django.utils import translation

    from reintegra.structural import charts, selectors

    with translation.override("en"):
        grid = charts.stakeholder_grid(selectors.stakeholders_for(world.manager))
    datasets = {d["label"]: d for d in grid["config"]["data"]["datasets"]}
    closely = datasets["Manage closely"]
    names = [point["label"] for point in closely["data"]]
    assert "Ministerio de Trabajo" in names  # interest 5, influence 4
    index = names.index("Ministerio de Trabajo")
    stakeholder = Stakeholder.objects.get(name="Ministerio de Trabajo")
    assert grid["config"]["links"][0][index] == reverse("structural:stakeholder-detail", args=[stakeholder.pk])


@pytest.mark.django_db
def test_engagement_sql_agrees_with_the_rule(world):
    from reintegra.structural import engagement, selectors

    for threshold in (1, 3, 4, 5):
        world.programme.stakeholder_high_threshold = threshold
        world.programme.save()
        for s in selectors.stakeholders_for(world.manager):
            assert s.engagement == engagement.engagement_category(s.interest, s.influence, threshold)
