"""One rule path for reception: the pairs `tests/test_one_rule_path.py` sends through the web form and the API
(its `world` fixture: `org`, `pm`, `case_manager`...)."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

from django.urls import reverse
from django.utils import timezone

from reintegra.reception import services
from reintegra.testing.rule_paths import Refusal, WritePair


def reception_ctx(world: Any) -> SimpleNamespace:
    point = services.save_point(
        world.pm, services.PointInput(code="fag", name="Centro de recepción", country="MX", kind="airport")
    )
    arrival = services.create_arrival(
        world.case_manager,
        services.ArrivalInput(
            point_id=point.pk,
            arrived_at=timezone.now() - timedelta(hours=1),
            means="bus",
            return_type="forced",
            men=20,
        ),
    )
    return SimpleNamespace(world=world, user=world.pm, point=point, arrival=arrival)


def manager_ctx(world: Any) -> SimpleNamespace:
    found = reception_ctx(world)
    found.user = world.case_manager
    return found


POINT = {"code": "tijuana-pm", "name": "Módulo de repatriación Tijuana", "country": "MX", "kind": "land_border"}


def _arrival_web(c: Any) -> dict[str, Any]:
    return {
        "point": c.point.pk,
        "arrived_at": "2026-11-01T10:00",
        "means": "flight",
        "return_type": "forced",
        "men": 40,
    }


def _arrival_api(c: Any) -> dict[str, Any]:
    return {
        "point": c.point.pk,
        "arrived_at": "2026-11-01T10:00:00-06:00",
        "means": "flight",
        "return_type": "forced",
        "men": 40,
    }


def intake_ctx(world: Any) -> SimpleNamespace:
    """A person received, and an institution of the directory in another country than the point's."""
    from reintegra.referrals.models import ServiceProvider

    found = manager_ctx(world)
    found.intake = services.record_intake(
        world.case_manager, found.arrival, services.IntakeInput(**INTAKE, birth_date=date(1990, 4, 2))
    )
    found.abroad = ServiceProvider.objects.create(
        name="Red Cross", organisation_type="ngo", country="US", owner=world.org
    )
    return found


INTAKE = {"given_names": "Luis Alberto", "family_names": "Gómez Ruiz", "sex": "male", "nationality": "MX"}
FUTURE = (timezone.localdate() + timedelta(days=3)).isoformat()

RECEPTION_PAIRS = [
    WritePair(
        "reception point",
        "api:reception-points",
        reception_ctx,
        web_url=lambda c: reverse("reception:point-new"),
        web_data=lambda c: {**POINT, "active": "on"},
        api_url=lambda c: "/api/v1/reception-points/",
        api_data=lambda c: dict(POINT),
        refusals=(
            Refusal(
                "code", "duplicate", web={"code": "fag"}, api={"code": "fag"}, label="a code the organisation uses"
            ),
            Refusal.same("name", "required", label="no name", name=""),
        ),
    ),
    WritePair(
        "arrival",
        "api:arrivals",
        manager_ctx,
        web_url=lambda c: reverse("reception:arrival-new"),
        web_data=_arrival_web,
        api_url=lambda c: "/api/v1/arrivals/",
        api_data=_arrival_api,
        refusals=(
            Refusal(
                "arrived_at",
                "in_future",
                web={"arrived_at": f"{FUTURE}T10:00"},
                api={"arrived_at": f"{FUTURE}T10:00:00-06:00"},
                label="arrives in three days",
            ),
            Refusal.same(
                "unaccompanied_minors",
                "inconsistent",
                label="more minors than boys and girls",
                boys=1,
                unaccompanied_minors=2,
            ),
        ),
    ),
    WritePair(
        "intake at reception",
        "api:arrival-intakes",
        manager_ctx,
        web_url=lambda c: reverse("reception:intake", args=[c.arrival.pk]),
        web_data=lambda c: {**INTAKE, "birth_date": "1990-04-02"},
        api_url=lambda c: f"/api/v1/arrivals/{c.arrival.pk}/intakes/",
        api_data=lambda c: {**INTAKE, "birth_date": "1990-04-02"},
        refusals=(
            Refusal.same("given_names", "required", label="no name", given_names=""),
            Refusal(
                "birth_date",
                "required",
                web={"birth_date": ""},
                api={"birth_date": None},
                label="neither birth date nor age",
            ),
            Refusal(
                "protection_flags",
                "not_a_child",
                web={"protection_flags": ["unaccompanied_child"]},
                api={"protection_flags": ["unaccompanied_child"]},
                label="an adult flagged as an unaccompanied child",
            ),
        ),
    ),
    WritePair(
        "assistance given at reception",
        "api:intake-assistance",
        intake_ctx,
        web_url=lambda c: reverse("reception:intake-detail", args=[c.intake.pk]),
        web_page=lambda c: reverse("reception:intake-detail", args=[c.intake.pk]),  # with the intake's version
        web_form="institution_food",
        web_data=lambda c: {"assistance": ["food", "clothes"]},
        api_url=lambda c: f"/api/v1/intakes/{c.intake.pk}/assistance/",
        api_data=lambda c: {"assistance": ["food", "clothes"]},
        api_method="put",
        refusals=(
            Refusal(
                "assistance_institutions.food",
                "invalid_choice",
                web={"institution_food": lambda c: c.abroad.pk},
                api={"assistance_institutions": lambda c: {"food": c.abroad.pk}},
                web_field="institution_food",
                label="an institution outside the directory of the point's country",
            ),
            Refusal(
                "assistance.0",
                "invalid_choice",
                web={"assistance": ["spaceship"]},
                api={"assistance": ["spaceship"]},
                web_field="assistance",
                label="an unknown item",
            ),
        ),
    ),
]
