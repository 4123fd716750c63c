"""Blind indexes of a returnee's identity: how names are searched and duplicates found without names in clear.

Names, the exact birth date and contact details are encrypted at rest (Returnee's Encrypted*Fields). What
the database can still look up is keyed hashes (HMAC-SHA256 under a key derived from
REINTEGRA_BLIND_INDEX_KEY, cut to 64 bits, `crypto.keyed_digest`) of:

- the name search terms of `matching.name_search_terms` (whole words, prefixes of three letters or more,
  phonetic keys) in NameToken, so a search is one index lookup per typed word;
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

from django.db.models import QuerySet

from reintegra.access import crypto
from reintegra.cases import matching
from reintegra.cases.choices import NameTokenKind
from reintegra.cases.models import MatchKey, NameToken, Returnee

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


def read_match_record(stored: str) -> tuple[str, str, str, date | None]:
    given, first, second, born = json.loads(stored)
    return given, first, second, date.fromisoformat(born) if born else None


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
    """Replace a saved returnee's search tokens and blocking keys."""
    NameToken.objects.filter(returnee_id=returnee.pk).delete()
    MatchKey.objects.filter(returnee_id=returnee.pk).delete()
    NameToken.objects.bulk_create(_tokens(returnee, index))
    MatchKey.objects.bulk_create(_keys(returnee, index))


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


def returnees_named(organisation_ids: Sequence[int], text: str) -> QuerySet[NameToken, Any] | None:
    """The ids of the returnees found by every word of `text`, as a subquery (None: no word to look up).

    One index (only) range scan on NameToken's (digest, returnee) index per typed word, intersected: the
    database never reads the people themselves, nor a case, to know who matches (`cases.selectors`)."""
    alternatives = indexer().search_alternatives(organisation_ids, text)
    if not alternatives:
        return None
    first, *others = (NameToken.objects.filter(digest__in=digests).values("returnee_id") for digests in alternatives)
    return first.intersection(*others) if others else first


def rebuild(batch_size: int = 1000) -> dict[str, int]:
    """Recompute every digest under the current key: name tokens, blocking keys, birth-date indexes and
    documents' number indexes (`reintegra rebuild-search-index`). One transaction per batch of
    returnees; safe to run again after an interruption."""
    from django.db import transaction

    from reintegra.cases.models import IdentityDocument

    idx = indexer()
    counts = {"returnees": 0, "tokens": 0, "match_keys": 0, "documents": 0}
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
            NameToken.objects.bulk_create(tokens, batch_size=5000)
            MatchKey.objects.bulk_create(keys, batch_size=5000)
            documents = list(IdentityDocument.objects.filter(returnee_id__in=ids).only("pk", "number", "number_index"))
            for document in documents:
                document.number_index = crypto.document_index(document.number)
            IdentityDocument.objects.bulk_update(documents, ["number_index"])
        counts["returnees"] += len(batch)
        counts["tokens"] += len(tokens)
        counts["match_keys"] += len(keys)
        counts["documents"] += len(documents)
        last = batch[-1].pk
    return counts
