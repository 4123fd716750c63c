"""One rule path for feedback: the pairs `tests/test_one_rule_path.py` sends through the web form and the API
(its `world` fixture: `org`, `pm`...)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from django.urls import reverse
from django.utils import timezone

from reintegra.access.models import Programme
from reintegra.public import services
from reintegra.referrals import services as referral_services
from reintegra.testing import factories
from reintegra.testing.rule_paths import Refusal, WritePair


def feedback_ctx(world: Any) -> SimpleNamespace:
    programme = Programme.objects.filter(organisation=world.org).order_by("pk").first()
    assert programme is not None
    item = services.record_feedback(
        world.pm,
        services.FeedbackInput(
            programme=programme.pk, kind="complaint", channel="phone", text="Nadie devolvió la llamada"
        ),
    )
    return SimpleNamespace(world=world, user=world.pm, programme=programme, item=item)


def provider_ctx(world: Any) -> SimpleNamespace:
    context = feedback_ctx(world)
    country = (context.programme.countries or [str(world.org.country)])[0]
    context.provider = referral_services.save_provider(
        world.pm, referral_services.ProviderInput(name="Clínica del Valle", organisation_type="ngo", country=country)
    )
    return context


def _new(c: Any) -> dict[str, Any]:
    return {
        "programme": c.programme.pk,
        "kind": "suggestion",
        "channel": "in_person",
        "text": "Abrir los sábados",
        "priority": "normal",
    }


PUBLIC_PAIRS = [
    WritePair(
        "feedback recorded by staff",
        "api:feedback",
        feedback_ctx,
        web_url=lambda c: reverse("public_staff:feedback-new"),
        web_data=_new,
        api_url=lambda c: "/api/v1/feedback/",
        api_data=_new,
        refusals=(
            Refusal.same("text", "required", label="nothing said", text=""),
            Refusal.same("concern", "required", label="a sensitive item without its concern", kind="sensitive"),
            Refusal.same("concern", "not_sensitive", label="a concern on a suggestion", concern="fraud"),
            Refusal.same("channel", "invalid_choice", label="an unknown channel", channel="pigeon"),
        ),
    ),
    WritePair(
        "feedback response",
        "api:feedback-respond",
        feedback_ctx,
        web_url=lambda c: reverse("public_staff:feedback-step", args=[c.item.pk, "responder"]),
        web_data=lambda c: {"response": "Le llamamos el lunes"},
        api_url=lambda c: f"/api/v1/feedback/{c.item.pk}/respond/",
        api_data=lambda c: {"response": "Le llamamos el lunes"},
        web_success=302,
        refusals=(Refusal.same("response", "required", label="an empty response", response=""),),
    ),
    WritePair(
        "service provider of a feedback item",
        "api:feedback-provider",
        provider_ctx,
        web_url=lambda c: reverse("public_staff:feedback-step", args=[c.item.pk, "proveedor"]),
        web_data=lambda c: {"provider": c.provider.pk},
        api_url=lambda c: f"/api/v1/feedback/{c.item.pk}/provider/",
        api_data=lambda c: {"provider": c.provider.pk},
        web_success=302,
        refusals=(
            Refusal.same("provider", "invalid_choice", label="a provider in another country", provider=-5),
            Refusal(
                "provider", "unchanged", web={"provider": ""}, api={"provider": None}, label="none named, none given"
            ),
        ),
    ),
]


def survey_ctx(world: Any) -> SimpleNamespace:
    manager = world.case_manager
    return SimpleNamespace(world=world, user=manager, case=factories.case(manager))


def _survey(c: Any) -> dict[str, Any]:
    return {
        "taken_on": timezone.localdate().isoformat(),
        "informed_of_options": "yes",
        "took_part_in_decisions": "partly",
        "confidentiality_respected": "yes",
        "would_recommend": "yes",
    }


PUBLIC_PAIRS.append(
    WritePair(
        "satisfaction survey of a case",
        "api:case-satisfaction-surveys",
        survey_ctx,
        web_url=lambda c: reverse("public_staff:case-satisfaction", args=[c.case.pk]),
        web_data=_survey,
        api_url=lambda c: f"/api/v1/cases/{c.case.pk}/satisfaction-surveys/",
        api_data=_survey,
        refusals=(
            Refusal.same("would_recommend", "required", label="an item not answered", would_recommend=""),
            Refusal.same("informed_of_options", "invalid_choice", label="an unknown answer", informed_of_options="x"),
            Refusal.same(
                "taken_on",
                "future_date",
                label="a survey dated tomorrow",
                taken_on=(timezone.localdate() + timedelta(days=1)).isoformat(),
            ),
        ),
    )
)

PUBLIC_NOT_PAIRED = {
    "api:feedback-acknowledge POST": "its only rule is the status (already_acknowledged, the same TransitionError)",
    "api:feedback-note POST": "one field, required in the same service (add_note); tested in public tests",
    "api:feedback-close-loop POST": "its rule is the status (not_responded); tested in public/tests/test_services.py",
    "api:public-feedback POST": "the public form: a one-time challenge per request; both channels call "
    "submit_feedback (public/tests/test_portal.py)",
    "api:public-information-requests POST": "the public form: a one-time challenge per request; both channels call "
    "submit_information_request (public/tests/test_portal.py)",
}
