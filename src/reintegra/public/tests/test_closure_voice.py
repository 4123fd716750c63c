"""Issue 17: "a question at case closure". The closure page of an open case asks whoever may change the case
to record the person's satisfaction survey and, for staff who record feedback, what the person said, the
channel and the case already filled in. Nothing is shown on a closed case or to a reader."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from reintegra.access.roles import ROLE_CAPABILITIES, Capability, Role
from reintegra.cases.choices import CaseStatus, ClosureReason
from reintegra.cases.models import Case
from reintegra.cases.permissions import can_change_case
from reintegra.public.choices import FeedbackChannel
from reintegra.testing import factories

pytestmark = pytest.mark.django_db


def _get(user, case: Case):
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(user)
    return client.get(reverse("cases:closure", args=[case.pk]))


def _page(user, case: Case) -> str:
    response = _get(user, case)
    assert response.status_code == 200
    return response.content.decode()


def test_the_closure_page_asks_for_the_persons_voice_and_prefills_the_feedback_form(supervisor, case_manager):
    case = factories.case(case_manager, case_manager=case_manager)
    page = _page(supervisor, case)
    assert "La voz de la persona al cierre" in page
    assert reverse("public_staff:case-satisfaction", args=[case.pk]) in page
    feedback = f"{reverse('public_staff:feedback-new')}?canal={FeedbackChannel.CASE_CLOSURE}&amp;caso={case.pk}"
    assert (feedback in page) is (Capability.HANDLE_FEEDBACK in ROLE_CAPABILITIES[Role.SUPERVISOR])
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(supervisor)
    form = client.get(feedback.replace("&amp;", "&")).context["form"]
    assert (form["channel"].value(), str(form["case"].value())) == (FeedbackChannel.CASE_CLOSURE, str(case.pk))


def test_asked_of_whoever_may_change_the_case_and_never_on_a_closed_case(org, team, supervisor, case_manager):
    case = factories.case(case_manager, case_manager=case_manager)
    seen = 0
    for role in Role:
        user = factories.user(org, role, team=team)
        response = _get(user, case)
        if response.status_code != 200:
            continue  # the role does not see the case at all
        asked = "La voz de la persona al cierre" in response.content.decode()
        assert asked is can_change_case(user, case), role
        seen += 1
    assert seen >= 3  # the case manager, the supervisor and the programme manager at least
    Case.objects.filter(pk=case.pk).update(  # as a closed case is stored (its steps are not this test's subject)
        status=CaseStatus.CLOSED, closure_reason=ClosureReason.SUPPORT_ENDED, closed_on=case.opened_on
    )
    case.refresh_from_db()
    assert "La voz de la persona al cierre" not in _page(supervisor, case)
