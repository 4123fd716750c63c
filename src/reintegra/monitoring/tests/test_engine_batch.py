"""Several indicators computed together (`engine.compute_many`: one scan of the rows they share) give, for
each one, exactly what it gives alone (`engine.compute_sets`): counts of distinct units and of latest records,
totals, percentages, ratios and means, per-period, cumulative and with a gap between the periods, the total
and every disaggregation, crossed too. Random data (hypothesis), on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings

from reintegra.cases.models import Case
from reintegra.monitoring import definition, dimensions, engine
from reintegra.monitoring.tests.test_engine_properties import (
    CUMULATIVE,
    QUARTERS,
    YEAR,
    _write,
    _write_visits,
    pool,  # noqa: F401 (the fixture)
    visits_strategy,
    world_strategy,
)
from reintegra.testing.trail import empty_audit_tables

FORCED = [{"field": "return_type", "op": "in", "value": ["forced"]}]
NOT_SPONTANEOUS = [{"field": "return_type", "op": "not_in", "value": ["voluntary_spontaneous"]}]
MINOR = [{"field": "is_minor", "op": "is", "value": True}]
VISITED = [{"field": "follow_ups", "op": "gte", "value": 1}]


def _rules(unit: str) -> list[tuple[str, dict]]:
    base = {"population": "cases", "unit": unit, "date": "return_date"}
    opened = {**base, "date": "opened_on"}
    closed = {**base, "date": "closed_on"}
    return [
        # Other dates of the same rows: one scan with the return date's when the periods do not overlap.
        ("count", opened),
        ("percentage", {**opened, "numerator": FORCED}),
        ("count", {**closed, "filters": NOT_SPONTANEOUS}),
        ("percentage", {**closed, "numerator": MINOR}),
        ("mean", {**closed, "value": "follow_ups"}),
        ("count", base),
        ("count", {**base, "filters": MINOR}),
        ("count", {**base, "numerator": FORCED}),
        ("percentage", {**base, "numerator": FORCED}),
        ("percentage", {**base, "filters": NOT_SPONTANEOUS, "numerator": MINOR}),
        ("ratio", {**base, "filters": FORCED, "numerator": VISITED}),
        ("mean", {**base, "value": "follow_ups"}),
        ("mean", {**base, "filters": NOT_SPONTANEOUS, "value": "follow_ups"}),
        ("sum", {**base, "filters": VISITED, "value": "follow_ups"}),
    ]


PERIODS = [QUARTERS, CUMULATIVE, [QUARTERS[0], QUARTERS[2]]]


def _check(programme_ids: list[int]) -> None:
    requests, alone = [], []
    for unit in ("person", "case"):
        for periods in PERIODS:
            for measure, raw in _rules(unit):
                parsed = definition.parse(raw, measure)
                keys = tuple(dimensions.available(parsed.population))
                sets = [(), *((key,) for key in keys), keys[:3]]
                requests.append(
                    engine.request(parsed, measure, programme_ids=programme_ids, periods=periods, sets=sets)
                )
                alone.append(
                    engine.compute_sets(parsed, measure, programme_ids=programme_ids, periods=periods, sets=sets)
                )
    made = engine.batches(requests)
    assert len(made) < len(requests) / 2
    # Indicators ranking their units' latest records among different rows are apart; those among the same together.
    assert any(len(batch) > 1 and requests[batch[0]].definition.unit == "person" for batch in made)
    assert any(len({requests[i].definition.date for i in batch}) > 1 for batch in made)
    together = engine.compute_many(requests)
    for asked, mine, theirs in zip(requests, together, alone, strict=True):
        assert mine.keys() == theirs.keys()
        for s in theirs:
            assert [(v.total, v.cells) for v in mine[s]] == [(v.total, v.cells) for v in theirs[s]], (
                asked.measure,
                asked.definition,
                asked.periods,
                s,
            )


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=world_strategy, visits=visits_strategy)
def test_indicators_computed_together_are_each_computed_alone(pool, world, visits):  # noqa: F811
    people, cases = world
    programme_ids = [p.pk for p in pool[0]]
    with transaction.atomic():
        _write(pool, people, cases)
        # Opened and closed some days after the return (derived from it: in another quarter, or out of the year).
        for pk, case in zip(pool[3], cases, strict=True):
            returned = YEAR + timedelta(days=case["day"])
            Case.objects.filter(pk=pk).update(
                opened_on=returned + timedelta(days=case["day"] % 40),
                closed_on=returned + timedelta(days=(case["day"] * 7) % 200),
            )
        _write_visits(pool, visits)
        _check(programme_ids)
        transaction.set_rollback(True)


def test_a_median_is_computed_alone_and_other_populations_apart(db):
    count = definition.parse({"population": "cases", "unit": "case", "date": "return_date"}, "count")
    median = definition.parse(
        {"population": "cases", "unit": "case", "date": "return_date", "value": "follow_ups"}, "median"
    )
    by_person = definition.parse({"population": "cases", "unit": "person", "date": "return_date"}, "count")
    period = [(date(2025, 1, 1), date(2025, 3, 31))]
    asked = [
        engine.request(count, "count", programme_ids=[1], periods=period, sets=[()]),
        engine.request(median, "median", programme_ids=[1], periods=period, sets=[()]),
        engine.request(by_person, "count", programme_ids=[1], periods=period, sets=[()]),
        engine.request(count, "percentage", programme_ids=[1], periods=period, sets=[()]),
    ]
    # The count of distinct people keeps its own batch; a median is alone.
    assert engine.batches(asked) == [[0, 3], [1], [2]]


def test_a_programme_snapshot_is_each_indicator_computed_alone(db):
    from reintegra.monitoring import snapshots
    from reintegra.monitoring.models import Indicator
    from reintegra.monitoring.tests import report_world

    world = report_world.build()
    node = world.per_period.node
    for code, measure, rule in (
        ("minors", "count", {**report_world.PEOPLE, "filters": MINOR}),
        ("cases", "count", {**report_world.FORCED_SHARE, "numerator": []}),
        ("not-forced", "percentage", {**report_world.FORCED_SHARE, "filters": NOT_SPONTANEOUS}),
    ):
        Indicator.objects.create(
            framework=world.framework, node=node, code=code, name_es=code, measure=measure, definition=rule
        )
    indicators = list(Indicator.objects.filter(framework=world.framework).select_related("framework__programme"))
    for period in (world.q1, world.q2):
        together = snapshots.snapshot_values_many(indicators, period)
        for indicator, values in zip(indicators, together, strict=True):
            if not indicator.is_computed:
                assert values == {"total": None, "dimensions": {}, "text": ""}
                continue
            start = snapshots.programme_start(indicator)
            period_span = snapshots.span(indicator, period, start)
            keys = list(dimensions.available(definition.parse(indicator.definition, indicator.measure).population))
            sets = [(), *((key,) for key in keys)]
            alone = snapshots.computed_sets(indicator, [period_span], sets)
            lop = snapshots.computed_sets(indicator, [(start, period.ends_on)], sets)
            assert values["total"] == snapshots.as_json(alone[()][0].total), indicator.code
            assert values["lop"] == snapshots.as_json(lop[()][0].total), indicator.code
            for key in keys:
                assert values["dimensions"][key] == {
                    b: snapshots.as_json(c) for (b,), c in alone[(key,)][0].cells.items()
                }, (indicator.code, key)
                assert values["lop_dimensions"][key] == {
                    b: snapshots.as_json(c) for (b,), c in lop[(key,)][0].cells.items()
                }, (indicator.code, key)
        assert together[0]["total"]["value"] > 0


@pytest.fixture
def committed(transactional_db):
    """The other threads read on connections of their own: they see committed rows only, hence a transactional
    test; the audit rows the writes left are emptied after it (the flush would be refused by the trail's guard)."""
    yield
    empty_audit_tables()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="several connections at once on PostgreSQL only")
def test_batches_on_two_connections_at_once_are_those_on_one(committed, monkeypatch):
    from reintegra.monitoring.tests import report_world

    monkeypatch.setattr(engine, "_SPREAD_AFTER", 0)  # the second thread at once (a small world is quick)

    world = report_world.build()
    quarters = [(q.starts_on, q.ends_on) for q in (world.q1, world.q2)]
    requests = []
    for measure, raw in _rules("person")[:8]:
        parsed = definition.parse(raw, measure)
        keys = tuple(dimensions.available(parsed.population))
        requests.append(
            engine.request(
                parsed, measure, programme_ids=[world.programme.pk], periods=quarters, sets=[(), *((k,) for k in keys)]
            )
        )
    assert len(engine.batches(requests)) > 2
    threads: list[str] = []
    one = engine.compute_many(requests, connections_at_once=1)
    two = engine.compute_many(
        requests, connections_at_once=2, timed=lambda batch, seconds: threads.append(threading.current_thread().name)
    )
    for mine, theirs in zip(two, one, strict=True):
        assert mine.keys() == theirs.keys()
        assert all([(v.total, v.cells) for v in mine[s]] == [(v.total, v.cells) for v in theirs[s]] for s in theirs)
    assert any(v.total.value for each in one for values in each.values() for v in values)
    assert len(threads) == len(engine.batches(requests))
    assert threading.current_thread().name in threads and "monitoring-batch-1" in threads
    assert not any(t.name.startswith("monitoring-batch") for t in threading.enumerate())


def test_inside_a_transaction_or_on_sqlite_the_batches_run_one_after_the_other(db):
    # The test's transaction is open: another connection would not see its rows.
    assert engine._connections_at_once(5, 2) == 1
    with transaction.atomic():
        assert engine._connections_at_once(5, 4) == 1


def test_never_more_connections_than_the_pool_holds():
    assert engine._room({"OPTIONS": {}}, 4) == 4
    assert engine._room({"OPTIONS": {"pool": True}}, 3) == 3
    assert engine._room({"OPTIONS": {"pool": {"min_size": 1, "max_size": 2}}}, 4) == 2
    assert engine._room({"OPTIONS": {"pool": {"min_size": 1, "max_size": 8}}}, 3) == 3
    assert engine._room({}, 0) == 1


def test_every_task_runs_once_and_an_error_is_raised_to_the_caller(monkeypatch):
    ran: list[int] = []
    lock = threading.Lock()

    def task(n: int) -> None:
        with lock:
            ran.append(n)

    engine._run_all([lambda n=n: task(n) for n in range(9)], 3)
    assert sorted(ran) == list(range(9))
    monkeypatch.setattr(engine, "_SPREAD_AFTER", 0)
    ran.clear()
    engine._run_all([lambda n=n: task(n) for n in range(9)], 3)
    assert sorted(ran) == list(range(9))

    ran.clear()

    def failing() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        engine._run_all([failing, *(lambda n=n: task(n) for n in range(50))], 2)
    assert len(ran) == len(set(ran))  # none twice (the others stop taking tasks)
    assert not any(t.name.startswith("monitoring-batch") for t in threading.enumerate())
