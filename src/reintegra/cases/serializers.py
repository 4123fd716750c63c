"""API representations of the individual case, and the parsing of API input into service arguments.

Serializers only validate shapes and types; every rule that depends on the case lives in `services`
and `lifecycle`, so the web UI and the API cannot disagree. Sensitive fields are handled by
`SensitiveFieldsMixin` (omitted for users who may not see them, and ignored on input from them).
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reintegra.access import scoping
from reintegra.access.models import User
from reintegra.access.roles import SensitiveCategory
from reintegra.api import versioning
from reintegra.api.fields import CountryCodeField, EnumChoiceField, IdField
from reintegra.api.protection import SensitiveFieldsMixin
from reintegra.cases import choices as case_choices
from reintegra.cases import duplicates, matching, selectors, services
from reintegra.cases.choices import (
    AttentionFlag,
    CaseEventKind,
    CaseStatus,
    ClosureCategory,
    ClosureReason,
    DocumentType,
    MigrationCause,
    PlanItemStatus,
    ReceptionAssistance,
    Relationship,
    ReturnType,
    Sex,
)
from reintegra.cases.models import (
    Assessment,
    Case,
    CaseEvent,
    CounsellingSession,
    FollowUpVisit,
    HouseholdMember,
    IdentityDocument,
    PlanItem,
    ReintegrationPlan,
    Returnee,
)

# Longest free text accepted for a text field without its own limit (notes, needs, goals...).
TEXT_MAX_LENGTH = 10_000
# Longest list accepted for list inputs (documents, members, plan items, codes).
# DRF hands max_length with many=True to the ListSerializer; djangorestframework-stubs does not declare that
# keyword on serializers, hence `type: ignore[call-arg]` where a nested list is bounded.
LIST_MAX_LENGTH = 50


class CaseChoiceField(EnumChoiceField):
    """The choice field ModelSerializer builds from a model field's choices (a plain list): documented
    under the name of the class in `cases.choices` that has the same values, if any."""

    def schema_enum_name(self) -> str | None:
        if self.enum_name:
            return self.enum_name
        values = {key for key in self.choices if key not in ("", None)}
        for value in vars(case_choices).values():
            if isinstance(value, type) and issubclass(value, models.Choices) and set(value.values) == values:
                return f"{value.__name__}Enum"
        return None


class ProtectedModelSerializer(SensitiveFieldsMixin, serializers.ModelSerializer):
    """Base for model representations: named enums in the schema, bounded free text, field protection."""

    serializer_choice_field = CaseChoiceField

    def build_standard_field(self, field_name: str, model_field: models.Field) -> tuple[type, dict[str, Any]]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if isinstance(model_field, models.TextField) and not kwargs.get("read_only"):
            kwargs.setdefault("max_length", TEXT_MAX_LENGTH)
        return field_class, kwargs


def _request_user(serializer: serializers.BaseSerializer) -> Any:
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)


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
    estimated_age = serializers.IntegerField(
        min_value=0,
        max_value=120,
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


def returnee_input(user: Any, data: dict[str, Any], instance: Returnee | None = None) -> services.ReturneeInput:
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


# --- Cases ---------------------------------------------------------------------------------------


class ReturneeSummarySerializer(ProtectedModelSerializer):
    """What a case shows of its returnee (no documents, no contact details)."""

    sex = EnumChoiceField(Sex, read_only=True)
    nationality = CountryCodeField(read_only=True)
    family_names = serializers.CharField(read_only=True)
    full_name = serializers.CharField(read_only=True)
    birth_year = serializers.IntegerField(read_only=True, allow_null=True)
    age = serializers.SerializerMethodField()
    municipality = serializers.IntegerField(source="municipality_id", read_only=True, allow_null=True)
    municipality_name = serializers.CharField(source="municipality.name", read_only=True, allow_null=True)
    attention_flags = serializers.ListField(child=EnumChoiceField(AttentionFlag), read_only=True)

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
            "birth_date",
            "birth_year",
            "age",
            "nationality",
            "municipality",
            "municipality_name",
            "attention_flags",
        ]
        read_only_fields = fields

    def get_age(self, obj: Returnee) -> int | None:
        return obj.age_on()


class ReturnInformationSerializer(serializers.Serializer):
    return_date = serializers.DateField()
    return_type = EnumChoiceField(ReturnType)
    host_country = CountryCodeField(required=False, allow_blank=True)
    transit_countries = serializers.ListField(child=CountryCodeField(), required=False, max_length=LIST_MAX_LENGTH)
    reception_place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    reception_assistance = serializers.ListField(
        child=EnumChoiceField(ReceptionAssistance), required=False, max_length=LIST_MAX_LENGTH
    )
    causes_of_migration = serializers.ListField(
        child=EnumChoiceField(MigrationCause), required=False, max_length=LIST_MAX_LENGTH
    )
    causes_note = serializers.CharField(required=False, allow_blank=True, max_length=300)


_RETURN_FIELDS = [
    "return_date",
    "return_type",
    "host_country",
    "transit_countries",
    "reception_place",
    "reception_assistance",
    "causes_of_migration",
    "causes_note",
]


def return_input(data: dict[str, Any], instance: Case | None = None) -> services.ReturnInput:
    values: dict[str, Any] = {}
    if instance is not None:
        values = {name: getattr(instance, name) for name in _RETURN_FIELDS}
        values["host_country"] = str(instance.host_country or "")
    values.update({name: data[name] for name in _RETURN_FIELDS if name in data})
    return services.ReturnInput(**values)


def _user_ref(pk: int, message: Any) -> User:
    """The user `pk` names; whether they may hold the case is the service's rule (`_check_case_manager`).
    An unknown id is refused with the same message and code as one the service refuses."""
    found = User.objects.filter(pk=pk).first()
    if found is None:
        raise serializers.ValidationError(message, code="invalid_choice")
    return found


class CaseCreateSerializer(ReturnInformationSerializer):
    returnee = IdField()
    case_manager = IdField(required=False, allow_null=True, help_text=_("Defaults to the user who opens the case."))

    def validate_returnee(self, value: int) -> Returnee:
        try:
            return selectors.get_returnee(_request_user(self), value)
        except Returnee.DoesNotExist:
            raise serializers.ValidationError(_("Returnee not found.")) from None

    def validate_case_manager(self, value: int | None) -> User | None:
        if value is None:
            return None
        return _user_ref(value, _("Choose a case manager of your organisation."))


class CaseFilterSerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=_("Name (accents and case do not matter), case number, or document number."),
    )
    status = EnumChoiceField(CaseStatus, required=False, allow_blank=True)
    case_manager = IdField(required=False)
    return_from = serializers.DateField(required=False)
    return_to = serializers.DateField(required=False)
    municipality = IdField(required=False)
    return_type = EnumChoiceField(ReturnType, required=False, allow_blank=True)
    mine = serializers.BooleanField(required=False, help_text=_("Only the cases assigned to me."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("return_from"), attrs.get("return_to")
        if start and end and end < start:
            raise serializers.ValidationError({"return_to": [_("The end date is before the start date.")]})
        return attrs

    def filters(self) -> selectors.CaseFilters:
        data = self.validated_data
        return selectors.CaseFilters(
            search=data.get("search", ""),
            status=data.get("status", ""),
            case_manager=data.get("case_manager"),
            return_from=data.get("return_from"),
            return_to=data.get("return_to"),
            municipality=data.get("municipality"),
            return_type=data.get("return_type", ""),
            mine_only=bool(data.get("mine")),
        )


class CaseListSerializer(ProtectedModelSerializer):
    """One row of the case list: only what `selectors.search_cases` already joined (no extra queries)."""

    status = EnumChoiceField(CaseStatus, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    return_type = EnumChoiceField(ReturnType, read_only=True)
    returnee = ReturneeSummarySerializer(read_only=True)
    case_manager = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "case_number",
            "status",
            "status_label",
            "returnee",
            "case_manager",
            "opened_on",
            "return_date",
            "return_type",
            "closed_on",
            "updated_at",
        ]
        read_only_fields = fields


class TimelineEventSerializer(ProtectedModelSerializer):
    kind = EnumChoiceField(CaseEventKind, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    actor = serializers.SerializerMethodField()
    # Any: the serializer metaclass moves declared fields out of the class, so `.data` stays Serializer.data.
    data: Any = serializers.DictField(read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["kind", "kind_label", "occurred_at", "actor", "data", "note"]
        read_only_fields = fields

    def get_actor(self, obj: CaseEvent) -> str | None:
        return obj.actor.display_name() if obj.actor else None


class HouseholdMemberSerializer(ProtectedModelSerializer):
    relationship = EnumChoiceField(Relationship)
    sex = EnumChoiceField(Sex, required=False)
    is_minor = serializers.BooleanField(
        required=False, help_text=_("Computed from the birth date or estimated age when either is given.")
    )

    class Meta:
        model = HouseholdMember
        fields = [
            "id",
            "given_names",
            "family_names",
            "relationship",
            "sex",
            "birth_date",
            "estimated_age",
            "is_minor",
            "returned_too",
        ]
        read_only_fields = ["id"]


class HouseholdSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, allow_null=True)
    version = serializers.IntegerField(
        read_only=True, help_text=_("Send it back in If-Match to change the household; 0 while there is none.")
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH)
    members = HouseholdMemberSerializer(many=True, max_length=LIST_MAX_LENGTH)  # type: ignore[call-arg]  # many=True's max_length

    def to_member_inputs(self) -> list[services.MemberInput]:
        return [services.MemberInput(**member) for member in self.validated_data["members"]]


def household_data(case: Case) -> dict[str, Any]:
    household = case.household
    if household is None:
        return {"id": None, "version": 0, "notes": "", "members": []}
    return {
        "id": household.pk,
        "version": household.revision,
        "notes": household.notes,
        "members": list(household.members.all()),
    }


class CaseDetailSerializer(ProtectedModelSerializer):
    status = EnumChoiceField(CaseStatus, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    team = serializers.IntegerField(source="team_id", read_only=True, allow_null=True)
    team_name = serializers.CharField(source="team.name", read_only=True, allow_null=True)
    case_manager = UserRefSerializer(read_only=True, allow_null=True)
    returnee = ReturneeSummarySerializer(read_only=True)
    household = serializers.SerializerMethodField()
    return_type = EnumChoiceField(ReturnType, read_only=True)
    return_type_label = serializers.CharField(source="get_return_type_display", read_only=True)
    host_country = CountryCodeField(read_only=True, allow_blank=True)
    transit_countries = serializers.ListField(child=CountryCodeField(), read_only=True)
    reception_assistance = serializers.ListField(child=EnumChoiceField(ReceptionAssistance), read_only=True)
    causes_of_migration = serializers.ListField(child=EnumChoiceField(MigrationCause), read_only=True)
    closure_reason = EnumChoiceField(ClosureReason, read_only=True, allow_blank=True)
    closure_reason_label = serializers.CharField(source="get_closure_reason_display", read_only=True)
    closure_category = EnumChoiceField(ClosureCategory, read_only=True, allow_blank=True)
    closure_category_label = serializers.CharField(source="get_closure_category_display", read_only=True)
    timeline = serializers.SerializerMethodField()
    version = versioning.version_field()

    class Meta:
        model = Case
        fields = [
            "id",
            "case_number",
            "status",
            "status_label",
            "organisation_name",
            "team",
            "team_name",
            "case_manager",
            "returnee",
            "household",
            "opened_on",
            "return_date",
            "return_type",
            "return_type_label",
            "host_country",
            "transit_countries",
            "reception_place",
            "reception_assistance",
            "causes_of_migration",
            "causes_note",
            "closure_reason",
            "closure_reason_label",
            "closure_category",
            "closure_category_label",
            "closed_on",
            "closure_note",
            "timeline",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(HouseholdSerializer)
    def get_household(self, obj: Case) -> dict[str, Any]:
        return HouseholdSerializer(household_data(obj), context=self.context).data

    @extend_schema_field(TimelineEventSerializer(many=True))
    def get_timeline(self, obj: Case) -> list[dict[str, Any]]:
        return TimelineEventSerializer(selectors.timeline(obj), many=True, context=self.context).data


class AssignSerializer(serializers.Serializer):
    case_manager = IdField()

    def validate_case_manager(self, value: int) -> User:
        return _user_ref(value, _("Choose a case manager of your organisation."))


class CloseSerializer(serializers.Serializer):
    reason = EnumChoiceField(ClosureReason)
    note = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH)
    closed_on = serializers.DateField(required=False, allow_null=True, help_text=_("Defaults to today."))


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


# --- Assessments and counselling -----------------------------------------------------------------


class AssessmentSerializer(ProtectedModelSerializer):
    assessed_by = UserRefSerializer(read_only=True)
    version = versioning.version_field()

    class Meta:
        model = Assessment
        fields = ["id", *services.ASSESSMENT_FIELDS, "assessed_by", "version", "created_at"]
        read_only_fields = ["id", "created_at"]


class CounsellingSessionSerializer(ProtectedModelSerializer):
    counsellor = UserRefSerializer(read_only=True)

    class Meta:
        model = CounsellingSession
        fields = ["id", *services.COUNSELLING_FIELDS, "counsellor", "created_at"]
        read_only_fields = ["id", "created_at"]


# --- Reintegration plan --------------------------------------------------------------------------


class PlanItemSerializer(ProtectedModelSerializer):
    id = IdField(required=False, help_text=_("Give the id to keep an existing item; leave it out for a new one."))
    status = EnumChoiceField(PlanItemStatus, required=False)

    class Meta:
        model = PlanItem
        fields = [
            "id",
            "dimension",
            "approach",
            "description",
            "assistance_form",
            "amount",
            "currency",
            "responsible",
            "due_date",
            "status",
        ]


class PlanSerializer(ProtectedModelSerializer):
    items = PlanItemSerializer(many=True, read_only=True)
    agreed_late = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()
    version = versioning.version_field()

    class Meta:
        model = ReintegrationPlan
        fields = [
            "id",
            "goals",
            "motivations",
            "items",
            "agreed_on",
            "agreed_late",
            "agreed_late_reason",
            "warnings",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _case(self, obj: ReintegrationPlan) -> Case:
        return self.context.get("case") or obj.case

    def get_agreed_late(self, obj: ReintegrationPlan) -> bool:
        return selectors.plan_is_late(self._case(obj), obj.agreed_on)

    def get_warnings(self, obj: ReintegrationPlan) -> list[str]:
        case = self._case(obj)
        deadline = case.return_date + timedelta(days=settings.REINTEGRA_PLAN_DEADLINE_DAYS)
        warnings: list[str | Promise] = []
        if obj.agreed_on is None:
            if timezone.localdate() > deadline and case.status != CaseStatus.CLOSED:
                warnings.append(
                    _("The plan should have been agreed by %(date)s, one month after the return.")
                    % {"date": deadline.isoformat()}
                )
        elif selectors.plan_is_late(case, obj.agreed_on):
            warnings.append(
                _("The plan was agreed %(days)s days after the return, more than one month.")
                % {"days": (obj.agreed_on - case.return_date).days}
            )
            if not obj.agreed_late_reason:
                warnings.append(_("Record why the plan was agreed after the first month."))
        if not obj.items.all():
            warnings.append(_("The plan has no items yet."))
        return [str(w) for w in warnings]


class PlanWriteSerializer(serializers.Serializer):
    goals = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH)
    motivations = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH)
    items = PlanItemSerializer(  # type: ignore[call-arg]  # many=True's max_length
        many=True,
        required=False,
        max_length=LIST_MAX_LENGTH,
        help_text=_("Replaces the item list when given; items keep their id."),
    )

    def to_item_inputs(self) -> list[services.PlanItemInput] | None:
        if "items" not in self.validated_data:
            return None
        return [services.PlanItemInput(**item) for item in self.validated_data["items"]]


class PlanAgreeSerializer(serializers.Serializer):
    agreed_on = serializers.DateField()
    late_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        help_text=_("Why the plan is agreed more than one month after the return."),
    )


# --- Follow-up -----------------------------------------------------------------------------------


class ProgressSerializer(serializers.Serializer):
    item = IdField(source="item_id")
    item_approach = serializers.CharField(source="item.approach", read_only=True)
    status = EnumChoiceField(PlanItemStatus)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class FollowUpVisitSerializer(ProtectedModelSerializer):
    conducted_by = UserRefSerializer(read_only=True)
    progress = ProgressSerializer(many=True, required=False, max_length=LIST_MAX_LENGTH)  # type: ignore[call-arg]  # many=True's max_length

    class Meta:
        model = FollowUpVisit
        fields = ["id", *services.FOLLOW_UP_FIELDS, "conducted_by", "progress", "created_at"]
        read_only_fields = ["id", "created_at"]

    def to_progress_inputs(self) -> list[services.ProgressInput]:
        return [
            services.ProgressInput(item_id=entry["item_id"], status=entry["status"], note=entry.get("note", ""))
            for entry in self.validated_data.get("progress", [])
        ]
