"""Generating chunks of cases in worker processes while this process writes.

Cases are independent (one random stream and one id block each), so forked workers generate them and never
touch the database; where fork is unavailable, or inside a transaction (tests), generation runs here. On
SQLite a worker even writes its chunk to a scratch SQLite file that the writer copies with INSERT … SELECT,
which takes the per-row Python work off the one process that must write.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import sqlite3
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

# What the forked workers inherit: the generator and the skeleton (set by `seeding.seed` before forking).
WORKER_STATE: dict[str, Any] = {}


@contextmanager
def bulk_settings(conn: Any) -> Iterator[None]:
    """SQLite: checkpoint the write-ahead log every 40 MB instead of 4 MB while seeding, so the same index
    pages are copied back to the database file fewer times (restored afterwards)."""
    if conn.vendor != "sqlite":
        yield
        return
    with conn.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        previous = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA wal_autocheckpoint = 10000")
    try:
        yield
    finally:
        with conn.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {previous}")


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Generating a chunk allocates millions of small objects and no reference cycle: reference counting
    frees them, and the cycle collector would only rescan the rows kept for writing, again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def spool(drained: Sequence[Sequence[Sequence[Any]]], path: str) -> str:
    """Write driver-ready rows to a scratch SQLite file: table t<i> holds the rows of the i-th table in
    columns c0…cN, untyped so values keep the storage class they would get from executemany."""
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        for i, rows in enumerate(drained):
            if rows:
                width = len(rows[0])
                db.execute(f"CREATE TABLE t{i} ({', '.join(f'c{j}' for j in range(width))})")
                db.executemany(f"INSERT INTO t{i} VALUES ({', '.join(['?'] * width)})", rows)  # noqa: S608
        db.commit()
    finally:
        db.close()
    return path


def bounds(cases: int, chunk_size: int, *, ramp: bool) -> list[tuple[int, int]]:
    """(start, stop) of each chunk. With workers, the first and last chunks are smaller, so the writer
    starts sooner and is not left alone with a large chunk at the end."""
    sizes: list[int] = []
    if ramp:
        steps = [size for size in (chunk_size // 8, chunk_size // 4, chunk_size // 2) if size > 0]
        if cases > 2 * (sum(steps) + chunk_size):
            sizes = steps
    remaining = cases - 2 * sum(sizes)
    middle = [chunk_size] * (remaining // chunk_size) + ([remaining % chunk_size] if remaining % chunk_size else [])
    found, start = [], 0
    for size in [*sizes, *middle, *reversed(sizes)]:
        found.append((start, start + size))
        start += size
    return found


def worker_count(requested: int | None, chunks: int, conn: Any) -> int:
    if requested == 0 or chunks < 2 or conn.in_atomic_block:
        return 0
    if "fork" not in multiprocessing.get_all_start_methods() or sys.platform == "darwin":
        return 0  # forking is unsafe on macOS and unavailable on Windows
    return max(1, min(requested or (os.cpu_count() or 1), chunks))


@contextmanager
def pool(workers: int) -> Iterator[Any]:
    if workers == 0:
        yield None
        return
    gc.freeze()  # the collector in a child would otherwise write to (and so copy) every inherited page
    try:
        with multiprocessing.get_context("fork").Pool(workers) as found:
            yield found
    finally:
        gc.unfreeze()


def chunks(
    workers: Any, generate: Callable[[tuple[int, int]], Any], parts: list[tuple[int, int]], window: int
) -> Iterator[tuple[tuple[int, int], Any]]:
    """Each chunk's rows (or spool file), in order; at most `window` chunks generated ahead of the writer."""
    if workers is None:
        for part in parts:
            yield part, generate(part)
        return
    pending: deque[tuple[tuple[int, int], Any]] = deque()
    upcoming = iter(parts)
    for part in itertools.islice(upcoming, window):
        pending.append((part, workers.apply_async(generate, (part,))))
    while pending:
        part, result = pending.popleft()
        for following in itertools.islice(upcoming, 1):
            pending.append((following, workers.apply_async(generate, (following,))))
        yield part, result.get()
