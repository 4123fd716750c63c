"""Access-trail look-ups for tests. `AccessEvent.purpose` is encrypted (it can hold the justification of a
life-at-risk exception), so it cannot be filtered on in SQL: filter on the other columns, compare here."""

from typing import Any

from django.db import connection, transaction

from reintegra.access import append_only
from reintegra.access.models import AccessEvent


def access_events(*, purpose: str | None = None, **filters: Any) -> list[AccessEvent]:
    """Access events matching the column `filters` (SQL) and, when given, this exact `purpose`."""
    events = AccessEvent.objects.filter(**filters).order_by("id")
    return [event for event in events if purpose is None or event.purpose == purpose]


def empty_audit_tables() -> None:
    """Empty the audit tables, their append-only guard lifted for that moment: a transactional test's flush
    deletes every row, which the guard refuses."""
    for table in append_only.TABLES:
        with transaction.atomic(), append_only.suspended(table), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a constant
