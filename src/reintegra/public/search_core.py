"""Municipality search by name: accent-insensitive and typo-tolerant. Pure Python (no Django): the selector
hands it (id, name, parent name) rows and gets back the ids that match, best first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz
from unidecode import unidecode

THRESHOLD = 80  # rapidfuzz WRatio (0-100): "Quetzaltenago" ~ "Quetzaltenango", "Ciudad" !~ "Salcajá"
LIMIT = 20


@dataclass(frozen=True)
class Place:
    id: int
    name: str
    parent: str = ""


def fold(text: str) -> str:
    """Lower case, accents and other marks removed, runs of spaces and punctuation collapsed."""
    ascii_text = unidecode(text or "").lower()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in ascii_text).split())


def score(query: str, place: Place) -> float:
    """0..100: how well the folded query names the place (an exact or prefix match scores 100)."""
    q, name = fold(query), fold(place.name)
    if not q or not name:
        return 0.0
    if name == q or name.startswith(q):
        return 100.0
    if any(word.startswith(q) for word in name.split()):
        return 95.0
    if len(q) < 3:  # one or two letters: prefixes only, a fuzzy match would be noise
        return 0.0
    return max(fuzz.ratio(q, name), fuzz.partial_ratio(q, name) if len(q) >= 4 else 0.0)


def search(query: str, places: Iterable[Place], *, limit: int = LIMIT) -> list[int]:
    """The ids of the places the query names, best match first (ties: by name)."""
    scored = [(score(query, p), fold(p.name), p.id) for p in places]
    kept = [row for row in scored if row[0] >= THRESHOLD]
    kept.sort(key=lambda row: (-row[0], row[1], row[2]))
    return [pid for _, _, pid in kept[:limit]]
