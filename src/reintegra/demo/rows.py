"""Rows of one model as tuples, their columns taken from the model itself, written with one executemany.

`bulk_create` builds a model instance and prepares every field of every row, which alone takes minutes at
the generator's volume (millions of rows); here a row is a tuple in the order of the model's concrete
fields (`Model._meta.concrete_fields`), adapted for the driver by the fields' own backend adapters (dates,
datetimes, JSON, decimals: the same code writes SQLite and PostgreSQL) and encrypted where the field is
encrypted. A column the generator does not give takes the default of its field definition (`null` → None,
a blank text → "", `default=`); a column without one (a required field, a timestamp) must be given, or the
row fails loudly (`MissingColumn`): a field added to a model is either defaulted as the model says or
noticed. Whether the generator writes what the services write is the parity test's business
(`demo/tests/test_parity.py`).
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import partial
from typing import Any

from django.db import models
from django.db.models import Max

from reintegra.access import crypto
from reintegra.access.fields import is_encrypted


class MissingColumn(KeyError):
    """A generated row lacks a value for a column whose field has no default."""


class UnknownColumn(KeyError):
    """A generated row names a column its model does not have."""


_REQUIRED = object()


def _default(model_field: models.Field[Any, Any]) -> Any:
    """What an omitted column holds: the field's own default, or _REQUIRED when the generator must say."""
    time_dependent = isinstance(model_field, models.DateField) and (
        (model_field.has_default() and callable(model_field.default))
        or model_field.auto_now
        or model_field.auto_now_add
    )
    if model_field.primary_key or time_dependent:
        return _REQUIRED
    if model_field.has_default():
        return model_field.get_default()
    if model_field.null:
        return None
    if model_field.blank and model_field.empty_strings_allowed:
        return ""
    return _REQUIRED


def _converter(model_field: models.Field[Any, Any], conn: Any) -> Callable[[Any], Any] | None:
    """How a column's Python value becomes a driver value: encryption for encrypted fields, the backend's own
    adapters for the rest."""
    if is_encrypted(model_field):
        return _sealer()
    if isinstance(model_field, models.DateTimeField):
        return _datetime_adapter(conn)
    if isinstance(model_field, models.DateField):
        return _memoised(conn.ops.adapt_datefield_value)  # a few thousand distinct days: adapt each once
    if isinstance(model_field, models.DecimalField):
        return partial(
            conn.ops.adapt_decimalfield_value,
            max_digits=model_field.max_digits,
            decimal_places=model_field.decimal_places,
        )
    if isinstance(model_field, models.JSONField):
        return _json_adapter(partial(conn.ops.adapt_json_value, encoder=model_field.encoder))
    return None


def _datetime_adapter(conn: Any) -> Callable[[Any], Any]:
    if conn.vendor == "sqlite" and conn.timezone_name == "UTC":
        # What ops.adapt_datetimefield_value does, minus the time-zone conversion: the generator only
        # produces datetimes already in UTC.
        return lambda value: None if value is None else str(value.replace(tzinfo=None))
    return conn.ops.adapt_datetimefield_value  # type: ignore[no-any-return]


def _memoised(adapt: Callable[[Any], Any]) -> Callable[[Any], Any]:
    seen: dict[date, Any] = {}

    def adapted(value: Any) -> Any:
        if value is None:
            return None
        found = seen.get(value)
        if found is None:
            found = seen[value] = adapt(value)
        return found

    return adapted


def _json_adapter(adapt: Callable[[Any], Any]) -> Callable[[Any], Any]:
    cache: dict[Any, Any] = {}

    def json_value(value: Any) -> Any:
        # Lists of codes and most event payloads repeat a lot: adapt each distinct one once.
        key = value if type(value) is tuple else tuple(value.items()) if type(value) is dict else None
        if key is None:
            return adapt(value)
        try:
            hit = cache.get(key)
        except TypeError:  # a payload holding a list (a closure's settled matters): adapted as it is
            return adapt(value)
        if hit is None:
            if len(cache) > 4096:  # payloads with ids never repeat: keep the memo small
                cache.clear()
            hit = cache[key] = adapt(list(value) if type(value) is tuple else value)
        return hit

    return json_value


def _sealer() -> Callable[[Any], Any]:
    """Encrypts a column's clear values (tokens already encrypted pass through). Synthetic data repeats a few
    texts: each distinct one is encrypted once per run and its token reused (see `Sealer`)."""
    tokens: dict[str, str] = {}

    def sealed(value: Any) -> Any:
        if not value or value.startswith(crypto.ENCRYPTED_PREFIX):
            return value
        token = tokens.get(value)
        if token is None:
            if len(tokens) > 4096:  # texts with ids or names never repeat: keep the memo small
                tokens.clear()
            token = tokens[value] = crypto.encrypt(value)
        return token

    return sealed


# PostgreSQL's COPY text format: columns split by tabs, rows by newlines, NULL as \N; a backslash, tab,
# newline or carriage return inside a value is written as its backslash escape.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
COPY_NULL = "\\N"


def copy_text(value: Any) -> str:
    """One value in COPY text format (dates, datetimes, numbers and decimals by their `str`, which
    PostgreSQL reads back exactly; booleans as t/f)."""
    if value is None:
        return COPY_NULL
    kind = type(value)
    if kind is str:
        # `translate` looks every character up in a dict: only texts that need an escape go through it.
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.translate(_COPY_ESCAPES)  # type: ignore[no-any-return]
        return value  # type: ignore[no-any-return]
    if kind is bool:
        return "t" if value else "f"
    return str(value)


def _copy_formatter(model_field: models.Field[Any, Any]) -> Callable[[Any], str]:
    """`copy_text`, or plain `str` for a column that can hold neither NULL nor text (numbers, keys, dates):
    a None there is written "None" and refused by the database, so nothing is lost by the shortcut."""
    plain = (models.IntegerField, models.AutoField, models.ForeignKey, models.DateField, models.DecimalField)
    if not model_field.null and isinstance(model_field, plain) and not is_encrypted(model_field):
        return str
    return copy_text


def _copy_converter(model_field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """What a column's value must become before `copy_text`: encrypted, or JSON text."""
    if is_encrypted(model_field):
        return _sealer()
    if isinstance(model_field, models.JSONField):
        dump = partial(json.dumps, cls=model_field.encoder)
        return _json_adapter(lambda value: None if value is None else dump(value))
    return None


class Sealer:
    """Encrypted form of a synthetic text that recurs (a name, a locality, a phrase): each distinct text is
    encrypted once per run and its token reused. Fine for synthetic data only (equal ciphertexts reveal
    equal values; real data is encrypted value by value), and it keeps Fernet off the hot path. Empty stays
    empty, as in the model's fields."""

    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        if not text:
            return text
        token = self.tokens.get(text)
        if token is None:
            token = self.tokens[text] = crypto.encrypt(text)
        return token


class Table:
    """Rows of one model as tuples in `columns` order (its concrete fields; the primary key only when the
    generator computes ids), written with one executemany per chunk.

    Values of encrypted fields are encrypted when the rows are adapted (`_converter`), so no column of an
    encrypted field is ever written in clear, whatever the generator passes.
    """

    def __init__(self, model: type[models.Model], *, ids: bool = False, skip_conflicts: bool = False) -> None:
        self.model = model
        # Generated columns (`GeneratedField`) are computed by the database from the others: never written.
        self.fields = [f for f in model._meta.concrete_fields if (ids or not f.primary_key) and not f.generated]
        self.columns = tuple(f.attname for f in self.fields)
        self.width = len(self.columns)
        self.defaults = {f.attname: d for f in self.fields if (d := _default(f)) is not _REQUIRED}
        self._row = operator.itemgetter(*self.columns)  # a dict of every column → the row tuple, in C
        # Rows a unique constraint refuses are left out instead of failing the chunk.
        self.skip_conflicts = skip_conflicts
        self.rows: list[Sequence[Any]] = []
        self.written = 0
        self._converters: list[tuple[int, Callable[[Any], Any]]] | None = None
        self._copy_converters: list[tuple[int, Callable[[Any], Any]]] | None = None
        self._copy_formatters: list[Callable[[Any], str]] = []
        self._orders: dict[tuple[str, ...], bool] = {}  # checked orders: the table's own?

    def add(self, **values: Any) -> None:
        """One row by column name (`attname`: "case_id"); omitted columns take their field's default."""
        self.put(values)

    def put(self, values: dict[str, Any]) -> None:
        """`add` with the values in a dict."""
        if len(values) == self.width:  # every column given: no defaults to merge
            try:
                self.rows.append(self._row(values))
                return
            except KeyError:
                self._check(tuple(values))
                raise
        merged = {**self.defaults, **values}
        if len(merged) != self.width:  # a column missing, or one the model does not have
            self._check(tuple(values))
        try:
            self.rows.append(self._row(merged))
        except KeyError:
            self._check(tuple(values))
            raise

    def extend(self, names: tuple[str, ...], rows: Iterable[Sequence[Any]]) -> None:
        """Rows of values in `names` order (checked once per order; omitted columns take their defaults)."""
        in_order = self._orders.get(names)
        if in_order is None:
            self._check(names)
            in_order = self._orders[names] = names == self.columns
        if in_order:
            self.rows.extend(rows)
        else:
            self.rows.extend(self._reorder(names, row) for row in rows)

    def _reorder(self, names: tuple[str, ...], row: Sequence[Any]) -> tuple[Any, ...]:
        return self._row({**self.defaults, **dict(zip(names, row, strict=True))})  # type: ignore[no-any-return]

    def _check(self, names: tuple[str, ...]) -> None:
        label = self.model._meta.label
        unknown = sorted(set(names) - set(self.columns))
        if unknown:
            raise UnknownColumn(f"{label} has no column {', '.join(unknown)}")
        missing = [c for c in self.columns if c not in names and c not in self.defaults]
        if missing:
            raise MissingColumn(f"{label}: no value for {', '.join(missing)} (the field has no default)")

    def drain(self, conn: Any, *, convert: bool = True) -> list[Sequence[Any]]:
        """The rows collected so far (adapted for the driver when `convert`), and a fresh start."""
        rows, self.rows = self.rows, []
        if not (convert and rows):
            return rows
        if self._converters is None:
            self._converters = [(i, conv) for i, f in enumerate(self.fields) if (conv := _converter(f, conn))]
        if not self._converters:
            return rows
        # Column by column: the loops run in C (zip, map), only the adapters in Python.
        columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
        for i, conv in self._converters:
            columns[i] = list(map(conv, columns[i]))
        return list(zip(*columns, strict=True))

    def drain_copy(self) -> bytes:
        """PostgreSQL: the rows collected so far as one COPY text payload (encrypted where the field is), and
        a fresh start. Generator processes build it, so the writing process only streams bytes."""
        rows, self.rows = self.rows, []
        if not rows:
            return b""
        if self._copy_converters is None:
            self._copy_converters = [(i, conv) for i, f in enumerate(self.fields) if (conv := _copy_converter(f))]
            self._copy_formatters = [_copy_formatter(f) for f in self.fields]
        columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
        for i, conv in self._copy_converters:
            columns[i] = map(conv, columns[i])  # type: ignore[call-overload]
        texts = [list(map(fmt, column)) for fmt, column in zip(self._copy_formatters, columns, strict=True)]
        return ("\n".join(map("\t".join, zip(*texts, strict=True))) + "\n").encode()

    def copy_in(self, conn: Any, payload: bytes) -> None:
        """PostgreSQL: write a `drain_copy` payload with COPY (rows a unique constraint refuses are left out
        through a scratch table, as `insert` does with ON CONFLICT DO NOTHING)."""
        if not payload:
            return
        table = conn.ops.quote_name(self.model._meta.db_table)
        columns = self._column_list(conn)
        with conn.cursor() as cursor:
            if not self.skip_conflicts:
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    copy.write(payload)
                self.written += payload.count(b"\n")
                return
            cursor.execute(  # the columns' types without their constraints
                f"CREATE TEMPORARY TABLE seed_scratch ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA"  # noqa: S608
            )
            with cursor.copy(f"COPY seed_scratch ({columns}) FROM STDIN") as copy:
                copy.write(payload)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM seed_scratch ON CONFLICT DO NOTHING"  # noqa: S608
            )
            self.written += cursor.rowcount
            cursor.execute("DROP TABLE seed_scratch")

    def _column_list(self, conn: Any) -> str:
        return ", ".join(conn.ops.quote_name(f.column) for f in self.fields)

    def insert(self, conn: Any, rows: list[Sequence[Any]]) -> None:
        """Write driver-ready rows (from `drain`)."""
        if not rows:
            return
        sql = "INSERT INTO {} ({}) VALUES ({}){}".format(  # noqa: S608 - quoted identifiers, values bound
            conn.ops.quote_name(self.model._meta.db_table),
            self._column_list(conn),
            ", ".join(["%s"] * len(self.columns)),
            " ON CONFLICT DO NOTHING" if self.skip_conflicts else "",
        )
        with conn.cursor() as cursor:
            cursor.executemany(sql, rows)
        self.written += len(rows)

    def copy(self, conn: Any, source: str) -> None:
        """Copy the rows of `source`, a table of an attached SQLite database written by `parallel.spool`."""
        sql = "INSERT{} INTO {} ({}) SELECT {} FROM {}".format(  # noqa: S608 - quoted identifiers
            " OR IGNORE" if self.skip_conflicts else "",  # only SQLite spools chunks
            conn.ops.quote_name(self.model._meta.db_table),
            self._column_list(conn),
            ", ".join(f"c{i}" for i in range(len(self.columns))),
            source,
        )
        with conn.cursor() as cursor:
            cursor.execute(sql)
            self.written += cursor.rowcount


def reserve_ids(blocks: dict[type[models.Model], int], cases: int, conn: Any) -> dict[type[models.Model], int]:
    """First id of each model's block for `cases` cases (`blocks`: ids per case); the database's id generator
    is moved past the whole block at once (SQLite's sqlite_sequence, PostgreSQL's sequences), so rows
    inserted meanwhile by anyone else get ids after it. Call inside a transaction."""
    return {model: _reserve(model, cases * per_case, conn) + 1 for model, per_case in blocks.items()}


def _reserve(model: type[models.Model], count: int, conn: Any) -> int:
    """The last id in use before `count` ids are set aside for `model`."""
    table = model._meta.db_table
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {conn.ops.quote_name(table)} IN EXCLUSIVE MODE")  # readers still read
        top = model._default_manager.aggregate(top=Max("pk"))["top"] or 0
        if conn.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            top = max(top, row[0] if row else 0)
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [top + count, table])
            if cursor.rowcount == 0:
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, top + count])
        elif conn.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608 - name from the catalogue
            last_value, is_called = cursor.fetchone()
            top = max(top, last_value if is_called else last_value - 1)
            cursor.execute("SELECT setval(%s, %s)", [sequence, top + count])
    return int(top)
