"""What one manifest row says, read through a saved column mapping: pure Python (no Django), so that the
rules are tested on their own (hypothesis, tests/test_manifest_core.py) and the import stays fast.

A row is parsed into a `ManifestRow`, or refused with every problem found (`RowProblem`: row, field,
code). Problems carry a code and parameters, never the value read: the report of an import is kept, and
a cell of a manifest is personal data. `manifest_services` words the codes in the reader's language.

The row key (`row_material`) is what makes re-importing a file change nothing: the normalised values of
the row, with the reception point and the arrival date, hashed with a key by the caller.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from reintegra.cases import matching

# The field codes (manifest_choices.ManifestField holds the same values with their labels).
GIVEN_NAMES, FIRST_FAMILY_NAME, SECOND_FAMILY_NAME, FAMILY_NAMES = (
    "given_names",
    "first_family_name",
    "second_family_name",
    "family_names",
)
SEX, BIRTH_DATE, AGE, NATIONALITY, DOCUMENT_NUMBER = "sex", "birth_date", "age", "nationality", "document_number"
DEPARTMENT, MUNICIPALITY, PHONE, FAMILY = "department", "municipality", "phone", "family"
FLAGS = ("unaccompanied_child", "health_emergency", "risk_of_violence", "wants_to_return_to_host_country")
ARRIVAL_DATE, MEANS_NUMBER = "arrival_date", "means_number"
FIELDS = (
    GIVEN_NAMES,
    FIRST_FAMILY_NAME,
    SECOND_FAMILY_NAME,
    FAMILY_NAMES,
    SEX,
    BIRTH_DATE,
    AGE,
    NATIONALITY,
    DOCUMENT_NUMBER,
    DEPARTMENT,
    MUNICIPALITY,
    PHONE,
    FAMILY,
    *FLAGS,
    ARRIVAL_DATE,
    MEANS_NUMBER,
)

# Codes of problems (worded by manifest_services.problem_message).
REQUIRED, INVALID_DATE, IN_FUTURE, TOO_OLD, INVALID_AGE, INVALID_SEX = (
    "required",
    "invalid_date",
    "in_future",
    "too_old",
    "invalid_age",
    "invalid_sex",
)
UNKNOWN_COUNTRY, UNKNOWN_MUNICIPALITY, AMBIGUOUS_MUNICIPALITY, INVALID_PHONE, INVALID_YES_NO, TOO_LONG = (
    "unknown_country",
    "unknown_municipality",
    "ambiguous_municipality",
    "invalid_phone",
    "invalid_yes_no",
    "too_long",
)
MISSING_COLUMN, UNMAPPED = "missing_column", "unmapped"

MAX_LENGTHS = {GIVEN_NAMES: 120, FIRST_FAMILY_NAME: 80, SECOND_FAMILY_NAME: 80, DOCUMENT_NUMBER: 40, MEANS_NUMBER: 40}
MAX_AGE = 120
EARLIEST_BIRTH = date(1900, 1, 1)

_YES = frozenset({"si", "s", "yes", "y", "x", "1", "true", "verdadero", "oui", "o"})
_NO = frozenset({"no", "n", "0", "false", "falso", "non", "-"})
_SEX_WORDS = {
    "f": "female",
    "femenino": "female",
    "mujer": "female",
    "female": "female",
    "femme": "female",
    "feminin": "female",
    "h": "male",
    "hombre": "male",
    "masculino": "male",
    "male": "male",
    "homme": "male",
    "masculin": "male",
    "varon": "male",
    "intersex": "intersex",
    "intersexual": "intersex",
    "i": "intersex",
}
_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "e", "da", "das", "do", "dos", "van", "von"})
_DATE_PARTS = re.compile(r"^\s*(\d{1,4})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{1,4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class MappingSpec:
    columns: Mapping[str, str]  # field code -> column header in the file
    date_format: str = "dmy"  # dmy | mdy | ymd (ISO dates are read whatever the format)
    letter_m: str = "female"  # what a lone "M" means


@dataclass(frozen=True, slots=True)
class RowProblem:
    row: int
    field: str  # a field code ("" for the whole row / file)
    code: str
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ManifestRow:
    number: int
    given_names: str
    first_family_name: str
    second_family_name: str
    sex: str  # female | male | intersex | unknown
    birth_date: date | None
    age: int | None
    nationality: str  # ISO 3166 alpha-2, or ""
    document_number: str
    municipality_id: int | None
    phone: str
    family: str  # a family-group number ("" when none or just yes/no)
    with_family: bool
    flags: tuple[str, ...]
    arrived_on: date
    means_number: str

    def birth_year(self) -> int | None:
        if self.birth_date is not None:
            return self.birth_date.year
        return None if self.age is None else self.arrived_on.year - self.age

    def is_minor(self) -> bool:
        if self.birth_date is not None:
            born, on = self.birth_date, self.arrived_on
            return on.year - born.year - int((on.month, on.day) < (born.month, born.day)) < 18
        return self.age is not None and self.age < 18

    def group(self) -> tuple[date, str]:
        """The arrival this row belongs to: one per arrival date and flight or bus number."""
        return self.arrived_on, self.means_number


@dataclass
class Resolvers:
    """What the core cannot know by itself (the service builds them from the database and the settings)."""

    country: Callable[[str], str | None]  # a name or code -> ISO alpha-2
    # (municipality, department) -> area id; None when unknown; raises AmbiguousName when several match
    municipality: Callable[[str, str], int | None]
    phone: Callable[[str], str]  # -> E.164, ValueError when not a phone number
    default_date: date | None = None  # the arrival date of rows without one
    today: date = field(default_factory=date.today)


class AmbiguousName(Exception):
    pass


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower case, accents off, spaces collapsed: how names of places and words of a list are compared.
    Memoized (bounded): a manifest's yes/no, sex, country and place cells repeat a few values (five calls a
    row, twice per import)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", plain).strip().lower()


# --- the header -----------------------------------------------------------------------------------


def header_problems(header: list[str], spec: MappingSpec, *, has_default_date: bool) -> list[RowProblem]:
    """The mapping against the file's header: every mapped column must exist; names and the arrival date
    must come from somewhere."""
    present = {fold(h) for h in header if h}
    problems = [
        RowProblem(1, code_field, MISSING_COLUMN, (("column", column),))
        for code_field, column in spec.columns.items()
        if column and fold(column) not in present
    ]
    mapped = {f for f, column in spec.columns.items() if column}
    if GIVEN_NAMES not in mapped:
        problems.append(RowProblem(0, GIVEN_NAMES, UNMAPPED))
    if FIRST_FAMILY_NAME not in mapped and FAMILY_NAMES not in mapped:
        problems.append(RowProblem(0, FIRST_FAMILY_NAME, UNMAPPED))
    if ARRIVAL_DATE not in mapped and not has_default_date:
        problems.append(RowProblem(0, ARRIVAL_DATE, UNMAPPED))
    return problems


def column_index(header: list[str], spec: MappingSpec) -> dict[str, int]:
    """field code -> position of its column in the header (matched without case or accents)."""
    positions = {fold(h): i for i, h in reversed(list(enumerate(header))) if h}
    return {f: positions[fold(c)] for f, c in spec.columns.items() if c and fold(c) in positions}


# --- values ---------------------------------------------------------------------------------------


def forget() -> None:
    """Empties `fold`'s and `parse_date`'s memos (an import's cells, birth dates among them): called when an
    import ends, so that a long-running worker does not keep a file's values until the next one."""
    fold.cache_clear()
    parse_date.cache_clear()


@lru_cache(maxsize=4096)
def parse_date(text: str, date_format: str) -> date:
    """A date as a list writes it; ISO (2024-03-01, what a workbook's date cells read as) always works.
    Raises ValueError for anything else (not memoized). Memoized (bounded): a manifest's arrival dates repeat."""
    iso = _ISO.match(text)
    if iso:
        return date(int(iso[1]), int(iso[2]), int(iso[3]))
    parts = _DATE_PARTS.match(text)
    if not parts:
        raise ValueError(text)
    a, b, c = (int(parts[i]) for i in (1, 2, 3))
    if date_format == "ymd" or len(parts[1]) == 4:
        year, month, day = a, b, c
    elif date_format == "mdy":
        month, day, year = a, b, c
    else:
        day, month, year = a, b, c
    if year < 1000:
        raise ValueError(text)  # two-digit years are ambiguous across a century: refused
    return date(year, month, day)


def parse_sex(text: str, letter_m: str) -> str | None:
    word = fold(text).rstrip(".")
    if not word:
        return "unknown"
    if word == "m":
        return letter_m
    return _SEX_WORDS.get(word)


def parse_yes_no(text: str) -> bool | None:
    word = fold(text).rstrip(".")
    if not word or word in _NO:
        return False
    return True if word in _YES else None


def split_family_names(text: str) -> tuple[str, str]:
    """ "Pérez de la Cruz" -> ("Pérez", "de la Cruz"): the first surname is the first word with the particles
    before it ("de León Ramírez" -> ("de León", "Ramírez"))."""
    words = text.split()
    first: list[str] = []
    for index, word in enumerate(words):
        first.append(word)
        if fold(word) not in _PARTICLES:
            return " ".join(first), " ".join(words[index + 1 :])
    return " ".join(first), ""


class _Row:
    """One row being read: its cells by field and the problems found so far."""

    def __init__(self, number: int, cells: Mapping[str, str]) -> None:
        self.number = number
        self.cells = cells
        self.problems: list[RowProblem] = []

    def text(self, code: str) -> str:
        raw = self.cells.get(code)
        if not raw:
            return ""
        # Spaces collapsed, ends trimmed: what `_SPACES.sub(" ", raw).strip()` gives (`\s` and str.split()
        # both split on str.isspace's characters), without a regular expression for each of a row's cells.
        value = " ".join(str(raw).split())
        limit = MAX_LENGTHS.get(code)
        if limit is not None and len(value) > limit:
            self.add(code, TOO_LONG, max=str(limit))
            return value[:limit]
        return value

    def add(self, code_field: str, code: str, **params: str) -> None:
        self.problems.append(RowProblem(self.number, code_field, code, tuple(sorted(params.items()))))


def _names(row: _Row) -> tuple[str, str, str]:
    given = matching.clean_name(row.text(GIVEN_NAMES))
    first = matching.clean_name(row.text(FIRST_FAMILY_NAME))
    second = matching.clean_name(row.text(SECOND_FAMILY_NAME))
    if not first and FAMILY_NAMES in row.cells:
        first, rest = split_family_names(matching.clean_name(row.text(FAMILY_NAMES)))
        second = second or rest
    if not given:
        row.add(GIVEN_NAMES, REQUIRED)
    if not first:
        row.add(
            FAMILY_NAMES if FAMILY_NAMES in row.cells and FIRST_FAMILY_NAME not in row.cells else FIRST_FAMILY_NAME,
            REQUIRED,
        )
    return given, first, second


def _birth(row: _Row, spec: MappingSpec, today: date) -> tuple[date | None, int | None]:
    born: date | None = None
    text = row.text(BIRTH_DATE)
    if text:
        try:
            born = parse_date(text, spec.date_format)
        except ValueError:
            row.add(BIRTH_DATE, INVALID_DATE)
        else:
            if born > today:
                row.add(BIRTH_DATE, IN_FUTURE)
                born = None
            elif born < EARLIEST_BIRTH:
                row.add(BIRTH_DATE, TOO_OLD)
                born = None
    age: int | None = None
    text = row.text(AGE)
    if text and born is None:
        cleaned = text.split()[0].rstrip(".").removesuffix(".0")
        if cleaned.isdigit() and int(cleaned) <= MAX_AGE:
            age = int(cleaned)
        else:
            row.add(AGE, INVALID_AGE, max=str(MAX_AGE))
    return born, age


def _arrival(row: _Row, spec: MappingSpec, resolvers: Resolvers) -> date:
    text = row.text(ARRIVAL_DATE)
    if not text:
        if resolvers.default_date is None:
            row.add(ARRIVAL_DATE, REQUIRED)
            return resolvers.today
        return resolvers.default_date
    try:
        arrived = parse_date(text, spec.date_format)
    except ValueError:
        row.add(ARRIVAL_DATE, INVALID_DATE)
        return resolvers.today
    if arrived > resolvers.today:
        row.add(ARRIVAL_DATE, IN_FUTURE)
    return arrived


def _place(row: _Row, resolvers: Resolvers) -> int | None:
    name = row.text(MUNICIPALITY)
    if not name:
        return None
    try:
        found = resolvers.municipality(name, row.text(DEPARTMENT))
    except AmbiguousName:
        row.add(MUNICIPALITY, AMBIGUOUS_MUNICIPALITY)
        return None
    if found is None:
        row.add(MUNICIPALITY, UNKNOWN_MUNICIPALITY)
    return found


def _family(row: _Row) -> tuple[bool, str]:
    text = row.text(FAMILY)
    answer = parse_yes_no(text)
    if answer is not None:
        return answer, ""
    return True, fold(text)  # a family-group number: travelling with that family


def _flags(row: _Row) -> tuple[str, ...]:
    raised = []
    for flag in FLAGS:
        answer = parse_yes_no(row.text(flag))
        if answer is None:
            row.add(flag, INVALID_YES_NO)
        elif answer:
            raised.append(flag)
    return tuple(raised)


def parse_row(
    number: int, cells: Mapping[str, str], spec: MappingSpec, resolvers: Resolvers
) -> ManifestRow | list[RowProblem]:
    """The row's values (`cells`: field code -> text of its column; unmapped fields absent), or its problems."""
    row = _Row(number, cells)
    given, first, second = _names(row)
    sex = parse_sex(row.text(SEX), spec.letter_m)
    if sex is None:
        row.add(SEX, INVALID_SEX)
    born, age = _birth(row, spec, resolvers.today)
    nationality = ""
    text = row.text(NATIONALITY)
    if text:
        nationality = resolvers.country(text) or ""
        if not nationality:
            row.add(NATIONALITY, UNKNOWN_COUNTRY)
    phone = row.text(PHONE)
    if phone:
        try:
            phone = resolvers.phone(phone)
        except ValueError:
            row.add(PHONE, INVALID_PHONE)
    municipality = _place(row, resolvers)
    with_family, family = _family(row)
    flags = _flags(row)
    arrived = _arrival(row, spec, resolvers)
    if row.problems:
        return row.problems
    return ManifestRow(
        number=number,
        given_names=given,
        first_family_name=first,
        second_family_name=second,
        sex=sex or "unknown",
        birth_date=born,
        age=age,
        nationality=nationality,
        document_number=row.text(DOCUMENT_NUMBER),
        municipality_id=municipality,
        phone=phone,
        family=family,
        with_family=with_family,
        flags=flags,
        arrived_on=arrived,
        means_number=row.text(MEANS_NUMBER).upper(),
    )


def row_material(point_id: int, row: ManifestRow) -> str:
    """What the row key hashes: the point, the arrival and the row's values, normalised, so that the same
    row typed with other capitals, accents or spaces is the same row."""
    document = "".join(ch for ch in row.document_number.upper() if ch.isalnum())
    parts = [
        str(point_id),
        row.arrived_on.isoformat(),
        row.means_number,
        matching.normalize_name(row.given_names),
        matching.normalize_name(row.first_family_name),
        matching.normalize_name(row.second_family_name),
        row.sex,
        row.birth_date.isoformat() if row.birth_date else "",
        "" if row.age is None else str(row.age),
        row.nationality,
        document,
        str(row.municipality_id or ""),
        row.phone,
        row.family,
        "1" if row.with_family else "0",
        ",".join(row.flags),
    ]
    return "\x1f".join(parts)


def person_record(row: ManifestRow, document_keys: frozenset[str] = frozenset(), pk: int = 0) -> matching.PersonRecord:
    return matching.PersonRecord(
        id=pk,
        given_names=row.given_names,
        first_family_name=row.first_family_name,
        second_family_name=row.second_family_name,
        birth_date=row.birth_date,
        birth_year=None if row.birth_date else row.birth_year(),
        document_keys=document_keys,
    )


# --- matching decisions ---------------------------------------------------------------------------

# At or above: the same person, linked without asking (same names and birth date, or the same document).
SURE = 0.95
# From here to SURE: perhaps the same person; a user decides (the review screen). Below: a new person.
UNCERTAIN = 0.6

LINK, REVIEW, NEW = "link", "review", "new"


def decide(matches: list[matching.MatchCandidate]) -> tuple[str, list[matching.MatchCandidate]]:
    """What to do with a row given its scored candidates (best first): link to the one sure match; review
    when the best is uncertain or several are sure; otherwise a new person."""
    kept = [m for m in matches if m.score >= UNCERTAIN]
    if not kept:
        return NEW, []
    sure = [m for m in kept if m.score >= SURE]
    if len(sure) == 1:
        return LINK, sure
    return REVIEW, kept[:5]
