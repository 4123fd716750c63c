"""Issue 18.2: once its case is closed, a referral no longer moves (the provider cannot accept, decline or
record an outcome; a draft cannot be sent); the referring side can still close it. Web and API alike."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from reintegra.access.transitions import TransitionError
from reintegra.cases import services as case_services
from reintegra.referrals import services
from reintegra.referrals.choices import ReferralStatus

pytestmark = pytest.mark.django_db


def _sent_then_case_closed(world):
    world.consent()
    referral = world.referral()
    services.send_referral(world.manager, referral)
    case_services.close_case(world.supervisor, world.case, reason="support_ended")
    referral.refresh_from_db()
    world.case.refresh_from_db()
    return referral


def test_the_provider_cannot_answer_a_referral_of_a_closed_case(world):
    referral = _sent_then_case_closed(world)
    for step in (
        lambda: services.accept_referral(world.provider_user, referral),
        lambda: services.decline_referral(world.provider_user, referral, reason="no_capacity"),
    ):
        with pytest.raises(TransitionError) as info:
            step()
        assert info.value.code == "case_closed"
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_the_api_refuses_it_and_the_page_offers_no_step(world):
    referral = _sent_then_case_closed(world)
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(world.provider_user)
    refused = api.post(f"/api/v1/referrals/{referral.pk}/accept/", {}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "case_closed"
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(world.provider_user)
    page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "El caso está cerrado" in page
    assert 'data-action="accept"' not in page and 'data-action="decline"' not in page


def test_someone_else_is_refused_for_permission_first(world):
    referral = _sent_then_case_closed(world)
    with pytest.raises(PermissionDenied):
        services.accept_referral(world.manager, referral)  # the referring side never accepts


def test_the_referring_side_still_closes_an_answered_referral(world):
    world.consent()
    referral = services.send_referral(world.manager, world.referral())
    services.decline_referral(world.provider_user, referral, reason="no_capacity")
    case_services.close_case(world.supervisor, world.case, reason="support_ended")
    referral.refresh_from_db()
    closed = services.close_referral(world.manager, referral, satisfaction=3)
    assert closed.status == ReferralStatus.CLOSED
