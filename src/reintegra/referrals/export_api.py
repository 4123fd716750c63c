"""`GET /api/v1/referrals/export.csv|xlsx`: the referral list (its filters: status, priority, provider, case,
overdue) as `referrals.exports` writes it, through the API's one export endpoint (`api.exports`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from reintegra.access import exports
from reintegra.access.roles import Capability
from reintegra.api.exports import export_views
from reintegra.api.fields import IdField
from reintegra.api.query import ExportQuery
from reintegra.referrals import exports as referral_exports
from reintegra.referrals import selectors
from reintegra.referrals.choices import ReferralPriority, ReferralStatus

if TYPE_CHECKING:
    from reintegra.access.models import User

READERS = (Capability.EDIT_CASES, Capability.VIEW_ASSIGNED_CASES, Capability.RECEIVE_REFERRALS)


class ReferralExportQuery(ExportQuery):
    status = serializers.ChoiceField(choices=ReferralStatus.choices, required=False, allow_blank=True)
    priority = serializers.ChoiceField(choices=ReferralPriority.choices, required=False, allow_blank=True)
    provider = IdField(required=False)
    case = IdField(required=False)
    overdue = serializers.BooleanField(required=False, default=False)


def referral_table(user: User, query: dict[str, Any]) -> exports.Table:
    filters = selectors.ReferralFilters(
        status=query.get("status", ""),
        priority=query.get("priority", ""),
        provider=query.get("provider"),
        case=query.get("case"),
        overdue=bool(query.get("overdue")),
    )
    return referral_exports.referral_table(user, filters)


REFERRALS = export_views(
    "referrals", referral_table, readers=READERS, summary=_("Referrals"), tag="referrals", query=ReferralExportQuery
)


# --- in the background (access.export_jobs; registered by ReferralsConfig.ready) ---------------------------


def background_table(user: User, params: dict[str, Any]) -> exports.Table:
    return referral_exports.referral_table(user, selectors.ReferralFilters(**params))


def background_rows(user: User, params: dict[str, Any]) -> Any:
    return selectors.export_referrals(user, selectors.ReferralFilters(**params))


def background_params(raw: dict[str, Any]) -> dict[str, Any]:
    """An API caller's referral filters, by this endpoint's own serializer."""
    from django.core.exceptions import ValidationError

    parsed = ReferralExportQuery(data=raw)
    if not parsed.is_valid():
        raise ValidationError(
            {"filters": [ValidationError(f"{name}: {errors[0]}", code=getattr(errors[0], "code", "invalid"))
                         for name, errors in parsed.errors.items()]}
        )  # fmt: skip
    data = parsed.validated_data
    return params_of(
        selectors.ReferralFilters(
            status=data.get("status", ""),
            priority=data.get("priority", ""),
            provider=data.get("provider"),
            case=data.get("case"),
            overdue=bool(data.get("overdue")),
        )
    )


def params_of(filters: selectors.ReferralFilters) -> dict[str, Any]:
    import dataclasses

    return dataclasses.asdict(filters)
