"""Every write of reception: reception points, arrivals, and the intake of each person at the desk.

The intake is the one rule path of the desk form, the API and the manifest import (`reception.manifest_*`),
in three steps a caller may use one by one:

1. `prepare_intake(user, arrival, data)`: check the ≤12 fields and build what registering the person needs,
   writing nothing (raises one ValidationError keyed by field, with codes). An import calls it on every row
   first to report every bad row before writing any.
2. `match_returnee(user, prepared)`: the duplicate check of `cases.duplicates` (the one matcher of the
   platform): the earlier registration of the person when it is a confident match, else None; raises
   `cases.duplicates.PossibleDuplicate` when a likely match needs a person to decide (the desk shows the
   candidates, an import sends the row to its review screen).
3. `record_intake(user, arrival, data)`: both, then the intake: the person linked (a repeat return) or
   registered, the assistance checklist, and the protection routing (`route_intake`):
   - an unaccompanied child gets a child case with its best-interests assessment started at high priority
     (its deadline, hence the children app's reminder);
   - a health emergency or a risk of violence gets a case, and an urgent draft referral to the best fitting
     service the organisation has an SOP with (`referrals.selectors.recommendations`), for the case
     manager to review and send.

The person's details live on the returnee of `cases` (encrypted there); nothing personal is copied here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from auditlog.context import set_actor
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from reintegra.access import permissions, versioning
from reintegra.access.models import Programme
from reintegra.cases import duplicates
from reintegra.cases import services as case_services
from reintegra.cases.choices import AttentionFlag, CaseStatus, DocumentType, MigrationCause, Sex
from reintegra.cases.models import Case, Returnee
from reintegra.cases.permissions import access_returnee_by_id
from reintegra.reception import permissions as reception_permissions
from reintegra.reception.choices import (
    ArrivalMeans,
    ArrivalSource,
    AssistanceKind,
    PointKind,
    ProtectionFlag,
    ReturnType,
)
from reintegra.reception.models import Arrival, AssistanceGiven, Intake, ReceptionPoint
from reintegra.validation import FieldErrors, field_error

if TYPE_CHECKING:
    from reintegra.access.models import User

ADULT_AGE = 18
# A visible candidate at or above this score is the same person without asking (a shared identity document
# scores at least 0.95 by construction, cases.matching.score_pair).
CONFIDENT = 0.95
URGENT_FLAGS = frozenset({ProtectionFlag.HEALTH_EMERGENCY, ProtectionFlag.RISK_OF_VIOLENCE})


@contextmanager
def _write(user: User) -> Iterator[None]:
    with transaction.atomic(), set_actor(user):
        yield


def _choice(errors: FieldErrors, name: str, value: str, allowed: Any, *, blank: bool = False) -> str:
    if (blank and value == "") or value in allowed.values:
        return value
    if value == "":
        errors.add(name, _("This field is required."), "required")
    else:
        errors.add(name, _("Choose a value from the list."), "invalid_choice")
    return value


def _codes(errors: FieldErrors, name: str, values: list[str], allowed: Any) -> list[str]:
    values = list(dict.fromkeys(values))
    if any(v not in allowed.values for v in values):
        errors.add(name, _("Choose values from the list."), "invalid_choice")
    return values


def _country(errors: FieldErrors, name: str, value: str, *, blank: bool = False) -> str:
    value = (value or "").strip().upper()
    if blank and not value:
        return ""
    if not value:
        errors.add(name, _("This field is required."), "required")
    elif value not in countries:
        errors.add(name, _("Choose a country from the list."), "invalid_choice")
    return value


# --- Reception points ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PointInput:
    code: str
    name: str
    country: str
    kind: str
    receiving_institution: str = ""
    municipality_id: int | None = None
    active: bool = True


def _point_errors(user: User, data: PointInput, point: ReceptionPoint | None) -> FieldErrors:
    errors = FieldErrors()
    from django.utils.text import slugify

    if not data.code.strip():
        errors.add("code", _("This field is required."), "required")
    elif slugify(data.code) != data.code.strip() or len(data.code.strip()) > 40:
        errors.add("code", _("Use lower-case letters, digits and hyphens (at most 40)."), "invalid")
    else:
        taken = ReceptionPoint.objects.filter(organisation_id=user.organisation_id or 0, code=data.code.strip())
        if point is not None:
            taken = taken.exclude(pk=point.pk)
        if taken.exists():
            errors.add("code", _("Another reception point of your organisation has this code."), "duplicate")
    if not data.name.strip():
        errors.add("name", _("This field is required."), "required")
    elif len(data.name.strip()) > 160:
        errors.add("name", _("At most %(n)d characters.") % {"n": 160}, "max_length")
    if len(data.receiving_institution.strip()) > 200:
        errors.add("receiving_institution", _("At most %(n)d characters.") % {"n": 200}, "max_length")
    country = _country(errors, "country", data.country)
    _choice(errors, "kind", data.kind, PointKind)
    _municipality_errors(errors, "municipality", data.municipality_id, country)
    return errors


def _municipality_errors(errors: FieldErrors, name: str, municipality_id: int | None, country: str) -> None:
    from reintegra.places.choices import AdminLevel
    from reintegra.places.models import AdminArea

    if not municipality_id:
        return
    area = AdminArea.objects.filter(pk=municipality_id).first()
    if area is None or area.level != AdminLevel.SECOND or (country and str(area.country) != country):
        errors.add(name, _("Choose a municipality from the list."), "invalid_choice")


def save_point(user: User, data: PointInput, point: ReceptionPoint | None = None) -> ReceptionPoint:
    """Create (`point` None) or change a reception point of the user's organisation (programme managers)."""
    reception_permissions.require_point_write(user, point)
    _point_errors(user, data, point).raise_if_any()
    with _write(user):
        point = point or ReceptionPoint(organisation_id=permissions.own_organisation_id(user))
        point.code = data.code.strip()
        point.name = data.name.strip()
        point.country = data.country.strip().upper()
        point.kind = data.kind
        point.receiving_institution = data.receiving_institution.strip()
        point.municipality_id = data.municipality_id or None
        point.active = bool(data.active)
        try:
            with transaction.atomic():
                point.save()
        except IntegrityError:
            raise field_error(
                "code", _("Another reception point of your organisation has this code."), "duplicate"
            ) from None
        return point


# --- Arrivals --------------------------------------------------------------------------------------

COUNT_FIELDS = (
    "men",
    "women",
    "boys",
    "girls",
    "accompanied_minors",
    "unaccompanied_minors",
    "family_units",
)


@dataclass(frozen=True)
class ArrivalInput:
    point_id: int | None
    arrived_at: datetime | None
    means: str
    return_type: str
    means_number: str = ""
    host_country: str = ""
    escort: str = ""
    men: int = 0
    women: int = 0
    boys: int = 0
    girls: int = 0
    accompanied_minors: int = 0
    unaccompanied_minors: int = 0
    family_units: int = 0
    source: str = ArrivalSource.MANUAL


def _arrival_errors(user: User, data: ArrivalInput) -> tuple[FieldErrors, ReceptionPoint | None]:
    errors = FieldErrors()
    point = (
        ReceptionPoint.objects.filter(pk=data.point_id, organisation_id=user.organisation_id or 0, active=True).first()
        if data.point_id
        else None
    )
    if point is None:
        # Another organisation's point is not among the choices either.
        errors.add("point", _("Choose a reception point of your organisation."), "invalid_choice")
    if data.arrived_at is None:
        errors.add("arrived_at", _("This field is required."), "required")
    elif data.arrived_at > timezone.now() + timedelta(hours=1):
        errors.add("arrived_at", _("The arrival cannot be in the future."), "in_future")
    _choice(errors, "means", data.means, ArrivalMeans)
    _choice(errors, "return_type", data.return_type, ReturnType)
    _choice(errors, "source", data.source, ArrivalSource)
    _country(errors, "host_country", data.host_country, blank=True)
    for name, limit in (("means_number", 40), ("escort", 160)):
        if len((getattr(data, name) or "").strip()) > limit:
            errors.add(name, _("At most %(n)d characters.") % {"n": limit}, "max_length")
    for name in COUNT_FIELDS:
        value = getattr(data, name)
        if value is None or value < 0 or value > 100_000:
            errors.add(name, _("Enter a number between 0 and 100000."), "out_of_range")
    if not errors and data.accompanied_minors + data.unaccompanied_minors > data.boys + data.girls:
        errors.add(
            "unaccompanied_minors",
            _("Accompanied and unaccompanied minors cannot be more than the boys and girls."),
            "inconsistent",
        )
    return errors, point


def create_arrival(user: User, data: ArrivalInput) -> Arrival:
    """Record an arrival (a flight, a bus, a group at a border post) at a reception point of the user's
    organisation, with the counts announced."""
    reception_permissions.require_record(user)
    errors, point = _arrival_errors(user, data)
    errors.raise_if_any()
    assert point is not None and data.arrived_at is not None
    with _write(user):
        organisation_id = permissions.own_organisation_id(user)
        return Arrival.objects.create(
            organisation_id=organisation_id,
            programme=Programme.default_for(organisation_id),
            point=point,
            arrived_at=data.arrived_at,
            means=data.means,
            means_number=data.means_number.strip(),
            host_country=(data.host_country or "").strip().upper(),
            return_type=data.return_type,
            escort=data.escort.strip(),
            source=data.source,
            created_by=user,
            **{name: getattr(data, name) for name in COUNT_FIELDS},
        )


# --- Intakes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntakeInput:
    """The fast intake: at most 12 fields, and the desk's answer to a possible duplicate.

    `returnee_id`: the user recognised the person among the candidates shown (a repeat return);
    `distinct_from`: the user confirmed the person is none of these candidates (ids they were shown);
    `row_key`: a manifest import's hash of the row (idempotent re-import)."""

    given_names: str
    family_names: str
    sex: str = Sex.UNKNOWN
    birth_date: date | None = None
    estimated_age: int | None = None
    nationality: str = ""
    document_number: str = ""
    document_type: str = DocumentType.NATIONAL_ID
    municipality_id: int | None = None
    phone: str = ""
    travelling_with_family: bool = False
    protection_flags: list[str] = field(default_factory=list)
    assistance: list[str] = field(default_factory=list)
    # The institution that gave an item ({kind: directory provider id, or None for the reception staff});
    # an item ticked without one takes the institution remembered at the point (`assistance_defaults`).
    assistance_institutions: dict[str, int | None] = field(default_factory=dict)
    returnee_id: int | None = None
    distinct_from: frozenset[int] | None = None
    row_key: str | None = None


@dataclass(frozen=True)
class PreparedIntake:
    """A checked intake: what registering the person needs (`returnee`), and the intake's own values."""

    data: IntakeInput
    returnee: case_services.ReturneeInput
    protection_flags: list[str]
    assistance: list[str]
    is_minor: bool
    institutions: dict[str, int | None] = field(default_factory=dict)

    def duplicate_query(self) -> duplicates.DuplicateQuery:
        r = self.returnee
        return duplicates.DuplicateQuery(
            given_names=r.given_names,
            first_family_name=r.first_family_name,
            second_family_name=r.second_family_name,
            birth_date=r.birth_date,
            estimated_age=None if r.birth_date else r.estimated_age,
            document_numbers=tuple(d.number for d in r.documents),
        )


def _split_family_names(names: str) -> tuple[str, str]:
    first, _sep, rest = " ".join(names.split()).partition(" ")
    return first, rest.strip()


# Returnee field → intake field, for the errors of the cases rules.
_RENAMED = {"first_family_name": "family_names", "second_family_name": "family_names", "documents": "document_number"}


def _extend_renamed(errors: FieldErrors, error: ValidationError) -> None:
    """The errors of the cases rules under the intake's field names."""
    if not hasattr(error, "error_dict"):
        errors.extend(error)
        return
    for name, messages in error.error_dict.items():
        for message in messages:
            errors.add(_RENAMED.get(name, name), message.message, message.code or "invalid", message.params)


def _age_of(data: IntakeInput, day: date) -> int | None:
    if data.birth_date:
        born = data.birth_date
        return day.year - born.year - int((day.month, day.day) < (born.month, born.day))
    return data.estimated_age


def _returnee_input(arrival: Arrival, data: IntakeInput, flags: list[str], minor: bool) -> case_services.ReturneeInput:
    first, second = _split_family_names(data.family_names)
    attention: list[str] = []
    if minor:
        attention.append(AttentionFlag.CHILD)
    if ProtectionFlag.UNACCOMPANIED_CHILD in flags:
        attention.append(AttentionFlag.UNACCOMPANIED_MINOR)
    country = str(arrival.point.country)
    number = data.document_number.strip()
    return case_services.ReturneeInput(
        given_names=data.given_names,
        first_family_name=first,
        second_family_name=second,
        sex=data.sex,
        birth_date=data.birth_date,
        estimated_age=None if data.birth_date else data.estimated_age,
        nationality=(data.nationality or country).strip().upper(),
        return_country=country,
        phone=data.phone,
        municipality_id=data.municipality_id or None,
        attention_flags=attention,
        documents=[case_services.DocumentInput(data.document_type, number, country)] if number else [],
    )


def prepare_intake(user: User, arrival: Arrival, data: IntakeInput) -> PreparedIntake:
    """Check an intake without writing anything: every wrong field at once, in one ValidationError keyed by
    the intake's field names (given_names, family_names, sex, birth_date, estimated_age, nationality,
    document_number, municipality, phone, protection_flags, assistance) with codes."""
    errors = FieldErrors()
    _choice(errors, "sex", data.sex, Sex)
    _country(errors, "nationality", data.nationality, blank=True)
    if data.document_number.strip():
        _choice(errors, "document_type", data.document_type, DocumentType)
        if len(data.document_number.strip()) > 40:
            errors.add("document_number", _("At most %(n)d characters.") % {"n": 40}, "max_length")
    flags = _codes(errors, "protection_flags", list(data.protection_flags), ProtectionFlag)
    assistance = _codes(errors, "assistance", list(data.assistance), AssistanceKind)
    institutions = _institutions(errors, arrival.point, assistance, data.assistance_institutions)
    age = _age_of(data, timezone.localtime(arrival.arrived_at).date())
    minor = age is not None and age < ADULT_AGE
    if ProtectionFlag.UNACCOMPANIED_CHILD in flags and age is not None and not minor:
        errors.add("protection_flags", _("An unaccompanied child is under 18: check the age."), "not_a_child")
    returnee = _returnee_input(arrival, data, flags, minor)
    problem = case_services.returnee_problems(user, returnee)
    if problem is not None:
        _extend_renamed(errors, problem)
    errors.raise_if_any()
    return PreparedIntake(data, returnee, flags, assistance, minor, institutions)


def assistance_institution_ids(point: ReceptionPoint) -> set[int]:
    """The institutions that may be named as having given assistance at the point: the service directory's
    active providers of the point's country (the directory is read by every organisation)."""
    from reintegra.referrals import selectors as referral_selectors

    return set(referral_selectors.active_providers(str(point.country)).values_list("pk", flat=True))


def assistance_defaults(point: ReceptionPoint, allowed: set[int] | None = None) -> dict[str, int]:
    """The institution remembered at the point per kind of assistance, still in the directory."""
    allowed = assistance_institution_ids(point) if allowed is None else allowed
    remembered = point.assistance_institutions or {}
    return {k: v for k, v in remembered.items() if k in AssistanceKind.values and v in allowed}


def _institutions(
    errors: FieldErrors, point: ReceptionPoint, kinds: list[str], chosen: dict[str, int | None]
) -> dict[str, int | None]:
    """Who gave each ticked item: the institution chosen for it, else the one remembered at the point, else
    None (the reception staff). An institution must be one of `assistance_institution_ids`; naming one for an
    item not ticked is refused. Errors under `assistance_institutions.<kind>`."""
    if not kinds and not chosen:
        return {}  # nothing to look up (every row of a manifest import)
    allowed = assistance_institution_ids(point)
    for kind, provider_id in chosen.items():
        name = f"assistance_institutions.{kind}"
        if kind not in AssistanceKind.values:
            errors.add("assistance_institutions", _("Choose values from the list."), "invalid_choice")
        elif kind not in kinds:
            errors.add(name, _("Tick the item to say who gave it."), "not_ticked")
        elif provider_id is not None and provider_id not in allowed:
            errors.add(
                name,
                _("Choose an active institution of the service directory in the reception point's country."),
                "invalid_choice",
            )
    remembered = assistance_defaults(point, allowed)
    return {kind: chosen[kind] if kind in chosen else remembered.get(kind) for kind in kinds}


def _remember(point: ReceptionPoint, chosen: dict[str, int | None], allowed: dict[str, int | None]) -> None:
    """Keep the institutions the user chose explicitly as the point's defaults for the next person."""
    if not chosen:
        return
    remembered = dict(point.assistance_institutions or {})
    for kind in chosen:
        value = allowed.get(kind)
        if value is None:
            remembered.pop(kind, None)
        else:
            remembered[kind] = value
    if remembered != (point.assistance_institutions or {}):
        point.assistance_institutions = remembered
        point.save(update_fields=["assistance_institutions"])


def _confident(candidate: duplicates.ShownCandidate) -> bool:
    """Sure enough to link without asking: the same identity document, or the same full name and birth date."""
    if candidate.returnee.anonymised_at or candidate.score < CONFIDENT:
        return False
    reasons = set(candidate.reasons)
    return "document" in reasons or {"exact_name", "same_birth_date"} <= reasons


def match_returnee(user: User, prepared: PreparedIntake, *, channel: str = "web") -> Returnee | None:
    """The earlier registration of the person, or None when there is none to fear.

    - the user named the person (`returnee_id`, from the candidates shown): that returnee, if they may see
      and change it (else the field error `returnee`);
    - one visible likely candidate, and it is a confident match (`_confident`): that returnee;
    - other likely matches: PossibleDuplicate (cases.duplicates), unless the user confirmed it is none of
      them (`distinct_from`) — the same rule as registering a person."""
    data = prepared.data
    if data.returnee_id:
        try:
            return access_returnee_by_id(user, data.returnee_id, for_write=True)
        except (Returnee.DoesNotExist, ValueError):
            raise field_error("returnee", _("Choose one of the people shown."), "invalid_choice") from None
    result = duplicates.find(user, prepared.duplicate_query())
    strong = [c for c in result.candidates if c.strong]
    if len(strong) == 1 and not result.out_of_scope_strong and _confident(strong[0]):
        return strong[0].returnee
    confirmation = duplicates.DistinctPersonConfirmation(seen=data.distinct_from or frozenset())
    duplicates.require_confirmation(user, prepared.duplicate_query(), confirmation, channel=channel)
    return None


def _register(user: User, prepared: PreparedIntake, channel: str) -> Returnee:
    confirmation = duplicates.DistinctPersonConfirmation(seen=prepared.data.distinct_from or frozenset())
    try:
        return case_services.register_returnee(user, prepared.returnee, confirmation=confirmation, channel=channel)
    except ValidationError as error:
        errors = FieldErrors()
        _extend_renamed(errors, error)
        raise errors.error() from None


def record_intake(user: User, arrival: Arrival, data: IntakeInput, *, channel: str = "web") -> Intake:
    """Record one person received at `arrival`: checked (`prepare_intake`), matched against the register
    (`match_returnee`: a repeat returnee is linked, never registered twice), the assistance given by the user,
    and routed (`route_intake`). Raises ValidationError or cases.duplicates.PossibleDuplicate; writes nothing
    then. Re-recording the same manifest row (`row_key`) returns the intake already recorded."""
    reception_permissions.require_arrival_write(user, arrival)
    prepared = prepare_intake(user, arrival, data)
    with _write(user):
        if data.row_key:
            done = Intake.objects.filter(arrival=arrival, row_key=data.row_key).first()
            if done is not None:
                return done
        returnee = match_returnee(user, prepared, channel=channel)
        repeat = returnee is not None
        if returnee is None:
            returnee = _register(user, prepared, channel)
        elif Intake.objects.filter(arrival=arrival, returnee=returnee).exists():
            raise field_error("returnee", _("This person is already recorded at this arrival."), "duplicate")
        intake = Intake.objects.create(
            arrival=arrival,
            returnee=returnee,
            is_repeat_return=repeat,
            travelling_with_family=bool(data.travelling_with_family),
            protection_flags=prepared.protection_flags,
            municipality_of_destination_id=data.municipality_id or None,
            recorded_by=user,
            row_key=data.row_key or None,
        )
        AssistanceGiven.objects.bulk_create(
            [
                AssistanceGiven(intake=intake, kind=kind, given_by=user, institution_id=prepared.institutions.get(kind))
                for kind in prepared.assistance
            ]
        )
        _remember(arrival.point, data.assistance_institutions, prepared.institutions)
        route_intake(user, intake)
        return intake


def set_assistance(
    user: User,
    intake: Intake,
    kinds: list[str],
    institutions: dict[str, int | None] | None = None,
    *,
    expected_version: int | None = None,
) -> list[AssistanceGiven]:
    """The assistance checklist of an intake (the page's and the API's one path): items ticked now are
    recorded as given by the user (those given before keep who recorded them and when); items unticked are
    removed. `institutions` names who gave an item ({kind: directory provider id, or None for the reception
    staff}); an item newly ticked without one takes the point's remembered institution, and the choices made
    are remembered for the next person. `expected_version`: the intake's version the editor read (a change
    made since is refused, `StaleVersion`); the checklist is part of the intake, so saving it moves that
    version."""
    reception_permissions.require_arrival_write(user, intake.arrival)
    errors = FieldErrors()
    kinds = _codes(errors, "assistance", kinds, AssistanceKind)
    chosen = dict(institutions or {})
    point = intake.arrival.point
    resolved = _institutions(errors, point, kinds, chosen)
    errors.raise_if_any()
    with _write(user):
        versioning.lock(intake, expected_version)
        intake.save(update_fields=["revision"])  # only the version moves (incremented by Versioned.save)
        intake.assistance.exclude(kind__in=kinds).delete()
        have = {a.kind: a for a in intake.assistance.all()}
        for kind, item in have.items():
            if kind in chosen and item.institution_id != chosen[kind]:
                item.institution_id = chosen[kind]
                item.save(update_fields=["institution"])
        for kind in kinds:
            if kind not in have:
                # One by one (at most nine), not bulk_create: each item added is in the model history.
                AssistanceGiven.objects.create(
                    intake=intake, kind=kind, given_by=user, institution_id=resolved.get(kind)
                )
        _remember(point, chosen, resolved)
        return list(intake.assistance.select_related("given_by", "institution"))


# --- Protection routing ----------------------------------------------------------------------------


def _return_input(intake: Intake) -> case_services.ReturnInput:
    arrival = intake.arrival
    return case_services.ReturnInput(
        return_date=timezone.localtime(arrival.arrived_at).date(),
        return_type=arrival.return_type,
        host_country=str(arrival.host_country or ""),
        reception_place=arrival.point.name[:200],
        # The causes are asked later, in the assessment: the case is opened at the desk.
        causes_of_migration=[MigrationCause.OTHER],
        causes_note=_("Case opened at reception: causes of migration to be recorded in the assessment."),
    )


def _case_for(user: User, intake: Intake) -> Case:
    """The person's open case, or a new one opened with the return of this arrival."""
    case = intake.returnee.cases.exclude(status=CaseStatus.CLOSED).order_by("-opened_on", "-pk").first()
    if case is None:
        case = case_services.open_case(user, intake.returnee, _return_input(intake))
    return case


def _start_child_path(user: User, case: Case) -> None:
    """An unaccompanied child's case: the profile (unaccompanied) and a best-interests assessment on arrival at
    high priority, whose deadline the children app reminds of."""
    from reintegra.children import services as child_services
    from reintegra.children.choices import AssessmentStage, BiaPriority, CareStatus
    from reintegra.children.models import BestInterestsAssessment, ChildProfile

    if not ChildProfile.objects.filter(case=case).exists():
        child_services.save_profile(
            user, case, child_services.ProfileInput(care_status=CareStatus.UNACCOMPANIED), expected_version=0
        )
    if not BestInterestsAssessment.objects.filter(case=case, status="in_progress").exists():
        child_services.start_assessment(
            user,
            case,
            child_services.AssessmentInput(
                stage=AssessmentStage.ARRIVAL, priority=BiaPriority.HIGH, started_on=timezone.localdate()
            ),
        )


# Flag → the sector of the service an urgent referral is suggested to.
_URGENT_SECTOR: dict[str, str] = {
    ProtectionFlag.HEALTH_EMERGENCY: "health",
    ProtectionFlag.RISK_OF_VIOLENCE: "social_protection",
}


def _suggest_urgent_referral(user: User, case: Case, flags: list[str]) -> None:
    """A draft urgent referral to the best fitting service the organisation has an SOP with, for each urgent
    flag; nothing is sent (the case manager reviews it). No fitting service: no draft, the intake page says so."""
    from reintegra.referrals import selectors as referral_selectors
    from reintegra.referrals import services as referral_services
    from reintegra.referrals.choices import ReferralPriority

    reasons: dict[str, str] = {
        ProtectionFlag.HEALTH_EMERGENCY: _("Health emergency observed at reception."),
        ProtectionFlag.RISK_OF_VIOLENCE: _("Risk of violence reported at reception."),
    }
    for flag in flags:
        if flag not in _URGENT_SECTOR:
            continue
        # What a referral form would offer: an SOP, the person's country, places left, criteria met.
        fitting = referral_selectors.recommendations(
            user, case, sector=_URGENT_SECTOR[flag], only_choosable=True, limit=10
        )
        if fitting:
            referral_services.create_referral(
                user, case, fitting[0].service, reason=str(reasons[flag]), priority=ReferralPriority.URGENT
            )


def route_intake(user: User, intake: Intake) -> Case | None:
    """Open (or find) the case a protection flag calls for, and link it to the intake; None when no flag
    routes. Runs inside `record_intake`'s transaction."""
    flags = set(intake.protection_flags or [])
    child = ProtectionFlag.UNACCOMPANIED_CHILD in flags
    urgent = sorted(flags & URGENT_FLAGS)
    if not child and not urgent:
        return None
    case = _case_for(user, intake)
    if child:
        _start_child_path(user, case)
    if urgent:
        _suggest_urgent_referral(user, case, urgent)
    intake.case = case
    intake.save(update_fields=["case"])
    return case
