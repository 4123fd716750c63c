"""What an M&E indicator may count of the children's path: child cases (monitoring.registry), with the flags
the issue's three indicators need (a BIA within its deadline, a decided BID, reunification followed up)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from reintegra.children.choices import CareStatus
from reintegra.children.models import BestInterestsAssessment, BestInterestsDetermination, ChildProfile
from reintegra.children.tracing_models import ReunificationFollowUp
from reintegra.monitoring import registry


def _bia_within_deadline(start: date, end: date) -> Any:
    """A BIA of the case completed by its deadline (by the period's end)."""
    return Exists(
        BestInterestsAssessment.objects.filter(
            case=OuterRef("case"), submitted_on__isnull=False, submitted_on__lte=F("due_on")
        ).filter(submitted_on__lte=end)
    )


def _bid_decided(start: date, end: date) -> Any:
    return Exists(
        BestInterestsDetermination.objects.filter(case=OuterRef("case"), decided_on__lte=end).exclude(decision="")
    )


def _reunified(start: date, end: date) -> Any:
    return Q(case__reunification_assessment__reunified_on__lte=end)


def _follow_ups_done(start: date, end: date) -> Any:
    """Every post-reunification visit due by the period's end was made."""
    return ~Exists(ReunificationFollowUp.objects.filter(case=OuterRef("case"), due_on__lte=end, done_on__isnull=True))


def register_populations() -> None:
    registry.register(
        registry.Population(
            key="child_cases",
            label=_("Child cases"),
            rows=lambda: ChildProfile.objects.all(),
            programme_path="case__programme_id",
            organisation_path="case__organisation_id",
            case_path="case",
            app="children",
            units=registry.case_units("case", _("child profiles")),
            dates={
                "return_date": registry.DateField(_("return date"), "case__return_date"),
                "reunified_on": registry.DateField(_("reunified on"), "case__reunification_assessment__reunified_on"),
            },
            fields={
                "care_status": registry.Choice(_("care situation"), "care_status", CareStatus.choices),
                "bia_within_deadline": registry.Flag(
                    _("a best-interests assessment completed within its deadline"),
                    expression=_bia_within_deadline,
                    periodic=True,
                ),
                "bid_decided": registry.Flag(
                    _("a best-interests determination decided"), expression=_bid_decided, periodic=True
                ),
                "reunified": registry.Flag(_("reunified with the family"), expression=_reunified, periodic=True),
                "follow_ups_done": registry.Flag(
                    _("every post-reunification follow-up due was made"), expression=_follow_ups_done, periodic=True
                ),
            },
        )
    )
