"""Returnees: the person, their documents, registration and the duplicate check."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from reintegra.access import scoping
from reintegra.access.roles import SensitiveCategory
from reintegra.api import versioning
from reintegra.api.fields import CountryCodeField, EnumChoiceField, IdField
from reintegra.cases import duplicates, matching, services
from reintegra.cases.choices import (
    AttentionFlag,
    DocumentType,
    Sex,
)
from reintegra.cases.models import (
    IdentityDocument,
    Returnee,
)
from reintegra.cases.serializers.common import (
    LIST_MAX_LENGTH,
    ProtectedModelSerializer,
)

if TYPE_CHECKING:
    from reintegra.access.models import User

# --- Returnees -----------------------------------------------------------------------------------


class DocumentSerializer(ProtectedModelSerializer):
    document_type = EnumChoiceField(DocumentType)
    number = serializers.CharField(max_length=64)
    issuing_country = CountryCodeField()

    class Meta:
        model = IdentityDocument
        fields = ["id", "document_type", "number", "issuing_country"]
        read_only_fields = ["id"]


class ReturneeSerializer(ProtectedModelSerializer):
    sex = EnumChoiceField(Sex, required=False)
    nationality = CountryCodeField()
    return_country = CountryCodeField()
    # From 0 to 120: the service's rule (code out_of_range, as from the web form).
    estimated_age = serializers.IntegerField(
        required=False,
        allow_null=True,
        write_only=True,
        help_text=_("When the birth date is unknown: the age the person gives (kept as an estimated birth year)."),
    )
    municipality = IdField(source="municipality_id", required=False, allow_null=True)
    municipality_name = serializers.CharField(source="municipality.name", read_only=True, allow_null=True)
    admin1 = serializers.IntegerField(source="admin1_id", read_only=True, allow_null=True)
    admin1_name = serializers.CharField(source="admin1.name", read_only=True, allow_null=True)
    attention_flags = serializers.ListField(
        child=EnumChoiceField(AttentionFlag), required=False, max_length=len(AttentionFlag.values)
    )
    documents = DocumentSerializer(many=True, required=False, max_length=10)  # type: ignore[call-arg]  # many=True's max_length
    family_names = serializers.CharField(read_only=True)
    full_name = serializers.CharField(read_only=True)
    birth_year = serializers.IntegerField(read_only=True, allow_null=True)
    age = serializers.SerializerMethodField()
    version = versioning.version_field()

    class Meta:
        model = Returnee
        fields = [
            "id",
            "given_names",
            "first_family_name",
            "second_family_name",
            "family_names",
            "full_name",
            "sex",
            "gender_identity",
            "birth_date",
            "estimated_age",
            "birth_year",
            "age",
            "nationality",
            "phone",
            "languages",
            "return_country",
            "admin1",
            "admin1_name",
            "municipality",
            "municipality_name",
            "locality",
            "address",
            "attention_flags",
            "documents",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        # The encrypted fields have a default (""), so the model does not tell DRF the names are required.
        extra_kwargs = {
            "given_names": {"required": True, "allow_blank": False},
            "first_family_name": {"required": True, "allow_blank": False},
        }

    def get_age(self, obj: Returnee) -> int | None:
        return obj.age_on()


_RETURNEE_INPUT_FIELDS = [
    "given_names",
    "first_family_name",
    "second_family_name",
    "sex",
    "gender_identity",
    "birth_date",
    "phone",
    "languages",
    "locality",
    "address",
    "attention_flags",
]


def returnee_input(user: User, data: dict[str, Any], instance: Returnee | None = None) -> services.ReturneeInput:
    """The service input: the stored values (for updates) overlaid with what the client sent."""
    values: dict[str, Any] = {}
    if instance is not None:
        values = {name: getattr(instance, name) for name in _RETURNEE_INPUT_FIELDS}
        values["attention_flags"] = list(instance.attention_flags or [])
        values["nationality"] = str(instance.nationality)
        values["return_country"] = str(instance.return_country)
        values["admin1_id"] = instance.admin1_id
        values["municipality_id"] = instance.municipality_id
        if instance.birth_date is None and instance.estimated_birth_year is not None:
            # The age given at registration, so that changing another field keeps the estimated birth year.
            values["estimated_age"] = timezone.localdate().year - instance.estimated_birth_year
    for name in [*_RETURNEE_INPUT_FIELDS, "nationality", "return_country", "municipality_id", "estimated_age"]:
        if name in data:
            values[name] = data[name]
    if "municipality_id" in data and data["municipality_id"] is None:
        values["admin1_id"] = None
    for name in ("birth_date", "estimated_age"):
        values.setdefault(name, None)
    if "documents" in data and scoping.can_see(user, SensitiveCategory.IDENTITY_DOCUMENT):
        values["documents"] = [services.DocumentInput(**doc) for doc in data["documents"]]
    return services.ReturneeInput(**values)


class ReturneeCreateSerializer(ReturneeSerializer):
    """Registration: the returnee, and the confirmation the duplicate rule asks for (cases.duplicates)."""

    confirmed_new_person = serializers.BooleanField(
        required=False,
        default=False,
        write_only=True,
        help_text=_(
            "Set after a 409 answer: you checked the possible duplicates and this is a different person. "
            "List the ids of the candidates you were shown in seen_candidates."
        ),
    )
    seen_candidates = serializers.ListField(
        child=IdField(),
        required=False,
        default=list,
        write_only=True,
        max_length=LIST_MAX_LENGTH,
        help_text=_("Ids of the possible duplicates you were shown (the candidates of the 409 answer)."),
    )

    class Meta(ReturneeSerializer.Meta):
        fields = [*ReturneeSerializer.Meta.fields, "confirmed_new_person", "seen_candidates"]

    def confirmation(self) -> duplicates.DistinctPersonConfirmation | None:
        data = self.validated_data
        if not data.get("confirmed_new_person"):
            return None
        return duplicates.DistinctPersonConfirmation(seen=frozenset(data.get("seen_candidates") or []))


class DuplicateQuerySerializer(serializers.Serializer):
    given_names = serializers.CharField(required=False, allow_blank=True, max_length=120)
    family_names = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=160,
        help_text=_("Both family names; split into first and second at the first space."),
    )
    first_family_name = serializers.CharField(required=False, allow_blank=True, max_length=80)
    second_family_name = serializers.CharField(required=False, allow_blank=True, max_length=80)
    birth_date = serializers.DateField(required=False, allow_null=True)
    estimated_age = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=120)
    document_numbers = serializers.ListField(
        child=serializers.CharField(max_length=64, allow_blank=True), required=False, max_length=10
    )
    document_number = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text=_("One document number (or use document_numbers).")
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        first = matching.clean_name(attrs.get("first_family_name", ""))
        second = matching.clean_name(attrs.get("second_family_name", ""))
        family = matching.clean_name(attrs.get("family_names", ""))
        if family and not first:
            parts = family.split(None, 1)
            first = parts[0]
            second = second or (parts[1] if len(parts) > 1 else "")
        numbers = [n.strip() for n in [*attrs.get("document_numbers", []), attrs.get("document_number", "")]]
        query = duplicates.DuplicateQuery(
            given_names=matching.clean_name(attrs.get("given_names", "")),
            first_family_name=first,
            second_family_name=second,
            birth_date=attrs.get("birth_date"),
            estimated_age=attrs.get("estimated_age"),
            document_numbers=tuple(n for n in numbers if n),
        )
        if not query.is_searchable():
            raise serializers.ValidationError(
                {"given_names": [_("Give the given names and family names, or a document number.")]}
            )
        if query.birth_date and query.birth_date > timezone.localdate():
            raise serializers.ValidationError({"birth_date": [_("The birth date cannot be in the future.")]})
        return {"query": query}

    def query(self) -> duplicates.DuplicateQuery:
        query: duplicates.DuplicateQuery = self.validated_data["query"]
        return query


class DuplicateCandidateSerializer(serializers.Serializer):
    """A possible earlier registration the user may see (out-of-scope ones are only a flag of the result)."""

    id = serializers.IntegerField(source="returnee.pk", read_only=True)
    score = serializers.FloatField(read_only=True)
    strong = serializers.BooleanField(
        read_only=True, help_text=_("Likely the same person: registering needs confirmed_new_person.")
    )
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True)
    given_names = serializers.CharField(source="returnee.given_names", read_only=True)
    family_names = serializers.CharField(source="returnee.family_names", read_only=True)
    birth_date = serializers.DateField(source="returnee.birth_date", read_only=True, allow_null=True)
    birth_year = serializers.IntegerField(source="returnee.birth_year", read_only=True, allow_null=True)
    nationality = CountryCodeField(source="returnee.nationality", read_only=True)
    case_numbers = serializers.SerializerMethodField(help_text=_("The candidate's cases that you may open."))

    def get_case_numbers(self, obj: duplicates.ShownCandidate) -> list[str]:
        return [number for number, _pk in obj.cases]


class DuplicateResultSerializer(serializers.Serializer):
    candidates = DuplicateCandidateSerializer(many=True, read_only=True)
    out_of_scope_match = serializers.BooleanField(
        read_only=True,
        help_text=_(
            "A possible match exists in your organisation that you may not see; it is not described. "
            "Ask your supervisor."
        ),
    )
    out_of_scope_message = serializers.SerializerMethodField()

    def get_out_of_scope_message(self, obj: duplicates.DuplicateResult) -> str | None:
        return duplicates.out_of_scope_message() if obj.out_of_scope_match else None


class PossibleDuplicateSerializer(DuplicateResultSerializer):
    """The 409 answer of a registration that needs confirmed_new_person."""

    detail = serializers.CharField(read_only=True)
    code = serializers.CharField(read_only=True)


class ErrorCodeSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)
    code = serializers.CharField(read_only=True)
