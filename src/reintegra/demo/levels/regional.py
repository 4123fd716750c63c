"""Demo data: the national actions of the CRM 2022 workshop report (its §4, as in data/*.csv) and a few
illustrative ones, some evaluated as good practices.

The CSV rows are real: their level and dimension are the report's; the institution and target population
are only filled where the report's text names them. The extra actions are invented for the demo and say
so in their `source` (no real evaluation is claimed for a real programme).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from reintegra.demo.levels.context import DemoContext
from reintegra.demo.vocabulary import DATA_DIR
from reintegra.regional import importing, services
from reintegra.regional.choices import EvaluationStatus, FundingSource, InstitutionKind
from reintegra.regional.duplication import normalise
from reintegra.regional.models import RegionalAction
from reintegra.regional.services import ActionInput

DATA_FILE = DATA_DIR / "regional_actions_crm_2022.csv"
SOURCE = "Conferencia Regional sobre Migración, taller de reintegración sostenible, Puebla 2022 (§4)"
DEMO_SOURCE = "Datos de demostración (ficticios)"
ORGANISATION_BY_COUNTRY = {"SV": "oim-sv", "GT": "oim-gt", "MX": "oim-mx", "HN": "oim-hn"}

_MINTRAB_GT = ("Ministerio de Trabajo y Previsión Social", InstitutionKind.GOVERNMENT)
_INM_MX = ("Instituto Nacional de Migración", InstitutionKind.GOVERNMENT)
# What the report's text says about who runs an action and for whom (normalised title -> details).
DETAILS: dict[str, dict[str, Any]] = {
    "Ventanilla de Atención Especializada a la Mujer Migrante Retornada": {
        "institution": ("Ministerio de Relaciones Exteriores", InstitutionKind.GOVERNMENT),
        "target_population": "Mujeres migrantes retornadas",
    },
    "Desarrollo Económico y Turístico para la Reintegración de Mujeres Migrantes Retornadas (Transformando Vidas)": {
        "target_population": "Mujeres migrantes retornadas (La Libertad)",
    },
    "Formación para la empleabilidad de mujeres migrantes en Centroamérica: Programa piloto en El Salvador": {
        "target_population": "Mujeres retornadas, en riesgo de migrar irregularmente o migrantes regulares",
    },
    "Contribución a la Atención, Seguridad y Recuperación Psicosocial para Mujeres Migrantes Retornadas y sus "
    "Hijas e Hijos (Casa de Acogida)": {"target_population": "Mujeres migrantes retornadas y sus hijas e hijos"},
    "Inclusión laboral de personas migrantes retornadas": {"institution": _MINTRAB_GT},
    "Ventanilla de Atención al Migrante Retornado": {
        "institution": ("Servicio Nacional de Empleo", InstitutionKind.GOVERNMENT)
    },
    "Orientación laboral": {"institution": _MINTRAB_GT},
    "Intermediación laboral": {"institution": _MINTRAB_GT},
    "Beca Mi Primer Empleo": {"institution": _MINTRAB_GT, "target_population": "Jóvenes de 18 a 24 años"},
}

# Invented for the demo: a likely duplicate, a multi-cell coordination mechanism, evaluated good practices.
EXTRA: list[tuple[str, dict[str, Any]]] = [
    (
        "oim-gt",
        {
            "country": "GT",
            "title": "Intermediación laboral para población retornada en Quetzaltenango",
            "levels": ["structural"],
            "dimensions": ["social"],
            "institution_name": "Municipalidad de Quetzaltenango",
            "institution_kind": InstitutionKind.LOCAL_GOVERNMENT,
            "description": "Reuniones con el sector empleador del municipio para captar ofertas laborales e "
            "intermediar a personas migrantes retornadas, en coordinación con la oficina municipal de empleo.",
            "target_population": "Personas migrantes retornadas del occidente del país",
            "starts_on": date(2023, 3, 1),
            "funding_source": FundingSource.NATIONAL_BUDGET,
        },
    ),
    (
        "oim-gt",
        {
            "country": "GT",
            "title": "Red comunitaria de apoyo psicosocial entre pares",
            "levels": ["community"],
            "dimensions": ["psychosocial"],
            "institution_name": "Organización Internacional para las Migraciones (OIM)",
            "institution_kind": InstitutionKind.INTERNATIONAL,
            "description": "Grupos de apoyo entre pares y personas facilitadoras comunitarias formadas en primeros "
            "auxilios psicológicos, con participación de personas retornadas y vecinas no migrantes.",
            "target_population": "Personas retornadas y comunidades de retorno",
            "starts_on": date(2021, 6, 1),
            "ends_on": date(2023, 12, 31),
            "funding_source": FundingSource.INTERNATIONAL_COOPERATION,
            "evaluation_status": EvaluationStatus.GOOD_PRACTICE,
            "evaluated_on": date(2024, 2, 15),
            "evaluation_reference": "Evaluación final externa (demostración): mejora de la red de apoyo en el "
            "78 % de las personas participantes; metodología mixta con grupo de comparación.",
        },
    ),
    (
        "mesa-gt",
        {
            "country": "GT",
            "title": "Mesa Interinstitucional de Reintegración: procedimientos operativos estándar de derivación",
            "levels": ["structural"],
            "dimensions": ["social", "psychosocial"],
            "institution_name": "Mesa Interinstitucional de Reintegración",
            "institution_kind": InstitutionKind.GOVERNMENT,
            "description": "Mecanismo de coordinación que acuerda procedimientos operativos estándar para la "
            "derivación de personas retornadas a servicios sociales y de salud mental.",
            "target_population": "Instituciones públicas y proveedores de servicios",
            "starts_on": date(2022, 9, 1),
            "funding_source": FundingSource.MIXED,
            "evaluation_status": EvaluationStatus.EVALUATION_IN_PROGRESS,
        },
    ),
    (
        "oim-hn",
        {
            "country": "HN",
            "title": "Diseño de la política integral de retorno y reintegración",
            "levels": ["structural"],
            "dimensions": ["economic", "social", "psychosocial"],
            "institution_name": "Consejo Nacional de Protección al Hondureño Migrante (CONAPROHM)",
            "institution_kind": InstitutionKind.GOVERNMENT,
            "description": "Honduras trabaja en el diseño de la política integral de retorno y, con ello, de la "
            "reintegración y reinserción; el CONAPROHM reúne instituciones de gobierno, empresas privadas, "
            "iglesias, organizaciones no gubernamentales y sociedad civil (informe CRM 2022).",
            "funding_source": FundingSource.NATIONAL_BUDGET,
            "source": SOURCE,
        },
    ),
    (
        "oim-sv",
        {
            "country": "SV",
            "title": "Ventanilla municipal de atención a la mujer retornada en San Miguel",
            "levels": ["community"],
            "dimensions": ["social"],
            "institution_name": "Alcaldía Municipal de San Miguel",
            "institution_kind": InstitutionKind.LOCAL_GOVERNMENT,
            "description": "Atención y orientación a mujeres migrantes retornadas: certificación de competencias, "
            "emprendimiento e intermediación laboral en el oriente del país.",
            "target_population": "Mujeres migrantes retornadas",
            "starts_on": date(2023, 1, 15),
            "funding_source": FundingSource.NATIONAL_BUDGET,
        },
    ),
    (
        "oim-mx",
        {
            "country": "MX",
            "title": "Empleo temporal con acompañamiento para personas repatriadas en Tijuana",
            "levels": ["individual", "community"],
            "dimensions": ["economic"],
            "institution_name": "Fundación Empresarial Fronteriza",
            "institution_kind": InstitutionKind.PRIVATE_SECTOR,
            "description": "Colocación en empleos temporales con mentoría durante seis meses y cofinanciamiento "
            "salarial con el gobierno estatal.",
            "target_population": "Personas mexicanas repatriadas, 18 a 35 años",
            "starts_on": date(2020, 1, 1),
            "ends_on": date(2022, 12, 31),
            "funding_source": FundingSource.MIXED,
            "evaluation_status": EvaluationStatus.GOOD_PRACTICE,
            "evaluated_on": date(2023, 5, 30),
            "evaluation_reference": "Evaluación de impacto (demostración): 64 % con empleo formal a los 12 meses.",
        },
    ),
]


def report_rows() -> list[ActionInput]:
    """The report's actions from the CSV, with the details its text gives."""
    with DATA_FILE.open("rb") as stream:
        parsed = importing.parse(stream, DATA_FILE.name)
    if not parsed.ok:  # the file ships with the app: a bad row is a bug
        raise ValueError("; ".join(str(e) for e in parsed.errors))
    details = {normalise(title): values for title, values in DETAILS.items()}
    for row in parsed.rows:
        found = details.get(normalise(row.title), {})
        if row.country == "MX":
            found = {"institution": _INM_MX, "target_population": "Personas mexicanas repatriadas", **found}
        if "institution" in found:
            row.institution_name, row.institution_kind = found["institution"]
        row.target_population = found.get("target_population", row.target_population)
        row.source = SOURCE
    return parsed.rows


def load(context: DemoContext) -> str:
    organisations = context.organisations
    created = skipped = 0
    by_org: dict[str, list[ActionInput]] = {}
    for row in report_rows():
        by_org.setdefault(ORGANISATION_BY_COUNTRY.get(row.country, "oim-gt"), []).append(row)
    for code, values in EXTRA:
        by_org.setdefault(code, []).append(ActionInput(**{"source": DEMO_SOURCE, **values}))
    for code, rows in by_org.items():
        organisation = organisations.get(code) or organisations["oim-gt"]
        result = services.import_actions(rows, organisation)
        created += result.created
        skipped += result.skipped
    good = RegionalAction.objects.filter(evaluation_status=EvaluationStatus.GOOD_PRACTICE).count()
    return f"Regional actions: {created} added ({skipped} already there), {good} evaluated good practices."
