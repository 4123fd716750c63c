"""A supervisor sends a completed best-interests assessment back to its author with what to revise; the author
revises and completes it again; the web page and the API refuse the same inputs."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from reintegra.access.transitions import TransitionError
from reintegra.children import reminders, services
from reintegra.children.choices import BiaStatus
from reintegra.children.tests.conftest import World, bia_input
from reintegra.testing.api_clients import api_client_for


def test_a_returned_bia_goes_back_to_its_author_and_is_completed_again(world: World):
    bia = services.start_assessment(world.manager, world.child_case, bia_input())
    with pytest.raises(PermissionDenied):
        services.return_assessment(world.manager, bia, note="Revisar")  # not a supervisor
    with pytest.raises(ValidationError) as exc:
        services.return_assessment(world.supervisor, bia, note="  ")
    assert [e.code for e in exc.value.error_dict["note"]] == ["required"]
    returned = services.return_assessment(world.supervisor, bia, note="Falta la opinión de la abuela.")
    assert returned.status == BiaStatus.IN_PROGRESS
    assert returned.returned_on == timezone.localdate() and returned.submitted_on is None
    assert returned.approval_note == "Falta la opinión de la abuela."
    # Once in progress again, it can neither be approved nor sent back before it is completed anew.
    with pytest.raises(TransitionError) as refused:
        services.return_assessment(world.supervisor, returned, note="Otra vez")
    assert refused.value.code == "bia_not_submitted"
    # The author is reminded once, with a link to the assessment.
    due = list(reminders.bias_returned(timezone.localdate()))
    assert [(d.recipient_id, d.url) for d in due] == [
        (world.manager.pk, reverse("children:assessment", args=[world.child_case.pk, bia.pk]))
    ]
    completed = services.update_assessment(world.manager, returned, bia_input())
    assert completed.status == BiaStatus.SUBMITTED and completed.returned_on is None
    assert list(reminders.bias_returned(timezone.localdate())) == []
    assert services.approve_assessment(world.supervisor, completed).status == BiaStatus.APPROVED


def test_web_and_api_send_back_alike(world: World, client):
    bia = services.start_assessment(world.manager, world.child_case, bia_input())
    url = f"/api/v1/cases/{world.child_case.pk}/best-interests-assessments/{bia.pk}/return/"
    assert api_client_for(world.manager).post(url, {"note": "x"}, format="json").status_code == 403
    empty = api_client_for(world.supervisor).post(url, {"note": ""}, format="json")
    assert empty.status_code == 400
    assert ("note", "required") in {(e["field"], e["code"]) for e in empty.json()["errors"]}
    client.force_login(world.supervisor)
    page = client.post(
        reverse("children:assessment-return", args=[world.child_case.pk, bia.pk]), {"note": ""}, follow=True
    )
    assert "Say what the author should revise." in page.content.decode() or "Indique qué" in page.content.decode()
    bia.refresh_from_db()
    assert bia.status == BiaStatus.SUBMITTED  # nothing changed
    done = api_client_for(world.supervisor).post(url, {"note": "Completar salud."}, format="json")
    assert done.status_code == 200
    assert done.json()["status"] == "in_progress" and done.json()["returned_on"] == timezone.localdate().isoformat()
    detail = client.get(reverse("children:assessment", args=[world.child_case.pk, bia.pk]))
    assert "Completar salud." in detail.content.decode()
