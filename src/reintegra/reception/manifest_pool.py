"""The second core of a manifest import: the pure per-row work of a chunk done by a worker process while the
import's own process parses, reads and writes the database (`manifest_services._write`):

- `prepare`: for each new row of a chunk, the blocking-key digests its candidates are looked up by, and what
  the row's person would be stored with if the row turns out to be a new person: the name-search and
  blocking-key digests (`cases.name_index.identity_index`'s), the birth-date digest, and the ciphertexts of
  the returnee's encrypted columns and of the document number (`access.crypto.encrypt`'s key and format).
  Done for every new row before the matching decides (the rows linked to a person of the
  register, a sixth, are prepared for nothing: it costs the worker, not the writer);
- `score`: each row's candidate pairs scored (`cases.matching.score_pair`): its register candidates, then the
  earlier rows of its chunk sharing a blocking key with it; a pair that `matching.score_bound` proves below the
  writer's floor (`core.UNCERTAIN`: lower scores decide nothing) is marked BELOW, not scored.

No Django here: a worker is a fresh interpreter (`python -c`, no copy of the parent's open database connection,
threads or locks) that imports `cases.matching` and `cryptography` only (about 30 MB). It is spoken to over its
standard input and output, pickles both ways (the parent's own child: nothing else writes to those pipes); a
thread on each side drains its pipe so that neither blocks on a full one. No multiprocessing: its resource
tracker would be one process more (13 MB). The keys the worker needs (`Secrets`) travel once, over the pipe.
A small file, or a platform where a process cannot start, is worked in the import's own process: the same
functions, the same results.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import os
import pickle
import queue
import subprocess
import sys
import threading
from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO, Any, NamedTuple

from reintegra.access import fernet_columns
from reintegra.cases import matching

logger = logging.getLogger(__name__)

WORKERS = 1  # at a million: one worker keeps up with the import's process (and each costs ~35 MB)
POOL_FROM = 5000  # rows: a smaller file is worked in the import's process (starting a worker costs ~0.2 s)
# Entries kept in each of `cases.matching`'s memo caches: full (65,536 and 32,768 entries) they hold ~95 MB,
# per process. Emptied when over this bound every TRIM_EVERY rows (on random names one chunk of 2,000 rows
# fills the pair cache to its 32,768 bound).
CACHE_LIMIT = 4096
TRIM_EVERY = 250
DIGESTS_KEPT = 16_000  # the worker's memo of digests (names repeat): ~3 MB when full, then emptied
WORDS_KEPT = 2_000  # and of the common words' search-term digests (~2 MB)
PART = 500  # rows per message to a worker: what it holds at once (messages wait for it pickled)

# (id, given names, first family name, second family name, birth date, birth year, document keys)
Record = tuple[Any, ...]
# Per row: the row's person, the ids of the register's people to score it against, and the people of earlier
# rows of its chunk that share a blocking key with it (the writer keeps the scores of those made new people).
Job = tuple[Record, Sequence[int], Sequence[Record]]
Scores = list[list[tuple[int, float, tuple[str, ...]]]]
# The score of a pair not scored: `matching.score_bound` proved it below the caller's floor (`score`).
BELOW = -1.0
# A row's person as a new returnee would hold it: (given names, first family name, second family name,
# birth date, estimated birth year (no birth date), phone, document number).
Person = tuple[str, str, str, date | None, int | None, str, str]
# The encrypted columns of a new returnee that `prepare` encrypts (attribute names of `cases.Returnee`).
ENCRYPTED = ("given_names", "first_family_name", "second_family_name", "birth_date", "phone", "match_record")


class Prepared(NamedTuple):
    """Digests as arrays of 64-bit integers: a tenth of the memory of lists of ints, and pickled as bytes."""

    query_keys: array[int]  # blocking-key digests of the row's candidates (`matching.query_keys`), sorted
    token_kinds: bytes  # a new person's NameToken kinds, beside
    token_digests: array[int]  # their digests (`name_index.identity_index`'s tokens, in its order)
    match_keys: array[int]  # a new person's blocking keys (`matching.blocking_keys`), sorted
    birth_year: int | None
    birth_date_index: int | None
    columns: dict[str, str]  # ENCRYPTED column -> its stored value ("" and None are stored as they are)
    document: str  # the document number's stored value ("" without one)


@dataclass(frozen=True)
class Secrets:
    """What `prepare` computes with: the organisation, the name index's key and digest layout
    (`cases.name_index`), the field cipher (`access.crypto.fernet()`, its newest key encrypts) and its prefix."""

    organisation_id: int
    name_key: bytes
    token_kinds: dict[str, int]  # matching's term kind -> NameTokenKind
    blocking: str
    birth_date: str
    separator: str
    cipher: Any
    prefix: str
    opening_keys: fernet_columns.OpeningKeys = ()  # what opens the register's match records (`RecordCache`)


class Preparer:
    def __init__(self, secrets: Secrets) -> None:
        self.secrets = secrets
        self.memo: dict[str, int] = {}
        self.words: dict[str, tuple[tuple[int, int], ...]] = {}

    def digest(self, kind: str, text: str) -> int:
        """`name_index.Indexer.digest` in the organisation's scope (`crypto.keyed_digest` of the same material)."""
        s = self.secrets
        material = f"{s.organisation_id}{s.separator}{kind}{s.separator}{text}"
        found = self.memo.get(material)
        if found is None:
            if len(self.memo) >= DIGESTS_KEPT:
                self.memo.clear()
            digest = hmac.digest(s.name_key, material.encode(), "sha256")[:8]
            found = self.memo[material] = int.from_bytes(digest, "big", signed=True)
        return found

    def word_tokens(self, word: str) -> tuple[tuple[int, int], ...]:
        found = self.words.get(word)
        if found is None:
            if len(self.words) >= WORDS_KEPT:
                self.words.clear()
            kinds = self.secrets.token_kinds
            found = self.words[word] = tuple(
                (kinds[kind], self.digest(kind, term)) for kind, term in matching.word_search_terms(word)
            )
        return found

    def encrypt(self, plain: str) -> str:
        token: bytes = self.secrets.cipher.encrypt(plain.encode())
        return self.secrets.prefix + token.decode()

    def prepare(self, people: Sequence[Person]) -> list[Prepared]:
        out = []
        blocking = self.secrets.blocking
        for position, (given, first, second, born, estimated, phone, document) in enumerate(people):
            if position % TRIM_EVERY == 0:
                matching.trim_caches(CACHE_LIMIT)
            person = matching.PersonRecord(0, given, first, second, born, None if born else estimated)
            tokens = sorted(
                {token for word in matching.name_words(given, first, second) for token in self.word_tokens(word)}
            )
            keys = sorted({self.digest(blocking, key) for key in matching.query_keys(person)})
            match_keys = sorted({self.digest(blocking, key) for key in matching.blocking_keys(person)})
            record = json.dumps([given, first, second, born.isoformat() if born else None], ensure_ascii=False)
            values = (given, first, second, born.isoformat() if born else "", phone, record)
            out.append(
                Prepared(
                    query_keys=array("q", keys),
                    token_kinds=bytes(kind for kind, _digest in tokens),
                    token_digests=array("q", [digest for _kind, digest in tokens]),
                    match_keys=array("q", match_keys),
                    birth_year=born.year if born else estimated,
                    birth_date_index=self.digest(self.secrets.birth_date, born.isoformat()) if born else None,
                    columns={name: self.encrypt(value) for name, value in zip(ENCRYPTED, values, strict=True) if value},
                    document=self.encrypt(document) if document else "",
                )
            )
        return out


def as_tuple(person: matching.PersonRecord) -> Record:
    return (person.id, person.given_names, person.first_family_name, person.second_family_name,
            person.birth_date, person.birth_year, person.document_keys)  # fmt: skip


class Known(NamedTuple):
    """What the scorer is told of the register's people before a part's jobs: it keeps their match records
    between parts (`RecordCache`), so the writer sends each once, sealed as stored, and never opens it."""

    forget: Sequence[int] = ()  # ids the cache drops first (the writer's bound, `ChunkWriter._make_room`)
    plain: Sequence[tuple[Any, ...]] = ()  # (id, given names, first, second family name, birth date, birth year)
    sealed: Sequence[tuple[int, str, int | None]] = ()  # (id, stored match record, estimated birth year)
    held: Mapping[int, frozenset[str]] = {}  # document keys held by the part's candidates (theirs only)


class RecordCache:
    """The match records of register people, by id, as `Known` updates them: opened here (`fernet_columns`, the
    keys `Secrets.opening_keys` carries), a batch at a time, in the process that scores them."""

    def __init__(self, keys: fernet_columns.OpeningKeys = ()) -> None:
        self.keys = keys
        # id -> (given names, first, second family name, birth date, birth year), or for a register person
        # (its opened JSON text, birth year), read when scored: a third of the memory of its fields (KNOWN of
        # them are held).
        self.known: dict[int, tuple[Any, ...]] = {}

    def update(self, known: Known) -> None:
        for pk in known.forget:
            self.known.pop(pk, None)
        for pk, *fields in known.plain:
            self.known[pk] = tuple(fields)
        if known.sealed:
            opened = fernet_columns.open_many([text for _pk, text, _year in known.sealed], self.keys)
            for (pk, _text, year), text in zip(known.sealed, opened, strict=True):
                assert text is not None
                self.known[pk] = (text, year)

    def records(self, jobs: Sequence[Job], held: Mapping[int, frozenset[str]]) -> dict[int, Record]:
        """The records `jobs` name (each id was sent in a `Known` and not forgotten since)."""
        records: dict[int, Record] = {}
        for _person, ids, _near in jobs:
            for pk in ids:
                if pk not in records:
                    fields = self.known[pk]
                    if len(fields) == 2:
                        fields = (*matching.read_match_record(fields[0]), fields[1])
                    records[pk] = (pk, *fields, held.get(pk, frozenset()))
        return records


def score(records: dict[int, Record], jobs: Sequence[Job], floor: float = 0.0) -> Scores:
    """Each job's person scored against each of its candidates, the register's then its chunk's earlier rows':
    [(candidate id, score, reasons)] per job, in that order. A pair whose `matching.score_bound` is below
    `floor` is not scored: (candidate id, BELOW, ()) in its place (a caller that keeps only scores from `floor`
    up keeps the same ones; at a million, namesakes born years apart are most of the pairs)."""
    people = {pk: matching.PersonRecord(*record) for pk, record in records.items()}
    # A chunk's row is the earlier row of many pairs: one PersonRecord per record object (pickle sends an
    # object referenced twice in a message once, so the same rows arrive as the same objects).
    chunk: dict[int, matching.PersonRecord] = {}
    out: Scores = []
    for position, (person, ids, near) in enumerate(jobs):
        if position % TRIM_EVERY == 0:
            matching.trim_caches(CACHE_LIMIT)
        query = matching.PersonRecord(*person)
        found = []
        for pk in ids:
            found.append(_scored(query, people[pk], floor))
        for record in near:
            other = chunk.get(id(record))
            if other is None:
                other = chunk[id(record)] = matching.PersonRecord(*record)
            found.append(_scored(query, other, floor))
        out.append(found)
    return out


def _scored(
    query: matching.PersonRecord, other: matching.PersonRecord, floor: float
) -> tuple[int, float, tuple[str, ...]]:
    if floor > 0 and matching.score_bound(query, other) < floor:
        return other.id, BELOW, ()
    m = matching.score_pair(query, other)
    return m.id, m.score, m.reasons


# --- the worker process ---------------------------------------------------------------------------

_GONE = object()


def _write(pipe: IO[bytes], message: Any) -> None:
    """One message: its length, then its pickle."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    pipe.write(len(data).to_bytes(8, "big"))
    pipe.write(data)
    pipe.flush()


def _read(pipe: IO[bytes]) -> bytes:
    head = pipe.read(8)
    if len(head) < 8:
        raise EOFError
    size = int.from_bytes(head, "big")
    data = pipe.read(size)
    if len(data) < size:
        raise EOFError
    return data


def serve(inbox: IO[bytes] | None = None, outbox: IO[bytes] | None = None) -> None:
    """A worker's loop: ("secrets", Secrets) once, then ("score", (Known, jobs, floor)) and ("prepare", people),
    each answered in order by ("ok", result) or ("error", the exception's type: never a value of the file)."""
    reader, writer = inbox or sys.stdin.buffer, outbox or sys.stdout.buffer
    messages: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def receive() -> None:
        try:
            while True:
                messages.put(_read(reader))  # kept pickled (a third of the objects' memory) until worked
        except (EOFError, OSError):
            messages.put(_GONE)

    threading.Thread(target=receive, daemon=True).start()
    preparer: Preparer | None = None
    cache = RecordCache()
    while (message := messages.get()) is not _GONE:
        kind, payload = pickle.loads(message)  # noqa: S301 (from the parent process, over its own pipe)
        if kind == "secrets":
            preparer = Preparer(payload)
            cache = RecordCache(payload.opening_keys)
            continue
        try:
            if kind == "score":
                known, jobs, floor = payload
                cache.update(known)
                reply: tuple[str, Any] = ("ok", score(cache.records(jobs, known.held), jobs, floor))
            else:
                assert preparer is not None, "secrets first"
                reply = ("ok", preparer.prepare(payload))
        except Exception as exc:  # reported to the parent, which fails the import (rolled back)
            reply = ("error", type(exc).__name__)
        _write(writer, reply)


class _Worker:
    """One worker process and the replies it sent, by the ticket of the message they answer."""

    def __init__(self, secrets: Secrets) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from reintegra.reception.manifest_pool import serve; serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self.replies: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.sent = self.received = 0
        self.kept: dict[int, Any] = {}
        self.thread = threading.Thread(target=self._receive, daemon=True)
        self.thread.start()
        self._send(("secrets", secrets))

    def _receive(self) -> None:
        assert self.process.stdout is not None
        try:
            while True:
                self.replies.put(_read(self.process.stdout))
        except (EOFError, OSError):
            self.replies.put(_GONE)

    def _send(self, message: tuple[str, Any]) -> None:
        assert self.process.stdin is not None
        _write(self.process.stdin, message)

    def ask(self, kind: str, payload: Any) -> Callable[[], Any]:
        self._send((kind, payload))
        ticket = self.sent
        self.sent += 1
        return lambda: self._reply(ticket)

    def _reply(self, ticket: int) -> Any:
        while ticket not in self.kept:
            reply = self.replies.get()
            if reply is _GONE:
                raise RuntimeError("the manifest import's worker process stopped")
            self.kept[self.received] = reply
            self.received += 1
        status, value = pickle.loads(self.kept.pop(ticket))  # noqa: S301 (our own child's answers)
        if status != "ok":
            raise RuntimeError(f"the manifest import's worker process failed ({value})")
        return value

    def close(self) -> None:
        assert self.process.stdin is not None
        if self.received < self.sent:
            self.process.kill()  # a failed import: what it still computes is not wanted
        with contextlib.suppress(OSError):
            self.process.stdin.close()  # the worker ends after the messages it has
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.thread.join(timeout=5)


class Scorer:
    """Prepares and scores a chunk's rows: `prepare` and `submit` return at once, the returned callable waits
    for the results (in the rows' order). `workers` 0: in this process, when the callable is called."""

    def __init__(self, workers: int = 0, secrets: Secrets | None = None) -> None:
        self.workers = workers
        self.secrets = secrets
        self.preparer = Preparer(secrets) if secrets is not None else None
        self.cache = RecordCache(secrets.opening_keys if secrets is not None else ())  # in this process (no pool)
        self.pool: list[_Worker] | None = None
        if workers > 0 and secrets is not None:
            try:
                self.pool = [_Worker(secrets) for _ in range(workers)]
            except OSError as exc:  # no processes here: in-process
                logger.warning("manifest import: worked in-process (%s)", type(exc).__name__)
        if self.pool is None:
            self.workers = 0

    def _parts(self, items: Sequence[Any]) -> list[tuple[_Worker, Sequence[Any]]]:
        assert self.pool is not None
        size = min(PART, -(-len(items) // len(self.pool)))
        pool = self.pool
        return [
            (pool[n % len(pool)], items[start : start + size]) for n, start in enumerate(range(0, len(items), size))
        ]

    @staticmethod
    def joined(waits: list[Callable[[], list[Any]]]) -> Callable[[], list[Any]]:
        """One callable waiting for each of `waits` in turn: their results end to end."""

        def results() -> list[Any]:
            out: list[Any] = []
            for wait in waits:
                out.extend(wait())
            return out

        return results

    def prepare(self, people: Sequence[Person]) -> Callable[[], list[Prepared]]:
        if self.pool is None or not people:
            assert self.preparer is not None, "a Scorer given no secrets only scores"
            preparer = self.preparer
            return lambda: preparer.prepare(people)
        return self.joined([worker.ask("prepare", part) for worker, part in self._parts(people)])

    def submit(self, known: Known, jobs: Sequence[Job], floor: float = 0.0) -> Callable[[], Scores]:
        """`known` first (every worker keeps the same records: each is told), then `jobs` scored. `floor`: pairs
        that cannot score that much are not scored (`score`)."""
        matching.trim_caches(CACHE_LIMIT)  # this process's: its rows' keys and in-chunk pairs fill them
        if self.pool is None:
            self.cache.update(known)
            records = self.cache.records(jobs, known.held)  # now: a later `known` may forget some
            return lambda: score(records, jobs, floor)
        size = max(1, -(-len(jobs) // len(self.pool)))  # one slice each, in order: the results end to end
        return self.joined([
            worker.ask("score", (known, jobs[n * size : (n + 1) * size], floor)) for n, worker in enumerate(self.pool)
        ])  # fmt: skip

    def close(self) -> None:
        for worker in self.pool or ():
            worker.close()
        self.pool = None

    def __enter__(self) -> Scorer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def scorer_for(rows: int, secrets: Secrets | None = None) -> Scorer:
    """Worker processes for a large file (`REINTEGRA_MANIFEST_WORKERS` overrides their number; 0: none)."""
    configured = os.environ.get("REINTEGRA_MANIFEST_WORKERS", "")
    workers = int(configured) if configured.isdigit() else WORKERS
    return Scorer(workers if rows >= POOL_FROM else 0, secrets)
