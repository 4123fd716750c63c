"""Area boundaries (`reintegra load-boundaries`) and the hotspot map drawn from them server-side as SVG.

The GeoJSON is made up (boxes) with real gazetteer codes: `boundaries_fixture`."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from reintegra.access.models import Programme
from reintegra.community import boundaries_core, services
from reintegra.community.models import Boundary
from reintegra.places.choices import AdminLevel

from . import boundaries_fixture
from .test_hotspots import _returns


def test_codes_match_whatever_their_separators():
    assert boundaries_core.normalise_code("GT-1301") == boundaries_core.normalise_code(" gt1301 ") == "GT1301"


def test_simplification_drops_points_on_a_straight_side_and_keeps_the_ring_closed():
    ring = [tuple(p) for p in boundaries_fixture._box(-91.5, 15.3)]
    simple = boundaries_core.simplify_ring(ring)  # type: ignore[arg-type]
    assert len(simple) == 5 and simple[0] == simple[-1]  # the four corners, closed
    assert boundaries_core.simplify([[ring]])[0][0][2] == [-91.4, 15.4]  # type: ignore[list-item]


def test_a_file_that_is_not_a_feature_collection_is_refused_and_bad_features_are_named():
    with pytest.raises(boundaries_core.BoundaryError):
        boundaries_core.parse_features({"type": "Feature"}, "PCODE")
    data = boundaries_fixture.municipalities()
    data["features"].append(
        {"type": "Feature", "properties": {"PCODE": "GT1303"}, "geometry": {"type": "Point", "coordinates": [1, 2]}}
    )
    features, skipped = boundaries_core.parse_features(data, "PCODE")
    assert [f.code for f in features] == ["GT1301", "GT1302", "GT9999"]
    assert len(skipped) == 2 and "GT1303" in skipped[1]


def test_classes_are_quantiles_with_distinct_bounds():
    assert boundaries_core.classes([]) == []
    assert boundaries_core.classes([1.0, 1.0, 2.0]) == [(1.0, 1.0), (2.0, 2.0)]
    bounds = boundaries_core.classes([float(v) for v in range(1, 11)])
    assert len(bounds) == 5 and bounds[0][0] == 1.0 and bounds[-1][1] == 10.0


def test_the_svg_escapes_every_text():
    shape = boundaries_core.Shape(
        "X<1", [[[[0, 0], [1, 0], [1, 1], [0, 0]]]], 1.0, True, '<script>"a"</script>', "/x?a=1&b=2"
    )
    svg = boundaries_core.choropleth_svg([shape], title="<b>", description="&")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "<b>" not in svg
    assert 'href="/x?a=1&amp;b=2"' in svg and 'data-code="X&lt;1"' in svg


def _load(tmp_path, data, *args):
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps(data))
    call_command("load_boundaries", str(path), *args)


@pytest.mark.django_db
def test_the_command_matches_gazetteer_codes_and_replaces_on_reload(office, tmp_path, capsys):
    _load(tmp_path, boundaries_fixture.municipalities(), "--level", "municipality", "--code-field", "PCODE")
    out = capsys.readouterr()
    assert "Boundaries loaded: 2" in out.out and "GT9999" in out.err
    by_code = {b.area.code: b for b in Boundary.objects.select_related("area")}
    assert set(by_code) == {"GT-1301", "GT-1302"}
    assert len(by_code["GT-1302"].polygons) == 2  # a MultiPolygon keeps its parts
    assert by_code["GT-1301"].source == "areas.geojson"
    _load(tmp_path, boundaries_fixture.municipalities(), "--country", "GT")
    assert Boundary.objects.count() == 2  # replaced, not added
    _load(tmp_path, boundaries_fixture.departments(), "--level", "department")
    assert Boundary.objects.filter(area__level=AdminLevel.FIRST).count() == 1


@pytest.mark.django_db
def test_the_command_says_what_is_wrong(office, tmp_path):
    with pytest.raises(CommandError, match="FeatureCollection"):
        _load(tmp_path, {"type": "Feature"})
    with pytest.raises(CommandError, match="No boundary matched"):
        _load(tmp_path, boundaries_fixture.municipalities(code_field="ADM2_PCODE"))
    with pytest.raises(CommandError, match="No boundary matched"):
        _load(tmp_path, boundaries_fixture.municipalities(), "--country", "HN")
    (tmp_path / "broken.geojson").write_text("{not json")
    with pytest.raises(CommandError):
        call_command("load_boundaries", str(tmp_path / "broken.geojson"))


@pytest.fixture
def mapped(office):
    Programme.objects.filter(organisation=office.org).update(suppression_threshold=2)
    _returns(office, office.muni, [5, 20, 40, 200])
    _returns(office, office.muni2, [10, 30, 100])  # no population recorded: no rate
    services.load_boundaries(boundaries_fixture.municipalities(), level=AdminLevel.SECOND, code_field="PCODE")
    services.load_boundaries(boundaries_fixture.departments(), level=AdminLevel.FIRST, code_field="PCODE")
    return office


@pytest.mark.django_db
def test_without_boundaries_the_page_shows_the_table_and_chart_only(office, client):
    Programme.objects.filter(organisation=office.org).update(suppression_threshold=2)
    _returns(office, office.muni, [5, 20])
    client.force_login(office.me_officer)
    body = client.get(reverse("community:hotspots")).content.decode()
    assert 'class="choropleth"' not in body and 'id="table-title"' in body


@pytest.mark.django_db
def test_the_map_draws_the_table_s_figures_with_a_legend_and_a_text_alternative(mapped, client):
    client.force_login(mapped.me_officer)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("community:hotspots"), {"country": "GT"}).content.decode()
    assert body.count('<svg class="choropleth"') == 1 and 'aria-labelledby="choropleth-title choropleth-desc"' in body
    assert body.count("<path ") == 3  # two municipalities and the department's outline
    assert f'href="{reverse("community:detail", args=[mapped.community.pk])}" data-code="GT-1301"' in body
    assert "Huehuetenango: 0.20 returns per 1,000 residents" in body  # 4 returns, 20,000 residents
    assert "Chiantla, Huehuetenango: 3 returns, no population recorded" in body
    assert 'class="legend"' in body and 'href="#table-title"' in body and 'id="table-title"' in body
    client.cookies["django_language"] = "es"  # the reader's language and number format
    body = client.get(reverse("community:hotspots"), {"country": "GT"}).content.decode()
    assert "Huehuetenango: 0,20 retornos por cada 1,000 habitantes" in body  # like the table (floatformat)
