"""k-anonymity of the case rows released for monitoring and evaluation. Pure Python (no Django import).

A row may only be released when at least k-1 other released rows share its quasi-identifiers — the facts
about a person that someone else can know (a neighbour, an employer, a journalist): sex, age, nationality,
how they came back, when, and where they live. Everything else in a row (status, kind of exit, numbers of
assessments and follow-ups, plan dimensions) is only shown for rows that pass.

Input: the number of cases per combination of quasi-identifiers at their finest level, as counted by the
database (`QuasiIdentifiers` → count); never the rows themselves.

Generalisation hierarchies (level 0 is the value as recorded; each level merges whole classes of the level
below, so generalising never splits a class: "monotone"):

    sex          female | male | intersex | unknown  →  *
    age band     0-17 | 18-24 | 25-34 | 35-44 | 45-59 | 60+ | unknown  →  0-17 | 18-59 | 60+ | unknown  →  *
    nationality  country code  →  *
    return type  forced | voluntary_assisted | voluntary_spontaneous  →  *
    return       2024-Q3  →  2024  →  *
    area         municipality  →  state / department  →  country  →  *

Search: every combination of levels of the first five ("global recoding": every row gets the same level),
and for each, the area generalised class by class ("local recoding"): a class of k or more stays at its
municipality; the rest of a state's small classes are pooled at the state, then the country, then
everywhere; a pool that still has fewer than k rows is suppressed. The combination kept is the one that
loses least information: each attribute of a released row costs its level divided by its highest level, a
suppressed row costs as much as a fully generalised one (ties: fewer suppressed rows, then lower levels).

The result (`Release`) says for each finest combination what is released (or None: suppressed), the
size of every released class (all ≥ k), how many rows were suppressed, and the smallest class.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

WITHHELD = "*"
UNKNOWN = "unknown"

# (lowest age, highest age or None, label): ages at return.
AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 17, "0-17"),
    (18, 24, "18-24"),
    (25, 34, "25-34"),
    (35, 44, "35-44"),
    (45, 59, "45-59"),
    (60, None, "60+"),
)
WIDE_AGE_BANDS = {
    "0-17": "0-17",
    "18-24": "18-59",
    "25-34": "18-59",
    "35-44": "18-59",
    "45-59": "18-59",
    "60+": "60+",
    UNKNOWN: UNKNOWN,
}

# Attention flags (cases.choices.AttentionFlag) that are special-category data or a protection concern:
# health (disability, chronic illness, pregnancy), sexual orientation and gender identity, ethnicity,
# violence (incl. gender-based violence) and child protection. They are never released in rows, only as
# k-suppressed counts (`monitoring.analytics.aggregate_cases(by="attention_flag")`). The other flags (child,
# youth, older person: the age band says as much; woman head of household: household composition, a
# quasi-identifier) are left out of rows too, so no row carries any attention flag.
SENSITIVE_ATTENTION_FLAGS = frozenset(
    {
        "victim_of_violence",
        "unaccompanied_minor",
        "disability",
        "chronic_illness",
        "pregnant",
        "lgbtiq",
        "indigenous",
    }
)
# Causes of migration are a free combination of up to seven codes (2^7 combinations: almost unique per
# person) and include violence and health: like the flags they are counted, never put in rows.
AGGREGATE_ONLY = ("attention_flags", "attention_mask", "causes_of_migration")


def age_band(age: int | None) -> str:
    if age is None or age < 0:
        return UNKNOWN
    for low, high, label in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return label
    return UNKNOWN


@dataclass(frozen=True, order=True)
class QuasiIdentifiers:
    """One combination at the finest level. Area parts are ids or codes as text, "" when not recorded."""

    sex: str
    age_band: str
    nationality: str
    return_type: str
    return_year: int | None
    return_quarter: int | None
    country: str
    admin1: str
    municipality: str


@dataclass(frozen=True, order=True)
class Released:
    """What a released row says of its quasi-identifiers: a value, a coarser value, or WITHHELD."""

    sex: str
    age_band: str
    nationality: str
    return_type: str
    return_period: str
    country: str
    admin1: str
    municipality: str

    @property
    def area_level(self) -> str:
        if self.municipality != WITHHELD:
            return "municipality"
        if self.admin1 != WITHHELD:
            return "admin1"
        return "country" if self.country != WITHHELD else "none"


# --- hierarchies ---------------------------------------------------------------------------------


def _sex(qi: QuasiIdentifiers, level: int) -> str:
    return qi.sex if level == 0 else WITHHELD


def _age(qi: QuasiIdentifiers, level: int) -> str:
    return (qi.age_band, WIDE_AGE_BANDS.get(qi.age_band, UNKNOWN), WITHHELD)[level]


def _nationality(qi: QuasiIdentifiers, level: int) -> str:
    return qi.nationality if level == 0 else WITHHELD


def _return_type(qi: QuasiIdentifiers, level: int) -> str:
    return qi.return_type if level == 0 else WITHHELD


def _period(qi: QuasiIdentifiers, level: int) -> str:
    if level >= 2:
        return WITHHELD
    if qi.return_year is None:
        return UNKNOWN
    if level == 1 or qi.return_quarter is None:
        return str(qi.return_year)
    return f"{qi.return_year}-Q{qi.return_quarter}"


# name -> (generaliser, highest level); the order is the order of `Release.levels`.
GLOBAL_HIERARCHIES: dict[str, tuple[Callable[[QuasiIdentifiers, int], str], int]] = {
    "sex": (_sex, 1),
    "age_band": (_age, 2),
    "nationality": (_nationality, 1),
    "return_type": (_return_type, 1),
    "return_period": (_period, 2),
}
AREA_LEVELS = ("municipality", "admin1", "country", "none")
AREA_TOP = len(AREA_LEVELS) - 1


def generalise(qi: QuasiIdentifiers, attribute: str, level: int) -> str:
    """The value of one global attribute at a level (0 = as recorded)."""
    function, top = GLOBAL_HIERARCHIES[attribute]
    return function(qi, min(level, top))


def generalise_area(qi: QuasiIdentifiers, level: int) -> tuple[str, str, str]:
    """(country, admin1, municipality) at an area level: 0 municipality … 3 withheld."""
    parts = [qi.country, qi.admin1, qi.municipality]
    keep = max(0, 3 - min(level, AREA_TOP))
    return (
        parts[0] if keep >= 1 else WITHHELD,
        parts[1] if keep >= 2 else WITHHELD,
        parts[2] if keep >= 3 else WITHHELD,
    )


# --- release -------------------------------------------------------------------------------------


@dataclass
class Release:
    k: int
    levels: dict[str, int]  # level of each global attribute (0 = as recorded)
    released: dict[QuasiIdentifiers, Released | None]  # None: suppressed
    classes: Counter[Released] = field(default_factory=Counter)  # size of each released class
    suppressed: int = 0  # rows
    total: int = 0  # rows
    area_levels: Counter[str] = field(default_factory=Counter)  # released rows per area level

    @property
    def smallest_class(self) -> int | None:
        return min(self.classes.values()) if self.classes else None

    @property
    def released_rows(self) -> int:
        return self.total - self.suppressed


class _Coded:
    """The groups as small integers, so that each combination of levels is scored in one quick pass:
    per global attribute and level, the code of each group's value; per group, its finest area."""

    def __init__(self, groups: Mapping[QuasiIdentifiers, int]) -> None:
        self.items = list(groups.items())
        self.counts = [count for _qi, count in self.items]
        self.codes: dict[str, list[list[int]]] = {}
        for name, (function, top) in GLOBAL_HIERARCHIES.items():
            per_level = []
            for level in range(top + 1):
                interned: dict[str, int] = {}
                per_level.append([interned.setdefault(function(qi, level), len(interned)) for qi, _n in self.items])
            self.codes[name] = per_level
        leaves: dict[tuple[str, str, str], int] = {}
        self.leaf = [leaves.setdefault((qi.country, qi.admin1, qi.municipality), len(leaves)) for qi, _n in self.items]
        self.leaf_area = list(leaves)  # leaf id -> (country, admin1, municipality)

    def strata(self, levels: Mapping[str, int]) -> dict[tuple[int, ...], dict[int, int]]:
        """Rows per finest area within each combination of the global attributes at `levels`."""
        columns = [self.codes[name][level] for name, level in levels.items()]
        strata: dict[tuple[int, ...], dict[int, int]] = {}
        for key, leaf, count in zip(zip(*columns, strict=True), self.leaf, self.counts, strict=True):
            areas = strata.get(key)
            if areas is None:
                areas = strata[key] = {}
            areas[leaf] = areas.get(leaf, 0) + count
        return strata


def _local_area(areas: Mapping[int, int], leaf_area: list[tuple[str, str, str]], k: int) -> dict[int, int | None]:
    """Area level (0..3; None = suppressed) of each finest area (leaf id) of one stratum.

    A class of k or more stays at its municipality; what is left is pooled upwards (state, country,
    everywhere) and released at the first level where the pool reaches k."""
    level: dict[int, int | None] = {}
    pending: list[int] = []
    for leaf, count in areas.items():
        if leaf_area[leaf][2] and count >= k:
            level[leaf] = 0
        else:
            pending.append(leaf)
    for depth in (1, 2, 3):
        pools: dict[tuple[str, ...], list[int]] = {}
        left: list[int] = []
        for leaf in pending:
            country, admin1, _municipality = leaf_area[leaf]
            pool = ((country, admin1) if admin1 else None) if depth == 1 else (country,) if depth == 2 else ()
            if pool is None or (depth == 2 and not country):
                left.append(leaf)
            else:
                pools.setdefault(pool, []).append(leaf)
        for members in pools.values():
            if sum(areas[leaf] for leaf in members) >= k:
                level.update(dict.fromkeys(members, depth))
            else:
                left.extend(members)
        pending = left
    level.update(dict.fromkeys(pending))
    return level


def _score(coded: _Coded, k: int, levels: Mapping[str, int]) -> tuple[float, int]:
    """(information lost, rows suppressed) of one combination of global levels."""
    global_cost = _global_cost(levels)
    suppression_cost = len(GLOBAL_HIERARCHIES) + 1
    loss = 0.0
    suppressed = 0
    for areas in coded.strata(levels).values():
        for leaf, depth in _local_area(areas, coded.leaf_area, k).items():
            count = areas[leaf]
            if depth is None:
                suppressed += count
                loss += count * suppression_cost
            else:
                loss += count * (global_cost + depth / AREA_TOP)
    return loss, suppressed


def _materialise(coded: _Coded, k: int, levels: Mapping[str, int]) -> Release:
    strata = coded.strata(levels)
    depth_of = {key: _local_area(areas, coded.leaf_area, k) for key, areas in strata.items()}
    columns = [coded.codes[name][level] for name, level in levels.items()]
    release = Release(k=k, levels=dict(levels), released={})
    for (qi, count), key, leaf in zip(coded.items, zip(*columns, strict=True), coded.leaf, strict=True):
        depth = depth_of[key][leaf]
        release.total += count
        if depth is None:
            release.released[qi] = None
            release.suppressed += count
            continue
        country, admin1, municipality = generalise_area(qi, depth)
        values = {name: generalise(qi, name, level) for name, level in levels.items()}
        released = Released(
            sex=values["sex"],
            age_band=values["age_band"],
            nationality=values["nationality"],
            return_type=values["return_type"],
            return_period=values["return_period"],
            country=country,
            admin1=admin1,
            municipality=municipality,
        )
        release.released[qi] = released
        release.classes[released] += count
        release.area_levels[AREA_LEVELS[depth]] += count
    return release


def _global_cost(levels: Mapping[str, int]) -> float:
    """Information lost per released row by the global levels alone."""
    return sum(level / GLOBAL_HIERARCHIES[name][1] for name, level in levels.items())


def lattice() -> list[dict[str, int]]:
    """Every combination of global levels, cheapest first (then fewest levels)."""
    names = list(GLOBAL_HIERARCHIES)
    ranges = [range(GLOBAL_HIERARCHIES[name][1] + 1) for name in names]
    nodes = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*ranges)]
    return sorted(nodes, key=lambda levels: (_global_cost(levels), sum(levels.values()), tuple(levels.values())))


def anonymise(groups: Mapping[QuasiIdentifiers, int], k: int) -> Release:
    """The release that loses least information while every released class holds at least k rows.

    Combinations are tried cheapest first; once the global levels alone cost more than the best release
    found (every row pays them, and a suppressed row pays more), no later one can do better."""
    if k < 1:
        raise ValueError("k must be at least 1")
    coded = _Coded({qi: count for qi, count in groups.items() if count > 0})
    total = sum(coded.counts)
    best: tuple[tuple[float, int, int], dict[str, int]] | None = None
    for levels in lattice():
        if best is not None and total * _global_cost(levels) > best[0][0]:
            break
        loss, suppressed = _score(coded, k, levels)
        rank = (round(loss, 6), suppressed, sum(levels.values()))
        if best is None or rank < best[0]:
            best = (rank, levels)
    assert best is not None
    return _materialise(coded, k, best[1])
