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

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Expression, Field, IntegerField, QuerySet, Value
from django.db.models.functions import Coalesce
from django.db.models.sql.constants import LOUTER

COUNT_COLUMN = "n"


class _GroupedJoin:
    """LEFT OUTER JOIN (subquery) alias ON alias.<key> = parent.<column>: what `Query.alias_map` holds for it
    (the attributes and methods of Django's `Join` that the query and its compiler use)."""

    filtered_relation = None
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

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _GroupedJoin) and self.identity == other.identity

    def __hash__(self) -> int:
        return hash(self.identity)

    # The query may ask to turn a join INNER or LEFT; this one stays LEFT (a row without related records is 0).
    def demote(self) -> _GroupedJoin:
        return self

    def promote(self) -> _GroupedJoin:
        return self


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


def count_per_row(related: QuerySet[Any], key: str) -> Joined:
    """The number of `related` records pointing at each row through `key` (0 when none)."""
    grouped = related.order_by().values(key).annotate(**{COUNT_COLUMN: Count("pk")})
    return Joined(grouped, key, COUNT_COLUMN, IntegerField(), default=0)
