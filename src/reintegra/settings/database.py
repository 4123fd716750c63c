"""DATABASES from the environment (docs/deploy.md "Database connections").

- `DATABASE_URL`: the primary (default: the embedded SQLite file under `var/`).
- `REINTEGRA_DB_POOL=min,max` (PostgreSQL only): psycopg's connection pool in each process, through Django's
  `OPTIONS["pool"]`; the pool keeps the connections, so `CONN_MAX_AGE` is 0. Off when unset or "off".
- `REINTEGRA_PGBOUNCER=1`: the database is reached through pgbouncer in transaction pooling: no server-side
  cursors (a cursor would outlive the transaction that pgbouncer gives back to another client).
- `REINTEGRA_DB_PREPARED` (PostgreSQL, default on; "0" or "off" turns it off): the few statements that
  `reintegra.prepared_statements` names are prepared once per connection (docs/scaling.md "Prepared statements").
  Off behind pgbouncer.
- `DATABASE_REPLICA_URL`: a streaming replica of the primary, the "replica" alias that `reintegra.replica`
  sends dashboards, statistics, exports and indicator computation to (PostgreSQL only).

Pure functions of a mapping, so the parsing is tested without reloading the settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

POSTGRESQL = "django.db.backends.postgresql"
SQLITE = "django.db.backends.sqlite3"
REPLICA = "replica"
# Seconds a request waits for a free pooled connection before failing (psycopg_pool's own default is 30).
POOL_TIMEOUT = 10
# Seconds spent trying to reach the replica before its reads fall back to the primary (reintegra.replica): a
# replica behind a dropped route must not hold a dashboard for libpq's default of forever.
REPLICA_CONNECT_TIMEOUT = 3
TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}
# The key of a database's settings that lets `reintegra.prepared_statements` prepare statements on it.
PREPARED = "PREPARED_STATEMENTS"


def parse_pool(value: str) -> tuple[int, int] | None:
    """ "min,max" (or "max" alone: min 1) → (min, max); "", "0" or "off" → None."""
    value = value.strip().lower()
    if value in {"", *FALSE}:
        return None
    parts = [part.strip() for part in value.split(",")]
    try:
        numbers = [int(part) for part in parts]
    except ValueError:
        raise ImproperlyConfigured(f"REINTEGRA_DB_POOL must be 'min,max' (two whole numbers), not {value!r}.") from None
    if len(numbers) == 1:
        numbers = [1, numbers[0]]
    if len(numbers) != 2 or not 0 <= numbers[0] <= numbers[1] or numbers[1] < 1:
        raise ImproperlyConfigured(f"REINTEGRA_DB_POOL must be 'min,max' with 0 <= min <= max, max >= 1: {value!r}.")
    return numbers[0], numbers[1]


def _postgresql(config: dict[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
    options = dict(config.get("OPTIONS") or {})
    pool = parse_pool(environ.get("REINTEGRA_DB_POOL", ""))
    if pool is not None:
        options["pool"] = {"min_size": pool[0], "max_size": pool[1], "timeout": POOL_TIMEOUT}
        config["CONN_MAX_AGE"] = 0  # Django refuses persistent connections with a pool: the pool keeps them
    behind_pgbouncer = environ.get("REINTEGRA_PGBOUNCER", "").strip().lower() in TRUE
    if behind_pgbouncer:
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
    # A statement prepared on one of pgbouncer's server connections is unknown to the next one it hands out.
    config[PREPARED] = not behind_pgbouncer and environ.get("REINTEGRA_DB_PREPARED", "").strip().lower() not in FALSE
    config["OPTIONS"] = options
    return config


def _sqlite(config: dict[str, Any]) -> dict[str, Any]:
    Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the demo server read while a background task writes.
    config["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    # Each process keeps its connection (60 s, as on PostgreSQL): a new one reads the whole schema again on its
    # first statement and runs the pragmas, about 6 ms of CPU, a third of a served page (docs/scaling.md).
    return config


def _parse(url: str, environ: Mapping[str, str]) -> dict[str, Any]:
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    if config["ENGINE"] == SQLITE:
        return _sqlite(config)
    if config["ENGINE"] == POSTGRESQL:
        return _postgresql(config, environ)
    return config


def databases(environ: Mapping[str, str], default_url: str) -> dict[str, dict[str, Any]]:
    """The DATABASES setting: "default" always, "replica" when `DATABASE_REPLICA_URL` names one."""
    found = {"default": _parse(environ.get("DATABASE_URL") or default_url, environ)}
    replica_url = environ.get("DATABASE_REPLICA_URL", "").strip()
    if replica_url:
        if found["default"]["ENGINE"] != POSTGRESQL:
            raise ImproperlyConfigured("DATABASE_REPLICA_URL needs a PostgreSQL primary in DATABASE_URL.")
        replica = _parse(replica_url, environ)
        if replica["ENGINE"] != POSTGRESQL:
            raise ImproperlyConfigured("DATABASE_REPLICA_URL must name a PostgreSQL streaming replica.")
        # The test run reads the primary's test database through this alias (no second test database).
        replica["TEST"] = {"MIRROR": "default"}
        replica["OPTIONS"].setdefault("connect_timeout", REPLICA_CONNECT_TIMEOUT)
        if "pool" in replica["OPTIONS"]:
            replica["OPTIONS"]["pool"] = {**replica["OPTIONS"]["pool"], "timeout": REPLICA_CONNECT_TIMEOUT}
        found[REPLICA] = replica
    return found
