"""The rules of feedback, information requests and guides, through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from reintegra.access.models import AccessEvent
from reintegra.access.transitions import TransitionError
from reintegra.public import reminders, selectors, services
from reintegra.public.choices import FeedbackStatus, FeedbackStep
from reintegra.public.models import Feedback, Guide
from reintegra.public.tests.conftest import Portal, answered

pytestmark = pytest.mark.django_db


def _codes(error: ValidationError) -> set[tuple[str, str]]:
    return {(field, e.code or "") for field, errors in error.error_dict.items() for e in errors}


def _sensitive(portal: Portal, by: object = None) -> Feedback:
    data = services.FeedbackInput(
        programme=portal.programme.pk,
        kind="sensitive",
        concern="sea",
        channel="in_person",
        text="Un funcionario pidió favores a cambio de la ayuda.",
    )
    return services.record_feedback(by or portal.case_manager, data)


def test_sensitive_feedback_reaches_only_the_focal_point(portal: Portal) -> None:
    item = _sensitive(portal)
    assert item.priority == "high"
    assert item.acknowledge_by == timezone.localdate() + timedelta(days=1)
    for user in (portal.case_manager, portal.supervisor, portal.pm, portal.me_officer, portal.other_handler):
        assert not selectors.feedback_for(user).filter(pk=item.pk).exists(), user
        with pytest.raises((PermissionDenied, Feedback.DoesNotExist)):
            services.acknowledge_feedback(user, item)
    assert selectors.feedback_for(portal.focal_point).filter(pk=item.pk).exists()
    services.record_read(portal.focal_point, item)
    assert AccessEvent.objects.filter(object_id=str(item.pk), flagged=True, user=portal.focal_point).exists()


def test_the_loop_is_closed_in_order(portal: Portal) -> None:
    item = services.record_feedback(
        portal.case_manager,
        services.FeedbackInput(programme=portal.programme.pk, kind="complaint", channel="phone", text="Nadie llamó"),
    )
    with pytest.raises(TransitionError) as refused:
        services.close_loop(portal.case_manager, item, how="Llamada")
    assert refused.value.code == "not_responded"
    services.acknowledge_feedback(portal.supervisor, item, note="Recibido")
    with pytest.raises(TransitionError):
        services.acknowledge_feedback(portal.supervisor, item)
    services.respond_feedback(portal.supervisor, item, response="Le llamaremos el lunes.")
    closed = services.close_loop(portal.case_manager, item, how="Llamada telefónica")
    assert closed.status == FeedbackStatus.CLOSED and closed.closed_at
    steps = list(closed.events.values_list("step", flat=True))
    assert steps == [FeedbackStep.RECEIVED, FeedbackStep.ACKNOWLEDGED, FeedbackStep.RESPONDED, FeedbackStep.LOOP_CLOSED]
    with pytest.raises(TransitionError):
        services.respond_feedback(portal.pm, closed, response="Otra")


def test_case_link_needs_consent_and_a_case_the_user_sees(portal: Portal) -> None:
    base = {"programme": portal.programme.pk, "kind": "complaint", "channel": "in_person", "text": "Queja"}
    with pytest.raises(ValidationError) as no_consent:
        services.record_feedback(portal.case_manager, services.FeedbackInput(**base, case=portal.cases[0].pk))
    assert ("case_consent", "consent_required") in _codes(no_consent.value)
    with pytest.raises(ValidationError) as hidden:
        services.record_feedback(
            portal.other_handler,
            services.FeedbackInput(
                **{**base, "programme": portal.other_programme.pk}, case=portal.cases[0].pk, case_consent=True
            ),
        )
    assert ("case", "invalid_choice") in _codes(hidden.value)
    linked = services.record_feedback(
        portal.case_manager, services.FeedbackInput(**base, case=portal.cases[0].pk, case_consent=True)
    )
    assert linked.case_id == portal.cases[0].pk


def test_staff_record_only_for_their_programmes_and_with_valid_choices(portal: Portal) -> None:
    with pytest.raises(ValidationError) as refused:
        services.record_feedback(
            portal.case_manager,
            services.FeedbackInput(programme=portal.other_programme.pk, kind="rumour", channel="", text=""),
        )
    assert {
        ("programme", "invalid_choice"),
        ("kind", "invalid_choice"),
        ("channel", "required"),
        ("text", "required"),
    } <= _codes(refused.value)
    with pytest.raises(PermissionDenied):
        services.record_feedback(
            portal.me_officer,
            services.FeedbackInput(programme=portal.programme.pk, kind="question", channel="phone", text="¿?"),
        )


def test_public_submission_spam_protection(portal: Portal) -> None:
    data = services.PublicFeedbackInput(programme=portal.programme.pk, kind="suggestion", text="Más horarios")
    with pytest.raises(ValidationError) as trap:
        services.submit_feedback(answered(honeypot="http://spam.example"), data)
    assert ("website", "honeypot") in _codes(trap.value)
    with pytest.raises(ValidationError) as wrong:
        services.submit_feedback(answered(challenge_answer="999"), data)
    assert ("challenge_answer", "challenge") in _codes(wrong.value)
    with override_settings(REINTEGRA_PUBLIC_FORMS_PER_HOUR=2):
        services.submit_feedback(answered("203.0.113.5"), data)
        with pytest.raises(ValidationError) as limited:
            services.submit_feedback(answered("203.0.113.5"), data)
            services.submit_feedback(answered("203.0.113.5"), data)
        assert ("__all__", "rate_limited") in _codes(limited.value)
        services.submit_feedback(answered("203.0.113.6"), data)  # another address is not limited


def test_public_feedback_only_for_listed_programmes(portal: Portal) -> None:
    with pytest.raises(ValidationError) as refused:
        services.submit_feedback(
            answered(), services.PublicFeedbackInput(programme=portal.other_programme.pk, kind="question", text="?")
        )
    assert ("programme", "invalid_choice") in _codes(refused.value)


def test_publishing_needs_the_requesters_agreement(portal: Portal) -> None:
    request = services.submit_information_request(
        answered(),
        services.InformationRequestInput(
            programme=portal.programme.pk,
            requester_kind="migrant",
            question="¿Hay trabajo?",
            municipality=portal.xela.pk,
        ),
    )
    services.answer_request(portal.pm, request, answer="Sí, en la bolsa de empleo.")
    with pytest.raises(TransitionError) as refused:
        services.publish_request(portal.pm, request, public_question="¿Hay trabajo?", public_answer="Sí")
    assert refused.value.code == "no_agreement"
    with pytest.raises(PermissionDenied):
        services.answer_request(portal.case_manager, request, answer="x")


def test_guides_are_versioned_and_reviewed(portal: Portal) -> None:
    guide = portal.guide
    data = services.GuideInput(
        programme=portal.programme.pk,
        country="GT",
        municipality=portal.xela.pk,
        topic="documents",
        title=guide.title,
        body=guide.body + "\n\nHorario: 8 a 16.",
    )
    saved = services.save_guide(portal.pm, guide, data)
    assert saved.version == 2 and saved.versions.count() == 2
    with pytest.raises(ValidationError) as refused:
        services.save_guide(
            portal.pm,
            None,
            services.GuideInput(
                programme=portal.programme.pk,
                country="GT",
                municipality=portal.other_org.pk * 1000,
                topic="",
                title="",
                body="",
            ),
        )
    assert {("municipality", "invalid_choice"), ("topic", "required"), ("title", "required")} <= _codes(refused.value)
    with pytest.raises(PermissionDenied):
        services.save_guide(portal.other_handler, saved, data)


def test_outdated_guides_and_overdue_feedback_are_reminded(portal: Portal) -> None:
    Guide.objects.filter(pk=portal.guide.pk).update(review_due_on=timezone.localdate() - timedelta(days=1))
    due = list(reminders.guides_to_review(timezone.localdate()))
    assert [d.recipient_id for d in due] == [portal.pm.pk]
    sensitive = _sensitive(portal)
    later = timezone.localdate() + timedelta(days=5)
    recipients = {d.recipient_id for d in reminders.feedback_overdue(later) if str(sensitive.pk) in d.key}
    assert recipients == {portal.focal_point.pk}
    assert all(portal.secrets[0] not in str(d.params) for d in reminders.feedback_overdue(later))
    services.mark_guide_reviewed(portal.pm, portal.guide)
    assert not list(reminders.guides_to_review(timezone.localdate()))


def test_contact_and_text_are_encrypted_at_rest(portal: Portal) -> None:
    from django.db import connection

    item = _sensitive(portal)
    with connection.cursor() as cursor:
        cursor.execute("SELECT text, contact FROM public_feedback WHERE id = %s", [item.pk])
        text, _contact = cursor.fetchone()
    assert "funcionario" not in text
