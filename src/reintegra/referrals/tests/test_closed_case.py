"""Issue 18.2: a case's closure settles its referrals (a sent one is withdrawn and its provider told, a draft
discarded, an answered one closed or left for later); a referral of a closed case no longer moves; the
referring side can still close an answered one. Web and API alike."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from reintegra.access.transitions import TransitionError
from reintegra.cases import selectors as case_selectors
from reintegra.cases import services as case_services
from reintegra.cases.choices import CaseStatus
from reintegra.cases.models import Case
from reintegra.referrals import services
from reintegra.referrals.choices import ReferralStatus
from reintegra.referrals.models import Referral
from reintegra.reminders.models import Reminder
from reintegra.testing.closure import suggested_decisions

pytestmark = pytest.mark.django_db


def _close(world, **decisions):
    matters = {**suggested_decisions(world.case), **decisions}
    case_services.close_case(world.supervisor, world.case, reason="support_ended", open_matters=matters)
    world.case.refresh_from_db()


def test_the_closure_asks_about_each_referral_by_its_status(world):
    world.consent()
    sent = services.send_referral(world.manager, world.referral())
    draft = world.referral(service=world.other_service)
    matters = {m.key: m for m in case_selectors.open_matters(world.case)}
    assert [c for c, _words in matters[f"referral-{sent.pk}"].choices] == ["withdraw"]
    assert [c for c, _words in matters[f"referral-{draft.pk}"].choices] == ["discard"]
    assert sent.reference in matters[f"referral-{sent.pk}"].label
    assert matters[f"referral-{sent.pk}"].url == reverse("referrals:detail", args=[sent.pk])


def test_closing_without_deciding_changes_nothing_and_names_each_matter(world):
    world.consent()
    sent = services.send_referral(world.manager, world.referral())
    with pytest.raises(ValidationError) as refused:
        case_services.close_case(world.supervisor, world.case, reason="support_ended", open_matters={})
    assert f"open_matters.referral-{sent.pk}" in refused.value.error_dict
    assert refused.value.error_dict[f"open_matters.referral-{sent.pk}"][0].code == "open_matter_undecided"
    sent.refresh_from_db()
    world.case.refresh_from_db()
    assert (sent.status, world.case.status) == (ReferralStatus.SENT, CaseStatus.REGISTERED)


def test_a_sent_referral_is_withdrawn_and_its_provider_told_without_the_persons_name(world):
    world.consent()
    sent = services.send_referral(world.manager, world.referral())
    draft = world.referral(service=world.other_service)
    _close(world)
    sent.refresh_from_db()
    assert sent.status == ReferralStatus.WITHDRAWN and sent.withdrawal_reason
    assert not Referral.objects.filter(pk=draft.pk).exists()  # the draft was discarded, never shared
    notice = Reminder.objects.get(recipient=world.provider_user, kind="referral_withdrawn")
    assert sent.reference in notice.text
    assert world.case.returnee.given_names not in notice.text and world.case.case_number not in notice.text
    # The closure's timeline line says what it did.
    closed = world.case.events.filter(kind="closed").get()
    assert {"kind": "referral", "choice": "withdraw"} in closed.data["settled"]
    # The provider reads that nothing more is needed, not the referring side's reason.
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.provider_user)
    page = client.get(reverse("referrals:detail", args=[sent.pk])).content.decode()
    assert "withdrew this referral" in page and sent.withdrawal_reason not in page
    api = APIClient()
    api.force_authenticate(world.provider_user)
    assert "withdrawal_reason" not in api.get(f"/api/v1/referrals/{sent.pk}/").json()


def test_the_provider_cannot_answer_a_referral_of_a_closed_case(world):
    world.consent()
    referral = services.send_referral(world.manager, world.referral())
    # A case closed before closures asked about referrals (older data): its referral still cannot move.
    Case.objects.filter(pk=world.case.pk).update(
        status=CaseStatus.CLOSED, closure_reason="support_ended", closed_on=timezone.localdate()
    )
    referral.refresh_from_db()
    for step in (
        lambda: services.accept_referral(world.provider_user, referral),
        lambda: services.decline_referral(world.provider_user, referral, reason="no_capacity"),
    ):
        with pytest.raises(TransitionError) as info:
            step()
        assert info.value.code == "case_closed"
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(world.provider_user)
    refused = api.post(f"/api/v1/referrals/{referral.pk}/accept/", {}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "case_closed"
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(world.provider_user)
    page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "El caso está cerrado" in page
    assert 'data-action="accept"' not in page and 'data-action="decline"' not in page
    with pytest.raises(PermissionDenied):
        services.accept_referral(world.manager, referral)  # the referring side never accepts: refused first


def test_the_referring_side_still_closes_an_answered_referral_left_for_later(world):
    world.consent()
    referral = services.send_referral(world.manager, world.referral())
    services.decline_referral(world.provider_user, referral, reason="no_capacity")
    _close(world, **{f"referral-{referral.pk}": "leave"})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED
    closed = services.close_referral(world.manager, referral, satisfaction=3)
    assert closed.status == ReferralStatus.CLOSED


def test_withdrawing_outside_a_closure_web_and_api(world):
    world.consent()
    first = services.send_referral(world.manager, world.referral())
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.manager)
    url = reverse("referrals:action", args=[first.pk, "withdraw"])
    refused = client.post(url, {"withdraw-withdrawal_reason": ""})
    assert refused.status_code == 400 and "Say why the referral is withdrawn." in refused.content.decode()
    assert client.post(url, {"withdraw-withdrawal_reason": "Encontró empleo"}).status_code == 302
    first.refresh_from_db()
    assert first.status == ReferralStatus.WITHDRAWN
    # The provider cannot withdraw what it received; a withdrawn referral does not move again.
    second = services.send_referral(world.manager, world.referral(service=world.service))
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(world.provider_user)
    body = {"withdrawal_reason": "No"}
    assert api.post(f"/api/v1/referrals/{second.pk}/withdraw/", body, format="json").status_code == 403
    api.force_authenticate(world.manager)
    assert api.post(f"/api/v1/referrals/{second.pk}/withdraw/", body, format="json").status_code == 200
    again = api.post(f"/api/v1/referrals/{second.pk}/withdraw/", body, format="json")
    assert again.status_code == 400 and again.json()["code"] == "invalid_transition"


def test_a_new_referral_on_a_closed_case_is_refused_before_the_form(world):
    _close(world)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.manager)
    answer = client.get(reverse("referrals:case-new", args=[world.case.pk]), follow=True)
    text = answer.content.decode()
    assert answer.redirect_chain and "The case is closed: reopen it before referring." in text
    assert text.count("The case is closed: reopen it before referring.") == 1
