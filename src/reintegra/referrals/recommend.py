"""Which services fit a returnee's need, best first (docs/domain-referrals.md §1: the network as a single
"dispatcher"). No Django import.

A service is *eligible* when it is active, matches the need's dimension (and sector when one is asked
for), covers the person's place, and the person meets its age, sex, nationality and vulnerability
criteria. Eligible services are ranked by:

1. how close its coverage is to the person: the municipality itself, then the state/department, then the
   whole country, then a service in another country (an international referral);
2. whether it has room this month (unlimited capacity or places left before one at capacity);
3. its places left (more first), then name, for a stable order.

Services the person does not meet the criteria of are returned too when asked (`include_ineligible`),
with the reasons, so a case manager sees why a known service is not proposed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

MUNICIPALITY = 0
ADMIN1 = 1
COUNTRY = 2
ABROAD = 3


@dataclass(frozen=True)
class Person:
    age: int | None
    sex: str
    nationality: str
    country: str
    admin1_id: int | None
    municipality_id: int | None
    attention_flags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Candidate:
    id: int
    name: str
    dimension: str
    sector: str
    country: str
    area_ids: frozenset[int] = frozenset()  # empty: the whole country
    min_age: int | None = None
    max_age: int | None = None
    sexes: frozenset[str] = frozenset()  # empty: anyone
    nationalities: frozenset[str] = frozenset()  # empty: any
    vulnerabilities: frozenset[str] = frozenset()  # empty: no criterion; else any one of them
    capacity: int | None = None  # per month; None: unlimited
    used: int = 0  # referrals accepted or pending this month
    is_active: bool = True


@dataclass(frozen=True)
class Recommendation:
    candidate: Candidate
    proximity: int
    places_left: int | None  # None: unlimited
    eligible: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)  # codes of unmet criteria

    @property
    def at_capacity(self) -> bool:
        return self.places_left is not None and self.places_left <= 0


def proximity(person: Person, candidate: Candidate) -> int | None:
    """How near the service's coverage is to the person; None when it does not cover their place."""
    if candidate.country != person.country:
        return ABROAD
    if not candidate.area_ids:
        return COUNTRY
    if person.municipality_id is not None and person.municipality_id in candidate.area_ids:
        return MUNICIPALITY
    if person.admin1_id is not None and person.admin1_id in candidate.area_ids:
        return ADMIN1
    return None


def unmet_criteria(person: Person, candidate: Candidate) -> list[str]:
    reasons = []
    if person.age is not None:
        if candidate.min_age is not None and person.age < candidate.min_age:
            reasons.append("too_young")
        if candidate.max_age is not None and person.age > candidate.max_age:
            reasons.append("too_old")
    elif candidate.min_age is not None or candidate.max_age is not None:
        reasons.append("age_unknown")
    if candidate.sexes and person.sex not in candidate.sexes:
        reasons.append("sex")
    if candidate.nationalities and person.nationality not in candidate.nationalities:
        reasons.append("nationality")
    if candidate.vulnerabilities and not (candidate.vulnerabilities & person.attention_flags):
        reasons.append("vulnerability")
    return reasons


def places_left(candidate: Candidate) -> int | None:
    return None if candidate.capacity is None else candidate.capacity - candidate.used


def recommend(
    person: Person,
    candidates: Iterable[Candidate],
    *,
    dimension: str | None = None,
    sector: str | None = None,
    include_abroad: bool = False,
    include_ineligible: bool = False,
) -> list[Recommendation]:
    found = []
    for c in candidates:
        if not c.is_active or (dimension and c.dimension != dimension) or (sector and c.sector != sector):
            continue
        near = proximity(person, c)
        if near is None or (near == ABROAD and not include_abroad):
            continue
        reasons = unmet_criteria(person, c)
        if reasons and not include_ineligible:
            continue
        found.append(Recommendation(c, near, places_left(c), not reasons, tuple(reasons)))
    return sorted(found, key=rank_key)


def rank_key(r: Recommendation) -> tuple[bool, int, bool, int, str, int]:
    left = r.places_left
    return (
        not r.eligible,
        r.proximity,
        r.at_capacity,
        -(left if left is not None else 10**9),
        r.candidate.name.casefold(),
        r.candidate.id,
    )
