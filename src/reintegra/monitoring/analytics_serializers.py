"""API representations of the M&E release (k-anonymous pseudonymised case rows, suppressed aggregates), and the
CSV layout of the pseudonymised rows shared by the web page and the API. Moved here from `protection` with the
analytics page (issue 12); the rules stay in `monitoring.analytics`."""

from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponseBase
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from reintegra.access import exports
from reintegra.access.models import User
from reintegra.api.fields import EnumChoiceField
from reintegra.cases.choices import (
    AttentionFlag,
    CaseStatus,
    ClosureCategory,
    Dimension,
    MigrationCause,
    ReturnType,
    Sex,
)
from reintegra.monitoring import analytics
from reintegra.protection import pseudonymise

# --- CSV (cells made formula-safe by access.spreadsheets) ----------------------------------------


def pseudonymised_table(rows: Iterable[dict[str, Any]]) -> Iterator[list[Any]]:
    """Released rows as table rows in pseudonymise.ROW_KEYS order (the CSV download's layout)."""
    return ([row[key] for key in pseudonymise.ROW_KEYS] for row in rows)


_AREA_LEVELS = {
    "municipality": _("municipality"),
    "admin1": _("state or department"),
    "country": _("country"),
    "none": _("none"),
}


def pseudonymised_columns() -> list[exports.Column]:
    """pseudonymise.ROW_KEYS labelled (`access.exports`); machine codes give the API's field names and codes."""
    labels: dict[str, Any] = {
        "case_pid": (_("Pseudonymous case id"), None),
        "organisation": (_("Organisation"), None),
        "sex": (_("Sex"), Sex.choices),
        "age_band": (_("Age band at return"), None),
        "nationality": (_("Nationality"), None),
        "return_type": (_("Return type"), ReturnType.choices),
        "return_period": (_("Return period"), None),
        "area_level": (_("Area given at"), _AREA_LEVELS),
        "return_country": (_("Country of return"), None),
        "admin1": (_("State or department"), None),
        "municipality": (_("Municipality"), None),
        "status": (_("Status"), CaseStatus.choices),
        "closure_category": (_("Closure category"), ClosureCategory.choices),
        "assessments": (_("Assessments"), None),
        "follow_ups": (_("Follow-up visits"), None),
        "plan_dimensions": (_("Plan dimensions"), Dimension.choices),
    }
    return [exports.Column(key, *labels[key]) for key in pseudonymise.ROW_KEYS]


def pseudonymised_download(
    user: User, release: analytics.PseudonymisedRelease, *, channel: str, codes: bool = False
) -> HttpResponseBase:
    """The released rows as the CSV both the analytics page and the API give, recorded in the access trail
    with what was released and withheld."""
    summary = release.summary
    return exports.download(
        user,
        "csv",
        "pseudonymised-cases",
        pseudonymised_columns(),
        pseudonymised_table(analytics.pseudonymised_rows(release.entries)),
        purpose=f"pseudonymised case rows ({summary['released']} rows, {summary['suppressed']} withheld, "
        f"k={summary['k']})",
        object_type="cases.case",
        channel=channel,
        codes=codes,
    )


# --- monitoring and evaluation -------------------------------------------------------------------


class PseudonymisedCaseSerializer(serializers.Serializer[Any]):
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


class ReleaseSummarySerializer(serializers.Serializer[Any]):
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


class AggregateQuerySerializer(serializers.Serializer[Any]):
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


class AggregateRowSerializer(serializers.Serializer[Any]):
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


class AggregatesSerializer(serializers.Serializer[Any]):
    by = serializers.ListField(child=serializers.CharField(), read_only=True)
    k = serializers.IntegerField(read_only=True, help_text=_("Smallest count shown."))
    rows = AggregateRowSerializer(many=True, read_only=True)
