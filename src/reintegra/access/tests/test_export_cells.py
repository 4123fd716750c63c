"""A table read as `ColumnBatches` is written a column at a time (issue 19's export rate): the CSV must be the
bytes its rows give when written one by one, in every language and in machine codes, formula-safe."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from reintegra.access import exports

TEXT = st.text(alphabet="aé =+-@\t\r\n\x00;'\"", max_size=6)
VALUE = st.one_of(
    st.none(),
    TEXT,
    st.sampled_from(["female", "male", "1", "=1"]),
    st.integers(-2, 2),
    st.booleans(),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)),
    st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False),
    st.floats(-2, 2, allow_nan=False),
    st.lists(st.sampled_from(["female", "x", "=y"]), max_size=2),
)
# A column holds one kind of value (with or without empty cells), or anything.
COLUMN_VALUES = st.one_of(
    st.lists(st.one_of(st.none(), TEXT), max_size=5),
    st.lists(st.one_of(st.none(), st.integers(-2, 2)), max_size=5),
    st.lists(st.one_of(st.none(), st.dates(min_value=date(2020, 1, 1), max_value=date(2020, 1, 9))), max_size=5),
    st.lists(st.sampled_from(["female", "male", "1"]), max_size=5),
    # scores: few distinct values, zeros of both signs (one key of a dict, two cells)
    st.lists(st.one_of(st.none(), st.sampled_from([0.0, -0.0, 0.25, 1.0, 1e-7]), st.floats(0, 1)), max_size=5),
    st.lists(VALUE, max_size=5),
)
HEADER = [
    exports.Column("plain", "Plain"),
    exports.Column("coded", "Coded", {"female": "Mujer", "male": "Hombre", 1: "Uno", "=1": "=dangerous"}),
    "just a name",
]


@st.composite
def batches(draw):
    width = draw(st.integers(1, 3))
    tables = []
    for _batch in range(draw(st.integers(0, 3))):
        columns = [draw(COLUMN_VALUES) for _ in range(width)]
        length = min(len(column) for column in columns)
        tables.append([column[:length] for column in columns])
    return [columns for columns in tables if columns[0]]


@settings(max_examples=80, deadline=None)
@given(batches(), st.sampled_from(["es", "en", "fr"]), st.booleans())
def test_a_column_at_a_time_writes_the_bytes_of_each_row(tables, language, codes):
    header = HEADER[: len(tables[0])] if tables else HEADER
    rows = [list(row) for columns in tables for row in zip(*columns, strict=True)]
    by_columns = "".join(
        exports.csv_chunks(header, exports.ColumnBatches(iter(tables)), codes=codes, language=language)
    )
    by_rows = "".join(exports.csv_chunks(header, rows, codes=codes, language=language))
    assert by_columns == by_rows
    assert list(exports.ColumnBatches(iter(tables))) == [tuple(row) for row in rows]


def test_formulas_are_neutralised_in_a_column_of_text():
    header = [exports.Column("plain", "Plain")]
    column = ["ok", " =1", "a\n=2", "-3", "\tx", None]
    written = "".join(exports.csv_chunks(header, exports.ColumnBatches([[column]]), language="en"))
    assert written.splitlines()[1:] == ['"ok"', '"\' =1"', '"a', '=2"', '"\'-3"', '"\'\tx"', '""']
