"""The results framework's services: who may write, the tree's kinds, indicators' definitions, periods,
hand-reported values that add up, submitting a period and what changed since."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reintegra.access.roles import Role
from reintegra.access.transitions import TransitionError
from reintegra.monitoring import services as s
from reintegra.monitoring import snapshots
from reintegra.monitoring.models import Snapshot, StandardIndicator, Target
from reintegra.testing import factories as f

pytestmark = pytest.mark.django_db

COUNT_CASES = {"population": "cases", "unit": "case", "date": "return_date"}


def codes(exc: ValidationError) -> dict[str, set[str]]:
    return {name: {e.code for e in errors} for name, errors in exc.error_dict.items()}


@pytest.fixture
def world():
    org = f.organisation("mon")
    programme = org.programmes.get()
    officer = f.user(org, Role.ME_OFFICER)
    manager = f.user(org, Role.CASE_MANAGER)
    framework = s.create_framework(officer, programme, s.FrameworkInput(theory_of_change="Si… entonces…"))
    impact = s.add_node(officer, framework, s.NodeInput(kind="impact", title="Reintegración sostenible"))
    outcome = s.add_node(officer, framework, s.NodeInput(kind="outcome", title="Autosuficiencia", parent=impact.pk))
    return org, programme, officer, manager, framework, impact, outcome


def indicator_input(node, **changes):
    values = {
        "node": node.pk,
        "code": "ret-1",
        "name_es": "Casos abiertos",
        "measure": "count",
        "is_computed": True,
        "definition": COUNT_CASES,
    }
    return s.IndicatorInput(**{**values, **changes})


def test_only_managers_of_the_programme_write(world):
    _org, programme, officer, manager, framework, impact, _outcome = world
    other = f.organisation("otra")
    stranger = f.user(other, Role.ME_OFFICER)
    with pytest.raises(PermissionDenied):
        s.add_node(manager, framework, s.NodeInput(kind="outcome", title="x", parent=impact.pk))
    with pytest.raises(PermissionDenied):
        s.add_node(stranger, framework, s.NodeInput(kind="outcome", title="x", parent=impact.pk))
    with pytest.raises(PermissionDenied):
        s.create_period(stranger, programme, s.PeriodInput("quarter", date(2026, 1, 1), date(2026, 3, 31)))
    with pytest.raises(PermissionDenied):
        s.create_framework(officer, other.programmes.get())
    with pytest.raises(ValidationError) as exc:
        s.create_framework(officer, programme)
    assert codes(exc.value) == {"programme": {"duplicate"}}


def test_tree_kinds(world):
    _org, _programme, officer, _manager, framework, impact, outcome = world
    with pytest.raises(ValidationError) as exc:
        s.add_node(officer, framework, s.NodeInput(kind="output", title="x", parent=impact.pk))
    assert codes(exc.value) == {"parent": {"wrong_kind"}}
    with pytest.raises(ValidationError) as exc:
        s.add_node(officer, framework, s.NodeInput(kind="impact", title="Otro impacto"))
    assert codes(exc.value) == {"kind": {"duplicate"}}
    with pytest.raises(ValidationError) as exc:
        s.add_node(officer, framework, s.NodeInput(kind="outcome", title="x"))
    assert codes(exc.value) == {"parent": {"required"}}
    output = s.add_node(officer, framework, s.NodeInput(kind="output", title="Planes", parent=outcome.pk))
    second = s.add_node(officer, framework, s.NodeInput(kind="outcome", title="Bienestar", parent=impact.pk))
    moved = s.edit_node(
        officer, output, s.NodeInput(**{**s.NodeInput.of(output).__dict__, "parent": second.pk}), expected_version=1
    )
    assert moved.parent_id == second.pk and moved.revision == 2
    with pytest.raises(ValidationError) as exc:  # stale
        s.edit_node(officer, output, s.NodeInput.of(output), expected_version=1)
    with pytest.raises(TransitionError) as refused:
        s.delete_node(officer, second, expected_version=None)
    assert refused.value.code == "node_has_children"
    s.delete_node(officer, output, expected_version=None)


def test_indicator_definition_errors_are_under_definition(world):
    _org, _programme, officer, _manager, framework, _impact, outcome = world
    bad = {**COUNT_CASES, "filters": [{"field": "status", "op": "gt", "value": 1}], "unit": "nobody"}
    with pytest.raises(ValidationError) as exc:
        s.create_indicator(officer, framework, indicator_input(outcome, definition=bad))
    assert codes(exc.value) == {"definition.unit": {"invalid_choice"}, "definition.filters.0.op": {"invalid_choice"}}
    huge = {**COUNT_CASES, "filters": [{"field": "plan_days", "op": "lte", "value": "1e999"}]}
    with pytest.raises(ValidationError) as exc:
        s.create_indicator(officer, framework, indicator_input(outcome, definition=huge))
    assert codes(exc.value) == {"definition.filters.0.value": {"invalid"}}
    created = s.create_indicator(officer, framework, indicator_input(outcome))
    with pytest.raises(ValidationError) as exc:
        s.create_indicator(officer, framework, indicator_input(outcome))
    assert codes(exc.value) == {"code": {"duplicate"}}
    by_hand = s.edit_indicator(
        officer, created, indicator_input(outcome, is_computed=False, measure="qualitative"), expected_version=1
    )
    assert by_hand.definition == {}


def test_node_of_another_framework_is_refused(world):
    _org, _programme, officer, _manager, framework, _impact, _outcome = world
    other = f.organisation("otra")
    other_officer = f.user(other, Role.ME_OFFICER)
    foreign = s.create_framework(other_officer, other.programmes.get())
    foreign_impact = s.add_node(other_officer, foreign, s.NodeInput(kind="impact", title="x"))
    with pytest.raises(ValidationError) as exc:
        s.create_indicator(officer, framework, indicator_input(foreign_impact))
    assert codes(exc.value) == {"node": {"invalid_choice"}}
    with pytest.raises(ValidationError) as exc:
        s.add_node(officer, framework, s.NodeInput(kind="outcome", title="x", parent=foreign_impact.pk))
    assert codes(exc.value) == {"parent": {"invalid_choice"}}


def test_adopt_from_the_library(world):
    _org, _programme, officer, _manager, framework, _impact, outcome = world
    standard = StandardIndicator.objects.create(
        code="std-99", name_es="Retornados registrados", measure="count", definition=COUNT_CASES
    )
    adopted = s.adopt_standard(officer, framework, standard=standard.pk, node=outcome.pk)
    assert (adopted.code, adopted.standard_id, adopted.definition) == ("std-99", standard.pk, COUNT_CASES)
    with pytest.raises(ValidationError) as exc:
        s.adopt_standard(officer, framework, standard=standard.pk, node=outcome.pk)
    assert codes(exc.value) == {"standard": {"duplicate"}}


def test_periods_quarters_and_overlap(world):
    _org, programme, officer, *_ = world
    with pytest.raises(ValidationError) as exc:
        s.create_period(officer, programme, s.PeriodInput("custom", date(2026, 3, 1), date(2026, 1, 1)))
    assert codes(exc.value) == {"ends_on": {"ends_before_start"}}
    quarters = s.create_quarters(officer, programme, 2026)
    assert [q.label for q in quarters] == ["2026-T1", "2026-T2", "2026-T3", "2026-T4"]
    with pytest.raises(ValidationError) as exc:
        s.create_period(officer, programme, s.PeriodInput("quarter", date(2026, 2, 1), date(2026, 4, 30)))
    assert codes(exc.value) == {"starts_on": {"overlap"}}
    with pytest.raises(ValidationError) as exc:
        s.create_quarters(officer, programme, 2026)
    assert codes(exc.value) == {"year": {"overlap"}}
    # Another kind may overlap: a year over its quarters.
    year = s.create_period(officer, programme, s.PeriodInput("year", date(2026, 1, 1), date(2026, 12, 31)))
    assert year.label == "2026"


def test_targets_grid_keeps_lop_apart(world):
    _org, programme, officer, _manager, framework, _impact, outcome = world
    indicator = s.create_indicator(officer, framework, indicator_input(outcome))
    q1, q2, *_ = s.create_quarters(officer, programme, 2026)
    grid = {indicator.pk: s.TargetRow(Decimal(50), {q1.pk: Decimal(10), q2.pk: Decimal(15)}, version=1)}
    s.save_targets(officer, framework, grid)
    indicator.refresh_from_db()
    assert indicator.lop_target == 50  # not 25, the sum of the periods'
    assert Target.objects.filter(indicator=indicator).count() == 2
    with pytest.raises(ValidationError) as exc:
        s.save_targets(officer, framework, {indicator.pk: s.TargetRow(None, {q1.pk: Decimal(-1)})})
    assert codes(exc.value) == {f"targets.{indicator.pk}.{q1.pk}": {"out_of_range"}}


def test_reported_cells_must_add_up(world):
    _org, programme, officer, _manager, framework, _impact, outcome = world
    indicator = s.create_indicator(
        officer, framework, indicator_input(outcome, code="trained", is_computed=False, definition={})
    )
    (q1, *_rest) = s.create_quarters(officer, programme, 2026)
    wrong = s.ReportedInput(numerator=Decimal(10), cells={"sex": {"female": 4, "male": 5}})
    with pytest.raises(ValidationError) as exc:
        s.report_value(officer, indicator, q1, wrong, expected_version=0)
    assert codes(exc.value) == {"cells.sex": {"does_not_add_up"}}
    right = s.ReportedInput(numerator=Decimal(10), cells={"sex": {"female": 4, "male": 6}})
    s.report_value(officer, indicator, q1, right, expected_version=0)
    (values,) = snapshots.live_values(indicator, [q1], by=("sex",))
    assert values.total.value == 10 and values.cells[("male",)].value == 6


def test_submit_freezes_and_recompute_says_why(world):
    org, programme, officer, _manager, framework, _impact, outcome = world
    case_manager = f.user(org, Role.CASE_MANAGER)
    f.case(case_manager, f.returnee(case_manager, sex="female"), return_date=date(2026, 2, 1))
    indicator = s.create_indicator(officer, framework, indicator_input(outcome))
    (q1, *_rest) = s.create_quarters(officer, programme, 2026)
    (snap,) = s.submit_period(officer, q1)
    assert snap.values["total"]["value"] == 1
    assert snap.values["dimensions"]["sex"]["female"]["value"] == 1
    assert sum(cell["numerator"] for cell in snap.values["dimensions"]["age_band"].values()) == 1
    with pytest.raises(TransitionError) as refused:
        s.submit_period(officer, q1)
    assert refused.value.code == "period_submitted"
    q1.refresh_from_db()
    (unchanged,) = snapshots.differences(q1, [indicator])
    assert unchanged.reason == snapshots.UNCHANGED
    f.case(case_manager, f.returnee(case_manager, sex="male"), return_date=date(2026, 3, 1))
    (changed,) = snapshots.differences(q1, [indicator])
    assert changed.reason == snapshots.DATA
    assert {(c.dimension, c.bucket) for c in changed.cells} >= {("", ""), ("sex", "male")}
    assert snapshots.values_for(indicator, q1).total.value == 1  # still the frozen value
    frozen = snapshots.values_for(indicator, q1, by=("sex",))
    assert {b: c.value for (b,), c in frozen.cells.items()} == {"female": 1}
    (live,) = snapshots.live_values(indicator, [q1], by=("sex",))
    assert {b: c.value for (b,), c in live.cells.items()} == {"female": 1, "male": 1}
    s.edit_indicator(
        officer,
        indicator,
        indicator_input(outcome, definition={**COUNT_CASES, "unit": "person"}),
        expected_version=indicator.revision,
    )
    (redefined,) = snapshots.differences(q1, [indicator])
    assert redefined.reason == snapshots.DEFINITION
    assert Snapshot.objects.filter(period=q1).count() == 1


def test_cumulative_period_runs_from_the_programme_start(world):
    org, programme, officer, _manager, framework, _impact, outcome = world
    case_manager = f.user(org, Role.CASE_MANAGER)
    f.case(case_manager, return_date=date(2026, 2, 1))
    f.case(case_manager, return_date=date(2026, 5, 1))
    cumulative = s.create_indicator(officer, framework, indicator_input(outcome, time_aggregation="cumulative"))
    q1, q2, *_ = s.create_quarters(officer, programme, 2026)
    assert [v.total.value for v in snapshots.live_values(cumulative, [q1, q2])] == [1, 2]
