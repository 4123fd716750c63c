"""Who returns: a returnee's name, age, languages, how they came back and why, their household, the
attention they need and how to reach them.

Realistic for Mexico and Central America: Spanish names (Mayan surnames and languages in the Guatemalan
highlands), forced returns most common, causes of migration by country (violence in Honduras and El
Salvador, climate in the Dry Corridor). Every draw comes from the case's own stream (`Draws`), in a fixed
order, so the same seed gives the same people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from reintegra.cases.choices import AttentionFlag, MigrationCause, ReceptionAssistance, ReturnType
from reintegra.cases.services import MemberInput
from reintegra.demo.draws import Draws
from reintegra.demo.vocabulary import Country, Names, vocabulary

_FORCED = ReturnType.FORCED.value


@dataclass(frozen=True, slots=True)
class Place:
    """A municipality of return (from the gazetteer)."""

    id: int
    code: str
    parent_id: int | None
    parent_code: str
    name: str


class Person:
    """The returnee being generated (one at a time)."""

    __slots__ = (
        "age",
        "assistance",
        "birth_date",
        "birth_year",
        "causes",
        "causes_note",
        "children",
        "chronic",
        "country",
        "estimated",
        "female",
        "first_family",
        "given",
        "host",
        "household",
        "indigenous",
        "languages",
        "minor",
        "place",
        "reception",
        "return_type",
        "second_family",
        "sex",
        "spouse",
        "transit",
        "violence",
    )

    age: int
    assistance: tuple[str, ...]
    birth_date: date | None
    birth_year: int
    causes: tuple[str, ...]
    causes_note: str
    children: int
    chronic: bool
    country: Country
    estimated: bool
    female: bool
    first_family: str
    given: str
    host: str
    household: list[MemberInput]
    indigenous: bool
    languages: str
    minor: bool
    place: Place
    reception: str
    return_type: str
    second_family: str
    sex: str
    spouse: bool
    transit: tuple[str, ...]
    violence: bool


# --- name, age and languages ---------------------------------------------------------------------------


def draw_person(draws: Draws, country: Country, place: Place, return_day: date) -> Person:
    p = Person()
    p.country, p.place = country, place
    rnd = draws.rnd
    p.female = rnd() < 0.21
    p.sex = "unknown" if rnd() < 0.004 else "female" if p.female else "male"
    age = _age(draws)
    p.birth_year = min(2010, max(1960, return_day.year - age))
    p.age = return_day.year - p.birth_year
    p.minor = p.age < 18
    p.estimated = rnd() < 0.12
    p.birth_date = None if p.estimated else date(p.birth_year, 1, 1) + timedelta(days=int(rnd() * 365))
    _languages(draws, p)
    _names(draws, p)
    return p


def _age(draws: Draws) -> int:
    u, between = draws.rnd(), draws.between
    if u < 0.05:
        return between(15, 17)
    if u < 0.70:
        return between(18, 34)
    if u < 0.93:
        return between(35, 49)
    return between(50, 59) if u < 0.98 else between(60, 66)


def _languages(draws: Draws, p: Person) -> None:
    p.languages, p.indigenous = "español", False
    state = p.place.parent_code
    country = p.country
    spoken = country.indigenous.get(state) or country.indigenous.get(state[:2]) or country.indigenous_default
    if spoken.share and draws.rnd() < spoken.share:
        p.indigenous = True
        language = draws.pick(spoken.languages)
        bilingual = spoken.with_spanish >= 1 or draws.rnd() < spoken.with_spanish
        p.languages = f"{language}, español" if bilingual else language


def _names(draws: Draws, p: Person) -> None:
    rnd, pick = draws.rnd, draws.pick
    names = p.country.names
    mayan = p.indigenous and bool(names.indigenous_surnames)
    given, weights = (names.female, names.female_w) if p.female else (names.male, names.male_w)
    if mayan and rnd() < 0.7:
        first = pick(names.indigenous_female if p.female else names.indigenous_male)
    else:
        first = draws.pick_w(given, weights)
    p.given = first
    if rnd() < 0.5:  # two given names, often after a María, José or Juan
        if not mayan and rnd() < 0.5:
            vocab = vocabulary()
            first = pick(vocab.compound_female if p.female else vocab.compound_male)
        second = draws.pick_w(given, weights)
        if second != first:
            p.given = f"{first} {second}"
    p.first_family = surname(draws, names, mayan)
    p.second_family = surname(draws, names, mayan) if rnd() > 0.04 else ""


def surname(draws: Draws, names: Names, mayan: bool = False) -> str:
    if mayan and draws.rnd() < 0.65:
        return str(draws.pick(names.indigenous_surnames))
    return str(draws.pick_w(names.surnames, names.surnames_w))


# --- the return and its causes ------------------------------------------------------------------------


def draw_return(draws: Draws, p: Person) -> None:
    rnd = draws.rnd
    u = rnd()
    p.return_type = (
        _FORCED
        if u < 0.70
        else ReturnType.VOLUNTARY_ASSISTED.value
        if u < 0.88
        else ReturnType.VOLUNTARY_SPONTANEOUS.value
    )
    by_air = _route(draws, p)
    p.reception, p.assistance = "", ()
    if p.return_type != ReturnType.VOLUNTARY_SPONTANEOUS.value or rnd() < 0.2:
        _reception(draws, p, by_air)
    _causes(draws, p)


def _route(draws: Draws, p: Person) -> bool:
    """Host and transit countries; whether the person came back by air."""
    rnd, country = draws.rnd, p.country.code
    if country == "MX":
        p.host = "US" if rnd() < 0.97 else "CA"
        p.transit = ()
    else:
        u = rnd()
        p.host = "US" if u < 0.64 else "MX" if u < 0.97 else "CA"
        if p.host == "MX":
            p.transit = ("GT",) if country != "GT" else ()
        else:
            p.transit = ("MX",) if country == "GT" else ("GT", "MX")
    # Returns from the United States to Central America are by air; Mexico deports by land.
    return p.host != "MX" and (country != "MX" or p.return_type != _FORCED or rnd() < 0.05)


def _reception(draws: Draws, p: Person, by_air: bool) -> None:
    country = p.country
    if p.minor and by_air and country.family_reception:
        p.reception = country.family_reception
    else:
        places, cum = country.reception["air" if by_air else "land"]
        p.reception = draws.pick_w(places, cum)
    shares = vocabulary().texts.reception_assistance
    rnd = draws.rnd
    p.assistance = (ReceptionAssistance.REGISTRATION.value, *(code for code, share in shares.items() if rnd() < share))


def _causes(draws: Draws, p: Person) -> None:
    rnd = draws.rnd
    dry = p.place.parent_code in vocabulary().dry_corridor
    shares = (
        (MigrationCause.ECONOMIC, 0.75),
        (MigrationCause.VIOLENCE, p.country.violence_rate),
        (MigrationCause.FAMILY, 0.18),
        (MigrationCause.CLIMATE, 0.4 if dry else 0.03),
        (MigrationCause.EDUCATION, 0.03),
        (MigrationCause.HEALTH, 0.03),
    )
    causes = [cause.value for cause, share in shares if rnd() < share]
    texts = vocabulary().texts
    p.causes_note = ""
    if rnd() < 0.02 or not causes:
        causes.append(MigrationCause.OTHER.value)
        p.causes_note = draws.pick(texts.other_cause_notes)
    elif rnd() < 0.12 and causes[0] in texts.cause_details:
        p.causes_note = draws.pick(texts.cause_details[causes[0]])
    p.causes = tuple(causes)
    p.violence = MigrationCause.VIOLENCE.value in causes


# --- attention flags ----------------------------------------------------------------------------------


def draw_flags(draws: Draws, p: Person) -> tuple[tuple[str, ...], str]:
    """The attention flags and the gender identity (mostly not given)."""
    rnd = draws.rnd
    flags = _age_flags(draws, p)
    if p.female and p.children and not p.spouse:
        flags.append(AttentionFlag.WOMAN_HEAD_OF_HOUSEHOLD.value)
    if p.indigenous:
        flags.append(AttentionFlag.INDIGENOUS.value)
    if rnd() < 0.03:
        flags.append(AttentionFlag.DISABILITY.value)
    lgbtiq = rnd() < 0.015
    if lgbtiq:
        flags.append(AttentionFlag.LGBTIQ.value)
    if p.female and 18 <= p.age <= 42 and rnd() < 0.06:
        flags.append(AttentionFlag.PREGNANT.value)
    p.chronic = rnd() < 0.05
    if p.chronic:
        flags.append(AttentionFlag.CHRONIC_ILLNESS.value)
    if rnd() < (0.35 if p.violence else 0.05):
        flags.append(AttentionFlag.VICTIM_OF_VIOLENCE.value)
    identities = vocabulary().texts.gender_identities
    gender_identity = draws.pick(identities) if lgbtiq and rnd() < 0.4 else ""
    return tuple(flags), gender_identity


def _age_flags(draws: Draws, p: Person) -> list[str]:
    flags = []
    if p.minor:
        flags.append(AttentionFlag.CHILD.value)
        if draws.rnd() < 0.6:
            flags.append(AttentionFlag.UNACCOMPANIED_MINOR.value)
    elif p.age <= 29 and draws.rnd() < 0.7:
        flags.append(AttentionFlag.YOUTH.value)
    if p.age >= 60:
        flags.append(AttentionFlag.OLDER_PERSON.value)
    return flags


# --- how to reach them --------------------------------------------------------------------------------


def draw_contact(draws: Draws, p: Person) -> tuple[str, str, str]:
    """(phone in E.164, locality, address), each often unknown."""
    rnd, between = draws.rnd, draws.between
    phone = _PHONES[p.country.code](draws, p) if rnd() < 0.7 else ""
    locality = draws.pick(p.country.localities) if rnd() < 0.8 else ""
    address = ""
    if rnd() < 0.4:
        template = draws.pick(vocabulary().addresses)
        address = template.format(n=between(1, 250), k=between(1, 12), c=draws.pick("ABCDEF"))
    return phone, locality, address


def _phone_mx(draws: Draws, p: Person) -> str:
    area = p.country.phone_areas[p.place.parent_code[:2]]
    width = 10 - len(area)
    return f"+52{area}{draws.between(0, 10**width - 1):0{width}d}"


def _phone_gt(draws: Draws, p: Person) -> str:
    return f"+502{draws.between(3000, 5999)}{draws.between(0, 9999):04d}"


def _phone_hn(draws: Draws, p: Person) -> str:
    return f"+504{draws.pick('389')}{draws.between(0, 999):03d}{draws.between(0, 9999):04d}"


def _phone_sv(draws: Draws, p: Person) -> str:
    return f"+503{draws.pick('67')}{draws.between(0, 999):03d}{draws.between(0, 9999):04d}"


# Mobile numbers as the services store them (E.164), valid in each country's numbering plan.
_PHONES = {"MX": _phone_mx, "GT": _phone_gt, "HN": _phone_hn, "SV": _phone_sv}


# --- household ----------------------------------------------------------------------------------------

_CHILDREN = (0, 1, 2, 3, 4, 5)
_CHILDREN_CUM = [10, 35, 65, 85, 95, 100]


def draw_household(draws: Draws, p: Person, return_day: date) -> None:
    """The members of the household, as a case manager records them (`set_household`'s input)."""
    p.spouse, p.children = False, 0
    if p.minor:
        p.household = _family_of_origin(draws, p, return_day)
    elif draws.rnd() < 0.5:
        p.household = _own_family(draws, p, return_day)
    else:
        p.household = []


def _family_of_origin(draws: Draws, p: Person, return_day: date) -> list[MemberInput]:
    names, between = p.country.names, draws.between
    mother_family = f"{p.second_family or p.first_family} {surname(draws, names)}"
    members = [_parent(draws.pick(names.female), mother_family, "female", p.age + between(18, 30))]
    if draws.rnd() < 0.5:
        given = draws.pick(names.male)  # drawn in this order since the first release: the same seed, the same people
        family = f"{p.first_family} {surname(draws, names)}"
        members.append(_parent(given, family, "male", p.age + between(20, 35)))
    siblings = f"{p.first_family} {p.second_family}".strip()
    for _ in range(between(0, 3)):
        female = draws.rnd() < 0.5
        age = max(0, p.age + between(-10, 8))
        members.append(_member(draws, names, siblings, "sibling", female, age, return_day, False))
    return members


def _own_family(draws: Draws, p: Person, return_day: date) -> list[MemberInput]:
    names, between, rnd = p.country.names, draws.between, draws.rnd
    members = []
    p.spouse = p.age >= 19 and rnd() < 0.65
    partner_family = surname(draws, names)
    if p.spouse:
        partner_female = (not p.female) if p.sex != "unknown" else rnd() < 0.5
        family = f"{partner_family} {surname(draws, names)}"
        age = max(18, p.age + between(-6, 6))
        members.append(_member(draws, names, family, "spouse", partner_female, age, return_day, False))
    most = 0 if p.age < 19 else 1 if p.age < 22 else 5
    p.children = min(most, draws.pick_w(_CHILDREN, _CHILDREN_CUM))
    family = f"{partner_family} {p.first_family}" if p.female else f"{p.first_family} {partner_family}"
    for _ in range(p.children):
        age = between(0, max(0, min(p.age - 17, 25)))
        returned_too = p.return_type == _FORCED and age < 18 and rnd() < 0.08
        members.append(_member(draws, names, family, "child", rnd() < 0.5, age, return_day, returned_too))
    if rnd() < 0.15:
        given = draws.pick(names.female)
        family = f"{p.second_family or p.first_family} {surname(draws, names)}"
        members.append(_parent(given, family, "female", min(99, p.age + between(18, 32))))
    return members


def _parent(given: str, family: str, sex: str, age: int) -> MemberInput:
    return MemberInput(given_names=given, relationship="parent", family_names=family, sex=sex, estimated_age=age)


def _member(
    draws: Draws, names: Names, family: str, relationship: str, female: bool, age: int, on: date, returned_too: bool
) -> MemberInput:
    given = draws.pick_w(*((names.female, names.female_w) if female else (names.male, names.male_w)))
    sex = "female" if female else "male"
    if draws.rnd() < 0.7:
        birth = date(on.year - age, 1, 1) + timedelta(days=int(draws.rnd() * 364))
        return MemberInput(given, relationship, family, sex, birth_date=birth, returned_too=returned_too)
    return MemberInput(given, relationship, family, sex, estimated_age=age, returned_too=returned_too)
