"""A number per row counted from related records, as a join to one grouped subquery (docs/scaling.md, "The
monitoring engine at a million cases").

`count_per_row(FollowUpVisit.objects.filter(visited_on__range=span), "case_id")` is, for each case, the number of
its visits in the span. Written as a correlated subquery, PostgreSQL runs it once per case (44 s for a year at a
million cases); as

    LEFT OUTER JOIN (SELECT case_id, COUNT(*) AS n FROM cases_followupvisit WHERE … GROUP BY case_id) T
                 ON T.case_id = cases_case.id

the related records are counted once, in one pass, and joined by hash (SQLite runs the same SQL). The expression
adds that join to the query it is resolved in, on the query's own rows (their primary key), and stands for
COALESCE(T.n, 0).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Self

from django.db.models import Count, Expression, F, Field, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.db.models.sql.constants import INNER, LOUTER

COUNT_COLUMN = "n"


class _FixedJoin:
    """What both joins of this module share: equal when their `identity` is (Django compares joins to reuse
    them), and a kind of join (INNER or LEFT) the query may not change."""

    filtered_relation = None

    @property
    def identity(self) -> tuple[Any, ...]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.identity == other.identity

    def __hash__(self) -> int:
        return hash(self.identity)

    def demote(self) -> Self:
        return self

    def promote(self) -> Self:
        return self


class _GroupedJoin(_FixedJoin):
    """LEFT OUTER JOIN (subquery) alias ON alias.<key> = parent.<column>: what `Query.alias_map` holds for it
    (the attributes and methods of Django's `Join` that the query and its compiler use). It stays LEFT: a row
    without related records counts 0."""

    nullable = True

    def __init__(
        self, subquery: QuerySet[Any], key: str, parent_alias: str, parent_column: str, table_alias: str | None = None
    ) -> None:
        self.subquery = subquery
        self.key = key
        # The name the query derives the alias from (never a real table: always aliased).
        self.table_name = "joined_" + subquery.model._meta.db_table
        self.parent_alias = parent_alias
        self.parent_column = parent_column
        self.table_alias = table_alias
        self.join_type = LOUTER

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sql, params = self.subquery.query.get_compiler(connection=connection).as_sql()
        qn = compiler.quote_name
        alias = qn(self.table_alias)
        on = f"{qn(self.parent_alias)}.{qn(self.parent_column)} = {alias}.{qn(self.key)}"
        return f"{self.join_type} ({sql}) {alias} ON ({on})", list(params)

    def relabeled_clone(self, change_map: dict[str, str]) -> _GroupedJoin:
        return type(self)(
            self.subquery,
            self.key,
            change_map.get(self.parent_alias, self.parent_alias),
            self.parent_column,
            change_map.get(self.table_alias or "", self.table_alias),
        )

    @property
    def identity(self) -> tuple[Any, ...]:
        return (type(self), str(self.subquery.query), self.key, self.parent_alias, self.parent_column)


class _JoinedColumn(Expression):
    """A column of the joined subquery, relabelled with the query when it becomes a subquery."""

    def __init__(self, alias: str, column: str, output_field: Field[Any, Any]) -> None:
        super().__init__(output_field=output_field)
        self.alias, self.column = alias, column

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        qn = compiler.quote_name
        return f"{qn(self.alias)}.{qn(self.column)}", ()

    def relabeled_clone(self, change_map: Mapping[str, str]) -> _JoinedColumn:
        return type(self)(change_map.get(self.alias, self.alias), self.column, self.output_field)

    def get_group_by_cols(self) -> list[Any]:
        return [self]


class Joined(Expression):
    """`column` of the subquery's row whose `key` equals the row's `on` column (its primary key by default),
    `default` when there is none."""

    def __init__(
        self,
        subquery: QuerySet[Any],
        key: str,
        column: str,
        output_field: Field[Any, Any],
        *,
        on: str | None = None,
        default: Any = None,
    ) -> None:
        super().__init__(output_field=output_field)
        self.subquery, self.key, self.column, self.on, self.default = subquery, key, column, on, default

    def resolve_expression(
        self,
        query: Any = None,
        allow_joins: bool = True,
        reuse: Any = None,
        summarize: bool = False,
        for_save: bool = False,
    ) -> Any:
        meta = query.get_meta()
        parent = meta.pk.column if self.on is None else meta.get_field(self.on).column
        alias = query.join(_GroupedJoin(self.subquery, self.key, query.get_initial_alias(), parent))
        found: Any = _JoinedColumn(alias, self.column, self.output_field)
        if self.default is not None:
            found = Coalesce(found, Value(self.default), output_field=self.output_field)
        return found.resolve_expression(query, allow_joins, reuse, summarize, for_save)


def counts_per_row(related: QuerySet[Any], key: str, conditions: Sequence[Q]) -> list[Joined]:
    """For each condition, the number of `related` records meeting it pointing at each row through `key` (0
    when none), all from one grouped subquery joined once (a filtered count per condition)."""
    columns = {f"{COUNT_COLUMN}{i}": Count("pk", filter=condition) for i, condition in enumerate(conditions)}
    grouped = related.order_by().values(key).annotate(**columns)
    return [Joined(grouped, key, column, IntegerField(), default=0) for column in columns]


def count_per_row(related: QuerySet[Any], key: str) -> Joined:
    """The number of `related` records pointing at each row through `key` (0 when none)."""
    grouped = related.order_by().values(key).annotate(**{COUNT_COLUMN: Count("pk")})
    return Joined(grouped, key, COUNT_COLUMN, IntegerField(), default=0)


class _PeriodsJoin(_FixedJoin):
    """INNER JOIN (SELECT 0 AS i, start AS s, end AS e UNION ALL …) alias ON s <= date <= e: each row once per
    period its date falls in (overlapping periods, cumulative ones: a row of the first quarter is in all four).
    A date with a time is compared with the local midnights that bound each period (`e` is the day after).
    It stays INNER: every row needs a period."""

    nullable = False

    def __init__(
        self,
        bounds: list[tuple[Any, Any]],
        column: Any,
        exclusive_end: bool,
        parent_alias: str,
        table_alias: str | None = None,
    ) -> None:
        self.bounds, self.column, self.exclusive_end = bounds, column, exclusive_end
        self.table_name = "periods"
        self.parent_alias = parent_alias
        self.table_alias = table_alias
        self.join_type = INNER

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        qn = compiler.quote_name
        selects, params = [], []
        for i, (start, end) in enumerate(self.bounds):
            names = (f" AS {qn(PERIOD_COLUMN)}", f" AS {qn('s')}", f" AS {qn('e')}") if i == 0 else ("", "", "")
            parts = []
            for bound in (start, end):
                sql, bound_params = compiler.compile(bound)
                parts.append(sql)
                params.extend(bound_params)
            selects.append(f"SELECT {i}{names[0]}, {parts[0]}{names[1]}, {parts[1]}{names[2]}")
        column, column_params = compiler.compile(self.column)
        alias = qn(self.table_alias)
        before = "<" if self.exclusive_end else "<="
        on = f"{column} >= {alias}.{qn('s')} AND {column} {before} {alias}.{qn('e')}"
        return f"INNER JOIN ({' UNION ALL '.join(selects)}) {alias} ON ({on})", [*params, *column_params]

    def relabeled_clone(self, change_map: dict[str, str]) -> _PeriodsJoin:
        return type(self)(
            self.bounds,
            self.column.relabeled_clone(change_map),
            self.exclusive_end,
            change_map.get(self.parent_alias, self.parent_alias),
            change_map.get(self.table_alias or "", self.table_alias),
        )

    @property
    def identity(self) -> tuple[Any, ...]:
        return (type(self), repr(self.bounds), repr(self.column), self.exclusive_end, self.parent_alias)


PERIOD_COLUMN = "i"


class PeriodOf(Expression):
    """The index of the period a row is counted in, the rows repeated once per period their `date_path` falls
    in (a join to the list of periods): overlapping periods in one pass. `bounds` are the periods' (first,
    last) values compared with the date, as expressions (`exclusive_end`: the last is the day after's
    midnight, for a date with a time)."""

    def __init__(self, bounds: list[tuple[Any, Any]], date_path: str, *, exclusive_end: bool = False) -> None:
        super().__init__(output_field=IntegerField())
        self.bounds, self.date_path, self.exclusive_end = bounds, date_path, exclusive_end

    def resolve_expression(
        self,
        query: Any = None,
        allow_joins: bool = True,
        reuse: Any = None,
        summarize: bool = False,
        for_save: bool = False,
    ) -> Any:
        column = F(self.date_path).resolve_expression(query, allow_joins, reuse, summarize, for_save)
        bounds = [
            tuple(b.resolve_expression(query, allow_joins, reuse, summarize, for_save) for b in pair)
            for pair in self.bounds
        ]
        alias = query.join(_PeriodsJoin(bounds, column, self.exclusive_end, query.get_initial_alias()))
        return _JoinedColumn(alias, PERIOD_COLUMN, IntegerField())
