"""One rule path (issue 11 item 1): every write that exists as a web form and as an API endpoint refuses the
same invalid inputs in both, with the same field and the same code, and writes nothing.

Each `WritePair` below sends a valid input through the web form and through the API (both must accept it
and write), then each of its `Refusal`s through both (`reintegra.testing.rule_paths`). The pairs were
enumerated from the URL configuration (`*/urls.py`, `*/api_urls.py`); `test_every_api_write_is_paired_or_says_why_not`
fails when an API write is neither paired here nor listed in `NOT_PAIRED` with its reason, and
`WEB_ONLY` lists the web forms that have no API.

Long on purpose: one table entry per write of every app, in one module so that the coverage test sees them all.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from reintegra.access.roles import Role
from reintegra.cases import services as case_services
from reintegra.children.tests.plan_rule_pairs import PLAN_NOT_PAIRED, PLAN_PAIRS  # child plan
from reintegra.children.tests.rule_pairs import CORE_NOT_PAIRED, CORE_PAIRS  # core
from reintegra.children.tests.tracing_rule_pairs import TRACING_PAIRS  # tracing
from reintegra.community.tests.rule_pairs import COMMUNITY_NOT_PAIRED, COMMUNITY_PAIRS  # community
from reintegra.employment.tests.rule_pairs import EMPLOYMENT_NOT_PAIRED, EMPLOYMENT_PAIRS  # employment
from reintegra.handover.tests.rule_pairs import HANDOVER_NOT_PAIRED, HANDOVER_PAIRS
from reintegra.monitoring import services as monitoring_services
from reintegra.monitoring.tests.evaluation_rule_pairs import EVALUATION_NOT_PAIRED, EVALUATION_PAIRS
from reintegra.places.models import AdminArea
from reintegra.protection import services as protection_services
from reintegra.public.tests.rule_pairs import PUBLIC_NOT_PAIRED, PUBLIC_PAIRS  # public
from reintegra.reception.tests.rule_pairs import RECEPTION_PAIRS  # reception
from reintegra.referrals import services as referral_services
from reintegra.referrals.models import Service, ServiceProvider
from reintegra.regional import services as regional_services
from reintegra.structural.models import Agreement, CapacityAssessment, CoordinationMechanism, Meeting, Stakeholder
from reintegra.sustainability import services as sustainability_services
from reintegra.sustainability.models import InstrumentVersion
from reintegra.testing import factories
from reintegra.testing.closure import suggested_decisions, suggested_form_fields
from reintegra.testing.routes import route_methods, walk
from reintegra.testing.rule_paths import DROP, Refusal, WritePair, check_pair
from reintegra.testing.survey import economic_answers, submissions_csv

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
    Refusal.same("estimated_age", "out_of_range", label="an age of 130", birth_date="", estimated_age=130),
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
    "api:returnee-list",
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
    "api:case-list",
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
    case_services.close_case(world.pm, c.case, reason="support_ended", open_matters=suggested_decisions(c.case))
    return c


def case_url(name: str) -> Any:
    return lambda c: reverse(f"cases:{name}", args=[c.case.pk])


def api_case(path: str = "") -> Any:
    return lambda c: f"/api/v1/cases/{c.case.pk}/{path}"


RETURNEE_UPDATE = WritePair(
    "returnee update",
    "api:returnee-detail",
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
    "api:case-detail",
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
    "api:case-household",
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
        Refusal(
            "members.0.estimated_age",
            "max_value",
            web={"members-0-birth_date": "", "members-0-estimated_age": "130"},
            api={"members": [{**MEMBER, "estimated_age": 130}]},
            label="a member aged 130",
        ),
    ),
)

ASSESSMENT = WritePair(
    "assessment",
    "api:case-assessments",
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
    "api:case-counselling-sessions",
    case_ctx,
    web_url=case_url("counselling_new"),
    web_data=lambda c: {"held_on": iso(), "mode": "in_person", "topics": "Duelo"},
    api_url=api_case("counselling-sessions/"),
    api_data=lambda c: {"held_on": iso(), "mode": "in_person", "topics": "Duelo"},
    refusals=(
        Refusal.same("held_on", "in_future", held_on=iso(1)),
        Refusal.same("duration_minutes", "min_value", label="a session of no minutes", duration_minutes=0),
    ),
)

ITEM = {"dimension": "economic", "approach": "Negocio", "assistance_form": "cash", "status": "planned"}

PLAN = WritePair(
    "plan",
    "api:case-plan",
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
            "invalid",
            web={"items-0-amount": "500", "items-0-currency": "M1X"},
            api={"items": [{**ITEM, "amount": "500", "currency": "M1X"}]},
            label="not a currency code",
        ),
        Refusal(
            "items.0.amount",
            "min_value",
            web={"items-0-amount": "-5", "items-0-currency": "MXN"},
            api={"items": [{**ITEM, "amount": "-5", "currency": "MXN"}]},
            label="a negative amount",
        ),
    ),
)

AGREE = WritePair(
    "plan agreement",
    "api:case-agree-plan",
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
    "api:case-follow-ups",
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
    "api:case-close",
    case_ctx,
    web_url=case_url("close"),
    web_data=lambda c: {"reason": "support_ended", "closed_on": iso(), "note": "", **suggested_form_fields(c.case)},
    api_url=api_case("close/"),
    api_data=lambda c: {
        "reason": "support_ended",
        "closed_on": iso(),
        "note": "",
        "open_matters": suggested_decisions(c.case),
    },
    refusals=(
        Refusal.same("closed_on", "in_future", closed_on=iso(1)),
        Refusal.same("closed_on", "before_return", closed_on=iso(-400)),
        Refusal.same("reason", "invalid_choice", reason="bored"),
        # The case has no survey round yet: closing without saying so is refused, the same way.
        Refusal(
            "open_matters.final-round",
            "open_matter_undecided",
            web={"open_matters.final-round": ""},
            api={"open_matters": {}},
            label="final round not decided",
        ),
        Refusal(
            "open_matters.final-round",
            "invalid_choice",
            web={"open_matters.final-round": "forget_it"},
            api={"open_matters": {"final-round": "forget_it"}},
            label="final round: a choice not offered",
        ),
    ),
)

REOPEN = WritePair(
    "case reopening",
    "api:case-reopen",
    closed_ctx,
    web_url=case_url("reopen"),
    web_data=lambda c: {"reason": "Volvió a buscar apoyo"},
    api_url=api_case("reopen/"),
    api_data=lambda c: {"reason": "Volvió a buscar apoyo"},
    refusals=(Refusal.same("reason", "required", label="no reason", reason="   "),),
)

ASSIGN = WritePair(
    "case assignment",
    "api:case-assign",
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

# --- protection ----------------------------------------------------------------------------------


def consent_ctx(world: Any) -> SimpleNamespace:
    return ctx(world, returnee=factories.returnee(world.pm, given_names="Rosa", first_family_name="Luna"))


CONSENT_WEB = {
    "purpose": "referral",
    "method": "signed",
    "given_on": iso(),
    "recipient_description": "Centro de salud",
    "given_by_returnee": "on",
}
CONSENT_API = {
    "purpose": "referral",
    "method": "signed",
    "given_on": iso(),
    "recipient_description": "Centro de salud",
    "given_by_returnee": True,
}

CONSENT = WritePair(
    "consent",
    "api:returnee-consents",
    consent_ctx,
    web_url=lambda c: reverse("protection:consents", args=[c.returnee.pk]),
    web_data=lambda c: {**CONSENT_WEB, "recipient_organisation": str(c.world.other_org.pk)},
    api_url=lambda c: f"/api/v1/returnees/{c.returnee.pk}/consents/",
    api_data=lambda c: {**CONSENT_API, "recipient_organisation": c.world.other_org.pk},
    refusals=(
        Refusal.same("given_on", "in_future", given_on=iso(1)),
        Refusal.same("expires_on", "not_after_given", label="expires before it is given", expires_on=iso(-1)),
        # Issue 18.4: a description alone names no recipient, so it lets nothing be shared.
        Refusal.same(
            "recipient_organisation",
            "recipient_required",
            label="sharing with a described recipient only",
            recipient_organisation=DROP,
        ),
        Refusal(
            "guardian_name",
            "required",
            web={"given_by_returnee": DROP},
            api={"given_by_returnee": False},
            label="given by someone unnamed",
        ),
    ),
)


def withdrawal_ctx(world: Any) -> SimpleNamespace:
    c = consent_ctx(world)
    c.consent = protection_services.record_consent(
        world.pm, c.returnee, "assistance", "signed", today() - timedelta(days=10)
    )
    return c


WITHDRAWAL = WritePair(
    "consent withdrawal",
    "api:consent-withdraw",
    withdrawal_ctx,
    web_url=lambda c: reverse("protection:consent_withdraw", args=[c.consent.pk]),
    web_data=lambda c: {"withdrawn_on": iso(), "note": ""},
    api_url=lambda c: f"/api/v1/consents/{c.consent.pk}/withdraw/",
    api_data=lambda c: {"withdrawn_on": iso(), "note": ""},
    refusals=(
        Refusal.same("withdrawn_on", "in_future", withdrawn_on=iso(1)),
        Refusal.same("withdrawn_on", "before_given", withdrawn_on=iso(-30)),
    ),
)


def share_ctx(world: Any) -> SimpleNamespace:
    c = case_ctx(world)
    third = factories.organisation("ong-hn", country="HN")
    for organisation in (world.other_org, third):
        across = protection_services.is_cross_border(c.case.organisation, organisation)
        protection_services.record_consent(
            world.pm,
            c.case.returnee,
            "cross_border" if across else "data_sharing",
            "signed",
            today(),
            recipient_organisation=organisation,
        )
    protection_services.share_case(world.pm, c.case, third, "Atención en salud")
    c.already_shared = third
    return c


SHARE = WritePair(
    "case share",
    "api:case-shares",
    share_ctx,
    web_url=lambda c: reverse("protection:shares", args=[c.case.pk]),
    web_data=lambda c: {"organisation": c.world.other_org.pk, "reason": "Atención en salud"},
    api_url=lambda c: f"/api/v1/cases/{c.case.pk}/shares/",
    api_data=lambda c: {"organisation": c.world.other_org.pk, "reason": "Atención en salud"},
    refusals=(
        Refusal.same("reason", "required", label="no reason", reason=""),
        Refusal.same("organisation", "duplicate", label="already shared", organisation=lambda c: c.already_shared.pk),
    ),
)

PROTECTION_PAIRS = [CONSENT, WITHDRAWAL, SHARE]


# --- referrals -----------------------------------------------------------------------------------


def directory_ctx(world: Any) -> SimpleNamespace:
    """A provider on the platform with two services (one no longer active) and the referring SOP."""
    provider_org = factories.organisation("centro-a", country="MX")
    provider = ServiceProvider.objects.create(
        name="Centro A", organisation_type="ngo", country="MX", organisation=provider_org, owner=world.org
    )
    other = ServiceProvider.objects.create(name="Centro B", organisation_type="ngo", country="MX", owner=world.org)
    service = Service.objects.create(
        provider=provider,
        code="centro-a-empleo",
        name="Empleo",
        dimension="economic",
        sector="employment",
        country="MX",
    )
    closed = Service.objects.create(
        provider=provider,
        code="centro-a-cerrado",
        name="Cerrado",
        dimension="economic",
        sector="employment",
        country="MX",
        is_active=False,
    )
    other_service = Service.objects.create(
        provider=other, code="centro-b-salud", name="Salud", dimension="social", sector="health", country="MX"
    )
    referral_services.save_pathway(
        world.pm,
        referral_services.PathwayInput(
            provider=provider, title="POE", approved_on=today(), transferred_fields=["case_number", "full_name"]
        ),
    )
    return ctx(
        world,
        provider_org=provider_org,
        provider_user=factories.user(provider_org, Role.SERVICE_PROVIDER, username="centro"),
        provider=provider,
        other_provider=other,
        service=service,
        closed_service=closed,
        other_service=other_service,
    )


def referral_ctx(world: Any) -> SimpleNamespace:
    c = directory_ctx(world)
    c.case = factories.agreed_case(world.pm, case_manager=world.pm)
    other_person = factories.returnee(world.pm, given_names="Otro", first_family_name="Caso")
    c.other_case = factories.agreed_case(world.pm, returnee_obj=other_person, case_manager=world.pm)
    c.foreign_item = c.other_case.plan.items.get()
    return c


REFERRAL = {"priority": "normal", "reason": "Busca empleo"}

REFERRAL_CREATE = WritePair(
    "referral",
    "api:referral-list",
    referral_ctx,
    web_url=lambda c: reverse("referrals:case-new", args=[c.case.pk]),
    web_data=lambda c: {**REFERRAL, "service": c.service.pk, "plan_item": ""},
    api_url=lambda c: "/api/v1/referrals/",
    api_data=lambda c: {**REFERRAL, "service": c.service.pk, "case": c.case.pk},
    refusals=(
        Refusal.same("reason", "required", label="no reason", reason=""),
        Refusal.same(
            "service", "invalid_choice", label="a service no longer active", service=lambda c: c.closed_service.pk
        ),
        Refusal.same(
            "plan_item", "invalid_choice", label="another case's plan item", plan_item=lambda c: c.foreign_item.pk
        ),
    ),
)


def sent_ctx(world: Any) -> SimpleNamespace:
    c = referral_ctx(world)
    protection_services.record_consent(
        world.pm, c.case.returnee, "referral", "signed", today(), recipient_organisation=c.provider_org
    )
    c.referral = referral_services.create_referral(world.pm, c.case, c.service, reason="Busca empleo")
    c.referral = referral_services.send_referral(world.pm, c.referral)
    c.user = c.provider_user
    return c


def declined_ctx(world: Any) -> SimpleNamespace:
    c = sent_ctx(world)
    referral_services.decline_referral(c.provider_user, c.referral, reason="no_capacity")
    c.user = world.pm
    return c


def step(action: str, **valid: Any) -> dict[str, Any]:
    """A referral step: the web form's fields carry the step's prefix ("accept-note")."""
    return {
        "web_url": lambda c: reverse("referrals:action", args=[c.referral.pk, action]),
        "web_data": lambda c: {f"{action}-{k}": v for k, v in valid.items()},
        "api_url": lambda c: f"/api/v1/referrals/{c.referral.pk}/{action}/",
        "api_data": lambda c: dict(valid),
    }


def step_refusal(action: str, field: str, code: str, label: str = "", **changes: Any) -> Refusal:
    return Refusal(field, code, web={f"{action}-{k}": v for k, v in changes.items()}, api=changes, label=label)


ACCEPT = WritePair(
    "referral accepted",
    "api:referral-accept",
    sent_ctx,
    **step("accept", outcome_due_on=iso(10), note=""),
    refusals=(step_refusal("accept", "outcome_due_on", "in_past", outcome_due_on=iso(-1)),),
)

DECLINE = WritePair(
    "referral declined",
    "api:referral-decline",
    sent_ctx,
    **step("decline", decline_reason="no_capacity", note=""),
    refusals=(
        step_refusal("decline", "note", "required", label="other reason unexplained", decline_reason="other"),
        step_refusal("decline", "decline_reason", "invalid_choice", decline_reason="bored"),
    ),
)

WITHDRAW_REFERRAL = WritePair(
    "referral withdrawn",
    "api:referral-withdraw",
    lambda world: SimpleNamespace(**{**vars(sent_ctx(world)), "user": world.pm}),
    **step("withdraw", withdrawal_reason="Ya encontró empleo por su cuenta"),
    refusals=(step_refusal("withdraw", "withdrawal_reason", "required", withdrawal_reason=""),),
)

CLOSE_REFERRAL = WritePair(
    "referral closed",
    "api:referral-close",
    declined_ctx,
    **step("close", satisfaction=4, feedback=""),
    refusals=(step_refusal("close", "satisfaction", "invalid_choice", label="satisfaction 7 of 5", satisfaction=7),),
)


def accepted_ctx(world: Any) -> SimpleNamespace:
    c = sent_ctx(world)
    c.referral = referral_services.accept_referral(c.provider_user, c.referral)
    return c


OUTCOME = WritePair(
    "referral outcome",
    "api:referral-outcome",
    accepted_ctx,
    **step("outcome", outcome="service_delivered", note=""),
    refusals=(step_refusal("outcome", "outcome", "invalid_choice", outcome="bored"),),
)

PROVIDER_WEB = {
    "name": "Centro Nuevo",
    "organisation_type": "ngo",
    "country": "MX",
    "email": "",
    "website": "",
    "is_active": "on",
    **management("contacts", 1),
}
PROVIDER_API = {"name": "Centro Nuevo", "organisation_type": "ngo", "country": "MX"}
PROVIDER_REFUSALS = (
    Refusal.same("email", "invalid", email="not-an-address"),
    Refusal.same("website", "invalid", label="not a web address", website="ftp://example.org"),
    Refusal(
        "contacts.0.name",
        "required",
        web={"contacts-0-phone": "555 1234"},
        api={"contacts": [{"phone": "555 1234"}]},
        label="a contact person without a name",
    ),
)

PROVIDER_CREATE = WritePair(
    "service provider create",
    "api:service-provider-list",
    directory_ctx,
    web_url=lambda c: reverse("referrals:provider-new"),
    web_data=lambda c: dict(PROVIDER_WEB),
    api_url=lambda c: "/api/v1/service-providers/",
    api_data=lambda c: dict(PROVIDER_API),
    refusals=(
        *PROVIDER_REFUSALS,
        Refusal.same("name", "duplicate", label="a name taken in the country", name="centro a"),
    ),
)

PROVIDER_UPDATE = WritePair(
    "service provider update",
    "api:service-provider-detail",
    directory_ctx,
    web_page=lambda c: reverse("referrals:provider-edit", args=[c.other_provider.pk]),
    web_form="name",
    web_url=lambda c: reverse("referrals:provider-edit", args=[c.other_provider.pk]),
    web_data=lambda c: dict(PROVIDER_WEB),
    api_method="patch",
    api_url=lambda c: f"/api/v1/service-providers/{c.other_provider.pk}/",
    api_data=lambda c: dict(PROVIDER_API),
    refusals=PROVIDER_REFUSALS,
)

SERVICE = {
    "name": "Capacitación",
    "dimension": "economic",
    "sector": "employment",
    "country": "MX",
    "cost": "free",
    "target_response_days": 14,
}
SERVICE_REFUSALS = (
    Refusal.same("max_age", "below_minimum", label="ages the wrong way round", min_age=30, max_age=20),
    Refusal.same("min_age", "out_of_range", min_age=130),
    Refusal.same("target_response_days", "out_of_range", target_response_days=0),
)

SERVICE_CREATE = WritePair(
    "service create",
    "api:service-list",
    directory_ctx,
    web_url=lambda c: reverse("referrals:service-new", args=[c.other_provider.pk]),
    web_data=lambda c: {**SERVICE, "is_active": "on"},
    api_url=lambda c: "/api/v1/services/",
    api_data=lambda c: {**SERVICE, "provider": c.other_provider.pk},
    refusals=SERVICE_REFUSALS,
)

SERVICE_UPDATE = WritePair(
    "service update",
    "api:service-detail",
    directory_ctx,
    web_page=lambda c: reverse("referrals:service-edit", args=[c.other_service.pk]),
    web_form="name",
    web_url=lambda c: reverse("referrals:service-edit", args=[c.other_service.pk]),
    web_data=lambda c: {**SERVICE, "is_active": "on"},
    api_method="patch",
    api_url=lambda c: f"/api/v1/services/{c.other_service.pk}/",
    api_data=lambda c: dict(SERVICE),
    refusals=SERVICE_REFUSALS,
)

PATHWAY = {"title": "POE salud", "approved_on": iso(), "transferred_fields": ["case_number", "full_name"]}

PATHWAY_CREATE = WritePair(
    "referral pathway (SOP)",
    "api:referral-pathway-list",
    directory_ctx,
    web_url=lambda c: reverse("referrals:pathway-new"),
    web_data=lambda c: {**PATHWAY, "provider": c.other_provider.pk, "service": ""},
    api_url=lambda c: "/api/v1/referral-pathways/",
    api_data=lambda c: {**PATHWAY, "provider": c.other_provider.pk},
    refusals=(
        Refusal.same("approved_on", "in_future", approved_on=iso(1)),
        Refusal.same("response_time_hours", "out_of_range", response_time_hours=0),
        Refusal.same("service", "invalid_choice", label="another provider's service", service=lambda c: c.service.pk),
    ),
)

REFERRAL_PAIRS = [
    REFERRAL_CREATE,
    ACCEPT,
    DECLINE,
    CLOSE_REFERRAL,
    WITHDRAW_REFERRAL,
    OUTCOME,
    PROVIDER_CREATE,
    PROVIDER_UPDATE,
    SERVICE_CREATE,
    SERVICE_UPDATE,
    PATHWAY_CREATE,
]


# --- sustainability ------------------------------------------------------------------------------


def round_ctx(world: Any) -> SimpleNamespace:
    c = case_ctx(world)
    sustainability_services.record_round(
        world.pm,
        c.case,
        sustainability_services.RoundInput(
            instrument="rss", taken_on=today(), answers=economic_answers(), round_month=0
        ),
    )
    return c


ROUND = WritePair(
    "sustainability round",
    "api:case-sustainability",
    round_ctx,
    web_url=lambda c: reverse("sustainability:round-new", args=[c.case.pk]),
    web_data=lambda c: {"taken_on": iso(), "round_month": "", **{f"q_{k}": v for k, v in economic_answers().items()}},
    api_url=lambda c: f"/api/v1/cases/{c.case.pk}/sustainability/",
    api_data=lambda c: {"instrument": "rss", "date": iso(), "answers": economic_answers()},
    refusals=(
        Refusal("date", "in_future", web={"taken_on": iso(1)}, api={"date": iso(1)}, web_field="taken_on"),
        Refusal(
            "answers.eco_satisfaction",
            "invalid_choice",
            web={"q_eco_satisfaction": "rich"},
            api={"answers": {"eco_satisfaction": "rich"}},
            web_field="q_eco_satisfaction",
            label="not one of the question's options",
        ),
        Refusal.same("round_month", "invalid_choice", label="a round already recorded", round_month=0),
        Refusal.same("round_month", "invalid_choice", label="a round before the return", round_month=-1),
        Refusal.same("round_month", "outside_window", label="a round outside its window", round_month=6),
        Refusal(
            "answers",
            "too_few_answers",
            web={f"q_{k}": [] if isinstance(v, list) else "" for k, v in economic_answers().items()},
            api={"answers": {}},
            web_field="__all__",
            label="too few answers for any score",
        ),
    ),
)


def submissions_ctx(world: Any) -> SimpleNamespace:
    c = case_ctx(world)
    c.version = InstrumentVersion.objects.filter(instrument__code="rss", status="published").get()
    return c


def export(c: Any) -> SimpleUploadedFile:
    """A KoboToolbox / ODK export with one submission for the case."""
    content = submissions_csv([f"{c.case.case_number},{iso()},satisfied,agree,u1"])
    return SimpleUploadedFile("kobo.csv", content, content_type="text/csv")


def not_utf8() -> SimpleUploadedFile:
    return SimpleUploadedFile("kobo.csv", b"\xff\xfe\x00\x00case_number", content_type="text/csv")


SUBMISSIONS = WritePair(
    "survey submissions import",
    "api:instrument-submissions",
    submissions_ctx,
    web_url=lambda c: reverse("sustainability:version-submissions", args=[c.version.pk]),
    web_data=lambda c: {"file": export(c)},
    api_url=lambda c: "/api/v1/instruments/rss/submissions/",
    api_data=lambda c: {"file": export(c)},
    api_format="multipart",
    web_success=200,  # the import's report
    refusals=(Refusal.same("file", "invalid_file", label="not UTF-8", file=lambda c: not_utf8()),),
)

SUSTAINABILITY_PAIRS = [ROUND, SUBMISSIONS]


# --- structural ----------------------------------------------------------------------------------


def structural_ctx(world: Any) -> SimpleNamespace:
    programme = world.org.programmes.get()
    stakeholder = Stakeholder.objects.create(
        programme=programme,
        name="Ministerio",
        category="national_authority",
        level="national",
        country="MX",
        interest=3,
        influence=3,
    )
    agreement = Agreement.objects.create(programme=programme, title="MdE", kind="mou")
    mechanism = CoordinationMechanism.objects.create(
        programme=programme, name="Mesa", kind="inter_agency", level="national"
    )
    meeting = Meeting.objects.create(programme=programme, mechanism=mechanism, held_on=today())
    return ctx(
        world,
        programme=programme,
        foreign_programme=world.other_org.programmes.get(),
        stakeholder=stakeholder,
        agreement=agreement,
        meeting=meeting,
    )


def assessment_ctx(world: Any) -> SimpleNamespace:
    c = structural_ctx(world)
    c.assessment = CapacityAssessment.objects.create(
        programme=c.programme,
        stakeholder=c.stakeholder,
        area="Registro",
        aspect="tangible",
        current_level=2,
        target_level=3,
        assessed_on=today(),
    )
    return c


PRODUCT = {"kind": "decision", "description": "Protocolo de recepción", "status": "agreed"}
ACTION_ITEM = {"description": "Enviar el acta", "status": "planned"}

FOREIGN_PROGRAMME = Refusal.same(
    "programme", "invalid_choice", label="another organisation's programme", programme=lambda c: c.foreign_programme.pk
)


def structural(
    name: str, kind: str, route: str, api: str, valid: dict[str, Any], *refusals: Refusal, **options: Any
) -> WritePair:
    """A new top-level structural record (web `structural:<kind>-new`, API `api:<route>-list` at `api`): the same
    fields in the web form and the API."""
    return WritePair(
        name,
        f"api:{route}-list",
        structural_ctx,
        web_url=lambda c: reverse(f"structural:{kind}-new"),
        web_data=lambda c: {"programme": c.programme.pk, **valid},
        api_url=lambda c: f"/api/v1/{api}/",
        api_data=lambda c: {"programme": c.programme.pk, **valid},
        refusals=(*refusals, FOREIGN_PROGRAMME),
        **options,
    )


ASSESSMENT_VALID = {
    "area": "Registro",
    "aspect": "tangible",
    "current_level": 2,
    "target_level": 4,
    "priority": "high",
    "assessed_on": iso(),
}

STAKEHOLDER = {
    "name": "Alcaldía",
    "category": "local_government",
    "level": "local",
    "country": "MX",
    "stance": "neutral",
    "interest": 4,
    "influence": 2,
}

STRUCTURAL_PAIRS = [
    structural(
        "stakeholder",
        "stakeholder",
        "stakeholder",
        "stakeholders",
        STAKEHOLDER,
        Refusal.same("interest", "max_value", label="interest 7 of 5", interest=7),
    ),
    structural(
        "agreement",
        "agreement",
        "agreement",
        "agreements",
        {"title": "Convenio", "kind": "mou", "status": "draft"},
        Refusal.same("ends_on", "ends_before_start", starts_on=iso(10), ends_on=iso(1)),
    ),
    WritePair(
        "agreement update",
        "api:agreement-detail",
        structural_ctx,
        web_page=lambda c: reverse("structural:agreement-edit", args=[c.agreement.pk]),
        web_form="title",
        web_url=lambda c: reverse("structural:agreement-edit", args=[c.agreement.pk]),
        web_data=lambda c: {"title": "Convenio marco", "kind": "mou", "status": "draft"},
        api_method="patch",
        api_url=lambda c: f"/api/v1/agreements/{c.agreement.pk}/",
        api_data=lambda c: {"title": "Convenio marco"},
        refusals=(Refusal.same("ends_on", "ends_before_start", starts_on=iso(10), ends_on=iso(1)),),
    ),
    WritePair(
        "capacity assessment",
        "api:capacity-assessment-list",
        structural_ctx,
        web_url=lambda c: reverse("structural:assessment-new"),
        web_data=lambda c: {"programme": c.programme.pk, "stakeholder": c.stakeholder.pk, **ASSESSMENT_VALID},
        api_url=lambda c: "/api/v1/capacity-assessments/",
        api_data=lambda c: {"programme": c.programme.pk, "stakeholder": c.stakeholder.pk, **ASSESSMENT_VALID},
        refusals=(
            Refusal.same("target_level", "below_current", current_level=4, target_level=2),
            FOREIGN_PROGRAMME,
        ),
    ),
    WritePair(
        "stakeholder update",
        "api:stakeholder-detail",
        structural_ctx,
        web_page=lambda c: reverse("structural:stakeholder-edit", args=[c.stakeholder.pk]),
        web_form="name",
        web_url=lambda c: reverse("structural:stakeholder-edit", args=[c.stakeholder.pk]),
        web_data=lambda c: {"name": "Ministerio del Trabajo"},
        api_method="patch",
        api_url=lambda c: f"/api/v1/stakeholders/{c.stakeholder.pk}/",
        api_data=lambda c: {"name": "Ministerio del Trabajo"},
        refusals=(
            Refusal.same("interest", "max_value", label="interest 7 of 5", interest=7),
            Refusal.same(
                "owner", "invalid_choice", label="another organisation's user", owner=lambda c: c.world.stranger.pk
            ),
        ),
    ),
    WritePair(
        "capacity assessment update",
        "api:capacity-assessment-detail",
        assessment_ctx,
        web_page=lambda c: reverse("structural:assessment-edit", args=[c.assessment.pk]),
        web_form="area",
        web_url=lambda c: reverse("structural:assessment-edit", args=[c.assessment.pk]),
        web_data=lambda c: {"area": "Registro civil"},
        api_method="patch",
        api_url=lambda c: f"/api/v1/capacity-assessments/{c.assessment.pk}/",
        api_data=lambda c: {"area": "Registro civil"},
        refusals=(Refusal.same("target_level", "below_current", current_level=4, target_level=2),),
    ),
    WritePair(
        "common product",
        "api:common-product-list",
        structural_ctx,
        web_url=lambda c: reverse("structural:product-new-stakeholder", args=[c.stakeholder.pk]),
        web_data=lambda c: dict(PRODUCT),
        api_url=lambda c: "/api/v1/common-products/",
        api_data=lambda c: {**PRODUCT, "stakeholder": c.stakeholder.pk},
        # No rule of its own beyond the model's types (the stakeholder is the web page's address).
        refusals=(Refusal.same("due_on", "invalid", label="not a date", due_on="someday"),),
    ),
    WritePair(
        "action item",
        "api:action-item-list",
        structural_ctx,
        web_url=lambda c: reverse("structural:actionitem-new-meeting", args=[c.meeting.pk]),
        web_data=lambda c: dict(ACTION_ITEM),
        api_url=lambda c: "/api/v1/action-items/",
        api_data=lambda c: {**ACTION_ITEM, "meeting": c.meeting.pk},
        refusals=(
            Refusal.same(
                "owner", "invalid_choice", label="another organisation's user", owner=lambda c: c.world.stranger.pk
            ),
        ),
    ),
    structural(
        "capacity plan",
        "plan",
        "capacity-plan",
        "capacity-plans",
        {"title": "Plan de capacidades", "status": "planned"},
    ),
    structural(
        "coordination mechanism",
        "mechanism",
        "coordination-mechanism",
        "coordination-mechanisms",
        {"name": "Mesa", "kind": "inter_agency", "level": "national", "is_active": True},
    ),
    structural(
        "cooperation framework",
        "framework",
        "cooperation-framework",
        "cooperation-frameworks",
        {"title": "Marco", "host_country": "US", "origin_country": "MX"},
    ),
    structural(
        "mainstreaming process",
        "process",
        "mainstreaming-process",
        "mainstreaming-processes",
        {"title": "Incorporación", "level": "national", "status": "planned"},
    ),
]


# --- regional ------------------------------------------------------------------------------------

ACTION = {
    "title": "Casa de acogida",
    "country": "SV",
    "institution_kind": "ngo",
    "levels": ["community"],
    "dimensions": ["psychosocial"],
    "funding_source": "international_cooperation",
    "evaluation_status": "not_evaluated",
}
ACTION_REFUSALS = (
    Refusal.same("levels", "required", label="no level", levels=[]),
    Refusal.same("evaluated_on", "required", label="good practice never evaluated", evaluation_status="good_practice"),
    Refusal.same("ends_on", "ends_before_start", starts_on=iso(10), ends_on=iso(1)),
)


def action_ctx(world: Any) -> SimpleNamespace:
    action = regional_services.create_action(world.pm, regional_services.ActionInput(**ACTION))
    return ctx(world, action=action)


REGIONAL_PAIRS = [
    WritePair(
        "regional action",
        "api:regional-action-list",
        action_ctx,
        web_url=lambda c: reverse("regional:create"),
        web_data=lambda c: dict(ACTION, title="Comedor"),
        api_url=lambda c: "/api/v1/regional-actions/",
        api_data=lambda c: dict(ACTION, title="Comedor"),
        refusals=ACTION_REFUSALS,
    ),
    WritePair(
        "regional action update",
        "api:regional-action-detail",
        action_ctx,
        web_page=lambda c: reverse("regional:edit", args=[c.action.pk]),
        web_form="title",
        web_url=lambda c: reverse("regional:edit", args=[c.action.pk]),
        web_data=lambda c: dict(ACTION, title="Casa de acogida temporal"),
        api_method="put",
        api_url=lambda c: f"/api/v1/regional-actions/{c.action.pk}/",
        api_data=lambda c: dict(ACTION, title="Casa de acogida temporal"),
        refusals=ACTION_REFUSALS,
    ),
]


# --- programme settings (access) -----------------------------------------------------------------


def programme_ctx(world: Any) -> SimpleNamespace:
    return ctx(world, programme=world.org.programmes.get())


PROGRAMME = WritePair(
    "programme settings",
    "api:programme-detail",
    programme_ctx,
    web_page=lambda c: reverse("programmes:edit", args=[c.programme.pk]),
    web_form="rss_round_months",
    web_url=lambda c: reverse("programmes:edit", args=[c.programme.pk]),
    web_data=lambda c: {"stakeholder_review_months": "6"},
    api_method="patch",
    api_url=lambda c: f"/api/v1/programmes/{c.programme.pk}/",
    api_data=lambda c: {"stakeholder_review_months": 6},
    refusals=(
        Refusal(
            "rss_round_months",
            "out_of_range",
            web={"rss_round_months": "0, 200"},
            api={"rss_round_months": [0, 200]},
            label="a round 200 months after return",
        ),
        Refusal.same("stakeholder_review_months", "out_of_range", stakeholder_review_months=0),
        Refusal.same("ends_on", "ends_before_start", starts_on=iso(10), ends_on=iso(1)),
    ),
)

ACCESS_PAIRS = [PROGRAMME]

# --- monitoring (results framework) ----------------------------------------------------------------

COUNT_CASES = {"population": "cases", "unit": "case", "date": "return_date"}
BAD_UNIT = {**COUNT_CASES, "unit": "nobody"}


def framework_ctx(world: Any) -> SimpleNamespace:
    programme = world.org.programmes.get()
    framework = monitoring_services.create_framework(world.pm, programme)
    impact = monitoring_services.add_node(world.pm, framework, monitoring_services.NodeInput("impact", "Impacto"))
    outcome = monitoring_services.add_node(
        world.pm, framework, monitoring_services.NodeInput("outcome", "Efecto", parent=impact.pk)
    )
    indicator = monitoring_services.create_indicator(
        world.pm,
        framework,
        monitoring_services.IndicatorInput(
            node=outcome.pk, code="casos", name_es="Casos", measure="count", is_computed=True, definition=COUNT_CASES
        ),
    )
    return ctx(world, programme=programme, framework=framework, impact=impact, outcome=outcome, indicator=indicator)


def node_data(c: Any) -> dict[str, Any]:
    return {"kind": "outcome", "title": "Autosuficiencia", "parent": c.impact.pk}


NODE_REFUSALS = (
    Refusal.same("parent", "wrong_kind", label="an activity under the impact", kind="activity"),
    Refusal.same("title", "required", title=""),
)


def indicator_data(c: Any, code: str = "nuevo") -> dict[str, Any]:
    return {
        "node": c.outcome.pk,
        "code": code,
        "name_es": "Retornados",
        "measure": "count",
        "direction": "increase",
        "time_aggregation": "per_period",
        "frequency": "quarterly",
    }


INDICATOR_REFUSALS = (
    Refusal(
        "definition.unit",
        "invalid_choice",
        web={"is_computed": "on", "definition": json.dumps(BAD_UNIT)},
        api={"is_computed": True, "definition": BAD_UNIT},
        web_field="definition",
        label="a computation counting an unknown unit",
    ),
    Refusal("code", "required", web={"code": ""}, api={"code": ""}, label="no code"),
)


def period_data(c: Any) -> dict[str, Any]:
    return {"kind": "quarter", "starts_on": "2026-01-01", "ends_on": "2026-03-31"}


MONITORING_PAIRS = [
    WritePair(
        "result node",
        "api:results-framework-nodes",
        framework_ctx,
        web_url=lambda c: reverse("monitoring:node_create", args=[c.programme.pk]),
        web_data=node_data,
        api_url=lambda c: f"/api/v1/results-frameworks/{c.framework.pk}/nodes/",
        api_data=node_data,
        refusals=NODE_REFUSALS,
    ),
    WritePair(
        "result node update",
        "api:results-framework-node",
        framework_ctx,
        web_page=lambda c: reverse("monitoring:node_edit", args=[c.outcome.pk]),
        web_form="title",
        web_url=lambda c: reverse("monitoring:node_edit", args=[c.outcome.pk]),
        web_data=node_data,
        api_method="put",
        api_url=lambda c: f"/api/v1/results-frameworks/{c.framework.pk}/nodes/{c.outcome.pk}/",
        api_data=node_data,
        refusals=(
            Refusal.same("parent", "wrong_kind", label="an outcome made an output under the impact", kind="output"),
        ),
    ),
    WritePair(
        "indicator",
        "api:indicator-list",
        framework_ctx,
        web_url=lambda c: reverse("monitoring:indicator_create", args=[c.programme.pk]),
        web_data=indicator_data,
        api_url=lambda c: "/api/v1/indicators/",
        api_data=lambda c: {**indicator_data(c), "programme": c.programme.pk},
        refusals=INDICATOR_REFUSALS,
    ),
    WritePair(
        "indicator update",
        "api:indicator-detail",
        framework_ctx,
        web_page=lambda c: reverse("monitoring:indicator_edit", args=[c.indicator.pk]),
        web_form="code",
        web_url=lambda c: reverse("monitoring:indicator_edit", args=[c.indicator.pk]),
        web_data=lambda c: indicator_data(c, "casos"),
        api_method="put",
        api_url=lambda c: f"/api/v1/indicators/{c.indicator.pk}/",
        api_data=lambda c: indicator_data(c, "casos"),
        refusals=INDICATOR_REFUSALS,
    ),
    WritePair(
        "reporting period",
        "api:reporting-period-list",
        framework_ctx,
        web_url=lambda c: reverse("monitoring:periods", args=[c.programme.pk]),
        web_data=period_data,
        api_url=lambda c: "/api/v1/reporting-periods/",
        api_data=lambda c: {**period_data(c), "programme": c.programme.pk},
        refusals=(Refusal.same("ends_on", "ends_before_start", starts_on="2026-03-01", ends_on="2026-01-01"),),
    ),
]

# --- reception: manifest imports ----------------------------------------------------------------


def manifest_ctx(world: Any) -> SimpleNamespace:
    from reintegra.reception import manifest_services
    from reintegra.reception.models import ReceptionPoint

    point = ReceptionPoint.objects.create(
        organisation=world.org, code="tij", name="Módulo Tijuana", country="MX", kind="land_border"
    )
    mapping = manifest_services.save_mapping(
        world.pm,
        manifest_services.MappingInput(
            name="INM", columns={"given_names": "Nombres", "family_names": "Apellidos"}, return_type="forced"
        ),
    )
    return ctx(world, point=point, mapping=mapping)


def manifest_file(name: str = "Ana") -> SimpleUploadedFile:
    return SimpleUploadedFile("lista.csv", f"Nombres,Apellidos\n{name},Pérez\n".encode(), content_type="text/csv")


MANIFEST = WritePair(
    "manifest import",
    "api:arrivals-import",
    manifest_ctx,
    web_url=lambda c: reverse("manifests:new"),
    web_data=lambda c: {"file": manifest_file(), "point": c.point.pk, "mapping": c.mapping.pk, "arrived_on": iso()},
    api_url=lambda c: "/api/v1/arrivals/import/",
    api_data=lambda c: {"file": manifest_file(), "point": c.point.pk, "mapping": c.mapping.pk, "arrived_on": iso()},
    api_format="multipart",
    refusals=(
        Refusal.same("arrived_on", "in_future", arrived_on=iso(1)),
        Refusal.same("file", "invalid_file", label="not UTF-8", file=lambda c: not_utf8()),
    ),
)

_MAPPING = {"name": "INM 2027", "return_type": "forced", "means": "bus"}

MAPPING_EDIT = WritePair(
    "manifest mapping changed",
    "api:manifest-mapping",
    manifest_ctx,
    web_url=lambda c: reverse("manifests:mapping-edit", args=[c.mapping.pk]),
    web_page=lambda c: reverse("manifests:mapping-edit", args=[c.mapping.pk]),  # with the version it was read at
    web_form="col_given_names",
    web_data=lambda c: {
        **_MAPPING,
        "header": '["Nombres", "Apellidos"]',
        "date_format": "dmy",
        "letter_m": "female",
        "document_type": "passport",
        "col_given_names": "Nombres",
        "col_family_names": "Apellidos",
    },
    api_url=lambda c: f"/api/v1/manifest-mappings/{c.mapping.pk}/",
    api_data=lambda c: {**_MAPPING, "columns": {"given_names": "Nombres", "family_names": "Apellidos"}},
    api_method="put",
    refusals=(
        Refusal.same("name", "required", label="no name", name=""),
        Refusal.same("name", "max_length", label="name of 121 characters", name="x" * 121),
        Refusal.same("return_type", "invalid_choice", label="an unknown return type", return_type="boat"),
    ),
)

MANIFEST_PAIRS = [MANIFEST, MAPPING_EDIT]


PAIRS = [
    *CASE_PAIRS,
    *PROTECTION_PAIRS,
    *REFERRAL_PAIRS,
    *SUSTAINABILITY_PAIRS,
    *STRUCTURAL_PAIRS,
    *REGIONAL_PAIRS,
    *ACCESS_PAIRS,
    *MONITORING_PAIRS,
    *EVALUATION_PAIRS,
    *TRACING_PAIRS,  # tracing
    *CORE_PAIRS,  # core
    *PLAN_PAIRS,  # child plan
    *RECEPTION_PAIRS,  # reception
    *MANIFEST_PAIRS,  # manifest imports
    *HANDOVER_PAIRS,
    *COMMUNITY_PAIRS,  # community
    *EMPLOYMENT_PAIRS,  # employment
    *PUBLIC_PAIRS,  # public
]


@pytest.mark.parametrize("pair", PAIRS, ids=str)
def test_web_and_api_refuse_alike(world: Any, pair: WritePair) -> None:
    check_pair(pair, world)


def _too_long(field: str, limit: int) -> Refusal:
    return Refusal.same(field, "max_length", label=f"{field} of {limit + 1} characters", **{field: "x" * (limit + 1)})


# Free text over its limit (access.text_limits, issue 18.8): one write per app, refused alike by both channels
# (the limit of encrypted fields counts the clear text). Sustainability's texts are survey answers (JSON),
# checked by the instrument; its other write is a file.
TOO_LONG = {
    "assessment": _too_long("needs_vulnerabilities", 10_000),
    "counselling session": _too_long("topics", 300),
    "consent": _too_long("recipient_description", 200),
    "referral pathway (SOP)": _too_long("transfer_method", 10_000),
    "stakeholder": _too_long("relevance", 10_000),
    "regional action": _too_long("description", 10_000),
    "programme settings": _too_long("name", 200),
    "lesson": _too_long("body", 10_000),
    "best-interests assessment": _too_long("child_views", 4_000),
    "reception point": _too_long("name", 160),
    "hand-over": _too_long("reason", 500),
    "community project": _too_long("description", 10_000),
    "jobseeker profile": _too_long("notes", 2_000),
    "feedback recorded by staff": _too_long("text", 10_000),
}


@pytest.mark.parametrize("name", sorted(TOO_LONG))
def test_web_and_api_refuse_too_long_text_alike(world: Any, name: str) -> None:
    pair = next(p for p in PAIRS if str(p) == name)
    check_pair(replace(pair, refusals=(TOO_LONG[name],)), world)


# --- every API write is paired, or says why not -----------------------------------------------------

# API writes not paired above, each with its reason.
NOT_PAIRED = {
    "api:token POST": "signing in for a token; the web signs in with its own login form",
    "api:auth-token-detail DELETE": "revoking a token takes no input",
    "api:returnee-duplicates POST": "a read (the duplicate check); the web's is the registration page's panel",
    "api:returnee-detail PUT": "the same write as api:returnee-detail PATCH (paired)",
    "api:case-plan POST": "the same write as api:case-plan PUT (paired)",
    "api:case-assessment PATCH": "API only: the web records assessments and does not edit them",
    "api:share-revoke POST": "takes no input",
    "api:reminder-read POST": "takes no input",
    "api:export-list POST": "the web starts the same export from a list's Export menu (a GET download past the "
    "threshold); both call access.export_jobs.start, refusals tested in access/tests/test_export_jobs.py",
    "api:provider-link-accept POST": "takes no input",
    "api:provider-link-refuse POST": "takes no input",
    "api:referral-send POST": "its only refusal is the consent rule: 403 consent_required in both (referrals tests)",
    "api:referral-discard POST": "no input; its only refusal, not_a_draft, is the same on both (test_discard_draft.py)",
    "api:stakeholder-detail PUT": "the same write as api:stakeholder-detail PATCH (paired)",
    "api:stakeholder-interactions POST": "no rule beyond the model's types; save_record as every structural write",
    "api:coordination-mechanism-meetings POST": "no rule beyond the model's types; save_record as every other",
    "api:agreement-detail PUT": "the same write as api:agreement-detail PATCH (paired)",
    "api:capacity-assessment-detail PUT": "the same write as api:capacity-assessment-detail PATCH (paired)",
    "api:regional-action-detail PATCH": "the same write as api:regional-action-detail PUT (paired)",
    "api:results-framework-list POST": "takes only the programme (the web's button posts nothing else); a second"
    " framework is refused alike (programme: duplicate, monitoring tests)",
    "api:results-framework-detail PUT": "no rule beyond the fields' types (theory of change, context, public flag)",
    "api:results-framework-detail PATCH": "the same write as api:results-framework-detail PUT",
    "api:results-framework-node PATCH": "the same write as api:results-framework-node PUT (paired)",
    "api:results-framework-node DELETE": "takes no input",
    "api:indicator-detail PATCH": "the same write as api:indicator-detail PUT (paired)",
    "api:indicator-detail DELETE": "takes no input",
    "api:reporting-period-submit POST": "takes no input",
    **EVALUATION_NOT_PAIRED,
    **CORE_NOT_PAIRED,  # core
    **PLAN_NOT_PAIRED,  # child plan
    **HANDOVER_NOT_PAIRED,
    **COMMUNITY_NOT_PAIRED,  # community
    **EMPLOYMENT_NOT_PAIRED,  # employment
    **PUBLIC_NOT_PAIRED,  # public
    **{
        f"api:{kind}-detail {method}": "the same serializer and save_record as its paired creation"
        for kind in (
            "common-product",
            "capacity-plan",
            "coordination-mechanism",
            "action-item",
            "cooperation-framework",
            "mainstreaming-process",
        )
        for method in ("PATCH", "PUT")
    },
}

# Web forms that write and have no API (for the record: nothing to compare them with).
WEB_ONLY = {
    "sustainability: instrument upload, draft edit, publishing; the feasibility grid (edit, delete, import)",
    "referrals: directory import; answering a provider link (no input)",
    "regional: the catalogue import",
    "structural: contact persons, reviews, documents, members, capacity activities, trainings, indicators,"
    " sector opportunities, checklist steps; write grants; the information-exchange matrix",
    "access: account pages (password, tokens, two-factor), users; reminders: marking read",
    "monitoring: adopting a standard indicator, the targets grid, the four quarters of a year, editing a period,"
    " values reported by hand",
    "handover: none (every hand-over write has an API)",
    "public: guides, information-request answers and publication, a programme's public settings",
}


def test_every_api_write_is_paired_or_says_why_not() -> None:
    writes = {
        f"{route.name} {method}"
        for route in walk()
        if route.namespace == "api"
        for method in route_methods(route) & {"POST", "PUT", "PATCH", "DELETE"}
    }
    paired = {pair.api_write for pair in PAIRS}
    assert len(paired) == len(PAIRS), "two pairs cover the same API write"
    assert not paired & set(NOT_PAIRED), "a write is both paired and listed as not paired"
    assert writes == paired | set(NOT_PAIRED), (
        f"not covered: {sorted(writes - paired - set(NOT_PAIRED))}; gone: {sorted((paired | set(NOT_PAIRED)) - writes)}"
    )
