"""Property tests of the municipality search (pure Python)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reintegra.public.search_core import Place, fold, score, search

NAMES = [
    "Quetzaltenango",
    "Salcajá",
    "San Pedro Sula",
    "Ciudad de Guatemala",
    "Huehuetenango",
    "Cantel",
    "Santa Ana",
    "Tegucigalpa",
    "San Cristóbal de las Casas",
    "Mixco",
]
PLACES = [Place(i, name) for i, name in enumerate(NAMES)]
ACCENTED = str.maketrans("aeiouAEIOU", "áéíóúÁÉÍÓÚ")

names = st.sampled_from(NAMES)


@given(names)
def test_a_name_finds_itself_first(name: str) -> None:
    assert search(name, PLACES)[0] == NAMES.index(name)


@given(names, st.sampled_from(["lower", "upper", "accents"]))
def test_case_and_accents_do_not_matter(name: str, how: str) -> None:
    variant = {"lower": name.lower(), "upper": name.upper(), "accents": name.translate(ACCENTED)}[how]
    assert fold(variant) == fold(name)
    assert search(variant, PLACES)[0] == NAMES.index(name)


@given(names, st.data())
def test_one_typo_still_finds_the_place(name: str, data: st.DataObject) -> None:
    folded = fold(name)
    if len(folded) < 6:
        return
    position = data.draw(st.integers(min_value=1, max_value=len(folded) - 1))
    typo = folded[:position] + folded[position + 1 :]  # a letter left out
    assert NAMES.index(name) in search(typo, PLACES)


@given(st.text(max_size=30))
def test_scores_are_bounded_and_results_come_from_the_places(query: str) -> None:
    found = search(query, PLACES)
    assert set(found) <= {p.id for p in PLACES}
    assert len(found) == len(set(found))
    assert all(0 <= score(query, p) <= 100 for p in PLACES)


@given(names)
def test_results_are_ordered_best_first(name: str) -> None:
    found = search(name[:5], PLACES)
    scores = [score(name[:5], PLACES[i]) for i in found]
    assert scores == sorted(scores, reverse=True)
