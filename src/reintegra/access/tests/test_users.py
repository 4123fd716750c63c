import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from reintegra.access import services
from reintegra.access.models import Organisation, RoleAssignment, Team, User
from reintegra.access.roles import Capability, Role
from reintegra.testing import factories

pytestmark = pytest.mark.django_db

PASSWORD = "lluvia-en-tegucigalpa-42"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_create_organisation():
    org = services.create_organisation(" OIM-SV ", "OIM El Salvador", "sv", retention_months=36)
    assert (org.code, org.country.code, org.retention_months) == ("oim-sv", "SV", 36)
    with pytest.raises(ValidationError) as err:
        services.create_organisation("oim-sv", "Otra", "SV")
    assert "already exists" in str(err.value)
    with pytest.raises(ValidationError) as err:
        services.create_organisation("oim-xx", "Nada", "XX")
    assert "country" in err.value.message_dict
    with pytest.raises(ValidationError):
        services.create_organisation("código con espacios", "Nada", "MX")
    assert Organisation.objects.count() == 1


def test_only_a_system_administrator_creates_organisations(org, case_manager):
    admin = factories.user(None, Role.ADMIN)
    assert services.create_organisation("ong-sv", "ONG SV", "SV", actor=admin).pk
    with pytest.raises(PermissionDenied):
        services.create_organisation("ong-hn", "ONG HN", "HN", actor=case_manager)


def test_create_user(org, team):
    user = services.create_user(
        "lucia",
        org,
        ["case_manager", Role.SUPERVISOR],
        team=team,
        password=PASSWORD,
        is_mental_health_professional=True,
    )
    user = User.objects.get(pk=user.pk)
    assert user.check_password(PASSWORD)
    assert user.roles == {Role.CASE_MANAGER, Role.SUPERVISOR}
    assert (user.organisation, user.team, user.is_mental_health_professional) == (org, team, True)
    assert user.has_capability(Capability.SEE_HEALTH)


def test_create_user_without_password_cannot_log_in(org):
    user = services.create_user("sin-clave", org, "me_officer")
    assert not user.has_usable_password()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"roles": ["jefe"]}, "roles"),
        ({"roles": []}, "roles"),
        ({"password": "123456789012"}, "password"),  # numeric
        ({"password": "corta"}, "password"),  # too short
        ({"username": "   "}, "username"),
        ({"username": "con espacio"}, "username"),
    ],
)
def test_create_user_validation(org, kwargs, field):
    values = {"username": "nuevo", "organisation": org, "roles": ["case_manager"], "password": PASSWORD}
    values.update(kwargs)
    with pytest.raises(ValidationError) as err:
        services.create_user(**values)
    assert field in err.value.message_dict
    assert not User.objects.filter(username="nuevo").exists()


def test_unknown_role_message_lists_the_roles(org):
    with pytest.raises(ValidationError) as err:
        services.create_user("x", org, ["jefe"])
    message = err.value.message_dict["roles"][0]
    assert "jefe" in message and "case_manager" in message


def test_team_must_belong_to_the_organisation(org, other_org):
    foreign = factories.team(other_org, "Equipo Guatemala")
    with pytest.raises(ValidationError) as err:
        services.create_user("x", org, ["case_manager"], team=foreign)
    assert "team" in err.value.message_dict


def test_username_is_unique_ignoring_case(org, case_manager):
    with pytest.raises(ValidationError) as err:
        services.create_user("GESTORA", org, ["case_manager"])
    assert "username" in err.value.message_dict


def test_programme_manager_manages_own_organisation_only(org, other_org):
    pm = factories.user(org, Role.PROGRAMME_MANAGER)
    user = services.create_user("nueva", org, ["case_manager"], actor=pm)
    assert user.organisation == org
    with pytest.raises(PermissionDenied):
        services.create_user("ajena", other_org, ["case_manager"], actor=pm)
    for role in ("admin", "coordinator"):
        with pytest.raises(PermissionDenied):
            services.create_user(f"escala-{role}", org, [role], actor=pm)
    team = services.create_team(org, "Equipo Mexicali", actor=pm)
    assert team.organisation == org
    with pytest.raises(PermissionDenied):
        services.create_team(other_org, "Equipo", actor=pm)


def test_case_manager_cannot_manage_users(org, case_manager):
    with pytest.raises(PermissionDenied):
        services.create_user("nueva", org, ["case_manager"], actor=case_manager)
    with pytest.raises(PermissionDenied):
        services.set_roles(case_manager, ["supervisor"], actor=case_manager)


def test_create_team_unique_per_organisation(org, team):
    with pytest.raises(ValidationError):
        services.create_team(org, "equipo tijuana")
    assert Team.objects.filter(organisation=org).count() == 1


def test_set_roles(org, case_manager):
    assert case_manager.roles == {Role.CASE_MANAGER}
    services.set_roles(case_manager, ["supervisor", "me_officer"])
    assert case_manager.roles == {Role.SUPERVISOR, Role.ME_OFFICER}  # cached roles refreshed
    assert set(RoleAssignment.objects.filter(user=case_manager).values_list("role", flat=True)) == {
        "supervisor",
        "me_officer",
    }
    with pytest.raises(ValidationError):
        services.set_roles(case_manager, ["nope"])


def test_non_admin_cannot_remove_a_platform_role(org):
    pm = factories.user(org, Role.PROGRAMME_MANAGER)
    coordinator = factories.user(org, Role.COORDINATOR)
    with pytest.raises(PermissionDenied):
        services.set_roles(coordinator, ["case_manager"], actor=pm)
