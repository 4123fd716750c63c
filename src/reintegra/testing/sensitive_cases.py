"""Case records full of distinctive sensitive values, for the tests that look for them in the raw
database, the change log, exports and released rows (encryption at rest, retention, pseudonymisation)."""

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from reintegra.access.models import User
from reintegra.cases import services as case_services
from reintegra.cases.models import Case, Returnee
from reintegra.monitoring import case_facts
from reintegra.places.models import AdminArea
from reintegra.testing import factories
from reintegra.testing.closure import suggested_decisions

# Distinctive values: tests look for them in the raw database, the change log and exported rows.
HEALTH_NOTE = "Diabetes tipo 2 ZQX-HEALTH-7731"
MENTAL_NOTE = "Ideación suicida ZQX-MENTAL-1187"
GBV_NOTE = "Violencia de pareja ZQX-GBV-5521"
DOCUMENT_NUMBER = "G47839216"
PHONE = "+52 664 555 0199"
ADDRESS = "Calle Olivo 1234, Colonia Zqxland"
LOCALITY = "Ejido Zqxcampo"


def _raw(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def all_database_text(exclude: Sequence[str] = ()) -> str:
    """Every value of every table of the database, as text (what a stolen database file would show)."""
    chunks: list[str] = []
    qn = connection.ops.quote_name
    for table in connection.introspection.table_names():
        if table in exclude:
            continue
        for row in _raw(f"SELECT * FROM {qn(table)}"):  # noqa: S608 - names from introspection
            chunks.extend(str(value) for value in row if value is not None)
    return "\n".join(chunks)


def detailed_returnee(by: User, places: tuple[AdminArea, AdminArea] | None = None, **overrides: Any) -> Returnee:
    values: dict[str, Any] = {
        "phone": PHONE,
        "address": ADDRESS,
        "locality": LOCALITY,
        "gender_identity": "mujer trans",
        "languages": "español, k'iche'",
        "attention_flags": ["victim_of_violence"],
        "documents": [
            case_services.DocumentInput(document_type="passport", number=DOCUMENT_NUMBER, issuing_country="MX")
        ],
    }
    if places:
        values["municipality_id"] = places[1].pk
    values.update(overrides)
    return factories.returnee(by, **values)


def detailed_case(by: User, places: tuple[AdminArea, AdminArea] | None = None, **returnee_overrides: Any) -> Case:
    """A case that went through every step, with sensitive notes, household, plan and follow-up."""
    returnee = detailed_returnee(by, places, **returnee_overrides)
    case = factories.case(by, returnee, causes_of_migration=["violence", "economic"])
    today = timezone.localdate()
    case_services.record_assessment(
        by,
        case,
        {
            "assessed_on": today,
            "economic_need": "high",
            "needs_vulnerabilities": "Necesita empleo en Zqxland",
            "health_notes": HEALTH_NOTE,
            "mental_health_notes": MENTAL_NOTE,
            "gbv_notes": GBV_NOTE,
        },
    )
    case_services.record_counselling_session(
        by, case, {"held_on": today, "notes": "Sesión sobre Zqx duelo", "topics": "duelo"}
    )
    case_services.set_household(
        by,
        case,
        [
            case_services.MemberInput(
                given_names="Zqxhija", family_names="Hernández", relationship="child", birth_date=date(2015, 3, 2)
            )
        ],
        notes="Vive con su madre en Zqxland",
    )
    case_services.save_plan(
        by,
        case,
        goals="Abrir taller Zqx",
        motivations="Sus hijas",
        items=[
            case_services.PlanItemInput(
                dimension="economic",
                approach="Desarrollo de negocios",
                assistance_form="in_kind",
                description="Zqx taller",
            ),
            case_services.PlanItemInput(
                dimension="psychosocial", approach="Apoyo psicosocial", assistance_form="service"
            ),
        ],
    )
    case_services.agree_plan(by, case, agreed_on=today)
    case_services.record_follow_up(by, case, {"visited_on": today, "notes": "Zqx visita bien"})
    case.refresh_from_db()
    return case


def close_long_ago(by: User, case: Case, *, days_ago: int | None = None, months_ago: int | None = None) -> Case:
    """Close the case, then date the closure back (services refuse back-dating before the opening)."""
    case_services.close_case(
        by, case, reason="support_ended", note="Cierre Zqx", open_matters=suggested_decisions(case)
    )
    closed_on = timezone.localdate() - timedelta(days=days_ago if days_ago is not None else 31 * (months_ago or 0))
    type(case).objects.filter(pk=case.pk).update(closed_on=closed_on)
    case_facts.refresh([case.pk])  # a queryset update sends no signal
    case.refresh_from_db()
    return case
