"""Issue 10, item 4: properties of the k-anonymity core (`reintegra.protection.kanonymity`, no database).

- every released class holds at least k rows, and released + suppressed = all rows;
- a released value is always the recorded value or one of its generalisations (nothing invented);
- the hierarchies are monotone: two values equal at a level stay equal at every higher level, so
  generalising merges classes and never splits them;
- a released row carries no attention flag or cause of migration, whatever the source holds.
"""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from reintegra.cases.choices import AttentionFlag, MigrationCause
from reintegra.protection import kanonymity as ka
from reintegra.protection.kanonymity import WITHHELD, QuasiIdentifiers

SEXES = ["female", "male", "intersex", "unknown"]
BANDS = [label for _low, _high, label in ka.AGE_BANDS] + [ka.UNKNOWN]
AREAS = [
    ("GT", "1", "11"),
    ("GT", "1", "12"),
    ("GT", "1", ""),
    ("GT", "2", "21"),
    ("GT", "", ""),
    ("HN", "3", "31"),
    ("", "", ""),
]

quasi_identifiers = st.builds(
    QuasiIdentifiers,
    sex=st.sampled_from(SEXES),
    age_band=st.sampled_from(BANDS),
    nationality=st.sampled_from(["GT", "HN", "MX"]),
    return_type=st.sampled_from(["forced", "voluntary_assisted", "voluntary_spontaneous"]),
    return_year=st.one_of(st.none(), st.integers(2022, 2025)),
    return_quarter=st.integers(1, 4),
    country=st.just(""),
    admin1=st.just(""),
    municipality=st.just(""),
).flatmap(
    lambda qi: st.sampled_from(AREAS).map(
        lambda area: QuasiIdentifiers(**{**qi.__dict__, "country": area[0], "admin1": area[1], "municipality": area[2]})
    )
)
groups = st.dictionaries(quasi_identifiers, st.integers(1, 12), max_size=60)


def _is_generalisation(qi: QuasiIdentifiers, released: ka.Released) -> bool:
    for name, (_function, top) in ka.GLOBAL_HIERARCHIES.items():
        if getattr(released, name) not in {ka.generalise(qi, name, level) for level in range(top + 1)}:
            return False
    area = (released.country, released.admin1, released.municipality)
    return area in {ka.generalise_area(qi, level) for level in range(ka.AREA_TOP + 1)}


@settings(max_examples=300, deadline=None)
@given(groups, st.integers(2, 12))
def test_every_released_class_has_at_least_k_rows(counts, k):
    release = ka.anonymise(counts, k)
    assert all(size >= k for size in release.classes.values())
    assert release.total == sum(counts.values())
    assert release.released_rows + release.suppressed == release.total
    # the classes are exactly the released rows, grouped by what is released
    recount = Counter()
    for qi, released in release.released.items():
        if released is not None:
            recount[released] += counts[qi]
            assert _is_generalisation(qi, released)
    assert recount == release.classes
    if release.classes:
        assert release.smallest_class == min(release.classes.values()) >= k


@settings(max_examples=200, deadline=None)
@given(groups)
def test_k_of_one_suppresses_nothing(counts):
    release = ka.anonymise(counts, 1)
    assert release.suppressed == 0


@settings(max_examples=300, deadline=None)
@given(quasi_identifiers, quasi_identifiers)
def test_generalisation_is_monotone(a, b):
    for name, (_function, top) in ka.GLOBAL_HIERARCHIES.items():
        for level in range(top):
            if ka.generalise(a, name, level) == ka.generalise(b, name, level):
                assert ka.generalise(a, name, level + 1) == ka.generalise(b, name, level + 1)
        assert ka.generalise(a, name, top) == ka.generalise(b, name, top) == WITHHELD
    for level in range(ka.AREA_TOP):
        if ka.generalise_area(a, level) == ka.generalise_area(b, level):
            assert ka.generalise_area(a, level + 1) == ka.generalise_area(b, level + 1)
    assert ka.generalise_area(a, ka.AREA_TOP) == (WITHHELD, WITHHELD, WITHHELD)


@settings(max_examples=100, deadline=None)
@given(groups, st.integers(2, 8))
def test_more_generalisation_never_splits_a_class(counts, k):
    """Raising one global level merges the strata of the level below."""
    coded = ka._Coded(counts)
    for levels in ka.lattice():
        for name, (_function, top) in ka.GLOBAL_HIERARCHIES.items():
            if levels[name] == top:
                continue
            finer = coded.strata(levels)
            coarser = coded.strata({**levels, name: levels[name] + 1})
            assert len(coarser) <= len(finer)
            assert sum(sum(a.values()) for a in coarser.values()) == sum(sum(a.values()) for a in finer.values())
        break  # the bottom of the lattice against each of its neighbours is enough per example


def test_age_bands():
    assert [ka.age_band(a) for a in (None, -1, 0, 17, 18, 24, 25, 34, 35, 44, 45, 59, 60, 99)] == [
        "unknown",
        "unknown",
        "0-17",
        "0-17",
        "18-24",
        "18-24",
        "25-34",
        "25-34",
        "35-44",
        "35-44",
        "45-59",
        "45-59",
        "60+",
        "60+",
    ]


def test_the_sensitive_flags_are_attention_flags_and_rows_cannot_carry_any():
    from reintegra.protection import pseudonymise

    assert set(AttentionFlag.values) >= ka.SENSITIVE_ATTENTION_FLAGS
    assert {"victim_of_violence", "disability", "chronic_illness", "pregnant", "unaccompanied_minor"} <= (
        ka.SENSITIVE_ATTENTION_FLAGS
    )
    assert not set(ka.AGGREGATE_ONLY) & set(pseudonymise.ROW_KEYS)


@settings(max_examples=100, deadline=None)
@given(
    quasi_identifiers,
    st.lists(st.sampled_from(AttentionFlag.values), unique=True),
    st.lists(st.sampled_from(MigrationCause.values), unique=True),
)
def test_a_row_never_carries_a_flag_or_a_cause(qi, flags, causes):
    from reintegra.protection import pseudonymise

    released = ka.anonymise({qi: 5}, 5).released[qi]
    assert released is not None
    source = {
        "organisation__code": "org",
        "status": "registered",
        "closure_category": "",
        "returnee__attention_flags": flags,
        "causes_of_migration": causes,
    }
    row = pseudonymise.row("pid", released, source, area_names={}, assessments=0, follow_ups=0, plan_dimensions=[])
    assert set(row) == set(pseudonymise.ROW_KEYS)
    text = repr(row)
    assert not any(f"'{code}'" in text for code in [*flags, *causes] if code != "economic")
