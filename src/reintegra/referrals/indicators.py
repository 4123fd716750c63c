"""What an M&E indicator may count in the referral network: referrals (monitoring.registry)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Case, DurationField, ExpressionWrapper, F, Q, When
from django.utils.translation import gettext_lazy as _

from reintegra.monitoring import case_facts, registry
from reintegra.referrals.choices import GeographicLevel, ReferralStatus, ServiceSector
from reintegra.referrals.models import Referral
from reintegra.vocabulary.choices import Dimension


def _days_to_acceptance(start: date, end: date) -> Any:
    """Sending to acceptance; NULL for a referral not (yet) accepted, so a mean or median is over accepted ones.
    An answer without a reason for declining is an acceptance (a declined referral always has one)."""
    return Case(
        When(
            Q(answered_at__isnull=False, sent_at__isnull=False, decline_reason=""),
            then=ExpressionWrapper(F("answered_at") - F("sent_at"), output_field=DurationField()),
        ),
        default=None,
        output_field=DurationField(),
    )


def register_populations() -> None:
    registry.register(
        registry.Population(
            key="referrals",
            label=_("Referrals"),
            rows=lambda: Referral.objects.all(),
            app="referrals",
            # The case's programme, person and disaggregations from its narrow fact row (monitoring.case_facts);
            # the organisation is the referring one.
            **{**case_facts.reading(Referral, _("referrals")), "organisation_path": "referring_organisation_id"},
            dates={
                "created_at": registry.DateField(_("created on"), "created_at", datetime=True),
                "sent_at": registry.DateField(_("sent on"), "sent_at", datetime=True),
                "answered_at": registry.DateField(_("answered on"), "answered_at", datetime=True),
                "outcome_at": registry.DateField(_("outcome recorded on"), "outcome_at", datetime=True),
            },
            fields={
                "status": registry.Choice(_("status"), "status", ReferralStatus.choices),
                "outcome": registry.Choice(_("outcome"), "outcome", ReferralStatus.choices),
                "has_outcome": registry.Flag(
                    _("outcome recorded"), expression=lambda s, e: Q(outcome_at__isnull=False) & ~Q(outcome="")
                ),
                "accepted": registry.Flag(
                    _("accepted by the provider"),
                    expression=lambda s, e: Q(answered_at__isnull=False, decline_reason=""),
                ),
                "days_to_acceptance": registry.Number(
                    _("days from sending to acceptance"), expression=_days_to_acceptance, duration=True
                ),
                "level": registry.Choice(_("level"), "level", GeographicLevel.choices),
                "dimension": registry.Choice(_("dimension of the service"), "service__dimension", Dimension.choices),
                "sector": registry.Choice(_("sector of the service"), "service__sector", ServiceSector.choices),
            },
        )
    )
