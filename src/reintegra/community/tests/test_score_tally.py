"""The hotspots' kept sums of RSS scores (`community.score_tally`): every write that can move a returnee's
latest current scores keeps the tally equal to a recount from the records and to the set-based rebuild, and the
weakest-dimension figures read from it are the ones ranked from the rounds (`selectors.scores_from_rounds`)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reintegra.cases.models import Case, Returnee
from reintegra.community import hotspots_core, score_tally, selectors
from reintegra.community.models import ScoreLedger, ScoreTally
from reintegra.sustainability.models import InstrumentVersion, RoundScore, SurveyRound
from reintegra.testing.undone import writes_undone

from .conftest import Office, days_ago
from .test_return_tally import _case, _person

pytestmark = pytest.mark.django_db


def _round(office: Office, case: Case, days: int, scores: tuple, *, current: bool = True) -> SurveyRound:
    version = InstrumentVersion.objects.order_by("pk").first()
    survey = SurveyRound.objects.create(
        case=case, version=version, taken_on=days_ago(days), answers={}, recorded_by=office.case_manager
    )
    RoundScore.objects.create(
        round=survey,
        version=version,
        **dict(zip(hotspots_core.DIMENSIONS, scores, strict=True)),
        is_current=current,
        computed_by=office.case_manager,
    )
    return survey


def _rescore(office: Office, survey: SurveyRound, scores: tuple) -> None:
    """What `sustainability.services._store_score` does: the current row superseded by a queryset update (no
    signal), then the version's row written current."""
    RoundScore.objects.filter(round=survey, is_current=True).update(is_current=False)
    RoundScore.objects.update_or_create(
        round=survey,
        version=survey.version,
        defaults={
            **dict(zip(hotspots_core.DIMENSIONS, scores, strict=True)),
            "is_current": True,
            "computed_by": office.case_manager,
        },
    )


def _same(a: dict[str, hotspots_core.ScoreTotals], b: dict[str, hotspots_core.ScoreTotals]) -> None:
    assert set(a) == set(b)
    for area, x in a.items():
        y = b[area]
        assert (x.people, dict(x.counts)) == (y.people, dict(y.counts)), area
        for d in hotspots_core.DIMENSIONS:
            assert x.sums[d] == pytest.approx(y.sums[d], abs=1e-6 * max(1, x.people)), (area, d)


def _agrees(office: Office | None = None) -> None:
    """The kept tally is the recount, every person's ledger is their contribution, the rebuild changes nothing,
    and the table's figures are the ones ranked from the rounds."""
    kept = score_tally.stored()
    assert kept == score_tally.recount()
    for person in Returnee.objects.values_list("pk", flat=True):
        assert score_tally._ledger(person) == score_tally.contributions(person)
    score_tally.rebuild()
    assert score_tally.stored() == kept
    if office is not None:
        areas = {str(office.muni.pk), str(office.muni2.pk)}
        for user in (office.me_officer, office.coordinator):
            for back in (0, 8, 25, 60, 365):
                since = timezone.localdate() - timedelta(days=back)
                _same(selectors._scores(user, since, areas), selectors.scores_from_rounds(user, since, areas))


def _totals(user, since_days: int, area) -> hotspots_core.ScoreTotals | None:
    return selectors._scores(user, days_ago(since_days), {str(area.pk)}).get(str(area.pk))


# --- Every path that moves a person's latest current scores ----------------------------------------------------


def test_a_scored_round_counts_and_the_latest_among_the_cases_returned_after_the_date_wins(office):
    person = _person(office)
    older = _case(office, person, 100)
    newer = _case(office, person, 20)
    _round(office, older, 10, (0.1, 0.2, 0.3))  # the latest round, on the earlier case
    _round(office, newer, 15, (0.7, 0.8, None))
    key = (office.org.pk, office.muni.pk)
    tally = score_tally.stored()
    m = score_tally.MICRO
    # Telescoping: the newer case alone from its day, both cases (the older's round is the latest) from the older's.
    assert tally[(*key, days_ago(20))] == (1, 7 * m // 10, 1, 8 * m // 10, 1, 0, 0)
    assert tally[(*key, days_ago(100))] == (0, -6 * m // 10, 0, -6 * m // 10, 0, 3 * m // 10, 1)
    assert _totals(office.me_officer, 365, office.muni).sums["economic"] == pytest.approx(0.1)
    assert _totals(office.me_officer, 50, office.muni).sums["economic"] == pytest.approx(0.7)
    _agrees(office)


def test_rescoring_and_superseding_a_round_and_a_round_not_current(office):
    case = _case(office, _person(office), 30)
    survey = _round(office, case, 5, (0.5, 0.5, 0.5))
    _round(office, case, 1, (0.9, 0.9, 0.9), current=False)  # not current: does not count
    assert _totals(office.me_officer, 365, office.muni).sums["economic"] == pytest.approx(0.5)
    _rescore(office, survey, (0.25, None, 0.5))
    totals = _totals(office.me_officer, 365, office.muni)
    assert (totals.sums["economic"], totals.counts["social"]) == (pytest.approx(0.25), 0)
    row = RoundScore.objects.get(round=survey, is_current=True)
    row.is_current = False
    row.save()  # superseded without a successor: the person has no current scores left
    assert _totals(office.me_officer, 365, office.muni) is None
    assert not ScoreTally.objects.exists()
    _agrees(office)


def test_a_round_deleted_or_moved_to_another_date_or_case(office):
    person = _person(office)
    first = _case(office, person, 200)
    second = _case(office, person, 40)
    early = _round(office, first, 30, (0.2, 0.2, 0.2))
    late = _round(office, second, 10, (0.6, 0.6, 0.6))
    assert _totals(office.me_officer, 365, office.muni).sums["social"] == pytest.approx(0.6)
    late.taken_on = days_ago(50)  # now older than the first case's round
    late.save()
    assert _totals(office.me_officer, 365, office.muni).sums["social"] == pytest.approx(0.2)
    early.case = second
    early.save()
    _agrees(office)
    early.delete()  # its score row goes with it (cascade)
    assert _totals(office.me_officer, 365, office.muni).sums["social"] == pytest.approx(0.6)
    _agrees(office)


def test_a_case_s_return_date_organisation_person_and_deletion(office):
    person, other = _person(office), _person(office, office.muni2)
    case = _case(office, person, 30)
    _round(office, case, 5, (0.4, 0.4, 0.4))
    _round(office, case, 3, (0.3, 0.3, 0.3))  # a later round of the same case: the latest wins
    case.return_date = days_ago(400)  # out of the year
    case.save()
    assert _totals(office.me_officer, 365, office.muni) is None
    case.return_date = days_ago(60)
    case.organisation = office.other_org
    case.save()
    assert _totals(office.me_officer, 365, office.muni) is None  # another organisation's case
    assert _totals(office.coordinator, 365, office.muni).people == 1  # across organisations it counts
    case.returnee = other
    case.save()
    assert _totals(office.coordinator, 365, office.muni2).sums["economic"] == pytest.approx(0.3)
    _agrees(office)
    case.delete()  # rounds and scores cascade
    assert not ScoreTally.objects.exists()
    assert not ScoreLedger.objects.exists()
    _agrees(office)


def test_the_returnee_s_municipality_moves_their_scores(office):
    person = _person(office)
    _round(office, _case(office, person, 30), 5, (0.4, 0.4, 0.4))
    person.municipality = office.muni2
    person.save()
    assert _totals(office.me_officer, 365, office.muni) is None
    assert _totals(office.me_officer, 365, office.muni2).people == 1
    person.municipality = None
    person.save()
    assert not ScoreTally.objects.exists()
    _agrees(office)


def test_writes_that_touch_no_score_leave_the_tally_alone(office):
    case = _case(office, _person(office), 30)
    survey = _round(office, case, 5, (0.4, 0.4, 0.4))
    before = score_tally.stored()
    case.refresh_from_db()
    case.save()
    survey.refresh_from_db()
    survey.save()
    assert score_tally.stored() == before
    assert ScoreLedger.objects.count() == 2  # across organisations and in the case's organisation


def test_the_rebuild_recounts_rows_written_past_the_signals_and_is_idempotent(office):
    person = _person(office)
    survey = _round(office, _case(office, person, 30), 5, (0.4, 0.4, 0.4))
    RoundScore.objects.filter(round=survey).update(economic=0.9)  # a bulk write: no signal
    assert score_tally.stored() != score_tally.recount()
    call_command("rebuild_return_tally", stdout=io.StringIO())
    assert score_tally.stored() == score_tally.recount()
    score_tally.rebuild()
    assert ScoreTally.objects.count() == 2
    _agrees(office)


# --- Random sequences of writes (hypothesis) ----------------------------------------------------------------

SCORE = st.one_of(st.none(), st.integers(0, 100).map(lambda n: n / 100))
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("open"), st.integers(0, 2), st.integers(0, 1), st.integers(0, 400)),
        st.tuples(st.just("score"), st.integers(0, 9), st.integers(0, 60), st.tuples(SCORE, SCORE, SCORE)),
        st.tuples(st.just("rescore"), st.integers(0, 9), st.tuples(SCORE, SCORE, SCORE)),
        st.tuples(st.just("round_date"), st.integers(0, 9), st.integers(0, 60)),
        st.tuples(st.just("round_delete"), st.integers(0, 9)),
        st.tuples(st.just("date"), st.integers(0, 9), st.integers(0, 400)),
        st.tuples(st.just("organisation"), st.integers(0, 9), st.integers(0, 1)),
        st.tuples(st.just("person"), st.integers(0, 9), st.integers(0, 2)),
        st.tuples(st.just("area"), st.integers(0, 2), st.integers(0, 2)),
        st.tuples(st.just("delete"), st.integers(0, 9)),
    ),
    max_size=14,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_the_kept_tally_equals_a_recount_after_any_sequence_of_writes(office, ops):
    with writes_undone():  # each example starts from the same records
        _play(office, ops)
        _agrees(office)


def _play_round(office: Office, op: tuple) -> None:
    rounds = list(SurveyRound.objects.order_by("pk"))
    if not rounds:
        return
    survey = rounds[op[1] % len(rounds)]
    if op[0] == "rescore":
        _rescore(office, survey, op[2])
    elif op[0] == "round_date":
        survey.taken_on = days_ago(op[2])
        survey.save()
    else:
        survey.delete()


def _play_case(office: Office, case: Case, op: tuple, people: list[Returnee]) -> None:
    kind = op[0]
    if kind == "score":
        _round(office, case, op[2], op[3])
        return
    if kind == "date":
        case.return_date = days_ago(op[2])
    elif kind == "organisation":
        case.organisation = [office.org, office.other_org][op[2]]
    else:
        case.returnee = people[op[2]]
    case.save()


def _play(office: Office, ops: list[tuple]) -> None:
    areas = [office.muni, office.muni2, None]
    people = [_person(office, office.muni if i % 2 else office.muni2) for i in range(3)]
    cases: list[Case] = []
    for op in ops:
        kind = op[0]
        if kind == "open":
            _, who, org, days = op
            case = _case(office, people[who], days)
            if org:
                case.organisation = office.other_org
                case.save()
            cases.append(case)
        elif kind == "area":
            person = Returnee.objects.get(pk=people[op[1]].pk)
            person.municipality = areas[op[2]]
            person.save()
        elif kind in ("rescore", "round_date", "round_delete"):
            _play_round(office, op)
        elif cases and kind == "delete":
            Case.objects.get(pk=cases.pop(op[1] % len(cases)).pk).delete()
        elif cases:
            _play_case(office, Case.objects.get(pk=cases[op[1] % len(cases)].pk), op, people)
