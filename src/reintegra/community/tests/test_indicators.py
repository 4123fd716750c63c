"""The community level's standard indicators (monitoring/library.yaml), computed by the monitoring engine
over records the services wrote, against counts made by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from reintegra.community import services
from reintegra.community.tests.conftest import project_input
from reintegra.monitoring import definition, engine, library
from reintegra.testing import factories as f

pytestmark = pytest.mark.django_db
ENTRIES = {entry["code"]: entry for entry in library.entries()}


def _value(code: str, programme_ids: list[int]) -> engine.Cell:
    entry = ENTRIES[code]
    today = timezone.localdate()
    parsed = definition.parse(entry["definition"], entry["measure"])
    (values,) = engine.compute(
        parsed, entry["measure"], programme_ids=programme_ids, periods=[(today - timedelta(days=364), today)]
    )
    return values.total


def test_every_community_entry_has_a_code_of_at_most_40_characters():
    codes = [code for code, e in ENTRIES.items() if e["level"] == "community" and "community" in code]
    assert len(codes) == 8 and all(len(code) <= 40 for code in codes)


def test_projects_by_dimension_participants_by_group_and_sex_and_returnees_reached(office):
    pm, cm = office.programme_manager, office.case_manager
    started = services.save_project(pm, project_input(office.community))  # economic + psychosocial
    services.change_project_status(pm, started, services.StatusInput("active"))
    services.save_project(
        pm, project_input(office.community, title="Aún planificado", dimensions=["social"], activities=[])
    )

    woman = f.case(cm, f.returnee(cm, sex="female", return_country="GT", municipality_id=office.muni.pk))
    man = f.case(
        cm, f.returnee(cm, sex="male", given_names="Pedro", return_country="GT", municipality_id=office.muni.pk)
    )
    elsewhere = f.case(cm, f.returnee(cm, given_names="Ana", return_country="GT", municipality_id=office.muni2.pk))
    for case in (woman, man):
        services.add_returnee(cm, started, services.ReturneeInput(case.pk))
    services.add_residents(pm, started, services.ResidentsInput(9, "female"))
    services.add_residents(pm, started, services.ResidentsInput(5, "male"))
    ids = list(office.org.programmes.values_list("pk", flat=True))
    assert {woman.programme_id, man.programme_id, elsewhere.programme_id} <= set(ids)

    assert _value("community-projects-economic", ids).value == 1
    assert _value("community-projects-psychosocial", ids).value == 1
    assert _value("community-projects-social", ids).value == 0  # the social one is only planned
    assert _value("community-project-returnees", ids).value == 2
    assert _value("community-project-women-returnees", ids).value == 1
    assert _value("community-project-non-migrants", ids).value == 14
    assert _value("community-project-women-non-migrants", ids).value == 9
    reached = _value("returnees-reached-by-community-projects", ids)
    # Two returned to Huehuetenango (a community a started project serves); Chiantla is no community.
    assert (reached.numerator, reached.denominator) == (2.0, 2.0)
