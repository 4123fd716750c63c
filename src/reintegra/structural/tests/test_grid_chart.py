"""The stakeholder interest x influence chart (issue 18.18): every point numbered and listed in the table
beside the chart with its scores, a tooltip naming it, integer ticks on the 1–5 scales, and points that share
their scores spread apart the same way every time, inside their cell."""

from types import SimpleNamespace

import pytest
from django.utils import translation

from reintegra.structural import charts


def _stakeholder(pk, name, interest, influence):
    programme = SimpleNamespace(stakeholder_high_threshold=4)
    return SimpleNamespace(pk=pk, name=name, interest=interest, influence=influence, programme=programme)


PEOPLE = [
    _stakeholder(1, "Ministerio de Trabajo", 5, 4),
    _stakeholder(2, "SOSEP", 5, 4),
    _stakeholder(3, "INTECAP", 5, 4),
    _stakeholder(4, "Cámara de Comercio", 2, 2),
]


def _points(grid):
    return [p for d in grid["config"]["data"]["datasets"] if d.get("type") == "bubble" for p in d["data"]]


@pytest.mark.django_db
def test_each_point_is_numbered_listed_and_named_in_its_tooltip():
    with translation.override("es"):
        grid = charts.stakeholder_grid(PEOPLE)
    rows = grid["rows"]
    assert [(r["number"], r["name"], r["interest"], r["influence"]) for r in rows] == [
        (1, "Ministerio de Trabajo", 5, 4),
        (2, "SOSEP", 5, 4),
        (3, "INTECAP", 5, 4),
        (4, "Cámara de Comercio", 2, 2),
    ]
    by_name = {p["label"]: p for p in _points(grid)}
    assert by_name["SOSEP"]["tag"] == "2"
    assert by_name["SOSEP"]["tooltip"] == "2. SOSEP: interés 5, influencia 4"


@pytest.mark.django_db
def test_the_axes_show_one_tick_per_score():
    scales = charts.stakeholder_grid(PEOPLE)["config"]["options"]["scales"]
    for axis in ("x", "y"):
        assert scales[axis]["ticks"] == {"stepSize": 1, "includeBounds": False, "precision": 0}
        assert (scales[axis]["min"], scales[axis]["max"]) == (0.5, 5.5)


@pytest.mark.django_db
def test_points_sharing_their_scores_are_spread_apart_inside_their_cell_the_same_way_each_time():
    first = _points(charts.stakeholder_grid(PEOPLE))
    assert first == _points(charts.stakeholder_grid(PEOPLE))  # deterministic
    shared = [(p["x"], p["y"]) for p in first if p["label"] in ("Ministerio de Trabajo", "SOSEP", "INTECAP")]
    assert len(set(shared)) == 3
    for x, y in shared:  # still in the cell of influence 4, interest 5 (the quadrant lines run between scores)
        assert abs(x - 4) < 0.5 and abs(y - 5) < 0.5
    alone = next(p for p in first if p["label"] == "Cámara de Comercio")
    assert (alone["x"], alone["y"]) == (2, 2)  # a point alone keeps its exact place


def test_many_points_in_one_cell_stay_inside_it_and_apart():
    offsets = [charts.spread(i, 30) for i in range(30)]
    assert len(set(offsets)) == 30
    assert all(dx * dx + dy * dy < 0.5 * 0.5 for dx, dy in offsets)
