"""A standard indicator of the library computed for a test, as a submitted period's snapshot computes it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.utils import timezone

from reintegra.monitoring import definition, engine, library


def library_values(code: str, programme_ids: Sequence[int], *, days: int, by: tuple[str, ...] = ()) -> engine.Values:
    """The values of library indicator `code` for the programmes over the last `days` days up to today."""
    entry = next(entry for entry in library.entries() if entry["code"] == code)
    today = timezone.localdate()
    parsed = definition.parse(entry["definition"], entry["measure"])
    (values,) = engine.compute(
        parsed,
        entry["measure"],
        programme_ids=list(programme_ids),
        periods=[(today - timedelta(days=days), today)],
        by=by,
    )
    return values
