"""The employment indicators of the monitoring library, computed by the monitoring engine over what the
services wrote: jobseekers registered, people placed, still in work at 6 months."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from reintegra.employment import services
from reintegra.employment.models import Placement
from reintegra.employment.tests.conftest import World, profile_input, referred, vacancy_input
from reintegra.monitoring import engine
from reintegra.testing.indicators import library_values

pytestmark = pytest.mark.django_db


def _value(code: str, world: World) -> engine.Cell:
    return library_values(code, [world.case.programme_id], days=364).total


def test_jobseekers_placements_and_retention(world: World) -> None:
    profile = services.save_profile(world.case_manager, world.case, profile_input(world.muni))
    vacancy = services.save_vacancy(world.manager, vacancy_input(world.programme, world.employer, world.muni))
    placement = services.shortlist(world.case_manager, vacancy, profile)
    today = timezone.localdate()
    Placement.objects.filter(pk=placement.pk).update(shortlisted_on=today - timedelta(days=200))
    placement = referred(placement, world.case_manager)
    services.advance_placement(world.case_manager, placement, step="interview", on=today - timedelta(days=195))
    services.advance_placement(world.case_manager, placement, step="hired", on=today - timedelta(days=190))
    assert all(len(code) <= 40 for code in ("jobseekers-registered", "job-placements", "job-retention-6m"))
    assert _value("jobseekers-registered", world).value == 1.0
    assert _value("job-placements", world).value == 1.0
    retained = _value("job-retention-6m", world)
    assert (retained.numerator, retained.denominator) == (0.0, 1.0)
    check = placement.retention_checks.get(months=6)
    services.record_retention(world.case_manager, check, outcome="employed_elsewhere", checked_on=today)
    retained = _value("job-retention-6m", world)
    assert (retained.numerator, retained.denominator) == (1.0, 1.0)
