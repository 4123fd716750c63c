"""Likely duplication between actions (CRM 2022 report §2 and §3.1: map inter-institutional actions "to avoid
dispersion and duplication of actions, and to identify gaps"; docs/domain-structural.md §7). Pure Python, no Django.

Two actions are *likely duplicates* when they are in the same country, cover at least one common
level × dimension cell, are run by different institutions (or the institution of one is unknown), and
their titles (and, less, descriptions) are similar once accents, case, punctuation and common Spanish
words are ignored. Candidates are found through shared informative title words (blocking), so the cost
grows with the number of similar pairs, not with the square of the catalogue.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from rapidfuzz import fuzz
from unidecode import unidecode

# Words that say nothing about what an action does (Spanish, plus the domain's ubiquitous ones).
STOPWORDS = frozenset(
    [
        "a",
        "al",
        "ante",
        "con",
        "contra",
        "de",
        "del",
        "desde",
        "el",
        "en",
        "entre",
        "hacia",
        "hasta",
        "la",
        "las",
        "lo",
        "los",
        "para",
        "por",
        "segun",
        "sin",
        "sobre",
        "tras",
        "un",
        "una",
        "unos",
        "unas",
        "y",
        "o",
        "e",
        "u",
        "que",
        "se",
        "su",
        "sus",
        "como",
        "mas",
        "the",
        "of",
        "and",
        "for",
        "to",
        "in",
        "persona",
        "personas",
        "migrante",
        "migrantes",
        "retornada",
        "retornadas",
        "retornado",
        "retornados",
        "retorno",
        "mexicanas",
        "repatriadas",
        "programa",
        "proyecto",
        "accion",
        "acciones",
    ]
)

_NON_WORD = re.compile(r"[^a-z0-9]+")
DEFAULT_THRESHOLD = 75.0
TITLE_WEIGHT = 0.7


def normalise(text: str) -> str:
    """Lower case ASCII words separated by single spaces: 'Intermediación  Laboral.' -> 'intermediacion laboral'."""
    return " ".join(_NON_WORD.sub(" ", unidecode(text or "").lower()).split())


def key_words(text: str) -> list[str]:
    """The informative words of a text (stopwords and very short words left out), in order."""
    return [w for w in normalise(text).split() if len(w) > 2 and w not in STOPWORDS]


Cell = tuple[str, str]  # (level, dimension)


@dataclass(frozen=True)
class ActionText:
    id: int
    country: str
    institution: int | str | None  # None: not known
    title: str
    description: str
    cells: frozenset[Cell]


@dataclass(frozen=True)
class LikelyDuplicate:
    first: int  # the smaller id
    second: int
    score: float  # 0-100
    cells: frozenset[Cell]  # the cells both cover


@dataclass(frozen=True)
class _Prepared:
    title: str  # informative words, space-separated
    description: str  # the first 60 informative words


def _prepare(action: ActionText) -> _Prepared:
    return _Prepared(" ".join(key_words(action.title)), " ".join(key_words(action.description)[:60]))


def _score(a: _Prepared, b: _Prepared, threshold: float = 0.0) -> float:
    if not a.title or not b.title:
        return 0.0
    title = fuzz.token_set_ratio(a.title, b.title)
    if not a.description or not b.description:
        return float(title)
    # The description can add at most (1 - TITLE_WEIGHT) * 100: skip it when even that cannot reach the threshold.
    if TITLE_WEIGHT * title + (1 - TITLE_WEIGHT) * 100 < threshold:
        return TITLE_WEIGHT * title
    description = fuzz.token_set_ratio(a.description, b.description)
    return TITLE_WEIGHT * title + (1 - TITLE_WEIGHT) * description


def similarity(a: ActionText, b: ActionText) -> float:
    """0-100: mostly the titles' word-set similarity, a little the descriptions'."""
    return _score(_prepare(a), _prepare(b))


def _different_institutions(a: ActionText, b: ActionText) -> bool:
    return a.institution is None or b.institution is None or a.institution != b.institution


def likely_duplicates(
    actions: Iterable[ActionText], *, threshold: float = DEFAULT_THRESHOLD, max_word_share: float = 0.2
) -> list[LikelyDuplicate]:
    """Every pair of likely duplicates, best first.

    `max_word_share`: a blocking key (a pair of title words, or the word of a one-word title) found in more
    than this share of a country's actions (and in more than 20 of them) is too common to propose pairs."""
    by_country: dict[str, list[ActionText]] = defaultdict(list)
    for action in actions:
        if action.cells:
            by_country[action.country].append(action)
    found: list[LikelyDuplicate] = []
    for group in by_country.values():
        found.extend(_in_country(group, threshold, max_word_share))
    found.sort(key=lambda d: (-d.score, d.first, d.second))
    return found


def _in_country(group: Sequence[ActionText], threshold: float, max_word_share: float) -> list[LikelyDuplicate]:
    found = []
    prepared: dict[int, _Prepared] = {}
    for i, j in _candidate_pairs(group, max_word_share):
        a, b = group[i], group[j]
        shared = a.cells & b.cells
        if not shared or not _different_institutions(a, b):
            continue
        if i not in prepared:
            prepared[i] = _prepare(a)
        if j not in prepared:
            prepared[j] = _prepare(b)
        score = _score(prepared[i], prepared[j], threshold)
        if score >= threshold:
            first, second = sorted((a.id, b.id))
            found.append(LikelyDuplicate(first, second, round(score, 1), frozenset(shared)))
    return found


def _candidate_pairs(group: Sequence[ActionText], max_word_share: float) -> set[tuple[int, int]]:
    """Blocking: titles sharing two informative words (a pair of words as key), or a one-word title found
    in another title. A single shared common word ("laboral") proposes nothing on its own."""
    by_pair: dict[tuple[str, str], list[int]] = defaultdict(list)
    by_word: dict[str, list[int]] = defaultdict(list)
    single: list[tuple[int, str]] = []
    for index, action in enumerate(group):
        words = sorted(set(key_words(action.title)[:8]))
        for word in words:
            by_word[word].append(index)
        if len(words) == 1:
            single.append((index, words[0]))
        for pair in combinations(words, 2):
            by_pair[pair].append(index)
    limit = max(20, int(len(group) * max_word_share))
    candidates: set[tuple[int, int]] = set()
    for indices in by_pair.values():
        if 1 < len(indices) <= limit:
            candidates.update(combinations(indices, 2))  # indices are increasing: (i, j) with i < j
    for index, word in single:
        others = by_word[word]
        if len(others) <= limit:
            candidates.update((min(index, other), max(index, other)) for other in others if other != index)
    return candidates


def cells_with_duplicates(duplicates: Iterable[LikelyDuplicate]) -> dict[Cell, set[int]]:
    """For each cell, the ids of the actions that have a likely duplicate in that cell."""
    result: dict[Cell, set[int]] = defaultdict(set)
    for duplicate in duplicates:
        for cell in duplicate.cells:
            result[cell].update((duplicate.first, duplicate.second))
    return dict(result)
