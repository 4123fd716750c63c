"""The narrow fact rows of the survey rounds (`sustainability.round_facts`): every write of a round or a score keeps
them equal to the records (the services, the import, plain ORM saves and deletes, a case deleted); writes past the
signals are made right by a refresh or the rebuild; the RSS indicators read through them give the numbers of the
rounds joined to their current scores and their case's baseline."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db.models import FloatField, OuterRef, Q, Subquery
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reintegra.cases.models import Case
from reintegra.sustainability import round_facts, services
from reintegra.sustainability.models import Instrument, InstrumentVersion, RoundFact, RoundScore, SurveyRound
from reintegra.testing import factories
from reintegra.testing.undone import writes_undone

from .conftest import best_answers, rss_raw, submissions_csv

pytestmark = pytest.mark.django_db


def _agrees() -> None:
    assert round_facts.stored() == round_facts.recount()


def _recorded(world, month: int | None, days_after: int, answers=None) -> SurveyRound:
    taken_on = world.case.return_date + timedelta(days=30 * (month or 0) + days_after)
    data = services.RoundInput("rss", taken_on, answers or best_answers(), round_month=month)
    return services.record_round(world.manager, world.case, data)


def test_the_services_keep_the_rows_of_a_case_s_rounds(world):
    # Returned over a year ago: its 12-month round is due.
    Case.objects.filter(pk=world.case.pk).update(return_date=timezone.localdate() - timedelta(days=400))
    world.case.refresh_from_db()
    baseline = _recorded(world, 0, 1, best_answers(best=False))
    later = _recorded(world, 12, 2)
    _agrees()
    row = RoundFact.objects.get(pk=later.pk)
    assert row.baseline_composite == baseline.current_score.composite
    assert row.composite == later.current_score.composite and row.round_month == 12
    # Rescored under a new version: the baseline's new composite on every row of the case.
    raw = rss_raw()
    raw["version"] = 2
    raw["questions"][0]["weight"] = 7
    v2 = services.load_instrument(None, raw, publish=True).version
    new = services.rescore_round(world.manager, baseline, v2)
    assert RoundFact.objects.get(pk=later.pk).baseline_composite == new.composite
    _agrees()


def test_imported_submissions_get_their_rows(world):
    version = Instrument.objects.get(code="rss", programme__isnull=True).versions.get()
    content = submissions_csv([f"{world.case.case_number},{timezone.localdate().isoformat()},satisfied,agree,u1"])
    assert services.import_submissions(world.supervisor, version, content, "kobo.csv").imported == 1
    assert RoundFact.objects.filter(case=world.case).count() == 1
    _agrees()


def _round(case: Case, user, taken_on: date, month: int | None, composite: float | None) -> SurveyRound:
    version = InstrumentVersion.objects.order_by("pk").first()
    survey = SurveyRound.objects.create(
        case=case, version=version, taken_on=taken_on, round_month=month, answers={}, recorded_by=user
    )
    RoundScore.objects.create(
        round=survey, version=version, economic=0.5, composite=composite, is_current=True, computed_by=user
    )
    return survey


def test_plain_saves_and_deletes_of_rounds_scores_and_cases_keep_the_rows(world):
    other = factories.case(world.manager)
    day = date(2026, 1, 10)
    baseline = _round(world.case, world.manager, day, 0, 0.4)
    later = _round(world.case, world.manager, day + timedelta(days=360), 12, 0.7)
    _agrees()
    baseline.case = other  # moved: the case it leaves has no baseline any more
    baseline.save()
    assert RoundFact.objects.get(pk=later.pk).baseline_composite is None
    _agrees()
    later.round_month, later.case = 0, other  # now the latest baseline of the other case
    later.save()
    assert RoundFact.objects.get(pk=baseline.pk).baseline_composite == 0.7
    _agrees()
    RoundScore.objects.filter(round=later).delete()
    assert RoundFact.objects.get(pk=baseline.pk).baseline_composite == 0.4
    _agrees()
    baseline.delete()
    _agrees()
    other.delete()
    assert not RoundFact.objects.exists()
    _agrees()


def test_a_write_that_changes_no_fact_leaves_the_rows_alone(world):
    survey = _round(world.case, world.manager, date(2026, 1, 10), 0, 0.4)
    RoundFact.objects.filter(pk=survey.pk).update(composite=0.9)  # a marker: a rewrite would put 0.4 back
    survey.submission_key = "k1"
    survey.save(update_fields=["submission_key"])
    assert RoundFact.objects.get(pk=survey.pk).composite == 0.9


def test_the_refresh_and_the_rebuild_make_rows_written_past_the_signals_right(world):
    other = factories.case(world.manager)
    surveys = [_round(case, world.manager, date(2026, 1, 10), 0, 0.4) for case in (world.case, other)]
    RoundScore.objects.filter(round=surveys[0]).update(composite=0.5)  # no signal
    RoundFact.objects.filter(pk=surveys[1].pk).delete()
    assert round_facts.stored() != round_facts.recount()
    round_facts.refresh([world.case.pk])
    assert RoundFact.objects.get(pk=surveys[0].pk).composite == 0.5
    call_command("rebuild_round_facts", stdout=io.StringIO())
    _agrees()
    assert round_facts.rebuild() == 2
    _agrees()


# --- Random sequences of writes (hypothesis) ---------------------------------------------------------------------

COMPOSITES = st.sampled_from([None, 0.2, 0.66, 0.9])
OPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("round"), st.integers(0, 2), st.sampled_from([0, 6, 12, None]), st.integers(0, 3), COMPOSITES
        ),
        st.tuples(st.just("rescore"), st.integers(0, 9), COMPOSITES),
        st.tuples(st.just("unscore"), st.integers(0, 9)),
        st.tuples(st.just("redate"), st.integers(0, 9), st.integers(0, 3), st.sampled_from([0, 12])),
        st.tuples(st.just("move"), st.integers(0, 9), st.integers(0, 2)),
        st.tuples(st.just("delete"), st.integers(0, 9)),
        st.tuples(st.just("drop_case"), st.integers(0, 2)),
    ),
    max_size=10,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_the_rows_equal_the_records_after_any_sequence_of_writes(world, ops):
    with writes_undone():  # each example starts from the same records
        _play(world, ops)
        _agrees()


def _play(world, ops: list[tuple]) -> None:
    cases = [world.case, factories.case(world.manager), factories.case(world.manager)]
    rounds: list[SurveyRound] = []
    day = date(2026, 1, 1)
    for op in ops:
        kind = op[0]
        if kind == "round":
            case = cases[op[1]]
            if Case.objects.filter(pk=case.pk).exists():
                rounds.append(_round(case, world.manager, day + timedelta(days=op[3]), op[2], op[4]))
        elif kind == "drop_case":
            Case.objects.filter(pk=cases[op[1]].pk).delete()
            rounds = [r for r in rounds if SurveyRound.objects.filter(pk=r.pk).exists()]
        elif rounds:
            _on_round(op, rounds, cases, world, day)


def _on_round(op: tuple, rounds: list[SurveyRound], cases: list[Case], world, day: date) -> None:
    kind, index = op[0], op[1] % len(rounds)
    survey = rounds[index]
    if kind == "rescore":  # as the service: the current row superseded by an update, a new current row saved
        version = InstrumentVersion.objects.order_by("pk").first()
        RoundScore.objects.filter(round=survey, is_current=True).update(is_current=False)
        RoundScore.objects.update_or_create(
            round=survey,
            version=version,
            defaults={"composite": op[2], "is_current": True, "computed_by": world.manager},
        )
    elif kind == "unscore":
        RoundScore.objects.filter(round=survey).delete()
    elif kind == "redate":
        survey.taken_on, survey.round_month = day + timedelta(days=op[2]), op[3]
        survey.save()
    elif kind == "move":
        if Case.objects.filter(pk=cases[op[2]].pk).exists():
            survey.case = cases[op[2]]
            survey.save()
    else:
        survey.delete()
        rounds.pop(index)


# --- The indicators read through the facts ---------------------------------------------------------------------


def test_the_rss_indicators_read_through_the_facts_give_the_rounds_numbers(world):
    """`rss-change-12-months`' mean of each person's latest 12-month change and `rss-sustainable-12-months`'
    share, by sex, equal what the rounds joined to their current scores and their case's baseline give."""
    from reintegra.monitoring import definition, engine, library

    manager = world.manager
    people = [factories.case(manager) for _ in range(3)]
    day = date(2026, 1, 5)
    for n, case in enumerate(people):
        _round(case, manager, day, 0, [0.3, None, 0.5][n])
        _round(case, manager, day + timedelta(days=3), 0, [0.4, 0.1, None][n])  # retaken: the latest scored counts
        _round(case, manager, day + timedelta(days=40), 12, [0.8, 0.7, 0.6][n])
    current = RoundScore.objects.filter(round=OuterRef("pk"), is_current=True)
    baseline = (
        RoundScore.objects.filter(
            round__case=OuterRef("case"), round__round_month=0, is_current=True, composite__isnull=False
        )
        .order_by("-round__taken_on", "-round_id")
        .values("composite")[:1]
    )
    rounds = SurveyRound.objects.filter(round_month=12).annotate(
        composite=Subquery(current.values("composite")[:1], output_field=FloatField()),
        baseline=Subquery(baseline, output_field=FloatField()),
    )
    changes = [r.composite - r.baseline for r in rounds if r.baseline is not None]
    sustainable = sum(1 for r in rounds if r.composite >= 0.66)
    periods = [(date(2026, 1, 1), date(2026, 12, 31))]
    entries = {e["code"]: e for e in library.entries()}
    values = {}
    for code in ("rss-change-12-months", "rss-sustainable-12-months"):
        entry = entries[code]
        parsed = definition.parse(entry["definition"], entry["measure"])
        values[code] = engine.compute(
            parsed, entry["measure"], programme_ids=[world.programme.pk], periods=periods, by=()
        )[0].total
    change = values["rss-change-12-months"]
    assert (change.numerator, change.denominator) == pytest.approx((sum(changes), len(changes)))
    share = values["rss-sustainable-12-months"]
    assert (share.numerator, share.denominator) == (sustainable, rounds.count())
    assert not rounds.filter(~Q(case__programme=world.programme)).exists()
