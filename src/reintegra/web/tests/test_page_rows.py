"""A page's rows read by `web.page_rows` are the instances the ORM makes (`pagination.rows_of_ids`)."""

from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from reintegra.cases import selectors
from reintegra.cases.models import Case
from reintegra.testing import factories
from reintegra.web import page_rows
from reintegra.web.pagination import rows_of_ids


def _loaded(instance: Model | None) -> Any:
    """What an instance holds: its columns read, the ones left deferred, its state, its cached related rows."""
    if instance is None:
        return None
    columns = {name: value for name, value in vars(instance).items() if name != "_state"}
    related = {name: _loaded(value) for name, value in instance._state.fields_cache.items()}
    state = (instance._state.adding, instance._state.db, instance._state.fetch_mode)
    return type(instance), columns, sorted(instance.get_deferred_fields()), state, related


def _orm_rows(rows: Any, ids: list[int]) -> list[Case]:
    fetch = Case._default_manager.filter(pk__in=ids)
    fetch.query.select_related = rows.query.select_related
    fetch.query.deferred_loading = rows.query.deferred_loading
    by_id = {case.pk: case for case in fetch}
    return [by_id[pk] for pk in ids]


@pytest.mark.django_db
def test_a_page_read_once_compiled_is_what_the_orm_reads(supervisor, case_manager, other_case_manager):
    unassigned = factories.case(
        case_manager, factories.returnee(case_manager, birth_date=None, estimated_age=40, given_names="Ana")
    )
    Case.objects.filter(pk=unassigned.pk).update(case_manager=None)
    made = [factories.case(case_manager, factories.returnee(case_manager, given_names=f"Luz {n}")) for n in range(3)]
    factories.case(other_case_manager)  # another organisation's: never asked for
    listed = selectors.search_cases(supervisor, selectors.CaseFilters())
    ids = [made[2].pk, unassigned.pk, made[0].pk, 10**9]  # in the page's order; an id gone since is left out

    with CaptureQueriesContext(connection) as first:
        read = rows_of_ids(listed, ids)
    with CaptureQueriesContext(connection) as again:
        read_again = rows_of_ids(listed, ids)

    expected = _orm_rows(listed, ids[:3])
    assert [case.pk for case in read] == ids[:3]
    assert [_loaded(case) for case in read] == [_loaded(case) for case in expected]
    assert [_loaded(case) for case in read_again] == [_loaded(case) for case in expected]
    assert read[1].case_manager is None and read[0].returnee.given_names == "Luz 2"  # cached: no statement
    assert len(first.captured_queries) == len(again.captured_queries) == 1
    assert first.captured_queries[0]["sql"] == again.captured_queries[0]["sql"]


@pytest.mark.django_db
def test_a_shape_is_compiled_once_per_connection(supervisor, case_manager, monkeypatch):
    cases = [factories.case(case_manager) for _ in range(2)]
    listed = selectors.search_cases(supervisor, selectors.CaseFilters())
    compiled = []
    compile_plan = page_rows._compile
    monkeypatch.setattr(page_rows, "_compile", lambda *args: compiled.append(1) or compile_plan(*args))
    monkeypatch.setattr(page_rows, "_plans", type(page_rows._plans)())
    for _ in range(3):
        assert [case.pk for case in rows_of_ids(listed, [cases[1].pk, cases[0].pk])] == [cases[1].pk, cases[0].pk]
    rows_of_ids(listed, [cases[0].pk])  # another number of ids: another statement
    assert len(compiled) == 2


@pytest.mark.django_db
def test_what_it_does_not_read_is_read_by_the_orm(supervisor, case_manager):
    case = factories.case(case_manager)
    listed = selectors.search_cases(supervisor, selectors.CaseFilters())
    assert page_rows.read(listed.prefetch_related("events"), [case.pk]) is None
    assert page_rows.read(listed, [case.pk, case.pk]) is None
    with_events = rows_of_ids(listed.prefetch_related("events"), [case.pk])
    assert [row.pk for row in with_events] == [case.pk] and len(with_events[0].events.all()) >= 1
