"""Reminder producer: a hand-over sent and not answered after REINTEGRA_HANDOVER_REMINDER_DAYS days. The
sender (who created it) is reminded; the message names the case number, never the person."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_noop

from reintegra.handover.choices import HandOverDirection, HandOverStatus
from reintegra.handover.models import HandOver
from reintegra.reminders.registry import Due


def unanswered(today: date) -> Iterator[Due]:
    days = settings.REINTEGRA_HANDOVER_REMINDER_DAYS
    rows = (
        HandOver.objects.filter(
            direction=HandOverDirection.OUTGOING,
            status__in=[HandOverStatus.SENT, HandOverStatus.RECEIVED],
            sent_at__date__lte=today - timedelta(days=days),
            created_by__isnull=False,
        )
        .values_list("pk", "sent_at", "created_by_id", "case__case_number")
        .order_by("pk")
    )
    message = gettext_noop("The hand-over of case %(number)s sent on %(date)s has not been answered yet.")
    for pk, sent_at, creator, number in rows:
        if sent_at is None or creator is None:
            continue
        sent_on = sent_at.date()
        yield Due(
            creator,
            f"{pk}:{sent_on.isoformat()}",
            message,
            {"number": number or "", "date": sent_on.isoformat()},
            reverse("handover:detail", args=[pk]),
            sent_on + timedelta(days=days),
        )
