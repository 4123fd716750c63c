"""The shipped ISCO-08 structure (`employment/data/isco08.csv`) is complete and consistent, the database holds
exactly it, and docs/employment.md says where it comes from (issue 16: "ship the ISCO-08 structure with es/en/fr
labels as data … document the source")."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from reintegra.employment import isco
from reintegra.employment.models import Occupation

DOCS = Path(__file__).resolve().parents[4] / "docs" / "employment.md"
LANGUAGES = ("en", "es", "fr")
# The levels shipped complete: ISCO-08 has 10 major, 43 sub-major and 130 minor groups (ILO, ISCO-08 Vol. 1,
# Table 1). Unit groups (4 digits) are a documented selection.
COMPLETE_LEVELS = {1: 10, 2: 43, 3: 130}
# The ILO's English titles of the major groups, to catch a shifted column or a mislabelled row.
MAJOR_GROUPS_EN = {
    "0": "Armed forces occupations",
    "1": "Managers",
    "2": "Professionals",
    "3": "Technicians and associate professionals",
    "4": "Clerical support workers",
    "5": "Service and sales workers",
    "6": "Skilled agricultural, forestry and fishery workers",
    "7": "Craft and related trades workers",
    "8": "Plant and machine operators, and assemblers",
    "9": "Elementary occupations",
}
# Titles the official translation keeps as in English (CIUO-08: "Chefs").
SAME_AS_ENGLISH = {("3434", "es")}


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return isco.rows()


def test_the_file_has_the_code_and_three_titles(rows: list[dict[str, str]]) -> None:
    with isco.DATA.open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == ["code", *LANGUAGES]
    for row in rows:
        assert set(row) == {"code", *LANGUAGES}, row
        assert None not in row.values(), f"{row['code']}: more columns than the header"


def test_codes_are_well_formed_and_unique(rows: list[dict[str, str]]) -> None:
    codes = [row["code"] for row in rows]
    assert all(re.fullmatch(r"[0-9]{1,4}", code) for code in codes), [c for c in codes if not c.isdigit()]
    assert [code for code, n in Counter(codes).items() if n > 1] == []


def test_every_group_has_its_parent(rows: list[dict[str, str]]) -> None:
    codes = {row["code"] for row in rows}
    assert sorted(code for code in codes if len(code) > 1 and code[:-1] not in codes) == []


def test_the_upper_levels_are_complete(rows: list[dict[str, str]]) -> None:
    per_level = Counter(len(row["code"]) for row in rows)
    for level, count in COMPLETE_LEVELS.items():
        assert per_level[level] == count, f"level {level}: {per_level[level]} groups, ISCO-08 has {count}"
    assert per_level[4] >= 1
    assert set(per_level) <= {1, 2, 3, 4}
    # Every major group has sub-major groups, every sub-major group minor groups (none is a leaf).
    codes = {row["code"] for row in rows}
    for code in codes:
        if len(code) < 3:
            assert any(other.startswith(code) and len(other) == len(code) + 1 for other in codes), code
    assert {row["code"]: row["en"] for row in rows if len(row["code"]) == 1} == MAJOR_GROUPS_EN


def test_every_group_has_three_clean_titles(rows: list[dict[str, str]]) -> None:
    for row in rows:
        for language in LANGUAGES:
            title = row[language]
            assert title, f"{row['code']}: no {language} title"
            assert title == " ".join(title.split()), f"{row['code']} {language}: stray spaces"
            assert len(title) <= 300, f"{row['code']} {language}: longer than the model's field"
            if language != "en" and (row["code"], language) not in SAME_AS_ENGLISH:
                assert title != row["en"], f"{row['code']} {language}: the English title, not a translation"


def test_no_two_groups_of_a_level_share_a_title(rows: list[dict[str, str]]) -> None:
    # A parent may share its only child's title (ISCO does: 01 and 011); two groups of one level may not.
    for language in LANGUAGES:
        seen = Counter((len(row["code"]), row[language].casefold()) for row in rows)
        assert [key for key, n in seen.items() if n > 1] == [], language


@pytest.mark.django_db
def test_the_database_holds_exactly_the_file(rows: list[dict[str, str]]) -> None:
    stored = {o.code: o for o in Occupation.objects.select_related("parent")}
    assert set(stored) == {row["code"] for row in rows}
    for row in rows:
        occupation = stored[row["code"]]
        assert (occupation.title_en, occupation.title_es, occupation.title_fr) == (row["en"], row["es"], row["fr"])
        assert occupation.level == len(row["code"])
        assert (occupation.parent.code if occupation.parent else "") == row["code"][:-1]
        assert occupation.search_text == isco.search_text(row)


def test_the_source_is_documented() -> None:
    text = " ".join(DOCS.read_text(encoding="utf-8").split())
    assert "employment/data/isco08.csv" in text
    for words in ("ILO", "ISCO-08 Structure", "CIUO-08", "CITP-08", "ilostat"):
        assert words.lower() in text.lower(), words
    # The documented counts are the file's.
    per_level = Counter(len(row["code"]) for row in isco.rows())
    assert f"{per_level[4]} unit groups" in text
    assert f"{per_level[3]} minor groups" in text
