"""`selectors.duplicate_candidates` when more people share keys than are scored."""

from datetime import date

import pytest

from reintegra.cases import matching, selectors
from reintegra.testing import factories

pytestmark = pytest.mark.django_db

TYPED = matching.PersonRecord(
    id=0,
    given_names="María José",
    first_family_name="Hernández",
    second_family_name="López",
    birth_date=date(1990, 5, 17),
)


def test_over_the_cap_the_same_birth_date_is_scored_first(case_manager, monkeypatch):
    same_day = factories.returnee(case_manager, birth_date=date(1990, 5, 17))
    # Same names and birth year: the key table cannot tell them apart, and the later registration wins ties.
    same_year = factories.returnee(case_manager, birth_date=date(1990, 9, 2))
    assert {c.returnee for c in selectors.duplicate_candidates(case_manager, TYPED, threshold=0)} == {
        same_day,
        same_year,
    }
    monkeypatch.setattr(selectors, "_MAX_SCORED", 1)
    assert [c.returnee for c in selectors.duplicate_candidates(case_manager, TYPED, threshold=0)] == [same_day]


def test_a_shared_document_is_scored_beyond_the_cap(case_manager, monkeypatch):
    from reintegra.cases.services import DocumentInput

    same_day = factories.returnee(case_manager, birth_date=date(1990, 5, 17))
    holder = factories.returnee(
        case_manager, birth_date=date(1990, 9, 2), documents=[DocumentInput("passport", "G 1234-5678", "MX")]
    )
    monkeypatch.setattr(selectors, "_MAX_SCORED", 1)
    found = [c.returnee for c in selectors.duplicate_candidates(case_manager, TYPED, ["g12345678"], threshold=0)]
    assert set(found) == {same_day, holder}  # without the document, only same_day is scored (above)
