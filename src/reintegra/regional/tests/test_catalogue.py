"""Services, selectors and import, against the database (the demo data: reintegra.demo.tests.test_levels)."""

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from reintegra.access.roles import Role
from reintegra.regional import importing, selectors, services
from reintegra.regional.choices import EvaluationStatus
from reintegra.regional.models import ActionCell, Institution, RegionalAction
from reintegra.regional.services import ActionInput
from reintegra.structural.choices import GrantScope
from reintegra.structural.services import grant_write
from reintegra.testing import factories

pytestmark = pytest.mark.django_db


def _input(**overrides):
    values = {
        "country": "GT",
        "title": "Intermediación laboral",
        "levels": ["structural"],
        "dimensions": ["social"],
        "institution_name": "Ministerio de Trabajo",
        "institution_kind": "government",
    }
    values.update(overrides)
    return ActionInput(**values)


@pytest.fixture
def gt():
    return factories.organisation(country="GT")


@pytest.fixture
def manager(gt):
    return factories.user(gt, Role.PROGRAMME_MANAGER)


def test_an_action_is_counted_in_every_cell_it_covers(manager):
    action = services.create_action(
        manager, _input(levels=["community", "individual"], dimensions=["social", "economic", "social"])
    )
    assert action.levels == ["individual", "community"]  # matrix order, no repeats
    assert action.dimensions == ["economic", "social"]
    cells = set(ActionCell.objects.filter(action=action).values_list("level", "dimension"))
    assert cells == {
        ("individual", "economic"),
        ("individual", "social"),
        ("community", "economic"),
        ("community", "social"),
    }
    counts = {(lv, d): n for lv, d, n in selectors.matrix_counts(manager, "GT")}
    assert counts == dict.fromkeys(cells, 1)
    services.update_action(manager, action, _input(levels=["structural"], dimensions=["psychosocial"]))
    assert {(lv, d): n for lv, d, n in selectors.matrix_counts(manager, "GT")} == {("structural", "psychosocial"): 1}


def test_matrix_per_country_and_across_countries(manager):
    services.create_action(manager, _input())
    services.create_action(
        manager, _input(country="MX", title="Acceso al empleo", levels=["individual"], dimensions=["economic"])
    )
    services.create_action(
        manager, _input(country="MX", title="Alimentación", levels=["individual"], dimensions=["economic"])
    )
    by_country = {c: {(lv, d): n for lv, d, n in selectors.matrix_counts(manager, c)} for c in ("GT", "MX", None)}
    assert by_country["GT"] == {("structural", "social"): 1}
    assert by_country["MX"] == {("individual", "economic"): 2}
    assert by_country[None] == {("structural", "social"): 1, ("individual", "economic"): 2}


def test_the_matrix_is_one_query(manager, django_assert_num_queries):
    for n in range(5):
        services.create_action(manager, _input(title=f"Acción {n}", levels=["individual", "community"]))
    from reintegra.structural import action_matrix

    # One GROUP BY over the cell index, and one query per contributor (the community level's projects).
    with django_assert_num_queries(1 + action_matrix.contributor_count()):
        selectors.matrix_counts(manager, "GT")


def test_institutions_are_recognised_by_normalised_name(manager):
    a = services.create_action(manager, _input(institution_name="Ministerio de Trabajo"))
    b = services.create_action(manager, _input(title="Otra", institution_name="  MINISTERIO DE TRABAJO. "))
    c = services.create_action(manager, _input(country="MX", title="Otra", institution_name="Ministerio de Trabajo"))
    assert a.institution_id == b.institution_id != c.institution_id
    assert Institution.objects.count() == 2


def test_good_practice_needs_an_evaluation_in_the_service_and_the_database(manager):
    with pytest.raises(ValidationError) as raised:
        services.create_action(manager, _input(evaluation_status=EvaluationStatus.GOOD_PRACTICE))
    assert set(raised.value.message_dict) == {"evaluated_on", "evaluation_reference"}
    action = services.create_action(
        manager,
        _input(
            evaluation_status=EvaluationStatus.GOOD_PRACTICE,
            evaluated_on=date(2024, 1, 10),
            evaluation_reference="Evaluación externa final",
        ),
    )
    assert action.evaluation_status == EvaluationStatus.GOOD_PRACTICE
    with pytest.raises(IntegrityError), transaction.atomic():
        RegionalAction.objects.filter(pk=action.pk).update(evaluation_reference="")
    with pytest.raises(IntegrityError), transaction.atomic():
        RegionalAction.objects.filter(pk=action.pk).update(evaluated_on=None)


def test_bad_input_is_refused_with_field_messages(manager):
    with pytest.raises(ValidationError) as raised:
        services.create_action(
            manager,
            _input(
                country="XX",
                title=" ",
                levels=[],
                dimensions=["cultural"],
                starts_on=date(2024, 5, 1),
                ends_on=date(2024, 1, 1),
            ),
        )
    assert set(raised.value.message_dict) == {"country", "title", "levels", "dimensions", "ends_on"}
    assert RegionalAction.objects.count() == 0


def test_who_may_edit(gt):
    other = factories.organisation(country="MX")
    author = factories.user(gt, Role.PROGRAMME_MANAGER)
    action = services.create_action(author, _input())
    assert action.entered_by_organisation == gt
    colleague = factories.user(gt, Role.PROGRAMME_MANAGER)
    foreign_manager = factories.user(other, Role.PROGRAMME_MANAGER)
    coordinator_here = factories.user(factories.organisation(country="GT"), Role.COORDINATOR)
    coordinator_there = factories.user(factories.organisation(country="MX"), Role.COORDINATOR)
    case_manager = factories.user(gt, Role.CASE_MANAGER)
    assert services.can_edit(colleague, action)
    # A coordinator changes the action only once the entering organisation gave it write access.
    assert not services.can_edit(coordinator_here, action)
    grant_write(author, coordinator_here.organisation, GrantScope.REGIONAL)
    assert services.can_edit(coordinator_here, action)
    for user in (foreign_manager, coordinator_there, case_manager):
        assert not services.can_edit(user, action)
        with pytest.raises(PermissionDenied):
            services.update_action(user, action, _input(title="Cambio"))
    with pytest.raises(PermissionDenied):
        services.create_action(case_manager, _input())
    services.update_action(coordinator_here, action, _input(title="Intermediación laboral nacional"))
    action.refresh_from_db()
    assert action.title == "Intermediación laboral nacional"


def test_filters_and_accent_insensitive_search(manager):
    a = services.create_action(manager, _input(description="Alianzas con el sector empleador"))
    b = services.create_action(
        manager,
        _input(
            title="Atención psicosocial",
            levels=["community"],
            dimensions=["psychosocial"],
            institution_name="ONG Esperanza",
            funding_source="international_cooperation",
        ),
    )
    qs = selectors.actions_for(manager)
    f = selectors.ActionFilters
    assert list(selectors.filter_actions(qs, f(q="EMPLEADOR"))) == [a]
    assert list(selectors.filter_actions(qs, f(q="atencion"))) == [b]
    assert list(selectors.filter_actions(qs, f(level="community", dimension="psychosocial"))) == [b]
    assert list(selectors.filter_actions(qs, f(level="community", dimension="social"))) == []
    assert list(selectors.filter_actions(qs, f(funding_source="international_cooperation"))) == [b]
    assert list(selectors.filter_actions(qs, f(institution=a.institution_id))) == [a]
    assert selectors.actions_for(factories.user(None, Role.SERVICE_PROVIDER)).count() == 0


def test_likely_duplicates_through_the_selector(manager):
    a = services.create_action(manager, _input())
    b = services.create_action(
        manager, _input(title="Intermediación laboral municipal", institution_name="Municipalidad de Quetzaltenango")
    )
    services.create_action(manager, _input(title="Intermediación laboral", country="MX"))
    scan = selectors.likely_duplicates(manager, "GT")
    assert scan.checked and scan.ids() == {a.pk, b.pk}
    cells, _scan = selectors.matrix_for(manager, "GT")
    flagged = {(c.level, c.dimension): c.likely_duplicates for c in cells if c.likely_duplicates}
    assert flagged == {("structural", "social"): 2}
    assert selectors.likely_duplicates(manager, "GT", "individual", "economic").pairs == []


CSV_HEADER = "country,action,level,dimension,description,institution,evaluation_status,evaluated_on\n"


def _parse(text, name="actions.csv"):
    return importing.parse(io.BytesIO(text.encode("utf-8")), name)


def test_import_reports_every_bad_row_and_column():
    parsed = _parse(
        CSV_HEADER
        + "GT,Buena,Estructural,Social,,,,\n"
        + "Narnia,Mala,individual,económica,,,,\n"
        + "MX,,regional,social;cultural,,,good practice,\n"
        + "SV,Fecha,individual,social,,,,ayer\n"
    )
    assert not parsed.ok
    found = {(e.row, e.column) for e in parsed.errors}
    assert found == {
        (3, "country"),
        (4, "action"),
        (4, "level"),
        (4, "dimension"),
        (4, "evaluated_on"),
        (4, "evaluation_reference"),
        (5, "evaluated_on"),
    }
    assert all(e.message for e in parsed.errors)


def test_import_writes_nothing_when_a_row_is_bad_and_everything_when_all_are_good(gt, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV_HEADER + "GT,Buena,individual,social,,,,\nGT,Mala,nivel,social,,,,\n", encoding="utf-8")
    with pytest.raises(Exception, match="nothing was imported"):
        call_command("import_regional_actions", str(bad), "--organisation", gt.code)
    assert RegionalAction.objects.count() == 0
    good = tmp_path / "good.csv"
    good.write_text(
        CSV_HEADER + "Guatemala,Buena,individual;comunitario,social|psicosocial,,MINTRAB,,\n", encoding="utf-8"
    )
    out = io.StringIO()
    call_command("import_regional_actions", str(good), "--organisation", gt.code, stdout=out)
    action = RegionalAction.objects.get()
    assert (str(action.country), action.levels, action.dimensions) == (
        "GT",
        ["individual", "community"],
        ["social", "psychosocial"],
    )
    call_command("import_regional_actions", str(good), "--organisation", gt.code, stdout=out)
    assert RegionalAction.objects.count() == 1  # the same action again is skipped
    assert "1 already in the catalogue" in out.getvalue()


def test_import_reads_xlsx(gt):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["País", "Acción", "Nivel", "Dimensión", "Inicio"])
    sheet.append(["MX", "Acceso al empleo", "Individual", "Económica", date(2022, 1, 1)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    parsed = importing.parse(buffer, "acciones.xlsx")
    assert parsed.ok, parsed.errors
    assert parsed.rows[0].starts_on == date(2022, 1, 1) and parsed.rows[0].levels == ["individual"]
    assert not importing.parse(io.BytesIO(b"not a zip"), "broken.xlsx").ok
