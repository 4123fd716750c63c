"""The hand-over writes in tests/test_one_rule_path.py: the web form and the API refuse the same inputs."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.urls import reverse

from reintegra.handover import services
from reintegra.handover.tests.conftest import consent, framework_for
from reintegra.testing import factories
from reintegra.testing.rule_paths import Refusal, WritePair


def create_ctx(world: Any) -> SimpleNamespace:
    case = factories.case(world.pm, case_manager=world.pm)
    framework, party = framework_for(world.org, ["returnee_profiles", "origin_situation"])
    narrow, narrow_party = framework_for(world.org, ["needs_intentions"])
    return SimpleNamespace(
        world=world,
        user=world.pm,
        case=case,
        framework=framework,
        party=party,
        narrow=narrow,
        narrow_party=narrow_party,
    )


def _create_data(c: Any) -> dict[str, Any]:
    return {
        "recipient_organisation": c.world.other_org.pk,
        "framework": c.framework.pk,
        "recipient_party": c.party.pk,
        "reason": "Seguimiento en Guatemala",
    }


CREATE = WritePair(
    "hand-over",
    "api:handovers",
    create_ctx,
    web_url=lambda c: reverse("handover:create", args=[c.case.pk]),
    web_data=_create_data,
    api_url=lambda c: "/api/v1/handovers/",
    api_data=lambda c: {"case": c.case.pk, **_create_data(c)},
    refusals=(
        Refusal.same("reason", "required", label="no reason", reason=""),
        Refusal.same(
            "recipient_organisation",
            "invalid_choice",
            label="own organisation",
            recipient_organisation=lambda c: c.world.org.pk,
        ),
        Refusal.same(
            "recipient_party",
            "categories_not_allowed",
            label="no profile category",
            framework=lambda c: c.narrow.pk,
            recipient_party=lambda c: c.narrow_party.pk,
        ),
    ),
)


def decline_ctx(world: Any) -> SimpleNamespace:
    c = create_ctx(world)
    recipient = factories.user(world.other_org, "supervisor", username="receptora")
    consent(c.case, world.other_org, world.pm)
    draft = services.create_handover(
        world.pm,
        c.case,
        services.HandOverInput(c.framework, c.party, "Seguimiento", recipient_organisation=world.other_org),
    )
    c.handover = services.send_handover(world.pm, draft)
    c.user = recipient
    return c


DECLINE = WritePair(
    "hand-over decline",
    "api:handover-decline",
    decline_ctx,
    web_url=lambda c: reverse("handover:detail", args=[c.handover.pk]),
    web_data=lambda c: {"step": "decline", "reason": "Sin cupo"},
    api_url=lambda c: f"/api/v1/handovers/{c.handover.pk}/decline/",
    api_data=lambda c: {"reason": "Sin cupo"},
    refusals=(Refusal.same("reason", "required", label="no reason", reason=""),),
)

HANDOVER_PAIRS = [CREATE, DECLINE]

HANDOVER_NOT_PAIRED = {
    "api:handover-send POST": "takes no input; its refusal is the consent rule (403 cross_border_consent_required"
    " in both, handover tests)",
    "api:handover-revoke POST": "takes no input",
    "api:handover-accept POST": "its refusal is the duplicate check (existing_returnee: possible_duplicate), the same"
    " service for both (handover tests)",
    "api:handovers-delivery-retry POST": "takes no input",
    "api:handovers-inbox POST": "no user: a partner installation's signed package (handover tests)",
    "api:handovers-upload POST": "the same service as the inbox; the web's is the inbox page's upload form",
    "api:partners POST": "the public keys are JSON in the API and text in the form; the same service (handover tests)",
}
