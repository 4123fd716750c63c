"""Reminder producers: overdue referrals remind both sides (docs/domain-referrals.md §6: closed-loop referrals).

Keys hold the referral id and the deadline, so one reminder is made per recipient and deadline; the
messages name the referral reference and the case number, never the person.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, time

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from reintegra.access.models import User
from reintegra.access.roles import ROLE_CAPABILITIES, Capability
from reintegra.referrals import lifecycle
from reintegra.referrals.models import Referral
from reintegra.reminders.registry import Due


def _end_of(today: date) -> datetime:
    return timezone.make_aware(datetime.combine(today, time.min))


def _receivers(organisation_ids: set[int]) -> dict[int, list[int]]:
    """Active users able to receive referrals, by organisation."""
    roles = [str(r) for r, caps in ROLE_CAPABILITIES.items() if Capability.RECEIVE_REFERRALS in caps]
    found: dict[int, list[int]] = defaultdict(list)
    rows = (
        User.objects.filter(organisation_id__in=organisation_ids, is_active=True, role_assignments__role__in=roles)
        .values_list("organisation_id", "pk")
        .distinct()
    )
    for org_id, user_id in rows:
        found[org_id].append(user_id)
    return found


def receivers_of(organisation_id: int) -> list[int]:
    """Active users of the organisation able to receive its referrals."""
    return _receivers({organisation_id}).get(organisation_id, [])


def _overdue(status: str, due_field: str, today: date, staff_message: str, provider_message: str) -> Iterator[Due]:
    limit = _end_of(today)
    rows = list(
        Referral.objects.filter(status=status, **{f"{due_field}__lt": limit})
        .values_list(
            "pk", due_field, "referred_by_id", "case__case_manager_id", "case__case_number", "recipient_organisation_id"
        )
        .order_by("pk")
    )
    receivers = _receivers({row[5] for row in rows if row[5]})
    for pk, due_at, referred_by, case_manager, case_number, recipient_org in rows:
        due_on = timezone.localtime(due_at).date()
        key = f"{pk}:{due_at.isoformat()}"
        url = reverse("referrals:detail", args=[pk])
        reference = f"REF-{pk:06d}"
        staff = {referred_by, case_manager} - {None}
        for recipient in sorted(staff):
            params = {"reference": reference, "number": case_number, "date": due_on.isoformat()}
            yield Due(recipient, key, staff_message, params, url, due_on)
        # The provider's side gets the reference only: the case number reaches it only through the SOP.
        for recipient in sorted(set(receivers.get(recipient_org, [])) - staff):
            yield Due(
                recipient, key, provider_message, {"reference": reference, "date": due_on.isoformat()}, url, due_on
            )


def not_accepted(today: date) -> Iterator[Due]:
    """Sent referrals still without an answer after the priority's deadline."""
    yield from _overdue(
        lifecycle.SENT,
        "acceptance_due_at",
        today,
        gettext_noop("Referral %(reference)s (case %(number)s) not answered: it was due %(date)s"),
        gettext_noop("Referral %(reference)s waits for your answer: it was due %(date)s"),
    )


def no_outcome(today: date) -> Iterator[Due]:
    """Accepted referrals without an outcome after the agreed time."""
    yield from _overdue(
        lifecycle.ACCEPTED,
        "outcome_due_at",
        today,
        gettext_noop("Referral %(reference)s (case %(number)s): no outcome recorded, it was due %(date)s"),
        gettext_noop("Referral %(reference)s: record the outcome, it was due %(date)s"),
    )
