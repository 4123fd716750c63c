"""The project's fixtures (src/reintegra/conftest.py) for the tests under tests/ as well: pytest only
applies a conftest to the directory it sits in, so without this each file here copied them."""

from typing import Any

import pytest

from reintegra.conftest import (  # noqa: F401  (fixtures are found by name)
    _empty_cache,
    _english_outside_requests,
    case_manager,
    coordinator,
    dpo,
    me_officer,
    org,
    other_case_manager,
    other_org,
    other_supervisor,
    places,
    psychologist,
    supervisor,
    team,
)
from reintegra.testing import template_db


@pytest.fixture(scope="session")
def migration_round_trip(django_db_setup: None, django_db_blocker: Any) -> Any:
    """One replay of the migrations per run, back to before the consent move and the encryption migrations and
    forward again, on a fresh copy of the template, shared by the three tests that read it
    (tests/migration_round_trip.py). The first worker to ask replays; a worker asking later reads its result
    (the tests that read it run late, `RUN_LATE` in the root conftest.py, so that nobody waits for it)."""
    return template_db.computed_once_per_run("migration-round-trip", lambda: _replay(django_db_blocker))


def _replay(django_db_blocker: Any) -> Any:
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache
    from django.db import connection
    from django.utils import translation
    from tests.migration_round_trip import replay

    cache.clear()
    try:
        with django_db_blocker.unblock(), template_db.own_database(connection), translation.override("en"):
            return replay()
    finally:
        ContentType.objects.clear_cache()  # the worker's database has its own rows again
