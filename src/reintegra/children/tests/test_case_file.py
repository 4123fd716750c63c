"""The child's records in the printable case file (issues 13 and 16): a section the children app registers
through `cases.extensions.register_case_file_section`, holding what the "Children" tab shows its reader: the
profile, the BIAs, the participation, and the determination only for its panel, the case manager and
supervisors; nothing for a reader without the protection category, nor on an adult's case. Dates in the
reader's language."""

from __future__ import annotations

from django.utils import formats, timezone, translation

from reintegra.access.roles import Role
from reintegra.cases import case_file
from reintegra.children import panels, services
from reintegra.children.choices import CareStatus
from reintegra.testing import factories as f
from reintegra.testing.pdf import pdf_text

from .conftest import World, approved_bia, decided_bid

REASONS = "Reunificación con apoyo psicosocial."


def _text(user, case, language="en") -> str:
    with translation.override(language):
        return pdf_text(case_file.case_file_html(user, case))


def _records(world: World) -> None:
    services.save_profile(world.manager, world.child_case, services.ProfileInput(care_status=CareStatus.UNACCOMPANIED))
    approved_bia(world)
    services.save_determination(world.manager, world.child_case, decided_bid(world))


def test_the_case_manager_reads_profile_bia_and_determination_in_the_pdf(world: World):
    _records(world)
    text = _text(world.manager, world.child_case)
    assert "Child protection" in text and "Best-interests assessments" in text
    assert "Unaccompanied" in text and "Approved" in text
    assert "Best-interests determination" in text and REASONS in text and "Lic. Pérez (PGN)" in text
    # after the case's own assessments, before the plan
    assert text.index("Assessments") < text.index("Child protection") < text.index("Counselling sessions")
    spanish = _text(world.manager, world.child_case, "es")
    assert "Protección de la niñez" in spanish and "Evaluaciones del Interés Superior" in spanish
    with translation.override("es"):
        today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    assert today in spanish  # the BIA's dates in the reader's language


def test_a_reader_outside_the_panel_gets_no_determination(world: World):
    _records(world)
    for reader in (
        f.user(world.org, Role.CASE_MANAGER, team=world.manager.team),
        f.user(world.org, Role.PROGRAMME_MANAGER),
    ):
        text = _text(reader, world.child_case)
        assert "Best-interests assessments" in text  # the tab shows them the BIAs
        assert REASONS not in text and "Lic. Pérez (PGN)" not in text
        assert "only shown to its panel" in text


def test_a_reader_without_the_protection_category_gets_no_section(world: World):
    _records(world)
    reader = f.user(world.org, Role.ME_OFFICER)  # no SEE_PROTECTION: the tab answers 403
    assert panels.case_file_section(reader, world.child_case) is None
    html = case_file.case_file_html(reader, world.child_case)
    assert "Child protection" not in html and REASONS not in html


def test_an_adults_case_has_no_child_section(world: World):
    adult = f.case(world.manager)
    assert "Best-interests assessments" not in case_file.case_file_html(world.manager, adult)
