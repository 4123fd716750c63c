"""Issue 19: DATABASES from the environment (reintegra.settings.database) and the replica router
(reintegra.replica) — the pool, pgbouncer, the replica alias, and which alias a read or a write goes to."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory

from reintegra import replica
from reintegra.settings.database import databases, parse_pool

PG = "postgres://reintegra:secret@db.example.org:5432/reintegra"
SQLITE = "sqlite:////tmp/reintegra-settings-test/reintegra.sqlite3"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", None), ("off", None), ("0", None), ("2,10", (2, 10)), (" 4 , 4 ", (4, 4)), ("8", (1, 8)), ("0,5", (0, 5))],
)
def test_pool_sizes(value, expected):
    assert parse_pool(value) == expected


@pytest.mark.parametrize("value", ["ten", "5,2", "1,2,3", "-1,4", "2,"])
def test_bad_pool_sizes_are_refused_at_start(value):
    with pytest.raises(ImproperlyConfigured, match="REINTEGRA_DB_POOL"):
        parse_pool(value)


def test_postgresql_without_a_pool_keeps_persistent_connections():
    found = databases({"DATABASE_URL": PG}, SQLITE)
    assert set(found) == {"default"}
    default = found["default"]
    assert default["CONN_MAX_AGE"] == 60 and "pool" not in default["OPTIONS"]
    assert not default.get("DISABLE_SERVER_SIDE_CURSORS")


def test_the_pool_goes_through_django_options_with_conn_max_age_zero():
    default = databases({"DATABASE_URL": PG, "REINTEGRA_DB_POOL": "2,10"}, SQLITE)["default"]
    assert default["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 10, "timeout": 10}
    assert default["CONN_MAX_AGE"] == 0  # Django refuses a pool with persistent connections


def test_pgbouncer_turns_server_side_cursors_off():
    default = databases({"DATABASE_URL": PG, "REINTEGRA_PGBOUNCER": "1"}, SQLITE)["default"]
    assert default["DISABLE_SERVER_SIDE_CURSORS"] is True


def test_sqlite_ignores_the_pool_and_has_no_replica(tmp_path):
    found = databases({"REINTEGRA_DB_POOL": "2,10"}, f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert set(found) == {"default"}
    assert found["default"]["CONN_MAX_AGE"] == 60 and "pool" not in found["default"]["OPTIONS"]
    assert "journal_mode=WAL" in found["default"]["OPTIONS"]["init_command"]


def test_the_replica_alias_shares_the_pool_and_mirrors_default_in_tests():
    found = databases(
        {
            "DATABASE_URL": PG,
            "DATABASE_REPLICA_URL": "postgres://reader@replica.example.org:5432/reintegra",
            "REINTEGRA_DB_POOL": "1,4",
        },
        SQLITE,
    )
    assert set(found) == {"default", "replica"}
    assert found["replica"]["HOST"] == "replica.example.org" and found["replica"]["USER"] == "reader"
    assert found["replica"]["OPTIONS"]["pool"]["max_size"] == 4
    assert found["replica"]["TEST"] == {"MIRROR": "default"}


@pytest.mark.parametrize(
    "environ",
    [
        {"DATABASE_REPLICA_URL": "postgres://r@replica/reintegra"},  # SQLite primary
        {"DATABASE_URL": PG, "DATABASE_REPLICA_URL": SQLITE},
    ],
)
def test_a_replica_needs_postgresql_on_both_sides(environ):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_REPLICA_URL"):
        databases(environ, SQLITE)


# --- the router ---------------------------------------------------------------------------------------------


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr(replica, "configured", lambda: True)
    monkeypatch.setattr(replica, "reachable", lambda: True)  # routing only: a replica away is test_replica_away's


def test_without_a_replica_everything_reads_the_primary():
    router = replica.ReplicaRouter()
    with replica.reading_from_replica():
        assert router.db_for_read(object) == "default"


def test_only_reads_inside_reading_from_replica_go_to_the_replica(with_replica):
    router = replica.ReplicaRouter()
    assert router.db_for_read(object) == "default"
    with replica.reading_from_replica():
        assert router.db_for_read(object) == "replica"
        assert router.db_for_write(object) == "default"
        with replica.pinned_to_primary():
            assert router.db_for_read(object) == "default"
    assert router.db_for_read(object) == "default"


def test_the_decorator_form_routes_the_view_body(with_replica):
    @replica.reading_from_replica()
    def view() -> str:
        return replica.read_alias()

    assert view() == "replica" and replica.read_alias() == "default"


def test_migrations_only_on_the_primary():
    router = replica.ReplicaRouter()
    assert router.allow_migrate("default", "cases") and not router.allow_migrate("replica", "cases")


@pytest.mark.django_db
def test_inside_a_transaction_of_the_primary_reads_stay_there(with_replica):
    # pytest-django's test runs inside a transaction: a service reading what it is about to write.
    with replica.reading_from_replica():
        assert replica.read_alias() == "default"


def test_streamed_rows_keep_the_pinning_of_the_request(with_replica):
    seen = []

    def rows():
        for i in range(2):
            seen.append(replica.read_alias())
            yield i

    with replica.pinned_to_primary():
        pinned = replica.streamed(rows())
    assert list(replica.streamed(rows())) == [0, 1] and list(pinned) == [0, 1]
    assert seen == ["replica", "replica", "default", "default"]


def test_a_write_pins_the_browser_to_the_primary_for_a_few_seconds(with_replica, settings):
    settings.REINTEGRA_REPLICA_STICKY_SECONDS = 15
    aliases = []

    def view(request):
        with replica.reading_from_replica():
            aliases.append(replica.read_alias())
        return HttpResponse("ok")

    middleware = replica.ReplicaStickinessMiddleware(view)
    factory = RequestFactory()
    assert replica.STICKY_COOKIE not in middleware(factory.get("/")).cookies
    posted = middleware(factory.post("/"))
    cookie = posted.cookies[replica.STICKY_COOKIE]
    assert cookie["max-age"] == 15 and cookie["httponly"]
    request = factory.get("/")
    request.COOKIES[replica.STICKY_COOKIE] = cookie.value
    middleware(request)
    request = factory.get("/")
    request.COOKIES[replica.STICKY_COOKIE] = "not-a-time"
    middleware(request)
    assert aliases == ["replica", "replica", "default", "replica"]
