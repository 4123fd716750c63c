"""Writing the checked rows of a manifest, a chunk at a time (called by `manifest_services.run_import`,
inside the import's one transaction: a failure anywhere leaves nothing written).

Per chunk of CHUNK rows, a fixed number of queries whatever the register's size:
- the arrivals of the chunk's (date, flight or bus number) groups, found or created once per import (the
  chunk's new groups in one query and one insert);
- the row keys already stored at those arrivals (one query): those rows are unchanged;
- the duplicate candidates of every new row (`cases.name_index` blind-index digests: the register's people
  sharing the most blocking keys with each row, at most TOP per row): the people holding each of the chunk's
  keys read in one query (as binary arrays of ids), except the postings kept from earlier chunks (the common
  keys' long lists, and the short ones in `manifest_postings`), and ranked here with numpy; the holders of
  the rows' identity documents (one query); the candidates' match records the worker does not hold yet, read
  as stored (one query a part) and opened by the worker (`manifest_pool.RecordCache`), which scores them
  (`cases.matching.score_pair`; not the pairs `matching.score_bound` proves below `core.UNCERTAIN`);
- the rows of the chunk compared with each other (a person listed twice in one chunk): each row against the
  earlier rows sharing a blocking key, scored by the worker with the register's pairs, kept when the earlier
  row became a new person; people of earlier chunks are in the register already (same transaction), so the
  queries above find them;
- bulk inserts: returnees with their name tokens, blocking keys and documents, intakes, review items. On
  PostgreSQL by COPY of plain rows of values (`_copy_job`), in two steps: what the next chunk's reads need
  (ids, documents, blocking keys) at once (`end`), the rest while the worker scores the next chunk (`flush`).

A row whose best candidate is sure (`manifest_core.decide`) is linked to that person: a repeat return, or a
duplicate within the file when the person came from this same file to the same arrival. An uncertain row
becomes a new returnee and a `ManifestReview` waits for a user. Memory stays that of one chunk, plus the
arrivals' counters, the keys of the rows written (to tell a row repeated in the file from one imported
before) and the bounded caches above.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

import numpy as np
import psycopg
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, F, TextField, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from reintegra.access import crypto
from reintegra.access.fields import EncryptedDateField, EncryptedTextField
from reintegra.cases import matching, name_index
from reintegra.cases.models import IdentityDocument, MatchKey, NameToken, Returnee
from reintegra.reception import manifest_core as core
from reintegra.reception import manifest_pool, manifest_postings
from reintegra.reception.choices import ArrivalSource
from reintegra.reception.manifest_models import ManifestImport, ManifestReview
from reintegra.reception.manifest_phases import timed
from reintegra.reception.models import Arrival, Intake

if TYPE_CHECKING:
    from reintegra.access.models import User

CHUNK = 2000
# Register people whose match records the scorer keeps between chunks (~3 MB there): a chunk's candidates are
# mostly people no chunk before met (at a million, 40,000 saved 0.5 s of reads and cost 12 MB).
KNOWN = 10_000
TOP = 8  # candidates scored per row, those sharing the most blocking keys
CACHED_FROM = 64  # a key held by at least this many people: its posting is kept between chunks
CACHED_IDS = 4_000_000  # ids kept in those postings at most (4 bytes each while they fit in 32 bits: 16 MB)
SHORT_IDS = 2_000_000  # ids kept in the shorter postings at most (`manifest_postings`: ~8 MB)


@dataclass
class Counts:
    new_returnees: int = 0
    repeat_returnees: int = 0
    within_file_duplicates: int = 0
    unchanged: int = 0
    to_review: int = 0


@dataclass
class _GroupCounts:
    men: int = 0
    women: int = 0
    boys: int = 0
    girls: int = 0
    accompanied_minors: int = 0
    unaccompanied_minors: int = 0
    families: set[str] = field(default_factory=set)

    def add(self, row: core.ManifestRow) -> None:
        minor = row.is_minor()
        female = row.sex == "female"
        if minor:
            self.girls += female
            self.boys += not female
            if "unaccompanied_child" in row.flags:
                self.unaccompanied_minors += 1
            else:
                self.accompanied_minors += 1
        else:
            self.women += female
            self.men += not female
        if row.family:
            self.families.add(row.family)

    def values(self) -> dict[str, int]:
        return {
            "men": self.men,
            "women": self.women,
            "boys": self.boys,
            "girls": self.girls,
            "accompanied_minors": self.accompanied_minors,
            "unaccompanied_minors": self.unaccompanied_minors,
            "family_units": len(self.families),
        }


def row_key(organisation_id: int, material: str, key: bytes | None = None) -> str:
    """A keyed hash of the row (HMAC-SHA256 under a key of its own, derived from the name-index key): the
    stored key cannot be recomputed from a guessed name and birth date without the key. `key`: `row_hash_key()`
    computed once by a caller hashing many rows."""
    key = key or row_hash_key()
    return hmac.new(key, f"{organisation_id}\x1f{material}".encode(), hashlib.sha256).hexdigest()


def row_hash_key() -> bytes:
    return hmac.digest(crypto.name_index_key(), b"reintegra:manifest-row", "sha256")


def secrets(organisation_id: int) -> manifest_pool.Secrets:
    """What the worker prepares new people's rows with: `name_index`'s digests and `crypto`'s cipher."""
    return manifest_pool.Secrets(
        organisation_id=organisation_id,
        name_key=crypto.name_index_key(),
        token_kinds=dict(name_index._TOKEN_KINDS),
        blocking=name_index._BLOCKING,
        birth_date=name_index._BIRTH_DATE,
        separator=name_index._SEP,
        cipher=crypto.fernet(),
        prefix=crypto.ENCRYPTED_PREFIX,
        opening_keys=crypto.opening_keys(),
    )


@dataclass
class _Ahead:
    """A chunk between `ChunkWriter.start` and `begin`: its new rows, and what the worker prepares of them
    (waited for by `prepared()`)."""

    pending: list[_Pending]
    prepared: Callable[[], list[manifest_pool.Prepared]]


@dataclass
class _Started:
    """A chunk between `ChunkWriter.begin` and `end`: its new rows, their people and query keys, and the
    scores of their register candidates (waited for by `scores()`)."""

    pending: list[_Pending]
    # Per row: the earlier rows of the chunk sharing a blocking key with it (positions), scored after its
    # register candidates; `_match` keeps those that became new people.
    near: list[list[int]]
    scores: Callable[[], manifest_pool.Scores]


@dataclass(slots=True)
class _NewRow:
    """A row on its way into a table (`_rows_jobs`): its fields' values by attribute name, no model instance
    (building one per row, and passing each of its fields through `pre_save`, was a tenth of the writer's CPU)."""

    values: dict[str, Any]
    pk: int | None = None


@dataclass
class _Pending:
    """A new row on its way to the database: its person (created, or linked) and its intake."""

    row: core.ManifestRow
    key: str
    arrival_id: int
    returnee: _NewRow | None = None  # a new person
    prepared: manifest_pool.Prepared | None = None  # its digests and ciphertexts (`manifest_pool.prepare`)
    document_key: str = ""
    link_to: int | None = None  # an existing person's id
    link_to_pending: _Pending | None = None  # a person new in this chunk
    repeat: bool = False
    review: list[matching.MatchCandidate] = field(default_factory=list)


class ChunkWriter:
    def __init__(self, record: ManifestImport, user: User | None, scorer: manifest_pool.Scorer | None = None) -> None:
        self.record = record
        self.secrets = secrets(record.organisation_id)
        self.scorer = scorer or manifest_pool.Scorer(0, self.secrets)
        self.user = user
        self.organisation_id = record.organisation_id
        self.point = record.point
        self.mapping = record.mapping
        self.counts = Counts()
        self.arrivals: dict[tuple[Any, str], int] = {}
        self.groups: dict[int, _GroupCounts] = defaultdict(_GroupCounts)
        self.written_keys: set[int] = set()  # 64-bit prefixes of the row keys written by this import
        self.created: set[int] = set()  # returnees created by this import
        self.now = timezone.now()
        self.country = str(self.point.country)
        self.user_id = user.pk if user is not None else None
        self.parents: dict[int, int | None] = {}  # municipality id -> its department's (set by the service)
        # The register people whose match records the scorer holds (`manifest_pool.RecordCache`, opened there),
        # oldest first: candidates found again by a later chunk are not read and sent again. The register's
        # people do not change during the import (its transaction holds what it created; anonymising is not
        # something an import runs beside).
        self.in_scorer: dict[int, None] = {}
        # The people holding a common blocking key, by key (see `_chunk_postings`), and how many ids that is.
        self.postings: dict[int, Any] = {}
        self.cached_ids = 0
        self.short = manifest_postings.ShortPostings(SHORT_IDS)  # and the others, compactly
        # Chunks decided and partly written (`end`), and the match fields of their new people until `flush`:
        # `_records` takes these from here, not from the table they were just written to.
        self.deferred: list[list[_Pending]] = []
        self.recent: dict[int, tuple[str, str, str, date | None, int | None]] = {}

    # --- arrivals ---------------------------------------------------------------------------------

    def _arrivals(self, groups: Iterable[tuple[Any, str]]) -> dict[tuple[Any, str], int]:
        """The arrival of each (date, flight or bus number) group, found (the oldest, if several) or created once
        per import: the groups not met before in one query, the missing ones created in one statement, in the
        order the rows first name them."""
        wanted = list(dict.fromkeys(groups))
        missing = [group for group in wanted if group not in self.arrivals]
        if missing:
            at = {group: timezone.make_aware(datetime.combine(group[0], time(0, 0))) for group in missing}
            found: dict[tuple[Any, str], int] = {}
            for pk, arrived_at, number in (
                Arrival.objects.filter(
                    organisation_id=self.organisation_id,
                    point=self.point,
                    source=ArrivalSource.MANIFEST,
                    arrived_at__in=set(at.values()),
                    means_number__in={number for _day, number in missing},
                )
                .order_by("pk")
                .values_list("pk", "arrived_at", "means_number")
            ):
                found.setdefault((arrived_at, number), pk)
            new = [group for group in missing if (at[group], group[1]) not in found]
            created = Arrival.objects.bulk_create([
                Arrival(
                    organisation_id=self.organisation_id,
                    point=self.point,
                    arrived_at=at[group],
                    means=self.mapping.means,
                    means_number=group[1],
                    host_country=self.mapping.host_country,
                    return_type=self.mapping.return_type,
                    source=ArrivalSource.MANIFEST,
                    created_by=self.user,
                )
                for group in new
            ])  # fmt: skip
            self.arrivals.update(zip(new, (arrival.pk for arrival in created), strict=True))
            for group in missing:
                if group not in self.arrivals:
                    self.arrivals[group] = found[(at[group], group[1])]
        return {group: self.arrivals[group] for group in wanted}

    # --- one chunk --------------------------------------------------------------------------------

    def write(self, rows: Sequence[core.ManifestRow]) -> None:
        self.end(self.begin(self.start(rows)))
        self.flush()

    def start(self, rows: Sequence[core.ManifestRow]) -> _Ahead:
        with timed("chunk.start"):
            return self._start(rows)

    def begin(self, ahead: _Ahead) -> _Started:
        with timed("chunk.begin"):
            return self._begin(ahead)

    def end(self, started: _Started) -> None:
        """The chunk's rows decided, and what the next chunk's reads find written: the new people's ids, blocking
        keys and documents. The rest (name tokens, intakes, reviews) is written by `flush`: on PostgreSQL the caller
        runs it after the next chunk's `begin`, while the worker scores that chunk."""
        if started.pending:
            with timed("chunk.match"):
                self._match(started)
            with timed("chunk.save_keys"):
                self._save_keys(started.pending)
            if connection.vendor != "postgresql":
                self.flush()

    def flush(self) -> None:
        """The writes `end` left for later, in the chunks' order."""
        with timed("chunk.save_rest"):
            jobs: list[_Job] = []
            for pending in self.deferred:
                jobs += self._save_rest(pending)
            _run_jobs(jobs)
        self.deferred.clear()
        self.recent.clear()

    def _start(self, rows: Sequence[core.ManifestRow]) -> _Ahead:
        """The chunk's rows not written before (their keys, their arrivals), handed to the worker to prepare
        (`manifest_pool.Preparer`) while the caller writes the chunk before. Nothing here depends on that
        chunk's writes: a row repeated in the file is told by its key, held in memory."""
        hash_key = row_hash_key()
        with timed("start.row_keys"):
            keyed = [
                (row, row_key(self.organisation_id, core.row_material(self.point.pk, row), hash_key)) for row in rows
            ]
        with timed("db.arrivals"):
            arrival_ids = self._arrivals(row.group() for row, _key in keyed)
        with timed("db.stored_intakes"):
            stored = set(
                Intake.objects.filter(
                    _among("arrival_id", set(arrival_ids.values())), _among("row_key", [key for _row, key in keyed])
                ).values_list("arrival_id", "row_key")
            )
        pending: list[_Pending] = []
        for row, key in keyed:
            arrival_id = arrival_ids[row.group()]
            short = int(key[:16], 16)
            if short in self.written_keys:
                self.counts.within_file_duplicates += 1  # the same row twice in the file
                continue
            self.written_keys.add(short)
            if (arrival_id, key) in stored:
                self.counts.unchanged += 1  # imported before
                self.groups[arrival_id].add(row)
                continue
            pending.append(_Pending(row=row, key=key, arrival_id=arrival_id))
        people: list[manifest_pool.Person] = [
            (row.given_names, row.first_family_name, row.second_family_name, row.birth_date,
             None if row.birth_date else row.birth_year(), row.phone, row.document_number)
            for row in (item.row for item in pending)
        ]  # fmt: skip
        with timed("worker.send_prepare"):
            return _Ahead(pending, self.scorer.prepare(people))

    def _begin(self, ahead: _Ahead) -> _Started:
        """The chunk's reads, and its candidate pairs handed to the scorer (a worker process scores them while
        the caller parses and starts the next chunk); `end` decides and writes. Every chunk's `end` before the
        next `begin`: a chunk's candidates include the people the earlier chunks created."""
        pending = ahead.pending
        if not pending:
            return _Started([], [], lambda: [])
        people = []
        with timed("worker.wait_prepared"):
            all_prepared = ahead.prepared()
        for item, prepared in zip(pending, all_prepared, strict=True):
            item.prepared = prepared
            document_key = crypto.document_index(item.row.document_number) if item.row.document_number else ""
            item.document_key = document_key
            people.append(core.person_record(item.row, frozenset({document_key} - {""})))
        query_keys: list[Sequence[int]] = [item.prepared.query_keys for item in pending if item.prepared is not None]
        postings = self._chunk_postings(query_keys)
        with timed("db.document_holders"):
            holders = self._document_holders([p.document_key for p in pending if p.document_key])
        near = _near(pending, query_keys)
        records_of = [manifest_pool.as_tuple(person) for person in people]
        # A part at a time: the worker scores a part while the next one is ranked and its records read (the
        # worker would otherwise wait for the whole chunk's reads, and the writer for its scores after).
        waits = []
        for start in range(0, len(pending), manifest_pool.PART):
            part = range(start, min(start + manifest_pool.PART, len(pending)))
            ranked = self._rank(postings, [query_keys[position] for position in part])
            documents = {pending[position].document_key for position in part} - {""}
            ids = {pk for found in ranked for pk in found} | {holders[key] for key in documents if key in holders}
            with timed("db.records"):
                known = self._records(ids, documents)
            jobs: list[manifest_pool.Job] = []
            for position, found in zip(part, ranked, strict=True):
                candidates = set(found)
                if pending[position].document_key in holders:
                    candidates.add(holders[pending[position].document_key])
                others = [records_of[other] for other in near[position]]
                jobs.append((records_of[position], sorted(pk for pk in candidates if pk in self.in_scorer), others))
            with timed("worker.send_score"):
                # Only scores from UNCERTAIN up count (`core.decide`): pairs bound below it are not scored.
                waits.append(self.scorer.submit(known, jobs, core.UNCERTAIN))
        return _Started(pending, near, manifest_pool.Scorer.joined(waits))

    def _match(self, started: _Started) -> None:
        pending = started.pending
        with timed("worker.wait_scores"):
            all_scores = started.scores()
        for item, others, found in zip(pending, started.near, all_scores, strict=True):
            split = len(found) - len(others)
            scored = [matching.MatchCandidate(pk, score, reasons) for pk, score, reasons in found[:split]]
            # The earlier rows of the chunk that became new people (decided above: a linked row is none).
            scored += [
                matching.MatchCandidate(-1 - other, score, reasons)
                for other, (_pk, score, reasons) in zip(others, found[split:], strict=True)
                if pending[other].returnee is not None
            ]
            scored.sort(key=lambda m: (-m.score, m.id))
            decision, chosen = core.decide(scored)
            if decision == core.LINK:
                target = chosen[0].id
                if target < 0:
                    item.link_to_pending = pending[-1 - target]
                else:
                    item.link_to = target
                continue
            if decision == core.REVIEW:
                item.review = chosen  # negative ids: people new in this chunk (resolved once written)
            self._new_person(item)

    def _chunk_postings(self, per_person: list[Sequence[int]]) -> dict[int, Any]:
        """The people holding each of the chunk's keys (its "posting"), ranked by `_rank`. Read from the
        database once per chunk for the keys not cached, in one query; the long postings (the common keys: a
        birth year with a frequent surname's code is shared by thousands) are kept between chunks, so that the
        same thousands of rows are not read, joined and ranked again for every chunk."""
        wanted = {key for keys in per_person for key in keys}
        postings = {key: self.postings[key] for key in wanted if key in self.postings}
        with timed("cache.short_postings"):
            found, missing = self.short.find(wanted - postings.keys())
        postings.update(found)
        with timed("db.postings"):
            postings.update(self._postings(set(missing)))
        return postings

    @staticmethod
    def _rank(postings: dict[int, Any], per_person: list[Sequence[int]]) -> list[list[int]]:
        """For each person, the ids of at most TOP of the register's people sharing the most blocking keys with
        them (ties: the highest id first), in no particular order, ranked here on arrays (`_top`). The same
        candidates as joining the chunk's keys with the table and ranking by COUNT(*) DESC, returnee_id DESC in
        the database (what this did before)."""
        found: list[list[int]] = [[] for _ in per_person]
        for position, keys in enumerate(per_person):
            arrays = [postings[key] for key in keys if key in postings]
            if arrays:
                found[position] = _top(np.sort(np.concatenate(arrays) if len(arrays) > 1 else arrays[0]))
        return found

    def _postings(self, keys: set[int]) -> dict[int, Any]:
        """{key: ids of the people holding it} for `keys` (keys nobody holds are absent), in one query; the
        long ones are also cached (`self.postings`, bounded by CACHED_IDS), the short ones and the keys nobody
        holds kept compactly (`self.short`, bounded by SHORT_IDS); both updated by `_posted` with the
        people this import creates."""
        if not keys:
            return {}
        table = connection.ops.quote_name(MatchKey._meta.db_table)
        key_column = connection.ops.quote_name("key")
        found: dict[int, Any] = {}
        with connection.cursor() as wrapper:
            if connection.vendor == "postgresql":
                # Each posting as the ids' 8-byte big-endian forms end to end (`int8send`), in binary results:
                # read as one array per key, without a Python string per id (parsing the ids' text was most
                # of this step's CPU), and no larger than their text on the wire. Django's cursors bind on the
                # client, which gives text results only: a psycopg cursor of its own on the same connection
                # (the import's transaction).
                # The keys as one text parameter: psycopg dumps a list of ints in Python, one by one.
                with psycopg.Cursor(connection.connection) as cursor:
                    cursor.execute(
                        f"SELECT {key_column}, string_agg(int8send(returnee_id), ''::bytea) FROM {table} "  # noqa: S608
                        f"WHERE {key_column} = ANY(string_to_array(%s, ',')::bigint[]) GROUP BY {key_column}",
                        [",".join(map(str, sorted(keys)))],
                        binary=True,
                    )
                    while batch := cursor.fetchmany(2000):
                        found.update(_unpacked(batch))
            else:
                wrapper.execute(
                    f"SELECT {key_column}, group_concat(returnee_id, ',') FROM {table} "  # noqa: S608 (the model's)
                    f"WHERE {key_column} IN (SELECT value FROM json_each(%s)) GROUP BY {key_column}",
                    [json.dumps(sorted(keys))],
                )
                while batch := wrapper.fetchmany(2000):
                    for key, text in batch:
                        found[int(key)] = manifest_postings.narrow(np.array(text.split(","), dtype=np.int64))
        self.short.add({key: ids for key, ids in found.items() if len(ids) < CACHED_FROM}, keys - found.keys())
        long = {key: ids for key, ids in found.items() if len(ids) >= CACHED_FROM}
        size = sum(len(ids) for ids in long.values())
        if self.cached_ids + size > CACHED_IDS:
            self.postings.clear()  # bounded: the common keys of the last chunks only
            self.cached_ids = 0
        if size <= CACHED_IDS:
            self.postings.update(long)
            self.cached_ids += size
        return found

    def _posted(self, keys: list[tuple[int, int]]) -> None:
        """The keys of the people just created, added to the postings cached (the others are read from the
        table, where the same transaction wrote them)."""
        self.short.created(keys)
        added: dict[int, list[int]] = defaultdict(list)
        for pk, key in keys:
            if key in self.postings:
                added[key].append(pk)
        for key, ids in added.items():
            self.postings[key] = manifest_postings.narrow(
                np.concatenate([self.postings[key], np.array(ids, dtype=np.int64)])
            )
            self.cached_ids += len(ids)

    def _document_holders(self, document_keys: list[str]) -> dict[str, int]:
        if not document_keys:
            return {}
        return dict(
            IdentityDocument.objects.filter(
                _among("number_index", set(document_keys)), organisation_id=self.organisation_id
            ).values_list("number_index", "returnee_id")
        )

    def _records(self, ids: set[int], document_keys: set[str]) -> manifest_pool.Known:
        """What the scorer needs before scoring `ids`: the documents they hold among `document_keys`, the match
        records it does not hold yet (this import's new people as they are; the register's as stored, opened
        by the scorer), and those it drops to make room. Ids without a record (anonymised) stay out of
        `in_scorer`: the caller leaves them out."""
        if not ids:
            return manifest_pool.Known()
        held: dict[int, set[str]] = defaultdict(set)
        if document_keys:
            for returnee_id, index in IdentityDocument.objects.filter(
                _among("returnee_id", ids), _among("number_index", document_keys)
            ).values_list("returnee_id", "number_index"):
                held[returnee_id].add(index)
        missing, forget = self._make_room(ids)
        plain = [(pk, *self.recent[pk]) for pk in missing & self.recent.keys()]
        missing -= self.recent.keys()
        sealed = self._read_records(missing) if missing else []
        for pk in itertools.chain((row[0] for row in plain), (row[0] for row in sealed)):
            self.in_scorer[int(pk)] = None
        return manifest_pool.Known(forget, plain, sealed, {pk: frozenset(keys) for pk, keys in held.items()})

    def _read_records(self, ids: set[int]) -> list[tuple[int, str, int | None]]:
        """(id, stored match record, estimated birth year) of the register's people `ids` (none anonymised), the
        record as stored: the scorer opens it (`manifest_pool.RecordCache`)."""
        if connection.vendor == "postgresql":
            # On psycopg's own cursor (the import's transaction): the ids bound on the server as one text
            # parameter, rows as they come, without the ORM's per-row work (some 800,000 rows an import).
            quote = connection.ops.quote_name
            with psycopg.Cursor(connection.connection) as cursor:
                cursor.execute(
                    f"SELECT id, match_record, estimated_birth_year FROM {quote(Returnee._meta.db_table)} "  # noqa: S608
                    "WHERE id = ANY(string_to_array(%s, ',')::bigint[]) AND organisation_id = %s "
                    "AND anonymised_at IS NULL",
                    [",".join(map(str, ids)), self.organisation_id],
                )
                return [(pk, text, year) for pk, text, year in cursor if text]
        stored = ExpressionWrapper(F("match_record"), output_field=TextField())  # the ciphertext, not opened
        read = Returnee.objects.filter(
            _among("id", ids), organisation_id=self.organisation_id, anonymised_at__isnull=True
        ).values_list("pk", stored, "estimated_birth_year")
        return [(pk, text, year) for pk, text, year in read if text]

    def _make_room(self, ids: set[int]) -> tuple[set[int], list[int]]:
        """The ids among `ids` whose match records the scorer lacks, and those it drops to make room for them:
        bounded, the oldest go (a dict keeps insertion order: those of the last chunks stay)."""
        missing = ids - self.in_scorer.keys()
        forget: list[int] = []
        if len(self.in_scorer) + len(missing) > KNOWN:
            drop = len(self.in_scorer) + len(missing) - KNOWN // 2
            forget = [pk for pk in itertools.islice(self.in_scorer, drop) if pk not in ids]
            for pk in forget:
                del self.in_scorer[pk]
            missing = ids - self.in_scorer.keys()
        return missing, forget

    def _new_person(self, item: _Pending) -> None:
        row, prepared = item.row, item.prepared
        assert prepared is not None
        municipality = row.municipality_id
        item.returnee = _NewRow(dict(
            organisation_id=self.organisation_id,
            given_names=row.given_names,
            first_family_name=row.first_family_name,
            second_family_name=row.second_family_name,
            sex=row.sex,
            birth_date=row.birth_date,
            estimated_birth_year=None if row.birth_date else row.birth_year(),
            nationality=row.nationality,
            phone=row.phone,
            return_country=self.country,
            municipality_id=municipality,
            admin1_id=self.parents.get(municipality) if municipality else None,
            registered_by_id=self.user_id,
            created_at=self.now,
            birth_year=prepared.birth_year,
            birth_date_index=prepared.birth_date_index,
        ))  # fmt: skip

    # --- writing ----------------------------------------------------------------------------------

    def _save_keys(self, pending: list[_Pending]) -> None:
        """The new people's rows (PostgreSQL: ids taken from the sequence, written by the COPY below), their
        blocking keys and documents; the chunk waits in `deferred` for the rest."""
        new = [item for item in pending if item.returnee is not None and item.prepared is not None]
        returnees = [item.returnee for item in new if item.returnee is not None]
        if connection.vendor == "postgresql":
            _reserve_ids(Returnee, returnees)
        # Before their keys: PostgreSQL checks the keys' organisation at the end of their COPY (cases.0018).
        jobs = _returnee_jobs(new)  # elsewhere inserted by bulk_create here: no job is left to run
        keys: list[tuple[int, int]] = []
        documents: list[IdentityDocument] = []
        numbers: list[dict[str, Any]] = []  # encrypted by the worker
        for item in new:
            assert item.returnee is not None and item.prepared is not None
            pk = int(item.returnee.pk or 0)
            self.created.add(pk)
            values = item.returnee.values
            self.recent[pk] = (
                values["given_names"], values["first_family_name"], values["second_family_name"],
                values["birth_date"], values["estimated_birth_year"],
            )  # fmt: skip
            keys.extend((pk, key) for key in item.prepared.match_keys)
            if item.row.document_number:
                documents.append(
                    IdentityDocument(
                        returnee_id=pk,
                        organisation_id=self.organisation_id,
                        document_type=self.mapping.document_type,
                        number=item.row.document_number,
                        number_index=item.document_key,
                        issuing_country=item.row.nationality or self.point.country,
                    )
                )
                numbers.append({"number": item.prepared.document})
        # Plain rows (tens of thousands a chunk): no model instance for each.
        # With the register's organisation (access.org_key: a plain insert fills nothing).
        org = self.organisation_id
        # A document another person of the register holds already is not stored twice (the person was
        # reviewed or is new by a clear decision; the unique constraint would refuse the whole file).
        jobs += _document_jobs(documents, numbers)
        if keys and connection.vendor == "postgresql":
            pairs = np.array(keys, dtype=np.int64).reshape(-1, 2)
            jobs.append(
                _binary_copy_job(MatchKey, {"returnee_id": pairs[:, 0], "organisation_id": org, "key": pairs[:, 1]})
            )
        elif keys:
            rows = ((pk, org, key) for pk, key in keys)  # made as the inserts send them
            jobs += _insert_jobs(MatchKey, ("returnee_id", "organisation_id", "key"), rows)
        _run_jobs(jobs)
        self._posted(keys)
        self.deferred.append(pending)

    def _save_rest(self, pending: list[_Pending]) -> list[_Job]:
        """The chunk's remaining writes: on PostgreSQL returned as COPYs to run (their ids taken here), elsewhere
        written."""
        new = [item for item in pending if item.returnee is not None and item.prepared is not None]
        jobs: list[_Job] = []
        org = self.organisation_id
        if new and connection.vendor == "postgresql":
            jobs.append(_token_job(new, org))
        elif new:
            tokens = (  # some 17 a person: made as the inserts send them, not held as a list meanwhile
                (item.returnee.pk, org, kind, digest)
                for item in new
                if item.returnee is not None and item.prepared is not None
                for kind, digest in zip(item.prepared.token_kinds, item.prepared.token_digests, strict=True)
            )
            jobs += _insert_jobs(NameToken, ("returnee_id", "organisation_id", "kind", "digest"), tokens)
        return jobs + self._intakes(pending)

    def _target(self, item: _Pending) -> int:
        if item.returnee is not None:
            return int(item.returnee.pk or 0)
        if item.link_to_pending is not None:
            target = item.link_to_pending
            while target.returnee is None and target.link_to_pending is not None:
                target = target.link_to_pending
            return int(target.returnee.pk or 0) if target.returnee is not None else int(target.link_to or 0)
        return int(item.link_to or 0)

    def _intakes(self, pending: list[_Pending]) -> list[_Job]:
        targets = [(item, self._target(item)) for item in pending]
        linked = {pk for item, pk in targets if item.returnee is None}
        with timed("db.present_intakes"):
            present = set(
                Intake.objects.filter(
                    _among("arrival_id", {item.arrival_id for item in pending}), _among("returnee_id", linked)
                ).values_list("arrival_id", "returnee_id")
            )
        intakes, reviews = [], []
        for item, pk in targets:
            if (item.arrival_id, pk) in present:
                # Already received at this arrival: listed twice in the file, or recorded before.
                if pk in self.created:
                    self.counts.within_file_duplicates += 1
                else:
                    self.counts.unchanged += 1
                continue
            present.add((item.arrival_id, pk))
            # Linked: registered before, or earlier in this file at another arrival.
            repeat = item.returnee is None
            if item.returnee is not None:
                self.counts.new_returnees += 1
            elif repeat:
                self.counts.repeat_returnees += 1
            self.groups[item.arrival_id].add(item.row)
            intake = _NewRow(dict(
                arrival_id=item.arrival_id,
                returnee_id=pk,
                is_repeat_return=repeat,
                travelling_with_family=item.row.with_family,
                protection_flags=list(item.row.flags),
                municipality_of_destination_id=item.row.municipality_id,
                recorded_by_id=self.user_id,
                recorded_at=self.now,
                row_key=item.key,
            ))  # fmt: skip
            intakes.append(intake)
            if item.review:
                reviews.append((item, intake))
        jobs = _rows_jobs(Intake, intakes)
        jobs += _rows_jobs(
            ManifestReview,
            [
                _NewRow({
                    "manifest_import_id": self.record.pk,
                    "intake_id": intake.pk,
                    "row": item.row.number,
                    "new_returnee_id": intake.values["returnee_id"],
                    "candidates": [
                        {"id": self._candidate_id(pending, m.id), "score": m.score, "reasons": list(m.reasons)}
                        for m in item.review
                    ],
                })
                for item, intake in reviews
            ],
        )  # fmt: skip
        self.counts.to_review += len(reviews)
        return jobs

    @staticmethod
    def _candidate_id(pending: list[_Pending], pk: int) -> int:
        if pk > 0:
            return pk
        other = pending[-1 - pk].returnee
        return int(other.pk or 0) if other is not None else 0

    # --- the end ----------------------------------------------------------------------------------

    def finish(self) -> int:
        """The arrivals' counts from the rows they received (unchanged when the file was imported before)."""
        with timed("db.finish"):
            return self._finish()

    def _finish(self) -> int:
        changed = []
        for arrival in Arrival.objects.filter(pk__in=set(self.arrivals.values())):
            values = self.groups[arrival.pk].values()
            if any(getattr(arrival, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(arrival, name, value)
                changed.append(arrival)
        Arrival.objects.bulk_update(changed, list(_GroupCounts().values()))
        return len(self.arrivals)


def _near(pending: list[_Pending], query_keys: list[Sequence[int]]) -> list[list[int]]:
    """Per row, the earlier rows of its chunk sharing a blocking key with it (positions), whatever their
    decision (not made yet): the worker scores these pairs beside the register's, off the writer's path, and
    `_match` keeps those of rows that became new people (about five in six: the few pairs more cost the worker,
    not the writer)."""
    near: list[list[int]] = []
    in_chunk: dict[int, list[int]] = defaultdict(list)  # blocking-key digest -> positions of earlier rows
    for position, (item, keys) in enumerate(zip(pending, query_keys, strict=True)):
        near.append(sorted({other for key in keys for other in in_chunk.get(key, ())}))
        assert item.prepared is not None
        for key in item.prepared.match_keys:
            in_chunk[key].append(position)
    return near


def _top(ids: Any) -> list[int]:
    """At most TOP of the sorted `ids` (a person's keys' postings end to end): those repeated most (shared by
    the most keys), then the highest. Each distinct id made one 64-bit key, its count above its 32 bits, and
    the TOP largest keys picked by `np.partition` (linear), not by sorting them all (`np.lexsort`, what this
    did before, was a quarter of the ranking's time)."""
    starts = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1])))
    counts = np.diff(np.append(starts, len(ids)))
    if len(starts) <= TOP:
        chosen = ids[starts]
    elif ids.dtype != np.int32:  # ids past 2**31 (`manifest_postings.narrow`): two keys sorted
        chosen = ids[starts][np.lexsort((-ids[starts], -counts))[:TOP]]
    else:
        keys = (counts.astype(np.int64) << 32) | ids[starts]
        chosen = np.partition(keys, len(keys) - TOP)[-TOP:] & 0xFFFFFFFF
    top: list[int] = chosen.tolist()
    return top


def _returnee_jobs(new: list[_Pending]) -> list[_Job]:
    # Encrypted by the worker (`manifest_pool.Preparer`): the same cipher as the model's fields.
    return _rows_jobs(
        Returnee,
        [item.returnee for item in new if item.returnee is not None],
        [item.prepared.columns for item in new if item.prepared is not None],
    )


@dataclass
class _Job:
    """A write: the phase it is timed as, its statement, a COPY's rows' values (computed as the COPY sends them)
    or its whole binary payload (`data`)."""

    name: str
    statement: str
    rows: Iterable[Sequence[Any]] | None  # None: not a COPY of rows, a statement run with `params` or `data`
    params: Sequence[Any] = ()
    data: bytes | None = None  # a binary COPY's payload, sent as it is


# PostgreSQL's binary COPY format: the signature, no flags, no header extension; then the rows; then -1.
_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_BINARY_TRAILER = b"\xff\xff"
_BINARY_TYPES = {"smallint": "i2", "integer": "i4", "bigint": "i8"}


def _binary_copy_job(model: Any, columns: dict[str, Any]) -> _Job:
    """A COPY of whole integer columns (`columns`: attribute -> a numpy array, or one value for every row) in
    PostgreSQL's binary format, built by numpy in one buffer: the name tokens and blocking keys are some two
    million rows a file, and COPY's text formatting, a row at a time, took about a tenth of the writer's
    samples (py-spy at a million), most of it for these. Each column's type is its field's (a type this does
    not know fails here, not in the database)."""
    meta = model._meta
    fields = {name: meta.get_field(name.removesuffix("_id")) for name in columns}
    kinds = {name: _BINARY_TYPES[field.db_type(connection)] for name, field in fields.items()}  # a key's: its column's
    layout = [("count", ">i2")]
    for name, kind in kinds.items():
        layout += [(f"{name}:size", ">i4"), (name, f">{kind}")]
    size = next(len(values) for values in columns.values() if np.ndim(values))
    rows = np.empty(size, dtype=np.dtype(layout))  # packed: no padding between the fields
    rows["count"] = len(columns)
    for name, values in columns.items():
        rows[f"{name}:size"] = int(kinds[name][1])
        rows[name] = values
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in fields.values())
    statement = f"COPY {quote(meta.db_table)} ({names}) FROM STDIN (FORMAT BINARY)"
    return _Job(f"db.write.{meta.model_name}", statement, None, data=_BINARY_HEADER + rows.tobytes() + _BINARY_TRAILER)


def _token_job(new: list[_Pending], organisation_id: int) -> _Job:
    """The new people's name tokens, some 17 a person, as one binary COPY (`_binary_copy_job`)."""
    prepared = [(int(item.returnee.pk or 0), item.prepared) for item in new if item.returnee and item.prepared]
    counts = np.fromiter((len(p.token_kinds) for _pk, p in prepared), dtype=np.int64, count=len(prepared))
    return _binary_copy_job(
        NameToken,
        {
            "returnee_id": np.repeat(np.fromiter((pk for pk, _p in prepared), dtype=np.int64), counts),
            "organisation_id": organisation_id,
            "kind": np.frombuffer(b"".join(p.token_kinds for _pk, p in prepared), dtype=np.uint8),
            "digest": np.frombuffer(b"".join(p.token_digests.tobytes() for _pk, p in prepared), dtype=np.int64),
        },
    )


def _run_jobs(jobs: list[_Job]) -> None:
    """`jobs` now, in order, on psycopg's cursor (PostgreSQL; elsewhere the writes are done when their jobs would
    be made)."""
    if not jobs:
        return
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        for job in jobs:
            with timed(job.name):
                if job.data is not None:
                    with cursor.copy(job.statement) as copy:
                        copy.write(job.data)
                    continue
                if job.rows is None:
                    cursor.execute(job.statement, job.params)
                    continue
                with cursor.copy(job.statement) as copy:
                    for values in job.rows:
                        copy.write_row(values)


def _rows_jobs(model: Any, rows: list[_NewRow], ready: Sequence[dict[str, Any]] = ()) -> list[_Job]:
    """`rows` given their ids, and on PostgreSQL returned as a COPY to run (`_copy_job`); elsewhere inserted
    now by `bulk_create` (nothing returned)."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objects = [model(**row.values) for row in rows]
        _bulk_create(model, objects, ready)
        for row, obj in zip(rows, objects, strict=True):
            row.pk = obj.pk
        return []
    if any(row.pk is None for row in rows):
        with timed(f"db.ids.{model._meta.model_name}"):
            _reserve_ids(model, rows)
    return [_copy_job(model, rows, ready)]


def _unpacked(batch: Sequence[tuple[int, bytes]]) -> dict[int, Any]:
    """{key: ids} of a batch of postings as `int8send` packs them. A long posting (which `_postings` may cache)
    gets an array of its own; the short ones, most of them, are made native in one array (one conversion, not
    one per key: for a few ids the calls cost more than the work) and cut per key (views of it, gone with the
    chunk; nothing cached holds the batch)."""
    found = {}
    short: list[tuple[int, bytes]] = []
    for key, packed in batch:
        if len(packed) >= 8 * CACHED_FROM:
            found[int(key)] = manifest_postings.narrow(np.frombuffer(packed, dtype=">i8"))
        else:
            short.append((key, packed))
    if short:
        ids = manifest_postings.narrow(np.frombuffer(b"".join(packed for _key, packed in short), dtype=">i8"))
        start = 0
        for key, packed in short:
            end = start + len(packed) // 8
            found[int(key)] = ids[start:end]
            start = end
    return found


def _insert_jobs(model: Any, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> list[_Job]:
    """Plain rows into `model`'s table: on PostgreSQL a COPY returned to run, elsewhere inserted now (batched
    executemany; nothing returned)."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    name = f"db.write.{model._meta.model_name}"
    if connection.vendor == "postgresql":
        return [_Job(name, f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN", rows)]
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608 (names from the model)
    with timed(name), connection.cursor() as cursor:
        for batch in itertools.batched(rows, 10_000):
            cursor.executemany(sql, batch)
    return []


_DOCUMENT_COLUMNS = ("returnee_id", "organisation_id", "document_type", "number", "number_index", "issuing_country")


def _document_jobs(documents: list[IdentityDocument], numbers: list[dict[str, Any]]) -> list[_Job]:
    """The new people's documents, each unless the register holds it already (ON CONFLICT DO NOTHING, as
    `bulk_create(ignore_conflicts=True)`; among the chunk's own, the first in the rows' order wins): on
    PostgreSQL one INSERT from arrays returned to run, the numbers as the worker encrypted them; elsewhere
    inserted now by `bulk_create`."""
    if not documents:
        return []
    if connection.vendor != "postgresql":
        _bulk_create(IdentityDocument, documents, numbers, ignore_conflicts=True)
        return []
    # Every column but the id (the table's identity): a field added to the model fails here, not silently.
    assert {f.attname for f in IdentityDocument._meta.concrete_fields} == {"id", *_DOCUMENT_COLUMNS}
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in _DOCUMENT_COLUMNS)
    statement = (
        f"INSERT INTO {quote(IdentityDocument._meta.db_table)} ({names}) "  # noqa: S608 (names from the model)
        "SELECT r, o, t, n, i, c FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[], %s::text[], "
        "%s::text[]) WITH ORDINALITY AS d (r, o, t, n, i, c, position) ORDER BY position ON CONFLICT DO NOTHING"
    )
    params = [
        [d.returnee_id for d in documents],
        [d.organisation_id for d in documents],
        [str(d.document_type) for d in documents],
        [values["number"] for values in numbers],
        [d.number_index for d in documents],
        [str(d.issuing_country) for d in documents],
    ]
    return [_Job("db.write.identitydocument", statement, None, params)]


# The SQLite driver keeps the last 128 statements it prepared, each as large as its text: a statement whose
# number of parameters changes with every chunk (a list of ids, a last batch of inserts) would leave one
# more prepared statement behind per chunk. So lists travel as one parameter and inserts go in batches of
# a few fixed sizes: a handful of statement texts for the whole import.
_BATCHES = (500, 50, 5, 1)


def _among(column: str, values: Any) -> RawSQL:
    """A filter "`column` is one of `values`" (a column of the queried table, no join) with the list as ONE
    parameter: a comma-separated string made an array on PostgreSQL (`= ANY`, planned as `IN (...)` is; ids
    and hex digests hold no comma, and psycopg dumps a list in Python), JSON on SQLite (json_each). An `__in`
    lookup sends one parameter per value: with thousands of ids a chunk, Django's handling of each and
    psycopg's splitting of the statement took more time than the query (a tenth of the import's CPU).
    `column` is a name from the writer's code, never input."""
    values = list(values)
    if not values:
        return RawSQL("1 = 0", [], output_field=BooleanField())
    name = connection.ops.quote_name(column)
    if connection.vendor == "postgresql":
        kind = "::bigint[]" if all(isinstance(v, int) for v in values) else ""
        sql, params = f"{name} = ANY(string_to_array(%s, ','){kind})", [",".join(map(str, values))]
    elif connection.vendor == "sqlite":
        sql, params = f"{name} IN (SELECT value FROM json_each(%s))", [json.dumps(values)]  # noqa: S608
    else:
        sql, params = f"{name} IN ({', '.join(['%s'] * len(values))})", values
    return RawSQL(sql, params, output_field=BooleanField())  # noqa: S611 (values are parameters)


def _bulk_create(model: Any, objects: list[Any], ready: Sequence[dict[str, Any]] = (), **options: Any) -> None:
    """`bulk_create` (SQLite, and the rows `_copy_job` does not take). `ready`: per object, attribute -> the value its
    column stores, computed elsewhere (ciphertexts from `manifest_pool`), sent as it is."""
    if not objects:
        return
    with timed(f"db.write.{model._meta.model_name}"):
        _bulk_create_rows(model, objects, ready, **options)


def _bulk_create_rows(model: Any, objects: list[Any], ready: Sequence[dict[str, Any]], **options: Any) -> None:
    kept = []
    for obj, values in zip(objects, ready, strict=False):
        for name, stored in values.items():
            kept.append((obj, name, getattr(obj, name)))
            setattr(obj, name, Value(stored))  # an SQL value: not passed through the field (not encrypted again)
    try:
        start = 0
        for size in _BATCHES:
            while len(objects) - start >= size:
                model.objects.bulk_create(objects[start : start + size], batch_size=size, **options)
                start += size
    finally:
        for obj, name, value in kept:
            setattr(obj, name, value)


def _reserve_ids(model: Any, objects: list[Any]) -> None:
    """Ids for `objects` from the table's sequence, in one query (PostgreSQL), set on them as bulk_create does."""
    if not objects:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, len(objects)],
        )
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk


# Values whose database form a plain field computes from the value alone (immutable, hashable).
_PURE_TYPES = frozenset({type(None), bool, int, str, date, datetime})


def _copy_job(model: Any, rows: list[_NewRow], ready: Sequence[dict[str, Any]] = ()) -> _Job:
    """The COPY of `rows` (their ids set) into `model`'s table, without a model instance per row. A value a row
    gives passes through its field as Django would send it (`get_db_prep_save`: encryption included), computed
    once per distinct value for a plain field (most of a new returnee's columns hold the same few values), never
    for an encrypted one (each value is encrypted on its own: equal ciphertexts would tell equal values apart);
    `ready` (per row, attribute -> stored value, e.g. ciphertexts from `manifest_pool`) is sent as it is; a field
    a row does not give stores its default, computed once per call through the field (`pre_save` of an unsaved
    instance), as `bulk_create` would for each row. No signal is sent (bulk_create sends none). The rows' values
    are computed as the COPY sends them."""
    meta = model._meta
    # A generated column (cases' monitoring facts) is computed by the database: COPY may not write it.
    fields = [f for f in meta.concrete_fields if not getattr(f, "generated", False)]
    quote = connection.ops.quote_name
    blank = model()
    plans: list[tuple[str, Any, dict[Any, Any] | None, Any]] = []
    for f in fields:
        default = f.get_db_prep_save(f.pre_save(blank, True), connection) if f.attname != meta.pk.attname else None
        encrypted = isinstance(f, (EncryptedTextField, EncryptedDateField))
        plans.append((f.attname, f, None if encrypted else {}, default))
    columns = ", ".join(quote(f.column) for f in fields)
    statement = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
    values = _copy_values(rows, ready, plans, meta.pk.attname)
    return _Job(f"db.write.{meta.model_name}", statement, values)


def _copy_values(
    rows: list[_NewRow],
    ready: Sequence[dict[str, Any]],
    plans: list[tuple[str, Any, dict[Any, Any] | None, Any]],
    pk_name: str,
) -> Iterator[list[Any]]:
    for position, row in enumerate(rows):
        given = ready[position] if ready else {}
        values = row.values
        out = []
        for name, f, memo, default in plans:
            if name in given:
                out.append(given[name])
            elif name == pk_name:
                out.append(row.pk)
            elif name not in values:
                out.append(default)
            else:
                value = values[name]
                if memo is None or type(value) not in _PURE_TYPES:
                    out.append(f.get_db_prep_save(value, connection))
                    continue
                key = (type(value), value)
                found = memo.get(key, memo)
                if found is memo:
                    found = memo[key] = f.get_db_prep_save(value, connection)
                out.append(found)
        yield out
