"""The rows of a page of ids with their joins, read without the ORM's per-request work (`pagination.rows_of_ids`).

A list page reads its 25 rows by id with the list's joins (`select_related`) and deferred columns: the same
statement on every request but for the ids. Django compiles it again each time (about 1 ms of CPU for the case
list's four tables), converts each value through its field one at a time (an encrypted column: one token opened
per value) and builds each instance through `Model.__init__` (a `setattr` per column, two signals).

Here the statement is compiled once per thread for a shape (model, joins, deferred columns, number of ids) and run
on a cursor with the page's ids; each column is converted as Django converts it (the backend's converters, then
the field's, an encrypted column's tokens opened together by its `from_db_values`); and each instance is made as
`Model.from_db` makes it: its fetched columns set (through the class's data descriptors where it has them, e.g. a
foreign key's id or a country), `_state` not adding and from this database, related rows cached on it as
`select_related` caches them. Anything this does not reproduce takes Django's own path: prefetches, models with
their own `__init__` or `from_db`, `pre_init`/`post_init` receivers, a fetch mode that tracks peers, multi-table
inheritance, repeated ids. The plans are kept with the connection they were compiled for (per thread: Django's
connections are), and hold nothing of a request (the ids are parameters).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.base import ModelState
from django.db.models.query import ModelIterable
from django.db.models.signals import post_init, pre_init

from reintegra import prepared_statements

# Per connection (each thread has its own), the plans of the shapes it read.
_plans: weakref.WeakKeyDictionary[Any, dict[Any, _Plan | None]] = weakref.WeakKeyDictionary()
# Shapes kept per connection at most (a process's lists have a handful: model, joins, deferred columns, ids).
_PLANS_PER_CONNECTION = 64


@dataclass(frozen=True)
class _Node:
    """One model of the row: its columns (`start:end`), how to make its instances, what it caches on its parent."""

    model: type[Model]
    start: int
    end: int
    pk_at: int  # within start:end
    described: tuple[tuple[str, bool], ...]  # (attname, set through the class's data descriptor)
    children: tuple[_Node, ...]
    local_setter: Any
    remote_setter: Any


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple[Any, ...]  # the shape's constants, and stand-ins at `places`
    places: tuple[int, ...]  # where the values go
    width: int
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]  # (column, converters, expression)
    annotations: tuple[tuple[str, int], ...]  # (name, column)
    connection: Any
    fetch_mode: Any
    root: _Node


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((key, _freeze(item)) for key, item in value.items()))
    return value


def _plain_model(model: type[Model]) -> bool:
    """Whether `Model.from_db` would make an instance of `model` by `Model.__init__` alone, no receiver."""
    if model.__dict__.get("from_db") is not None or any(
        "__init__" in klass.__dict__ or "from_db" in klass.__dict__
        for klass in model.__mro__[: model.__mro__.index(Model)]
    ):
        return False
    return not (pre_init.has_listeners(model) or post_init.has_listeners(model))


def _node(info: dict[str, Any], select: list[Any]) -> _Node | None:
    model = info["model"]
    if info.get("from_parent") or not _plain_model(model):
        return None
    fields = info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    attnames = [selected[0].target.attname for selected in select[start:end]]
    children = []
    for related in info.get("related_klass_infos", ()):
        child = _node(related, select)
        if child is None:
            return None
        children.append(child)
    return _Node(
        model=model,
        start=start,
        end=end,
        pk_at=attnames.index(model._meta.pk.attname),
        described=tuple((name, hasattr(type(getattr(model, name, None)), "__set__")) for name in attnames),
        children=tuple(children),
        local_setter=info.get("local_setter"),
        remote_setter=info.get("remote_setter"),
    )


def _plan(key: Any, alias: str, compile_plan: Callable[[], _Plan | None]) -> _Plan | None:
    plans = _plans.setdefault(connections[alias], {})
    if key in plans:
        return plans[key]
    plan = compile_plan()
    if len(plans) >= _PLANS_PER_CONNECTION:
        plans.clear()
    plans[key] = plan
    return plan


def _compile(
    shaped: Callable[[list[Any]], QuerySet[Any]], alias: str, stand_ins: tuple[list[Any], list[Any]]
) -> _Plan | None:
    """The plan of `shaped(values)`: compiled for two sets of stand-in values, the parameters that differ are the
    values' places (they must be the stand-ins, in their order); the others are constants of the shape."""
    first, second = (shaped(values).using(alias) for values in stand_ins)
    if first._fetch_mode.track_peers or first._known_related_objects:  # type: ignore[attr-defined]
        return None
    if getattr(first, "_prefetch_related_lookups", ()) or first._iterable_class is not ModelIterable:
        return None
    compiler = first.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    other_sql, other_params = second.query.get_compiler(using=alias).as_sql()
    places = [at for at, (one, other) in enumerate(zip(params, other_params, strict=True)) if one != other]
    if sql != other_sql or [params[at] for at in places] != stand_ins[0] or compiler.klass_info is None:
        return None  # not a statement whose only varying parameters are the values, in their order
    root = _node(compiler.klass_info, compiler.select)
    if root is None:
        return None
    width = compiler.col_count
    converters = compiler.get_converters([selected[0] for selected in compiler.select[:width]])
    return _Plan(
        sql=sql,
        params=tuple(params),
        places=tuple(places),
        width=width,
        converters=tuple((at, tuple(convs), expression) for at, (convs, expression) in converters.items()),
        annotations=tuple((compiler.annotation_col_map or {}).items()),
        connection=compiler.connection,
        fetch_mode=first._fetch_mode,  # type: ignore[attr-defined]
        root=root,
    )


def converted_column(
    values: Sequence[Any], converters: Iterable[Any], expression: Any, connection: Any
) -> Sequence[Any]:
    """A column of read values converted as Django converts each value (the backend's converters, then the
    field's `from_db_value`), by the field's `from_db_values` for the whole column where it has one (the encrypted
    fields: their tokens opened together)."""
    for convert in converters:
        whole = getattr(getattr(convert, "__self__", None), "from_db_values", None)
        if whole is not None and getattr(convert, "__name__", "") == "from_db_value":
            values = whole(list(values))
        else:
            values = [convert(value, expression, connection) for value in values]
    return values


def _converted(plan: _Plan, fetched: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    columns: list[Any] = list(zip(*fetched, strict=True))[: plan.width]
    connection = plan.connection
    for at, converters, expression in plan.converters:
        columns[at] = converted_column(columns[at], converters, expression, connection)
    return list(zip(*columns, strict=True))


def _make(node: _Node, row: tuple[Any, ...], db: str, fetch_mode: Any) -> Model | None:
    values = row[node.start : node.end]
    if values[node.pk_at] is None:
        return None
    instance = node.model.__new__(node.model)
    state = instance._state = ModelState()
    own = instance.__dict__
    for (name, described), value in zip(node.described, values, strict=True):
        if described:
            setattr(instance, name, value)
        else:
            own[name] = value
    state.adding = False
    state.db = db
    state.fetch_mode = fetch_mode
    for child in node.children:
        related = _make(child, row, db, fetch_mode)
        child.local_setter(instance, related)
        if related is not None:
            child.remote_setter(related, instance)
    return instance


def instances(
    key: Any,
    alias: str,
    shaped: Callable[[list[Any]], QuerySet[Any]],
    values: list[Any],
    stand_ins: tuple[list[Any], list[Any]],
) -> list[Any] | None:
    """The instances `shaped(values)` would give on `alias` (with its joins and annotations), read with the
    statement compiled once per `key` and connection; None when that shape is not one this reads (the caller then
    asks the ORM). `key` names the shape: everything `shaped` depends on but the values. `stand_ins`: two sets of
    values, as many as `values`, different from each other at every place, to find where the values go."""
    plan = _plan(key, alias, lambda: _compile(shaped, alias, stand_ins))
    if plan is None:
        return None
    params = list(plan.params)
    for at, value in zip(plan.places, values, strict=True):
        params[at] = value
    with prepared_statements.prepared(alias), connections[alias].cursor() as cursor:  # by key: one plan fits all
        cursor.execute(plan.sql, params)
        fetched = cursor.fetchall()
    if not fetched:
        return []
    made = []
    for row in _converted(plan, fetched):
        instance = _make(plan.root, row, alias, plan.fetch_mode)
        for name, at in plan.annotations:
            setattr(instance, name, row[at])
        made.append(instance)
    return made


def read(rows: QuerySet[Any], ids: list[Any]) -> list[Any] | None:
    """The instances of `ids` with `rows`' joins and deferred columns, in no particular order, read where
    `rows.model._default_manager` reads; None when the shape is not one this reads."""
    if getattr(rows, "_prefetch_related_lookups", ()) or len(set(ids)) != len(ids):
        return None
    model, query = rows.model, rows.query
    key = ("rows", model, _freeze(query.select_related), query.deferred_loading[1], query.deferred_loading[0], len(ids))

    def shaped(pks: list[Any]) -> QuerySet[Any]:
        fetch: QuerySet[Any] = model._default_manager.filter(pk__in=pks)
        fetch.query.select_related = query.select_related
        fetch.query.deferred_loading = query.deferred_loading
        return fetch

    count = len(ids)
    stand_ins = (list(range(1, count + 1)), list(range(count + 1, 2 * count + 1)))
    return instances(key, model._default_manager.db, shaped, ids, stand_ins)
