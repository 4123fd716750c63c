"""API serializers of hand-overs: they parse and present; the services decide."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from reintegra.access.models import Organisation
from reintegra.handover import package
from reintegra.handover.models import Delivery, HandOver, HandOverEvent, PartnerInstallation


class HandOverErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)
    code = serializers.CharField(read_only=True)


class EventSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField()

    class Meta:
        model = HandOverEvent
        fields = ["from_status", "to_status", "at", "by"]

    def get_by(self, obj: HandOverEvent) -> str:
        if obj.by_id:
            return str(obj.by)
        return obj.by_partner.name if obj.by_partner is not None else ""


class HandOverSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id", read_only=True, allow_null=True)
    recipient_organisation: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    partner = serializers.IntegerField(source="partner_id", read_only=True, allow_null=True)
    accepted_case = serializers.IntegerField(source="accepted_case_id", read_only=True, allow_null=True)
    events = EventSerializer(many=True, read_only=True)

    class Meta:
        model = HandOver
        fields = [
            "id",
            "package_id",
            "direction",
            "status",
            "case",
            "sender_name",
            "recipient_organisation",
            "partner",
            "categories",
            "reason",
            "decline_reason",
            "accepted_case",
            "created_at",
            "sent_at",
            "received_at",
            "answered_at",
            "revoked_at",
            "events",
        ]
        read_only_fields = fields


class HandOverDetailSerializer(HandOverSerializer):
    """With the package's data, for the sides that may read it."""

    payload = serializers.JSONField(read_only=True)

    class Meta(HandOverSerializer.Meta):
        fields = [*HandOverSerializer.Meta.fields, "payload"]
        read_only_fields = fields


class HandOverCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    recipient_organisation = serializers.IntegerField(required=False, allow_null=True)
    partner = serializers.IntegerField(required=False, allow_null=True)
    framework = serializers.IntegerField(required=False, allow_null=True)
    recipient_party = serializers.IntegerField()
    reason = serializers.CharField(allow_blank=True, max_length=500)


class AcceptSerializer(serializers.Serializer):
    existing_returnee = serializers.IntegerField(required=False, allow_null=True)
    distinct_from = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text=_("Ids of the possible duplicates you checked: the person is none of them."),
    )


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=500)


class PackageUploadSerializer(serializers.Serializer):
    package = serializers.CharField(help_text=_("The content of the .json.jwe file."))


class DeliverySerializer(serializers.ModelSerializer):
    partner = serializers.CharField(source="partner.name", read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "handover",
            "partner",
            "kind",
            "status",
            "attempts",
            "last_error",
            "next_attempt_at",
            "delivered_at",
        ]
        read_only_fields = fields


class PartnerSerializer(serializers.ModelSerializer):
    fingerprint = serializers.SerializerMethodField()
    organisation: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = PartnerInstallation
        fields = [
            "id",
            "name",
            "base_url",
            "sender_id",
            "fingerprint",
            "public_jwks",
            "framework",
            "organisation",
            "remote_organisation_code",
            "registered_at",
            "is_active",
        ]
        read_only_fields = fields

    def get_fingerprint(self, obj: PartnerInstallation) -> str:
        return package.fingerprint(obj.public_jwks)


class PartnerCreateSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, max_length=200)
    base_url = serializers.CharField(allow_blank=True, max_length=300)
    public_jwks = serializers.JSONField()
    framework = serializers.IntegerField()
    organisation = serializers.IntegerField()
    remote_organisation_code = serializers.CharField(allow_blank=True, max_length=32)


class InstallationSerializer(serializers.Serializer):
    installation_id = serializers.CharField(read_only=True)
    fingerprint = serializers.CharField(read_only=True)
    public_jwks = serializers.JSONField(read_only=True)

    @staticmethod
    def present(jwks: dict[str, Any]) -> dict[str, Any]:
        return {
            "installation_id": package.installation_id(jwks),
            "fingerprint": package.fingerprint(jwks),
            "public_jwks": jwks,
        }
