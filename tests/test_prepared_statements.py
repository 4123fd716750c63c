"""Issue 19: the statements `reintegra.prepared_statements.prepared()` names are prepared on PostgreSQL (planned
once per connection), and no other statement is (a generic plan can be far worse than a custom one)."""

from __future__ import annotations

import pytest
from django.db import connection

from reintegra import prepared_statements
from reintegra.access.backends import AccountBackend
from reintegra.cases import selectors
from reintegra.settings.database import PREPARED, databases
from reintegra.testing import factories

PG = "postgres://reintegra:secret@db.example.org:5432/reintegra"
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")


@pytest.mark.parametrize(
    ("environ", "prepared"),
    [
        ({}, True),
        ({"REINTEGRA_DB_PREPARED": "off"}, False),
        ({"REINTEGRA_DB_PREPARED": "0"}, False),
        ({"REINTEGRA_PGBOUNCER": "1"}, False),  # pgbouncer hands the next transaction another server connection
    ],
)
def test_postgresql_prepares_unless_behind_pgbouncer_or_turned_off(environ, prepared):
    assert databases({"DATABASE_URL": PG, **environ}, "")["default"][PREPARED] is prepared


def test_sqlite_has_nothing_to_prepare(tmp_path):
    assert not databases({}, f"sqlite:///{tmp_path / 'db.sqlite3'}")["default"].get(PREPARED)


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_a_case_reads_the_same_inside_and_outside(org, case_manager):
    case = factories.case(case_manager, case_manager=case_manager)
    with prepared_statements.prepared():
        inside = selectors.get_case(case_manager, case.pk)
    assert inside == case and inside.returnee == case.returnee
    assert selectors.get_case(case_manager, case.pk).case_number == inside.case_number


@on_postgresql
@pytest.mark.django_db
def test_only_the_named_statements_are_prepared(org, case_manager):
    case = factories.case(case_manager, case_manager=case_manager)
    factory = type(connection.connection.cursor())
    for _ in range(3):  # the same statement again is the same prepared statement
        selectors.get_case(case_manager, case.pk)
        AccountBackend().get_user(case_manager.pk)
    assert selectors.holds_cases(case_manager)  # a `LIMIT 1` by case manager: never prepared
    statements = _prepared_statements()
    assert len([sql for sql in statements if '"cases_case"."id" = $' in sql and '"cases_household"' in sql]) == 1
    assert len([sql for sql in statements if 'FROM "access_user"' in sql and "access_roleassignment" in sql]) == 1
    assert not [sql for sql in statements if "LIMIT 1" in sql]
    assert type(connection.connection.cursor()) is factory  # outside `prepared()`, the connection is as it was
