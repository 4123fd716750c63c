"""API representations. A provider's view of a referral is built from `catalogue.provider_payload` only."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reintegra.access.models import Organisation
from reintegra.api.fields import EnumChoiceField
from reintegra.api.versioning import version_field
from reintegra.places.models import AdminArea
from reintegra.referrals import catalogue, selectors, services
from reintegra.referrals.choices import DeclineReason, LinkStatus, PathwayPopulation, ReferralPriority
from reintegra.referrals.models import (
    ContactPerson,
    ProviderLink,
    Referral,
    ReferralPathway,
    Service,
    ServiceProvider,
)


class ContactPersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactPerson
        fields = ["name", "position", "phone", "email", "availability"]


class ServiceProviderSerializer(serializers.ModelSerializer):
    contacts = ContactPersonSerializer(many=True, read_only=True)
    country = serializers.CharField()
    on_platform = serializers.BooleanField(read_only=True)
    owner = serializers.IntegerField(
        source="owner_id", read_only=True, help_text="The organisation that maintains the entry (only it changes it)."
    )
    organisation = serializers.IntegerField(
        source="organisation_id",
        read_only=True,
        allow_null=True,
        help_text="The organisation that accepted the link: referrals sent to the provider reach its portal.",
    )
    pending_organisation = serializers.SerializerMethodField(
        help_text="The organisation a link was asked for, while it has not answered."
    )
    version = version_field()

    class Meta:
        model = ServiceProvider
        fields = [
            "id",
            "name",
            "organisation_type",
            "country",
            "languages",
            "address",
            "phone",
            "email",
            "website",
            "is_active",
            "on_platform",
            "owner",
            "organisation",
            "pending_organisation",
            "contacts",
            "version",
        ]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_pending_organisation(self, obj: ServiceProvider) -> int | None:
        pending = [r for r in obj.link_requests.all() if r.status == LinkStatus.PENDING]
        return pending[0].organisation_id if pending else None


class ProviderLinkSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    # Plain text in the schema: the enum name "status" is taken by other components.
    status = serializers.CharField(read_only=True, help_text="pending | accepted | refused | withdrawn")

    class Meta:
        model = ProviderLink
        fields = [
            "id",
            "provider",
            "provider_name",
            "organisation",
            "organisation_name",
            "status",
            "requested_at",
            "answered_at",
        ]
        read_only_fields = fields


class ContactWriteSerializer(serializers.Serializer):
    # Blank is the service's to refuse ("contacts.0.name", required), as from the web form.
    name = serializers.CharField(max_length=160, required=False, allow_blank=True, default="")
    position = serializers.CharField(max_length=160, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    availability = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ServiceProviderWriteSerializer(serializers.Serializer):
    """A provider to create, or the attributes to change (PATCH). `contacts`, when given, replaces the list."""

    name = serializers.CharField(max_length=200)
    organisation_type = serializers.CharField(help_text="government | ngo | private_sector | international | ...")
    country = serializers.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code")
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        allow_null=True,
        help_text=(
            "The provider's organisation on the platform: a link is requested, and made only when that "
            "organisation accepts (it then receives referrals in its portal); null removes the link."
        ),
    )
    languages = serializers.CharField(max_length=200, required=False, allow_blank=True)
    address = serializers.CharField(max_length=250, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    website = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    contacts = ContactWriteSerializer(many=True, required=False)

    def to_input(self, base: services.ProviderInput | None = None) -> services.ProviderInput:
        """The input for the service; on a PATCH the fields not sent keep `base`'s values (the provider as it is)."""
        values = dict(self.validated_data)
        contacts = values.pop("contacts", None)
        if contacts is not None:
            values["contacts"] = [services.ContactInput(**c) for c in contacts]
        base = base or services.ProviderInput(name="", organisation_type="", country="")
        return replace(base, **values)


class ServiceWriteSerializer(serializers.Serializer):
    """A service to create, or the attributes to change (PATCH). Choices are checked by the service layer."""

    provider = serializers.PrimaryKeyRelatedField(queryset=ServiceProvider.objects.all())
    name = serializers.CharField(max_length=200)
    code = serializers.CharField(
        max_length=60, required=False, allow_blank=True, help_text="Made from the name if empty"
    )
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    dimension = serializers.CharField(help_text="economic | social | psychosocial")
    sector = serializers.CharField()
    country = serializers.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code of the country of coverage")
    areas = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Administrative area ids; empty: whole country"
    )
    min_age = serializers.IntegerField(required=False, allow_null=True)
    max_age = serializers.IntegerField(required=False, allow_null=True)
    sexes = serializers.ListField(child=serializers.CharField(), required=False)
    nationalities = serializers.ListField(child=serializers.CharField(), required=False)
    vulnerability_criteria = serializers.ListField(child=serializers.CharField(), required=False)
    capacity_per_month = serializers.IntegerField(required=False, allow_null=True)
    cost = serializers.CharField(required=False)
    opening_hours = serializers.CharField(max_length=200, required=False, allow_blank=True)
    target_response_days = serializers.IntegerField(required=False)
    languages = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    is_public = serializers.BooleanField(required=False)
    public_contact = serializers.CharField(max_length=250, required=False, allow_blank=True)

    def to_input(
        self, base: services.ServiceInput | None = None, *, areas: list[AdminArea] | None = None
    ) -> services.ServiceInput:
        """The input for the service, with the `areas` the ids named (looked up by the caller); on a PATCH the
        fields not sent keep `base`'s values."""
        values = dict(self.validated_data)
        if areas is not None:
            values["areas"] = areas
        base = base or services.ServiceInput(provider=None, name="", dimension="", sector="", country="")
        return replace(base, **values)


class ServiceSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    country = serializers.CharField()
    areas: serializers.PrimaryKeyRelatedField[AdminArea] = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    version = version_field()

    class Meta:
        model = Service
        fields = [
            "id",
            "code",
            "name",
            "description",
            "provider",
            "provider_name",
            "dimension",
            "sector",
            "country",
            "areas",
            "min_age",
            "max_age",
            "sexes",
            "nationalities",
            "vulnerability_criteria",
            "capacity_per_month",
            "cost",
            "opening_hours",
            "target_response_days",
            "languages",
            "is_active",
            "is_public",
            "public_contact",
            "version",
        ]


class ReferralPathwaySerializer(serializers.ModelSerializer):
    transferred_fields = serializers.ListField(
        source="fields",
        child=serializers.CharField(),
        read_only=True,
        help_text="Codes of the case data the provider receives.",
    )

    class Meta:
        model = ReferralPathway
        fields = [
            "id",
            "referring_organisation",
            "provider",
            "service",
            "title",
            "version",
            "is_current",
            "approved_on",
            "transferred_fields",
            "transfer_method",
            "consent_procedure",
            "first_contact",
            "response_time_hours",
            "follow_up",
            "documentation",
            "cost_arrangements",
            "population",
            "child_safeguards",
        ]
        read_only_fields = ["referring_organisation", "version", "is_current"]


class PathwayWriteSerializer(serializers.Serializer):
    provider = serializers.PrimaryKeyRelatedField(queryset=ServiceProvider.objects.all())
    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.all(), required=False, allow_null=True)
    title = serializers.CharField(max_length=200)
    approved_on = serializers.DateField()
    transferred_fields = serializers.ListField(
        child=serializers.ChoiceField(choices=list(catalogue.FIELDS)),
        help_text="Codes of the case data the provider receives (the SOP's data minimisation).",
    )
    transfer_method = serializers.CharField(required=False, allow_blank=True, default="")
    consent_procedure = serializers.CharField(required=False, allow_blank=True, default="")
    first_contact = serializers.CharField(required=False, allow_blank=True, default="")
    response_time_hours = serializers.IntegerField(required=False, allow_null=True)
    follow_up = serializers.CharField(required=False, allow_blank=True, default="")
    documentation = serializers.CharField(required=False, allow_blank=True, default="")
    cost_arrangements = serializers.CharField(required=False, allow_blank=True, default="")
    population = serializers.ChoiceField(
        choices=PathwayPopulation.choices,
        required=False,
        default=PathwayPopulation.EVERYONE,
        help_text="'children': a child-focused SOP, used for child cases (needs child_safeguards).",
    )
    child_safeguards = serializers.CharField(required=False, allow_blank=True, default="")
    previous = serializers.IntegerField(required=False, allow_null=True, help_text="Id of the version this replaces.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Apps above register SOP fields in their ready() (`catalogue.register_field`): read the catalogue now.
        transferred = self.fields["transferred_fields"]
        assert isinstance(transferred, serializers.ListField)
        cast(serializers.ChoiceField, transferred.child).choices = list(catalogue.FIELDS)

    def to_input(self) -> services.PathwayInput:
        return services.input_of(services.PathwayInput, self.validated_data)


class SharedFieldSerializer(serializers.Serializer):
    """One field of the SOP as the provider receives it (schema of `ProviderReferralSerializer.returnee`)."""

    code = serializers.CharField()
    value = serializers.CharField()
    sensitive = serializers.BooleanField()

    def get_fields(self) -> dict[str, serializers.Field]:
        # "label" is a Field attribute: declared here so the class attribute does not shadow it.
        fields = super().get_fields()
        fields["label"] = serializers.CharField()
        return fields


class _ReferralBase(serializers.ModelSerializer):
    service_name = serializers.CharField(source="service.name", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    reference = serializers.CharField(read_only=True)
    sla = serializers.SerializerMethodField()
    # Plain text in the schema: enum names "level"/"outcome" are taken by other components.
    level = serializers.CharField(read_only=True, help_text="local | national | international")
    outcome = serializers.CharField(read_only=True, help_text="service_delivered | no_show | referred_onward")
    # Empty until the provider declines.
    decline_reason = EnumChoiceField(DeclineReason, read_only=True, allow_blank=True)
    child_safeguards = serializers.CharField(
        source="pathway.child_safeguards",
        read_only=True,
        help_text="The safeguards agreed in a child-focused SOP (empty for other SOPs).",
    )

    @extend_schema_field(serializers.ChoiceField(choices=["on_time", "overdue", "met", "missed", "none"]))
    def get_sla(self, obj: Referral) -> str:
        return selectors.sla_of(obj, timezone.now())


COMMON = [
    "id",
    "reference",
    "child_safeguards",
    "service",
    "service_name",
    "provider",
    "provider_name",
    "priority",
    "level",
    "status",
    "sla",
    "created_at",
    "sent_at",
    "acceptance_due_at",
    "answered_at",
    "decline_reason",
    "outcome",
    "outcome_due_at",
    "outcome_at",
    "provider_note",
    "closed_at",
]


class ReferralSerializer(_ReferralBase):
    """The referring side's view."""

    case_number = serializers.CharField(source="case.case_number", read_only=True)
    pathway_version = serializers.IntegerField(source="pathway.version", read_only=True)

    class Meta:
        model = Referral
        fields = [
            *COMMON,
            "recipient_organisation",
            "case",
            "case_number",
            "pathway",
            "pathway_version",
            "plan_item",
            "reason",
            "consent_exception",
            "satisfaction",
            "feedback",
            "withdrawal_reason",
        ]
        read_only_fields = fields


class ProviderReferralSerializer(_ReferralBase):
    """The receiving side's view: referral facts plus the returnee's data the SOP lists, nothing else."""

    referring_organisation_name = serializers.CharField(source="referring_organisation.name", read_only=True)
    returnee = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [*COMMON, "referring_organisation_name", "returnee"]
        read_only_fields = fields

    @extend_schema_field(SharedFieldSerializer(many=True, allow_null=True))
    def get_returnee(self, obj: Referral) -> list[dict[str, Any]] | None:
        payload = catalogue.provider_payload(obj)
        if payload is None:
            return None
        return [{"code": f.code, "label": str(f.label), "value": f.value, "sensitive": f.sensitive} for f in payload]


class ReferralCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    service = serializers.IntegerField()
    priority = serializers.ChoiceField(choices=ReferralPriority.choices, default=ReferralPriority.NORMAL)
    reason = serializers.CharField(max_length=2000)
    level = serializers.CharField(required=False, allow_blank=True, default="")
    plan_item = serializers.IntegerField(required=False, allow_null=True)


class ReferralSendSerializer(serializers.Serializer):
    life_at_risk_justification = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class ReferralAcceptSerializer(serializers.Serializer):
    outcome_due_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ReferralDeclineSerializer(serializers.Serializer):
    decline_reason = serializers.ChoiceField(choices=DeclineReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ReferralOutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["service_delivered", "no_show", "referred_onward"])
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ReferralCloseSerializer(serializers.Serializer):
    satisfaction = serializers.IntegerField(required=False, allow_null=True, help_text="1 to 5")
    feedback = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ReferralWithdrawSerializer(serializers.Serializer):
    withdrawal_reason = serializers.CharField(max_length=300, help_text="Why the referral is taken back")


class ServiceRecommendationSerializer(serializers.Serializer):
    service = ServiceSerializer()
    proximity = serializers.ChoiceField(choices=["municipality", "admin1", "country", "abroad"])
    places_left = serializers.IntegerField(allow_null=True)
    at_capacity = serializers.BooleanField()
    has_pathway = serializers.BooleanField()


class ServiceGapSerializer(serializers.Serializer):
    area_id = serializers.IntegerField()
    area = serializers.CharField()
    dimension = serializers.CharField()
    cases = serializers.IntegerField()
    services = serializers.IntegerField()
    with_room = serializers.IntegerField()
    places_left = serializers.IntegerField(allow_null=True)
    state = serializers.ChoiceField(choices=["no_service", "at_capacity", "covered"])
    duplicated_sectors = serializers.ListField(child=serializers.CharField())
