"""Access-trail look-ups for tests. `AccessEvent.purpose` is encrypted (it can hold the justification of a
life-at-risk exception), so it cannot be filtered on in SQL: filter on the other columns, compare here."""

from typing import Any

from reintegra.access.models import AccessEvent


def access_events(*, purpose: str | None = None, **filters: Any) -> list[AccessEvent]:
    """Access events matching the column `filters` (SQL) and, when given, this exact `purpose`."""
    events = AccessEvent.objects.filter(**filters).order_by("id")
    return [event for event in events if purpose is None or event.purpose == purpose]
