"""API representations of the consent ledger and case shares (the M&E release's are
`monitoring.analytics_serializers`).

Serializers only check shapes and types; the rules live in `protection.services` and `protection.selectors`.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from reintegra.access.models import Organisation
from reintegra.api.fields import EnumChoiceField, IdField
from reintegra.cases.serializers import UserRefSerializer
from reintegra.protection import selectors
from reintegra.protection.choices import ConsentMethod, ConsentPurpose
from reintegra.protection.models import Consent

# --- shared --------------------------------------------------------------------------------------


class OrganisationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)
    code = serializers.CharField(read_only=True, help_text=_("`consent_required` when sharing lacks a consent."))


def _organisation(value: int | None) -> Organisation | None:
    if value is None:
        return None
    try:
        return Organisation.objects.get(pk=value)
    except Organisation.DoesNotExist:
        raise serializers.ValidationError(_("There is no organisation with this id."), code="invalid_choice") from None


# --- consent ledger ------------------------------------------------------------------------------

CONSENT_STATUS_CHOICES = [("valid", _("Valid")), ("expired", _("Expired")), ("withdrawn", _("Withdrawn"))]


class ConsentStatusField(EnumChoiceField):
    """valid / expired / withdrawn today, computed from the ledger entry's dates."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(CONSENT_STATUS_CHOICES, enum_name="ConsentStatusEnum", source="*", read_only=True, **kwargs)

    def to_representation(self, value: Any) -> str:
        return selectors.consent_status(value)


class ConsentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    returnee = serializers.IntegerField(source="returnee_id", read_only=True)
    purpose = EnumChoiceField(ConsentPurpose, read_only=True)
    recipient_organisation = OrganisationRefSerializer(read_only=True, allow_null=True)
    recipient_provider = serializers.IntegerField(
        source="recipient_provider_id",
        read_only=True,
        allow_null=True,
        help_text=_("The directory provider outside the platform the consent names, if any."),
    )
    recipient_description = serializers.CharField(read_only=True)
    given_by_returnee = serializers.BooleanField(read_only=True)
    guardian_name = serializers.CharField(read_only=True)
    child_assent = serializers.BooleanField(read_only=True)
    method = EnumChoiceField(ConsentMethod, read_only=True)
    given_on = serializers.DateField(read_only=True)
    expires_on = serializers.DateField(read_only=True, allow_null=True)
    withdrawn_on = serializers.DateField(read_only=True, allow_null=True)
    withdrawal_note = serializers.CharField(read_only=True)
    recorded_by = UserRefSerializer(read_only=True)
    recorded_at = serializers.DateTimeField(read_only=True)
    status = ConsentStatusField()


class ConsentCreateSerializer(serializers.Serializer):
    purpose = EnumChoiceField(ConsentPurpose)
    method = EnumChoiceField(ConsentMethod, help_text=_("How the consent was given."))
    given_on = serializers.DateField()
    expires_on = serializers.DateField(required=False, allow_null=True)
    recipient_organisation = IdField(
        required=False,
        allow_null=True,
        help_text=_(
            "The organisation the information may be shared with. A sharing consent names an organisation or a "
            "provider."
        ),
    )
    recipient_provider = IdField(
        required=False,
        allow_null=True,
        help_text=_("Or the directory provider outside the platform the information may go to (external referral)."),
    )
    recipient_description = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text=_("A note on the recipient or service; it does not allow sharing on its own."),
    )
    given_by_returnee = serializers.BooleanField(default=True)
    guardian_name = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text=_("Parent, guardian or representative: required for a minor or when not given by the person."),
    )
    child_assent = serializers.BooleanField(default=False, help_text=_("Required for a minor."))

    def validate_recipient_organisation(self, value: int | None) -> Organisation | None:
        return _organisation(value)

    def validate_recipient_provider(self, value: int | None) -> Any:
        # Parse only: the service decides whether the user's ledger may name this provider.
        if value is None:
            return None
        model = Consent._meta.get_field("recipient_provider").related_model  # the directory's, a level above
        found = model._default_manager.filter(pk=value).first() if isinstance(model, type) else None
        if found is None:
            raise serializers.ValidationError(_("There is no provider with this id."), code="invalid_choice")
        return found


class WithdrawConsentSerializer(serializers.Serializer):
    withdrawn_on = serializers.DateField(required=False, allow_null=True, help_text=_("Today when left out."))
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


# --- case shares ---------------------------------------------------------------------------------


class ShareSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    case = serializers.IntegerField(source="case_id", read_only=True)
    organisation = OrganisationRefSerializer(read_only=True)
    reason = serializers.CharField(read_only=True)
    consent = serializers.IntegerField(source="consent_id", read_only=True, allow_null=True)
    consent_exception = serializers.SerializerMethodField(
        help_text=_("Shared without consent under the life-at-risk exception.")
    )
    granted_at = serializers.DateTimeField(read_only=True)
    granted_by = UserRefSerializer(read_only=True)
    revoked_at = serializers.DateTimeField(read_only=True, allow_null=True)
    active = serializers.SerializerMethodField()

    def get_consent_exception(self, share: Any) -> bool:
        return share.consent_id is None

    def get_active(self, share: Any) -> bool:
        return share.revoked_at is None


class ShareCreateSerializer(serializers.Serializer):
    organisation = IdField(help_text=_("The organisation to share the case with."))
    reason = serializers.CharField(max_length=300, help_text=_("What the organisation needs the information for."))
    life_at_risk_justification = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=300,
        help_text=_(
            "Mental-health professionals only, when there is no valid consent and the person's life is at risk "
            "(or a mental disability prevents consent). Recorded as a flagged consent exception."
        ),
    )

    def validate_organisation(self, value: int) -> Organisation:
        organisation = _organisation(value)
        assert organisation is not None
        return organisation
