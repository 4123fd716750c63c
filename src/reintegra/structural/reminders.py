"""Reminder producers of the structural level (registered in apps.py).

- stakeholder_review_due: a stakeholder's engagement review falls due (schedule.next_review_on); to the
  stakeholder's responsible user, else the programme's programme managers.
- agreement_renewal: an agreement in force enters its renewal-notice window (the programme's
  `agreement_renewal_notice_days`, 60 by default); to the programme managers.
- action_item_overdue: an open action item is past its due date; to its owner when the owner is a
  platform user, else the programme managers.

Keys include the date in question, so each reminder is created once; a new due date is a new reminder.
Messages hold stakeholder and agreement names and dates only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta

from django.urls import reverse
from django.utils.translation import gettext_noop

from reintegra.access.models import RoleAssignment
from reintegra.access.roles import Role
from reintegra.reminders.registry import Due
from reintegra.structural import choices as c
from reintegra.structural import schedule
from reintegra.structural.models import ActionItem, Agreement, Stakeholder


def _managers_by_programme() -> dict[int, list[int]]:
    """Active programme managers of each programme's organisation."""
    from reintegra.access.models import Programme

    by_org: dict[int, list[int]] = defaultdict(list)
    rows = RoleAssignment.objects.filter(
        role=Role.PROGRAMME_MANAGER, user__is_active=True, user__organisation__isnull=False
    ).values_list("user__organisation_id", "user_id")
    for org_id, user_id in rows:
        by_org[org_id].append(user_id)
    return {pk: sorted(by_org.get(org, [])) for pk, org in Programme.objects.values_list("id", "organisation_id")}


def stakeholder_reviews_due(today: date) -> Iterator[Due]:
    managers = _managers_by_programme()
    due = Stakeholder.objects.filter(next_review_on__lte=today).values_list(
        "id", "name", "programme_id", "owner_id", "owner__is_active", "next_review_on"
    )
    for pk, name, programme_id, owner_id, owner_active, review_on in due.iterator(chunk_size=1000):
        if review_on is None:
            continue
        recipients = [owner_id] if owner_id and owner_active else managers.get(programme_id, [])
        for recipient in recipients:
            yield Due(
                recipient_id=recipient,
                key=f"stakeholder:{pk}:review:{review_on.isoformat()}",
                message=gettext_noop("Review the engagement with %(stakeholder)s"),
                params={"stakeholder": name},
                url=reverse("structural:stakeholder-detail", args=[pk]),
                due_on=review_on,
            )


def agreement_renewals(today: date) -> Iterator[Due]:
    managers = _managers_by_programme()
    # The longest notice a programme may set is bounded in practice; a year ahead is read, then filtered.
    candidates = Agreement.objects.filter(
        status=c.AgreementStatus.IN_FORCE, ends_on__gte=today, ends_on__lte=today + timedelta(days=3660)
    ).values_list("id", "title", "programme_id", "ends_on", "programme__agreement_renewal_notice_days")
    for pk, title, programme_id, ends_on, notice_days in candidates.iterator(chunk_size=1000):
        if ends_on is None or not schedule.renewal_is_due(ends_on, notice_days, today):
            continue
        for recipient in managers.get(programme_id, []):
            yield Due(
                recipient_id=recipient,
                key=f"agreement:{pk}:ends:{ends_on.isoformat()}",
                message=gettext_noop("Agreement %(agreement)s ends on %(date)s: prepare its renewal"),
                params={"agreement": title, "date": ends_on.isoformat()},
                url=reverse("structural:agreement-detail", args=[pk]),
                due_on=schedule.renewal_notice_on(ends_on, notice_days),
            )


def action_items_overdue(today: date) -> Iterator[Due]:
    managers = _managers_by_programme()
    overdue = ActionItem.objects.filter(
        status__in=[c.WorkStatus.PLANNED, c.WorkStatus.IN_PROGRESS], due_on__lt=today
    ).values_list("id", "programme_id", "owner_id", "owner__is_active", "due_on", "meeting_id", "process_id")
    for pk, programme_id, owner_id, owner_active, due_on, meeting_id, process_id in overdue.iterator(chunk_size=1000):
        if due_on is None:
            continue
        recipients = [owner_id] if owner_id and owner_active else managers.get(programme_id, [])
        if meeting_id:
            url = reverse("structural:meeting-detail", args=[meeting_id])
        elif process_id:
            url = reverse("structural:process-detail", args=[process_id])
        else:
            url = reverse("structural:actionitem-edit", args=[pk])
        for recipient in recipients:
            yield Due(
                recipient_id=recipient,
                key=f"action:{pk}:due:{due_on.isoformat()}",
                message=gettext_noop("Action item %(number)s was due on %(date)s"),
                params={"number": pk, "date": due_on.isoformat()},
                url=url,
                due_on=due_on,
            )
