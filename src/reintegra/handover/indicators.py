"""What an M&E indicator may count of hand-overs (monitoring.registry): the hand-overs this installation
sent, with the flag of the issue's indicator, "accepted within N days" (ACCEPTED_WITHIN_DAYS)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import ExpressionWrapper, F, Q
from django.db.models.fields import DurationField
from django.utils.translation import gettext_lazy as _

from reintegra.handover.choices import HandOverDirection, HandOverStatus
from reintegra.handover.models import HandOver
from reintegra.monitoring import registry

ACCEPTED_WITHIN_DAYS = 15


def accepted_within_q(days: int = ACCEPTED_WITHIN_DAYS) -> Q:
    return Q(status=HandOverStatus.ACCEPTED, answered_at__lte=F("sent_at") + timedelta(days=days))


def _accepted_within(start: date, end: date) -> Any:
    return accepted_within_q()


def register_populations() -> None:
    registry.register(
        registry.Population(
            key="handovers",
            label=_("Hand-overs sent"),
            rows=lambda: HandOver.objects.filter(
                direction=HandOverDirection.OUTGOING, case__isnull=False, sent_at__isnull=False
            ),
            programme_path="case__programme_id",
            organisation_path="sending_organisation_id",
            case_path="case",
            app="handover",
            units=registry.case_units("case", _("hand-overs")),
            dates={"sent_at": registry.DateField(_("sent on"), "sent_at", datetime=True)},
            fields={
                "status": registry.Choice(_("status"), "status", HandOverStatus.choices),
                "accepted_within": registry.Flag(
                    _("accepted within %(days)s days") % {"days": ACCEPTED_WITHIN_DAYS},
                    expression=_accepted_within,
                ),
                "days_to_answer": registry.Number(
                    _("days from sending to the answer"),
                    expression=lambda start, end: ExpressionWrapper(
                        F("answered_at") - F("sent_at"), output_field=DurationField()
                    ),
                    duration=True,
                ),
            },
        )
    )
