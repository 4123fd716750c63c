"""The referral list as a table (`access.exports.Table`) for the list's "Export" menu and the API: read
through `selectors.export_referrals` (the reader's referrals, either side), batch by batch in key order.
Data-minimised: no names, reasons, notes or feedback; the case number only on the referring side."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from reintegra.access import exports
from reintegra.referrals import selectors
from reintegra.referrals.choices import DeclineReason, GeographicLevel, ReferralPriority, ReferralStatus

if TYPE_CHECKING:
    from reintegra.access.models import User

Column = exports.Column

_FIELDS = (
    "visible_case_number",
    "provider__name",
    "service__name",
    "priority",
    "level",
    "status",
    "created_at",
    "sent_at",
    "acceptance_due_at",
    "answered_at",
    "decline_reason",
    "outcome",
    "outcome_at",
    "closed_at",
    "satisfaction",
)


def referral_columns() -> list[exports.Column]:
    return [
        Column("id", _("Referral")),
        Column("case_number", _("Case number")),
        Column("provider", _("Provider")),
        Column("service", _("Service")),
        Column("priority", _("Priority"), ReferralPriority.choices),
        Column("level", _("Level"), GeographicLevel.choices),
        Column("status", _("Status"), ReferralStatus.choices),
        Column("created_at", _("Created at")),
        Column("sent_at", _("Sent at")),
        Column("acceptance_due_at", _("Acceptance due")),
        Column("answered_at", _("Answered at")),
        Column("decline_reason", _("Reason for declining"), DeclineReason.choices),
        Column("outcome", _("Outcome"), ReferralStatus.choices),
        Column("outcome_at", _("Outcome recorded at")),
        Column("closed_at", _("Closed at")),
        Column("satisfaction", _("Returnee's satisfaction (1-5)")),
    ]


def _rows(user: User, filters: selectors.ReferralFilters) -> exports.ColumnBatches:
    return exports.ColumnBatches(exports.keyset_columns(selectors.export_referrals(user, filters), _FIELDS))


def referral_table(user: User, filters: selectors.ReferralFilters) -> exports.Table:
    return exports.Table(
        "referrals",
        referral_columns(),
        _rows(user, filters),
        "referral list",
        "referrals.referral",
        sheet_title="referrals",
    )
