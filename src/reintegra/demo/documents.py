"""Identity documents in each country's format: CURP (Mexico), DPI/CUI (Guatemala), DNI (Honduras), DUI
(El Salvador) with valid check digits, passports, consular ids, return certificates and birth certificates.
Well-formed, and nobody's real number."""

from __future__ import annotations

from datetime import date

from unidecode import unidecode

from reintegra.cases.services import DocumentInput
from reintegra.demo.draws import Draws
from reintegra.demo.people import Person


def draw_documents(draws: Draws, p: Person, return_day: date) -> list[DocumentInput]:
    """About 60% carry a document, a few a second one (a return certificate)."""
    if draws.rnd() >= 0.6:
        return []
    documents = [_document(draws, p, return_day, draws.rnd())]
    if draws.rnd() < 0.1:
        documents.append(_document(draws, p, return_day, 0.99))
    return documents


def _kind(p: Person, u: float) -> str:
    mexican = p.country.code == "MX"
    if p.minor and u < 0.6:
        return "birth_certificate"
    if u < 0.55:
        return "national_id" if not p.minor or mexican else "birth_certificate"
    if u < 0.72:
        return "passport"
    if u < 0.78 and mexican:
        return "consular_id"
    return "return_certificate" if u < 0.9 else "birth_certificate"


def _document(draws: Draws, p: Person, return_day: date, u: float) -> DocumentInput:
    kind = _kind(p, u)
    b = draws.between
    country = p.country
    if kind == "national_id":
        number = _NATIONAL_IDS[country.code](draws, p)
    elif kind == "passport":
        number = f"{country.passport_letter}{b(0, 99999999):08d}"
    elif kind == "consular_id":
        number = f"{b(0, 9999999999):010d}"
    elif kind == "return_certificate":
        number = f"{country.return_certificate}-{return_day.year}-{b(1, 999999):06d}"
    else:
        number = f"{b(1, 999):03d}-{p.birth_year}-{b(1, 9999):04d}"
    return DocumentInput(document_type=kind, number=number, issuing_country=country.code)


def _curp_number(draws: Draws, p: Person) -> str:
    homoclave = str(draws.between(0, 9)) if p.birth_year < 2000 else chr(65 + draws.between(0, 25))
    state = p.country.curp_states.get(p.place.parent_code[:2], "NE")
    return curp(p, p.birth_date or date(p.birth_year, 1, 1), state, homoclave)


def _dpi_number(draws: Draws, p: Person) -> str:
    while True:
        base = str(draws.between(10000000, 99999999))
        check = sum(int(c) * (i + 2) for i, c in enumerate(base)) % 11
        if check < 10:
            return f"{base[:4]} {base[4:]}{check} {p.place.code}"


def _dni_number(draws: Draws, p: Person) -> str:
    return f"{p.place.code}-{p.birth_year}-{draws.between(0, 99999):05d}"


def _dui_number(draws: Draws, p: Person) -> str:
    base = f"0{draws.between(0, 9999999):07d}"
    check = (10 - sum(int(c) * (9 - i) for i, c in enumerate(base)) % 10) % 10
    return f"{base}-{check}"


_NATIONAL_IDS = {"MX": _curp_number, "GT": _dpi_number, "HN": _dni_number, "SV": _dui_number}

_CURP_ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
_CURP_SKIP_GIVEN = {"MARIA", "MA", "JOSE", "J"}
_CURP_PARTICLES = {"DE", "DEL", "LA", "LOS", "LAS", "Y"}
_VOWELS = frozenset("AEIOU")


def _words(text: str) -> list[str]:
    return [w for w in unidecode(text).upper().replace("-", " ").split() if w not in _CURP_PARTICLES]


def _inner_vowel(word: str) -> str:
    return next((c for c in word[1:] if c in _VOWELS), "X")


def _inner_consonant(word: str) -> str:
    return next((c for c in word[1:] if c.isalpha() and c not in _VOWELS), "X")


def curp(p: Person, birth: date, state: str, homoclave: str) -> str:
    """A well-formed CURP (structure and check digit) for a synthetic person; not anybody's real one."""
    first = "".join(_words(p.first_family)) or "X"
    second = "".join(_words(p.second_family)) or "X"
    givens = _words(p.given) or ["X"]
    given = givens[1] if len(givens) > 1 and givens[0] in _CURP_SKIP_GIVEN else givens[0]
    body = (
        f"{first[0]}{_inner_vowel(first)}{second[0]}{given[0]}{birth:%y%m%d}{'M' if p.sex == 'female' else 'H'}"
        f"{state}{_inner_consonant(first)}{_inner_consonant(second)}{_inner_consonant(given)}{homoclave}"
    )
    total = sum(_CURP_ALPHABET.index(c) * (18 - i) for i, c in enumerate(body))
    return f"{body}{(10 - total % 10) % 10}"
