"""One rule path for family tracing and reunification: the pairs `tests/test_one_rule_path.py` sends through
the web form and the API (its `world` fixture: `org`, `pm`, `case_manager`...)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from django.urls import reverse
from django.utils import timezone

from reintegra.children import tracing_selectors
from reintegra.children import tracing_services as services
from reintegra.testing import factories
from reintegra.testing.rule_paths import Refusal, WritePair


def iso(days: int = 0) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def tracing_ctx(world: Any) -> SimpleNamespace:
    user = world.pm
    case = factories.case(user, case_manager=user)
    other_case = factories.case(user, case_manager=user)
    today = timezone.localdate()

    def request_for(c: Any, name: str) -> Any:
        return services.open_tracing_request(
            user, c, services.TracingRequestInput("mother", name, "Xol", opened_on=today - timedelta(days=3))
        )

    request, foreign_request = request_for(case, "Rosa"), request_for(other_case, "Ana")
    found_request = request_for(case, "Marta")
    found = services.record_family_member_found(
        user, case, services.FamilyMemberInput(found_request.pk, "aunt_uncle", "Marta", "Xol", today)
    )
    assessment = services.save_reunification_assessment(
        user, case, services.ReunificationInput(assessed_on=today - timedelta(days=1), family_member=found.pk)
    )
    return SimpleNamespace(
        world=world,
        user=user,
        case=case,
        request=request,
        foreign_request=foreign_request,
        found=found,
        assessment=assessment,
    )


def reunified_ctx(world: Any) -> SimpleNamespace:
    c = tracing_ctx(world)
    services.save_reunification_assessment(
        c.user,
        c.case,
        services.ReunificationInput(
            assessed_on=timezone.localdate() - timedelta(days=1),
            family_member=c.found.pk,
            family_willing="yes",
            family_able="yes",
            home_safe="yes",
            child_wish="wants",
            authority_view="agrees",
            recommendation="reunify",
            reunified_on=timezone.localdate(),
        ),
    )
    c.follow_up = tracing_selectors.follow_ups_of(c.case)[0]
    return c


def api(path: str) -> Any:
    return lambda c: f"/api/v1/cases/{c.case.pk}/{path}"


REQUEST = {"relationship": "father", "given_names": "Pedro", "family_names": "Xol", "birth_year": 1980}
ACTION = {"method": "home_visit", "carried_out_by": "Gestora", "result": "lead"}
FOUND = {"relationship": "mother", "given_names": "Rosa", "family_names": "Xol"}
ASSESSMENT = {
    "family_willing": "yes",
    "family_able": "no",
    "home_safe": "yes",
    "child_wish": "wants",
    "authority": "PGN",
    "authority_view": "agrees",
    "recommendation": "reunify_with_support",
}

TRACING_PAIRS = [
    WritePair(
        "tracing request",
        "api:case-tracing-requests",
        tracing_ctx,
        web_url=lambda c: reverse("children:tracing-request-new", args=[c.case.pk]),
        web_data=lambda c: {**REQUEST, "opened_on": iso()},
        api_url=api("tracing-requests/"),
        api_data=lambda c: {**REQUEST, "opened_on": iso()},
        refusals=(
            Refusal.same("given_names", "required", label="no name at all", given_names="", family_names=""),
            Refusal.same("birth_year", "out_of_range", birth_year=1850),
            Refusal.same("opened_on", "in_future", opened_on=iso(3)),
            Refusal.same("relationship", "required", relationship=""),
        ),
    ),
    WritePair(
        "tracing request closed without finding the person",
        "api:case-tracing-request-close",
        tracing_ctx,
        web_url=lambda c: reverse("children:tracing-request-close", args=[c.case.pk, c.request.pk]),
        web_data=lambda c: {"closed_on": iso()},
        api_url=lambda c: f"/api/v1/cases/{c.case.pk}/tracing-requests/{c.request.pk}/close/",
        api_data=lambda c: {"closed_on": iso()},
        refusals=(
            Refusal.same("closed_on", "in_future", closed_on=iso(1)),
            Refusal.same("closed_on", "before_opening", closed_on=iso(-10)),
            Refusal("closed_on", "required", web={"closed_on": ""}, api={"closed_on": None}),
        ),
    ),
    WritePair(
        "tracing action",
        "api:case-tracing-actions",
        tracing_ctx,
        web_url=lambda c: reverse("children:tracing-action-new", args=[c.case.pk]),
        web_data=lambda c: {**ACTION, "request": c.request.pk, "taken_on": iso()},
        api_url=api("tracing-actions/"),
        api_data=lambda c: {**ACTION, "request": c.request.pk, "taken_on": iso()},
        refusals=(
            Refusal.same("taken_on", "in_future", taken_on=iso(1)),
            Refusal.same("taken_on", "before_opening", taken_on=iso(-10)),
            Refusal.same("carried_out_by", "required", carried_out_by=""),
            Refusal.same("result", "required", result=""),
            Refusal.same(
                "request", "invalid_choice", label="another case's request", request=lambda c: c.foreign_request.pk
            ),
        ),
    ),
    WritePair(
        "family member found",
        "api:case-family-members-found",
        tracing_ctx,
        web_url=lambda c: reverse("children:tracing-found-new", args=[c.case.pk]),
        web_data=lambda c: {**FOUND, "request": c.request.pk, "found_on": iso()},
        api_url=api("family-members-found/"),
        api_data=lambda c: {**FOUND, "request": c.request.pk, "found_on": iso()},
        refusals=(
            Refusal.same("found_on", "in_future", found_on=iso(2)),
            Refusal.same("given_names", "required", given_names=""),
            Refusal("request", "required", web={"request": ""}, api={"request": None}),
        ),
    ),
    WritePair(
        "reunification assessment",
        "api:case-reunification-assessment",
        tracing_ctx,
        web_page=lambda c: reverse("children:reunification", args=[c.case.pk]),
        web_form="assessed_on",
        web_url=lambda c: reverse("children:reunification", args=[c.case.pk]),
        web_data=lambda c: {**ASSESSMENT, "family_member": c.found.pk, "assessed_on": iso(), "reunified_on": iso()},
        api_method="put",
        api_url=api("reunification-assessment/"),
        api_data=lambda c: {**ASSESSMENT, "family_member": c.found.pk, "assessed_on": iso(), "reunified_on": iso()},
        refusals=(
            Refusal.same("recommendation", "not_suitable", label="an unwilling family", family_willing="no"),
            Refusal.same("recommendation", "support_needed", recommendation="reunify"),
            Refusal.same("child_wish", "required", label="the child not heard", child_wish="not_heard"),
            Refusal.same("authority_view", "authority_agreement_required", authority_view="pending"),
            Refusal.same("reunified_on", "not_recommended", recommendation="further_tracing"),
            Refusal.same("reunified_on", "in_future", reunified_on=iso(5)),
        ),
    ),
    WritePair(
        "post-reunification follow-up",
        "api:case-reunification-follow-up",
        reunified_ctx,
        web_url=lambda c: reverse("children:reunification-follow-up", args=[c.case.pk, c.follow_up.pk]),
        web_data=lambda c: {"done_on": iso(), "outlook": "stable"},
        api_url=lambda c: f"/api/v1/cases/{c.case.pk}/reunification-follow-ups/{c.follow_up.pk}/",
        api_data=lambda c: {"done_on": iso(), "outlook": "stable"},
        refusals=(
            Refusal.same("done_on", "in_future", done_on=iso(1)),
            Refusal.same("done_on", "before_reunification", done_on=iso(-1)),
            Refusal.same("outlook", "required", outlook=""),
            Refusal.same("notes", "required", label="a worry without a word", outlook="at_risk", notes=""),
        ),
    ),
]

TRACING_NOT_PAIRED: dict[str, str] = {}
