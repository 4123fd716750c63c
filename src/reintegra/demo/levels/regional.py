"""Demo data of the regional catalogue: the national actions of the CRM 2022 workshop report (its §4, as in
data/regional_actions_crm_2022.csv) and a few illustrative ones, some evaluated as good practices
(data/regional.yaml).

The CSV rows are real: their level and dimension are the report's; the institution and target population
are only filled where the report's text names them. The extra actions are invented for the demo and say
so in their `source` (no real evaluation is claimed for a real programme).
"""

from __future__ import annotations

from typing import Any

from reintegra.demo import vocabulary
from reintegra.demo.levels.context import DemoContext
from reintegra.regional import importing, services
from reintegra.regional.choices import EvaluationStatus
from reintegra.regional.duplication import normalise
from reintegra.regional.models import RegionalAction
from reintegra.regional.services import ActionInput

DATA_FILE = vocabulary.DATA_DIR / "regional_actions_crm_2022.csv"
_DATA = vocabulary.load("regional.yaml")
SOURCE: str = _DATA["source"]
DEMO_SOURCE: str = _DATA["demo_source"]


def _apply(row: ActionInput, details: dict[str, Any]) -> None:
    if "institution" in details:
        row.institution_name = details["institution"]["name"]
        row.institution_kind = details["institution"]["kind"]
    row.target_population = details.get("target_population", row.target_population)


def report_rows() -> list[ActionInput]:
    """The report's actions from the CSV, with the details its text gives."""
    with DATA_FILE.open("rb") as stream:
        parsed = importing.parse(stream, DATA_FILE.name)
    if not parsed.ok:  # the file ships with the app: a bad row is a bug
        raise ValueError("; ".join(str(e) for e in parsed.errors))
    details = {normalise(title): values for title, values in _DATA["details"].items()}
    for row in parsed.rows:
        if row.country == "MX":
            _apply(row, _DATA["mexico"])
        _apply(row, details.get(normalise(row.title), {}))
        row.source = SOURCE
    return parsed.rows


def load_actions() -> dict[str, list[ActionInput]]:
    """Every demo action, by the code of the organisation that enters it."""
    by_org: dict[str, list[ActionInput]] = {}
    for row in report_rows():
        by_org.setdefault(_DATA["organisation_by_country"].get(row.country, "oim-gt"), []).append(row)
    for entry in _DATA["extra"]:
        values = {key: value for key, value in entry.items() if key != "organisation"}
        by_org.setdefault(entry["organisation"], []).append(ActionInput(**{"source": DEMO_SOURCE, **values}))
    return by_org


def load(context: DemoContext) -> str:
    organisations = context.organisations
    created = skipped = 0
    for code, rows in load_actions().items():
        organisation = organisations.get(code) or organisations["oim-gt"]
        result = services.import_actions(rows, organisation)
        created += result.created
        skipped += result.skipped
    good = RegionalAction.objects.filter(evaluation_status=EvaluationStatus.GOOD_PRACTICE).count()
    return f"Regional actions: {created} added ({skipped} already there), {good} evaluated good practices."
