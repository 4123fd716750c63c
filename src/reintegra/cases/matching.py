"""Duplicate detection for returnee registration.

Why this exists: the same person is frequently returned (deported) more than once, and each return
is an intake at a different reception point, often typed by a different clerk from what the person
says. Registration must warn of likely duplicates before a new returnee is created
(docs/domain-individual.md §2), so that the case history (assistance already given, vulnerabilities,
referrals) follows the person instead of being split across records.

The core is pure Python on purpose (no Django): a registration check scores up to a few hundred
candidates, so it must be cheap, and it is tested and benchmarked on its own
(bench/bench_matching_core.py).

Design:

* ``normalize_name`` / ``phonetic_key`` turn what clerks type into comparable forms. The phonetic key
  is Spanish-aware (b/v, s/z/c, j/g/x/y/ll, silent h, qu/k/c, double letters) because that is where
  spelling varies when a name is heard rather than read from a document.
* ``blocking_keys`` / ``query_keys`` give a cheap, index-friendly candidate retrieval that survives one
  broken field at a time (see ``blocking_keys``).
* ``score_pair`` is a Fellegi-Sunter style sum of field evidence (agreement adds, disagreement
  subtracts) squashed by a logistic into [0, 1]. Every term is symmetric, so the score is too.

Size (over 600 lines, on purpose): one pure core. Normalisation, phonetic codes and the scoring they
feed are tuned and benchmarked together; split it only together with its benchmark.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz.distance import Indel, JaroWinkler
from unidecode import unidecode

__all__ = [
    "SEARCH_PREFIX_MIN",
    "MatchCandidate",
    "PersonRecord",
    "blocking_keys",
    "clean_name",
    "name_search_terms",
    "name_words",
    "normalize_name",
    "phonetic_key",
    "query_keys",
    "rank_candidates",
    "score_pair",
    "search_query_terms",
    "trim_caches",
    "word_search_terms",
]

# Apostrophes join ("O'Brien" is one word); any other non-letter separates ("María-José" is two).
_APOSTROPHES = re.compile(r"['`´’‘]")
_NON_LETTERS = re.compile(r"[^a-z]+")

# Connectors inside compound names ("María de los Ángeles", "de la Cruz"); clerks drop or keep them
# at random, so they carry no identity.
_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "e", "da", "das", "do", "dos", "van", "von"})

# Abbreviations that Mexican and Central American civil records use for very common given names.
_GIVEN_ABBREVIATIONS = {"ma": "maria", "fco": "francisco", "gpe": "guadalupe", "jse": "jose"}

# More tokens than this are almost always a data-entry accident; capping bounds the assignment search.
_MAX_TOKENS = 4

# Phonetic codes are cut in blocking keys so keys stay short; 12 letters hold any common surname.
_KEY_CODE_LEN = 12

_VOWELS = frozenset("aeiou")


# Unicode categories that never change what a reader sees in a name: format characters (zero-width
# space and joiners, soft hyphen, byte-order mark, direction marks) and control characters.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc"})


def clean_name(text: str) -> str:
    """The stored form of a typed name: NFKC, invisible and control characters removed, single spaces.

    A zero-width space pasted inside "María" would otherwise split it into two words that match nothing;
    full-width or compatibility letters (Ｍａｒíａ) become the ordinary ones. Case and accents are kept:
    this is what the person's record shows, not the comparable form (see ``normalize_name``).
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    # isprintable() is false for every invisible or control character (and for tabs or odd spaces).
    if not text.isprintable():
        text = "".join(
            " " if ch.isspace() else ch
            for ch in text
            if ch.isspace() or unicodedata.category(ch) not in _INVISIBLE_CATEGORIES
        )
    return " ".join(text.split())


def normalize_name(text: str) -> str:
    """Lowercase ASCII letters and single spaces: the comparable form of a typed name.

    Hyphens and other punctuation separate words (a hyphenated given name is two given names);
    apostrophes are dropped so "O'Brien" and "OBrien" agree; invisible characters are ignored.
    """
    return _normalize(text or "")


@lru_cache(maxsize=65536)
def _normalize(text: str) -> str:
    ascii_text = unidecode(clean_name(text)).lower()
    ascii_text = _APOSTROPHES.sub("", ascii_text)
    return _NON_LETTERS.sub(" ", ascii_text).strip()


def phonetic_key(word: str) -> str:
    """Spanish-aware phonetic code (uppercase) of one normalized word.

    Letters that sound alike in Latin American Spanish share a code: B (b, v, w), S (s, z, c before
    e/i), K (c, k, qu), J (j, g, x at the start, y before a vowel, ll), F (f, ph); h is silent and
    repeated codes collapse. Vowels are kept because in Spanish they are written as spoken, so they
    separate names such as López and Pérez. The hard and soft g share J with y/ll on purpose: the
    variants clerks actually produce (Jimena/Ximena/Gimena, Jessica/Yessica, Guillermo/Giyermo,
    Jorge/Jorje) cross all of those letters, and common names rarely differ only there.
    """
    return _phonetic(_NON_LETTERS.sub("", normalize_name(word)))


# Letters whose code does not depend on their neighbours; a letter in neither table (vowels among
# them) codes as itself.
_PLAIN_CODES = {"b": "B", "v": "B", "w": "B", "j": "J", "s": "S", "z": "S", "k": "K", "h": ""}


def _at(w: str, i: int) -> str:
    return w[i] if i < len(w) else ""


def _code_c(w: str, i: int) -> tuple[str, int]:
    nxt = _at(w, i + 1)
    if nxt == "h":
        # "Christian" is a hard c; "Chávez" is the ch sound.
        return ("K" if _at(w, i + 2) in ("r", "l") else "C"), 2
    return ("S" if nxt in ("e", "i") else "K"), 1


def _code_g(w: str, i: int) -> tuple[str, int]:
    # The u of gue/gui is silent, so Guillermo and Giyermo meet.
    silent_u = _at(w, i + 1) == "u" and _at(w, i + 2) in ("e", "i")
    return "J", 2 if silent_u else 1


def _code_y(w: str, i: int) -> tuple[str, int]:
    # Vowel y (Nayely, Eloy) sounds like i; consonant y sounds like ll/j.
    return ("J" if _at(w, i + 1) in _VOWELS else "I"), 1


def _code_l(w: str, i: int) -> tuple[str, int]:
    return ("J", 2) if _at(w, i + 1) == "l" else ("L", 1)


def _code_n(w: str, i: int) -> tuple[str, int]:
    return ("M" if _at(w, i + 1) in ("b", "v") else "N"), 1


def _code_p(w: str, i: int) -> tuple[str, int]:
    return ("F", 2) if _at(w, i + 1) == "h" else ("P", 1)


def _code_q(w: str, i: int) -> tuple[str, int]:
    return "K", 2 if _at(w, i + 1) == "u" else 1


def _code_x(w: str, i: int) -> tuple[str, int]:
    # Initial x is the old j spelling (Ximena, Xavier); inside a word it is usually ks.
    return ("J" if i == 0 else "KS"), 1


# Letters whose code (and how many letters it consumes) depends on the letters around them.
_CONTEXT_CODES = {
    "c": _code_c,
    "g": _code_g,
    "y": _code_y,
    "l": _code_l,
    "n": _code_n,
    "p": _code_p,
    "q": _code_q,
    "x": _code_x,
}


def _letter_code(w: str, i: int) -> tuple[str, int]:
    """The code of the letter at ``i`` and how many letters it consumes."""
    c = w[i]
    contextual = _CONTEXT_CODES.get(c)
    if contextual is not None:
        return contextual(w, i)
    return _PLAIN_CODES.get(c, c.upper()), 1


@lru_cache(maxsize=65536)
def _phonetic(w: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(w):
        code, step = _letter_code(w, i)
        for ch in code:
            if not out or out[-1] != ch:
                out.append(ch)
        i += step
    return "".join(out)


@dataclass(frozen=True, slots=True)
class PersonRecord:
    id: int
    given_names: str
    first_family_name: str
    second_family_name: str = ""
    birth_date: date | None = None
    # Estimated from a stated age; a full birth_date, when present, wins.
    birth_year: int | None = None
    # Keyed hashes of normalized document numbers: equal key means same document.
    document_keys: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class MatchCandidate:
    id: int
    score: float
    reasons: tuple[str, ...]


class _NameFeatures(NamedTuple):  # a NamedTuple: built once per distinct name, and cheaply
    given: tuple[str, ...]
    given_ph: tuple[str, ...]
    surname1: str
    surname1_ph: str
    surname2: str
    surname2_ph: str


def _meaningful_tokens(normalized: str) -> list[str]:
    tokens = normalized.split()
    kept = [t for t in tokens if t not in _PARTICLES]
    # A name made only of particles ("De", "Y") is still the name the person gave.
    return kept or tokens


@lru_cache(maxsize=65536)
def _features(given_names: str, first: str, second: str) -> _NameFeatures:
    given = tuple(_GIVEN_ABBREVIATIONS.get(t, t) for t in _meaningful_tokens(normalize_name(given_names)))
    given = given[:_MAX_TOKENS]
    s1 = _meaningful_tokens(normalize_name(first))
    s2 = _meaningful_tokens(normalize_name(second))
    if not s1:
        # Only one surname known, wherever it was typed: it becomes the first.
        s1, s2 = s2, []
    if not s2 and len(s1) >= 2:
        # Both surnames typed into the first field ("Hernández López") is a common intake slip.
        s1, s2 = s1[:1], s1[1:]
    surname1 = " ".join(s1)
    surname2 = " ".join(s2)
    return _NameFeatures(
        given=given,
        given_ph=tuple(_phonetic(t) for t in given),
        surname1=surname1,
        surname1_ph=_phonetic(surname1.replace(" ", "")),
        surname2=surname2,
        surname2_ph=_phonetic(surname2.replace(" ", "")),
    )


def _record_features(person: PersonRecord) -> _NameFeatures:
    given, first, second = person.given_names, person.first_family_name, person.second_family_name
    return _features(given or "", first or "", second or "")


def _year(person: PersonRecord) -> int | None:
    return person.birth_date.year if person.birth_date is not None else person.birth_year


# ---------------------------------------------------------------------------------------------------
# Blocking
# ---------------------------------------------------------------------------------------------------


def _blocking_parts(person: PersonRecord) -> tuple[list[str], str, str, int | None]:
    f = _record_features(person)
    surnames = [s[:_KEY_CODE_LEN] for s in (f.surname1_ph, f.surname2_ph) if s]
    pair = ""
    if len(surnames) == 2:
        pair = ":".join(sorted(surnames))
    given = f.given_ph[0][:_KEY_CODE_LEN] if f.given_ph else ""
    return surnames, given, pair, _year(person)


def _keys(person: PersonRecord, years: tuple[int, ...]) -> frozenset[str]:
    surnames, given, pair, year = _blocking_parts(person)
    keys: set[str] = set()
    for s in surnames:
        if given:
            # Survives any birth-data error and a swapped or missing second surname.
            keys.add(f"sg:{s}:{given}")
            if year is not None:
                # Survives a given-name typo (or a second given name used alone) even when the other
                # surname is missing. The given name's first code keeps "surname + year" blocks from
                # growing to thousands for García or Hernández; typos rarely hit the first letter.
                keys.update(f"sy:{s}:{given[0]}:{y}" for y in years)
                # Survives a typo in the other surname, and in this one past its first letter.
                keys.update(f"gy:{given}:{s[0]}:{y}" for y in years)
    if pair:
        # Order-free, so swapped surnames still meet; survives given-name changes with no birth data.
        keys.add(f"ss:{pair}")
    return frozenset(keys)


def blocking_keys(person: PersonRecord) -> frozenset[str]:
    """Keys to store for a person; a stored person is a candidate when it shares one with query_keys.

    Only phonetic codes and years appear, never the raw name, so the key table leaks little. Each
    key family tolerates a different broken field (see the comments in ``_keys``); a duplicate is
    missed only when every family is broken at once. Known gap, accepted to keep blocks small: a typo
    in the first letter of the only surname (or of the given name when only one surname is known);
    a shared identity document still finds those, through the caller's exact document index.
    """
    year = _year(person)
    return _keys(person, () if year is None else (year,))


def query_keys(person: PersonRecord) -> frozenset[str]:
    """Keys to look up for a query: as blocking_keys, with the year widened to ±1 for estimated ages."""
    year = _year(person)
    return _keys(person, () if year is None else (year - 1, year, year + 1))


# ---------------------------------------------------------------------------------------------------
# Name search terms
# ---------------------------------------------------------------------------------------------------

# Shortest prefix a stored name is found by. Shorter prefixes would make a search for "ma" an index
# range over half the register, and they would put in the index tokens that say little about a name
# but tell anyone who has the table how the name starts (see docs/BLIND_INDEXES.md).
SEARCH_PREFIX_MIN = 3
# Words of a search beyond this are ignored (a full name has four or five).
_MAX_SEARCH_WORDS = 6

# Term kinds: a whole word, a proper prefix of a word, the phonetic key of a word.
WORD, PREFIX, PHONETIC = "w", "p", "f"


def name_search_terms(*parts: str) -> frozenset[tuple[str, str]]:
    """(kind, text) terms a person is found by, for a keyed-hash search index: each normalised word of
    the name whole, its proper prefixes of at least SEARCH_PREFIX_MIN letters, and its phonetic key.
    A word's whole form is a WORD term, so "lop" finds "López" as a prefix, "lopez" as a word and
    "lopes" by sound."""
    terms: set[tuple[str, str]] = set()
    for word in name_words(*parts):
        terms.update(word_search_terms(word))
    return frozenset(terms)


def name_words(*parts: str) -> list[str]:
    """The normalised words of a name given in parts (each part normalised on its own: parts recur)."""
    return [word for part in parts if part for word in normalize_name(part).split()]


@lru_cache(maxsize=65536)
def word_search_terms(word: str) -> tuple[tuple[str, str], ...]:
    """The search terms of one normalised word (see name_search_terms)."""
    terms = [(WORD, word)]
    terms.extend((PREFIX, word[:n]) for n in range(SEARCH_PREFIX_MIN, len(word)))
    code = _phonetic(word)
    if code:
        terms.append((PHONETIC, code))
    return tuple(terms)


def search_query_terms(text: str) -> list[frozenset[tuple[str, str]]]:
    """For each word typed in a search, the terms any one of which finds it (see name_search_terms):
    the word itself, the word as a prefix (when it is long enough), and its phonetic key. A person
    matches a search when every word is found."""
    alternatives = []
    for word in list(dict.fromkeys(normalize_name(text).split()))[:_MAX_SEARCH_WORDS]:
        terms = {(WORD, word)}
        if len(word) >= SEARCH_PREFIX_MIN:
            terms.add((PREFIX, word))
        code = _phonetic(word)
        if code:
            terms.add((PHONETIC, code))
        alternatives.append(frozenset(terms))
    return alternatives


# ---------------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------------

# Evidence weights (log-odds scale), set by hand and checked against the tests and
# bench/bench_matching_core.py; refit them once reviewed duplicate decisions exist to learn from.
# Surnames: per aligned surname. Given names disagree harder than they agree because siblings share
# surnames and often birth years.
_SURNAME_AGREE = 1.8
_SURNAME_DISAGREE = 2.2
_GIVEN_AGREE = 2.2
_GIVEN_DISAGREE = 3.8
# Most pairs that reach scoring are still different people, and a common full name is shared by
# many: names alone stay below 0.8, only birth data (or a document) makes a match "likely".
_PRIOR = -4.8

# Agreement of the only surname known on one side (the other record has two) or on both sides.
_MISSING_SECOND_AGREE = 2.9
_SINGLE_SURNAME_AGREE = 3.1
_SWAP_COST = 0.25
_ONLY_SECOND_SURNAME_COST = 0.6
# A second given name present on one side only; dearer when the shared name is not the first one.
_EXTRA_GIVEN_NAME_COST = 0.3
_SHIFTED_GIVEN_NAME_COST = 0.6

_SAME_BIRTH_DATE = 4.2
_TRANSPOSED_BIRTH_DATE = 1.2
_CLOSE_BIRTH_DATE = 0.9
# An estimated year agrees by chance for thousands of namesakes, so it is only a nudge.
_SAME_BIRTH_YEAR = 0.3
_ADJACENT_BIRTH_YEAR = 0.15
_NEAR_BIRTH_DATE_CONFLICT = 3.0
_FAR_BIRTH_DATE_CONFLICT = 4.0
# Estimated years: ages are stated loosely, so only wide gaps count against, and increasingly.
_YEAR_GAP_3 = 0.5
_YEAR_GAP_4_5 = 1.5
_YEAR_GAP_WIDE = 3.0

# A phonetic-only match is good evidence but a notch below identical spelling.
_PHONETIC_SIM = 0.96
# Similarity where evidence turns from positive to negative, and where it saturates.
_SIM_FULL_AGREE = 0.95
_SIM_NEUTRAL = 0.85
_SIM_FULL_DISAGREE = 0.72
# Gender pairs (Mario/María, Luis/Luisa) are different people, not typos.
_GENDER_PAIR_SIM = 0.70

# How an agreeing name part matched, as bits so cached comparisons stay small.
_EXACT, _PHONETIC, _FUZZY = 1, 2, 4

# (evidence, reason codes, _EXACT/_PHONETIC/_FUZZY bits of the agreeing parts)
_Comparison = tuple[float, tuple[str, ...], int]
_NO_COMPARISON: _Comparison = (0.0, (), 0)

# Common names recur across candidates, so comparisons of name parts are memoized; the bound keeps
# a long-running worker's memory flat (a few MB per cache when full).
_COMPARISON_CACHE_SIZE = 32768


def _string_sim(a: str, b: str) -> float:
    if a > b:
        a, b = b, a  # argument order fixed so the score is symmetric by construction
    # Jaro-Winkler alone forgives suffix changes too much (Hernández/Fernández); Indel alone punishes
    # a single typo in a short name too much. The mean sits between.
    return 0.5 * (JaroWinkler.normalized_similarity(a, b) + Indel.normalized_similarity(a, b))


def _is_gender_pair(a: str, b: str) -> bool:
    if len(a) > len(b):
        a, b = b, a
    if len(a) == len(b):
        return len(a) > 2 and a[:-1] == b[:-1] and {a[-1], b[-1]} == {"a", "o"}
    return len(b) == len(a) + 1 and b[-1] == "a" and b.startswith(a) and a[-1] not in _VOWELS


def _token_sim(a: str, b: str, *, given: bool) -> tuple[float, int]:
    if a == b:
        return 1.0, _EXACT
    # Canonical order: one cache entry per unordered pair, and symmetric by construction.
    return _cached_token_sim(a, b, given) if a < b else _cached_token_sim(b, a, given)


@lru_cache(maxsize=_COMPARISON_CACHE_SIZE)
def _cached_token_sim(a: str, b: str, given: bool) -> tuple[float, int]:
    if given and _is_gender_pair(a, b):
        return _GENDER_PAIR_SIM, _FUZZY
    pa = _phonetic(a.replace(" ", ""))
    if pa and pa == _phonetic(b.replace(" ", "")):
        return _PHONETIC_SIM, _PHONETIC
    return _string_sim(a, b), _FUZZY


def _evidence(sim: float, agree: float, disagree: float) -> float:
    if sim >= _SIM_NEUTRAL:
        return agree * min(1.0, (sim - _SIM_NEUTRAL) / (_SIM_FULL_AGREE - _SIM_NEUTRAL))
    return -disagree * min(1.0, (_SIM_NEUTRAL - sim) / (_SIM_NEUTRAL - _SIM_FULL_DISAGREE))


def _kind_bits(*pairs: tuple[float, int]) -> int:
    # Only agreeing parts say how the names matched; a disagreeing one is not a "phonetic" match.
    bits = 0
    for sim, kind in pairs:
        if sim >= _SIM_NEUTRAL:
            bits |= kind
    return bits


@lru_cache(maxsize=_COMPARISON_CACHE_SIZE)
def _compare_given(a: tuple[str, ...], b: tuple[str, ...]) -> _Comparison:
    if not a or not b:
        return _NO_COMPARISON
    if a == b:
        return _GIVEN_AGREE, (), _EXACT
    if len(a) > len(b):
        a, b = b, a
    sims = [[_token_sim(x, y, given=True) for y in b] for x in a]
    # Best one-to-one pairing of the shorter name's tokens ("maria" inside "maria jose" is a full
    # match); order-free, so "José María" meets "María José". Names have at most _MAX_TOKENS tokens,
    # so trying every pairing is cheap.
    best_total = -1.0
    best_perm: tuple[int, ...] = ()
    for perm in itertools.permutations(range(len(b)), len(a)):
        total = sum(sims[i][j][0] for i, j in enumerate(perm))
        if total > best_total:
            best_total, best_perm = total, perm
    evidence = _evidence(best_total / len(a), _GIVEN_AGREE, _GIVEN_DISAGREE)
    if evidence <= 0:
        return evidence, (), 0
    bits = _kind_bits(*(sims[i][j] for i, j in enumerate(best_perm)))
    if len(a) == len(b):
        return evidence, (), bits
    leading = best_perm == tuple(range(len(a)))
    evidence -= _EXTRA_GIVEN_NAME_COST if leading else _SHIFTED_GIVEN_NAME_COST
    return evidence, ("missing_second_given_name",), bits


def _compare_surnames(a1: str, a2: str, b1: str, b2: str) -> _Comparison:
    if not a1 or not b1:
        return _NO_COMPARISON
    if a2 and b2:
        s11, s22 = _token_sim(a1, b1, given=False), _token_sim(a2, b2, given=False)
        straight = _evidence(s11[0], _SURNAME_AGREE, _SURNAME_DISAGREE)
        straight += _evidence(s22[0], _SURNAME_AGREE, _SURNAME_DISAGREE)
        if s11[1] == _EXACT and s22[1] == _EXACT:
            return straight, (), _EXACT
        s12, s21 = _token_sim(a1, b2, given=False), _token_sim(a2, b1, given=False)
        swapped = _evidence(s12[0], _SURNAME_AGREE, _SURNAME_DISAGREE)
        swapped += _evidence(s21[0], _SURNAME_AGREE, _SURNAME_DISAGREE) - _SWAP_COST
        if swapped > straight:
            return swapped, ("surnames_swapped",), _kind_bits(s12, s21)
        return straight, (), _kind_bits(s11, s22)
    if a2 or b2:
        # One record lacks the second surname: its single surname is usually the first one, less
        # often the mother's surname used alone. The unknown second surname is no evidence either
        # way, so one agreeing surname earns most of what two would.
        (t1, t2), one = ((a1, a2), b1) if a2 else ((b1, b2), a1)
        s_first, s_second = _token_sim(t1, one, given=False), _token_sim(t2, one, given=False)
        as_first = _evidence(s_first[0], _MISSING_SECOND_AGREE, _SURNAME_DISAGREE)
        as_second = _evidence(s_second[0], _MISSING_SECOND_AGREE, _SURNAME_DISAGREE)
        as_second -= _ONLY_SECOND_SURNAME_COST
        if as_second > as_first:
            if as_second <= 0:
                return as_second, (), 0
            return as_second, ("missing_second_surname", "surnames_swapped"), _kind_bits(s_second)
        if as_first <= 0:
            return as_first, (), 0
        return as_first, ("missing_second_surname",), _kind_bits(s_first)
    s11 = _token_sim(a1, b1, given=False)
    return _evidence(s11[0], _SINGLE_SURNAME_AGREE, _SURNAME_DISAGREE), (), _kind_bits(s11)


def _name_comparisons(qf: _NameFeatures, cf: _NameFeatures) -> tuple[_Comparison, _Comparison]:
    # Canonical argument order: one cache entry per unordered pair, and the same alignment (hence
    # the same reasons) whichever record is the query.
    g1, g2 = (qf.given, cf.given) if qf.given <= cf.given else (cf.given, qf.given)
    q = (qf.surname1, qf.surname2)
    c = (cf.surname1, cf.surname2)
    if q > c:
        q, c = c, q
    return _compare_given(g1, g2), _compare_surnames(q[0], q[1], c[0], c[1])


def _birth_evidence(query: PersonRecord, candidate: PersonRecord, reasons: set[str]) -> float:
    d1, d2 = query.birth_date, candidate.birth_date
    if d1 is not None and d2 is not None:
        if d1 == d2:
            reasons.add("same_birth_date")
            return _SAME_BIRTH_DATE
        if d1.year == d2.year and d1.month == d2.day and d1.day == d2.month:
            # Day and month swapped: DD/MM against MM/DD forms.
            reasons.add("birth_date_close")
            return _TRANSPOSED_BIRTH_DATE
        if (d1.year == d2.year) + (d1.month == d2.month) + (d1.day == d2.day) == 2:
            reasons.add("birth_date_close")
            return _CLOSE_BIRTH_DATE
        reasons.add("birth_date_conflict")
        return -(_NEAR_BIRTH_DATE_CONFLICT if abs(d1.year - d2.year) <= 1 else _FAR_BIRTH_DATE_CONFLICT)
    y1, y2 = _year(query), _year(candidate)
    if y1 is None or y2 is None:
        return 0.0
    # At least one side is an estimate from a stated age, which is routinely a year or two off.
    gap = abs(y1 - y2)
    if gap <= 1:
        reasons.add("birth_year_close")
        return _SAME_BIRTH_YEAR if gap == 0 else _ADJACENT_BIRTH_YEAR
    if gap == 2:
        return 0.0
    reasons.add("birth_date_conflict")
    if gap == 3:
        return -_YEAR_GAP_3
    return -_YEAR_GAP_4_5 if gap <= 5 else -_YEAR_GAP_WIDE


def score_pair(query: PersonRecord, candidate: PersonRecord) -> MatchCandidate:
    """Likelihood in [0, 1] that both records are the same person, with machine-readable reasons."""
    qf, cf = _record_features(query), _record_features(candidate)
    given, surnames = _name_comparisons(qf, cf)
    reasons: set[str] = {*given[1], *surnames[1]}
    total = _PRIOR + given[0] + surnames[0] + _birth_evidence(query, candidate, reasons)
    score = _logistic(total)
    bits = given[2] | surnames[2]
    if bits == _EXACT and _same_name_layout(qf, cf):
        reasons.add("exact_name")
    if bits & _PHONETIC:
        reasons.add("phonetic_name")
    if bits & _FUZZY:
        reasons.add("similar_name")
    if query.document_keys and not query.document_keys.isdisjoint(candidate.document_keys):
        # The same identity document is decisive; names only order such matches among themselves.
        reasons.add("document")
        score = 0.95 + 0.05 * score
    score = round(min(1.0, max(0.0, score)), 3)
    return MatchCandidate(id=candidate.id, score=score, reasons=_ordered(reasons))


# The most the names can add (`_compare_given` at most _GIVEN_AGREE, `_compare_surnames` at most two agreeing
# surnames or one known on one side or both; costs only subtract): what `score_bound` assumes of them.
_MAX_NAME_EVIDENCE = _GIVEN_AGREE + max(2 * _SURNAME_AGREE, _MISSING_SECOND_AGREE, _SINGLE_SURNAME_AGREE)


def score_bound(query: PersonRecord, candidate: PersonRecord) -> float:
    """An upper bound of `score_pair(query, candidate).score` (rounded as it is), from the birth data and the
    documents alone: the names taken as agreeing fully. About a microsecond, against tens for `score_pair`: a
    caller that keeps only scores from a threshold up (the manifest import) skips a pair whose bound is below
    it, with the same outcome. A birth date or year far apart bounds a pair of namesakes below 0.4."""
    if query.document_keys and not query.document_keys.isdisjoint(candidate.document_keys):
        return 1.0
    # A hair over: `score_pair` adds the same terms in another order (floating-point sums may differ there).
    bound = _logistic(_PRIOR + _MAX_NAME_EVIDENCE + _birth_evidence(query, candidate, set()) + 1e-9)
    return round(min(1.0, max(0.0, bound)), 3)


def _same_name_layout(a: _NameFeatures, b: _NameFeatures) -> bool:
    return a.given == b.given and a.surname1 == b.surname1 and a.surname2 == b.surname2


def _logistic(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


_REASON_ORDER = (
    "document",
    "exact_name",
    "phonetic_name",
    "similar_name",
    "surnames_swapped",
    "missing_second_surname",
    "missing_second_given_name",
    "same_birth_date",
    "birth_date_close",
    "birth_year_close",
    "birth_date_conflict",
)
_REASON_RANK = {r: i for i, r in enumerate(_REASON_ORDER)}


def _ordered(reasons: set[str]) -> tuple[str, ...]:
    # Strongest evidence first, so a UI can show just the first few.
    return tuple(sorted(reasons, key=_REASON_RANK.__getitem__))


def rank_candidates(
    query: PersonRecord,
    candidates: Iterable[PersonRecord],
    *,
    threshold: float = 0.5,
    limit: int = 10,
) -> list[MatchCandidate]:
    """Scored candidates at or above threshold, best first (ties by id), at most limit of them."""
    skip_id = query.id if query.id > 0 else None
    scored = [
        match
        for candidate in candidates
        if candidate.id != skip_id
        for match in (score_pair(query, candidate),)
        if match.score >= threshold
    ]
    scored.sort(key=lambda m: (-m.score, m.id))
    return scored[: max(0, limit)]


def trim_caches(limit: int) -> None:
    """Empties each of this module's memo caches holding more than `limit` entries. Their bounds keep a
    long-running process flat at ~95 MB when all are full; a process scoring a stream of chunks (the manifest
    import's workers, `reception.manifest_pool`) calls this between chunks to stay near `limit`'s share of that.
    Results never depend on the caches."""
    for cached in (_normalize, _phonetic, _features, word_search_terms, _cached_token_sim, _compare_given):
        if cached.cache_info().currsize > limit:
            cached.cache_clear()


def read_match_record(opened: str) -> tuple[str, str, str, date | None]:
    """A match record's fields from its opened JSON text (`name_index.identity_index` writes it)."""
    given, first, second, born = json.loads(opened)
    return given, first, second, date.fromisoformat(born) if born else None
