"""Which services fit a returnee's need, best first (docs/domain-referrals.md §1: the network as a single
"dispatcher"). No Django import.

A service is *eligible* when it is active, matches the need's dimension (and sector when one is asked
for), covers the person's place, and the person meets its age, sex, nationality and vulnerability
criteria. Eligible services are ranked by:

1. how well its sector fits the need the plan item names (issue 18.6): `sectors_for_need` reads the item's
   approach ("Desarrollo de negocios" → business development), the sector it names first, then the other
   sectors it names, then the rest;
2. how close its coverage is to the person: the municipality itself, then the state/department, then the
   whole country, then a service in another country (an international referral);
3. whether it has room this month (unlimited capacity or places left before one at capacity);
4. its places left (more first), then name, for a stable order.

What a referral form offers is only what can be chosen there (`only_choosable`): a service the referring
organisation has an approved SOP for, in the person's country, with places left, whose criteria the person
meets. Services the person does not meet the criteria of are returned too when asked
(`include_ineligible`), with the reasons, so a case manager sees why a known service is not proposed.
"""

from __future__ import annotations

import unicodedata
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
    choosable: bool = True  # the referring organisation has an approved SOP covering it


@dataclass(frozen=True)
class Recommendation:
    candidate: Candidate
    proximity: int
    places_left: int | None  # None: unlimited
    eligible: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)  # codes of unmet criteria
    need_match: int = 0  # 0: the sector the need names first (or no need given), 1: another it names, 2: none

    @property
    def at_capacity(self) -> bool:
        return self.places_left is not None and self.places_left <= 0


# Words of a plan item's approach (es / en / fr, without accents) → the directory's sectors
# (referrals.choices.ServiceSector), most specific first: "salud mental" is mental health before health.
NEED_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "mhpss",
        (
            "salud mental",
            "mental health",
            "sante mentale",
            "psicosocial",
            "psychosocial",
            "psicolog",
            "psycholog",
            "apoyo entre pares",
            "peer support",
            "soutien entre pairs",
        ),
    ),
    (
        "business",
        (
            "negocio",
            "emprend",
            "microempresa",
            "capital semilla",
            "business",
            "enterprise",
            "entreprise",
            "self-employ",
            "seed capital",
            "start-up",
            "startup",
        ),
    ),
    (
        "employment",
        (
            "empleo",
            "laboral",
            "trabajo",
            "colocacion",
            "formacion profesional",
            "capacitacion",
            "job",
            "employment",
            "vocational",
            "placement",
            "emploi",
            "formation professionnelle",
        ),
    ),
    ("financial", ("financ", "credito", "ahorro", "microcredit", "savings", "loan", "epargne", "credit")),
    ("housing", ("vivienda", "albergue", "alojamiento", "housing", "shelter", "logement", "hebergement")),
    ("education", ("escolar", "escuela", "educacion", "school", "education", "ecole", "scolaire")),
    ("legal", ("document", "juridic", "legal", "identidad", "identity", "juridique")),
    ("family_tracing", ("busqueda de familia", "reunificacion", "family tracing", "retablissement des liens")),
    (
        "child_protection",
        ("proteccion de la ninez", "proteccion infantil", "child protection", "protection de l'enfance"),
    ),
    ("social_protection", ("proteccion social", "programa social", "social protection", "protection sociale")),
    ("health", ("salud", "medic", "health", "sante", "clinic")),
)


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def sectors_for_need(text: str) -> tuple[str, ...]:
    """The sectors a need's words name, most specific first; () when they name none."""
    folded = _folded(text or "")
    return tuple(sector for sector, words in NEED_WORDS if any(word in folded for word in words))


def need_match(candidate: Candidate, sectors: tuple[str, ...]) -> int:
    if not sectors or candidate.sector == sectors[0]:
        return 0
    return 1 if candidate.sector in sectors else 2


def can_be_chosen(r: Recommendation) -> bool:
    """Whether a referral form may offer it: an SOP, the person's country, places left, criteria met."""
    return r.candidate.choosable and r.eligible and r.proximity != ABROAD and not r.at_capacity


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
    need: str = "",
    only_choosable: bool = False,
) -> list[Recommendation]:
    """The services that fit, best first; `need`: the plan item's approach, whose sectors come first."""
    sectors = sectors_for_need(need)
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
        found.append(Recommendation(c, near, places_left(c), not reasons, tuple(reasons), need_match(c, sectors)))
    if only_choosable:
        found = [r for r in found if can_be_chosen(r)]
    return sorted(found, key=rank_key)


def rank_key(r: Recommendation) -> tuple[bool, int, int, bool, int, str, int]:
    left = r.places_left
    return (
        not r.eligible,
        r.need_match,
        r.proximity,
        r.at_capacity,
        -(left if left is not None else 10**9),
        r.candidate.name.casefold(),
        r.candidate.id,
    )
