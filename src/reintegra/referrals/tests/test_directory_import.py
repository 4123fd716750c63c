"""`directory_io.import_directory`: every row checked first, then providers, contacts and services written."""

import pytest
from django.core.exceptions import PermissionDenied

from reintegra.access.roles import Role
from reintegra.places.models import AdminArea
from reintegra.referrals.directory_io import import_directory
from reintegra.referrals.models import ContactPerson, Service, ServiceProvider
from reintegra.testing import factories

pytestmark = pytest.mark.django_db

ROW = {
    "provider_name": "Asociación Nuevo Amanecer",
    "provider_type": "ngo",
    "provider_country": "gt",
    "provider_phone": "+502 2222 3333",
    "contact_name": "Ana López",
    "contact_email": "ana@example.org",
    "service_code": "",
    "service_name": "Taller de carpintería",
    "dimension": "economic",
    "sector": "employment",
    "country": "GT",
    "areas": "GT-IMP-01;GT-IMP-0101",
    "min_age": "16",
    "max_age": "60",
    "sexes": "female;male",
    "nationalities": "gt;hn",
    "vulnerabilities": "",
    "capacity_per_month": "20",
    "target_response_days": "",
}


@pytest.fixture
def manager(db):
    return factories.user(factories.organisation("oim-imp", "GT"), Role.PROGRAMME_MANAGER)


@pytest.fixture
def areas(db):
    dept = AdminArea.objects.create(country="GT", level=1, code="GT-IMP-01", name="Depto")
    return dept, AdminArea.objects.create(country="GT", level=2, code="GT-IMP-0101", name="Muni", parent=dept)


def test_a_valid_file_creates_the_provider_its_contact_and_the_service_then_updates_it(manager, areas):
    report = import_directory(manager, [ROW])
    assert (report.errors, report.providers_created, report.services_created, report.services_updated) == ([], 1, 1, 0)
    provider = ServiceProvider.objects.get(name=ROW["provider_name"])
    assert (provider.owner_id, str(provider.country), provider.phone) == (
        manager.organisation_id,
        "GT",
        "+502 2222 3333",
    )
    assert list(ContactPerson.objects.filter(provider=provider).values_list("name", "email")) == [
        ("Ana López", "ana@example.org")
    ]
    service = Service.objects.get(provider=provider)
    assert service.code == "asociacion-nuevo-amanecer-taller-de-carpinteria"
    assert (service.min_age, service.max_age, service.capacity_per_month) == (16, 60, 20)
    assert (service.sexes, service.nationalities, service.cost, service.target_response_days) == (
        ["female", "male"],
        ["GT", "HN"],
        "free",
        14,
    )
    assert set(service.areas.all()) == set(areas)
    again = import_directory(manager, [{**ROW, "service_code": service.code, "max_age": "", "cost": "paid"}])
    assert (again.providers_created, again.services_created, again.services_updated) == (0, 0, 1)
    service.refresh_from_db()
    assert (service.max_age, service.cost) == (None, "paid")
    assert ContactPerson.objects.filter(provider=provider).count() == 1


def test_every_row_is_checked_and_nothing_is_written_when_one_is_wrong(manager, areas):
    bad = {
        **ROW,
        "provider_type": "pirate",
        "dimension": "",
        "areas": "GT-NOPE",
        "min_age": "30",
        "max_age": "20",
        "capacity_per_month": "many",
        "target_response_days": "0",
        "sexes": "other",
    }
    report = import_directory(
        manager,
        [
            ROW,
            bad,
            {**ROW, "service_name": "Otro", "service_code": "dup"},
            {
                **ROW,
                "service_name": "Otro más",
                "service_code": "dup",
            },
        ],
    )
    assert [(row, column) for row, column, _message in report.errors] == [
        (3, "dimension"),
        (3, "provider_type"),
        (3, "dimension"),
        (3, "max_age"),
        (3, "capacity_per_month"),
        (3, "target_response_days"),
        (3, "areas"),
        (3, "service_code"),
        (3, "sexes"),
        (5, "service_code"),
    ]
    assert not ServiceProvider.objects.exists() and not Service.objects.exists()


def test_a_dry_run_checks_and_writes_nothing(manager, areas):
    report = import_directory(manager, [ROW], dry_run=True)
    assert report.errors == [] and report.services_created == 0
    assert not ServiceProvider.objects.exists()


def test_only_directory_managers_import(manager):
    case_manager = factories.user(manager.organisation, Role.CASE_MANAGER)
    with pytest.raises(PermissionDenied):
        import_directory(case_manager, [ROW])
