import pytest
from django.utils import translation

from reintegra.access.roles import Role
from reintegra.testing import factories


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Code run outside a request (services, commands, serializers) speaks English in tests.

    Assertions read the English source strings. Without this, the language left active by the last
    request a worker served (Spanish by default, the site's language) would leak into the next test.
    Requests still choose their own language through LocaleMiddleware.
    """
    with translation.override("en"):
        yield


@pytest.fixture
def org(db):
    return factories.organisation("oim-mx", country="MX", name="OIM México")


@pytest.fixture
def other_org(db):
    return factories.organisation("ong-gt", country="GT", name="ONG Guatemala")


@pytest.fixture
def team(org):
    return factories.team(org, "Equipo Tijuana")


@pytest.fixture
def case_manager(org, team):
    return factories.user(org, Role.CASE_MANAGER, team=team, username="gestora", first_name="Ana", last_name="Pérez")


@pytest.fixture
def supervisor(org, team):
    return factories.user(org, Role.SUPERVISOR, team=team, username="supervisor")


@pytest.fixture
def other_case_manager(other_org):
    return factories.user(other_org, Role.CASE_MANAGER, username="gestor-gt")
