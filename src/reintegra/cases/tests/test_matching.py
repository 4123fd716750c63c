"""Tests for the duplicate-detection core (pure: no Django, no database).

Registration must warn of likely duplicates (docs/domain-individual.md §2), because returnees are returned more
than once and each intake is typed anew. Each tolerance the scorer promises has a concrete example here, the
blocking keys are checked to bring each kind of variant back as a candidate, and the invariants
(range, symmetry, self-match, idempotence, monotonicity in documents) are property-tested.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reintegra.cases.matching import (
    MatchCandidate,
    PersonRecord,
    blocking_keys,
    normalize_name,
    phonetic_key,
    query_keys,
    rank_candidates,
    score_bound,
    score_pair,
    trim_caches,
)

DOB = date(1990, 5, 17)


def person(
    given_names: str,
    first: str,
    second: str = "",
    birth_date: date | None = DOB,
    *,
    pid: int = 1,
    birth_year: int | None = None,
    docs: frozenset[str] = frozenset(),
) -> PersonRecord:
    return PersonRecord(pid, given_names, first, second, birth_date, birth_year, docs)


def score(a: PersonRecord, b: PersonRecord) -> float:
    return score_pair(a, b).score


MARIA = person("María José", "Hernández", "López", pid=1)


# --- normalize_name --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  María-José  O'Brien", "maria jose obrien"),
        ("HERNÁNDEZ", "hernandez"),
        ("Peña Núñez", "pena nunez"),
        ("José\tLuis\n", "jose luis"),
        ("Ma. del Carmen", "ma del carmen"),
        ("D’Angelo", "dangelo"),
        ("Juan2  Pérez", "juan perez"),
        ("Güemes", "guemes"),
        ("", ""),
        ("  -- ", ""),
    ],
)
def test_normalize_name(raw: str, expected: str) -> None:
    assert normalize_name(raw) == expected


# --- phonetic_key ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variants",
    [
        ("vazquez", "basquez", "vasquez"),
        ("jimena", "ximena", "gimena"),
        ("yesica", "jessica", "yessica"),
        ("hernandez", "hernandes", "ernandez"),
        ("gonzalez", "gonsalez"),
        ("lopez", "lopes"),
        ("guillermo", "giyermo"),
        ("quiroz", "kiros"),
        ("ceballos", "seballos", "zeballos"),
        ("jorge", "jorje"),
        ("javier", "xavier"),
        ("cristian", "christian"),
        ("nayeli", "nayely"),
        ("ascencio", "asencio"),
        ("castillo", "castiyo"),
        ("jonathan", "yonatan"),
    ],
)
def test_phonetic_key_joins_spanish_spelling_variants(variants: tuple[str, ...]) -> None:
    keys = {phonetic_key(v) for v in variants}
    assert len(keys) == 1, keys


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("lopez", "perez"),
        ("garcia", "gomez"),
        ("martinez", "ramirez"),
        ("castro", "castillo"),
        ("ruiz", "reyes"),
        ("mario", "maria"),
    ],
)
def test_phonetic_key_keeps_different_names_apart(a: str, b: str) -> None:
    assert phonetic_key(a) != phonetic_key(b)


def test_phonetic_key_values() -> None:
    assert phonetic_key("hernandez") == "ERNANDES"
    assert phonetic_key("Vázquez") == "BASKES"  # tolerates unnormalized input
    assert phonetic_key("") == ""


# --- score_pair: each tolerance --------------------------------------------------------------------


def test_identical_records_with_same_birth_date_score_high() -> None:
    match = score_pair(MARIA, person("María José", "Hernández", "López", pid=2))
    assert match.id == 2
    assert match.score >= 0.95
    assert match.reasons == ("exact_name", "same_birth_date")


def test_accents_and_case_are_ignored() -> None:
    match = score_pair(MARIA, person("MARIA JOSE", "HERNANDEZ", "lopez", pid=2))
    assert match.score >= 0.95
    assert "exact_name" in match.reasons


@pytest.mark.parametrize(
    "typo",
    [
        person("María José", "Hernádez", "López"),  # dropped letter
        person("María José", "Hrenández", "López"),  # transposed letters
        person("Maria Jsoe", "Hernández", "López"),  # transposed in a given name
        person("María José", "Hernández", "Lopéz"),  # misplaced accent
    ],
)
def test_typos_still_match(typo: PersonRecord) -> None:
    assert score(MARIA, typo) >= 0.9


def test_typo_is_reported_as_similar_name() -> None:
    match = score_pair(MARIA, person("María José", "Hernádez", "López"))
    assert "similar_name" in match.reasons
    assert "exact_name" not in match.reasons


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (person("Jessica", "Vázquez", "Ceballos"), person("Yessica", "Basquez", "Zeballos")),
        (person("Ximena", "González", "Quiroz"), person("Jimena", "Gonsalez", "Kiros")),
        (person("Guillermo", "Hernández", "López"), person("Giyermo", "Ernandes", "Lopes")),
    ],
)
def test_phonetic_spelling_variants_match(a: PersonRecord, b: PersonRecord) -> None:
    match = score_pair(a, b)
    assert match.score >= 0.95
    assert "phonetic_name" in match.reasons


def test_swapped_surnames_match() -> None:
    match = score_pair(MARIA, person("María José", "López", "Hernández"))
    assert match.score >= 0.95
    assert "surnames_swapped" in match.reasons


def test_missing_second_surname_matches() -> None:
    match = score_pair(MARIA, person("María José", "Hernández", ""))
    assert match.score >= 0.9
    assert "missing_second_surname" in match.reasons


def test_only_the_second_surname_known_still_matches_below_the_first() -> None:
    by_first = score(MARIA, person("María José", "Hernández", ""))
    by_second = score(MARIA, person("María José", "López", ""))
    assert 0.8 <= by_second < by_first


def test_both_surnames_typed_in_the_first_field() -> None:
    assert score(MARIA, person("María José", "Hernández López", "")) >= 0.95


def test_missing_second_given_name_matches() -> None:
    match = score_pair(MARIA, person("María", "Hernández", "López"))
    assert match.score >= 0.95
    assert "missing_second_given_name" in match.reasons


def test_given_name_order_and_abbreviation_are_tolerated() -> None:
    assert score(MARIA, person("José María", "Hernández", "López")) >= 0.95
    assert score(MARIA, person("Ma. José", "Hernández", "López")) >= 0.95


def test_shared_document_is_decisive_regardless_of_names() -> None:
    a = person("Juan", "Pérez", "García", docs=frozenset({"doc-1"}))
    b = person("Pedro", "Ramírez", "Soto", date(1970, 1, 1), pid=7, docs=frozenset({"doc-1", "doc-2"}))
    match = score_pair(a, b)
    assert match.score >= 0.95
    assert match.reasons[0] == "document"


def test_different_documents_are_no_evidence_against() -> None:
    # Keys of different document types (passport vs. national ID) never match, so no key in common
    # must not be read as a conflict.
    a = person("María José", "Hernández", "López", docs=frozenset({"passport"}))
    b = person("María José", "Hernández", "López", pid=2, docs=frozenset({"national-id"}))
    assert score(a, b) == score(MARIA, person("María José", "Hernández", "López", pid=2))


def test_document_match_ranks_by_names_among_document_matches() -> None:
    docs = frozenset({"doc-1"})
    query = person("María José", "Hernández", "López", docs=docs)
    same_name = person("María José", "Hernández", "López", pid=2, docs=docs)
    other_name = person("Pedro", "Ramírez", "Soto", pid=3, docs=docs)
    assert score(query, same_name) > score(query, other_name) >= 0.95


# --- score_pair: birth evidence --------------------------------------------------------------------


def test_birth_date_conflict_lowers_score() -> None:
    same = score(MARIA, person("María José", "Hernández", "López"))
    unknown = score(MARIA, person("María José", "Hernández", "López", None))
    conflict = score_pair(MARIA, person("María José", "Hernández", "López", date(1975, 11, 2)))
    assert conflict.score < 0.5
    assert conflict.score < unknown < same
    assert "birth_date_conflict" in conflict.reasons


def test_day_month_swap_and_one_component_off_are_weak_evidence() -> None:
    query = person("María José", "Hernández", "López", date(1990, 3, 7))
    swapped = score_pair(query, person("María José", "Hernández", "López", date(1990, 7, 3)))
    day_off = score_pair(query, person("María José", "Hernández", "López", date(1990, 3, 8)))
    unknown = score(query, person("María José", "Hernández", "López", None))
    exact = score(query, person("María José", "Hernández", "López", date(1990, 3, 7)))
    assert unknown < day_off.score < exact
    assert unknown < swapped.score < exact
    assert "birth_date_close" in swapped.reasons
    assert "birth_date_close" in day_off.reasons


def test_estimated_birth_year_is_weak_evidence() -> None:
    estimated = score_pair(MARIA, person("María José", "Hernández", "López", None, birth_year=1991))
    unknown = score(MARIA, person("María José", "Hernández", "López", None))
    exact = score(MARIA, person("María José", "Hernández", "López"))
    assert unknown < estimated.score < exact
    assert "birth_year_close" in estimated.reasons


def test_estimated_birth_year_far_off_counts_against() -> None:
    far = score_pair(MARIA, person("María José", "Hernández", "López", None, birth_year=1978))
    unknown = score(MARIA, person("María José", "Hernández", "López", None))
    assert far.score < unknown
    assert "birth_date_conflict" in far.reasons


def test_birth_date_wins_over_estimated_year() -> None:
    # The stale estimate (1960) is ignored because a full date is known.
    a = person("María José", "Hernández", "López", DOB, birth_year=1960)
    assert score(MARIA, a) == score(MARIA, person("María José", "Hernández", "López"))


def test_names_alone_are_possible_not_likely() -> None:
    # A common full name is shared by many people; without birth data the match is worth showing
    # (above the default threshold) but not flagging as likely.
    no_birth = score(person("José", "García", "Hernández", None), person("José", "García", "Hernández", None))
    assert 0.5 <= no_birth < 0.8


# --- score_pair: different people ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (MARIA, person("Juan Carlos", "Pérez", "García", date(1982, 3, 3))),
        (MARIA, person("Juan Carlos", "Pérez", "García")),  # same birth date, nothing else
        (MARIA, person("María José", "García", "Martínez")),  # same given name and birth date
        (MARIA, person("Ana", "Hernández", "López")),  # twin sister: same surnames and birth date
        (person("Mario", "Ruiz", "Díaz"), person("María", "Ruiz", "Díaz")),  # twins, gender pair
        (person("José", "López", "Soto", None), person("José", "Pérez", "Soto", None)),
        (person("Luis", "García", "", date(2001, 1, 1)), person("Luis", "Gómez", "", date(1964, 8, 30))),
    ],
)
def test_different_people_score_low(a: PersonRecord, b: PersonRecord) -> None:
    assert score(a, b) < 0.4


def test_father_and_son_with_the_same_name_score_low() -> None:
    father = person("Juan", "Pérez", "López", date(1965, 2, 1))
    son = person("Juan", "Pérez", "López", date(1990, 6, 12), pid=2)
    assert score(father, son) < 0.1


def test_score_is_rounded_to_three_decimals() -> None:
    value = score(MARIA, person("María", "Hernández", "", None))
    assert value == round(value, 3)


# --- rank_candidates -------------------------------------------------------------------------------


def test_rank_candidates_orders_filters_and_limits() -> None:
    query = person("María José", "Hernández", "López", pid=0)
    exact = person("María José", "Hernández", "López", pid=5)
    exact_twin = person("María José", "Hernández", "López", pid=3)  # same score as pid 5
    swapped = person("María José", "López", "Hernández", pid=4)
    other = person("Pedro", "Ramírez", "Soto", pid=2)

    ranked = rank_candidates(query, [exact, other, swapped, exact_twin])
    assert [m.id for m in ranked] == [3, 5, 4]
    assert all(isinstance(m, MatchCandidate) for m in ranked)
    assert ranked[0].score == ranked[1].score > ranked[2].score

    assert [m.id for m in rank_candidates(query, [exact, swapped, exact_twin], limit=1)] == [3]
    assert rank_candidates(query, [other]) == []
    assert [m.id for m in rank_candidates(query, [other], threshold=0.0)] == [2]
    assert rank_candidates(query, [exact], limit=0) == []


def test_rank_candidates_skips_the_query_itself_only_when_saved() -> None:
    saved = person("María José", "Hernández", "López", pid=9)
    same_row = person("María José", "Hernández", "López", pid=9)
    other = person("María José", "Hernández", "López", pid=10)
    assert [m.id for m in rank_candidates(saved, [same_row, other])] == [10]

    unsaved = person("María José", "Hernández", "López", pid=0)
    assert [m.id for m in rank_candidates(unsaved, [person("María José", "Hernández", "López", pid=0)])] == [0]


def test_rank_candidates_accepts_a_generator() -> None:
    query = person("María José", "Hernández", "López", pid=0)
    candidates = (person("María José", "Hernández", "López", pid=i) for i in (3, 1, 2))
    assert [m.id for m in rank_candidates(query, candidates)] == [1, 2, 3]


# --- blocking --------------------------------------------------------------------------------------

_KEY_SHAPE = re.compile(r"^(sg|sy|gy|ss):[A-Z]+(:[A-Z]+)?(:-?[0-9]+)?$")


def test_blocking_keys_values() -> None:
    assert blocking_keys(MARIA) == {
        "sg:ERNANDES:MARIA",
        "sg:LOPES:MARIA",
        "sy:ERNANDES:M:1990",
        "sy:LOPES:M:1990",
        "gy:MARIA:E:1990",
        "gy:MARIA:L:1990",
        "ss:ERNANDES:LOPES",
    }


def test_query_keys_widen_the_year() -> None:
    keys = query_keys(MARIA)
    assert {"sy:LOPES:M:1989", "sy:LOPES:M:1990", "sy:LOPES:M:1991"} <= keys
    assert {"gy:MARIA:E:1989", "gy:MARIA:E:1991"} <= keys
    assert len(keys) == 15


def test_keys_are_short_and_hold_no_raw_name() -> None:
    p = person("Maximiliano Guadalupe", "Villalobos de la Fuente", "Santisteban-Quintanilla", pid=3)
    for key in blocking_keys(p) | query_keys(p):
        assert len(key) <= 64
        assert _KEY_SHAPE.match(key), key
        for raw in ("Maximiliano", "maximiliano", "Villalobos", "villalobos", "santisteban"):
            assert raw not in key


def test_no_year_means_no_year_keys() -> None:
    keys = blocking_keys(person("Jorge", "Pérez", "Soto", None))
    assert keys == {"sg:PERES:JORJE", "sg:SOTO:JORJE", "ss:PERES:SOTO"}


def test_unnamed_given_still_blocks_on_surnames() -> None:
    assert blocking_keys(person("", "Pérez", "Soto", None)) == {"ss:PERES:SOTO"}


STORED_JORGE = person("Jorge", "Hernández", "Ramírez", date(1985, 9, 2), pid=42)


@pytest.mark.parametrize(
    ("stored", "query"),
    [
        # swapped surnames, no birth data on the new intake
        (STORED_JORGE, person("Jorge", "Ramírez", "Hernández", None, pid=0)),
        # missing second surname, estimated age a year off
        (STORED_JORGE, person("Jorge", "Hernández", "", None, pid=0, birth_year=1986)),
        # surname typo (the only surname) with the same birth year, day and month swapped
        (person("Jorge", "Hernández", "", date(1985, 9, 2)), person("Jorge", "Hernádez", "", date(1985, 2, 9))),
        # typos in both surnames with the same birth year
        (STORED_JORGE, person("Jorge", "Hrenández", "Ramríez", date(1985, 9, 2))),
        # given-name typo with one surname only and an estimated year
        (person("Jorge", "Hernández", "", date(1985, 9, 2)), person("Jogre", "Hernández", "", None, birth_year=1984)),
        # given-name typo with both surnames and no birth data at all
        (STORED_JORGE, person("Jogre", "Hernández", "Ramírez", None)),
        # a different given name used at this intake (second given name alone)
        (person("Juan José", "Hernández", "Ramírez", None), person("José", "Hernández", "Ramírez", None)),
        # phonetic variants everywhere, birth date mistyped
        (person("Yessica", "Vázquez", "Ceballos", date(1999, 1, 4)), person("Jessica", "Basquez", "Zeballos", None)),
        # accents and case stripped
        (STORED_JORGE, person("JORGE", "HERNANDEZ", "RAMIREZ", date(1985, 9, 2))),
    ],
)
def test_duplicate_variants_share_a_blocking_key(stored: PersonRecord, query: PersonRecord) -> None:
    assert query_keys(query) & blocking_keys(stored)


def test_unrelated_people_share_no_key() -> None:
    a = person("Juan", "Pérez", "García", date(1980, 1, 1))
    b = person("María", "López", "Martínez", date(1995, 1, 1))
    assert not query_keys(a) & blocking_keys(b)


# --- properties ------------------------------------------------------------------------------------

_NAME_ALPHABET = "abcdefghijklmnopqrstuvwxyzáéíóúñüABCDEFGHIJKLMNÑÁÉ '-"
_REAL_NAMES = ["María José", "José", "Hernández", "López", "Jessica", "Yessica", "Vázquez", "Basquez", "de la Cruz"]

_name = st.one_of(st.sampled_from(_REAL_NAMES), st.text(_NAME_ALPHABET, max_size=25))
# The registration form requires a given name and a first surname: at least one letter each.
_required_name = st.one_of(
    st.sampled_from(_REAL_NAMES),
    st.text(_NAME_ALPHABET, max_size=25).filter(lambda s: normalize_name(s) != ""),
)
_dates = st.dates(min_value=date(1930, 1, 1), max_value=date(2015, 12, 31))
_docs = st.frozensets(st.sampled_from(["k1", "k2", "k3", "k4"]), max_size=2)


@st.composite
def _people(draw: st.DrawFn, *, require_names: bool = False, with_docs: bool = True) -> PersonRecord:
    name = _required_name if require_names else _name
    return PersonRecord(
        id=draw(st.integers(0, 1000)),
        given_names=draw(name),
        first_family_name=draw(name),
        second_family_name=draw(_name),
        birth_date=draw(st.none() | _dates),
        birth_year=draw(st.none() | st.integers(1930, 2015)),
        document_keys=draw(_docs) if with_docs else frozenset(),
    )


@settings(deadline=None)
@given(_people(), _people())
def test_score_is_in_unit_interval(a: PersonRecord, b: PersonRecord) -> None:
    value = score(a, b)
    assert 0.0 <= value <= 1.0


@settings(deadline=None)
@given(_people(), _people())
def test_score_is_symmetric(a: PersonRecord, b: PersonRecord) -> None:
    ab, ba = score_pair(a, b), score_pair(b, a)
    assert ab.score == ba.score
    assert ab.reasons == ba.reasons


@settings(deadline=None)
@given(_people(require_names=True, with_docs=False), _dates)
def test_record_matches_itself(p: PersonRecord, birth_date: date) -> None:
    p = PersonRecord(p.id, p.given_names, p.first_family_name, p.second_family_name, birth_date, p.birth_year)
    assert score(p, p) >= 0.95


@given(st.text())
def test_normalize_name_is_idempotent(text: str) -> None:
    once = normalize_name(text)
    assert normalize_name(once) == once
    assert re.fullmatch(r"([a-z]+( [a-z]+)*)?", once)


@given(st.text(max_size=30))
def test_phonetic_key_is_uppercase_letters(text: str) -> None:
    key = phonetic_key(text)
    assert key == phonetic_key(text)
    assert re.fullmatch(r"[A-Z]*", key)


@settings(deadline=None)
@given(_people(), _people(), st.text(min_size=1, max_size=8))
def test_shared_document_never_lowers_the_score(a: PersonRecord, b: PersonRecord, doc: str) -> None:
    before = score(a, b)
    a2 = PersonRecord(a.id, a.given_names, a.first_family_name, a.second_family_name, a.birth_date, a.birth_year,
                      a.document_keys | {doc})  # fmt: skip
    b2 = PersonRecord(b.id, b.given_names, b.first_family_name, b.second_family_name, b.birth_date, b.birth_year,
                      b.document_keys | {doc})  # fmt: skip
    after = score_pair(a2, b2)
    assert after.score >= before
    assert after.score >= 0.95
    assert "document" in after.reasons


@settings(deadline=None, max_examples=300)
@given(_people(), _people())
def test_score_bound_is_never_below_the_score(a: PersonRecord, b: PersonRecord) -> None:
    assert score_pair(a, b).score <= score_bound(a, b)


@settings(deadline=None)
@given(_people(require_names=True, with_docs=False), st.sampled_from(_REAL_NAMES), _people())
def test_score_bound_is_the_score_of_the_same_names(p: PersonRecord, second: str, other: PersonRecord) -> None:
    """Identical names with two surnames reach the most the names can add: the bound is then the score, whatever
    the birth data (so the bound assumes no more of the names than they can give)."""
    a = PersonRecord(1, p.given_names, p.first_family_name, second, p.birth_date, p.birth_year)
    b = PersonRecord(2, p.given_names, p.first_family_name, second, other.birth_date, other.birth_year)
    assert score_pair(a, b).score == score_bound(a, b)


def test_namesakes_born_years_apart_are_bound_below_review() -> None:
    a = person("María José", "Hernández", "López", date(1990, 5, 17))
    b = person("María José", "Hernández", "López", date(1975, 2, 3), pid=2)
    assert score_bound(a, b) < 0.4
    assert score_bound(a, person("María", "Hernández", "", None, pid=3, birth_year=1983)) < 0.4
    # A shared document decides whatever the birth data; close years bound nothing.
    shared = person("Ana", "Xol", "", date(1950, 1, 1), pid=4, docs=frozenset({"k1"}))
    assert score_bound(person("María José", "Hernández", docs=frozenset({"k1"})), shared) == 1.0
    assert score_bound(a, person("María José", "Hernández", "López", None, pid=5, birth_year=1987)) > 0.6


@settings(deadline=None)
@given(_people())
def test_blocking_keys_are_a_subset_of_query_keys(p: PersonRecord) -> None:
    stored = blocking_keys(p)
    assert stored <= query_keys(p)
    assert all(len(k) <= 64 for k in stored)


def test_trimming_the_caches_bounds_them_and_changes_no_score() -> None:
    from reintegra.cases import matching

    a, b = person("María José", "Hernández", "López"), person("Maria", "Fernandez", "Lopes", pid=2)
    before = score_pair(a, b)
    trim_caches(1)
    assert matching._features.cache_info().currsize <= 1
    assert matching._cached_token_sim.cache_info().currsize <= 1
    assert score_pair(a, b) == before
