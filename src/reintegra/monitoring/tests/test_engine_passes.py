"""The engine's shape at scale (docs/scaling.md, "The monitoring engine at a million cases"): the visits of the
period counted per case by one grouped join, periods that do not overlap computed in one query even when a
field reads the period, the dimensions that share a column (the ten flags, both areas) grouped once by it,
and the compiled SQL kept for the same question while the numbers follow the data."""

from __future__ import annotations

import statistics
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from reintegra.access.roles import Role
from reintegra.cases.models import FollowUpVisit, Returnee
from reintegra.monitoring import definition, engine
from reintegra.places.models import AdminArea
from reintegra.testing import factories as f

pytestmark = pytest.mark.django_db

Q1 = (date(2026, 1, 1), date(2026, 3, 31))
Q2 = (date(2026, 4, 1), date(2026, 6, 30))
VISITS = {"population": "cases", "unit": "case", "date": "return_date", "value": "follow_ups"}


@pytest.fixture
def world():
    org = f.organisation("passes")
    manager = f.user(org, Role.CASE_MANAGER)
    return manager, org.programmes.get()


def _visit(manager, case, day):
    FollowUpVisit.objects.create(case=case, visited_on=day, conducted_by=manager, notes="", significant_changes="")


def test_visits_of_the_period_per_case_in_one_query(world):
    manager, programme = world
    first = f.case(manager, return_date=date(2026, 1, 10))
    second = f.case(manager, return_date=date(2026, 2, 10))
    later = f.case(manager, return_date=date(2026, 5, 2))
    for case, day in [
        (first, date(2026, 1, 20)),
        (first, date(2026, 3, 1)),
        (first, date(2026, 4, 2)),  # the second quarter's: not the first's, and first is not counted in Q2
        (second, date(2025, 12, 30)),  # before the quarter
        (later, date(2026, 5, 10)),
    ]:
        _visit(manager, case, day)
    parsed = definition.parse(VISITS, "mean")
    with CaptureQueriesContext(connection) as queries:
        q1, q2 = engine.compute(parsed, "mean", programme_ids=[programme.pk], periods=[Q1, Q2], by=("return_type",))
    assert len(queries) == 1  # both quarters, the visits counted in the same query
    assert (q1.total.numerator, q1.total.denominator) == (2, 2)  # first: 2 visits, second: 0
    assert (q2.total.numerator, q2.total.denominator) == (1, 1)
    assert sum(cell.numerator for cell in q1.cells.values()) == q1.total.numerator
    # Cumulative periods overlap: each counts its own span's visits, the cases never summed across them.
    to_q1, to_q2 = engine.compute(parsed, "mean", programme_ids=[programme.pk], periods=[Q1, (Q1[0], Q2[1])])
    assert (to_q1.total.numerator, to_q1.total.denominator) == (2, 2)
    assert (to_q2.total.numerator, to_q2.total.denominator) == (4, 3)


def test_dimensions_sharing_a_column_are_grouped_once_and_add_up(world):
    manager, programme = world
    states = [AdminArea.objects.create(country="MX", level=1, code=f"PS{i}", name=f"Estado {i}") for i in range(2)]
    towns = [
        AdminArea.objects.create(country="MX", level=2, code=f"PM{i}", name=f"Municipio {i}", parent=states[0])
        for i in range(2)
    ]
    people = [
        f.returnee(manager, attention_flags=["indigenous"]),
        f.returnee(manager, attention_flags=["indigenous", "disability"]),
        f.returnee(manager),
        f.returnee(manager),
    ]
    for person, town in zip(people, [towns[0], towns[1], towns[1], None], strict=True):
        Returnee.objects.filter(pk=person.pk).update(municipality=town)
        f.case(manager, person, return_date=date(2026, 2, 1))
    parsed = definition.parse({"population": "cases", "unit": "person", "date": "return_date"}, "count")
    sets = [(), ("flag_indigenous",), ("flag_disability",), ("adm1",), ("adm2",), ("flag_indigenous", "adm2")]
    found = engine.compute_sets(parsed, "count", programme_ids=[programme.pk], periods=[Q1], sets=sets)
    cells = {s: {buckets: cell.value for buckets, cell in found[s][0].cells.items()} for s in sets}
    assert found[()][0].total.value == 4
    assert cells[("flag_indigenous",)] == {("yes",): 2, ("no",): 2}
    assert cells[("flag_disability",)] == {("yes",): 1, ("no",): 3}
    assert cells[("adm1",)] == {(str(states[0].pk),): 3, ("unknown",): 1}
    assert cells[("adm2",)] == {(str(towns[0].pk),): 1, (str(towns[1].pk),): 2, ("unknown",): 1}
    assert cells[("flag_indigenous", "adm2")] == {
        ("yes", str(towns[0].pk)): 1,
        ("yes", str(towns[1].pk)): 1,
        ("no", str(towns[1].pk)): 1,
        ("no", "unknown"): 1,
    }
    for s in sets:
        assert found[s][0].total.value == 4, s  # every set's cells add up to the same total
        # Asked alone, each set gives what it gives with the others.
        (alone,) = engine.compute(parsed, "count", programme_ids=[programme.pk], periods=[Q1], by=s)
        assert alone.cells == found[s][0].cells, s


def test_the_compiled_sql_is_kept_and_the_numbers_follow_the_data(world, monkeypatch):
    # An empty store: after the rest of the suite it may be full, and a full store drops its oldest entry.
    monkeypatch.setattr(engine, "_PREPARED", {})
    manager, programme = world
    f.case(manager, return_date=date(2026, 1, 5))
    parsed = definition.parse({"population": "cases", "unit": "case", "date": "return_date"}, "count")

    def count():
        (q1,) = engine.compute(parsed, "count", programme_ids=[programme.pk], periods=[Q1], by=("sex",))
        return q1.total.value

    assert count() == 1
    kept = len(engine._PREPARED)
    f.case(manager, return_date=date(2026, 3, 5))
    assert count() == 2  # the same SQL, run again on the data as it is now
    assert len(engine._PREPARED) == kept
    # Another question is another entry.
    engine.compute(parsed, "count", programme_ids=[programme.pk], periods=[Q2], by=("sex",))
    assert len(engine._PREPARED) == kept + 1


def test_the_settings_of_the_grouped_query_end_with_it():
    """PostgreSQL: the grouped query runs without JIT and with room for its hash tables, sent with its settings
    in one round trip; they end with it, on their own or inside a longer transaction."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's settings")
    from django.db import transaction

    query = "SELECT current_setting('jit'), current_setting('hash_mem_multiplier'), %s::int"
    settings = "SELECT current_setting('jit'), current_setting('hash_mem_multiplier')"
    with connection.cursor() as cursor:
        assert engine._fetch_tuned(connection, cursor, query, [1]) == [("off", "8", 1)]
        cursor.execute(settings)
        before = cursor.fetchone()
        assert before[1] != "8"
    with transaction.atomic(), connection.cursor() as cursor:
        assert engine._fetch_tuned(connection, cursor, query, [2]) == [("off", "8", 2)]
        cursor.execute(settings)
        assert cursor.fetchone() == before


def test_medians_in_the_grouped_query_are_those_read_into_python(world):
    """PostgreSQL computes medians in the grouped query (the two middle values of each bucket); they are those
    of the values read into Python (SQLite's path), bucket by bucket, with odd and even numbers of values,
    and the areas grouped by their own bucket (a state's median is not made of its municipalities')."""
    manager, programme = world
    states = [AdminArea.objects.create(country="MX", level=1, code=f"MS{i}", name=f"Estado {i}") for i in range(2)]
    towns = [
        AdminArea.objects.create(country="MX", level=2, code=f"MM{i}", name=f"Municipio {i}", parent=states[i % 2])
        for i in range(3)
    ]
    for i, visits in enumerate([0, 1, 2, 3, 5, 8, 1, 2, 4]):
        case = f.case(manager, return_date=date(2026, 1 + i % 5, 3))
        Returnee.objects.filter(pk=case.returnee_id).update(municipality=towns[i % 3])
        for day in range(visits):
            _visit(manager, case, date(2026, 1 + (i + day) % 6, 10 + day))
    parsed = definition.parse(VISITS, "median")
    sets = [(), ("return_type",), ("adm1",), ("adm2",), ("sex", "adm1")]
    periods = [Q1, Q2]
    found = engine.compute_sets(parsed, "median", programme_ids=[programme.pk], periods=periods, sets=sets)
    keys = list(dict.fromkeys(key for s in sets for key in s))
    grouping = engine._grouping(parsed.population, keys)
    rows = engine._rows(parsed, "median", [programme.pk], periods, grouping)
    read = engine._medians(rows, parsed, grouping, len(periods), sets)
    for s in sets:
        assert [(v.total, v.cells) for v in found[s]] == [(v.total, v.cells) for v in read[s]], s
    assert found[()][0].total.denominator == sum(1 for i in range(9) if 1 + i % 5 <= 3)


# PostgreSQL: a few examples (each a query); the fraction is exact for any number of values below 5 × 10^8.
@settings(max_examples=25, deadline=None)
@given(values=st.lists(st.integers(-3, 3) | st.floats(0, 40, allow_nan=False), min_size=1, max_size=9))
def test_the_two_middles_from_one_sort_are_those_of_statistics_median(values):
    """`percentile_disc` at 0.5 and at `_UPPER_MIDDLE` of the same sort are the two middle values (the same one
    for an odd number), averaged as `statistics.median` does: ties, negatives, odd and even numbers."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's ordered-set aggregates")
    marks = ", ".join(["(%s::float8)"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT percentile_disc(ARRAY[0.5, {engine._UPPER_MIDDLE}]) WITHIN GROUP (ORDER BY v) "  # noqa: S608
            f"FROM (VALUES {marks}) t(v)",
            [float(v) for v in values],
        )
        lower, upper = cursor.fetchone()[0]
    assert (lower if lower == upper else (lower + upper) / 2) == statistics.median(float(v) for v in values)
    ordered = sorted(float(v) for v in values)
    assert (lower, upper) == (ordered[(len(values) - 1) // 2], ordered[len(values) // 2])


def test_a_quick_question_asked_again_runs_prepared_and_follows_the_data(world, monkeypatch):
    """PostgreSQL: a quick grouped query asked again runs from a statement prepared once on the connection (its
    text with the parameters written in), still on the data as it is now, also after a rolled-back transaction;
    through pgbouncer in transaction pooling it is not prepared."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's prepared statements")
    from django.db import transaction

    monkeypatch.setattr(engine, "_PREPARED", {})
    monkeypatch.setattr(engine, "_QUICK", 3600.0)  # quick whatever the machine's load
    manager, programme = world
    f.case(manager, return_date=date(2026, 1, 5))
    parsed = definition.parse({"population": "cases", "unit": "case", "date": "return_date"}, "count")

    def count():
        (q1, q2) = engine.compute(parsed, "count", programme_ids=[programme.pk], periods=[Q1, Q2], by=("sex",))
        return q1.total.value, q2.total.value

    def prepared_here():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'reintegra_monitoring_%%'")
            return cursor.fetchone()[0]

    before = prepared_here()
    assert count() == (1, 0)  # compiled, run with the large-query settings: quick
    assert count() == (1, 0)  # prepared now
    assert prepared_here() == before + 1
    f.case(manager, return_date=date(2026, 4, 5))
    with transaction.atomic():
        assert count() == (1, 1)  # the same statement, the data as it is now
        transaction.set_rollback(True)
    assert count() == (1, 1)
    assert prepared_here() == before + 1
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    engine.compute(parsed, "count", programme_ids=[programme.pk], periods=[Q2], by=("sex",))
    engine.compute(parsed, "count", programme_ids=[programme.pk], periods=[Q2], by=("sex",))
    assert prepared_here() == before + 1
