"""What an M&E indicator may count at the structural level: stakeholders, agreements and trainings
(monitoring.registry). None of them is about a case: they split by programme and organisation only."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from reintegra.monitoring import registry
from reintegra.structural import choices as c
from reintegra.structural.models import Agreement, Stakeholder, Training

RECORD_PROGRAMME = "programme_id"
RECORD_ORGANISATION = "programme__organisation_id"
# An agreement that was signed: in force now, or in force until it expired (a terminated one ended on a
# date the record does not keep, a draft never was).
SIGNED = (c.AgreementStatus.IN_FORCE, c.AgreementStatus.EXPIRED)


def _in_force_on(day: date, prefix: str = "") -> Q:
    """Signed, and its dates cover the day."""
    return Q(**{f"{prefix}status__in": SIGNED, f"{prefix}starts_on__lte": day}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": day})
    )


def _managed_closely(start: date, end: date) -> Any:
    """High interest and high influence by the programme's threshold (structural.engagement's rule)."""
    threshold = F("programme__stakeholder_high_threshold")
    return Q(interest__gte=threshold, influence__gte=threshold)


def _has_active_agreement(start: date, end: date) -> Any:
    """A party to an agreement in force at the end of the period."""
    return Exists(Agreement.objects.filter(_in_force_on(end), parties=OuterRef("pk")))


def _agreement_in_force(start: date, end: date) -> Any:
    return _in_force_on(end)


RECORD = "pk"


def register_populations() -> None:
    registry.register(
        registry.Population(
            key="stakeholders",
            label=_("Stakeholders"),
            rows=lambda: Stakeholder.objects.all(),
            programme_path=RECORD_PROGRAMME,
            organisation_path=RECORD_ORGANISATION,
            case_path=None,
            app="structural",
            units={"record": registry.Unit(_("stakeholders"), RECORD)},
            dates={
                "created_at": registry.DateField(_("registered on"), "created_at", datetime=True),
                "engaged_on": registry.DateField(_("initial engagement on"), "engaged_on"),
            },
            fields={
                "category": registry.Choice(_("category"), "category", c.StakeholderCategory.choices),
                "level": registry.Choice(_("level"), "level", c.GeographicLevel.choices),
                "managed_closely": registry.Flag(
                    _("managed closely (high interest and influence)"), expression=_managed_closely
                ),
                "has_active_agreement": registry.Flag(
                    _("party to an agreement in force at the end of the period"),
                    expression=_has_active_agreement,
                    periodic=True,
                ),
            },
        )
    )
    registry.register(
        registry.Population(
            key="agreements",
            label=_("Agreements"),
            rows=lambda: Agreement.objects.all(),
            programme_path=RECORD_PROGRAMME,
            organisation_path=RECORD_ORGANISATION,
            case_path=None,
            app="structural",
            units={"record": registry.Unit(_("agreements"), RECORD)},
            dates={
                "created_at": registry.DateField(_("registered on"), "created_at", datetime=True),
                "starts_on": registry.DateField(_("start date"), "starts_on"),
            },
            fields={
                "kind": registry.Choice(_("type"), "kind", c.AgreementKind.choices),
                "status": registry.Choice(_("status"), "status", c.AgreementStatus.choices),
                "in_force": registry.Flag(
                    _("in force at the end of the period"), expression=_agreement_in_force, periodic=True
                ),
            },
        )
    )
    registry.register(
        registry.Population(
            key="trainings",
            label=_("Trainings"),
            rows=lambda: Training.objects.all(),
            programme_path=RECORD_PROGRAMME,
            organisation_path=RECORD_ORGANISATION,
            case_path=None,
            app="structural",
            units={"record": registry.Unit(_("trainings"), RECORD)},
            dates={"held_on": registry.DateField(_("date"), "held_on")},
            fields={"participants": registry.Number(_("number of participants"), "participants")},
        )
    )
