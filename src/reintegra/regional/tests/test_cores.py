"""The pure cores: the matrix builder and the duplication finder."""

from hypothesis import given
from hypothesis import strategies as st

from reintegra.regional import duplication, matrix
from reintegra.regional.duplication import ActionText, likely_duplicates, normalise

LEVELS = st.sampled_from(matrix.LEVELS)
DIMENSIONS = st.sampled_from(matrix.DIMENSIONS)


@given(st.lists(st.tuples(LEVELS, DIMENSIONS, st.integers(min_value=0, max_value=10_000))))
def test_matrix_always_has_the_nine_cells_and_sums_the_counts(rows):
    cells = matrix.build(rows)
    assert [(c.level, c.dimension) for c in cells] == [(lv, d) for lv in matrix.LEVELS for d in matrix.DIMENSIONS]
    for cell in cells:
        expected = sum(n for lv, d, n in rows if (lv, d) == (cell.level, cell.dimension))
        assert cell.count == expected
        assert cell.is_gap == (expected == 0)
        assert (cell.shade == 0) == (expected == 0)
        assert 0 <= cell.shade <= matrix.SHADES


@given(st.lists(st.tuples(LEVELS, DIMENSIONS, st.integers(min_value=1, max_value=500)), min_size=1))
def test_the_fullest_cell_has_the_darkest_shade_and_shades_grow_with_counts(rows):
    cells = matrix.build(rows)
    top = max(cells, key=lambda c: c.count)
    assert top.shade == matrix.SHADES
    ordered = sorted(cells, key=lambda c: c.count)
    assert [c.shade for c in ordered] == sorted(c.shade for c in ordered)


def test_unknown_cells_are_ignored_and_rows_are_grouped_by_level():
    cells = matrix.build([("individual", "economic", 2), ("regional", "economic", 5)])
    assert sum(c.count for c in cells) == 2
    grouped = matrix.rows(cells)
    assert [level for level, _ in grouped] == list(matrix.LEVELS)
    assert [c.dimension for c in grouped[0][1]] == list(matrix.DIMENSIONS)


@given(st.sets(LEVELS), st.sets(DIMENSIONS))
def test_an_action_covers_the_product_of_its_levels_and_dimensions(levels, dimensions):
    cells = matrix.cell_product(levels, dimensions)
    assert set(cells) == {(lv, d) for lv in levels for d in dimensions}
    assert len(cells) == len(levels) * len(dimensions)


def _action(pk, title, institution, cells=(("structural", "social"),), country="GT", description=""):
    return ActionText(pk, country, institution, title, description, frozenset(cells))


def test_normalise_ignores_accents_case_and_punctuation():
    assert normalise("  Intermediación   LABORAL. ") == "intermediacion laboral"
    assert duplication.key_words("Acceso a los servicios de salud") == ["acceso", "servicios", "salud"]


def test_similar_actions_of_different_institutions_in_one_cell_are_likely_duplicates():
    a = _action(1, "Intermediación laboral", "mintrab")
    b = _action(2, "Intermediacion laboral para poblacion retornada en Quetzaltenango", "muni-xela")
    pairs = likely_duplicates([a, b])
    assert [(p.first, p.second) for p in pairs] == [(1, 2)]
    assert pairs[0].cells == {("structural", "social")}
    assert duplication.cells_with_duplicates(pairs) == {("structural", "social"): {1, 2}}


def test_no_duplicate_for_the_same_institution_another_country_another_cell_or_another_subject():
    base = _action(1, "Intermediación laboral", "mintrab")
    assert likely_duplicates([base, _action(2, "Intermediación laboral", "mintrab")]) == []
    assert likely_duplicates([base, _action(2, "Intermediación laboral", "stps", country="MX")]) == []
    assert (
        likely_duplicates([base, _action(2, "Intermediación laboral", "x", cells=[("individual", "economic")])]) == []
    )
    assert likely_duplicates([base, _action(2, "Atención psicosocial a familias", "x")]) == []


def test_an_unknown_institution_may_be_a_duplicate():
    pairs = likely_duplicates([_action(1, "Beca Mi Primer Empleo", None), _action(2, "Beca mi primer empleo", "x")])
    assert len(pairs) == 1 and pairs[0].score == 100.0


TITLES = st.text(alphabet="abcdeéíóñ ", min_size=0, max_size=40)


@given(st.lists(st.tuples(TITLES, st.sampled_from(["a", "b", None]), st.sampled_from(["GT", "MX"])), max_size=25))
def test_pairs_are_ordered_unique_and_respect_the_rules(rows):
    actions = [_action(i, title, inst, country=country) for i, (title, inst, country) in enumerate(rows, start=1)]
    by_id = {a.id: a for a in actions}
    pairs = likely_duplicates(actions)
    assert len({(p.first, p.second) for p in pairs}) == len(pairs)
    for p in pairs:
        a, b = by_id[p.first], by_id[p.second]
        assert p.first < p.second
        assert a.country == b.country
        assert a.institution is None or b.institution is None or a.institution != b.institution
        assert p.score >= duplication.DEFAULT_THRESHOLD
        assert p.cells <= a.cells & b.cells


@given(TITLES, TITLES)
def test_similarity_is_symmetric_and_bounded(x, y):
    a, b = _action(1, x, "a"), _action(2, y, "b")
    assert duplication.similarity(a, b) == duplication.similarity(b, a)
    assert 0 <= duplication.similarity(a, b) <= 100


WORDY = st.lists(st.sampled_from(["empleo", "laboral", "salud", "ventanilla", "mujer", "red", "beca"]), max_size=4)


@given(st.lists(st.tuples(WORDY, st.sampled_from(["a", "b", None])), max_size=20))
def test_blocking_finds_every_similar_pair_sharing_two_title_words(rows):
    """Against brute force: blocking loses no pair whose titles share two informative words (or where a
    one-word title is in the other), below the common-key limit (20 actions here)."""
    actions = [_action(i, " ".join(words), inst) for i, (words, inst) in enumerate(rows, start=1)]
    expected = set()
    for a, b in ((a, b) for i, a in enumerate(actions) for b in actions[i:] if a.id != b.id):
        wa, wb = set(duplication.key_words(a.title)), set(duplication.key_words(b.title))
        blocked = len(wa & wb) >= 2 or (len(wa) == 1 and wa <= wb) or (len(wb) == 1 and wb <= wa)
        different = a.institution is None or b.institution is None or a.institution != b.institution
        if blocked and different and duplication.similarity(a, b) >= duplication.DEFAULT_THRESHOLD:
            expected.add((a.id, b.id))
    assert {(p.first, p.second) for p in likely_duplicates(actions)} == expected
