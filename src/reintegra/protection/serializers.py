"""API representations of the consent ledger, case shares and M&E data, and the CSV layout of the
pseudonymised rows shared by the web page and the API.

Serializers only check shapes and types; the rules live in `protection.services`, `protection.selectors`
and `protection.analytics`.
"""

from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from reintegra.access.models import Organisation
from reintegra.api.fields import EnumChoiceField, IdField
from reintegra.cases.choices import (
    AttentionFlag,
    CaseStatus,
    ClosureCategory,
    Dimension,
    MigrationCause,
    ReturnType,
    Sex,
)
from reintegra.cases.serializers import UserRefSerializer
from reintegra.protection import analytics, pseudonymise, selectors
from reintegra.protection.choices import ConsentMethod, ConsentPurpose

# --- CSV (cells made formula-safe by access.spreadsheets) ----------------------------------------


def pseudonymised_table(rows: Iterable[dict[str, Any]]) -> Iterator[list[Any]]:
    """Released rows as table rows in pseudonymise.ROW_KEYS order (the CSV download's layout)."""
    return ([row[key] for key in pseudonymise.ROW_KEYS] for row in rows)


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
        help_text=_("The organisation the information may be shared with; only such a consent allows sharing."),
    )
    recipient_description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200, help_text=_("A recipient or type of service.")
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


# --- monitoring and evaluation -------------------------------------------------------------------


class PseudonymisedCaseSerializer(serializers.Serializer):
    """One k-anonymous pseudonymised case (see protection.pseudonymise): coded facts, no identifiers, and
    quasi-identifiers generalised until at least k rows share them."""

    case_pid = serializers.CharField(
        read_only=True,
        help_text=_(
            "Pseudonymous id of the case in this release: it changes whenever the released data changes, "
            "so two downloads cannot be joined row by row."
        ),
    )
    organisation = serializers.CharField(read_only=True)
    sex = serializers.CharField(read_only=True, help_text=_('female, male, intersex or unknown; "*" when withheld.'))
    age_band = serializers.CharField(
        read_only=True,
        help_text=_(
            'Age at return: 0-17, 18-24, 25-34, 35-44, 45-59, 60+ (or 0-17, 18-59, 60+), unknown; "*" when withheld.'
        ),
    )
    nationality = serializers.CharField(read_only=True, help_text=_('Country code; "*" when withheld.'))
    return_type = serializers.CharField(
        read_only=True, help_text=_('forced, voluntary_assisted or voluntary_spontaneous; "*" when withheld.')
    )
    return_period = serializers.CharField(
        read_only=True, help_text=_('Quarter of return (2024-Q3) or year (2024), unknown; "*" when withheld.')
    )
    area_level = serializers.ChoiceField(
        choices=["municipality", "admin1", "country", "none"],
        read_only=True,
        help_text=_("How precisely the area of return is given: municipality, state/department, country or none."),
    )
    return_country = serializers.CharField(
        read_only=True, allow_null=True, help_text=_('Country code; "*" when withheld.')
    )
    admin1 = serializers.CharField(
        read_only=True, allow_null=True, help_text=_('State or department; null when not recorded; "*" when withheld.')
    )
    municipality = serializers.CharField(
        read_only=True, allow_null=True, help_text=_('Null when not recorded; "*" when withheld.')
    )
    status = EnumChoiceField(CaseStatus, read_only=True)
    closure_category = EnumChoiceField(ClosureCategory, read_only=True, allow_blank=True)
    assessments = serializers.IntegerField(read_only=True)
    follow_ups = serializers.IntegerField(read_only=True)
    plan_dimensions = serializers.ListField(child=EnumChoiceField(Dimension), read_only=True)


class ReleaseSummarySerializer(serializers.Serializer):
    k = serializers.IntegerField(
        read_only=True, help_text=_("Every released row shares its quasi-identifiers with at least k − 1 others.")
    )
    released = serializers.IntegerField(read_only=True, help_text=_("Rows released (the same as count)."))
    suppressed = serializers.IntegerField(
        read_only=True, help_text=_("Cases withheld because they could not be generalised into a class of k.")
    )
    smallest_class = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("Size of the smallest class of released rows.")
    )
    classes = serializers.IntegerField(read_only=True, help_text=_("Number of classes of released rows."))
    generalisation = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text=_(
            "Level of each quasi-identifier for every row (0 = as recorded): sex 0-1, age_band 0-2 (bands, "
            "wide bands, withheld), nationality 0-1, return_type 0-1, return_period 0-2 (quarter, year, "
            "withheld). The area is generalised class by class: see area_levels."
        ),
    )
    area_levels = serializers.DictField(
        child=serializers.IntegerField(), read_only=True, help_text=_("Released rows per level of area.")
    )


class PseudonymisedPageSerializer(ReleaseSummarySerializer):
    count = serializers.IntegerField(read_only=True)
    next = serializers.URLField(read_only=True, allow_null=True)
    previous = serializers.URLField(read_only=True, allow_null=True)
    results = PseudonymisedCaseSerializer(many=True, read_only=True)


class AggregateQuerySerializer(serializers.Serializer):
    by = serializers.CharField(
        required=False,
        default="status",
        max_length=200,
        help_text=_(
            "Comma-separated dimensions: status, return_type, sex, nationality, municipality, closure_category, "
            "return_year (or year); or, alone, attention_flag or cause_of_migration (cases with each value)."
        ),
    )
    k = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=1000,
        help_text=_("Smallest count shown; it can be raised above the platform minimum, never lowered."),
    )

    def validate_by(self, value: str) -> list[str]:
        names = [name.strip() for name in value.split(",") if name.strip()]
        if not names:
            raise serializers.ValidationError(_("Name at least one dimension."))
        try:
            return analytics.clean_dimensions(names)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict["by"]) from None


class AggregateRowSerializer(serializers.Serializer):
    """One cell; only the dimensions asked for are present (hence not read-only: not required in the schema;
    this serializer is only ever used for output)."""

    status = EnumChoiceField(CaseStatus, required=False)
    return_type = EnumChoiceField(ReturnType, required=False)
    sex = EnumChoiceField(Sex, required=False)
    nationality = serializers.CharField(required=False, allow_blank=True)
    municipality = serializers.CharField(required=False, allow_null=True)
    municipality_id = serializers.IntegerField(required=False, allow_null=True)
    closure_category = EnumChoiceField(ClosureCategory, required=False, allow_blank=True)
    return_year = serializers.IntegerField(required=False, allow_null=True)
    attention_flag = EnumChoiceField(AttentionFlag, required=False)
    cause_of_migration = EnumChoiceField(MigrationCause, required=False)
    count = serializers.IntegerField(read_only=True, allow_null=True, help_text=_("null when suppressed."))
    suppressed = serializers.BooleanField(read_only=True, help_text=_("Hidden because the cell is too small."))

    def to_representation(self, instance: dict[str, Any]) -> dict[str, Any]:
        data = super().to_representation(instance)
        return {name: value for name, value in data.items() if name in instance}


class AggregatesSerializer(serializers.Serializer):
    by = serializers.ListField(child=serializers.CharField(), read_only=True)
    k = serializers.IntegerField(read_only=True, help_text=_("Smallest count shown."))
    rows = AggregateRowSerializer(many=True, read_only=True)
