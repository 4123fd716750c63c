"""Seeding empty tables on PostgreSQL drops their secondary indexes and foreign keys for the length of the seed
and builds them again, exactly, before the transaction ends; a failing seed leaves them as they were."""

from contextlib import contextmanager
from datetime import date

import pytest
from django.db import connection

from reintegra.cases.models import Case, CaseEvent, NameToken, Returnee
from reintegra.demo import fresh_load, parallel, seeding
from reintegra.testing import factories
from reintegra.testing.trail import empty_audit_tables

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the deferred build is PostgreSQL's")
SEEDED = [Returnee, Case, NameToken, CaseEvent]


@pytest.fixture
def committed(transactional_db):
    """Outside a test's transaction, as the seed command runs (inside one that already wrote rows, PostgreSQL
    refuses to alter their tables: the last test); the audit rows are emptied after (the flush would be refused)."""
    yield
    empty_audit_tables()


def definitions() -> tuple[list, list]:
    return fresh_load._definitions(connection, [model._meta.db_table for model in SEEDED])


@postgresql_only
def test_a_seed_into_empty_tables_builds_the_same_indexes_and_keys_and_its_rows_hold_them(committed, monkeypatch):
    used = []
    deferred_indexes = fresh_load.deferred_indexes

    def spy(conn, seeded):
        with deferred_indexes(conn, seeded) as deferred:
            used.append(deferred)
            yield deferred

    monkeypatch.setattr(fresh_load, "deferred_indexes", contextmanager(spy))
    pools = []
    pool = parallel.pool

    @contextmanager
    def counted(workers):
        pools.append((workers, connection.in_atomic_block))
        with pool(workers) as found:
            yield found

    monkeypatch.setattr(parallel, "pool", counted)
    before = definitions()
    assert before[0] and before[1], "the tables have secondary indexes and foreign keys to defer"
    result = seeding.seed(40, seed=2, as_of=date(2026, 6, 30), chunk_size=10, workers=1)
    assert result.cases == 40
    assert used == [True]
    # The fresh load's own transaction does not keep the generation in this process (it did: a third slower).
    assert pools == [(1, True)]
    assert Case.objects.count() == 40
    assert definitions() == before
    with connection.cursor() as cursor:  # every foreign key was checked when added back: none is left unchecked
        cursor.execute(
            "SELECT count(*) FROM pg_constraint"
            " WHERE contype = 'f' AND NOT convalidated AND conrelid = ANY(%s::regclass[])",
            [[model._meta.db_table for model in SEEDED]],
        )
        assert cursor.fetchone()[0] == 0


@postgresql_only
def test_inside_the_block_they_are_gone_and_a_failure_brings_them_back(committed):
    before = definitions()

    class Interrupted(Exception):
        pass

    with pytest.raises(Interrupted), fresh_load.deferred_indexes(connection, SEEDED) as deferred:
        assert deferred is True
        assert definitions() == ([], [])
        raise Interrupted
    assert definitions() == before


@postgresql_only
def test_tables_holding_rows_keep_their_indexes_and_keys(committed):
    org = factories.organisation()
    factories.case(factories.user(org))
    before = definitions()
    with fresh_load.deferred_indexes(connection, SEEDED) as deferred:
        assert deferred is False
        assert definitions() == before


@postgresql_only
@pytest.mark.django_db
def test_inside_a_transaction_that_wrote_rows_it_seeds_as_before():
    factories.user(factories.organisation())  # its deferred checks are pending until the test's transaction ends
    before = definitions()
    with fresh_load.deferred_indexes(connection, SEEDED) as deferred:
        assert deferred is False
        assert definitions() == before


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's path")
@pytest.mark.django_db
def test_sqlite_seeds_as_before():
    with fresh_load.deferred_indexes(connection, SEEDED) as deferred:
        assert deferred is False
