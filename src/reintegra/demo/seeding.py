"""Synthetic returnees and cases for demos, tests and benchmarks (`reintegra seed`, `reintegra demo`).

Realistic (`people`, `telling`, `timeline`, the vocabularies of `demo/data/`): cases in every status with
the records that status implies (assessments, counselling, plans with items per dimension, follow-up
visits, closures across the Handbook's reasons, the timeline).

Deterministic: a skeleton drawn from `random.Random(seed)` fixes every case's return and opening dates,
organisation, case number and case manager (`skeleton`); then case i is told from its own stream. The same
seed, `as_of` day and organisations therefore give the same names, dates, statuses and case numbers
whatever the chunk size or the number of worker processes. Database ids and ciphertexts (Fernet uses a
fresh IV) are not part of that promise.

Fast (targets on a two-core machine: 100,000 cases, about five million rows, within a minute with SQLite;
a million cases within ten minutes with PostgreSQL): each case is a story (`stories`) that `writer` turns
into rows the way the services would write them, one transaction per chunk of `chunk_size` cases (`rows`),
while worker processes tell the next chunks (`parallel`). PostgreSQL gets each table's chunk as one COPY
payload the workers format; SQLite one `executemany` per table (or the workers' spool files).
Ids are computed: each case owns a block of ids per model, reserved up front by moving the database's id
generators past all the blocks, and every organisation's CaseNumberSequence is moved past the skeleton's
case numbers likewise, so whatever is created meanwhile through the UI cannot collide.

Seeding again into the same database appends: new returnees and cases with new case numbers (with the same
seed the same names come back, like people returned a second time). Auditlog is disabled while seeding:
synthetic data is not a user's change.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypedDict, Unpack, cast

from auditlog.context import disable_auditlog
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from reintegra.access.models import Organisation, Programme, User
from reintegra.community import return_tally, score_tally
from reintegra.demo import fresh_load, parallel, rows, skeleton, staff
from reintegra.demo.draws import Draws
from reintegra.demo.skeleton import OrgContext, Skeleton, Slot
from reintegra.demo.stories import CaseStory
from reintegra.demo.telling import tell
from reintegra.demo.vocabulary import vocabulary
from reintegra.demo.writer import ID_BLOCKS, Writer
from reintegra.monitoring import case_facts

# Each table's rows, in Generator.tables order.
Drained = list[list[Sequence[Any]]]


@dataclass
class SeedResult:
    cases: int
    seconds: float
    per_organisation: dict[str, int]
    rows: dict[str, int]


@dataclass
class Plan:
    """Who gets which case, before anything is written (`prepare`)."""

    contexts: list[OrgContext]
    slots: Skeleton
    seed: int
    as_of: date


class Generator:
    """Tells cases and keeps their rows until they are written."""

    def __init__(self, seed: int, as_of: date, bases: dict[Any, int]) -> None:
        self.seed = seed
        self.as_of = as_of
        self.draws = Draws()
        self.writer = Writer(bases)
        self.tables = list(self.writer.tables)

    def story(self, slot: Slot) -> CaseStory:
        return tell(self.draws, self.seed, slot, self.as_of)

    def case(self, slot: Slot) -> None:
        self.writer.write(self.story(slot))

    def drain(self, conn: Any, *, convert: bool = True) -> Drained:
        """Every table's rows generated since the last call, in `self.tables` order."""
        return [table.drain(conn, convert=convert) for table in self.tables]

    def insert(self, conn: Any, drained: Drained, *, converted: bool = True) -> None:
        for table, found in zip(self.tables, drained, strict=True):
            if not converted:
                table.rows = found
                found = table.drain(conn)
            table.insert(conn, found)

    def drain_copy(self) -> list[bytes]:
        """PostgreSQL: every table's rows since the last call as COPY payloads, in `self.tables` order."""
        return [table.drain_copy() for table in self.tables]

    def copy_in(self, conn: Any, payloads: list[bytes]) -> None:
        with transaction.atomic():
            for table, payload in zip(self.tables, payloads, strict=True):
                table.copy_in(conn, payload)

    def copy(self, conn: Any, path: str) -> None:
        """Write a chunk spooled by a worker (`parallel.spool`): attach its file and copy table by table."""
        with conn.cursor() as cursor:
            cursor.execute("ATTACH DATABASE %s AS seed_chunk", [path])  # not allowed inside a transaction
        try:
            with transaction.atomic():
                with conn.cursor() as cursor:
                    cursor.execute("SELECT name FROM seed_chunk.sqlite_master WHERE type = 'table'")
                    present = {name for (name,) in cursor.fetchall()}
                for i, table in enumerate(self.tables):
                    if f"t{i}" in present:
                        table.copy(conn, f"seed_chunk.t{i}")
        finally:
            with conn.cursor() as cursor:
                cursor.execute("DETACH DATABASE seed_chunk")
            os.remove(path)


def _context(org: Organisation, assignees: Mapping[int, Sequence[tuple[User, int]]] | None) -> OrgContext:
    people = list(assignees[org.pk]) if assignees and org.pk in assignees else [(u, 1) for u in staff.ensure_staff(org)]
    if not people:
        raise ValueError(f"Organisation {org.code} has no case manager to assign cases to.")
    country = str(org.country)
    places, places_w = skeleton.places(country)
    programme = Programme.default_for(org.pk)
    return OrgContext(
        org=org,
        country=vocabulary().countries[country],
        cycle=skeleton.cycle(people),
        places=places,
        places_w=places_w,
        sequences=skeleton.existing_sequences(org),
        programme_id=programme.pk if programme else None,
    )


class PlanOptions(TypedDict, total=False):
    """Who gets the cases and when they return (see `seed`)."""

    seed: int  # default 1
    organisations: Sequence[Organisation] | None
    weights: Sequence[float] | None
    assignees: Mapping[int, Sequence[tuple[User, int]]] | None
    as_of: date | None
    span_days: int  # default three years


def prepare(cases: int, **options: Unpack[PlanOptions]) -> Plan:
    """The skeleton of `cases` cases (see `seed` for the arguments); creates the staff it needs, writes no case."""
    seed = options.get("seed", 1)
    as_of = options.get("as_of") or timezone.localdate() - timedelta(days=1)
    orgs = list(options.get("organisations") or staff.default_organisations())
    known = vocabulary()
    for org in orgs:
        if str(org.country) not in known.countries:
            raise ValueError(f"No synthetic data for country {org.country} (organisation {org.code}).")
    weights = options.get("weights")
    if weights is None:
        weights = [known.organisations[str(org.country)].weight for org in orgs]
    if len(weights) != len(orgs) or min(weights, default=1) < 0 or sum(weights) <= 0:
        raise ValueError("Give one non-negative weight per organisation.")
    with disable_auditlog():
        contexts = [_context(org, options.get("assignees")) for org in orgs]
    slots = skeleton.skeleton(cases, seed, as_of, options.get("span_days", 3 * 365), contexts, weights)
    return Plan(contexts, slots, seed, as_of)


def stories(plan: Plan) -> Iterator[CaseStory]:
    """The stories of a prepared plan, as `seed` tells them (for the parity test)."""
    generator = Generator(plan.seed, plan.as_of, {model: 1 for model in ID_BLOCKS})
    return (generator.story(slot) for slot in plan.slots)


def seed(
    cases: int,
    *,
    chunk_size: int = 5000,
    workers: int | None = None,
    progress: bool = False,
    **options: Unpack[PlanOptions],
) -> SeedResult:
    """Create `cases` synthetic cases with their returnees and records; returns counts.

    `organisations` default to one per return country (organisations.yaml, created when missing); cases
    are shared among them by `weights` (default: each country's weight in organisations.yaml). Within an
    organisation cases go round-robin to `assignees[org.pk]`, (case manager, weight) pairs, or else to
    every active case manager of the organisation once `staff.ensure_staff` has created the synthetic
    teams. Return dates fall in the `span_days` up to `as_of`, the last day anything happens (default
    yesterday, so that no timestamp lies in the future). `workers` processes generate the cases while this
    one writes (default: one per CPU; 0 = generate here).
    """
    started = time.perf_counter()
    conn = connections[DEFAULT_DB_ALIAS]
    with disable_auditlog():
        # One transaction from reading the case numbers in use to reserving the ids: nothing slips between.
        with transaction.atomic():
            plan = prepare(cases, **options)
            skeleton.reserve_case_numbers(plan.contexts)
            bases = rows.reserve_ids(ID_BLOCKS, cases, conn)
        generator = Generator(plan.seed, plan.as_of, bases)
        # Counted before the fresh load opens its transaction: a caller's transaction (the tests') keeps the
        # generation in this process, the fresh load's own one must not.
        workers = parallel.worker_count(workers, -(-len(plan.slots) // chunk_size), conn)
        with fresh_load.deferred_indexes(conn, [table.model for table in generator.tables]):
            _write(generator, plan.slots, conn, chunk_size=chunk_size, workers=workers, progress=progress)
        # The rows went in without the ORM's signals: recount the hotspots' kept tallies from them.
        return_tally.rebuild()
        score_tally.rebuild()
        case_facts.rebuild()
    per_organisation = {ctx.org.code: 0 for ctx in plan.contexts}
    for owner, count in Counter(plan.slots.owners).items():
        per_organisation[plan.contexts[owner].org.code] += count
    return SeedResult(
        cases=cases,
        seconds=time.perf_counter() - started,
        per_organisation=per_organisation,
        rows={table.model._meta.label: table.written for table in generator.tables},
    )


def _write(generator: Generator, slots: Skeleton, conn: Any, *, chunk_size: int, workers: int, progress: bool) -> None:
    parts = parallel.bounds(len(slots), chunk_size, ramp=workers > 0)
    # The generating processes do all the per-row work they can, so the writing process mostly waits on the
    # database: on PostgreSQL they format each chunk as COPY payloads, which this process streams; on SQLite
    # they adapt values for the driver and even write each chunk to a file of their own, which this process
    # copies in SQL.
    convert_in_worker = conn.vendor == "sqlite"
    spool = tempfile.mkdtemp(prefix="reintegra-seed-") if workers and conn.vendor == "sqlite" else None
    parallel.WORKER_STATE.update(
        generator=generator, slots=slots, convert=convert_in_worker, spool=spool, copy=conn.vendor == "postgresql"
    )
    try:
        # The workers are forked before the progress bar starts its thread.
        with parallel.pool(workers) as pool, parallel.bulk_settings(conn), _progress_bar(len(slots), progress) as bar:
            for (start, stop), chunk in parallel.chunks(pool, _generate_chunk, parts, workers + 1):
                _store(generator, conn, chunk, converted=convert_in_worker)
                if bar is not None:
                    bar.update(stop - start)
    finally:
        parallel.WORKER_STATE.clear()
        if spool:
            shutil.rmtree(spool, ignore_errors=True)


def _store(generator: Generator, conn: Any, chunk: Drained | list[bytes] | str, *, converted: bool) -> None:
    """Write a generated chunk: a worker's spool file, COPY payloads, or its rows in one transaction."""
    if isinstance(chunk, str):
        generator.copy(conn, chunk)
        return
    if chunk and isinstance(chunk[0], bytes):
        generator.copy_in(conn, chunk)
        return
    with transaction.atomic():
        generator.insert(conn, cast(Drained, chunk), converted=converted)


def _progress_bar(total: int, progress: bool) -> Any:
    if not progress:
        return nullcontext()
    from tqdm import tqdm

    return tqdm(total=total, unit="case", file=sys.stderr, dynamic_ncols=True, smoothing=0.1)


def _generate_chunk(part: tuple[int, int]) -> Drained | list[bytes] | str:
    """The chunk's rows (table by table, as in Generator.tables): COPY payloads on PostgreSQL, the file they
    were spooled to on SQLite with workers, else driver rows."""
    state = parallel.WORKER_STATE
    generator: Generator = state["generator"]
    with parallel.no_cycle_collection():
        for slot in state["slots"][part[0] : part[1]]:
            generator.case(slot)
        if state.get("copy"):
            return generator.drain_copy()
        drained = generator.drain(connections[DEFAULT_DB_ALIAS], convert=state["convert"])
    if state.get("spool"):
        return parallel.spool(drained, os.path.join(state["spool"], f"chunk-{part[0]:010d}.sqlite3"))
    return drained
