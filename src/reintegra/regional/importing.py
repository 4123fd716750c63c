"""Reading a CSV or XLSX of actions: every row is checked and every problem reported (row, column, reason).

Columns (header names in English or Spanish; only the first five are required):
  country | action | level | dimension | description | institution | institution_kind | target_population |
  starts_on | ends_on | funding_source | evaluation_status | evaluated_on | evaluation_reference | source
Levels and dimensions take codes or Spanish/English/French words and may list several, separated by ";"
or "|" or "," (the action then covers every combination).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from django.utils.translation import gettext as _
from django_countries import countries

from reintegra.access import uploads
from reintegra.access.uploads import Limits
from reintegra.regional.choices import Dimension, EvaluationStatus, FundingSource, InstitutionKind, InterventionLevel
from reintegra.regional.duplication import normalise
from reintegra.regional.services import ActionInput, validation_errors

# Limits of one file (README, "Import limits").
LIMITS = Limits(max_bytes=10 * 1024 * 1024, max_rows=20_000, max_columns=60, max_cell_chars=10_000)

# Accepted header names (normalised) -> ActionInput field.
HEADERS = {
    "country": "country",
    "pais": "country",
    "action": "title",
    "accion": "title",
    "title": "title",
    "nombre": "title",
    "level": "levels",
    "levels": "levels",
    "nivel": "levels",
    "niveles": "levels",
    "dimension": "dimensions",
    "dimensions": "dimensions",
    "dimensiones": "dimensions",
    "description": "description",
    "descripcion": "description",
    "institution": "institution_name",
    "institucion": "institution_name",
    "institution kind": "institution_kind",
    "institution_kind": "institution_kind",
    "tipo de institucion": "institution_kind",
    "target population": "target_population",
    "target_population": "target_population",
    "poblacion meta": "target_population",
    "poblacion objetivo": "target_population",
    "starts on": "starts_on",
    "starts_on": "starts_on",
    "inicio": "starts_on",
    "ends on": "ends_on",
    "ends_on": "ends_on",
    "fin": "ends_on",
    "funding source": "funding_source",
    "funding_source": "funding_source",
    "financiamiento": "funding_source",
    "fuente de financiamiento": "funding_source",
    "evaluation status": "evaluation_status",
    "evaluation_status": "evaluation_status",
    "estado de evaluacion": "evaluation_status",
    "evaluated on": "evaluated_on",
    "evaluated_on": "evaluated_on",
    "fecha de evaluacion": "evaluated_on",
    "evaluation reference": "evaluation_reference",
    "evaluation_reference": "evaluation_reference",
    "referencia de evaluacion": "evaluation_reference",
    "source": "source",
    "fuente": "source",
}
REQUIRED = ("country", "title", "levels", "dimensions")

LEVEL_WORDS = {
    "individual": InterventionLevel.INDIVIDUAL,
    "community": InterventionLevel.COMMUNITY,
    "comunitario": InterventionLevel.COMMUNITY,
    "comunitaria": InterventionLevel.COMMUNITY,
    "communautaire": InterventionLevel.COMMUNITY,
    "structural": InterventionLevel.STRUCTURAL,
    "estructural": InterventionLevel.STRUCTURAL,
    "structurel": InterventionLevel.STRUCTURAL,
}
DIMENSION_WORDS = {
    "economic": Dimension.ECONOMIC,
    "economica": Dimension.ECONOMIC,
    "economico": Dimension.ECONOMIC,
    "economique": Dimension.ECONOMIC,
    "social": Dimension.SOCIAL,
    "sociale": Dimension.SOCIAL,
    "psychosocial": Dimension.PSYCHOSOCIAL,
    "psicosocial": Dimension.PSYCHOSOCIAL,
    "psychosociale": Dimension.PSYCHOSOCIAL,
}


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet's row number (the header is row 1)
    column: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ParseResult:
    rows: list[ActionInput]
    errors: list[RowError]

    @property
    def ok(self) -> bool:
        return not self.errors


def _choices_by_word(choices: Any) -> dict[str, str]:
    """Code and every language's label (normalised) -> code, for a TextChoices."""
    from django.utils import translation

    words = {}
    for value, label in choices.choices:
        words[normalise(value)] = value
        for language in ("en", "es", "fr"):
            with translation.override(language):
                words[normalise(str(label))] = value
    return words


def _split(value: str) -> list[str]:
    for separator in "|,":
        value = value.replace(separator, ";")
    return [part.strip() for part in value.split(";") if part.strip()]


def _country(value: str) -> str | None:
    value = value.strip()
    if value.upper() in dict(countries):
        return value.upper()
    wanted = normalise(value)
    from django.utils import translation

    for language in ("es", "en", "fr"):
        with translation.override(language):
            for code, name in countries:
                if normalise(str(name)) == wanted:
                    return str(code)
    return None


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip())


def read_table(stream: IO[bytes] | bytes, filename: str) -> uploads.Table:
    """A CSV (UTF-8, comma or semicolon) or XLSX file within LIMITS; raises uploads.UploadError otherwise.
    Dates of a workbook stay dates."""
    return uploads.read_table(stream, filename, LIMITS, text=False, delimiters=",;")


def parse(stream: IO[bytes], filename: str) -> ParseResult:
    """Every row as an ActionInput, or every problem found; the caller writes nothing unless `ok`."""
    words = _Vocabularies.build()
    try:
        table = read_table(stream, filename)
    except uploads.UploadError as exc:
        return ParseResult([], _unreadable(exc))
    if not table.rows:
        return ParseResult([], [RowError(1, "-", _("The file has no rows."))])
    columns = _columns(table.header)
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        return ParseResult([], [RowError(1, name, _("This column is missing from the header.")) for name in missing])
    rows: list[ActionInput] = []
    errors: list[RowError] = []
    for number, raw in table.records():
        values = {name: ("" if raw.get(header) is None else raw.get(header)) for name, header in columns.items()}
        if not any(str(v).strip() for v in values.values()):
            continue  # blank line
        problems = _RowProblems(number, columns)
        data = _action(values, words, problems)
        errors.extend(problems.errors)
        if not problems.errors:
            rows.append(data)
    return ParseResult(rows, errors)


def _unreadable(exc: uploads.UploadError) -> list[RowError]:
    errors = [RowError(p.row or 1, p.column or "-", p.message) for p in exc.problems]
    if exc.more:
        errors.append(RowError(1, "-", _("… and %(n)s more problems.") % {"n": exc.more}))
    return errors


def _columns(header: list[str]) -> dict[str, str]:
    """ActionInput field -> the file's header for it (the first of the accepted names found)."""
    columns: dict[str, str] = {}
    for name in header:
        key = normalise(name or "")
        if key in HEADERS:
            columns.setdefault(HEADERS[key], name)
    return columns


@dataclass(frozen=True)
class _Vocabularies:
    """Every word (code or label in any language, normalised) a file may use, -> its code."""

    levels: dict[str, str]
    dimensions: dict[str, str]
    institution_kinds: dict[str, str]
    funding_sources: dict[str, str]
    evaluation_statuses: dict[str, str]

    @classmethod
    def build(cls) -> _Vocabularies:
        return cls(
            levels={**LEVEL_WORDS, **_choices_by_word(InterventionLevel)},
            dimensions={**DIMENSION_WORDS, **_choices_by_word(Dimension)},
            institution_kinds=_choices_by_word(InstitutionKind),
            funding_sources=_choices_by_word(FundingSource),
            evaluation_statuses=_choices_by_word(EvaluationStatus),
        )


@dataclass
class _RowProblems:
    """The problems of one row, each under the file's header for its column."""

    number: int
    columns: dict[str, str]
    errors: list[RowError] = field(default_factory=list)

    def add(self, name: str, message: str) -> None:
        self.errors.append(RowError(self.number, self.columns.get(name, name), message))


def _action(values: dict[str, Any], words: _Vocabularies, problems: _RowProblems) -> ActionInput:
    """One row as an ActionInput; what is wrong with it goes to `problems`."""
    country = _country(str(values["country"]))
    if country is None:
        problems.add("country", _("Unknown country: %(value)s.") % {"value": values["country"]})
    data = ActionInput(
        country=country or "",
        title=str(values["title"]).strip(),
        levels=_codes(values["levels"], words.levels, "levels", _("Unknown level: %(value)s."), problems),
        dimensions=_codes(
            values["dimensions"], words.dimensions, "dimensions", _("Unknown dimension: %(value)s."), problems
        ),
        description=str(values.get("description", "")).strip(),
        institution_name=str(values.get("institution_name", "")).strip(),
        target_population=str(values.get("target_population", "")).strip(),
        evaluation_reference=str(values.get("evaluation_reference", "")).strip(),
        source=str(values.get("source", "")).strip(),
    )
    for name, vocabulary, default in (
        ("institution_kind", words.institution_kinds, InstitutionKind.OTHER),
        ("funding_source", words.funding_sources, FundingSource.UNKNOWN),
        ("evaluation_status", words.evaluation_statuses, EvaluationStatus.NOT_EVALUATED),
    ):
        _read_choice(data, name, str(values.get(name, "")).strip(), vocabulary, default, problems)
    for name in ("starts_on", "ends_on", "evaluated_on"):
        _read_date(data, name, values.get(name, ""), problems)
    _add_rule_errors(data, problems)
    return data


def _codes(value: Any, vocabulary: dict[str, str], name: str, unknown: str, problems: _RowProblems) -> list[str]:
    """The codes of a list of words (levels or dimensions); `unknown` is the message for a word not known."""
    codes = []
    for word in _split(str(value)):
        if normalise(word) in vocabulary:
            codes.append(vocabulary[normalise(word)])
        else:
            problems.add(name, unknown % {"value": word})
    return codes


def _read_choice(
    data: ActionInput, name: str, value: str, vocabulary: dict[str, str], default: str, problems: _RowProblems
) -> None:
    if not value:
        setattr(data, name, default)
    elif normalise(value) in vocabulary:
        setattr(data, name, vocabulary[normalise(value)])
    else:
        problems.add(name, _("Unknown value: %(value)s.") % {"value": value})


def _read_date(data: ActionInput, name: str, value: Any, problems: _RowProblems) -> None:
    if value in ("", None):
        return
    try:
        setattr(data, name, _date(value))
    except ValueError:
        problems.add(name, _("Not a date (use YYYY-MM-DD): %(value)s.") % {"value": value})


def _add_rule_errors(data: ActionInput, problems: _RowProblems) -> None:
    """The service's own checks, for the columns that have no problem reported yet."""
    columns = problems.columns
    reported = {e.column for e in problems.errors}
    for name, messages in validation_errors(data).items():
        column = columns.get(name, name)
        if column in reported or (name in ("levels", "dimensions", "country") and columns[name] in reported):
            continue
        for message in messages:
            problems.add(name, message)
