"""XLSForm out (valid for pyxform) and in (draft), and ODK/Kobo submission files."""

import json
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ValidationError
from pyxform.xls2xform import convert

from reintegra.sustainability import definition, services, xlsform

RSS = definition.parse(
    yaml.safe_load((Path(definition.__file__).parent / "instruments" / "rss.yaml").read_text(encoding="utf-8"))
)


def test_export_is_a_valid_xlsform(tmp_path):
    path = tmp_path / "rss.xlsx"
    path.write_bytes(xlsform.to_xlsform(RSS))
    result = convert(xlsform=str(path))
    assert "<h:html" in result.xform
    for q in RSS.questions:
        assert f"/{q.code}" in result.xform
    assert 'lang="Español (es)"' in result.xform and 'lang="Français (fr)"' in result.xform


def test_export_then_import_keeps_the_whole_definition():
    draft = xlsform.from_xlsform(xlsform.to_xlsform(RSS))
    assert definition.parse(draft).to_dict() == RSS.to_dict()


def test_a_plain_xlsform_becomes_a_draft_without_scores(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    survey.append(["type", "name", "label::Español (es)", "label::English (en)"])
    survey.append(["start", "start", "", ""])
    survey.append(["begin group", "g1", "Grupo", "Group"])
    survey.append(["select_one yn", "trabaja", "¿Trabaja?", "Working?"])
    survey.append(["integer", "hijos", "Hijos", "Children"])
    survey.append(["end group", "", "", ""])
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", "label::Español (es)", "label::English (en)"])
    choices.append(["yn", "si", "Sí", "Yes"])
    choices.append(["yn", "no", "No", "No"])
    settings = wb.create_sheet("settings")
    settings.append(["form_title", "form_id", "version"])
    settings.append(["Encuesta local", "encuesta_local", "2024010101"])
    path = tmp_path / "f.xlsx"
    wb.save(path)
    draft = xlsform.from_xlsform(path.read_bytes())
    assert draft["code"] == "encuesta_local"
    assert [q["code"] for q in draft["questions"]] == ["trabaja", "hijos"]
    assert draft["questions"][0]["options"][0] == {"code": "si", "labels": {"es": "Sí", "en": "Yes"}}
    with pytest.raises(definition.DefinitionError):  # scores and dimensions still to be added
        definition.parse(draft)


def test_not_a_workbook_is_refused():
    with pytest.raises(xlsform.XLSFormError):
        xlsform.from_xlsform(b"hello")


def test_kobo_csv_with_groups_semicolons_and_multiple_choice_columns():
    text = (
        "start;group_a/case_number;survey_date;group_a/eco_satisfaction;eco_income_sources;"
        "eco_income_sources/salaried;_uuid\n"
        "2025-01-01T10:00;GT-1;2025-01-02;satisfied;salaried remittances;1;abc\n"
        "2025-01-01T10:00;;bad-date;satisfied;;0;def\n"
    )
    rows = services.read_submissions(text.encode(), "x.csv", {q.code for q in RSS.questions})
    first, second = rows
    assert first.row == 2 and first.case_number == "GT-1" and first.key == "abc"
    assert first.values == {"eco_satisfaction": "satisfied", "eco_income_sources": "salaried remittances"}
    assert str(first.taken_on) == "2025-01-02"
    assert {c for c, _r in second.problems} == {"case_number", "survey_date"}


def test_odk_central_json_with_nested_groups():
    data = {
        "value": [{"__id": "uuid:1", "case_number": "GT-2", "survey_date": "2025-02-01", "g": {"psy_safety": "agree"}}]
    }
    rows = services.read_submissions(json.dumps(data).encode(), "x.json", {"psy_safety"})
    assert rows[0].values == {"psy_safety": "agree"} and rows[0].key == "uuid:1" and rows[0].row == 1


def test_unreadable_json_is_refused():
    with pytest.raises(xlsform.XLSFormError):
        xlsform.json_records(b"{nope")
    with pytest.raises(ValidationError):
        services.read_submissions(b"{nope", "x.json", set())
