"""The RSS section of the printable case file (issue 18.15): registered by this app through
`cases.extensions.register_case_file_section`, after the follow-up; the trajectory is an SVG drawn on the
server (the PDF runs no Chart.js) with the axis numbers in the reader's language."""

import pytest
from django.utils import timezone, translation

from reintegra.cases import case_file
from reintegra.sustainability import services

from .conftest import best_answers, economic_answers

pytestmark = pytest.mark.django_db


def _round(world, answers, days_ago):
    data = services.RoundInput(
        instrument="rss", taken_on=timezone.localdate() - timezone.timedelta(days=days_ago), answers=answers
    )
    return services.record_round(world.manager, world.case, data)


def _html(world, language):
    with translation.override(language):
        return case_file.case_file_html(world.manager, world.case)


def test_no_round_says_so(world):
    html = _html(world, "en")
    assert "Reintegration Sustainability Survey" in html and "No survey round recorded yet." in html
    assert "<svg" not in html


def test_the_trajectory_is_an_svg_with_the_rounds_table(world):
    _round(world, economic_answers(), 8)
    _round(world, best_answers(), 1)
    english, spanish = _html(world, "en"), _html(world, "es")
    section = english[english.index("<h2>Reintegration Sustainability Survey</h2>") :]
    assert section.index("<svg") < section.index("</section>")
    assert english.index("<h2>Follow-up</h2>") < english.index("Reintegration Sustainability Survey")
    assert english.index("Reintegration Sustainability Survey") < english.index("<h2>Closure</h2>")
    assert section.count("<polyline") >= 4  # economic, social, psychosocial, composite
    assert ">0.25</text>" in english and ">0,25</text>" in spanish  # axis numbers in the reader's locale
    assert "Encuesta de Sostenibilidad de la Reintegración" in spanish and "1,00" in spanish
    assert "<script" not in english
