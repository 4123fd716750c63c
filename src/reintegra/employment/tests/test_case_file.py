"""The employment section of the printable case file (issue 16): the jobseeker profile (work abroad, certified
skills, certifications) and the placements with their retention checks, for whoever reads the case, with
dates and the wage in the reader's language; no section for a case without a profile."""

from __future__ import annotations

from django.utils import formats, timezone, translation

from reintegra.cases import case_file
from reintegra.employment import case_file as employment_case_file
from reintegra.employment import services
from reintegra.testing.pdf import pdf_text

from .conftest import World, profile_input, referred, vacancy_input


def _text(user, case, language="en") -> str:
    with translation.override(language):
        return pdf_text(case_file.case_file_html(user, case))


def test_the_profile_and_a_hire_with_its_retention_checks_are_in_the_pdf(world: World) -> None:
    profile = services.save_profile(world.case_manager, world.case, profile_input(world.muni, desired_wage=12500))
    vacancy = services.save_vacancy(world.manager, vacancy_input(world.programme, world.employer, world.muni))
    placement = referred(services.shortlist(world.case_manager, vacancy, profile), world.case_manager)
    today = timezone.localdate()
    services.advance_placement(world.case_manager, placement, step="interview", on=today)
    services.advance_placement(world.case_manager, placement, step="hired", on=today)

    text = _text(world.case_manager, world.case)
    assert "Employment" in text and "Jobseeker profile" in text
    assert "Albañilería (Certified)" in text and "abroad (United States of America)" in text
    assert "Albañil para obra residencial" in text and "Constructora del Altiplano" in text and "Hired" in text
    assert "3 months" in text and "12 months" in text
    assert text.index("Jobseeker profile") < text.index("Follow-up")

    spanish = _text(world.case_manager, world.case, "es")
    assert "Perfil de la persona que busca empleo" in spanish or "Perfil de búsqueda de empleo" in spanish
    with translation.override("es"):
        assert formats.date_format(today, "DATE_FORMAT") in spanish
        assert formats.localize(12500, use_l10n=True) in spanish


def test_no_profile_no_section(world: World) -> None:
    assert employment_case_file.section(world.case_manager, world.case) is None
    assert "Jobseeker profile" not in case_file.case_file_html(world.case_manager, world.case)


def test_a_reader_who_does_not_see_the_case_gets_nothing(world: World) -> None:
    services.save_profile(world.case_manager, world.case, profile_input(world.muni))
    assert employment_case_file.section(world.other_manager, world.case) is None
    assert employment_case_file.section(world.me_officer, world.case) is None
