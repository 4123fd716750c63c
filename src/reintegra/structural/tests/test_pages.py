"""Every page renders for a reader and an editor; forms save and re-display errors."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from reintegra.access.roles import Role
from reintegra.structural import choices as c
from reintegra.structural.models import Stakeholder
from reintegra.structural.pages import KINDS
from reintegra.testing import factories


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_every_list_and_detail_renders(world):
    reader = factories.user(world.org, Role.CASE_MANAGER)
    for user in (world.manager, reader):
        client = _client(user)
        assert client.get(reverse("structural:home")).status_code == 200
        for kind in KINDS.values():
            if kind.listed:
                response = client.get(reverse(f"structural:{kind.key}-list"))
                assert response.status_code == 200, kind.key
            if kind.detailed:
                obj = world.records[kind.key]
                response = client.get(reverse(f"structural:{kind.key}-detail", args=[obj.pk]))
                assert response.status_code == 200, kind.key
                assert str(obj) in response.content.decode()


@pytest.mark.django_db
def test_every_form_renders_for_an_editor(world):
    client = _client(world.manager)
    for kind in KINDS.values():
        obj = world.records[kind.key]
        assert client.get(reverse(f"structural:{kind.key}-edit", args=[obj.pk])).status_code == 200, kind.key
        if kind.creatable and not kind.parents:
            assert client.get(reverse(f"structural:{kind.key}-new")).status_code == 200, kind.key
        for parent in kind.parents if kind.creatable else ():
            parent_obj = getattr(obj, parent, None) or world.records.get(parent)
            url = reverse(f"structural:{kind.key}-new-{parent}", args=[parent_obj.pk])
            assert client.get(url).status_code == 200, (kind.key, parent)


@pytest.mark.django_db
def test_create_stakeholder_and_see_engagement(world):
    client = _client(world.manager)
    response = client.post(
        reverse("structural:stakeholder-new"),
        {
            "programme": world.programme.pk,
            "name": "Municipalidad de Quetzaltenango",
            "category": c.StakeholderCategory.LOCAL_GOVERNMENT,
            "level": c.GeographicLevel.LOCAL,
            "country": "GT",
            "stance": c.Stance.SUPPORTIVE,
            "interest": 5,
            "influence": 2,
            "functions": ["serve_returnees", "local_development"],
        },
    )
    assert response.status_code == 302
    stakeholder = Stakeholder.objects.get(name="Municipalidad de Quetzaltenango")
    assert stakeholder.engagement_category == "communicate"
    page = client.get(response["Location"]).content.decode()
    assert "Municipalidad de Quetzaltenango" in page


@pytest.mark.django_db
def test_invalid_form_redisplays_with_errors_and_keeps_input(world):
    client = _client(world.manager)
    response = client.post(
        reverse("structural:stakeholder-new"),
        {"programme": world.programme.pk, "name": "Sin puntajes", "interest": 9, "influence": 0},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Sin puntajes" in body
    assert not Stakeholder.objects.filter(name="Sin puntajes").exists()


@pytest.mark.django_db
def test_checklist_step_update_and_exchange_matrix(world):
    client = _client(world.manager)
    step = world.records["step"]
    response = client.post(
        reverse("structural:step-edit", args=[step.pk]),
        {"status": c.StepStatus.DONE, "evidence": "Acta de aprobación", "revision": str(step.revision)},
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.status == c.StepStatus.DONE and step.completed_on is not None
    framework = world.records["framework"]
    party = world.records["stakeholder"]
    response = client.post(
        reverse("structural:framework-exchange", args=[framework.pk]),
        {
            f"cell:{party.pk}:returnee_profiles:consult": "on",
            f"cell:{party.pk}:services:enter": "on",
            "revision": str(framework.revision),
        },
    )
    assert response.status_code == 302
    rules = {(r.category, r.may_enter, r.may_consult) for r in framework.exchange_rules.all()}
    assert rules == {("returnee_profiles", False, True), ("services", True, False)}


@pytest.mark.django_db
def test_programme_checklist_can_be_started(world):
    client = _client(world.manager)
    url = reverse("structural:checklist", args=["private_sector"])
    assert "Iniciar esta lista" in client.get(url).content.decode()  # Spanish first
    response = client.post(url, {"programme": world.programme.pk})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Identificar empresas pertinentes" in page
    assert client.get(reverse("structural:checklist", args=["nonsense"])).status_code == 404


@pytest.mark.django_db
def test_mechanism_page_lists_the_referral_pathways_of_its_organisation(world):
    from django.utils import timezone

    from reintegra.referrals import services as referral_services
    from reintegra.referrals.models import ServiceProvider

    provider = ServiceProvider.objects.create(
        name="Centro de Empleo Xela", organisation_type="ngo", country="GT", owner=world.org
    )
    referral_services.save_pathway(
        world.manager,
        referral_services.PathwayInput(
            provider=provider, title="POE empleo Xela", approved_on=timezone.localdate(), transferred_fields=["sex"]
        ),
    )
    mechanism = world.records["mechanism"]
    page = _client(world.manager).get(reverse("structural:mechanism-detail", args=[mechanism.pk])).content.decode()
    assert "POE empleo Xela" in page and "Centro de Empleo Xela" in page
    # Another organisation's manager sees neither the mechanism nor, therefore, its pathways.
    outsider = factories.user(factories.organisation(country="MX"), Role.PROGRAMME_MANAGER)
    assert _client(outsider).get(reverse("structural:mechanism-detail", args=[mechanism.pk])).status_code == 404


@pytest.mark.django_db
def test_a_document_over_the_size_limit_is_refused_by_the_service(world, monkeypatch):
    """The size limit is the service's (save_record), shown on the form's file field; nothing is stored."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from reintegra.structural import services
    from reintegra.structural.models import Document

    monkeypatch.setattr(services, "MAX_DOCUMENT_BYTES", 10)
    agreement = world.records["agreement"]
    before = Document.objects.count()
    response = _client(world.manager).post(
        reverse("structural:document-new-agreement", args=[agreement.pk]),
        {
            "kind": c.DocumentKind.AGREEMENT,
            "title": "Anexo",
            "version": "1",
            "file": SimpleUploadedFile("anexo.pdf", b"%PDF-1.4 more than ten bytes"),
        },
    )
    assert response.status_code == 400
    assert [e.code for e in response.context["form"].errors.as_data()["file"]] == ["too_large"]
    assert Document.objects.count() == before
