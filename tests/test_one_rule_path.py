"""One rule path (issue 11 item 1): every write that exists as a web form and as an API endpoint refuses the
same invalid inputs in both, with the same field and the same code, and writes nothing.

Each `WritePair` below sends a valid input through the web form and through the API (both must accept it
and write), then each of its `Refusal`s through both (`reintegra.testing.rule_paths`). The pairs were
enumerated from the URL configuration (`*/urls.py`, `*/api_urls.py`); `test_every_api_write_is_paired`
fails when an API write is neither paired here nor listed in `API_ONLY` with its reason, and
`WEB_ONLY` lists the web forms that have no API.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from reintegra.access.roles import Role
from reintegra.cases import services as case_services
from reintegra.cases.models import Case
from reintegra.places.models import AdminArea
from reintegra.testing import factories
from reintegra.testing.rule_paths import DROP, Refusal, WritePair, check_pair

pytestmark = pytest.mark.django_db


def today() -> Any:
    return timezone.localdate()


def iso(days: int = 0) -> str:
    """Today plus `days`, as both channels type a date."""
    return (today() + timedelta(days=days)).isoformat()


def management(prefix: str, total: int, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


@pytest.fixture
def world(db: Any) -> SimpleNamespace:
    org = factories.organisation("oim-mx", country="MX")
    other_org = factories.organisation("ong-gt", country="GT")
    state = AdminArea.objects.create(country="MX", level=1, code="MX-BC", name="Baja California")
    gt_state = AdminArea.objects.create(country="GT", level=1, code="GT-01", name="Guatemala")
    return SimpleNamespace(
        org=org,
        other_org=other_org,
        pm=factories.user(org, Role.PROGRAMME_MANAGER, username="pm"),
        case_manager=factories.user(org, Role.CASE_MANAGER, username="gestora"),
        stranger=factories.user(other_org, Role.CASE_MANAGER, username="gestor-gt"),
        municipality=AdminArea.objects.create(country="MX", level=2, code="MX-BC-TIJ", name="Tijuana", parent=state),
        gt_municipality=AdminArea.objects.create(country="GT", level=2, code="GT-0101", name="Mixco", parent=gt_state),
    )


def ctx(world: Any, **values: Any) -> SimpleNamespace:
    return SimpleNamespace(world=world, user=values.pop("user", world.pm), **values)


# --- cases ---------------------------------------------------------------------------------------

PERSON = {
    "given_names": "Juan Carlos",
    "first_family_name": "Ramírez",
    "second_family_name": "Ortega",
    "sex": "male",
    "birth_date": "1988-03-02",
    "nationality": "MX",
    "phone": "664 123 4567",
    "return_country": "MX",
}

RETURN = {
    "return_date": iso(-3),
    "return_type": "forced",
    "host_country": "US",
    "causes_of_migration": ["economic"],
    "causes_note": "",
}

PERSON_REFUSALS = (
    Refusal.same("phone", "invalid_phone", phone="not a phone"),
    Refusal.same("birth_date", "required", label="no birth date nor age", birth_date="", estimated_age=""),
    Refusal.same("birth_date", "in_future", birth_date=iso(30)),
)


def _no_age(refusal: Refusal) -> Refusal:
    """The API takes null for a date or a number left out; the form, an empty field."""
    api = {key: None if value == "" else value for key, value in refusal.api.items()}
    return Refusal(refusal.field, refusal.code, refusal.web, api, refusal.web_field, refusal.label)


def registration(world: Any) -> SimpleNamespace:
    return ctx(world)


REGISTER_WEB = {
    **PERSON,
    **RETURN,
    **management("documents", 0),
    **management("members", 0),
}

RETURNEE_CREATE = WritePair(
    "returnee create",
    registration,
    web_url=lambda c: reverse("cases:register"),
    web_data=lambda c: dict(REGISTER_WEB),
    api_url=lambda c: "/api/v1/returnees/",
    api_data=lambda c: dict(PERSON),
    refusals=(
        *(_no_age(r) for r in PERSON_REFUSALS),
        Refusal(
            "municipality",
            "invalid_choice",
            web={"municipality": lambda c: c.world.gt_municipality.pk},
            api={"municipality": lambda c: c.world.gt_municipality.pk},
            label="a municipality of another country",
        ),
    ),
)


def open_case_ctx(world: Any) -> SimpleNamespace:
    returnee = factories.returnee(world.pm, given_names="Rosa", first_family_name="Luna")
    return ctx(world, returnee=returnee)


CASE_CREATE = WritePair(
    "case create",
    open_case_ctx,
    web_url=lambda c: reverse("cases:register"),
    web_data=lambda c: dict(REGISTER_WEB),
    api_url=lambda c: "/api/v1/cases/",
    api_data=lambda c: {**RETURN, "returnee": c.returnee.pk},
    refusals=(
        Refusal.same("causes_of_migration", "required", label="no cause of migration", causes_of_migration=[]),
        Refusal.same("causes_note", "required", label="other cause undescribed", causes_of_migration=["other"]),
        Refusal.same("return_date", "in_future", return_date=iso(2)),
    ),
)


def case_ctx(world: Any, **kwargs: Any) -> SimpleNamespace:
    case = factories.case(world.pm, case_manager=world.pm, **kwargs)
    return ctx(world, case=case)


def assessed_ctx(world: Any) -> SimpleNamespace:
    case = factories.assessed_case(world.pm, case_manager=world.pm, return_date=today() - timedelta(days=60))
    return ctx(world, case=case)


def agreed_ctx(world: Any) -> SimpleNamespace:
    case = factories.agreed_case(world.pm, case_manager=world.pm)
    return ctx(world, case=case)


def drafted_ctx(world: Any) -> SimpleNamespace:
    c = assessed_ctx(world)
    case_services.save_plan(
        world.pm,
        c.case,
        goals="Negocio",
        motivations="Familia",
        items=[case_services.PlanItemInput(dimension="economic", approach="Negocio", assistance_form="in_kind")],
    )
    return c


def closed_ctx(world: Any) -> SimpleNamespace:
    c = case_ctx(world)
    case_services.close_case(world.pm, c.case, reason="support_ended")
    return c


def case_url(name: str) -> Any:
    return lambda c: reverse(f"cases:{name}", args=[c.case.pk])


def api_case(path: str = "") -> Any:
    return lambda c: f"/api/v1/cases/{c.case.pk}/{path}"


RETURNEE_UPDATE = WritePair(
    "returnee update",
    case_ctx,
    web_page=case_url("edit_returnee"),
    web_form="given_names",
    web_url=case_url("edit_returnee"),
    web_data=lambda c: dict(PERSON),
    api_method="patch",
    api_url=lambda c: f"/api/v1/returnees/{c.case.returnee_id}/",
    api_data=lambda c: dict(PERSON),
    refusals=tuple(_no_age(r) for r in PERSON_REFUSALS),
)

RETURN_UPDATE = WritePair(
    "return information update",
    case_ctx,
    web_page=case_url("edit_return"),
    web_form="return_date",
    web_url=case_url("edit_return"),
    web_data=lambda c: dict(RETURN),
    api_method="patch",
    api_url=api_case(),
    api_data=lambda c: dict(RETURN),
    refusals=CASE_CREATE.refusals,
)

MEMBER = {"given_names": "Lucía", "family_names": "Ramírez", "relationship": "child", "sex": "female"}

HOUSEHOLD = WritePair(
    "household",
    case_ctx,
    web_page=case_url("household"),
    web_form="notes",
    web_url=case_url("household"),
    web_data=lambda c: {
        "notes": "",
        **management("members", 1),
        **{f"members-0-{k}": v for k, v in MEMBER.items()},
        "members-0-birth_date": "2015-06-01",
    },
    api_method="put",
    api_url=api_case("household/"),
    api_data=lambda c: {"notes": "", "members": [{**MEMBER, "birth_date": "2015-06-01"}]},
    refusals=(
        Refusal(
            "members.0.birth_date",
            "in_future",
            web={"members-0-birth_date": iso(5)},
            api={"members": [{**MEMBER, "birth_date": iso(5)}]},
        ),
    ),
)

ASSESSMENT = WritePair(
    "assessment",
    case_ctx,
    web_url=case_url("assessment_new"),
    web_data=lambda c: {
        "kind": "initial",
        "assessed_on": iso(),
        "economic_need": "high",
        "social_need": "none",
        "psychosocial_need": "none",
    },
    api_url=api_case("assessments/"),
    api_data=lambda c: {"kind": "initial", "assessed_on": iso(), "economic_need": "high"},
    refusals=(
        Refusal.same("assessed_on", "in_future", assessed_on=iso(1)),
        Refusal.same("assessed_on", "before_return", assessed_on=iso(-400)),
    ),
)

COUNSELLING = WritePair(
    "counselling session",
    case_ctx,
    web_url=case_url("counselling_new"),
    web_data=lambda c: {"held_on": iso(), "mode": "in_person", "topics": "Duelo"},
    api_url=api_case("counselling-sessions/"),
    api_data=lambda c: {"held_on": iso(), "mode": "in_person", "topics": "Duelo"},
    refusals=(Refusal.same("held_on", "in_future", held_on=iso(1)),),
)

ITEM = {"dimension": "economic", "approach": "Negocio", "assistance_form": "cash", "status": "planned"}

PLAN = WritePair(
    "plan",
    assessed_ctx,
    web_page=case_url("plan_edit"),
    web_form="goals",
    web_url=case_url("plan_edit"),
    web_data=lambda c: {
        "goals": "Abrir un negocio",
        "motivations": "Familia",
        **management("items", 1),
        **{f"items-0-{k}": v for k, v in ITEM.items()},
    },
    api_method="put",
    api_url=api_case("plan/"),
    api_data=lambda c: {"goals": "Abrir un negocio", "motivations": "Familia", "items": [dict(ITEM)]},
    refusals=(
        Refusal(
            "items.0.currency",
            "required",
            web={"items-0-amount": "500"},
            api={"items": [{**ITEM, "amount": "500"}]},
            label="an amount without its currency",
        ),
        Refusal(
            "items.0.currency",
            "invalid",
            web={"items-0-amount": "500", "items-0-currency": "M1X"},
            api={"items": [{**ITEM, "amount": "500", "currency": "M1X"}]},
            label="not a currency code",
        ),
    ),
)

AGREE = WritePair(
    "plan agreement",
    drafted_ctx,
    web_page=case_url("plan_agree"),
    web_form="agreed_on",
    web_url=case_url("plan_agree"),
    web_data=lambda c: {"agreed_on": iso(), "late_reason": "Hospitalizado"},
    api_url=api_case("plan/agree/"),
    api_data=lambda c: {"agreed_on": iso(), "late_reason": "Hospitalizado"},
    refusals=(
        Refusal.same("late_reason", "required", label="agreed late without a reason", late_reason=""),
        Refusal.same("agreed_on", "in_future", agreed_on=iso(1)),
        Refusal.same("agreed_on", "before_return", agreed_on=iso(-90)),
    ),
)

FOLLOW_UP = WritePair(
    "follow-up visit",
    agreed_ctx,
    web_page=case_url("follow_up_new"),
    web_form="visited_on",
    web_url=case_url("follow_up_new"),
    web_data=lambda c: {"visited_on": iso(), "mode": "in_person", "notes": "Bien"},
    api_url=api_case("follow-ups/"),
    api_data=lambda c: {"visited_on": iso(), "mode": "in_person", "notes": "Bien"},
    refusals=(
        Refusal.same("visited_on", "in_future", visited_on=iso(1)),
        Refusal.same("next_visit_on", "not_after_visit", label="next visit before this one", next_visit_on=iso(-1)),
    ),
)

CLOSE = WritePair(
    "case closure",
    case_ctx,
    web_url=case_url("close"),
    web_data=lambda c: {"reason": "support_ended", "closed_on": iso(), "note": ""},
    api_url=api_case("close/"),
    api_data=lambda c: {"reason": "support_ended", "closed_on": iso(), "note": ""},
    refusals=(
        Refusal.same("closed_on", "in_future", closed_on=iso(1)),
        Refusal.same("closed_on", "before_return", closed_on=iso(-400)),
        Refusal.same("reason", "invalid_choice", reason="bored"),
    ),
)

REOPEN = WritePair(
    "case reopening",
    closed_ctx,
    web_url=case_url("reopen"),
    web_data=lambda c: {"reason": "Volvió a buscar apoyo"},
    api_url=api_case("reopen/"),
    api_data=lambda c: {"reason": "Volvió a buscar apoyo"},
    refusals=(Refusal.same("reason", "required", label="no reason", reason="   "),),
)

ASSIGN = WritePair(
    "case assignment",
    case_ctx,
    web_page=case_url("assign"),
    web_form="case_manager",
    web_url=case_url("assign"),
    web_data=lambda c: {"case_manager": c.world.case_manager.pk},
    api_url=api_case("assign/"),
    api_data=lambda c: {"case_manager": c.world.case_manager.pk},
    refusals=(
        Refusal(
            "case_manager",
            "invalid_choice",
            web={"case_manager": lambda c: c.world.stranger.pk},
            api={"case_manager": lambda c: c.world.stranger.pk},
            label="a case manager of another organisation",
        ),
    ),
)

CASE_PAIRS = [
    RETURNEE_CREATE,
    CASE_CREATE,
    RETURNEE_UPDATE,
    RETURN_UPDATE,
    HOUSEHOLD,
    ASSESSMENT,
    COUNSELLING,
    PLAN,
    AGREE,
    FOLLOW_UP,
    CLOSE,
    REOPEN,
    ASSIGN,
]

PAIRS = [*CASE_PAIRS]


@pytest.mark.parametrize("pair", PAIRS, ids=str)
def test_web_and_api_refuse_alike(world: Any, pair: WritePair) -> None:
    check_pair(pair, world)
