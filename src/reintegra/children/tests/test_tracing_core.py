"""Property tests of the pure tracing core: the follow-up schedule and the per-field match explanation."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from reintegra.cases import matching
from reintegra.children import tracing_core

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
names = st.sampled_from(["Rosa", "María José", "Pedro", "Juana", "Xol", "Caal", "Tzoc Ajú", "Hernández", "López", ""])
people = st.builds(
    matching.PersonRecord,
    id=st.integers(min_value=1, max_value=10**6),
    given_names=names,
    first_family_name=names,
    second_family_name=names,
    birth_date=st.none() | st.dates(min_value=date(1940, 1, 1), max_value=date(2020, 1, 1)),
    birth_year=st.none() | st.integers(min_value=1940, max_value=2020),
)


@given(dates)
def test_schedule_is_increasing_after_the_reunification(reunified_on):
    schedule = tracing_core.follow_up_schedule(reunified_on)
    assert [code for code, _ in schedule] == ["2w", "1m", "3m", "6m"]
    dues = [due for _, due in schedule]
    assert dues == sorted(dues) and len(set(dues)) == 4
    assert dues[0] == reunified_on + timedelta(days=14)
    assert all(due > reunified_on for due in dues)
    # A month later is 28 to 31 days; six months is 181 to 184.
    assert 28 <= (dues[1] - reunified_on).days <= 31
    assert 181 <= (dues[3] - reunified_on).days <= 184


@given(dates, st.integers(min_value=0, max_value=60))
def test_add_months_keeps_the_day_or_clamps_to_month_end(start, months):
    result = tracing_core.add_months(start, months)
    assert (result.year - start.year) * 12 + result.month - start.month == months
    assert result.day == start.day or (result.day < start.day and (result + timedelta(days=1)).day == 1)


@settings(max_examples=200)
@given(people, people)
def test_explanation_agrees_with_the_core_and_is_symmetric(a, b):
    explained = tracing_core.explain(a, b)
    core = matching.score_pair(a, b)
    assert explained.score == core.score and explained.reasons == core.reasons
    assert [f.field for f in explained.fields] == list(tracing_core.FIELDS)
    assert all(-1.0 <= f.contribution <= 1.0 for f in explained.fields)
    # The core is symmetric, so is each field's contribution.
    assert tracing_core.explain(b, a).fields == explained.fields


@settings(max_examples=200)
@given(people)
def test_every_field_an_identical_record_has_counts_for_the_match(person):
    explained = tracing_core.explain(person, person)
    by_field = {f.field: f.contribution for f in explained.fields}
    if matching.normalize_name(person.given_names):
        assert by_field["given_names"] >= 0
    if person.birth_date is not None or person.birth_year is not None:
        assert by_field["birth"] >= 0


def test_a_conflicting_birth_year_counts_against():
    sought = matching.PersonRecord(0, "Rosa", "Xol", "Caal", birth_year=1985)
    older = matching.PersonRecord(1, "Rosa", "Xol", "Caal", birth_year=1950)
    by_field = {f.field: f.contribution for f in tracing_core.explain(sought, older).fields}
    assert by_field["birth"] < 0 < by_field["given_names"]


def test_rank_keeps_threshold_and_order():
    sought = matching.PersonRecord(0, "Rosa", "Xol Caal", birth_year=1985)
    pool = [
        matching.PersonRecord(5, "Rosa", "Xol", "Caal", birth_year=1985),
        matching.PersonRecord(-3, "Rosa", "Xol", "Caal", birth_year=1986),
        matching.PersonRecord(7, "Pedro", "López"),
    ]
    ranked = tracing_core.rank(sought, pool, threshold=0.4, limit=10)
    assert [i for i, _ in ranked][:2] == [5, -3] and 7 not in [i for i, _ in ranked]
    scores = [e.score for _, e in ranked]
    assert scores == sorted(scores, reverse=True)
