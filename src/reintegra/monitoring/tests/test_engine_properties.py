"""The engine's rules on random data in the database (hypothesis): for counts and percentages, every standard
disaggregation, asked alone (`by=(dimension,)`), rolled up from a crossed one (`marginal`) or asked with the
others in one grouped query (`compute_sets`), adds up exactly to the total; numerators never exceed
denominators; a cumulative period counts each person once, never the sum of the periods, when people come back;
cumulative (overlapping) periods computed together in one pass give, period by period, what each gives alone
(counts, percentages, a mean and a median of the follow-up visits per case, every disaggregation).

A pool of people and cases is written once through the services; each example rewrites their attributes
(sex, birth year, differential-attention flags, municipality), the cases' return dates, types and programmes,
and which person each case belongs to (several cases for one person), then rolls back."""

from __future__ import annotations

import copy
from collections import defaultdict
from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reintegra.access.roles import Role
from reintegra.cases.choices import AttentionFlag, ReturnType, Sex
from reintegra.cases.models import Case, FollowUpVisit, Returnee
from reintegra.monitoring import case_facts, definition, dimensions, engine
from reintegra.places.models import AdminArea
from reintegra.testing import factories as f

PEOPLE = 12
CASES = 30
YEAR = date(2025, 1, 1)
QUARTERS = [
    (date(2025, 1, 1), date(2025, 3, 31)),
    (date(2025, 4, 1), date(2025, 6, 30)),
    (date(2025, 7, 1), date(2025, 9, 30)),
    (date(2025, 10, 1), date(2025, 12, 31)),
]
FLAGS = [code for code, _label in AttentionFlag.choices][:4]

person_strategy = st.fixed_dictionaries(
    {
        "sex": st.sampled_from(Sex.values),
        "birth_year": st.one_of(st.none(), st.integers(1950, 2024)),
        "flags": st.lists(st.sampled_from(FLAGS), unique=True, max_size=2),
        "municipality": st.integers(-1, 2),  # -1: not recorded
    }
)
case_strategy = st.fixed_dictionaries(
    {
        "person": st.integers(0, PEOPLE - 1),
        # Some returns fall outside the year: they must not count.
        "day": st.integers(-20, 385),
        "return_type": st.sampled_from(ReturnType.values),
        "programme": st.integers(0, 1),
    }
)
world_strategy = st.tuples(
    st.lists(person_strategy, min_size=PEOPLE, max_size=PEOPLE),
    st.lists(case_strategy, min_size=CASES, max_size=CASES),
)
# Follow-up visits: (case, day from the year's start); some before the programme's start or after the year.
visits_strategy = st.lists(st.tuples(st.integers(0, CASES - 1), st.integers(-60, 400)), max_size=40)
# Cumulative periods: from the programme's start (before the year) to each quarter's end.
CUMULATIVE = [(date(2024, 12, 1), end) for _start, end in QUARTERS]
VISITS = {"population": "cases", "unit": "case", "date": "return_date", "value": "follow_ups"}

DEFINITIONS = [
    ("count", {"population": "cases", "unit": "person", "date": "return_date"}),
    ("count", {"population": "cases", "unit": "case", "date": "return_date"}),
    (
        "percentage",
        {
            "population": "cases",
            "unit": "person",
            "date": "return_date",
            "numerator": [{"field": "return_type", "op": "in", "value": ["forced"]}],
        },
    ),
    (
        "percentage",
        {
            "population": "cases",
            "unit": "case",
            "date": "return_date",
            "filters": [{"field": "return_type", "op": "not_in", "value": ["voluntary_spontaneous"]}],
            "numerator": [{"field": "is_minor", "op": "is", "value": True}],
        },
    ),
]


@pytest.fixture
def pool(db):
    org = f.organisation("prop")
    manager = f.user(org, Role.CASE_MANAGER)
    programmes = [org.programmes.get(), f.programme(org, code="prop-2")]
    states = [AdminArea.objects.create(country="MX", level=1, code=f"S{i}", name=f"Estado {i}") for i in range(2)]
    municipalities = [
        AdminArea.objects.create(country="MX", level=2, code=f"M{i}", name=f"Municipio {i}", parent=states[i % 2])
        for i in range(3)
    ]
    people = [f.returnee(manager) for _ in range(PEOPLE)]
    first = f.case(manager, people[0])
    # One open case at a time per person: they are closed; each example decides whose case each one is.
    Case.objects.filter(pk=first.pk).update(
        status="closed", closure_reason="support_ended", closure_category="planned", closed_on=date(2025, 1, 1)
    )
    row = Case.objects.get(pk=first.pk)
    # Copies of the row: the services' path would be the same for each, and slow.
    copies = []
    for i in range(1, CASES):
        row.pk = row.id = None
        row.case_number = f"PROP-{i}"
        copies.append(copy.copy(row))
    cases = [first.pk, *(c.pk for c in Case.objects.bulk_create(copies))]
    return programmes, municipalities, [p.pk for p in people], cases, manager


def _write(pool, people, cases):
    programmes, municipalities, person_ids, case_ids, _manager = pool
    for pk, person in zip(person_ids, people, strict=True):
        municipality = None if person["municipality"] < 0 else municipalities[person["municipality"]].pk
        Returnee.objects.filter(pk=pk).update(
            sex=person["sex"],
            birth_year=person["birth_year"],
            attention_flags=person["flags"],
            municipality_id=municipality,
        )
    for pk, case in zip(case_ids, cases, strict=True):
        Case.objects.filter(pk=pk).update(
            returnee_id=person_ids[case["person"]],
            return_date=YEAR + timedelta(days=case["day"]),
            return_type=case["return_type"],
            programme_id=programmes[case["programme"]].pk,
        )
    case_facts.refresh(case_ids)  # queryset updates send no signal: the written cases' fact rows made again


def _write_visits(pool, visits):
    """Follow-up visits (case index, day of the year) to the pool's cases, by its case manager."""
    case_ids, manager = pool[3], pool[4]
    FollowUpVisit.objects.bulk_create(
        FollowUpVisit(
            case_id=case_ids[case],
            organisation_id=manager.organisation_id,
            visited_on=YEAR + timedelta(days=day),
            conducted_by=manager,
            notes="",
            significant_changes="",
        )
        for case, day in visits
    )


def _check_adds_up(measure, raw, programme_ids):
    parsed = definition.parse(raw, measure)
    keys = tuple(dimensions.available(parsed.population))
    totals = engine.compute(parsed, measure, programme_ids=programme_ids, periods=QUARTERS)
    crossed = engine.compute(parsed, measure, programme_ids=programme_ids, periods=QUARTERS, by=keys)
    for key in keys:
        alone = engine.compute(parsed, measure, programme_ids=programme_ids, periods=QUARTERS, by=(key,))
        for total, single, cross in zip(totals, alone, crossed, strict=True):
            assert single.total == total.total == cross.total, key
            for cells in ({b[0]: c for b, c in single.cells.items()}, cross.marginal(key, measure)):
                assert sum(c.numerator for c in cells.values()) == total.total.numerator, key
                if measure == "percentage":
                    assert sum(c.denominator or 0 for c in cells.values()) == total.total.denominator, key
                    assert all(c.numerator <= (c.denominator or 0) for c in cells.values()), key
            # The roll-up of the crossed cells is the single-dimension query, bucket by bucket.
            assert {b: (c.numerator, c.denominator) for b, c in cross.marginal(key, measure).items()} == {
                b[0]: (c.numerator, c.denominator) for b, c in single.cells.items()
            }, key
    # All the sets from one grouped query give what each gives alone.
    sets = [(), *((key,) for key in keys), keys]
    together = engine.compute_sets(parsed, measure, programme_ids=programme_ids, periods=QUARTERS, sets=sets)
    for s in sets:
        alone = totals if not s else crossed if s == keys else None
        if alone is None:
            alone = engine.compute(parsed, measure, programme_ids=programme_ids, periods=QUARTERS, by=s)
        assert [(v.total, v.cells) for v in together[s]] == [(v.total, v.cells) for v in alone], s
    return totals


def _people_by_quarter(pool, people, cases):
    found = defaultdict(set)
    for case in cases:
        day = YEAR + timedelta(days=case["day"])
        for index, (start, end) in enumerate(QUARTERS):
            if start <= day <= end:
                found[index].add(case["person"])
    return found


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=world_strategy)
def test_disaggregations_add_up_and_cumulative_counts_people_once(pool, world):
    people, cases = world
    programme_ids = [p.pk for p in pool[0]]
    with transaction.atomic():
        _write(pool, people, cases)
        for measure, raw in DEFINITIONS:
            _check_adds_up(measure, raw, programme_ids)

        by_quarter = _people_by_quarter(pool, people, cases)
        raw = DEFINITIONS[0][1]
        parsed = definition.parse(raw, "count")
        quarters = engine.compute(parsed, "count", programme_ids=programme_ids, periods=QUARTERS)
        assert [v.total.value for v in quarters] == [len(by_quarter[i]) for i in range(len(QUARTERS))]
        (year,) = engine.compute(parsed, "count", programme_ids=programme_ids, periods=[(YEAR, QUARTERS[-1][1])])
        distinct = set().union(*by_quarter.values())
        assert year.total.value == len(distinct)
        summed = sum(v.total.value or 0 for v in quarters)
        assert year.total.value <= summed
        if summed > len(distinct):  # someone came back in another quarter: counted once over the year
            assert year.total.value < summed
        transaction.set_rollback(True)


def _check_cumulative_is_each_period_alone(measure, raw, programme_ids):
    parsed = definition.parse(raw, measure)
    keys = tuple(dimensions.available(parsed.population))
    sets = [(), *((key,) for key in keys)]
    together = engine.compute_sets(parsed, measure, programme_ids=programme_ids, periods=CUMULATIVE, sets=sets)
    for index, period in enumerate(CUMULATIVE):
        alone = engine.compute_sets(parsed, measure, programme_ids=programme_ids, periods=[period], sets=sets)
        for s in sets:
            assert (together[s][index].total, together[s][index].cells) == (alone[s][0].total, alone[s][0].cells), (
                measure,
                s,
                index,
            )


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=world_strategy, visits=visits_strategy)
def test_cumulative_periods_in_one_pass_are_each_period_alone(pool, world, visits):
    people, cases = world
    programme_ids = [p.pk for p in pool[0]]
    with transaction.atomic():
        _write(pool, people, cases)
        _write_visits(pool, visits)
        for measure, raw in [*DEFINITIONS, ("mean", VISITS), ("median", VISITS)]:
            _check_cumulative_is_each_period_alone(measure, raw, programme_ids)
        # The disaggregations of cumulative periods add up to their totals.
        for measure, raw in DEFINITIONS:
            parsed = definition.parse(raw, measure)
            keys = tuple(dimensions.available(parsed.population))
            totals = engine.compute(parsed, measure, programme_ids=programme_ids, periods=CUMULATIVE)
            for key in keys:
                alone = engine.compute(parsed, measure, programme_ids=programme_ids, periods=CUMULATIVE, by=(key,))
                for total, single in zip(totals, alone, strict=True):
                    assert sum(c.numerator for c in single.cells.values()) == total.total.numerator, key
                    assert single.total == total.total, key
        transaction.set_rollback(True)


# Whole rows (each case its own unit) of cumulative periods: read once and grouped by their first period.
NESTED = [
    *((measure, raw) for measure, raw in DEFINITIONS if raw["unit"] == "case"),
    ("mean", VISITS),
    ("sum", VISITS),
    ("ratio", {**VISITS, "value": "", "numerator": [{"field": "is_minor", "op": "is", "value": False}]}),
]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=world_strategy, visits=visits_strategy)
def test_nested_periods_read_once_give_the_rows_joined_to_each_period(pool, world, visits, monkeypatch):
    """Cumulative periods of whole rows are computed from each row's first period (`engine._nested_rows`): the
    same values, every set of dimensions (crossed too), as each row joined to every period holding it."""
    people, cases = world
    programme_ids = [p.pk for p in pool[0]]
    with transaction.atomic():
        _write(pool, people, cases)
        _write_visits(pool, visits)
        for measure, raw in NESTED:
            parsed = definition.parse({k: v for k, v in raw.items() if v != ""}, measure)
            keys = tuple(dimensions.available(parsed.population))
            sets = [(), *((key,) for key in keys), ("sex", "return_type")]
            assert engine._nested(parsed, measure, CUMULATIVE, engine._grouping(parsed.population, keys))
            engine._PREPARED.clear()
            nested = engine.compute_sets(parsed, measure, programme_ids=programme_ids, periods=CUMULATIVE, sets=sets)
            with monkeypatch.context() as patched:
                patched.setattr(engine, "_nested", lambda *args: False)
                engine._PREPARED.clear()
                joined = engine.compute_sets(
                    parsed, measure, programme_ids=programme_ids, periods=CUMULATIVE, sets=sets
                )
            engine._PREPARED.clear()
            for s in sets:
                assert [(v.total, v.cells) for v in nested[s]] == [(v.total, v.cells) for v in joined[s]], (measure, s)
        transaction.set_rollback(True)
