"""The case: return information, list and detail, timeline, household, assignment, closure."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reintegra.access.models import User
from reintegra.api import versioning
from reintegra.api.fields import ChoiceLabelField, CountryCodeField, EnumChoiceField, IdField
from reintegra.cases import selectors, services
from reintegra.cases.choices import (
    AttentionFlag,
    CaseEventKind,
    CaseStatus,
    ClosureCategory,
    ClosureReason,
    MigrationCause,
    ReceptionAssistance,
    Relationship,
    ReturnType,
    Sex,
)
from reintegra.cases.models import (
    Case,
    CaseEvent,
    HouseholdMember,
    Returnee,
)
from reintegra.cases.serializers.common import (
    LIST_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    ProtectedModelSerializer,
    UserRefSerializer,
    request_user,
)

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
            return selectors.get_returnee(request_user(self), value)
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
        return self.filters_of(self.validated_data)

    @staticmethod
    def filters_of(data: dict[str, Any]) -> selectors.CaseFilters:
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
    status_label = ChoiceLabelField(CaseStatus, source="status", read_only=True)
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
    kind_label = ChoiceLabelField(CaseEventKind, source="kind", read_only=True)
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
    status_label = ChoiceLabelField(CaseStatus, source="status", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    team = serializers.IntegerField(source="team_id", read_only=True, allow_null=True)
    team_name = serializers.CharField(source="team.name", read_only=True, allow_null=True)
    case_manager = UserRefSerializer(read_only=True, allow_null=True)
    returnee = ReturneeSummarySerializer(read_only=True)
    household = serializers.SerializerMethodField()
    return_type = EnumChoiceField(ReturnType, read_only=True)
    return_type_label = ChoiceLabelField(ReturnType, source="return_type", read_only=True)
    host_country = CountryCodeField(read_only=True, allow_blank=True)
    transit_countries = serializers.ListField(child=CountryCodeField(), read_only=True)
    reception_assistance = serializers.ListField(child=EnumChoiceField(ReceptionAssistance), read_only=True)
    causes_of_migration = serializers.ListField(child=EnumChoiceField(MigrationCause), read_only=True)
    closure_reason = EnumChoiceField(ClosureReason, read_only=True, allow_blank=True)
    closure_reason_label = ChoiceLabelField(ClosureReason, source="closure_reason", read_only=True)
    closure_category = EnumChoiceField(ClosureCategory, read_only=True, allow_blank=True)
    closure_category_label = ChoiceLabelField(ClosureCategory, source="closure_category", read_only=True)
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
        rows: list[dict[str, Any]] = TimelineEventSerializer(
            selectors.timeline(obj), many=True, context=self.context
        ).data
        return rows


class AssignSerializer(serializers.Serializer):
    case_manager = IdField()

    def validate_case_manager(self, value: int) -> User:
        return _user_ref(value, _("Choose a case manager of your organisation."))


class CloseSerializer(serializers.Serializer):
    reason = EnumChoiceField(ClosureReason)
    note = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH)
    closed_on = serializers.DateField(required=False, allow_null=True, help_text=_("Defaults to today."))
    open_matters = serializers.DictField(
        child=serializers.CharField(max_length=40, allow_blank=True),
        required=False,
        help_text=_(
            "What happens to each thing still open on the case, {key: choice}, with the keys and choices "
            "GET …/open-matters/ lists. Every open matter needs one."
        ),
    )


class OpenMatterChoiceSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label


class OpenMatterSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    choices = OpenMatterChoiceSerializer(many=True)
    url = serializers.CharField(allow_blank=True)

    @staticmethod
    def present(matter: Any) -> dict[str, Any]:
        choices = [{"code": code, "label": label} for code, label in matter.choices]
        return {"key": matter.key, "kind": matter.kind, "label": matter.label, "choices": choices, "url": matter.url}


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
