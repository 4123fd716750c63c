"""Data built once per module for read-mostly tests (docs/CONTRIBUTING.md, "Test suite time")."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any


@contextlib.contextmanager
def built_once[T](django_db_blocker: Any, build: Callable[[], T]) -> Iterator[T]:
    """`build()` run in English inside a transaction rolled back when the block ends: a module-scoped fixture yields
    it, and every test's own transaction (`django_db`), and every savepoint in it, nests inside, so what one test
    writes is gone for the next."""
    from django.db import transaction
    from django.utils import translation

    with django_db_blocker.unblock(), transaction.atomic(), translation.override("en"):
        yield build()
        transaction.set_rollback(True)
