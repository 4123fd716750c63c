"""The new-referral page suggests services by the plan item's need, nearest first, and never offers one
that cannot be chosen there (issue 18.6); the API's recommendations follow the same rule."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from reintegra.access.roles import Role
from reintegra.cases.models import PlanItem, ReintegrationPlan
from reintegra.referrals.models import Service
from reintegra.referrals.tests.conftest import make_provider
from reintegra.testing import factories


@pytest.fixture
def business_item(world):
    plan = ReintegrationPlan.objects.create(case=world.case)
    return PlanItem.objects.create(
        plan=plan, dimension="economic", approach="Desarrollo de negocios", assistance_form="in_kind"
    )


@pytest.fixture
def directory(world):
    """Beside the two employment services with an SOP (Centro A, Centro B): a business service with an SOP,
    one without, one abroad and one at capacity."""
    business = Service.objects.create(
        provider=world.provider,
        code="centro-a-negocios",
        name="Capital semilla A",
        dimension="economic",
        sector="business",
        country="GT",
    )
    _p, no_sop = make_provider(factories.organisation("prov-c", "GT"), "Centro C", code="centro-c-negocios")
    no_sop.sector = "business"
    no_sop.save()
    abroad = Service.objects.create(
        provider=world.provider,
        code="centro-a-mx",
        name="Negocios en México",
        dimension="economic",
        sector="business",
        country="MX",
    )
    full = Service.objects.create(
        provider=world.provider,
        code="centro-a-lleno",
        name="Incubadora llena",
        dimension="economic",
        sector="business",
        country="GT",
        capacity_per_month=0,
    )
    return {"business": business, "no_sop": no_sop, "abroad": abroad, "full": full}


def _table(page: str) -> str:
    return page.split('id="recommendation-table"')[1].split("</table>")[0]


def test_a_business_item_gets_business_services_first_and_nothing_it_cannot_choose(world, business_item, directory):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.manager)
    page = client.get(reverse("referrals:case-new", args=[world.case.pk]), {"plan_item": business_item.pk})
    table = _table(page.content.decode())
    rows = [name for name in ("Capital semilla A", "Servicio Centro A", "Servicio Centro B") if name in table]
    assert rows == ["Capital semilla A", "Servicio Centro A", "Servicio Centro B"]
    assert table.index("Capital semilla A") < table.index("Servicio Centro A")
    for hidden in ("Servicio Centro C", "Negocios en México", "Incubadora llena"):
        assert hidden not in table
    # No SOP: not in the form's list either (a service abroad under an SOP stays choosable there, as a
    # cross-border referral under a cross-border consent; it is just not suggested).
    assert "Servicio Centro C" not in page.content.decode()


def test_a_pathway_manager_sees_what_fits_without_an_sop_apart(world, business_item, directory):
    manager = factories.user(world.org, Role.PROGRAMME_MANAGER, username="pm-sugerencias")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(manager)
    page = client.get(reverse("referrals:case-new", args=[world.case.pk]), {"plan_item": business_item.pk})
    html = page.content.decode()
    assert "Servicio Centro C" not in _table(html)
    no_sop = directory["no_sop"]
    assert "Fitting services without an SOP" in html
    assert f"{reverse('referrals:pathway-new')}?provider={no_sop.provider_id}&amp;service={no_sop.pk}" in html


def test_the_api_ranks_by_the_plan_item_and_offers_only_what_can_be_chosen(world, business_item, directory):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(world.manager)
    url = f"/api/v1/cases/{world.case.pk}/service-recommendations/"
    offered = api.get(url, {"plan_item": business_item.pk})
    assert offered.status_code == 200
    assert [r["service"]["id"] for r in offered.json()] == [
        directory["business"].pk,
        world.service.pk,
        world.other_service.pk,
    ]
    everything = {r["service"]["id"] for r in api.get(url, {"include_unavailable": "true"}).json()}
    assert {directory["no_sop"].pk, directory["abroad"].pk, directory["full"].pk} <= everything
    other = factories.agreed_case(world.manager)
    foreign = PlanItem.objects.filter(plan__case=other).first()
    if foreign is not None:
        refused = api.get(url, {"plan_item": foreign.pk})
        assert refused.status_code == 400 and refused.json()["errors"][0]["code"] == "invalid_choice"
