"""`services.import_submissions`: the row problems that come from the case and the round's own checks."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reintegra.access.roles import Capability
from reintegra.sustainability import services
from reintegra.sustainability.models import Instrument, SurveyRound

from .conftest import rss_raw, submissions_csv

pytestmark = pytest.mark.django_db


def _import(world, *rows, user=None):
    content = submissions_csv(list(rows))
    version = Instrument.objects.get(code="rss", programme__isnull=True).versions.get()
    return services.import_submissions(user or world.supervisor, version, content, "kobo.csv").as_dict()


def _problems(report):
    return [(e["row"], e["column"], e["reason"]) for e in report["errors"]]


def test_a_case_whose_programme_has_its_own_version_is_refused_the_default_one(world):
    raw = rss_raw()
    raw["version"] = 3
    services.load_instrument(world.pm, raw, programme=world.programme, publish=True)
    report = _import(world, f"{world.case.case_number},{timezone.localdate()},satisfied,agree,u1")
    assert _problems(report) == [(2, "case_number", "the case's programme uses its own version of this instrument")]
    assert not SurveyRound.objects.exists()


def test_the_rounds_own_checks_are_reported_in_the_files_columns(world):
    tomorrow = timezone.localdate() + timedelta(days=1)
    report = _import(world, f"{world.case.case_number},{tomorrow},loaded,agree,u1")
    assert _problems(report) == [
        (2, "survey_date", "The survey date cannot be in the future."),
        (2, "eco_satisfaction", "'loaded' is not one of its options"),
    ]


def test_an_importer_who_cannot_edit_cases_records_no_round(world, monkeypatch):
    supervisor = world.supervisor
    allowed = supervisor.has_capability
    monkeypatch.setattr(supervisor, "has_capability", lambda c: c != Capability.EDIT_CASES and allowed(c))
    report = _import(world, f"{world.case.case_number},{timezone.localdate()},satisfied,agree,u1", user=supervisor)
    assert _problems(report) == [(2, "case_number", "you cannot record rounds for this case")]
    assert not SurveyRound.objects.exists()
