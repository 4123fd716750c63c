"""`exports.keyset_batches` reads the batches in a second thread on PostgreSQL outside a transaction, ahead of the
one being written (the export rate, issue 19); the batches are the same as read one after the other, and the
thread and its connection are gone when the export ends, fails or is abandoned."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection

from reintegra.access import exports
from reintegra.access.models import Organisation
from reintegra.testing.trail import empty_audit_tables

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="read-ahead is PostgreSQL's")


@pytest.fixture
def committed(transactional_db):
    """The reading thread has its own connection: it sees committed rows only, hence a transactional test; the
    audit rows the writes left are emptied after it (the flush would be refused by the trail's guard)."""
    yield
    empty_audit_tables()


def _batches(batch: int) -> list[list[tuple]]:
    return list(exports.keyset_batches(Organisation.objects.all(), ("code", "name"), batch=batch))


def _organisations(prefix: str, count: int) -> None:
    for n in range(count):
        Organisation.objects.create(code=f"{prefix}-{n:02d}", name=f"Organización {n}", country="GT")


def _readers() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith("export-read-ahead")]


@dataclass(frozen=True)
class _Read:
    thread: str
    raw: Any  # the driver's connection
    parallel_workers: str
    merge_joins: str


@pytest.fixture
def reading(monkeypatch):
    """Each batch's read (PostgreSQL): its thread, the driver's connection, the parallel workers and merge joins
    allowed."""
    reads: list[_Read] = []
    real_fetch = exports._fetch

    def noting(query):
        with connection.cursor() as cursor:  # the calling thread's own connection: the batch's
            cursor.execute("SHOW max_parallel_workers_per_gather")
            workers = cursor.fetchone()[0]
            cursor.execute("SHOW enable_mergejoin")
            reads.append(_Read(threading.current_thread().name, connection.connection, workers, cursor.fetchone()[0]))
        return real_fetch(query)

    monkeypatch.setattr(exports, "_fetch", noting)
    return reads


def _all_closed(reads: list[_Read]) -> bool:
    return bool(reads) and all(read.raw.closed for read in reads if read.raw is not connection.connection)


def _setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


def _parallel_workers() -> str:
    return _setting("max_parallel_workers_per_gather")


def test_the_batches_read_ahead_are_those_read_one_after_the_other(committed, monkeypatch):
    _organisations("ra", 11)

    ahead = _batches(3)
    monkeypatch.setattr(exports, "_can_read_ahead", lambda alias: False)
    one_by_one = _batches(3)

    assert ahead == one_by_one
    assert all(len(b) == 3 for b in ahead[:-1]) and 1 <= len(ahead[-1]) <= 3
    assert sum(len(b) for b in ahead) == Organisation.objects.count()


@on_postgresql
def test_on_postgresql_the_batches_are_read_by_another_thread_which_closes_its_connection(committed, reading):
    _organisations("rb", 7)
    default = _parallel_workers()
    batches = _batches(2)
    assert sum(len(b) for b in batches) == Organisation.objects.count()
    assert len(reading) == len(batches) + (len(batches[-1]) == 2)  # the last batch full: one more, empty, query
    assert reading[0].thread == threading.current_thread().name  # the first batch: the caller's own read
    assert reading[0].raw is connection.connection
    assert all(read.thread.startswith("export-read-ahead") for read in reading[1:]) and len(reading) > 1
    assert not _readers() and _all_closed(reading)
    # no parallel workers for any batch, set for the batch's own transaction only (`SET LOCAL`): a pooled
    # connection serves other requests next
    assert {read.parallel_workers for read in reading} == {"0"}
    assert _parallel_workers() == default != "0"
    # nor merge joins, which would walk a joined table's index from its start to each batch's key
    assert {read.merge_joins for read in reading} == {"off"}
    assert _setting("enable_mergejoin") == "on"

    reading.clear()
    assert len(_batches(Organisation.objects.count() + 1)) == 1
    assert [read.raw for read in reading] == [connection.connection]  # one batch, not full: no other connection


@on_postgresql
def test_an_error_while_writing_or_a_download_left_unfinished_stops_the_reading_thread(committed, reading):
    """The consumer fails (or the client goes away) after the first batch, with the reading thread still
    reading ahead: the thread is stopped and joined and its connection closed, no cursor left open."""
    _organisations("rd", 9)
    batches = exports.keyset_columns(Organisation.objects.all(), ("code",), batch=2)
    with pytest.raises(ZeroDivisionError):
        for _columns in batches:
            assert _readers()  # reading ahead while this batch is written
            raise ZeroDivisionError  # the writing fails mid-export
    batches.close()  # what dropping the generator does
    assert not _readers() and _all_closed(reading)

    table = exports.Table(
        "orgs",
        [exports.Column("code", "code")],
        exports.ColumnBatches(
            [columns[1]] for columns in exports.keyset_columns(Organisation.objects.all(), ("code",), batch=2)
        ),
        "organisations",
        "access.organisation",
    )
    chunks = iter(exports.csv_chunks(table.columns, table.rows))
    next(chunks), next(chunks)  # the header, the first batch: then the client goes away
    chunks.close()
    assert not _readers() and _all_closed(reading)

    rows = iter(exports.ColumnBatches(exports.keyset_columns(Organisation.objects.all(), ("code",), batch=2)))
    next(rows)  # row by row (an XLSX): the first row, then an error while writing it
    rows.close()  # type: ignore[attr-defined]
    assert not _readers() and _all_closed(reading)


@on_postgresql
def test_an_error_in_the_reading_thread_is_raised_to_the_writer(committed, reading, monkeypatch):
    _organisations("re", 7)
    noting = exports._fetch  # the `reading` fixture's

    def failing(query):
        if len(reading) == 1:
            raise RuntimeError("the database went away")
        return noting(query)

    monkeypatch.setattr(exports, "_fetch", failing)
    with pytest.raises(RuntimeError, match="went away"):
        list(exports.keyset_batches(Organisation.objects.all(), ("code",), batch=2))
    assert not _readers() and _all_closed(reading)


@pytest.mark.django_db
def test_inside_a_transaction_no_other_connection_is_used(monkeypatch):
    """The caller's uncommitted rows are invisible to another connection: read them one batch after another."""
    _organisations("rc", 5)

    def no_thread(*args, **kwargs):
        raise AssertionError("a second connection inside a transaction")

    monkeypatch.setattr(exports, "_read_ahead", no_thread)
    batches = _batches(2)
    assert sum(len(b) for b in batches) == Organisation.objects.count()


@pytest.mark.django_db
def test_a_query_that_cannot_match_reads_nothing():
    assert list(exports.keyset_columns(Organisation.objects.filter(pk__in=[]), ("code",))) == []
