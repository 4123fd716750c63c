"""XLSForm in and out, and ODK/Kobo submission files in. No Django import (openpyxl and the pure
`access.spreadsheets` only).

Export: `survey`, `choices` and `settings` sheets that pyxform turns into an XForm for ODK Collect /
KoboCollect. Labels in es/en/fr (`label::Español (es)` ...). Two reserved questions come first:
`case_number` (matches the submission to a case) and `survey_date`; an instrument whose subject is a
community (anonymous respondents) has no case number, only the date, and says `subject` in settings.
Scores travel in extra columns (`dimension`, `weight`, `composite_weight`, `scored` in survey; `score`,
`missing` in choices) that XLSForm tools ignore, so an exported form re-imports with its scoring intact.

Import: an XLSForm (ours or one written by a programme) becomes a *draft* definition dict; scores and
weights a programme has not given stay empty, to be added before publishing.

Submissions: CSV (`,` or `;`, Kobo "XML values and headers"; read by `access.uploads` within the import's
limits) or JSON (Kobo `results`, ODK Central OData `value`, or a plain list). Group prefixes (`group/name`,
`group-name`) are dropped.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openpyxl import load_workbook

from reintegra.access.spreadsheets import Sheet, write_workbook
from reintegra.sustainability.definition import LANGUAGES, SUBJECT_CASE, Definition

CASE_NUMBER = "case_number"
SURVEY_DATE = "survey_date"
RESERVED = (CASE_NUMBER, SURVEY_DATE)
LANGUAGE_NAMES = {"es": "Español", "en": "English", "fr": "Français"}
_TYPE_OUT = {"number": "decimal", "date": "date", "text": "text"}
_META_TYPES = {
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
    "note",
    "calculate",
    "begin group",
    "end group",
    "begin repeat",
    "end repeat",
    "begin_group",
    "end_group",
}
_FIXED_LABELS = {
    CASE_NUMBER: {"es": "Número de caso", "en": "Case number", "fr": "Numéro de dossier"},
    SURVEY_DATE: {"es": "Fecha de la encuesta", "en": "Survey date", "fr": "Date de l'enquête"},
}


def _lang_col(kind: str, lang: str) -> str:
    return f"{kind}::{LANGUAGE_NAMES[lang]} ({lang})"


def xlsform_sheets(definition: Definition, default_language: str = "es") -> list[Sheet]:
    """The instrument as the sheets of an XLSForm: (title, rows), each sheet's first row its header.

    Labels and hints are text typed by programme managers: the workbook is written by
    `access.spreadsheets` (explicit string cells, never formulas)."""
    survey: list[list[Any]] = []
    survey.append(
        [
            "type",
            "name",
            *[_lang_col("label", lang) for lang in LANGUAGES],
            *[_lang_col("hint", lang) for lang in LANGUAGES],
            "required",
            "dimension",
            "indicator",
            "weight",
            "composite_weight",
            "aggregate",
            "scoring_points",
        ]
    )
    blank_scoring = ["", "", "", "", "", ""]
    if definition.subject == SUBJECT_CASE:
        survey.append(
            [
                "text",
                CASE_NUMBER,
                *[_FIXED_LABELS[CASE_NUMBER][lang] for lang in LANGUAGES],
                "",
                "",
                "",
                "yes",
                *blank_scoring,
            ]
        )
    survey.append(
        [
            "date",
            SURVEY_DATE,
            *[_FIXED_LABELS[SURVEY_DATE][lang] for lang in LANGUAGES],
            "",
            "",
            "",
            "yes",
            *blank_scoring,
        ]
    )
    choices: list[list[Any]] = []
    choices.append(["list_name", "name", *[_lang_col("label", lang) for lang in LANGUAGES], "score", "missing"])
    for q in definition.questions:
        if q.type in ("single", "multiple"):
            xls_type = f"{'select_one' if q.type == 'single' else 'select_multiple'} {q.code}"
            for o in q.options:
                choices.append(
                    [
                        q.code,
                        o.code,
                        *[o.labels.get(lang, "") for lang in LANGUAGES],
                        "" if o.score is None else o.score,
                        "yes" if o.missing and q.scored else "",
                    ]
                )
        else:
            xls_type = _TYPE_OUT[q.type]
        survey.append(
            [
                xls_type,
                q.code,
                *[q.labels.get(lang, "") for lang in LANGUAGES],
                *[q.hint.get(lang, "") for lang in LANGUAGES],
                "yes" if q.required else "",
                q.dimension,
                q.indicator,
                q.weight if q.scored else "",
                q.composite_weight if q.scored else "",
                q.aggregate if q.type == "multiple" else "",
                json.dumps([list(p) for p in q.points]) if q.points else "",
            ]
        )
    if any(q.unscored for q in definition.questions):
        # Only then: the column of a recorded, never scored choice (the RSS's form keeps its columns).
        survey[0].append("scored")
        for row, q in zip(survey[-len(definition.questions) :], definition.questions, strict=True):
            row.append("no" if q.unscored else "")
    settings: list[list[Any]] = []
    settings.append(
        ["form_title", "form_id", "version", "default_language", "min_answered_share", "bands", "labels", "description"]
    )
    settings.append(
        [
            definition.labels.get(default_language) or next(iter(definition.labels.values()), definition.code),
            f"{definition.code}_v{definition.version}",
            str(definition.version),
            f"{LANGUAGE_NAMES[default_language]} ({default_language})",
            definition.min_answered_share,
            json.dumps(
                [{"code": b.code, "min": b.min, "labels": b.labels} for b in definition.bands], ensure_ascii=False
            ),
            json.dumps(definition.labels, ensure_ascii=False),
            json.dumps(definition.description, ensure_ascii=False) if definition.description else "",
        ]
    )
    if definition.subject != SUBJECT_CASE:
        settings[0].append("subject")
        settings[1].append(definition.subject)
    return [("survey", survey), ("choices", choices), ("settings", settings)]


def to_xlsform(definition: Definition, default_language: str = "es") -> bytes:
    """The instrument as an XLSForm workbook (bytes of an .xlsx)."""
    out = io.BytesIO()
    write_workbook(out, xlsform_sheets(definition, default_language))
    return out.getvalue()


class XLSFormError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _rows(rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    if not rows:
        return []
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    result = []
    for row in rows[1:]:
        if row is None or all(v in (None, "") for v in row):
            continue
        result.append({h: v for h, v in zip(header, row, strict=False) if h})
    return result


def _labels(row: dict[str, Any], kind: str = "label") -> dict[str, str]:
    """`label::Español (es)` / `label::es` / `label` columns -> {lang: text}."""
    labels: dict[str, str] = {}
    for key, value in row.items():
        if value in (None, "") or not (key == kind or key.startswith(f"{kind}::")):
            continue
        lang = "es"
        if "::" in key:
            tail = key.split("::", 1)[1]
            match = re.search(r"\(([a-z]{2})\)", tail)
            lang = match.group(1) if match else tail.strip().lower()[:2]
            lang = {"sp": "es", "fr": "fr", "en": "en"}.get(lang, lang)
        labels[lang] = str(value)
    return labels


def _float_or_none(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def from_xlsform(content: bytes) -> dict[str, Any]:
    """A draft definition dict from an XLSForm workbook; raise XLSFormError when it is not one. (Uploads are
    read within limits by `access.uploads` and given to `draft_from_sheets`.)"""
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheets = {name: list(wb[name].iter_rows(values_only=True)) for name in wb.sheetnames}
    except Exception as exc:  # openpyxl raises many kinds for a non-workbook
        raise XLSFormError([f"not an .xlsx workbook ({exc.__class__.__name__})"]) from None
    return draft_from_sheets(sheets)


def draft_from_sheets(sheets: Mapping[str, Sequence[Sequence[Any]]]) -> dict[str, Any]:
    """A draft definition dict from the rows of an XLSForm's sheets (header first), by sheet name."""
    if "survey" not in sheets:
        raise XLSFormError(["the workbook has no 'survey' sheet"])
    survey = _rows(sheets["survey"])
    lists = _choice_lists(_rows(sheets.get("choices", [])))
    settings_rows = _rows(sheets.get("settings", []))
    settings = settings_rows[0] if settings_rows else {}
    problems: list[str] = []
    questions: list[dict[str, Any]] = []
    for i, row in enumerate(survey, start=2):
        question = _draft_question(row, f"survey row {i}", lists, problems)
        if question is not None:
            questions.append(question)
    if problems:
        raise XLSFormError(problems)
    if not questions:
        raise XLSFormError(["the survey sheet has no questions that can be scored or recorded"])
    return _draft(settings, questions)


def _choice_lists(choices: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The options of each choice list, by list name."""
    lists: dict[str, list[dict[str, Any]]] = {}
    for c in choices:
        if not c.get("list_name") or c.get("name") in (None, ""):
            continue
        option: dict[str, Any] = {"code": str(c["name"]).strip(), "labels": _labels(c)}
        missing = str(c.get("missing") or "").strip().lower() in {"yes", "true", "1"}
        score = _float_or_none(c.get("score"))
        if missing:
            option["missing"] = True
        elif score is not None:
            option["score"] = score
        lists.setdefault(str(c["list_name"]).strip(), []).append(option)
    return lists


# XLSForm question types -> the instrument's. Others (media, geopoints, etc.) give nothing a score can be
# made of, and are left out of the draft.
_QUESTION_TYPES = {
    "select_one": "single",
    "select_multiple": "multiple",
    "integer": "number",
    "decimal": "number",
    "range": "number",
    "date": "date",
    "datetime": "date",
    "text": "text",
    "string": "text",
}


def _draft_question(
    row: dict[str, Any], where: str, lists: dict[str, list[dict[str, Any]]], problems: list[str]
) -> dict[str, Any] | None:
    """One survey row as a draft question; None for what is not a question (notes, metadata, media...)."""
    raw_type = str(row.get("type") or "").strip()
    name = str(row.get("name") or "").strip()
    if not raw_type or raw_type.lower() in _META_TYPES or name in RESERVED:
        return None
    parts = raw_type.split()
    qtype = _QUESTION_TYPES.get(parts[0].lower())
    if qtype is None:
        return None
    where = f"{where} ({name})"
    question: dict[str, Any] = {"code": name, "labels": _labels(row)}
    hint = _labels(row, "hint")
    if hint:
        question["hint"] = hint
    if qtype in ("single", "multiple") and (len(parts) < 2 or parts[1] not in lists):
        problems.append(f"{where}: choice list {parts[1] if len(parts) > 1 else ''!r} not found")
        return None
    question["type"] = qtype
    if qtype in ("single", "multiple"):
        question["options"] = lists[parts[1]]
    elif qtype == "number" and row.get("scoring_points"):
        try:
            question["scoring"] = {"points": json.loads(str(row["scoring_points"]))}
        except ValueError:
            problems.append(f"{where}: scoring_points is not a JSON list")
    _copy_scoring_columns(row, question)
    return question


def _copy_scoring_columns(row: dict[str, Any], question: dict[str, Any]) -> None:
    for column in ("dimension", "indicator", "aggregate"):
        if row.get(column):
            question[column] = str(row[column]).strip()
    for column in ("weight", "composite_weight"):
        value = _float_or_none(row.get(column))
        if value is not None:
            question[column] = value
    if str(row.get("required") or "").strip().lower() in {"yes", "true", "true()"}:
        question["required"] = True
    if str(row.get("scored") or "").strip().lower() in {"no", "false", "false()"}:
        question["scored"] = False


def _draft(settings: dict[str, Any], questions: list[dict[str, Any]]) -> dict[str, Any]:
    """The definition around the questions, from the settings sheet."""
    form_id = str(settings.get("form_id") or "instrument").strip()
    code = re.sub(r"_v\d+$", "", form_id)
    code = re.sub(r"[^A-Za-z0-9_]", "_", code) or "instrument"
    try:
        version = int(str(settings.get("version") or "1").strip())
    except ValueError:
        version = 1
    draft: dict[str, Any] = {
        "code": code,
        "version": max(version, 1),
        "labels": {"es": str(settings.get("form_title") or code)},
        "questions": questions,
    }
    share = _float_or_none(settings.get("min_answered_share"))
    if share is not None:
        draft["min_answered_share"] = share
    if settings.get("subject"):
        draft["subject"] = str(settings["subject"]).strip()
    for column in ("bands", "labels", "description"):
        if settings.get(column):
            # A programme's own column of that name that is not JSON is not ours to read.
            with contextlib.suppress(ValueError):
                draft[column] = json.loads(str(settings[column]))
    return draft


# --- Submissions -------------------------------------------------------------------------------------

DATE_MISSING = "the survey date is missing"
_KEY_COLUMNS = ("meta/instanceID", "instanceID", "_uuid", "KEY", "__id", "meta-instanceID")
_DATE_COLUMNS = (SURVEY_DATE, "today", "start", "_submission_time", "SubmissionDate")


@dataclass
class Submission:
    row: int  # 1-based data row (CSV: line after the header is row 2, as a spreadsheet shows it)
    values: dict[str, Any]  # question code -> raw value
    case_number: str = ""
    taken_on: date | None = None
    key: str = ""
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column, reason)


def _short(column: str) -> str:
    """`group/sub/name` or `group-name` -> `name` (question codes have neither '/' nor '-')."""
    return re.split(r"[/-]", column)[-1].strip()


def _flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}/{key}" if prefix else str(key)
        if isinstance(value, dict):
            flat.update(_flatten(value, name))
        else:
            flat[name] = value
    return flat


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def _submission(row_number: int, record: dict[str, Any], question_codes: set[str], case_number: bool) -> Submission:
    flat = _flatten(record)
    sub = Submission(row=row_number, values={})
    for column, value in flat.items():
        if column in _KEY_COLUMNS and value and not sub.key:
            sub.key = str(value).strip()[:120]
        short = _short(column)
        if short == CASE_NUMBER:
            sub.case_number = str(value or "").strip()
        elif short in question_codes and not column.startswith("_"):
            # Kobo adds one 0/1 column per option of a select_multiple ("q/opt"): the short name is then
            # the option, not a question, so those never land here.
            sub.values[short] = value
    for column in _DATE_COLUMNS:
        raw = next((v for c, v in flat.items() if _short(c) == column or c == column), None)
        if raw not in (None, ""):
            sub.taken_on = _date(raw)
            if sub.taken_on is None:
                sub.problems.append((column, f"{raw!r} is not a date (YYYY-MM-DD)"))
            break
    else:
        sub.problems.append((SURVEY_DATE, DATE_MISSING))
    if case_number and not sub.case_number:
        sub.problems.append((CASE_NUMBER, "the case number is missing"))
    return sub


def json_records(content: bytes) -> list[dict[str, Any]]:
    """The submissions of a JSON export (Kobo `results`, ODK Central OData `value`, or a plain list), each
    flattened (`group/name` keys); raise XLSFormError when it is not one."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise XLSFormError(["the file is not UTF-8 text"]) from None
    except json.JSONDecodeError as exc:
        raise XLSFormError([f"not valid JSON ({exc.msg}, line {exc.lineno})"]) from None
    except RecursionError:
        raise XLSFormError(["the JSON is nested too deeply"]) from None
    if isinstance(data, dict):
        data = data.get("results", data.get("value", data.get("submissions")))
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise XLSFormError(["JSON must be a list of submissions (or Kobo 'results' / ODK Central 'value')"])
    try:
        return [_flatten(record) for record in data]
    except RecursionError:
        raise XLSFormError(["the JSON is nested too deeply"]) from None


def is_json(content: bytes, filename: str) -> bool:
    return filename.lower().endswith(".json") or content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"["))


def submissions(
    records: Iterable[tuple[int, dict[str, Any]]], question_codes: set[str], *, case_number: bool = True
) -> list[Submission]:
    """Submissions from (row number, flat record) pairs: CSV rows (the header is row 1) or JSON records.
    `case_number=False`: an instrument whose subject is a community (no case number to require)."""
    return [_submission(number, record, question_codes, case_number) for number, record in records]
