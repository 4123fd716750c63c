"""Instruments as versioned data, rounds and their scores, submissions import, the grid, reminders."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reintegra.cases.choices import CaseEventKind
from reintegra.cases.models import CaseEvent
from reintegra.reminders.models import Reminder
from reintegra.reminders.services import send_reminders
from reintegra.sustainability import selectors, services
from reintegra.sustainability.choices import VersionStatus
from reintegra.sustainability.models import FeasibilityApproach, Instrument, RoundScore, SurveyRound

from .conftest import best_answers, rss_raw, submissions_csv

pytestmark = pytest.mark.django_db


def _round(world, answers=None, **kwargs):
    data = services.RoundInput(
        instrument="rss",
        taken_on=kwargs.pop("taken_on", timezone.localdate()),
        answers=answers or best_answers(),
        **kwargs,
    )
    return services.record_round(world.manager, world.case, data)


def test_the_default_rss_is_shipped_published():
    instrument = Instrument.objects.get(code="rss", programme__isnull=True)
    version = instrument.versions.get()
    assert version.status == VersionStatus.PUBLISHED
    assert len(version.parsed().questions) >= 25


def test_loading_is_idempotent_and_a_published_version_never_changes(world):
    raw = rss_raw()
    first = services.load_instrument(world.pm, raw, programme=world.programme, publish=True)
    again = services.load_instrument(world.pm, raw, programme=world.programme, publish=True)
    assert (first.outcome, again.outcome) == ("published", "unchanged")
    raw["questions"][0]["weight"] = 2.5
    with pytest.raises(ValidationError) as info:
        services.load_instrument(world.pm, raw, programme=world.programme)
    assert "published" in str(info.value)
    raw["version"] = 2
    assert services.load_instrument(world.pm, raw, programme=world.programme).outcome == "created"
    with pytest.raises(ValueError):
        first.version.definition = {**first.version.definition, "min_answered_share": 0.1}
        first.version.save()


def test_only_a_programme_manager_of_the_programme_configures_it(world):
    with pytest.raises(PermissionDenied):
        services.load_instrument(world.manager, rss_raw(), programme=world.programme)
    other = world.other_org.programmes.get()
    with pytest.raises(PermissionDenied):
        services.load_instrument(world.pm, rss_raw(), programme=other)


def test_record_round_scores_it_and_writes_the_timeline(world):
    round_ = _round(world)
    score = round_.current_score
    assert score.values() == {"economic": 1.0, "social": 1.0, "psychosocial": 1.0, "composite": 1.0}
    assert score.bands["composite"] == "high"
    assert round_.round_month == 0  # baseline, chosen from the date
    event = CaseEvent.objects.get(case=world.case, kind=CaseEventKind.SUSTAINABILITY)
    assert event.data["instrument"] == "rss" and event.data["composite_band"] == "high"
    assert world.manager.username not in json.dumps(event.data)


def test_a_round_too_thin_for_any_score_is_refused_and_nothing_is_written(world):
    # Issue 18.1: a blank (or nearly blank) form used to be saved as the baseline round.
    for answers in ({"eco_satisfaction": "satisfied"}, {}):
        with pytest.raises(ValidationError) as info:
            services.record_round(world.manager, world.case, services.RoundInput("rss", timezone.localdate(), answers))
        assert [e.code for e in info.value.error_dict["answers"]] == ["too_few_answers"]
    assert not SurveyRound.objects.exists()
    # One dimension answered enough is a round (the other scores stay empty).
    economic = {k: v for k, v in best_answers().items() if k.startswith("eco_")}
    score = _round(world, economic).current_score
    assert score.economic is not None and score.composite is None


def _case_returned(world, days_ago):
    world.case.return_date = timezone.localdate() - timedelta(days=days_ago)
    world.case.save(update_fields=["return_date"])
    return world.case


def test_a_round_counts_for_the_scheduled_round_whose_window_holds_its_date(world):
    # Issue 18.1: the second round, three days after return, was labelled "6 months".
    _case_returned(world, 3)
    first = _round(world, taken_on=timezone.localdate() - timedelta(days=1))
    second = _round(world)
    assert (first.round_month, second.round_month) == (0, None)  # baseline done: the next is unscheduled
    assert selectors.done_months(world.case) == {0}


def test_a_round_near_a_follow_up_date_counts_for_it_and_far_from_every_date_is_unscheduled(world):
    _case_returned(world, 200)  # about six and a half months ago
    six_months = _round(world)
    assert six_months.round_month == 6
    _case_returned(world, 110)  # between the baseline's window and the six-month round's window
    assert _round(world).round_month is None


def test_choosing_a_round_outside_its_window_is_refused_with_the_window(world):
    _case_returned(world, 3)
    with pytest.raises(ValidationError) as info:
        _round(world, round_month=6)
    assert [e.code for e in info.value.error_dict["round_month"]] == ["outside_window"]
    assert not SurveyRound.objects.exists()


def test_the_programme_sets_the_window(world):
    _case_returned(world, 200)
    world.programme.rss_round_window_days = 5
    world.programme.save(update_fields=["rss_round_window_days"])
    world.case.refresh_from_db()
    assert _round(world).round_month is None  # 17 days past the due date: outside a 5-day window


def test_bad_answers_are_field_errors_and_nothing_is_written(world):
    with pytest.raises(ValidationError) as info:
        _round(world, {"eco_satisfaction": "rich", "nope": 1}, taken_on=timezone.localdate() + timedelta(days=2))
    errors = info.value.message_dict
    # Each answer under its question's code (the web form shows it on that question).
    assert set(errors) == {"answers.eco_satisfaction", "answers.nope", "date"}
    assert [e.code for e in info.value.error_dict["answers.eco_satisfaction"]] == ["invalid_choice"]
    assert not SurveyRound.objects.exists()


def test_a_text_answer_has_the_length_of_a_note(world):
    """Answers are stored as JSON, which has no length of its own: the service gives a free-text answer the
    limit of a note (access.text_limits), with the code `max_length` every other text gets."""
    raw = rss_raw()
    raw["version"] = 2
    raw["questions"].append(
        {
            "code": "comments",
            "dimension": "psychosocial",
            "type": "text",
            "labels": {"en": "Comments", "es": "Comentarios"},
        }
    )
    services.load_instrument(None, raw, publish=True)
    with pytest.raises(ValidationError) as info:
        _round(world, best_answers() | {"comments": "x" * 2001})
    assert [e.code for e in info.value.error_dict["answers.comments"]] == ["max_length"]
    assert not SurveyRound.objects.exists()
    assert _round(world, best_answers() | {"comments": "x" * 2000}).answers["comments"] == "x" * 2000


def test_a_scheduled_round_is_recorded_once(world):
    _round(world, round_month=0)
    with pytest.raises(ValidationError) as info:
        _round(world, round_month=0)
    assert "round_month" in info.value.message_dict


def test_hidden_cases_cannot_get_rounds(world):
    with pytest.raises(PermissionDenied):  # the service is refused; the pages and the API answer 404 before
        services.record_round(
            world.outsider, world.case, services.RoundInput("rss", timezone.localdate(), best_answers())
        )
    with pytest.raises(PermissionDenied):
        services.record_round(world.me, world.case, services.RoundInput("rss", timezone.localdate(), best_answers()))


def test_rescoring_under_a_new_version_keeps_the_old_score(world):
    round_ = _round(world, best_answers(best=False) | {"eco_satisfaction": "very_satisfied"})
    old = round_.current_score
    raw = rss_raw()
    raw["version"] = 2
    raw["questions"][0]["weight"] = 7  # eco_satisfaction weighs more now
    v2 = services.load_instrument(None, raw, publish=True).version
    new = services.rescore_round(world.manager, round_, v2)
    assert RoundScore.objects.filter(round=round_).count() == 2
    old.refresh_from_db()
    assert not old.is_current and new.is_current
    assert new.economic > old.economic
    assert old.economic == pytest.approx(1 / 8)
    # The round keeps the version it was given with.
    round_.refresh_from_db()
    assert round_.version.number == 1


def test_a_programme_instrument_overrides_the_global_one(world):
    raw = rss_raw()
    raw["version"] = 3
    services.load_instrument(world.pm, raw, programme=world.programme, publish=True)
    round_ = _round(world)
    assert round_.version.instrument.programme == world.programme and round_.version.number == 3


def _csv(rows):
    return submissions_csv(rows)


def test_import_submissions_reports_every_bad_row_and_writes_only_good_ones(world):
    version = Instrument.objects.get(code="rss", programme__isnull=True).versions.get()
    other_case = factories_case_of(world.outsider)
    today = timezone.localdate().isoformat()
    content = _csv(
        [
            f"{world.case.case_number},{today},satisfied,agree,u1",
            f"{other_case.case_number},{today},satisfied,agree,u2",  # not visible: "no such case"
            f"{world.case.case_number},{today},loaded,agree,u3",  # bad option
            f"NOPE-1,{today},satisfied,agree,u4",
            f",{today},satisfied,agree,u5",
        ]
    )
    report = services.import_submissions(world.supervisor, version, content, "kobo.csv").as_dict()
    assert report["imported"] == 1 and report["rejected"] == 4
    rows = {(e["row"], e["column"]) for e in report["errors"]}
    assert rows == {(3, "case_number"), (4, "eco_satisfaction"), (5, "case_number"), (6, "case_number")}
    assert any("no such case" in e["reason"] for e in report["errors"] if e["row"] == 3)
    assert SurveyRound.objects.filter(case=other_case).count() == 0
    assert SurveyRound.objects.count() == 1
    # Importing the same file again adds nothing.
    again = services.import_submissions(world.supervisor, version, content, "kobo.csv").as_dict()
    assert again["imported"] == 0 and again["already_imported"] == 1


def factories_case_of(user):
    from reintegra.testing import factories

    return factories.case(user)


def test_import_needs_the_capability(world):
    version = Instrument.objects.get(code="rss", programme__isnull=True).versions.get()
    with pytest.raises(PermissionDenied):
        services.import_submissions(world.manager, version, _csv([]), "x.csv")


def test_the_default_grid_and_a_programme_grid(world):
    assert selectors.grid_for(world.programme).filter(programme__isnull=True).count() >= 12
    content = (
        "dimension,approach,useful_for,individual,community,structural\n"
        "economic,Capital semilla,Negocio viable,Plan de negocio,Mercado local,Registro\n"
        "money,Sin dimensión,,,,\n"
    ).encode()
    report = services.import_grid(world.pm, world.programme, content, "grid.csv")
    assert [(e["row"], e["column"]) for e in report.errors] == [(3, "dimension")]
    assert not FeasibilityApproach.objects.filter(programme=world.programme).exists()  # all or nothing
    report = services.import_grid(world.pm, world.programme, content.rsplit(b"money", 1)[0], "grid.csv")
    assert report.created == 1
    assert list(selectors.grid_for(world.programme).values_list("approach", flat=True)) == ["Capital semilla"]
    row = services.save_approach(world.pm, world.programme, {"dimension": "social", "approach": "Vivienda"})
    assert row.programme == world.programme


def test_weakest_dimension(world):
    answers = best_answers()
    for code in [k for k in answers if k.startswith("psy_")]:
        answers[code] = best_answers(best=False)[code]
    _round(world, answers)
    assert selectors.weakest_dimension(selectors.latest_scores(world.case).values()) == "psychosocial"


def test_reminders_are_idempotent_and_go_to_the_case_manager(world):
    today = timezone.localdate()
    first = send_reminders(today + timedelta(days=25), kinds=["rss_round_due"])
    second = send_reminders(today + timedelta(days=25), kinds=["rss_round_due"])
    reminders = Reminder.objects.filter(kind="rss_round_due")
    assert reminders.count() == 1 and reminders.get().recipient == world.manager
    assert world.case.case_number in str(reminders.get().params)
    assert first is not None and second is not None
    # Recording the baseline: the next reminder is for month 6, not again for the baseline.
    _round(world)
    send_reminders(today + timedelta(days=25), kinds=["rss_round_due"])
    assert Reminder.objects.filter(kind="rss_round_due").count() == 1
