"""What an M&E indicator may count of feedback (monitoring.registry): items by type, channel and status, with
flags for "acknowledged within its deadline", "resolved within its deadline" and "response communicated back"
(the loop closed), split by type, channel and the item's area; and the cases' satisfaction surveys (each
item's answer, the 0–100 score). Aggregates only; the engine k-suppresses them for aggregate roles."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from reintegra.monitoring import registry
from reintegra.monitoring.dimensions import STANDARD as AREAS
from reintegra.public.choices import (
    SATISFACTION_ITEMS,
    FeedbackChannel,
    FeedbackKind,
    FeedbackStatus,
    SatisfactionAnswer,
)
from reintegra.public.models import Feedback, SatisfactionSurvey

SENSITIVE = Q(kind=FeedbackKind.SENSITIVE)


def _acknowledged_in_time(start: date, end: date) -> Any:
    return Q(acknowledged_at__date__lte=F("acknowledge_by")) & Q(acknowledged_at__date__lte=end)


def _resolved_in_time(start: date, end: date) -> Any:
    return Q(responded_at__date__lte=F("resolve_by")) & Q(responded_at__date__lte=end)


def _loop_closed(start: date, end: date) -> Any:
    return Q(closed_at__date__lte=end)


def register_populations() -> None:
    registry.register(
        registry.Population(
            key="feedback",
            label=_("Feedback and complaints"),
            rows=lambda: Feedback.objects.all(),
            programme_path="programme_id",
            organisation_path="programme__organisation_id",
            case_path=None,
            app="public",
            units={"record": registry.Unit(_("feedback items"), "pk")},
            dates={"received_at": registry.DateField(_("received on"), "received_at", datetime=True)},
            # By type, channel and the item's own area (the municipality it is about, and its department). A
            # sensitive item is counted by type only: its area and channel sit in the bucket "not disclosed",
            # so that no breakdown (frozen in snapshots every reader of the indicators sees, exact for readers
            # of the organisation's cases) places a report of abuse in a municipality or a channel; its count is
            # the type's "sensitive" bucket, k-suppressed for aggregate roles like every other cell.
            breakdowns={
                "feedback_type": registry.Breakdown(_("Feedback type"), "kind", FeedbackKind.choices),
                "feedback_channel": registry.Breakdown(
                    _("Feedback channel"), "channel", FeedbackChannel.choices, withheld=SENSITIVE
                ),
                "adm1": registry.Breakdown(AREAS["adm1"].label, "municipality__parent_id", withheld=SENSITIVE),
                "adm2": registry.Breakdown(AREAS["adm2"].label, "municipality_id", withheld=SENSITIVE),
            },
            fields={
                "kind": registry.Choice(_("type"), "kind", FeedbackKind.choices),
                "channel": registry.Choice(_("channel"), "channel", FeedbackChannel.choices),
                "status": registry.Choice(_("status"), "status", FeedbackStatus.choices),
                "acknowledged_in_time": registry.Flag(
                    _("acknowledged within its deadline"), expression=_acknowledged_in_time, periodic=True
                ),
                "resolved_in_time": registry.Flag(
                    _("resolved within its deadline"), expression=_resolved_in_time, periodic=True
                ),
                "loop_closed": registry.Flag(
                    _("response communicated back (loop closed)"), expression=_loop_closed, periodic=True
                ),
            },
        )
    )
    registry.register(
        registry.Population(
            key="satisfaction_surveys",
            label=_("Satisfaction surveys"),
            rows=lambda: SatisfactionSurvey.objects.all(),
            programme_path="case__programme_id",
            organisation_path="case__organisation_id",
            case_path="case",
            app="public",
            units=registry.case_units("case", _("surveys")),
            dates={"taken_on": registry.DateField(_("date of the survey"), "taken_on")},
            fields={
                **{
                    name: registry.Choice(question, name, SatisfactionAnswer.choices)
                    for name, question in SATISFACTION_ITEMS
                },
                "score": registry.Number(_("satisfaction score (0–100)"), "score"),
            },
        )
    )
