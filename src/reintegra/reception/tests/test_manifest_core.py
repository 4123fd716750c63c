"""The pure core of manifest rows (no database): dates, words, names, the row key's material, decisions."""

from __future__ import annotations

import contextlib
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from reintegra.cases import matching
from reintegra.reception import manifest_core as core

FORMATS = {"dmy": "%d/%m/%Y", "mdy": "%m/%d/%Y", "ymd": "%Y-%m-%d"}
TODAY = date(2026, 11, 30)


def resolvers(**overrides: object) -> core.Resolvers:
    def municipality(name: str, department: str) -> int | None:
        if core.fold(name) == "san jose":
            if not department:
                raise core.AmbiguousName(name)
            return 2 if core.fold(department) == "peten" else 3
        return 1 if core.fold(name) == "mixco" else None

    def phone(text: str) -> str:
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) != 8:
            raise ValueError(text)
        return "+502" + digits

    values: dict[str, object] = {
        "country": lambda text: {"guatemala": "GT", "gt": "GT", "honduras": "HN"}.get(core.fold(text)),
        "municipality": municipality,
        "phone": phone,
        "default_date": None,
        "today": TODAY,
    }
    values.update(overrides)
    return core.Resolvers(**values)  # type: ignore[arg-type]


SPEC = core.MappingSpec(
    columns={f: f for f in core.FIELDS if f not in (core.FIRST_FAMILY_NAME, core.SECOND_FAMILY_NAME)},
    date_format="dmy",
)


def cells(**values: str) -> dict[str, str]:
    base = {
        core.GIVEN_NAMES: "María José",
        core.FAMILY_NAMES: "Hernández López",
        core.SEX: "M",
        core.BIRTH_DATE: "17/05/1990",
        core.ARRIVAL_DATE: "01/10/2026",
        core.MEANS_NUMBER: "gua-101",
    }
    base.update(values)
    return base


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)), st.sampled_from(sorted(FORMATS)))
def test_a_date_written_in_its_format_reads_back(day: date, fmt: str) -> None:
    text = day.strftime(FORMATS[fmt])  # four-digit years from 1000 on
    assert core.parse_date(text, fmt) == day
    assert core.parse_date(day.isoformat(), fmt) == day  # ISO whatever the format (workbook date cells)


@given(st.text(max_size=12))
def test_parse_date_only_answers_a_date_or_value_error(text: str) -> None:
    with contextlib.suppress(ValueError):
        assert isinstance(core.parse_date(text, "dmy"), date)


def test_two_digit_years_are_refused() -> None:
    for text in ("01/02/90", "1/2/03"):
        try:
            core.parse_date(text, "dmy")
        except ValueError:
            continue
        raise AssertionError(text)


@given(
    st.lists(st.sampled_from(["Pérez", "de", "la", "Cruz", "León", "del", "Río", "y", "Gómez"]), min_size=1, max_size=5)
)
def test_splitting_family_names_keeps_every_word_in_order(words: list[str]) -> None:
    first, second = core.split_family_names(" ".join(words))
    assert " ".join(p for p in (first, second) if p).split() == words
    assert first  # never empty for a non-empty text


def test_particles_stay_with_their_surname() -> None:
    assert core.split_family_names("de León Ramírez") == ("de León", "Ramírez")
    assert core.split_family_names("Pérez de la Cruz") == ("Pérez", "de la Cruz")


def test_sex_words_and_the_letter_m() -> None:
    assert core.parse_sex("Mujer", "female") == "female"
    assert core.parse_sex("H", "female") == "male"
    assert core.parse_sex("M", "female") == "female" and core.parse_sex("M", "male") == "male"
    assert core.parse_sex("", "female") == "unknown"
    assert core.parse_sex("?", "female") is None


@given(st.sampled_from(["sí", "SI", "x", "1", "yes", "Oui"]), st.sampled_from(["no", "N", "0", "", "-"]))
def test_yes_and_no(yes: str, no: str) -> None:
    assert core.parse_yes_no(yes) is True
    assert core.parse_yes_no(no) is False
    assert core.parse_yes_no("quizás") is None


def test_a_clean_row_is_parsed() -> None:
    row = core.parse_row(
        7,
        cells(nationality="guatemala", municipality="Mixco", phone="5555 1234", family="F-7", unaccompanied_child=""),
        SPEC,
        resolvers(),
    )
    assert isinstance(row, core.ManifestRow)
    assert (row.first_family_name, row.second_family_name) == ("Hernández", "López")
    assert row.birth_date == date(1990, 5, 17) and row.birth_year() == 1990 and not row.is_minor()
    assert (row.nationality, row.municipality_id, row.phone) == ("GT", 1, "+50255551234")
    assert (row.with_family, row.family, row.means_number) == (True, "f-7", "GUA-101")
    assert row.group() == (date(2026, 10, 1), "GUA-101")


def test_every_problem_of_a_row_is_reported_with_its_field() -> None:
    found = core.parse_row(
        4,
        cells(
            given_names="",
            birth_date="31/02/1990",
            sex="X",
            nationality="Narnia",
            municipality="San José",
            phone="12",
            health_emergency="quizás",
            arrival_date="01/01/2099",
        ),
        SPEC,
        resolvers(),
    )
    assert isinstance(found, list)
    assert {(p.row, p.field, p.code) for p in found} == {
        (4, core.GIVEN_NAMES, core.REQUIRED),
        (4, core.BIRTH_DATE, core.INVALID_DATE),
        (4, core.SEX, core.INVALID_SEX),
        (4, core.NATIONALITY, core.UNKNOWN_COUNTRY),
        (4, core.MUNICIPALITY, core.AMBIGUOUS_MUNICIPALITY),
        (4, core.PHONE, core.INVALID_PHONE),
        (4, "health_emergency", core.INVALID_YES_NO),
        (4, core.ARRIVAL_DATE, core.IN_FUTURE),
    }


def test_the_department_tells_same_named_municipalities_apart() -> None:
    row = core.parse_row(2, cells(municipality="San José", department="Petén"), SPEC, resolvers())
    assert isinstance(row, core.ManifestRow) and row.municipality_id == 2


def test_an_age_when_there_is_no_birth_date() -> None:
    row = core.parse_row(2, cells(birth_date="", age="15"), SPEC, resolvers())
    assert isinstance(row, core.ManifestRow)
    assert row.age == 15 and row.birth_year() == 2011 and row.is_minor()
    bad = core.parse_row(2, cells(birth_date="", age="200"), SPEC, resolvers())
    assert isinstance(bad, list) and bad[0].code == core.INVALID_AGE


def test_the_default_date_serves_rows_without_one() -> None:
    row = core.parse_row(2, cells(arrival_date=""), SPEC, resolvers(default_date=date(2026, 9, 1)))
    assert isinstance(row, core.ManifestRow) and row.arrived_on == date(2026, 9, 1)
    missing = core.parse_row(2, cells(arrival_date=""), SPEC, resolvers())
    assert isinstance(missing, list) and missing[0].code == core.REQUIRED


NAMES = st.sampled_from(["María José", "Juan Carlos", "Ana", "José Luis", "Rosa María"])
SURNAMES = st.sampled_from(["Hernández López", "Pérez", "García Ramírez", "de León Ixcot"])


@given(NAMES, SURNAMES)
def test_the_row_key_ignores_capitals_accents_and_spaces(given_names: str, family: str) -> None:
    def material(g: str, f: str) -> str:
        row = core.parse_row(2, cells(given_names=g, family_names=f), SPEC, resolvers())
        assert isinstance(row, core.ManifestRow)
        return core.row_material(9, row)

    plain = matching.normalize_name(given_names).upper()
    assert material(given_names, family) == material(f"  {plain} ", family.upper())


@given(NAMES, NAMES)
def test_the_row_key_tells_different_rows_apart(a: str, b: str) -> None:
    rows = [core.parse_row(2, cells(given_names=n), SPEC, resolvers()) for n in (a, b)]
    assert all(isinstance(r, core.ManifestRow) for r in rows)
    materials = [core.row_material(9, r) for r in rows if isinstance(r, core.ManifestRow)]
    assert (materials[0] == materials[1]) == (matching.normalize_name(a) == matching.normalize_name(b))
    assert core.row_material(9, rows[0]) != core.row_material(10, rows[0])  # type: ignore[arg-type]


SCORES = st.lists(st.floats(min_value=0, max_value=1), max_size=6)


@given(SCORES)
def test_only_one_sure_match_is_linked_and_uncertain_ones_go_to_review(scores: list[float]) -> None:
    matches = sorted(
        (matching.MatchCandidate(i + 1, s, ()) for i, s in enumerate(scores)), key=lambda m: (-m.score, m.id)
    )
    decision, chosen = core.decide(matches)
    sure = [s for s in scores if s >= core.SURE]
    if not any(s >= core.UNCERTAIN for s in scores):
        assert (decision, chosen) == (core.NEW, [])
    elif len(sure) == 1:
        assert decision == core.LINK and chosen[0].score >= core.SURE
    else:
        assert decision == core.REVIEW and chosen and all(m.score >= core.UNCERTAIN for m in chosen)


@given(
    st.text(
        alphabet=st.sampled_from(["a", "É", " ", "\t", "\n", "\u00a0", "\u2003", "\u3000", "\x1c", "x"]), max_size=30
    )
)
def test_a_cell_is_read_with_its_spaces_collapsed(text: str) -> None:
    """What the regular expression did before (`\\s+` to one space, ends trimmed), for every kind of space."""
    row = core._Row(2, {core.GIVEN_NAMES: text})
    assert row.text(core.GIVEN_NAMES) == core._SPACES.sub(" ", text).strip()[: core.MAX_LENGTHS[core.GIVEN_NAMES]]
