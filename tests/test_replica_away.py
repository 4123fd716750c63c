"""Issue 19: `DATABASE_REPLICA_URL` set but the replica cannot be reached. Its reads fall back to the primary (one
warning without the connection's address or anything personal, then a pause before trying again) and `/readyz`
says "degraded" instead of failing. No real replica: the alias points at a port nobody listens on."""

from __future__ import annotations

import logging
import socket
import types

import pytest
from django.db import connections

from reintegra import replica


def _connect(self) -> None:
    """What Django's `ensure_connection` does. pytest-django and Django's test cases replace that method to forbid
    connecting to a database the test did not declare; the replica here is no test database, and connecting to
    it (and failing) is the point."""
    if self.connection is None:
        with self.wrap_database_errors:
            self.connect()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends: connections are refused


@pytest.fixture
def replica_away(monkeypatch):
    """A "replica" alias, as `settings.database` builds it, at a closed port of this machine."""
    config = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "reintegra",
        "USER": "reader",
        "PASSWORD": "not-logged",
        "HOST": "127.0.0.1",
        "PORT": str(_closed_port()),
        "OPTIONS": {"connect_timeout": 2},
    }
    filled = connections.configure_settings({"default": dict(connections.settings["default"]), "replica": config})
    connections.settings[replica.REPLICA] = filled[replica.REPLICA]
    monkeypatch.setattr(replica, "configured", lambda: True)
    away = connections[replica.REPLICA]
    monkeypatch.setattr(away, "ensure_connection", types.MethodType(_connect, away))
    replica.mark_reachable()
    yield
    replica.mark_reachable()
    del connections[replica.REPLICA]
    del connections.settings[replica.REPLICA]


def test_reads_fall_back_to_the_primary_and_retry_after_a_pause(replica_away, settings, monkeypatch, caplog):
    settings.REINTEGRA_REPLICA_RETRY_SECONDS = 30
    attempts = []
    connect = connections[replica.REPLICA].ensure_connection

    def counted() -> None:
        attempts.append(1)
        connect()

    monkeypatch.setattr(connections[replica.REPLICA], "ensure_connection", counted)
    with caplog.at_level(logging.WARNING, logger="reintegra.replica"), replica.reading_from_replica():
        assert replica.read_alias() == "default"
        assert replica.ReplicaRouter().db_for_read(object) == "default"
    assert len(attempts) == 1  # the second read did not wait for the replica again
    (record,) = [r for r in caplog.records if r.name == "reintegra.replica"]
    assert record.getMessage() == "read replica unreachable (OperationalError): reading from the primary for 30 s"
    assert "127.0.0.1" not in record.getMessage() and "reader" not in record.getMessage()

    # After the pause the next read tries the replica again (still away: the primary again).
    monkeypatch.setattr(replica.time, "monotonic", lambda: float("inf"))
    with replica.reading_from_replica():
        assert replica.read_alias() == "default"
    assert len(attempts) == 2


@pytest.mark.django_db(transaction=True)  # outside a transaction: the router would send these reads to the replica
def test_a_page_reading_the_replica_is_served_from_the_primary(transactional_db, replica_away, client):
    answer = client.get("/estadisticas/")
    assert answer.status_code == 200
    assert connections[replica.REPLICA].connection is None


@pytest.mark.django_db
def test_readyz_says_degraded_not_500(db, replica_away, client):
    answer = client.get("/readyz")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "degraded" and body["replica"] == "unavailable" and body["database"] == "ok"
