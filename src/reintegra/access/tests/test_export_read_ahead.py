"""`exports.keyset_batches` reads the next batch in a second thread on PostgreSQL outside a transaction (the
export rate, issue 19), and the batches are the same as read one after the other."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from reintegra.access import exports
from reintegra.access.models import Organisation
from reintegra.testing.trail import empty_audit_tables


@pytest.fixture
def committed(transactional_db):
    """The reading thread has its own connection: it sees committed rows only, hence a transactional test; the
    audit rows the writes left are emptied after it (the flush would be refused by the trail's guard)."""
    yield
    empty_audit_tables()


def _batches(batch: int) -> list[list[tuple]]:
    return list(exports.keyset_batches(Organisation.objects.all(), ("code", "name"), batch=batch))


def test_the_batches_read_ahead_are_those_read_one_after_the_other(committed, monkeypatch):
    for n in range(11):
        Organisation.objects.create(code=f"ra-{n:02d}", name=f"Organización {n}", country="GT")

    ahead = _batches(3)
    monkeypatch.setattr(exports, "_can_read_ahead", lambda alias: False)
    one_by_one = _batches(3)

    assert ahead == one_by_one
    assert all(len(b) == 3 for b in ahead[:-1]) and 1 <= len(ahead[-1]) <= 3
    assert sum(len(b) for b in ahead) == Organisation.objects.count()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="read-ahead is PostgreSQL's")
def test_on_postgresql_the_next_batch_is_read_by_another_thread_which_closes_its_connection(committed, monkeypatch):
    for n in range(7):
        Organisation.objects.create(code=f"rb-{n:02d}", name=f"Organización {n}", country="GT")
    threads: list[str] = []
    real_values_list = type(Organisation.objects.all()).values_list

    def spy(self, *fields, **kwargs):
        threads.append(threading.current_thread().name)
        return real_values_list(self, *fields, **kwargs)

    monkeypatch.setattr(type(Organisation.objects.all()), "values_list", spy)
    batches = _batches(2)
    assert sum(len(b) for b in batches) == Organisation.objects.count()
    assert threads[0] == threading.current_thread().name  # the first batch: the caller's own read
    assert all(name.startswith("export-read-ahead") for name in threads[1:]) and len(threads) > 1
    assert not any(t.name.startswith("export-read-ahead") for t in threading.enumerate())


@pytest.mark.django_db
def test_inside_a_transaction_no_other_connection_is_used(monkeypatch):
    """The caller's uncommitted rows are invisible to another connection: read them one batch after another."""
    for n in range(5):
        Organisation.objects.create(code=f"rc-{n:02d}", name=f"Organización {n}", country="GT")

    def no_thread(*args, **kwargs):
        raise AssertionError("a second connection inside a transaction")

    monkeypatch.setattr(exports, "ThreadPoolExecutor", no_thread)
    batches = _batches(2)
    assert sum(len(b) for b in batches) == Organisation.objects.count()
