"""What travels: the data categories of the cooperation framework's who-consults matrix
(structural.DataExchangeRule, may_consult) mapped to case fields. A category not allowed for the
recipient party does not travel at all (docs/handover.md, "What travels").

| category | fields |
|---|---|
| returnee_profiles | names, sex, birth date or estimated birth year, nationality, languages, phone,
  identity documents |
| origin_situation | country of return, destination (department and municipality codes), return date and
  type, host and transit countries |
| needs_intentions | causes of migration, differential-attention flags, need levels of the latest assessment |
| assistance | assistance received at reception, plan items (dimension, approach, form of assistance, status) |
| monitoring | case status, number of follow-up visits, date of the last one |
| services | nothing of the case (the service directory is shared by other means) |
"""

from __future__ import annotations

from typing import Any

from reintegra.cases.models import Case, PlanItem
from reintegra.structural.choices import DataCategory

# The categories without which a hand-over cannot identify the person at the other side.
REQUIRED = frozenset({DataCategory.RETURNEE_PROFILES.value})

FIELDS: dict[str, tuple[str, ...]] = {
    DataCategory.RETURNEE_PROFILES: (
        "given_names",
        "first_family_name",
        "second_family_name",
        "sex",
        "birth_date",
        "estimated_birth_year",
        "nationality",
        "languages",
        "phone",
        "documents",
    ),
    DataCategory.ORIGIN_SITUATION: (
        "return_country",
        "admin1",
        "municipality",
        "return_date",
        "return_type",
        "host_country",
        "transit_countries",
    ),
    DataCategory.NEEDS_INTENTIONS: ("causes_of_migration", "attention_flags", "need_levels"),
    DataCategory.ASSISTANCE: ("reception_assistance", "plan_items"),
    DataCategory.MONITORING: ("case_status", "follow_up_visits", "last_follow_up_on"),
    DataCategory.SERVICES: (),
}


def _profile(case: Case) -> dict[str, Any]:
    r = case.returnee
    return {
        "given_names": r.given_names,
        "first_family_name": r.first_family_name,
        "second_family_name": r.second_family_name,
        "sex": r.sex,
        "birth_date": r.birth_date.isoformat() if r.birth_date else None,
        "estimated_birth_year": r.estimated_birth_year,
        "nationality": str(r.nationality or ""),
        "languages": r.languages,
        "phone": r.phone,
        "documents": [
            {"document_type": d.document_type, "number": d.number, "issuing_country": str(d.issuing_country or "")}
            for d in r.documents.all()
        ],
    }


def _origin(case: Case) -> dict[str, Any]:
    r = case.returnee
    return {
        "return_country": str(r.return_country or ""),
        "admin1": r.admin1.code if r.admin1 is not None else "",
        "municipality": r.municipality.code if r.municipality is not None else "",
        "return_date": case.return_date.isoformat(),
        "return_type": case.return_type,
        "host_country": str(case.host_country or ""),
        "transit_countries": list(case.transit_countries or []),
    }


def _needs(case: Case) -> dict[str, Any]:
    latest = case.assessments.order_by("-assessed_on", "-id").first()
    levels = (
        {"economic": latest.economic_need, "social": latest.social_need, "psychosocial": latest.psychosocial_need}
        if latest
        else {}
    )
    return {
        "causes_of_migration": list(case.causes_of_migration or []),
        "attention_flags": list(case.returnee.attention_flags or []),
        "need_levels": levels,
    }


def _assistance(case: Case) -> dict[str, Any]:
    items = list(PlanItem.objects.filter(plan__case=case).order_by("id"))
    return {
        "reception_assistance": list(case.reception_assistance or []),
        "plan_items": [
            {"dimension": i.dimension, "approach": i.approach, "assistance_form": i.assistance_form, "status": i.status}
            for i in items
        ],
    }


def _monitoring(case: Case) -> dict[str, Any]:
    visits = case.follow_ups.order_by("-visited_on")
    last = visits.first()
    return {
        "case_status": case.status,
        "follow_up_visits": visits.count(),
        "last_follow_up_on": last.visited_on.isoformat() if last else None,
    }


_BUILDERS = {
    DataCategory.RETURNEE_PROFILES: _profile,
    DataCategory.ORIGIN_SITUATION: _origin,
    DataCategory.NEEDS_INTENTIONS: _needs,
    DataCategory.ASSISTANCE: _assistance,
    DataCategory.MONITORING: _monitoring,
}


def build(case: Case, categories: list[str]) -> dict[str, Any]:
    """The package's data: one section per allowed category, nothing else of the case."""
    data: dict[str, Any] = {}
    for category in sorted(set(categories)):
        builder = _BUILDERS.get(category)  # type: ignore[call-overload]
        if builder is not None:
            data[category] = builder(case)
    return data
