from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from reintegra.places import selectors
from reintegra.places.models import AdminArea
from reintegra.places.services import COLUMNS, GazetteerError, load_gazetteer, read_rows

pytestmark = pytest.mark.django_db

FIRST_LEVEL = {"MX": 32, "GT": 22, "HN": 18, "SV": 14}


def area(country: str, name: str, level: int = 2) -> AdminArea:
    return AdminArea.objects.select_related("parent").get(country=country, name=name, level=level)


def test_loads_every_state_and_department_and_the_main_municipalities():
    result = load_gazetteer()
    assert result.created == result.total == AdminArea.objects.count()
    for country, states in FIRST_LEVEL.items():
        assert AdminArea.objects.filter(country=country, level=1).count() == states
        assert result.countries[country].states == states
        assert 30 <= AdminArea.objects.filter(country=country, level=2).count() <= 60
    # Every municipality hangs from a state / department of its own country.
    for muni in AdminArea.objects.filter(level=2).select_related("parent"):
        assert muni.parent is not None and muni.parent.level == 1 and muni.parent.country == muni.country


@pytest.mark.parametrize(
    ("country", "name", "code", "parent", "parent_code"),
    [
        ("MX", "Tijuana", "02004", "Baja California", "02"),
        ("MX", "Juárez (Ciudad Juárez)", "08037", "Chihuahua", "08"),
        ("MX", "Oaxaca de Juárez", "20067", "Oaxaca", "20"),
        ("MX", "Morelia", "16053", "Michoacán de Ocampo", "16"),
        ("GT", "Huehuetenango", "1301", "Huehuetenango", "GT-13"),
        ("GT", "Cobán", "1601", "Alta Verapaz", "GT-16"),
        ("GT", "Mixco", "0108", "Guatemala", "GT-01"),
        ("HN", "Distrito Central (Tegucigalpa)", "0801", "Francisco Morazán", "HN-FM"),
        ("HN", "San Pedro Sula", "0501", "Cortés", "HN-CR"),
        ("HN", "Danlí", "0703", "El Paraíso", "HN-EP"),
        ("SV", "Soyapango", "0617", "San Salvador", "SV-SS"),
        ("SV", "Usulután", "1123", "Usulután", "SV-US"),
        ("SV", "La Unión", "1408", "La Unión", "SV-UN"),
    ],
)
def test_places_have_official_codes_accents_and_parents(country, name, code, parent, parent_code):
    load_gazetteer()
    muni = area(country, name)
    assert (muni.code, muni.parent.name, muni.parent.code) == (code, parent, parent_code)
    assert str(muni) == f"{name}, {parent}"


def test_loading_again_changes_nothing_and_repairs_edits():
    load_gazetteer()
    before = AdminArea.objects.count()
    again = load_gazetteer()
    assert (again.created, again.updated, again.unchanged) == (0, 0, before)
    AdminArea.objects.filter(country="GT", code="1301").update(name="Huehue")
    repaired = load_gazetteer()
    assert (repaired.created, repaired.updated) == (0, 1)
    assert area("GT", "Huehuetenango").code == "1301"
    assert AdminArea.objects.count() == before


def test_country_filter():
    result = load_gazetteer(countries=["sv"])
    assert set(result.countries) == {"SV"}
    assert set(AdminArea.objects.values_list("country", flat=True)) == {"SV"}


def test_new_areas_get_their_ids_where_bulk_inserts_return_none(monkeypatch):
    insert = AdminArea.objects.bulk_create

    def without_ids(objs, *args, **kwargs):  # as on a backend that cannot return ids from bulk inserts
        created = insert(objs, *args, **kwargs)
        for obj in created:
            obj.pk = None
        return created

    monkeypatch.setattr(AdminArea.objects, "bulk_create", without_ids)
    result = load_gazetteer(countries=["SV"])
    sv = result.countries["SV"]
    assert result.created == AdminArea.objects.count() == sv.states + sv.municipalities
    muni = area("SV", "Soyapango")
    assert (muni.parent.name, muni.parent.code) == ("San Salvador", "SV-SS")


def write_csv(folder: Path, rows: list[str]) -> Path:
    (folder / "xx.csv").write_text("\n".join([",".join(COLUMNS), *rows]) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["MX,1,01,Aguascalientes,", "MX,1,01,Otra,"], "already used"),
        (["MX,2,01001,Aguascalientes,99"], "unknown state"),
        (["MX,3,01,Aguascalientes,"], "level must be 1 or 2"),
        (["MX,2,01001,Aguascalientes,"], "needs the code"),
    ],
)
def test_malformed_files_are_refused_with_the_line(tmp_path, rows, message):
    with pytest.raises(GazetteerError, match=message) as err:
        read_rows(write_csv(tmp_path, rows))
    assert "xx.csv:" in str(err.value)
    assert not AdminArea.objects.exists()


def test_command_prints_counts():
    out = StringIO()
    call_command("load_places", stdout=out)
    text = out.getvalue()
    assert "MX: 32 states/departments" in text
    assert "GT: 22 states/departments" in text
    assert f"{AdminArea.objects.count()} created" in text
    out = StringIO()
    call_command("load_places", "--country", "HN", stdout=out)
    assert "0 created, 0 updated" in out.getvalue()


def test_command_reports_bad_files(tmp_path):
    write_csv(tmp_path, ["MX,2,01001,Aguascalientes,99"])
    with pytest.raises(CommandError, match="unknown state"):
        call_command("load_places", "--data-dir", str(tmp_path), stdout=StringIO())


def test_municipality_lists_are_read_once_and_forgotten_when_the_gazetteer_is_loaded(django_assert_num_queries):
    load_gazetteer(countries=["SV"])
    with django_assert_num_queries(1):
        first = selectors.municipalities_by_state("SV")
        assert selectors.municipalities_by_state("sv") == first
    states = dict(first)
    assert (
        sum(len(municipalities) for municipalities in states.values())
        == AdminArea.objects.filter(country="SV", level=2).count()
    )
    assert all(names == sorted(names, key=lambda m: (m[1], m[0])) for names in states.values())
    renamed = AdminArea.objects.filter(country="SV", level=2).order_by("pk").first()
    assert renamed is not None
    AdminArea.objects.filter(pk=renamed.pk).update(name="Nombre editado")
    assert "Nombre editado" not in str(selectors.municipalities_by_state("SV"))  # still the list read above
    load_gazetteer(countries=["SV"])  # repairs the name, and forgets the list
    with django_assert_num_queries(1):
        assert selectors.municipalities_by_state("SV") == first
