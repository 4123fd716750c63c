"""Issue 19: the migrations adding the organisation key to the rows below a case fill it from the parent, set-based,
for rows written before them. The rows are written through today's services, the key columns are removed by
migrating back, and migrating forward fills them again: every row holds its parent's organisation, and the
database guards are back. Runs on SQLite and PostgreSQL (DATABASE_URL)."""

import pytest
from django.apps import apps
from django.db import connection
from tests.test_protection_migrations import latest, migrate

from reintegra.access.roles import Role
from reintegra.testing import factories
from reintegra.testing.personal_records import build_everything
from reintegra.testing.trail import empty_audit_tables

BEFORE_KEY = [
    ("cases", "0015_case_search_token"),
    ("sustainability", "0004_versions_for_concurrency"),
    ("referrals", "0009_service_public_contact"),
]
KEYED = [model for model in apps.get_models() if getattr(model, "organisation_from", None)]
# The case search tokens were written with their case's organisation from the start (cases.0015): the key
# migration only adds the database's guard to them.
GUARDED_ONLY = {"cases_casesearchtoken"}


@pytest.fixture
def trail_emptied_after(transactional_db):
    yield
    empty_audit_tables()


def _parents() -> dict[str, dict[int, int]]:
    """Per keyed table: row id -> its parent's organisation, read through the parent."""
    found = {}
    for model in KEYED:
        field = model._meta.get_field(model.organisation_from)
        found[model._meta.db_table] = dict(
            model._base_manager.values_list("pk", f"{field.name}__organisation_id")  # type: ignore[arg-type]
        )
    return found


def _columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {column.name for column in connection.introspection.get_table_description(cursor, table)}


def _keys(model) -> dict[object, int]:
    """Per row: the organisation stored in the row itself."""
    return dict(model._base_manager.values_list("pk", "organisation_id"))


def test_rows_written_before_the_key_get_their_parents_organisation(trail_emptied_after):
    build_everything()
    manager = factories.user(factories.organisation("org-mig"), Role.CASE_MANAGER)
    factories.agreed_case(manager)  # a second organisation's rows
    expected = _parents()
    assert sum(len(rows) for rows in expected.values()) > 50
    assert len({org for rows in expected.values() for org in rows.values()}) >= 2
    try:
        migrate(BEFORE_KEY)
        assert all("organisation_id" not in _columns(table) for table in set(expected) - GUARDED_ONLY)
    finally:
        migrate(latest())
    for model in KEYED:
        assert _keys(model) == expected[model._meta.db_table], model._meta.db_table
