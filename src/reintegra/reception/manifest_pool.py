"""The second core of a manifest import: the candidate pairs of a chunk scored by worker processes
(`cases.matching.score_pair`, pure) while the import's own process parses the next chunk and reads and writes
the database (`manifest_services._write`).

No Django here: a worker imports `cases.matching` only (a few MB), started by the `spawn` method (a fresh
interpreter: no copy of the parent's open database connection, its threads or its locks, as `fork` would
make). Records travel as plain tuples and results come back as tuples (pickled by C code). A small file,
or a platform where worker processes cannot start, is scored in the import's own process: the same
function, the same results.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from reintegra.cases import matching

logger = logging.getLogger(__name__)

WORKERS = 2
POOL_FROM = 5000  # rows: a smaller file is scored in the import's process (starting workers costs ~0.3 s)

# (id, given names, first family name, second family name, birth date, birth year, document keys)
Record = tuple[Any, ...]
# Per row: the row's person, and the ids of the register's people to score it against.
Job = tuple[Record, Sequence[int]]
Scores = list[list[tuple[int, float, tuple[str, ...]]]]


def as_tuple(person: matching.PersonRecord) -> Record:
    return (person.id, person.given_names, person.first_family_name, person.second_family_name,
            person.birth_date, person.birth_year, person.document_keys)  # fmt: skip


def score(records: dict[int, Record], jobs: Sequence[Job]) -> Scores:
    """Each job's person scored against each of its candidates: [(candidate id, score, reasons)] per job."""
    people = {pk: matching.PersonRecord(*record) for pk, record in records.items()}
    out: Scores = []
    for person, ids in jobs:
        query = matching.PersonRecord(*person)
        found = []
        for pk in ids:
            m = matching.score_pair(query, people[pk])
            found.append((m.id, m.score, m.reasons))
        out.append(found)
    return out


class Scorer:
    """Scores a chunk's jobs: `submit` returns at once, the returned callable waits for the results (in the
    jobs' order). `workers` 0: in this process, when the callable is called."""

    def __init__(self, workers: int = 0) -> None:
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None
        if workers > 0:
            try:
                self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
            except (OSError, ValueError, NotImplementedError) as exc:  # no processes here: score in-process
                logger.warning("manifest import: scoring in-process (%s)", type(exc).__name__)
                self.workers = 0

    def submit(self, records: dict[int, Record], jobs: Sequence[Job]) -> Callable[[], Scores]:
        if self.pool is None or len(jobs) < 2:
            return lambda: score(records, jobs)
        size = -(-len(jobs) // self.workers)
        futures: list[Future[Scores]] = []
        for start in range(0, len(jobs), size):
            part = jobs[start : start + size]
            needed = {pk for _person, ids in part for pk in ids}
            futures.append(self.pool.submit(score, {pk: records[pk] for pk in needed}, part))

        def results() -> Scores:
            out: Scores = []
            for future in futures:
                out.extend(future.result())
            return out

        return results

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def __enter__(self) -> Scorer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def scorer_for(rows: int) -> Scorer:
    """Worker processes for a large file (`REINTEGRA_MANIFEST_WORKERS` overrides their number; 0: none)."""
    configured = os.environ.get("REINTEGRA_MANIFEST_WORKERS", "")
    workers = int(configured) if configured.isdigit() else WORKERS
    return Scorer(workers if rows >= POOL_FROM else 0)
