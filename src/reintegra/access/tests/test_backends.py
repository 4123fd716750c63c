import pytest
from django.contrib.auth import SESSION_KEY

from reintegra.access.backends import AccountBackend
from reintegra.access.models import RoleAssignment
from reintegra.access.roles import Capability, Role
from reintegra.testing import factories

pytestmark = pytest.mark.django_db


def test_the_user_comes_with_organisation_and_roles_in_one_statement(org, supervisor, django_assert_num_queries):
    RoleAssignment.objects.create(user=supervisor, role=Role.ME_OFFICER)
    with django_assert_num_queries(1):
        user = AccountBackend().get_user(supervisor.pk)
        assert user is not None
        assert user.organisation == org
        assert user.roles == frozenset({Role.SUPERVISOR, Role.ME_OFFICER})
        assert user.has_capability(Capability.VIEW_ORGANISATION_CASES)


def test_a_user_without_roles_or_organisation_has_none(django_assert_num_queries):
    user = factories.user(None)
    RoleAssignment.objects.filter(user=user).delete()
    with django_assert_num_queries(1):
        found = AccountBackend().get_user(user.pk)
        assert found is not None
        assert (found.organisation, found.roles) == (None, frozenset())


def test_inactive_and_unknown_users_are_not_signed_in(case_manager):
    case_manager.is_active = False
    case_manager.save(update_fields=["is_active"])
    assert AccountBackend().get_user(case_manager.pk) is None
    assert AccountBackend().get_user(10**9) is None


def test_a_signed_in_page_reads_the_user_once(client, case_manager, django_assert_max_num_queries):
    """Session, then the user with organisation and roles: no statement of its own for either afterwards."""
    client.force_login(case_manager)
    assert client.session[SESSION_KEY] == str(case_manager.pk)
    with django_assert_max_num_queries(12) as captured:
        assert client.get("/").status_code == 200
    statements = [query["sql"] for query in captured.captured_queries]
    assert not [sql for sql in statements if sql.startswith('SELECT "access_roleassignment"')]
    assert not [sql for sql in statements if sql.startswith('SELECT "access_organisation"') and "LIMIT" in sql]
    assert len([sql for sql in statements if 'FROM "access_user"' in sql and "access_organisation" in sql]) == 1
