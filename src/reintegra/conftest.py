from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.utils import translation

from reintegra.access.models import Organisation, Team, User
from reintegra.access.roles import Role
from reintegra.places.models import AdminArea
from reintegra.testing import factories


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Iterator[None]:
    """Code run outside a request (services, commands, serializers) speaks English in tests.

    Assertions read the English source strings. Without this, the language left active by the last
    request a worker served (Spanish by default, the site's language) would leak into the next test.
    Requests still choose their own language through LocaleMiddleware.
    """
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache: values another test computed are not its data."""
    cache.clear()
    yield


@pytest.fixture
def org(db: None) -> Organisation:
    return factories.organisation("oim-mx", country="MX", name="OIM México")


@pytest.fixture
def other_org(db: None) -> Organisation:
    return factories.organisation("ong-gt", country="GT", name="ONG Guatemala")


@pytest.fixture
def team(org: Organisation) -> Team:
    return factories.team(org, "Equipo Tijuana")


@pytest.fixture
def case_manager(org: Organisation, team: Team) -> User:
    return factories.user(org, Role.CASE_MANAGER, team=team, username="gestora", first_name="Ana", last_name="Pérez")


@pytest.fixture
def supervisor(org: Organisation, team: Team) -> User:
    return factories.user(org, Role.SUPERVISOR, team=team, username="supervisor")


@pytest.fixture
def other_case_manager(other_org: Organisation) -> User:
    return factories.user(other_org, Role.CASE_MANAGER, username="gestor-gt")


@pytest.fixture
def places(db: None) -> tuple[AdminArea, AdminArea]:
    state = AdminArea.objects.create(country="MX", level=1, code="BC", name="Baja California")
    muni = AdminArea.objects.create(country="MX", level=2, code="BC-TIJ", name="Tijuana", parent=state)
    return state, muni


@pytest.fixture
def other_supervisor(other_org: Organisation) -> User:
    return factories.user(other_org, Role.SUPERVISOR, username="supervisora-gt")


@pytest.fixture
def me_officer(org: Organisation) -> User:
    return factories.user(org, Role.ME_OFFICER, username="monitoreo")


@pytest.fixture
def coordinator(db: None) -> User:
    return factories.user(None, Role.COORDINATOR, username="comite")


@pytest.fixture
def dpo(org: Organisation) -> User:
    return factories.user(org, Role.DATA_PROTECTION_OFFICER, username="dpo")


@pytest.fixture
def psychologist(org: Organisation, team: Team) -> User:
    return factories.user(org, Role.CASE_MANAGER, team=team, username="psicologa", is_mental_health_professional=True)
