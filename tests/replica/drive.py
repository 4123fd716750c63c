"""Run by `test_streaming_replica.py` in its own process, with DATABASE_URL naming the primary and
DATABASE_REPLICA_URL its streaming replica: proves where each read and write goes (`reintegra.replica`).

Prints one JSON object of findings; any failed check raises (non-zero exit with the reason).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reintegra.settings.test")

import django

django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections, router  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from reintegra import replica  # noqa: E402
from reintegra.access.models import Programme  # noqa: E402
from reintegra.access.roles import Role  # noqa: E402

PASSWORD = "correct-horse-battery"
WRITES = ("INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP", "TRUNCATE")
LOG: dict[str, list[str]] = {"default": [], "replica": []}


def recorder(alias: str) -> Callable[..., Any]:
    def record(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        LOG[alias].append(sql)
        return execute(sql, params, many, context)

    return record


def scalar(alias: str, sql: str) -> Any:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def caught_up() -> bool:
    # The insert position, not pg_current_wal_lsn(): with synchronous_commit off (the test cluster) a commit
    # may still sit in the WAL buffers, past the written position the replica has already replayed.
    primary = scalar("default", "SELECT pg_current_wal_insert_lsn()::text")
    return bool(scalar("replica", f"SELECT pg_last_wal_replay_lsn() >= '{primary}'::pg_lsn"))


def wait_for_replica(timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not caught_up():
        if time.monotonic() > deadline:
            raise TimeoutError("the replica did not catch up")
        time.sleep(0.1)


def check(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def during(action: Callable[[], Any]) -> tuple[Any, dict[str, list[str]]]:
    """What `action` returned and the statements each database ran meanwhile."""
    marks = {alias: len(statements) for alias, statements in LOG.items()}
    result = action()
    return result, {alias: statements[marks[alias] :] for alias, statements in LOG.items()}


def main() -> dict[str, Any]:
    check(set(settings.DATABASES) == {"default", "replica"}, "DATABASE_REPLICA_URL adds the replica alias")
    check(bool(scalar("replica", "SELECT pg_is_in_recovery()")), "the replica is a hot standby")
    check(not router.allow_migrate("replica", "cases"), "migrations only on the primary")
    if os.environ.get("REINTEGRA_DB_POOL"):
        check(all(connections[alias].pool is not None for alias in LOG), "psycopg's pool on both aliases")
    # Tables straight from the models (as pytest-django's --nomigrations): migrating takes minutes on PostgreSQL.
    settings.MIGRATION_MODULES = {config.label: None for config in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0)
    from reintegra.monitoring import library
    from reintegra.monitoring.models import StandardIndicator
    from reintegra.testing import factories  # models are ready and their tables exist

    for entry in library.entries():  # what the migration 0002_standard_library loads
        values = library.fields(entry)
        StandardIndicator.objects.update_or_create(code=values.pop("code"), defaults=values)
    setup_test_environment()  # responses carry their template context
    org = factories.organisation("primero")
    factories.user(org, Role.COORDINATOR, username="coordina", password=PASSWORD)
    wait_for_replica()

    with ExitStack() as stack:
        for alias in LOG:
            stack.enter_context(connections[alias].execute_wrapper(recorder(alias)))
        return _scenario()


def _scenario() -> dict[str, Any]:
    from reintegra.testing import factories

    findings: dict[str, Any] = {}
    # The replica stops replaying: what is written now is on the primary only, so whichever database answers a
    # page shows itself in the page's figures.
    scalar("replica", "SELECT pg_wal_replay_pause()::text")
    factories.programme(factories.organisation("segundo", with_programme=False), code="nuevo")
    check(Programme.objects.count() == 2, "two programmes on the primary")

    client = Client()
    answer, ran = during(lambda: client.post(reverse("login"), {"username": "coordina", "password": PASSWORD}))
    check(answer.status_code == 302, f"login: {answer.status_code}")
    check(not ran["replica"], "a login reads and writes the primary only")
    check(replica.STICKY_COOKIE in client.cookies, "after a write the browser is pinned to the primary")

    dashboard = reverse("monitoring:cross_organisation")
    answer, ran = during(lambda: client.get(dashboard))
    check(answer.status_code == 200, f"dashboard after the login: {answer.status_code}")
    check(answer.context["programme_count"] == 2, "read after a write: the primary's two programmes")
    check(not ran["replica"], "read after a write: nothing read from the replica")
    findings["after_write"] = {"programmes": 2, "primary_queries": len(ran["default"]), "replica_queries": 0}

    del client.cookies[replica.STICKY_COOKIE]  # the sticky seconds have passed
    cache.clear()  # and the dashboard's cached figures (15 minutes) with them
    answer, ran = during(lambda: client.get(dashboard))
    check(answer.status_code == 200, f"dashboard: {answer.status_code}")
    check(answer.context["programme_count"] == 1, "the dashboard's figures come from the (paused) replica")
    check(any("counted" in sql for sql in ran["replica"]), "the indicators are computed on the replica")
    check(not any("counted" in sql for sql in ran["default"]), "no indicator is computed on the primary")
    check(any("django_session" in sql for sql in ran["default"]), "the session is read on the primary")
    findings["dashboard"] = {
        "programmes": 1,
        "primary_queries": len(ran["default"]),
        "replica_queries": len(ran["replica"]),
    }

    ready = client.get("/readyz").json()
    check(ready.get("replica") == "ok" and "replica_lag_seconds" in ready, f"/readyz reports the replica: {ready}")
    findings["readyz"] = ready

    rows, ran = during(lambda: list(replica.streamed(Programme.objects.order_by("pk").values_list("code", flat=True))))
    check(len(rows) == 1 and ran["replica"] and not ran["default"], "an export's rows stream from the replica")

    scalar("replica", "SELECT pg_wal_replay_resume()::text")
    wait_for_replica()
    cache.clear()
    answer, ran = during(lambda: client.get(dashboard))
    check(answer.context["programme_count"] == 2, "the replica, caught up, shows the new programme")
    check(bool(ran["replica"]), "caught up, the dashboard still reads the replica")

    writes = [sql for sql in LOG["replica"] if sql.lstrip().upper().startswith(WRITES)]
    check(not writes, f"writes never go to the replica: {writes[:3]}")
    check(any(sql.lstrip().upper().startswith("INSERT") for sql in LOG["default"]), "writes went to the primary")
    findings["replica_statements"] = len(LOG["replica"])
    findings["primary_statements"] = len(LOG["default"])
    return findings


if __name__ == "__main__":
    print(json.dumps(main()))
    sys.exit(0)
