"""Every write on the individual level: permission check, validation, timeline event, audit actor.

Views and API call these with already-parsed values; rules that depend on the case's state live here
(and in `lifecycle`), so the web UI and the API can never disagree.

Size (over 600 lines): every step of a case shares `_write` (transaction, audit actor), the
lifecycle facts and the timeline event. Split by step into a package when it next grows.
"""

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from auditlog.context import set_actor
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.access import crypto, permissions, scoping, versioning
from reintegra.access.models import Organisation, Programme, Team, User
from reintegra.access.roles import Capability
from reintegra.access.transitions import TransitionError
from reintegra.cases import duplicates, extensions, lifecycle, matching, name_index, selectors
from reintegra.cases import permissions as case_permissions
from reintegra.cases.choices import (
    CLOSURE_CATEGORY,
    AttentionFlag,
    CaseEventKind,
    CaseStatus,
    ClosureReason,
    MigrationCause,
    ReceptionAssistance,
)
from reintegra.cases.models import (
    Assessment,
    Case,
    CaseEvent,
    CaseNumberSequence,
    CounsellingSession,
    FollowUpVisit,
    Household,
    HouseholdMember,
    IdentityDocument,
    PlanItem,
    PlanItemProgress,
    ReintegrationPlan,
    Returnee,
)
from reintegra.validation import FieldErrors, add_phone, field_error


@contextmanager
def _write(user: User) -> Iterator[None]:
    """One atomic write, attributed to the user in the change log. Who may write is checked before, on the
    first line of each service (`cases.permissions`)."""
    with transaction.atomic(), set_actor(user):
        yield


def _event(case: Case, kind: str, user: User, *, note: str = "", **data: Any) -> CaseEvent:
    """A timeline line: codes, dates and counts in `data`; free text only in the encrypted `note`."""
    return CaseEvent.objects.create(case=case, kind=kind, actor=user, data=data, note=note)


@cache
def _facts_sql() -> str:
    """The lifecycle facts' statement, written once: it depends on the models only."""

    def column(model: type[models.Model], name: str) -> str:
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field) and field.column
        return connection.ops.quote_name(field.column)

    def table(model: type[models.Model]) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    # Table and column names of the models, quoted; the case id is a parameter.
    assessment, plan, visit = table(Assessment), table(ReintegrationPlan), table(FollowUpVisit)
    case_id, plan_case, agreed_on = (
        column(Assessment, "case"),
        column(ReintegrationPlan, "case"),
        column(ReintegrationPlan, "agreed_on"),
    )
    visit_case = column(FollowUpVisit, "case")
    return " ".join(
        [
            f"SELECT EXISTS (SELECT 1 FROM {assessment} WHERE {case_id} = %s),",  # noqa: S608
            f"EXISTS (SELECT 1 FROM {plan} WHERE {plan_case} = %s AND {agreed_on} IS NOT NULL),",  # noqa: S608
            f"EXISTS (SELECT 1 FROM {visit} WHERE {visit_case} = %s)",  # noqa: S608
        ]
    )


def facts(case: Case) -> lifecycle.CaseFacts:
    """What the lifecycle rules ask of a case: whether it has an assessment, an agreed plan (its one plan, agreed
    on a date) and a follow-up visit. One statement of three EXISTS, written once (the ORM's three statements
    cost more than their SQL: this runs on every case page and in every step's service)."""
    with connections[router.db_for_read(Case)].cursor() as cursor:
        cursor.execute(_facts_sql(), [case.pk, case.pk, case.pk])
        row = cursor.fetchone()
    has_assessment, plan_agreed, has_follow_up = (bool(value) for value in row)
    return lifecycle.CaseFacts(
        status=case.status, has_assessment=has_assessment, plan_agreed=plan_agreed, has_follow_up=has_follow_up
    )


def _advance_status(case: Case, user: User) -> None:
    new = lifecycle.advance(case.status, facts(case))
    if new != case.status:
        old, case.status = case.status, new
        case.save(update_fields=["status", "updated_at"])
        _event(case, CaseEventKind.STATUS_CHANGED, user, old=old, new=new)


def _check_codes(values: Iterable[str], allowed: type[models.Choices], field_name: str) -> list[str]:
    values = list(dict.fromkeys(values))
    bad = [v for v in values if v not in allowed.values]
    if bad:
        raise field_error(field_name, _("Unknown value(s): %(values)s") % {"values": ", ".join(bad)}, "invalid_choice")
    return values


# --- Returnees -----------------------------------------------------------------------------------


@dataclass
class DocumentInput:
    document_type: str
    number: str
    issuing_country: str


@dataclass
class ReturneeInput:
    given_names: str
    first_family_name: str
    nationality: str
    return_country: str
    second_family_name: str = ""
    sex: str = "unknown"
    gender_identity: str = ""
    birth_date: date | None = None
    estimated_age: int | None = None
    phone: str = ""
    languages: str = ""
    admin1_id: int | None = None
    municipality_id: int | None = None
    locality: str = ""
    address: str = ""
    attention_flags: list[str] = field(default_factory=list)
    documents: list[DocumentInput] = field(default_factory=list)


_RETURNEE_FIELDS = [
    "given_names",
    "first_family_name",
    "second_family_name",
    "sex",
    "gender_identity",
    "birth_date",
    "nationality",
    "phone",
    "languages",
    "return_country",
    "admin1_id",
    "municipality_id",
    "locality",
    "address",
]


# Typed names are stored as cleaned by matching.clean_name (NFKC, no invisible characters, single spaces):
# a zero-width space must not hide a person from search or from the duplicate check.
_NAME_FIELDS = ("given_names", "first_family_name", "second_family_name")


def _apply_returnee(returnee: Returnee, data: ReturneeInput) -> None:
    """Set the person's fields from `data`, or raise every field error at once (web form and API alike)."""
    errors = FieldErrors()
    for name in _RETURNEE_FIELDS:
        value = getattr(data, name)
        if name in _NAME_FIELDS:
            value = matching.clean_name(value)
        setattr(returnee, name, value.strip() if isinstance(value, str) else value)
    with errors.capture():
        returnee.attention_flags = _check_codes(data.attention_flags, AttentionFlag, "attention_flags")
    _apply_age(returnee, data, errors)
    # Stored as E.164 (+<country code><number>): a local number is read in the country of return.
    returnee.phone = add_phone(errors, "phone", data.phone, data.return_country or _organisation_country(returnee))
    for name in ("given_names", "first_family_name"):
        if not getattr(returnee, name):
            errors.add(name, _("Given names and first family name are required."), "required")
    with errors.capture():
        _check_areas(returnee)
    errors.raise_if_any()


def returnee_problems(user: User, data: ReturneeInput) -> ValidationError | None:
    """What registering or updating a person with `data` would be refused for, without writing anything:
    a page whose other parts did not parse yet shows these rule errors with its own."""
    try:
        # 0: no organisation, hence no country to read a local phone number in (as for a missing one).
        _apply_returnee(Returnee(organisation_id=user.organisation_id or 0), data)
    except ValidationError as error:
        return error
    return None


def _apply_age(returnee: Returnee, data: ReturneeInput, errors: FieldErrors) -> None:
    """The birth date, or when it is not known the age the person gives (kept as an estimated birth year)."""
    if data.birth_date:
        if data.birth_date > timezone.localdate():
            errors.add("birth_date", _("The birth date cannot be in the future."), "in_future")
        returnee.estimated_birth_year = None
    elif data.estimated_age is None:
        errors.add("birth_date", _("Enter the birth date or, if it is not known, an estimated age."), "required")
    elif not 0 <= data.estimated_age <= 120:
        errors.add("estimated_age", _("Enter an age between 0 and 120."), "out_of_range")
    else:
        returnee.estimated_birth_year = timezone.localdate().year - data.estimated_age


def _organisation_country(returnee: Returnee) -> str:
    organisation = Organisation.objects.filter(pk=returnee.organisation_id).only("country").first()
    return str(organisation.country) if organisation else ""


def _check_areas(returnee: Returnee) -> None:
    from reintegra.places.choices import AdminLevel
    from reintegra.places.models import AdminArea

    if returnee.municipality_id:
        muni = AdminArea.objects.filter(pk=returnee.municipality_id).first()
        if muni is None or muni.level != AdminLevel.SECOND:
            raise field_error("municipality", _("Choose a municipality from the list."), "invalid_choice")
        if str(muni.country) != str(returnee.return_country):
            # The form offers the country's municipalities only: another's is not one of its choices either.
            raise field_error("municipality", _("This municipality is not in the country of return."), "invalid_choice")
        returnee.admin1_id = muni.parent_id


def _document_taken() -> ValidationError:
    return ValidationError(
        {
            "documents": ValidationError(
                _("This identity document is already registered for another person in your organisation."),
                code="duplicate_document",
            )
        }
    )


def _sync_documents(returnee: Returnee, documents: list[DocumentInput]) -> None:
    returnee.documents.all().delete()
    seen: set[str] = set()
    for doc in documents:
        number = doc.number.strip()
        if not number:
            continue
        index = crypto.document_index(number)
        if index in seen:
            continue
        seen.add(index)
        try:
            # A savepoint: the unique constraint (one holder per document and register) may refuse the row
            # when another registration of the same document committed first.
            with transaction.atomic():
                IdentityDocument.objects.create(
                    returnee=returnee,
                    organisation_id=returnee.organisation_id,
                    document_type=doc.document_type,
                    number=number,
                    number_index=index,
                    issuing_country=doc.issuing_country,
                )
        except IntegrityError:
            raise _document_taken() from None


def _index_identity(returnee: Returnee) -> name_index.IdentityIndex:
    """Derived columns set before saving (birth year, birth-date hash, the encrypted match record)."""
    return name_index.apply(returnee)


# Registrations of one organisation take turns (PostgreSQL advisory lock, held to the end of the
# transaction): the duplicate check of the second sees the first, even when both are sent at once.
# SQLite gets the same from its write lock (transaction_mode IMMEDIATE in settings).
_REGISTRATION_LOCK = 0x52454749  # "REGI"


def _take_registration_turn(organisation_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_REGISTRATION_LOCK, organisation_id])


def _duplicate_query(returnee: Returnee, data: ReturneeInput) -> duplicates.DuplicateQuery:
    return duplicates.DuplicateQuery(
        given_names=returnee.given_names,
        first_family_name=returnee.first_family_name,
        second_family_name=returnee.second_family_name,
        birth_date=returnee.birth_date,
        estimated_age=None if returnee.birth_date else data.estimated_age,
        document_numbers=tuple(d.number for d in data.documents),
    )


def register_returnee(
    user: User,
    data: ReturneeInput,
    *,
    confirmation: duplicates.DistinctPersonConfirmation | None = None,
    channel: str = "web",
) -> Returnee:
    """Register a person. A likely earlier registration of them (cases.duplicates) stops it with
    PossibleDuplicate unless `confirmation` says it is a different person; web form and API alike."""
    permissions.require(user, Capability.EDIT_CASES)
    organisation_id = permissions.own_organisation_id(user)
    with _write(user):
        returnee = Returnee(organisation_id=organisation_id, registered_by=user)
        _apply_returnee(returnee, data)
        returnee.full_clean(exclude=["organisation", "registered_by", "admin1", "municipality"])
        _take_registration_turn(organisation_id)
        duplicates.require_confirmation(user, _duplicate_query(returnee, data), confirmation, channel=channel)
        index = _index_identity(returnee)
        try:
            with transaction.atomic():
                returnee.save()
                name_index.store(returnee, index)
                _sync_documents(returnee, data.documents)
        except ValidationError:
            if confirmation is None or confirmation.seen is None:
                raise
            # Confirmed as a different person, yet holding a document someone holds (registered
            # meanwhile?): the candidates the user has not seen come first.
            result = duplicates.find(user, _duplicate_query(returnee, data))
            if result.needs_confirmation and not result.strong_ids <= confirmation.seen:
                raise duplicates.PossibleDuplicate(result) from None
            raise
        return returnee


def update_returnee(
    user: User, returnee: Returnee, data: ReturneeInput, *, documents: bool = True, expected_version: int | None = None
) -> Returnee:
    """`documents=False` keeps the stored documents (for users who may not see them, and partial updates).

    `expected_version`: the version the user read (`access.versioning`); a stale one raises StaleVersion."""
    case_permissions.require_returnee_write(user, returnee)
    with _write(user):
        versioning.lock(returnee, expected_version)
        _apply_returnee(returnee, data)
        returnee.full_clean(exclude=["organisation", "registered_by", "admin1", "municipality"])
        index = _index_identity(returnee)
        returnee.save()
        name_index.store(returnee, index)
        if documents and scoping.can_see(user, "identity_document"):
            _sync_documents(returnee, data.documents)
        for case in returnee.cases.all():
            _event(case, CaseEventKind.UPDATED, user, what="returnee")
        return returnee


# --- Households ----------------------------------------------------------------------------------


@dataclass
class MemberInput:
    given_names: str
    relationship: str
    family_names: str = ""
    sex: str = "unknown"
    birth_date: date | None = None
    estimated_age: int | None = None
    is_minor: bool | None = None
    returned_too: bool = False


def _member_is_minor(data: MemberInput) -> bool:
    if data.birth_date:
        today = timezone.localdate()
        age = (
            today.year
            - data.birth_date.year
            - int((today.month, today.day) < (data.birth_date.month, data.birth_date.day))
        )
        return age < 18
    if data.estimated_age is not None:
        return data.estimated_age < 18
    return bool(data.is_minor)


def _check_members(members: list[MemberInput]) -> None:
    """Every member's errors at once, named by the member's position ("members.2.birth_date")."""
    errors = FieldErrors()
    today = timezone.localdate()
    for index, (m, member) in enumerate(zip(members, _members(Household(), members), strict=True)):
        row = f"members.{index}."
        if m.birth_date and m.birth_date > today:
            errors.add(f"{row}birth_date", _("The birth date cannot be in the future."), "in_future")
        if not member.given_names:
            errors.add(f"{row}given_names", _("Give the given names of every household member."), "required")
        with errors.capture(prefix=row):
            member.full_clean(exclude=["household", *(f for f in ("birth_date", "given_names") if row + f in errors)])
    errors.raise_if_any()


def _members(household: Household, members: list[MemberInput]) -> list[HouseholdMember]:
    return [
        HouseholdMember(
            household=household,
            given_names=matching.clean_name(m.given_names),
            family_names=matching.clean_name(m.family_names),
            relationship=m.relationship,
            sex=m.sex,
            birth_date=m.birth_date,
            estimated_age=m.estimated_age,
            is_minor=_member_is_minor(m),
            returned_too=m.returned_too,
        )
        for m in members
    ]


def _lock_case(case: Case) -> Case:
    """Lock the case row (serialises the first creation of its plan or household) and reload it."""
    return versioning.lock(case, None)


def set_household(
    user: User, case: Case, members: list[MemberInput], notes: str = "", *, expected_version: int | None = None
) -> Household:
    """Replace the household composition of a case. `expected_version`: the household's version the user
    read, 0 when the case had none yet; a stale one raises StaleVersion."""
    case_permissions.require_case_write(user, case)
    with _write(user):
        _lock_case(case)
        lifecycle.ensure_open(facts(case))
        _check_members(members)
        current = (
            Household.objects.select_for_update().filter(pk=case.household_id).first() if case.household_id else None
        )
        versioning.check(current, expected_version)
        household = current or Household(organisation_id=case.organisation_id)
        household.notes = notes
        household.save()
        household.members.all().delete()
        for member in _members(household, members):
            member.save()  # one by one: the change log records each member
        if case.household_id != household.pk:
            case.household = household
            case.save(update_fields=["household", "updated_at"])
        _event(case, CaseEventKind.UPDATED, user, what="household", members=len(members))
        return household


# --- Cases ---------------------------------------------------------------------------------------


@dataclass
class ReturnInput:
    return_date: date
    return_type: str
    host_country: str = ""
    transit_countries: list[str] = field(default_factory=list)
    reception_place: str = ""
    reception_assistance: list[str] = field(default_factory=list)
    causes_of_migration: list[str] = field(default_factory=list)
    causes_note: str = ""


def _apply_return(case: Case, data: ReturnInput) -> None:
    """Set the return information from `data`, or raise every field error at once (web form and API alike)."""
    errors = FieldErrors()
    if data.return_date > timezone.localdate():
        errors.add("return_date", _("The return date cannot be in the future."), "in_future")
    case.return_date = data.return_date
    case.return_type = data.return_type
    case.host_country = data.host_country
    case.transit_countries = list(dict.fromkeys(c.upper() for c in data.transit_countries if c))
    with errors.capture():
        case.reception_place = _text(Case, "reception_place", data.reception_place)
    with errors.capture():
        case.reception_assistance = _check_codes(data.reception_assistance, ReceptionAssistance, "reception_assistance")
    with errors.capture():
        case.causes_of_migration = _check_codes(data.causes_of_migration, MigrationCause, "causes_of_migration")
    if not data.causes_of_migration:
        errors.add("causes_of_migration", _("Record at least one cause of migration."), "required")
    with errors.capture():
        case.causes_note = _text(Case, "causes_note", data.causes_note)
    if MigrationCause.OTHER in data.causes_of_migration and not (data.causes_note or "").strip():
        errors.add("causes_note", _("Describe the other cause of migration."), "required")
    errors.raise_if_any()


def return_problems(data: ReturnInput) -> ValidationError | None:
    """What opening a case or changing its return information with `data` would be refused for, without
    writing anything (see `returnee_problems`)."""
    try:
        _apply_return(Case(), data)
    except ValidationError as error:
        return error
    return None


def next_case_number(organisation: Any, year: int) -> str:
    seq, _created = CaseNumberSequence.objects.select_for_update().get_or_create(organisation=organisation, year=year)
    seq.last_value += 1
    seq.save(update_fields=["last_value"])
    return f"{organisation.code.upper()}-{year}-{seq.last_value:05d}"


def _check_case_manager(user: User, case_manager: User | None) -> None:
    if case_manager is None:
        return
    if (
        case_manager.organisation_id != user.organisation_id
        or not case_manager.is_active
        or not case_manager.has_capability(Capability.VIEW_ASSIGNED_CASES)
    ):
        raise field_error("case_manager", _("Choose a case manager of your organisation."), "invalid_choice")
    if case_manager.pk != user.pk and not user.has_capability(Capability.ASSIGN_CASES):
        raise field_error("case_manager", _("Only a supervisor can assign a case to someone else."), "not_supervisor")


def open_case(user: User, returnee: Returnee, data: ReturnInput, *, case_manager: User | None = None) -> Case:
    case_permissions.require_returnee_write(user, returnee)
    with _write(user):
        if returnee.cases.exclude(status=CaseStatus.CLOSED).exists():
            raise field_error(
                "returnee",
                _("This person already has an open case. Reopen or continue that case instead."),
                "open_case",
            )
        case_manager = case_manager or user
        _check_case_manager(user, case_manager)
        case = Case(
            returnee=returnee,
            organisation_id=permissions.own_organisation_id(user),
            programme=Programme.default_for(user.organisation_id),
            case_manager=case_manager,
        )
        case.team_id = case_manager.team_id
        _apply_return(case, data)
        case.case_number = next_case_number(user.organisation, timezone.localdate().year)
        case.save()
        _event(case, CaseEventKind.REGISTERED, user, return_type=case.return_type)
        return case


def update_return_information(
    user: User, case: Case, data: ReturnInput, *, expected_version: int | None = None
) -> Case:
    case_permissions.require_case_write(user, case)
    with _write(user):
        versioning.lock(case, expected_version)
        lifecycle.ensure_open(facts(case))
        _apply_return(case, data)
        case.save()
        _event(case, CaseEventKind.UPDATED, user, what="return")
        return case


def assign_case(user: User, case: Case, case_manager: User, *, expected_version: int | None = None) -> Case:
    case_permissions.require_case_write(user, case, Capability.ASSIGN_CASES)
    with _write(user):
        versioning.lock(case, expected_version)
        _check_case_manager(user, case_manager)
        case.case_manager = case_manager
        case.team = case_manager.team if isinstance(case_manager.team, Team) else None
        case.save(update_fields=["case_manager", "team", "updated_at"])
        _event(case, CaseEventKind.ASSIGNED, user, case_manager=case_manager.display_name())
        return case


# --- Assessments and counselling -----------------------------------------------------------------

ASSESSMENT_FIELDS = [
    "kind",
    "assessed_on",
    "needs_vulnerabilities",
    "capacities_skills",
    "risk_factors",
    "protective_factors",
    "family_situation",
    "economic_need",
    "economic_needs",
    "social_need",
    "social_needs",
    "psychosocial_need",
    "psychosocial_needs",
    "protection_concerns",
    "health_notes",
    "mental_health_notes",
    "gbv_notes",
]


def _text(model: type[Any], name: str, value: str | None, *, error_field: str | None = None) -> str:
    """`value` stripped, checked against the field's length limit. Encrypted columns have no length of their
    own (a token is longer than its text): the limit of the clear text is enforced here."""
    text = (value or "").strip()
    try:
        model._meta.get_field(name).run_validators(text)
    except ValidationError as exc:
        raise ValidationError({error_field or name: exc.error_list}) from None
    return text


def _not_in_future(value: date | None, field_name: str) -> None:
    if value and value > timezone.localdate():
        raise field_error(field_name, _("This date cannot be in the future."), "in_future")


def _not_before_return(case: Case, value: date | None, field_name: str) -> None:
    if value and value < case.opened_on and value < case.return_date:
        raise field_error(field_name, _("This date is before the return and the opening of the case."), "before_return")


def record_assessment(user: User, case: Case, values: dict[str, Any]) -> Assessment:
    case_permissions.require_case_write(user, case)
    with _write(user):
        lifecycle.ensure_open(facts(case))
        _not_in_future(values.get("assessed_on"), "assessed_on")
        _not_before_return(case, values.get("assessed_on"), "assessed_on")
        assessment = Assessment(case=case, assessed_by=user)
        for name in ASSESSMENT_FIELDS:
            if name in values:
                setattr(assessment, name, values[name])
        assessment.full_clean(exclude=["case", "assessed_by"])
        assessment.save()
        _event(case, CaseEventKind.ASSESSMENT, user, assessment=assessment.pk, assessment_kind=assessment.kind)
        _advance_status(case, user)
        return assessment


def update_assessment(
    user: User, assessment: Assessment, values: dict[str, Any], *, expected_version: int | None = None
) -> Assessment:
    """Correct an assessment; only the fields given change (a sensitive field left out stays as it is)."""
    case = assessment.case
    case_permissions.require_case_write(user, case)
    with _write(user):
        versioning.lock(assessment, expected_version)
        lifecycle.ensure_open(facts(case))
        _not_in_future(values.get("assessed_on"), "assessed_on")
        _not_before_return(case, values.get("assessed_on"), "assessed_on")
        for name in ASSESSMENT_FIELDS:
            if name in values:
                setattr(assessment, name, values[name])
        assessment.full_clean(exclude=["case", "assessed_by"])
        assessment.save()
        _event(case, CaseEventKind.UPDATED, user, what="assessment", assessment=assessment.pk)
        return assessment


COUNSELLING_FIELDS = ["held_on", "mode", "duration_minutes", "topics", "notes"]


def record_counselling_session(user: User, case: Case, values: dict[str, Any]) -> CounsellingSession:
    case_permissions.require_case_write(user, case)
    with _write(user):
        lifecycle.ensure_open(facts(case))
        _not_in_future(values.get("held_on"), "held_on")
        session = CounsellingSession(case=case, counsellor=user)
        for name in COUNSELLING_FIELDS:
            if name in values:
                setattr(session, name, values[name])
        session.full_clean(exclude=["case", "counsellor"])
        session.save()
        _event(case, CaseEventKind.COUNSELLING, user, session=session.pk, mode=session.mode)
        return session


# --- Reintegration plan --------------------------------------------------------------------------


@dataclass
class PlanItemInput:
    dimension: str
    approach: str
    assistance_form: str
    description: str = ""
    amount: Decimal | None = None
    currency: str = ""
    responsible: str = ""
    due_date: date | None = None
    status: str = "planned"
    id: int | None = None


def _build_item(
    plan: ReintegrationPlan,
    data: PlanItemInput,
    existing: dict[int, PlanItem],
    row: str,
    errors: FieldErrors,
    currency: str = "",
) -> PlanItem:
    """The item `data` describes (a new one, or the plan's item `data.id`); its errors go under `row`."""
    item = PlanItem(plan=plan)
    if data.id is not None:
        if data.id not in existing:
            errors.add(
                f"{row}id", _("Plan item %(id)s does not belong to this plan.") % {"id": data.id}, "invalid_choice"
            )
        item = existing.get(data.id, item)
    item.dimension = data.dimension
    item.approach = data.approach.strip()
    item.assistance_form = data.assistance_form
    item.description = data.description.strip()
    item.amount = data.amount
    # An amount without a currency is in the case's country's (`currency`), when the platform knows it.
    item.currency = data.currency.strip().upper() or (currency if item.amount is not None else "")
    item.responsible = data.responsible.strip()
    item.due_date = data.due_date
    item.status = data.status
    if item.amount is not None and not item.currency:
        errors.add(f"{row}currency", _("Give the currency of the amount (e.g. MXN, GTQ, HNL, USD)."), "required")
    elif item.currency and (len(item.currency) != 3 or not item.currency.isalpha()):
        errors.add(f"{row}currency", _("Use a three-letter currency code (e.g. MXN, GTQ, HNL, USD)."), "invalid")
    with errors.capture(prefix=row):
        item.full_clean(exclude=["plan", *(name for name in ("currency",) if f"{row}currency" in errors)])
    return item


def _build_items(plan: ReintegrationPlan, items: list[PlanItemInput]) -> list[PlanItem]:
    """Every item of the plan, or every item's errors at once, named by position ("items.1.currency")."""
    errors = FieldErrors()
    existing = {i.pk: i for i in plan.items.all()}
    currency = selectors.default_currency(plan.case)
    built = [_build_item(plan, data, existing, f"items.{index}.", errors, currency) for index, data in enumerate(items)]
    seen: set[int] = set()
    for index, data in enumerate(items):
        if data.id is not None and data.id in seen:
            errors.add(f"items.{index}.id", _("The same plan item appears twice."), "duplicate")
        seen.add(data.id or 0)
    errors.raise_if_any()
    return built


def _locked_plan(case: Case, expected_version: int | None) -> ReintegrationPlan | None:
    """The case's plan, locked, after checking the version the user read (0: there was no plan yet)."""
    _lock_case(case)
    plan = ReintegrationPlan.objects.select_for_update().filter(case=case).first()
    versioning.check(plan, expected_version)
    return plan


def save_plan(
    user: User,
    case: Case,
    *,
    goals: str,
    motivations: str,
    items: list[PlanItemInput] | None = None,
    expected_version: int | None = None,
) -> ReintegrationPlan:
    """Create or revise the plan. `items` replaces the item list when given (items keep their id).

    The items are part of the plan: `expected_version` is the plan's version the user read (0 when there
    was no plan yet); a stale one raises StaleVersion instead of replacing someone else's items."""
    case_permissions.require_case_write(user, case)
    with _write(user):
        plan = _locked_plan(case, expected_version)
        lifecycle.ensure_can_draft_plan(facts(case))
        created = plan is None
        plan = plan or ReintegrationPlan(case=case)
        plan.goals = goals.strip()
        plan.motivations = motivations.strip()
        plan.save()
        if items is not None:
            built = _build_items(plan, items)
            keep = {i.pk for i in built if i.pk}
            plan.items.exclude(pk__in=keep).delete()
            for item in built:
                item.save()
        if plan.agreed_on and not plan.items.exists():
            raise field_error("items", _("An agreed plan needs at least one item."), "required")
        _event(case, CaseEventKind.PLAN_DRAFTED if created else CaseEventKind.PLAN_UPDATED, user)
        return plan


def agree_plan(
    user: User, case: Case, *, agreed_on: date, late_reason: str = "", expected_version: int | None = None
) -> ReintegrationPlan:
    """Record the agreement; with `expected_version`, only on the plan as the user read it."""
    from reintegra.cases.selectors import plan_is_late

    case_permissions.require_case_write(user, case)
    with _write(user):
        plan = _locked_plan(case, expected_version)
        lifecycle.ensure_open(facts(case))
        if plan is None:
            raise TransitionError(_("Draft the reintegration plan before agreeing it."), "plan_required")
        extensions.check_step(extensions.PLAN_AGREEMENT, case)
        if not plan.items.exists():
            raise field_error("items", _("Add at least one plan item before agreeing the plan."), "required")
        late_reason = _agreement_errors(case, agreed_on, late_reason)
        plan.agreed_on = agreed_on
        plan.agreed_late_reason = late_reason
        plan.save()
        _event(
            case, CaseEventKind.PLAN_AGREED, user, agreed_on=agreed_on.isoformat(), late=plan_is_late(case, agreed_on)
        )
        _advance_status(case, user)
        return plan


def _agreement_errors(case: Case, agreed_on: date, late_reason: str) -> str:
    """The reason to store, or every error of the agreement's date and reason at once."""
    from reintegra.cases.selectors import plan_is_late

    errors = FieldErrors()
    if agreed_on > timezone.localdate():
        errors.add("agreed_on", _("This date cannot be in the future."), "in_future")
    elif agreed_on < case.return_date:
        errors.add("agreed_on", _("The plan cannot be agreed before the return date."), "before_return")
    with errors.capture():
        late_reason = _text(ReintegrationPlan, "agreed_late_reason", late_reason, error_field="late_reason")
    if not late_reason and "agreed_on" not in errors and plan_is_late(case, agreed_on):
        errors.add(
            "late_reason",
            _("The plan is agreed more than one month after the return: say why (e.g. vulnerability, access)."),
            "required",
        )
    errors.raise_if_any()
    return late_reason


# --- Follow-up -----------------------------------------------------------------------------------


@dataclass
class ProgressInput:
    item_id: int
    status: str
    note: str = ""


FOLLOW_UP_FIELDS = ["visited_on", "mode", "notes", "significant_changes", "next_visit_on"]


def _check_visit(visit: FollowUpVisit) -> None:
    errors = FieldErrors()
    if visit.visited_on and visit.visited_on > timezone.localdate():
        errors.add("visited_on", _("This date cannot be in the future."), "in_future")
    if visit.next_visit_on and visit.visited_on and visit.next_visit_on <= visit.visited_on:
        errors.add("next_visit_on", _("The next visit must be after this visit."), "not_after_visit")
    with errors.capture():
        visit.full_clean(exclude=["case", "conducted_by", *(name for name in FOLLOW_UP_FIELDS if name in errors)])
    errors.raise_if_any()


def record_follow_up(
    user: User, case: Case, values: dict[str, Any], progress: list[ProgressInput] | None = None
) -> FollowUpVisit:
    case_permissions.require_case_write(user, case)
    with _write(user):
        lifecycle.ensure_can_follow_up(facts(case))
        visit = FollowUpVisit(case=case, conducted_by=user)
        for name in FOLLOW_UP_FIELDS:
            if name in values:
                setattr(visit, name, values[name])
        _check_visit(visit)
        visit.save()
        # The plan is locked before its items are read: a revision of the plan waits, or is waited for.
        plan = ReintegrationPlan.objects.select_for_update().filter(case=case).first() if progress else None
        items = {i.pk: i for i in PlanItem.objects.filter(plan__case=case)}
        changed = False
        for entry in progress or []:
            item = items.get(entry.item_id)
            if item is None:
                raise field_error(
                    "progress",
                    _("Plan item %(id)s does not belong to this case.") % {"id": entry.item_id},
                    "invalid_choice",
                )
            note = _text(PlanItemProgress, "note", entry.note, error_field="progress")
            PlanItemProgress.objects.create(visit=visit, item=item, status=entry.status, note=note)
            if item.status != entry.status:
                item.status = entry.status
                item.save(update_fields=["status"])
                changed = True
        if changed and plan is not None:
            # Item statuses are part of the plan: someone editing it from an older read gets a conflict.
            plan.save(update_fields=["updated_at"])
        _event(case, CaseEventKind.FOLLOW_UP, user, visit=visit.pk, mode=visit.mode)
        _advance_status(case, user)
        return visit


# --- Closure -------------------------------------------------------------------------------------


def _settle_decisions(matters: list[extensions.OpenMatter], decisions: Mapping[str, str] | None) -> dict[str, str]:
    """The user's decision on each open matter, every one among its choices; else the errors, one per matter
    (`open_matters.<key>`), so the form shows each beside its question and the API names each key."""
    decisions = decisions or {}
    errors = FieldErrors()
    for matter in matters:
        choice = decisions.get(matter.key)
        if choice in (None, ""):
            errors.add(
                f"open_matters.{matter.key}",
                _("Still open: %(matter)s Say what happens to it when the case closes.") % {"matter": matter.label},
                "open_matter_undecided",
            )
        elif choice not in {code for code, _words in matter.choices}:
            errors.add(
                f"open_matters.{matter.key}",
                _("Choose what happens to it from the list: %(matter)s") % {"matter": matter.label},
                "invalid_choice",
            )
    errors.raise_if_any()
    return {matter.key: decisions[matter.key] for matter in matters}


def _settle_plan_items(decisions: list[tuple[extensions.OpenMatter, str]]) -> None:
    for matter, choice in decisions:
        item = matter.record
        if item.status != choice:
            item.status = choice
            item.save(update_fields=["status"])


def close_case(
    user: User,
    case: Case,
    *,
    reason: str,
    note: str = "",
    closed_on: date | None = None,
    open_matters: Mapping[str, str] | None = None,
) -> Case:
    """Close the case. What is still open on it (`selectors.open_matters`: plan items, referrals, a missing
    final survey round) must each get a decision among its choices, {key: choice}; they are settled with the
    closure, in its transaction (a referral withdrawn tells its provider)."""
    case_permissions.require_case_write(user, case)
    with _write(user):
        _lock_case(case)  # two closures at once: the second sees the first and is refused by the lifecycle
        lifecycle.ensure_can_close(facts(case), reason)
        extensions.check_step(extensions.CLOSURE, case)
        if reason not in ClosureReason.values:
            raise field_error("reason", _("Choose a closure reason from the list."), "invalid_choice")
        closed_on = closed_on or timezone.localdate()
        _not_in_future(closed_on, "closed_on")
        if closed_on < case.opened_on and closed_on < case.return_date:
            raise field_error("closed_on", _("A case cannot be closed before it was opened."), "before_return")
        # Each app's matters are read once, here, and settled from those rows.
        plan_items = selectors.open_plan_items(case)
        registered = [(each, each.open(case)) for each in extensions.closure_matters()]
        matters = plan_items + [matter for _each, theirs in registered for matter in theirs]
        decided = _settle_decisions(matters, open_matters)
        _settle_plan_items([(matter, decided[matter.key]) for matter in plan_items])
        for each, theirs in registered:
            if each.settle is not None and theirs:
                each.settle(user, case, [(matter, decided[matter.key]) for matter in theirs])
        old = case.status
        case.status = CaseStatus.CLOSED
        case.closure_reason = reason
        case.closure_category = CLOSURE_CATEGORY[ClosureReason(reason)]
        case.closed_on = closed_on
        case.closure_note = note.strip()
        case.save()
        settled = [{"kind": m.kind, "choice": decided[m.key]} for m in matters]
        _event(
            case, CaseEventKind.CLOSED, user, old=old, reason=reason, category=case.closure_category, settled=settled
        )
        return case


def reopen_case(user: User, case: Case, *, reason: str) -> Case:
    case_permissions.require_case_write(user, case)
    with _write(user):
        _lock_case(case)
        lifecycle.ensure_can_reopen(facts(case), reason)
        previous_reason = case.closure_reason
        case.closure_reason = ""
        case.closure_category = ""
        case.closed_on = None
        case.status = CaseStatus.REGISTERED
        case.status = lifecycle.status_from_facts(facts(case))
        case.save()
        _event(
            case,
            CaseEventKind.REOPENED,
            user,
            new=case.status,
            previous_reason=previous_reason,
            note=reason.strip()[:300],
        )
        return case
