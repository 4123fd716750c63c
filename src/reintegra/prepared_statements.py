"""Prepared statements for the few statements whose planning is most of their cost (docs/scaling.md "Prepared
statements").

PostgreSQL plans every statement it receives. For a case read with its seven joins (the case page, the API's
case) planning takes 1.6–2.9 ms and running it 0.15 ms; a prepared statement is planned once per connection.
Preparing *every* statement is not safe: after five runs PostgreSQL may keep one generic plan for all parameter
values, and for `… case_manager_id = $1 LIMIT 1` that plan is a sequential scan expecting to stop at the first
match, which reads the whole table for a user who holds no case (8 ms at 20,000 cases, 978 ms at a million).
So statements are prepared only inside `prepared()`, around reads by primary key, whose plan does not depend on
the values:

    with prepared_statements.prepared():
        case = cases.select_related(...).get(pk=pk)

Inside, the connection's new cursors bind parameters on the server (psycopg's `Cursor`, as Django's
`server_side_binding` option makes) and prepare what they run; outside, nothing changes. A no-op on SQLite,
behind pgbouncer (`REINTEGRA_PGBOUNCER`) and with `REINTEGRA_DB_PREPARED=0` (`settings.database.PREPARED`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections

from reintegra.settings.database import PREPARED


@contextmanager
def prepared(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    connection = connections[using]
    if connection.vendor != "postgresql" or not connection.settings_dict.get(PREPARED):
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    from django.db.backends.postgresql.base import ServerBindingCursor  # psycopg 3 only, as the project is

    factory, threshold = raw.cursor_factory, raw.prepare_threshold
    raw.cursor_factory, raw.prepare_threshold = ServerBindingCursor, 0
    try:
        yield
    finally:
        raw.cursor_factory, raw.prepare_threshold = factory, threshold
