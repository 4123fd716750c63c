"""Reminder producers: each thing due is remembered once, to the right people, without personal data."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reintegra.access.roles import Role
from reintegra.reminders.models import Reminder
from reintegra.reminders.services import send_reminders
from reintegra.structural import choices as c
from reintegra.structural import services
from reintegra.structural.models import ActionItem, Agreement, Stakeholder
from reintegra.testing import factories


@pytest.fixture
def setting(db):
    org = factories.organisation(country="GT")
    manager = factories.user(org, Role.PROGRAMME_MANAGER)
    other_manager = factories.user(factories.organisation(country="GT"), Role.PROGRAMME_MANAGER)
    programme = org.programmes.get()
    return org, manager, other_manager, programme


def _kinds(kind):
    return list(Reminder.objects.filter(kind=kind).values_list("recipient_id", "key", "due_on"))


@pytest.mark.django_db
def test_stakeholder_review_due_once_to_programme_managers(setting):
    _org, manager, _other, programme = setting
    today = timezone.localdate()
    engaged = today - timedelta(days=200)
    stakeholder = services.save_record(
        manager,
        Stakeholder(
            programme=programme,
            name="SBS",
            category="national_authority",
            level="national",
            country="GT",
            interest=4,
            influence=4,
            engaged_on=engaged,
        ),
    )
    assert stakeholder.next_review_on is not None and stakeholder.next_review_on <= today
    send_reminders(today, kinds=["stakeholder_review_due"])
    send_reminders(today, kinds=["stakeholder_review_due"])
    rows = _kinds("stakeholder_review_due")
    assert rows == [
        (manager.pk, f"stakeholder:{stakeholder.pk}:review:{stakeholder.next_review_on}", stakeholder.next_review_on)
    ]
    reminder = Reminder.objects.get(kind="stakeholder_review_due")
    assert "SBS" in reminder.text


@pytest.mark.django_db
def test_a_review_moves_the_next_review_and_stops_the_reminder(setting):
    _org, manager, _other, programme = setting
    today = timezone.localdate()
    stakeholder = services.save_record(
        manager,
        Stakeholder(
            programme=programme,
            name="INTECAP",
            category="academic",
            level="national",
            country="GT",
            interest=3,
            influence=3,
            engaged_on=today - timedelta(days=120),
        ),
    )
    from reintegra.structural.models import StakeholderReview

    services.save_record(
        manager,
        StakeholderReview(programme=programme, stakeholder=stakeholder, reviewed_on=today, progress="sufficient"),
    )
    stakeholder.refresh_from_db()
    assert stakeholder.last_reviewed_on == today
    assert stakeholder.next_review_on > today
    send_reminders(today, kinds=["stakeholder_review_due"])
    assert _kinds("stakeholder_review_due") == []


@pytest.mark.django_db
def test_agreement_renewal_inside_the_notice_window_only(setting):
    _org, manager, _other, programme = setting
    today = timezone.localdate()
    inside = services.save_record(
        manager,
        Agreement(
            programme=programme,
            title="MoU MTPS",
            kind="mou",
            status="in_force",
            starts_on=today - timedelta(days=365),
            ends_on=today + timedelta(days=59),
        ),
    )
    services.save_record(
        manager,
        Agreement(
            programme=programme,
            title="Acuerdo lejano",
            kind="long_term",
            status="in_force",
            starts_on=today,
            ends_on=today + timedelta(days=61),
        ),
    )
    services.save_record(
        manager,
        Agreement(programme=programme, title="Borrador", kind="mou", status="draft", ends_on=today + timedelta(days=5)),
    )
    send_reminders(today, kinds=["agreement_renewal"])
    send_reminders(today, kinds=["agreement_renewal"])
    rows = _kinds("agreement_renewal")
    assert rows == [(manager.pk, f"agreement:{inside.pk}:ends:{inside.ends_on}", inside.ends_on - timedelta(days=60))]


@pytest.mark.django_db
def test_renewal_notice_follows_the_programme_setting(setting):
    _org, manager, _other, programme = setting
    programme.agreement_renewal_notice_days = 90
    programme.save()
    today = timezone.localdate()
    services.save_record(
        manager,
        Agreement(programme=programme, title="MoU", kind="mou", status="in_force", ends_on=today + timedelta(days=80)),
    )
    send_reminders(today, kinds=["agreement_renewal"])
    assert len(_kinds("agreement_renewal")) == 1


@pytest.mark.django_db
def test_overdue_action_item_goes_to_its_owner_else_managers(setting):
    org, manager, _other, programme = setting
    today = timezone.localdate()
    owner = factories.user(org, Role.CASE_MANAGER)
    from reintegra.structural.models import CoordinationMechanism

    mechanism = services.save_record(
        manager, CoordinationMechanism(programme=programme, name="Mesa", kind="inter_agency", level="national")
    )
    owned = services.save_record(
        manager,
        ActionItem(
            programme=programme, mechanism=mechanism, description="x", owner=owner, due_on=today - timedelta(days=1)
        ),
    )
    unowned = services.save_record(
        manager, ActionItem(programme=programme, mechanism=mechanism, description="y", due_on=today - timedelta(days=3))
    )
    services.save_record(
        manager,
        ActionItem(
            programme=programme,
            mechanism=mechanism,
            description="z",
            status=c.WorkStatus.DONE,
            due_on=today - timedelta(days=3),
        ),
    )
    send_reminders(today, kinds=["action_item_overdue"])
    send_reminders(today, kinds=["action_item_overdue"])
    rows = sorted(_kinds("action_item_overdue"))
    assert rows == sorted(
        [
            (owner.pk, f"action:{owned.pk}:due:{owned.due_on}", owned.due_on),
            (manager.pk, f"action:{unowned.pk}:due:{unowned.due_on}", unowned.due_on),
        ]
    )
