"""Standard units are codes shown in the reader's language; any other unit stays as the programme wrote it."""

from django.utils import translation

from reintegra.monitoring import choices as c
from reintegra.monitoring.forms import IndicatorForm
from reintegra.monitoring.library import entries


def test_every_library_unit_is_a_standard_unit():
    assert {entry["unit"] for entry in entries()} <= set(c.Unit.values)


def test_a_unit_is_shown_translated_and_stored_as_its_code():
    with translation.override("en"):
        assert c.unit_label("pct_cases") == "% of cases"
        assert c.unit_code(" % of  cases ") == "pct_cases"
    with translation.override("es"):
        spanish = c.unit_label("people")
    assert spanish != "people"  # translated (the catalogue is compiled at set-up)
    assert c.unit_code(spanish) == "people"  # typed in Spanish, stored as the code
    assert c.unit_label("hogares visitados") == "hogares visitados"
    assert c.unit_code("hogares  visitados") == "hogares visitados"


def test_the_form_suggests_the_standard_units():
    with translation.override("en"):
        html = str(IndicatorForm(nodes=[], people=[])["unit"])
    assert 'list="unit-standard-units"' in html and '<option value="% of people">' in html
