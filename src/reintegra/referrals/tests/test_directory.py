"""Managing the directory: providers with their contact persons and services, through the services, the
pages and the API (validation with field errors, audit trail, role checks)."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from reintegra.access.roles import Role
from reintegra.places.models import AdminArea
from reintegra.referrals import services
from reintegra.referrals.models import ContactPerson, Service, ServiceProvider
from reintegra.testing import factories


@pytest.fixture
def manager(world):
    return factories.user(world.org, Role.PROGRAMME_MANAGER)


@pytest.fixture
def department(db):
    dept = AdminArea.objects.create(country="GT", level=1, code="GT-TEST-01", name="Depto de prueba")
    muni = AdminArea.objects.create(country="GT", level=2, code="GT-TEST-0101", name="Muni de prueba", parent=dept)
    return dept, muni


def _provider_input(**kwargs):
    data = {"name": "Asociación Nuevo Amanecer", "organisation_type": "ngo", "country": "gt"}
    data.update(kwargs)
    return services.ProviderInput(**data)


def test_provider_with_contacts_is_created_updated_and_audited(world, manager):
    provider = services.save_provider(
        manager,
        _provider_input(
            email="info@amanecer.org.gt",
            contacts=[services.ContactInput(name="Ana López", position="Punto focal", email="ana@amanecer.org.gt")],
        ),
    )
    assert provider.country == "GT"
    assert [c.name for c in provider.contacts.all()] == ["Ana López"]
    entry = LogEntry.objects.get_for_object(provider).get()
    assert entry.actor_id == manager.pk

    changed = services.save_provider(
        manager,
        _provider_input(name="Asociación Nuevo Amanecer (Quetzaltenango)", contacts=[]),
        provider=provider,
    )
    assert changed.pk == provider.pk
    assert changed.name.endswith("(Quetzaltenango)")
    assert not ContactPerson.objects.filter(provider=provider).exists()
    # contacts=None leaves the contact persons as they are
    services.save_provider(
        manager, _provider_input(contacts=[services.ContactInput(name="Luis Pérez")]), provider=provider
    )
    services.save_provider(manager, services.ProviderInput.of(provider), provider=provider)
    assert [c.name for c in provider.contacts.all()] == ["Luis Pérez"]


def test_provider_validation_names_each_field(world, manager):
    with pytest.raises(ValidationError) as exc:
        services.save_provider(
            manager,
            services.ProviderInput(
                name=" ",
                organisation_type="company",
                country="XX",
                email="not-an-address",
                website="ftp://x",
                organisation=world.provider_org,  # already linked to "Centro A"
                contacts=[services.ContactInput(name="", email="bad")],
            ),
        )
    assert set(exc.value.message_dict) == {
        "name",
        "organisation_type",
        "country",
        "email",
        "website",
        "organisation",
        "contacts.0.name",
        "contacts.0.email",
    }
    # same name in the same country (case-insensitive) is refused; in another country it is fine
    with pytest.raises(ValidationError) as exc:
        services.save_provider(manager, _provider_input(name="centro a"))
    assert "name" in exc.value.message_dict
    assert services.save_provider(manager, _provider_input(name="Centro A", country="HN")).country == "HN"


def test_only_directory_managers_write(world):
    for user in (world.manager, world.provider_user, world.supervisor):
        with pytest.raises(PermissionDenied):
            services.save_provider(user, _provider_input())
        with pytest.raises(PermissionDenied):
            services.save_service(
                user,
                services.ServiceInput(
                    provider=world.provider, name="X", dimension="social", sector="legal", country="GT"
                ),
            )
    assert not ServiceProvider.objects.filter(name="Asociación Nuevo Amanecer").exists()


def test_service_is_created_with_a_free_code_and_validated(world, manager, department):
    dept, muni = department
    ServiceProvider.objects.filter(pk=world.provider.pk).update(owner=world.org)  # the manager's entry
    world.provider.refresh_from_db()
    data = services.ServiceInput(
        provider=world.provider,
        name="Servicio Centro A",  # same provider and name as the fixture's: the code gets a suffix
        dimension="psychosocial",
        sector="mhpss",
        country="GT",
        areas=[dept, muni],
        min_age=18,
        max_age=60,
        sexes=["female"],
        nationalities=["gt", "HN"],
        vulnerability_criteria=[],
        capacity_per_month=10,
    )
    service = services.save_service(manager, data)
    assert service.code.startswith("centro-a-servicio-centro-a")
    assert service.nationalities == ["GT", "HN"]
    assert set(service.areas.all()) == {dept, muni}
    second = services.save_service(manager, data)
    assert second.code != service.code
    assert LogEntry.objects.get_for_object(service).get().actor_id == manager.pk

    bad = services.ServiceInput(
        provider=world.provider,
        name="",
        dimension="spiritual",
        sector="x",
        country="HN",
        areas=[dept],
        min_age=50,
        max_age=20,
        sexes=["other"],
        nationalities=["ZZ"],
        vulnerability_criteria=["rich"],
        cost="cheap",
        target_response_days=0,
        code=world.service.code,
    )
    with pytest.raises(ValidationError) as exc:
        services.save_service(manager, bad)
    assert set(exc.value.message_dict) == {
        "name",
        "dimension",
        "sector",
        "areas",
        "max_age",
        "sexes",
        "nationalities",
        "vulnerability_criteria",
        "cost",
        "target_response_days",
        "code",
    }


def test_pages_create_provider_with_contacts_and_a_service(world, manager, department):
    client = Client()
    client.force_login(manager)
    directory = client.get(reverse("referrals:directory"))
    assert reverse("referrals:provider-new") in directory.content.decode()

    form = {
        "name": "Clínica San Lucas",
        "organisation_type": "ngo",
        "country": "GT",
        "email": "",
        "website": "",
        "is_active": "on",
        "contacts-TOTAL_FORMS": "2",
        "contacts-INITIAL_FORMS": "0",
        "contacts-0-name": "Marta Cux",
        "contacts-0-phone": "+502 5555 0000",
        "contacts-1-name": "",
    }
    bad = client.post(reverse("referrals:provider-new"), {**form, "name": "", "contacts-1-email": "x@y.gt"})
    assert bad.status_code == 400
    assert "Marta Cux" in bad.content.decode()  # what was typed is kept
    assert not ServiceProvider.objects.filter(name="Clínica San Lucas").exists()

    response = client.post(reverse("referrals:provider-new"), form)
    provider = ServiceProvider.objects.get(name="Clínica San Lucas")
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:provider", args=[provider.pk])
    assert [c.name for c in provider.contacts.all()] == ["Marta Cux"]
    detail = client.get(reverse("referrals:provider", args=[provider.pk])).content.decode()
    assert reverse("referrals:service-new", args=[provider.pk]) in detail
    assert reverse("referrals:provider-edit", args=[provider.pk]) in detail

    edit = client.get(reverse("referrals:provider-edit", args=[provider.pk])).content.decode()
    assert 'value="Marta Cux"' in edit

    dept, _muni = department
    service_form = {
        "name": "Atención psicológica",
        "dimension": "psychosocial",
        "sector": "mhpss",
        "country": "GT",
        "areas": [str(dept.pk)],
        "cost": "free",
        "target_response_days": "7",
        "is_active": "on",
    }
    bad = client.post(
        reverse("referrals:service-new", args=[provider.pk]), {**service_form, "min_age": "30", "max_age": "10"}
    )
    assert bad.status_code == 400
    assert not provider.services.exists()
    ok = client.post(reverse("referrals:service-new", args=[provider.pk]), service_form)
    assert ok.status_code == 302
    service = provider.services.get()
    assert list(service.areas.all()) == [dept]
    assert service.target_response_days == 7

    changed = client.post(
        reverse("referrals:service-edit", args=[service.pk]),
        {**service_form, "capacity_per_month": "12", "revision": str(service.revision)},
    )
    assert changed.status_code == 302
    service.refresh_from_db()
    assert service.capacity_per_month == 12


def test_case_manager_sees_no_management_links(world):
    client = Client()
    client.force_login(world.manager)
    page = client.get(reverse("referrals:provider", args=[world.provider.pk])).content.decode()
    assert reverse("referrals:provider-edit", args=[world.provider.pk]) not in page
    assert client.get(reverse("referrals:provider-new")).status_code == 403


def test_api_create_and_patch_provider_and_service(world, manager, department):
    api = APIClient()
    api.force_authenticate(manager)
    bad = api.post(
        reverse("api:service-provider-list"), {"name": "", "organisation_type": "x", "country": "GT"}, format="json"
    )
    assert bad.status_code == 400
    assert {"name"} <= set(bad.json())
    bad = api.post(
        reverse("api:service-provider-list"),
        {"name": "Red Mujeres", "organisation_type": "x", "country": "QQ"},
        format="json",
    )
    assert bad.status_code == 400
    assert {"organisation_type", "country"} <= set(bad.json())

    created = api.post(
        reverse("api:service-provider-list"),
        {
            "name": "Red de Mujeres Emprendedoras",
            "organisation_type": "ngo",
            "country": "GT",
            "contacts": [{"name": "Rosa Tzul", "email": "rosa@red.gt"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["contacts"][0]["name"] == "Rosa Tzul"
    provider_url = reverse("api:service-provider-detail", args=[body["id"]])
    # Changes carry the version they were based on (issue 10): If-Match with the ETag read.
    patched = api.patch(provider_url, {"phone": "+502 2222 3333"}, format="json", HTTP_IF_MATCH=created["ETag"])
    assert patched.status_code == 200
    assert patched.json()["phone"] == "+502 2222 3333"
    assert patched.json()["contacts"][0]["name"] == "Rosa Tzul"  # untouched without "contacts"
    assert api.patch(provider_url, {"email": "nope"}, format="json", HTTP_IF_MATCH=patched["ETag"]).status_code == 400
    assert api.patch(reverse("api:service-provider-detail", args=[999999]), {}, format="json").status_code == 404

    dept, _muni = department
    payload = {
        "provider": body["id"],
        "name": "Capital semilla",
        "dimension": "economic",
        "sector": "business",
        "country": "GT",
        "areas": [dept.pk],
    }
    assert api.post(reverse("api:service-list"), {**payload, "areas": [987654]}, format="json").status_code == 400
    made = api.post(reverse("api:service-list"), payload, format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["areas"] == [dept.pk]
    service_url = reverse("api:service-detail", args=[made.json()["id"]])
    read = {"HTTP_IF_MATCH": made["ETag"]}
    patched = api.patch(service_url, {"capacity_per_month": 5, "sector": "nope"}, format="json", **read)
    assert patched.status_code == 400
    assert "sector" in patched.json()
    patched = api.patch(service_url, {"capacity_per_month": 5}, format="json", **read)
    assert patched.status_code == 200
    assert patched.json()["capacity_per_month"] == 5
    assert patched.json()["areas"] == [dept.pk]
    assert Service.objects.get(pk=made.json()["id"]).name == "Capital semilla"

    reader = APIClient()
    reader.force_authenticate(world.manager)
    assert reader.post(reverse("api:service-list"), payload, format="json").status_code == 403
    assert reader.patch(service_url, {"capacity_per_month": 1}, format="json").status_code == 403


def test_recommendation_without_sop_says_why_and_links_managers_to_the_sop_form(world, manager):
    from reintegra.referrals.tests.conftest import make_provider

    org = factories.organisation("prov-c", "GT")
    provider, service = make_provider(org, "Centro C", code="centro-c-empleo")
    sop_link = f"{reverse('referrals:pathway-new')}?provider={provider.pk}&amp;service={service.pk}"
    url = reverse("referrals:case-new", args=[world.case.pk]) + "?dimension=economic"
    client = Client()
    client.force_login(manager)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "no approved SOP with these providers" in page
    assert sop_link in page
    form = client.get(f"{reverse('referrals:pathway-new')}?provider={provider.pk}&service={service.pk}")
    assert form.context["form"].initial["provider"] == provider.pk
    client.force_login(world.manager)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # A case manager is offered only what can be chosen (issue 18.6): not this service at all.
    assert "Centro C" not in page
    assert sop_link not in page  # a case manager cannot record SOPs


def test_duplication_page_lists_sectors_offered_by_several_providers(world, department):
    dept, _muni = department
    client = Client()
    client.force_login(world.manager)
    html = client.get(reverse("referrals:duplication"), {"country": "GT"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    # Centro A and Centro B both offer employment in the whole of Guatemala: duplicated in every department
    assert "Depto de prueba" in html
    assert "Centro A" in html and "Centro B" in html
    assert "Empleo y formación" in html
    html = client.get(reverse("referrals:duplication"), {"area": dept.pk}).content.decode()
    assert "Muni de prueba" in html
    world.other_service.is_active = False
    world.other_service.save()
    html = client.get(reverse("referrals:duplication"), {"country": "GT"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No sector is offered by more than one provider" in html
