"""What an M&E indicator may count of labour intermediation (monitoring.registry): jobseekers registered,
placements by status, and whether a hired person was still in work at the 6- and 12-month checks. The
standard disaggregations (sex, age band, ...) come with `case_path`."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from reintegra.employment.choices import PlacementStatus, RetentionOutcome
from reintegra.employment.models import JobseekerProfile, Placement, RetentionCheck
from reintegra.monitoring import registry

IN_WORK = (RetentionOutcome.EMPLOYED, RetentionOutcome.EMPLOYED_ELSEWHERE)


def _retained(months: int) -> Any:
    def expression(start: date, end: date) -> Any:
        return Exists(
            RetentionCheck.objects.filter(
                placement=OuterRef("pk"), months=months, outcome__in=IN_WORK, checked_on__lte=end
            )
        )

    return expression


def register_populations() -> None:
    registry.register(
        registry.Population(
            key="jobseekers",
            label=_("Jobseekers"),
            rows=lambda: JobseekerProfile.objects.all(),
            programme_path="case__programme_id",
            organisation_path="case__organisation_id",
            case_path="case",
            app="employment",
            units=registry.case_units("case", _("jobseeker profiles")),
            dates={
                "registered_on": registry.DateField(_("registered on"), "registered_on"),
                "return_date": registry.DateField(_("return date"), "case__return_date"),
            },
            fields={},
        )
    )
    registry.register(
        registry.Population(
            key="placements",
            label=_("Job placements"),
            rows=lambda: Placement.objects.all(),
            programme_path="profile__case__programme_id",
            organisation_path="profile__case__organisation_id",
            case_path="profile__case",
            app="employment",
            units=registry.case_units("profile__case", _("placements")),
            dates={
                "shortlisted_on": registry.DateField(_("shortlisted on"), "shortlisted_on"),
                "decided_on": registry.DateField(_("decided on"), "decided_on"),
            },
            fields={
                "status": registry.Choice(_("status"), "status", PlacementStatus.choices),
                "retained_6m": registry.Flag(
                    _("still in work at the 6-month check"), expression=_retained(6), periodic=True
                ),
                "retained_12m": registry.Flag(
                    _("still in work at the 12-month check"), expression=_retained(12), periodic=True
                ),
            },
        )
    )
