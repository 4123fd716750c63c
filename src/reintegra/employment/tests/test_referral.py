"""A shortlisted candidate reaches the employer through the referral network (issue 16, placement workflow):
a referral under a job-placement SOP that transfers the CV fields only, with the person's consent naming the
recipient, answered by the provider; the interview waits for the acceptance. Web and API alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone, translation
from rest_framework.test import APIClient

from reintegra.access.roles import Role
from reintegra.employment import cv, services
from reintegra.employment.models import JobseekerProfile, Placement
from reintegra.employment.tests.conftest import World, profile_input, vacancy_input
from reintegra.protection.choices import ConsentMethod, ConsentPurpose
from reintegra.protection.services import ConsentRequired, record_consent
from reintegra.referrals import catalogue
from reintegra.referrals import services as referral_services
from reintegra.referrals.choices import ReferralStatus
from reintegra.referrals.models import Service, ServiceProvider
from reintegra.testing import factories as f

pytestmark = pytest.mark.django_db

CV_SOP = ["case_number", "full_name", "phone", "place", "referral_reason", cv.CV_FIELD]


@dataclass
class Network:
    placement: Placement
    provider_org: Any
    provider_user: Any
    provider: ServiceProvider
    service: Service
    pathway: Any


def _service(org: Any, name: str, code: str, *, sector: str = "employment") -> tuple[ServiceProvider, Service]:
    provider = ServiceProvider.objects.create(
        name=name, organisation_type="government", country="GT", organisation=org, owner=org
    )
    service = Service.objects.create(
        provider=provider, code=code, name="Intermediación laboral", dimension="economic", sector=sector, country="GT"
    )
    return provider, service


def _consent(world: World, organisation: Any) -> None:
    record_consent(
        world.case_manager,
        world.case.returnee,
        ConsentPurpose.REFERRAL,
        ConsentMethod.SIGNED,
        timezone.localdate() - timedelta(days=1),
        recipient_organisation=organisation,
    )


@pytest.fixture
def network(world: World) -> Network:
    profile = services.save_profile(world.case_manager, world.case, profile_input(world.muni))
    vacancy = services.save_vacancy(world.manager, vacancy_input(world.programme, world.employer, world.muni))
    placement = services.shortlist(world.case_manager, vacancy, profile)
    provider_org = f.organisation("sne-gt", country="GT")
    provider_user = f.user(provider_org, Role.SERVICE_PROVIDER)
    provider, service = _service(provider_org, "Servicio Nacional de Empleo", "sne-gt-intermediacion")
    pathway = referral_services.save_pathway(
        world.manager,
        referral_services.PathwayInput(
            provider=provider, title="POE colocación", approved_on=timezone.localdate(), transferred_fields=CV_SOP
        ),
    )
    return Network(placement, provider_org, provider_user, provider, service, pathway)


def _codes(exc: ValidationError) -> dict[str, list[str]]:
    return {name: [e.code for e in errors] for name, errors in exc.error_dict.items()}


def test_the_cv_is_a_field_an_sop_may_transfer(network: Network) -> None:
    assert cv.CV_FIELD in catalogue.FIELDS
    assert cv.is_cv_only(CV_SOP)
    assert not cv.is_cv_only(["case_number", "full_name"])  # no CV
    assert not cv.is_cv_only([*CV_SOP, "health"])  # more than a CV


def test_referring_sends_a_referral_with_the_cv_only(world: World, network: Network) -> None:
    _consent(world, network.provider_org)
    placement = services.refer_candidate(
        world.case_manager, network.placement, service=network.service, note="Turno de día"
    )
    referral = placement.referral
    assert referral is not None
    assert (referral.status, referral.recipient_organisation, referral.pathway) == (
        ReferralStatus.SENT,
        network.provider_org,
        network.pathway,
    )
    assert referral.consent is not None and referral.consent.recipient_organisation == network.provider_org
    with translation.override("es"):
        shared = {field.code: field.value for field in catalogue.provider_payload(referral) or []}
    assert set(shared) == set(CV_SOP)
    assert "Albañiles" in shared[cv.CV_FIELD] and "INTECAP" in shared[cv.CV_FIELD]
    assert "Estados Unidos" in shared[cv.CV_FIELD]  # work abroad is part of the record
    assert "Albañil para obra residencial" in shared["referral_reason"] and "Turno de día" in shared["referral_reason"]
    events = [e.data for e in world.case.events.filter(kind="employment")]
    assert {"what": "referred", "vacancy": placement.vacancy_id, "referral": referral.reference} in events


def test_without_a_consent_naming_the_recipient_nothing_is_sent(world: World, network: Network) -> None:
    _consent(world, world.other_org)  # names someone else
    with pytest.raises(ConsentRequired):
        services.refer_candidate(world.case_manager, network.placement, service=network.service)
    network.placement.refresh_from_db()
    assert network.placement.referral is None
    assert not world.case.referrals.exists()  # no draft left behind


def test_only_a_job_placement_sop_and_an_employment_service(world: World, network: Network) -> None:
    _consent(world, network.provider_org)
    referral_services.save_pathway(
        world.manager,
        referral_services.PathwayInput(
            provider=network.provider,
            title="POE colocación",
            approved_on=timezone.localdate(),
            transferred_fields=[*CV_SOP, "needs_details"],
        ),
        previous=network.pathway,
    )
    with pytest.raises(ValidationError) as exc:
        services.refer_candidate(world.case_manager, network.placement, service=network.service)
    assert _codes(exc.value) == {"service": ["not_cv_only"]}
    health = Service.objects.create(
        provider=network.provider, code="sne-salud", name="Salud", dimension="social", sector="health", country="GT"
    )
    with pytest.raises(ValidationError) as exc:
        services.refer_candidate(world.case_manager, network.placement, service=health)
    assert _codes(exc.value) == {"service": ["invalid_choice"]}
    with pytest.raises(ValidationError) as exc:
        services.refer_candidate(world.case_manager, network.placement, service=None)
    assert _codes(exc.value) == {"service": ["required"]}


def test_the_interview_waits_for_the_providers_acceptance(world: World, network: Network) -> None:
    _consent(world, network.provider_org)
    with pytest.raises(ValidationError) as exc:
        services.advance_placement(world.case_manager, network.placement, step="interview")
    assert _codes(exc.value) == {"step": ["referral_required"]}
    placement = services.refer_candidate(world.case_manager, network.placement, service=network.service)
    with pytest.raises(ValidationError) as exc:
        services.refer_candidate(world.case_manager, placement, service=network.service)
    assert _codes(exc.value) == {"placement": ["duplicate"]}
    with pytest.raises(ValidationError) as exc:
        services.advance_placement(world.case_manager, placement, step="interview")
    assert _codes(exc.value) == {"step": ["referral_not_accepted"]}
    # The employment service declines: the candidate may be referred again (the first referral stays).
    first = placement.referral
    assert first is not None
    referral_services.decline_referral(network.provider_user, first, reason="no_capacity")
    placement.refresh_from_db()
    assert services.may_refer(placement)
    placement = services.refer_candidate(world.case_manager, placement, service=network.service)
    assert placement.referral is not None and placement.referral.pk != first.pk
    referral_services.accept_referral(network.provider_user, placement.referral)
    placement.refresh_from_db()
    services.advance_placement(world.case_manager, placement, step="interview")
    services.advance_placement(world.case_manager, placement, step="hired")
    assert placement.retention_checks.count() == 3


def test_only_the_cases_holder_refers(world: World, network: Network) -> None:
    from django.core.exceptions import PermissionDenied

    _consent(world, network.provider_org)
    with pytest.raises(PermissionDenied):
        services.refer_candidate(world.other_manager, network.placement, service=network.service)
    with pytest.raises(PermissionDenied):
        services.refer_candidate(world.me_officer, network.placement, service=network.service)


def test_web_page_refers_and_shows_refusals(world: World, network: Network) -> None:
    client = Client()
    client.force_login(world.case_manager)
    url = f"/empleo/colocaciones/{network.placement.pk}/remitir/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Servicio Nacional de Empleo" in text and "Albañiles" in text
    # No consent naming the service: the form comes back with the reason, nothing sent.
    refused = client.post(url, {"service": network.service.pk, "note": ""}, HTTP_ACCEPT_LANGUAGE="es")
    assert refused.status_code == 200
    assert refused.context["form"].errors
    assert not world.case.referrals.exists()
    # No service chosen: required, on the field.
    refused = client.post(url, {"service": "", "note": ""})
    assert [e.code for e in refused.context["form"].errors.as_data()["service"]] == ["required"]
    _consent(world, network.provider_org)
    done = client.post(url, {"service": network.service.pk, "note": "Disponible de inmediato"})
    assert done.status_code == 302
    network.placement.refresh_from_db()
    assert network.placement.referral is not None
    tab = client.get(f"/empleo/casos/{world.case.pk}/").content.decode()
    assert network.placement.referral.reference in tab
    assert client.get(f"/empleo/colocaciones/{network.placement.pk}/remitir/").status_code == 200
    other = Client()
    other.force_login(world.other_manager)
    assert other.get(url).status_code == 404


def test_api_refers_with_the_same_rules(world: World, network: Network) -> None:
    api = APIClient()
    api.force_authenticate(world.case_manager)
    url = f"/api/v1/placements/{network.placement.pk}/referral/"
    missing = api.post(url, {}, format="json")
    assert missing.status_code == 400
    assert [(e["field"], e["code"]) for e in missing.json()["errors"]] == [("service", "required")]
    no_consent = api.post(url, {"service": network.service.pk}, format="json")
    assert no_consent.status_code == 403
    assert no_consent.json()["code"] == "consent_required"
    _consent(world, network.provider_org)
    done = api.post(url, {"service": network.service.pk, "note": "Con experiencia en EE. UU."}, format="json")
    assert done.status_code == 201, done.json()
    assert done.json()["referral"]["status"] == "sent"
    step = api.post(f"/api/v1/placements/{network.placement.pk}/step/", {"step": "interview"}, format="json")
    assert step.status_code == 400
    assert step.json()["errors"][0]["code"] == "referral_not_accepted"
    listed = api.get("/api/v1/placements/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert rows[0]["referral"]["reference"] == done.json()["referral"]["reference"]
    outsider = APIClient()
    outsider.force_authenticate(world.other_manager)
    assert outsider.post(url, {"service": network.service.pk}, format="json").status_code == 404


def test_the_cv_leaves_out_notes_and_wishes(world: World, network: Network) -> None:
    profile = JobseekerProfile.objects.get(case=world.case)
    profile.notes = "Dato reservado"
    profile.save()
    text = cv.cv_text(profile)
    assert "Dato reservado" not in text and "3500" not in text
