"""The whole suite's test databases (src/ and tests/): each is a copy of the run's migrated template database
(reintegra.testing.template_db), not a migration of its own. Otherwise pytest-django's own `django_db_setup`."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation
from hypothesis import HealthCheck, settings
from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup
from pytest_django.plugin import blocking_manager_key

from reintegra.testing import template_db

# How fast examples are generated or run depends on the machine's load, not on the code under test: on a busy
# two-core runner the `too_slow` health check and the per-example deadline failed property tests at random (a date
# round trip: "only 4 valid inputs after 1.22 seconds"). Speed targets are benchmarks (bench/), never tests.
settings.register_profile("reintegra", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("reintegra")


def pytest_configure(config: pytest.Config) -> None:
    """Under xdist the controller names the run as its workers do (PYTEST_XDIST_TESTRUNUID, which xdist only sets in
    the workers): without it, the controller's `pytest_sessionfinish` looked for the run's files and PostgreSQL
    template under its own process id and left them behind."""
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        return
    config.option.testrunuid = config.option.testrunuid or uuid.uuid4().hex
    os.environ["PYTEST_XDIST_TESTRUNUID"] = config.option.testrunuid


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker,
    django_db_use_migrations: bool,
    django_db_keepdb: bool,
    django_db_createdb: bool,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    from django.test.utils import setup_databases, teardown_databases

    keepdb = django_db_keepdb and not django_db_createdb
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    copy = template_db.databases_from_template()
    if not django_db_use_migrations:  # --nomigrations: the tables straight from the models, no template
        _disable_migrations()
        copy = contextlib.nullcontext()
    with django_db_blocker.unblock(), copy:
        db_cfg = setup_databases(
            verbosity=request.config.option.verbose,
            interactive=False,
            aliases=aliases,
            serialized_aliases=serialized_aliases,
            keepdb=keepdb,
        )
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(db_cfg, verbosity=request.config.option.verbose)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The run's PostgreSQL template goes with the run (the xdist controller, or the only process)."""
    if hasattr(session.config, "workerinput"):
        return
    from django.db import connection

    template_db.drop_run_files()
    if connection.vendor == "postgresql":
        with session.config.stash[blocking_manager_key].unblock():
            template_db.drop_postgres_template(connection)


# The files whose tests take longest (the durations of a whole run, `--durations=80`), started first, so that the run
# ends on short tests on both workers rather than on one long test while the other waits. Transactional tests stay
# after the others (pytest-django's order: their flush empties what the migrations wrote). xdist's `--dist
# worksteal` must not be used: a worker that has run its transactional tests would steal the other's plain ones and
# run them on a flushed database (a whole run failed 105 tests so: no ISCO codes, no RSS instrument, no library).
SLOW_FIRST = (
    "tests/security/test_encryption_at_rest_migrations.py",  # replays the migrations for RUN_LATE's tests too
    "src/reintegra/handover/tests/test_two_installations.py",
    "tests/test_local_formats_sweep.py",
    "tests/test_serve.py",
    "tests/security/test_api_schemathesis.py",
    "tests/browser/",
    "tests/test_permission_matrix.py",
    "src/reintegra/demo/tests/",
    "src/reintegra/community/tests/test_demo.py",
    "src/reintegra/reception/tests/test_demo.py",
    "src/reintegra/public/tests/test_demo.py",
    "src/reintegra/access/tests/test_commands.py",
    "src/reintegra/sustainability/tests/test_permissions.py",
    "src/reintegra/referrals/tests/test_permissions.py",
    "src/reintegra/children/tests/test_tracing_permissions.py",
)

# The other readers of the run's one replay of the migrations (tests/conftest.py's `migration_round_trip`, replayed
# by the first test above): last among the plain tests, so that the worker they go to reads the replay's result
# instead of waiting for it (or replaying it again, as each worker did when the replay was once per worker).
RUN_LATE = (
    "tests/test_protection_migrations.py",
    "tests/test_organisation_key_migration.py",
)


def _transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    fixtures = getattr(item, "fixturenames", ())
    return "transactional_db" in fixtures or "live_server" in fixtures


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def group(item: pytest.Item) -> int:
        return 0 if item.nodeid.startswith(SLOW_FIRST) else 2 if item.nodeid.startswith(RUN_LATE) else 1

    items.sort(key=lambda item: (_transactional(item), group(item)))


# The demo that the demo content tests read: `reintegra demo --no-serve --cases DEMO_CASES`, built once per xdist worker
# into a copy of the migrated template (testing.template_db), instead of once per test (each build takes 10-40 s).
DEMO_CASES = template_db.DEMO_CASES


@pytest.fixture(scope="session")
def _demo_database(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[str, str]]:
    from django.db import connection

    with django_db_blocker.unblock():
        name = template_db.new_copy(connection)
        try:
            out = StringIO()
            with template_db.using_database(connection, name), translation.override("en"):
                call_command("demo", "--no-serve", "--cases", str(DEMO_CASES), stdout=out)
            cache.clear()
            yield name, out.getvalue()
        finally:
            template_db.drop_copy(connection, name)


@pytest.fixture
def demo_site(_demo_database: tuple[str, str], django_db_blocker: Any) -> Iterator[str]:
    """The test reads (and may write to) the demo of `reintegra demo --no-serve --cases DEMO_CASES` in a transaction
    rolled back after it, as a `django_db` test does; the demo's printed lines are the fixture's value. A test using
    it has no `django_db` mark: its database is the demo's, not the worker's test database."""
    from django.db import connection, transaction

    name, printed = _demo_database
    with django_db_blocker.unblock(), template_db.using_database(connection, name), transaction.atomic():
        yield printed
        transaction.set_rollback(True)
