"""Blind indexes of a returnee's identity: how names are searched and duplicates found without names in clear.

Names, the exact birth date and contact details are encrypted at rest (Returnee's Encrypted*Fields). What
the database can still look up is keyed hashes (HMAC-SHA256 under a key derived from
REINTEGRA_BLIND_INDEX_KEY, cut to 64 bits, `crypto.keyed_digest`) of:

- the name search terms of `matching.name_search_terms` (whole words, prefixes of three letters or more,
  phonetic keys) in NameToken, and the same digests for each of the person's cases in CaseSearchToken (with
  the case's organisation and return date), so a search walks one index range per typed word, newest return
  first;
- the duplicate check's blocking keys (`matching.blocking_keys`, phonetic codes and years) in MatchKey;
- the exact birth date (`Returnee.birth_date_index`), to rank candidates before any is decrypted.

Every digest is scoped to the organisation (its id is hashed in): the same name gives different digests
in two organisations' registers, so the tables cannot link people across organisations. Equal names in
one organisation do share digests; what that reveals to someone holding the database but not the key is
written down in docs/BLIND_INDEXES.md.

When the key changes, every digest changes: `reintegra rebuild-search-index` recomputes them (and the
documents' `number_index`). Nothing here decides who may see what: callers filter by scoping.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from reintegra.access import crypto
from reintegra.cases import matching, signals
from reintegra.cases.choices import NameTokenKind
from reintegra.cases.models import Case, CaseSearchToken, MatchKey, NameToken, Returnee

_TOKEN_KINDS = {
    matching.WORD: NameTokenKind.WORD.value,
    matching.PREFIX: NameTokenKind.PREFIX.value,
    matching.PHONETIC: NameTokenKind.PHONETIC.value,
}
# What is hashed: scope, kind and text, separated by a character no normalised term contains.
_BLOCKING, _BIRTH_DATE = "k", "b"
_SEP = "\x1f"


class Indexer:
    """Digests under one key, memoised (names are Zipf-distributed: a few thousand words cover most)."""

    def __init__(self, key: bytes | None = None) -> None:
        self.key = key if key is not None else crypto.name_index_key()
        self._memo: dict[str, int] = {}
        self._words: dict[str, tuple[tuple[int, int], ...]] = {}

    def digest(self, scope: int, kind: str, text: str) -> int:
        material = f"{scope}{_SEP}{kind}{_SEP}{text}"
        found = self._memo.get(material)
        if found is None:
            if len(self._memo) > 200_000:  # bounded: a long-running process stays small
                self._memo.clear()
            found = self._memo[material] = crypto.keyed_digest(self.key, material)
        return found

    def word_tokens(self, scope: int, word: str) -> tuple[tuple[int, int], ...]:
        """(NameToken kind, digest) of every search term of one normalised word."""
        material = f"{scope}{_SEP}{word}"
        found = self._words.get(material)
        if found is None:
            if len(self._words) > 100_000:
                self._words.clear()
            found = self._words[material] = tuple(
                (_TOKEN_KINDS[kind], self.digest(scope, kind, term)) for kind, term in matching.word_search_terms(word)
            )
        return found

    def blocking_keys(self, organisation_id: int, keys: Iterable[str]) -> list[int]:
        return sorted({self.digest(organisation_id, _BLOCKING, key) for key in keys})

    def birth_date(self, organisation_id: int, birth_date: date | None) -> int | None:
        return None if birth_date is None else self.digest(organisation_id, _BIRTH_DATE, birth_date.isoformat())

    def search_alternatives(self, organisation_ids: Sequence[int], text: str) -> list[list[int]]:
        """Per typed word, the digests (in every given organisation) any of which finds it."""
        return [
            sorted({self.digest(org, kind, term) for org in organisation_ids for kind, term in alternatives})
            for alternatives in matching.search_query_terms(text)
        ]


def indexer() -> Indexer:
    return Indexer()


@dataclass(frozen=True, slots=True)
class IdentityIndex:
    """Everything derived from a returnee's identity that services store beside it."""

    tokens: list[tuple[int, int]]  # (NameToken kind, digest)
    match_keys: list[int]
    birth_year: int | None
    birth_date_index: int | None
    match_record: str  # clear JSON; encrypted by the model field (or by the caller writing raw rows)


def identity_index(
    idx: Indexer,
    organisation_id: int,
    given_names: str,
    first_family_name: str,
    second_family_name: str,
    birth_date: date | None,
    estimated_birth_year: int | None,
) -> IdentityIndex:
    """The index rows and derived columns of one person (pure but for the key: no database access)."""
    person = matching.PersonRecord(
        id=0,
        given_names=given_names,
        first_family_name=first_family_name,
        second_family_name=second_family_name,
        birth_date=birth_date,
        birth_year=None if birth_date else estimated_birth_year,
    )
    tokens = sorted(
        {
            token
            for word in matching.name_words(given_names, first_family_name, second_family_name)
            for token in idx.word_tokens(organisation_id, word)
        }
    )
    return IdentityIndex(
        tokens=tokens,
        match_keys=idx.blocking_keys(organisation_id, matching.blocking_keys(person)),
        birth_year=birth_date.year if birth_date else estimated_birth_year,
        birth_date_index=idx.birth_date(organisation_id, birth_date),
        match_record=match_record(given_names, first_family_name, second_family_name, birth_date),
    )


def match_record(given: str, first: str, second: str, birth_date: date | None) -> str:
    return json.dumps([given, first, second, birth_date.isoformat() if birth_date else None], ensure_ascii=False)


read_match_record = matching.read_match_record  # what the record's JSON holds (no Django: the import's worker too)


def apply(returnee: Returnee, idx: Indexer | None = None) -> IdentityIndex:
    """Set the derived columns on a returnee about to be saved; returns the rows `store` writes after."""
    index = identity_index(
        idx or indexer(),
        returnee.organisation_id,
        returnee.given_names,
        returnee.first_family_name,
        returnee.second_family_name,
        returnee.birth_date,
        returnee.estimated_birth_year,
    )
    returnee.birth_year = index.birth_year
    returnee.birth_date_index = index.birth_date_index
    returnee.match_record = index.match_record
    return index


def store(returnee: Returnee, index: IdentityIndex) -> None:
    """Replace a saved returnee's search tokens and blocking keys (and their cases' search tokens)."""
    NameToken.objects.filter(returnee_id=returnee.pk).delete()
    MatchKey.objects.filter(returnee_id=returnee.pk).delete()
    NameToken.objects.bulk_create(_tokens(returnee, index))
    MatchKey.objects.bulk_create(_keys(returnee, index))
    index_people([returnee.pk])


def _tokens(returnee: Returnee, index: IdentityIndex) -> Iterator[NameToken]:
    """The rows of a returnee's name tokens, with the returnee's organisation (bulk_create fills nothing)."""
    pk, organisation_id = returnee.pk, returnee.organisation_id
    return (NameToken(returnee_id=pk, organisation_id=organisation_id, kind=k, digest=d) for k, d in index.tokens)


def _keys(returnee: Returnee, index: IdentityIndex) -> Iterator[MatchKey]:
    pk, organisation_id = returnee.pk, returnee.organisation_id
    return (MatchKey(returnee_id=pk, organisation_id=organisation_id, key=key) for key in index.match_keys)


def clear(returnee_ids: Iterable[int]) -> None:
    """Forget how these people are found (retention)."""
    ids = list(returnee_ids)
    NameToken.objects.filter(returnee_id__in=ids).delete()
    MatchKey.objects.filter(returnee_id__in=ids).delete()
    CaseSearchToken.objects.filter(case_id__in=Case.objects.filter(returnee_id__in=ids).values("pk")).delete()


# --- The case-level search tokens (CaseSearchToken) -----------------------------------------------------
#
# A case's rows are its returnee's NameToken digests with the case's organisation, return date and returnee:
# written by one INSERT … SELECT from NameToken and Case (set-based: the same statement fills a case, a person's
# cases, a batch of the re-index, or the whole table in migration cases.0015), and rewritten whenever one of
# these changes: a person's names (`store`), retention (`clear`), a case's returnee, organisation or return
# date (`case_saved`, a receiver of every ORM save of a case); deleting a case deletes its rows (cascade).

_CASE_FIELDS = {"returnee", "returnee_id", "organisation", "organisation_id", "return_date"}


def fill_case_tokens(where: str = "1 = 1", params: Sequence[Any] = ()) -> int:
    """Insert the search tokens of the cases `where` selects (SQL over `c`, the case table); returns the rows
    written. Rows already present are left alone (ON CONFLICT: SQLite and PostgreSQL)."""
    tokens, cases, names = CaseSearchToken._meta.db_table, Case._meta.db_table, NameToken._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {tokens} (digest, organisation_id, return_date, case_id, returnee_id) "  # noqa: S608
            f"SELECT t.digest, c.organisation_id, c.return_date, c.id, c.returnee_id "
            f"FROM {cases} c JOIN {names} t ON t.returnee_id = c.returnee_id WHERE {where} "
            f"ON CONFLICT DO NOTHING",
            list(params),
        )
        return max(int(cursor.rowcount), 0)


def _ids_sql(ids: Sequence[int]) -> str:
    return ", ".join(["%s"] * len(ids))


def index_cases(case_ids: Iterable[int]) -> None:
    """Rewrite these cases' search tokens from their returnees' NameToken rows."""
    ids = sorted(set(case_ids))
    if ids:
        CaseSearchToken.objects.filter(case_id__in=ids).delete()
        fill_case_tokens(f"c.id IN ({_ids_sql(ids)})", ids)


def index_people(returnee_ids: Iterable[int]) -> int:
    """Rewrite the search tokens of every case of these people; returns the rows written."""
    ids = sorted(set(returnee_ids))
    if not ids:
        return 0
    CaseSearchToken.objects.filter(case_id__in=Case.objects.filter(returnee_id__in=ids).values("pk")).delete()
    return fill_case_tokens(f"c.returnee_id IN ({_ids_sql(ids)})", ids)


def case_saved(
    sender: Any, instance: Case, created: bool, raw: bool = False, update_fields: Any = None, **_: Any
) -> None:
    """`post_save` of Case: a new case gets its rows; a changed returnee, organisation or return date rewrites
    them (all of a case's rows carry the same copies: one row tells whether they are current)."""
    if raw or (update_fields is not None and not set(update_fields) & _CASE_FIELDS):
        return
    if created:
        fill_case_tokens("c.id = %s", [instance.pk])
        return
    stored = (
        CaseSearchToken.objects.filter(case_id=instance.pk)
        .values_list("organisation_id", "return_date", "returnee_id")
        .first()
    )
    if stored != (instance.organisation_id, instance.return_date, instance.returnee_id):
        index_cases([instance.pk])


def connect() -> None:
    from django.db.models import signals

    signals.post_save.connect(case_saved, sender=Case, dispatch_uid="cases.name_index.case_saved")


def walk_tokens(organisation_ids: Sequence[int], text: str) -> QuerySet[CaseSearchToken, Any] | None:
    """The case-level token rows of the cases whose person every word of `text` finds (None: no word).

    The rarest typed word's digests are walked on CaseSearchToken's (digest, organisation, return date, case)
    index; the other words, if any, are checked by the people their NameToken ranges find (intersected). The
    caller adds who may see which case, and reads `case_id` in return-date order."""
    alternatives = indexer().search_alternatives(organisation_ids, text)
    if not alternatives:
        return None
    if len(alternatives) > 1:
        # The rarest word: counted on NameToken, each up to a bound (index-only, a few hundred µs each).
        def frequency(digests: list[int]) -> int:
            return NameToken.objects.filter(digest__in=digests)[:_RAREST_BOUND].count()

        alternatives = sorted(alternatives, key=frequency)
    rarest, *others = alternatives
    rows = CaseSearchToken.objects.filter(digest__in=rarest)
    if others:
        first, *rest = (NameToken.objects.filter(digest__in=digests).values("returnee_id") for digests in others)
        rows = rows.filter(returnee_id__in=first.intersection(*rest) if rest else first)
    return rows


# Words found in more people than this are equally common for the choice of the one to walk.
_RAREST_BOUND = 2000


class CaseWalk:
    """The ids of the cases a name search finds, newest return first, read from CaseSearchToken's index alone
    and streamed, so that a page stops after its rows and the capped count after its limit:

    - each typed word is the merge of its digests' index ranges (the word whole, as a prefix, its sound; one
      range per digest and visible scope: `(digest, organisation)` gives the cases in return-date order);
    - the words are joined on (return date, case) as they stream (a merge join: no hash of a common word's
      cases, no sort, and no statistics read to choose a word first);
    - a case found by several digests (a word and its sound) is listed once: compared with the row before
      (`lag`), which the same order puts next to it.

    What the paginators need of a list (`web.pagination.CappedPaginator`): slices of ids and `count_up_to`."""

    ordered = True  # Django's paginator warns about unordered lists

    # Only fixed text and table names are in `sql` (written by `walk_cases`); every value is a parameter.
    def __init__(self, sql: str, params: Sequence[Any]) -> None:
        self.sql, self.params = sql, tuple(params)

    def all(self) -> CaseWalk:
        return self

    def __iter__(self) -> Iterator[int]:
        return iter(self[:])

    def __getitem__(self, index: slice) -> list[int]:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("a walk is read by slices")
        start = index.start or 0
        if index.stop is not None and index.stop <= start:
            return []
        limit = _NO_LIMIT if index.stop is None else index.stop - start
        sql = f"SELECT case_id FROM ({self.sql}) w ORDER BY return_date DESC, case_id DESC"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} LIMIT %s OFFSET %s", [*self.params, limit, start])
            return [row[0] for row in cursor.fetchall()]

    def count_up_to(self, limit: int) -> int:
        """How many cases it finds, counted no further than `limit`."""
        with connection.cursor() as cursor:
            counted = f"SELECT COUNT(*) FROM (SELECT case_id FROM ({self.sql}) w LIMIT %s) c"  # noqa: S608
            cursor.execute(counted, [*self.params, limit])
            return int(cursor.fetchone()[0])

    def ids_sql(self) -> tuple[str, tuple[Any, ...]]:
        """A subquery of the ids (for `pk__in=RawSQL(...)`)."""
        return f"SELECT case_id FROM ({self.sql}) w", self.params  # noqa: S608


_NO_LIMIT = 2**62


def walk_cases(
    organisation_ids: Sequence[int], text: str, organisation_id: int, granted: Sequence[tuple[str, Sequence[Any]]]
) -> CaseWalk | None:
    """The walk of the cases whose person every word of `text` finds (None: no word), among the cases of
    `organisation_id` and those whose ids the `granted` subqueries (SQL, params) give; the digests are those of
    every register in `organisation_ids` (`Indexer.search_alternatives`)."""
    alternatives = indexer().search_alternatives(organisation_ids, text)
    if not alternatives:
        return None
    table = connection.ops.quote_name(CaseSearchToken._meta.db_table)
    params: list[Any] = []
    ranges = iter(range(1 << 30))

    def branch(condition: str) -> str:
        # SELECT * FROM (… ORDER BY …): each range keeps the index's order (PostgreSQL merges the ranges without
        # sorting them), in a form SQLite accepts too (no parenthesised member of a UNION).
        return (
            f"SELECT * FROM (SELECT return_date, case_id FROM {table} WHERE {condition} "  # noqa: S608
            f"ORDER BY return_date DESC, case_id DESC) r{next(ranges)}"
        )

    words = []
    for digests in alternatives:
        branches = []
        for digest in digests:
            branches.append(branch("digest = %s AND organisation_id = %s"))
            params += [digest, organisation_id]
            for sql, granted_params in granted:
                branches.append(branch(f"digest = %s AND case_id IN ({sql})"))
                params += [digest, *granted_params]
        words.append(" UNION ALL ".join(branches))
    first, *others = words
    joined = f"({first}) w0" + "".join(
        f" JOIN ({word}) w{n} ON w{n}.return_date = w0.return_date AND w{n}.case_id = w0.case_id"
        for n, word in enumerate(others, 1)
    )
    sql = (
        "SELECT return_date, case_id FROM (SELECT w0.return_date, w0.case_id, "  # noqa: S608
        "LAG(w0.case_id) OVER (ORDER BY w0.return_date DESC, w0.case_id DESC) AS previous "
        f"FROM {joined}) j WHERE previous IS NULL OR previous <> case_id ORDER BY return_date DESC, case_id DESC"
    )
    return CaseWalk(sql, params)


def rebuild(batch_size: int = 1000) -> dict[str, int]:
    """Recompute every digest under the current key: name tokens, blocking keys, birth-date indexes and
    documents' number indexes (`reintegra rebuild-search-index`). One transaction per batch of
    returnees; safe to run again after an interruption."""
    from django.db import transaction

    from reintegra.cases.models import IdentityDocument

    idx = indexer()
    counts = {"returnees": 0, "tokens": 0, "match_keys": 0, "documents": 0, "case_tokens": 0}
    last = 0
    people = Returnee.objects.filter(anonymised_at__isnull=True).order_by("pk")
    fields = [
        "pk",
        "organisation_id",
        "given_names",
        "first_family_name",
        "second_family_name",
        "birth_date",
        "estimated_birth_year",
    ]
    while True:
        batch = list(people.filter(pk__gt=last).only(*fields)[:batch_size])
        if not batch:
            break
        with transaction.atomic():
            ids = [r.pk for r in batch]
            clear(ids)
            tokens: list[NameToken] = []
            keys: list[MatchKey] = []
            for returnee in batch:
                index = apply(returnee, idx)
                tokens.extend(_tokens(returnee, index))
                keys.extend(_keys(returnee, index))
            Returnee.objects.bulk_update(batch, ["birth_year", "birth_date_index", "match_record"])
            signals.returnees_rewritten.send(sender=Returnee, ids=ids)
            NameToken.objects.bulk_create(tokens, batch_size=5000)
            MatchKey.objects.bulk_create(keys, batch_size=5000)
            documents = list(IdentityDocument.objects.filter(returnee_id__in=ids).only("pk", "number", "number_index"))
            for document in documents:
                document.number_index = crypto.document_index(document.number)
            IdentityDocument.objects.bulk_update(documents, ["number_index"])
            case_tokens = index_people(ids)
        counts["returnees"] += len(batch)
        counts["case_tokens"] += case_tokens
        counts["tokens"] += len(tokens)
        counts["match_keys"] += len(keys)
        counts["documents"] += len(documents)
        last = batch[-1].pk
    return counts
