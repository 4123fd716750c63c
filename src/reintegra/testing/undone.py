"""A block whose database writes are undone when it ends, so that each hypothesis example of a stateful property
test starts from the same records (the test's own transaction stays open around all the examples)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction


class _Undo(Exception):
    pass


@contextmanager
def writes_undone() -> Iterator[None]:
    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass
