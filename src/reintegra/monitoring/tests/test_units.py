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
    assert 'list="unit-suggestions"' in html and '<option value="% of people">' in html


def test_a_frozen_median_reads_as_the_median_and_a_reported_mean_adds_up_as_a_sum():
    from reintegra.monitoring import engine, reports, snapshots

    frozen = {"numerator": 12.0, "denominator": 5.0, "value": 12.0}  # the median of 5 people
    assert reports._cell(frozen, "median").value == 12.0  # not 12 / 5
    women, men = snapshots.reported_cell("mean", 3.5, 10), snapshots.reported_cell("mean", 2.0, 30)
    assert (women.value, men.value) == (3.5, 2.0)
    both = engine.make_cell("mean", women.numerator + men.numerator, (women.denominator or 0) + (men.denominator or 0))
    assert both.value == (3.5 * 10 + 2.0 * 30) / 40
