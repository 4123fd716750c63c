"""Issue 18.3: a draft (each failed "send now" keeps one) can be discarded by the referring side, on the web
and through the API; a sent referral cannot; the provider cannot; the case's timeline keeps that it existed."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from reintegra.access.transitions import TransitionError
from reintegra.cases.choices import CaseEventKind
from reintegra.cases.models import CaseEvent
from reintegra.referrals import services
from reintegra.referrals.models import Referral

pytestmark = pytest.mark.django_db


def test_the_referring_side_discards_a_draft_and_the_timeline_keeps_it(world):
    draft = world.referral()
    reference = draft.reference
    assert services.discard_draft(world.manager, draft) == reference
    assert not Referral.objects.filter(pk=draft.pk).exists()
    actions = [e.data["action"] for e in CaseEvent.objects.filter(case=world.case, kind=CaseEventKind.REFERRAL)]
    assert sorted(actions) == ["created", "discarded"]


def test_a_sent_referral_is_not_discarded(world):
    world.consent()
    referral = world.referral()
    services.send_referral(world.manager, referral)
    with pytest.raises(TransitionError) as info:
        services.discard_draft(world.manager, referral)
    assert info.value.code == "not_a_draft"
    assert Referral.objects.filter(pk=referral.pk).exists()


def test_the_provider_cannot_discard(world):
    draft = world.referral()
    with pytest.raises(PermissionDenied):
        services.discard_draft(world.provider_user, draft)
    assert Referral.objects.filter(pk=draft.pk).exists()


def test_the_failed_send_now_keeps_a_draft_and_its_page_offers_to_discard_it(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(world.manager)
    response = client.post(
        reverse("referrals:case-new", args=[world.case.pk]),
        {"service": world.service.pk, "reason": "Necesita empleo", "priority": "normal", "send_now": "on"},
        follow=True,
    )
    draft = Referral.objects.get(case=world.case)
    assert "borrador" in response.content.decode()  # "saved as a draft and NOT sent", in Spanish
    assert reverse("referrals:discard", args=[draft.pk]) in response.content.decode()
    answer = client.post(reverse("referrals:discard", args=[draft.pk]), follow=True)
    assert answer.redirect_chain[-1][0] == reverse("referrals:case", args=[world.case.pk])
    assert "Se descartó el borrador" in answer.content.decode()
    assert not Referral.objects.filter(pk=draft.pk).exists()


def test_the_api_discards_a_draft_and_refuses_a_sent_one(world):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(world.manager)
    draft = world.referral()
    assert api.post(f"/api/v1/referrals/{draft.pk}/discard/").status_code == 204
    assert not Referral.objects.filter(pk=draft.pk).exists()
    world.consent()
    sent = world.referral()
    services.send_referral(world.manager, sent)
    refused = api.post(f"/api/v1/referrals/{sent.pk}/discard/")
    assert refused.status_code == 400 and refused.json()["code"] == "not_a_draft"
