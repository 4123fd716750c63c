"""Every write of the employment app: the permission check (capability and object) first, the rules with
their field and code, the audit actor, a timeline line on the case (codes and dates only)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from auditlog.context import set_actor
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from reintegra.access import permissions as access_permissions
from reintegra.access import versioning
from reintegra.access.roles import Capability
from reintegra.cases.choices import CaseEventKind
from reintegra.cases.models import Case, CaseEvent
from reintegra.employment import cv, matching, permissions, selectors
from reintegra.employment.choices import (
    Availability,
    CefrLevel,
    CertificationIssuer,
    ContractType,
    EducationLevel,
    Incentive,
    JobLanguage,
    NotHiredReason,
    PlacementStatus,
    RetentionOutcome,
    SkillEvidence,
    TravelReach,
    VacancyStatus,
)
from reintegra.employment.models import JobseekerProfile, Placement, RetentionCheck, Vacancy
from reintegra.places.choices import AdminLevel
from reintegra.places.models import AdminArea
from reintegra.referrals import services as referral_services
from reintegra.referrals.choices import ReferralPriority, ReferralStatus, ServiceSector
from reintegra.referrals.models import Referral, Service
from reintegra.validation import FieldErrors

if TYPE_CHECKING:
    from reintegra.access.models import User

RETENTION_MONTHS = (3, 6, 12)
MAX_ROWS = 30
MAX_WAGE = 10_000_000


@contextmanager
def _write(user: User) -> Iterator[None]:
    with transaction.atomic(), set_actor(user):
        yield


def _event(case: Case, user: User, what: str, **data: Any) -> None:
    CaseEvent.objects.create(case=case, kind=CaseEventKind.EMPLOYMENT, actor=user, data={"what": what, **data})


def _choice(errors: FieldErrors, name: str, value: str, allowed: Any, *, blank: bool = False) -> str:
    if (blank and value == "") or value in allowed.values:
        return value
    if value == "":
        errors.add(name, _("This field is required."), "required")
    else:
        errors.add(name, _("Choose a value from the list."), "invalid_choice")
    return value


def _occupation_code(errors: FieldErrors, name: str, code: str, *, required: bool) -> str:
    code = (code or "").strip()
    if not code:
        if required:
            errors.add(name, _("Choose an occupation (ISCO-08)."), "required")
        return ""
    if selectors.occupation_by_code(code) is None:
        errors.add(name, _("This is not an ISCO-08 code."), "invalid_choice")
    return code


def _municipality(errors: FieldErrors, name: str, pk: int | None, *, required: bool) -> AdminArea | None:
    if pk is None:
        if required:
            errors.add(name, _("Choose the municipality."), "required")
        return None
    area = AdminArea.objects.filter(pk=pk, level=AdminLevel.SECOND).first()
    if area is None:
        errors.add(name, _("Choose a municipality from the list."), "invalid_choice")
    return area


def _wage(errors: FieldErrors, name: str, value: int | None) -> int | None:
    if value is not None and not 0 <= value <= MAX_WAGE:
        errors.add(name, _("Give a monthly wage between 0 and 10,000,000."), "out_of_range")
    return value


def _languages(errors: FieldErrors, rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    kept = []
    seen: set[str] = set()
    for i, row in enumerate(rows[:MAX_ROWS]):
        language = str(row.get("language") or "")
        level = str(row.get("level") or "")
        _choice(errors, f"languages.{i}.language", language, JobLanguage)
        _choice(errors, f"languages.{i}.level", level, CefrLevel)
        if language in seen:
            errors.add(f"languages.{i}.language", _("This language is listed twice."), "duplicate")
        seen.add(language)
        kept.append({"language": language, "level": level})
    return kept


def _too_many(errors: FieldErrors, name: str, rows: list[Any]) -> None:
    if len(rows) > MAX_ROWS:
        errors.add(name, _("At most 30 rows."), "too_many")


# --- jobseeker profile -----------------------------------------------------------------------------


@dataclass
class ProfileInput:
    education_level: str = ""
    travel_reach: str = ""
    availability: str = ""
    municipality_id: int | None = None
    desired_occupation: str = ""
    desired_wage: int | None = None
    desired_contracts: list[str] = field(default_factory=list)
    # [{"isco", "years", "abroad", "country", "sector"}]
    experience: list[dict[str, Any]] = field(default_factory=list)
    languages: list[dict[str, Any]] = field(default_factory=list)
    # [{"name", "evidence"}]
    skills: list[dict[str, Any]] = field(default_factory=list)
    # [{"issuer", "standard", "issued_on", "expires_on"}]
    certifications: list[dict[str, Any]] = field(default_factory=list)
    notes: str = ""


def _experience(errors: FieldErrors, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    kept = []
    for i, row in enumerate(rows[:MAX_ROWS]):
        code = _occupation_code(errors, f"experience.{i}.isco", str(row.get("isco") or ""), required=True)
        years = row.get("years")
        if not isinstance(years, int | float) or isinstance(years, bool) or not 0 <= years <= 60:
            errors.add(f"experience.{i}.years", _("Give the years of experience, from 0 to 60."), "out_of_range")
        abroad = bool(row.get("abroad"))
        country = str(row.get("country") or "").upper()
        if abroad and not country:
            errors.add(f"experience.{i}.country", _("Say in which country the person worked."), "required")
        elif country and country not in dict(countries):
            errors.add(f"experience.{i}.country", _("Choose a country from the list."), "invalid_choice")
        sector = str(row.get("sector") or "").strip()[:120]
        kept.append({"isco": code, "years": years, "abroad": abroad, "country": country, "sector": sector})
    return kept


def _skills(errors: FieldErrors, rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    kept = []
    seen: set[str] = set()
    for i, row in enumerate(rows[:MAX_ROWS]):
        name = " ".join(str(row.get("name") or "").split())
        if not name:
            errors.add(f"skills.{i}.name", _("Name the skill."), "required")
        elif len(name) > 120:
            errors.add(f"skills.{i}.name", _("At most 120 characters."), "max_length")
        elif matching.normalise_skill(name) in seen:
            errors.add(f"skills.{i}.name", _("This skill is listed twice."), "duplicate")
        seen.add(matching.normalise_skill(name))
        evidence = _choice(errors, f"skills.{i}.evidence", str(row.get("evidence") or ""), SkillEvidence)
        kept.append({"name": name, "evidence": evidence})
    return kept


def _date(value: Any) -> date | None:
    if isinstance(value, date) or value is None:
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _certifications(errors: FieldErrors, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    kept = []
    today = timezone.localdate()
    for i, row in enumerate(rows[:MAX_ROWS]):
        issuer = _choice(errors, f"certifications.{i}.issuer", str(row.get("issuer") or ""), CertificationIssuer)
        standard = " ".join(str(row.get("standard") or "").split())
        if not standard:
            errors.add(f"certifications.{i}.standard", _("Name the competence standard certified."), "required")
        issued_on, expires_on = _date(row.get("issued_on")), _date(row.get("expires_on") or None)
        if issued_on is None:
            errors.add(f"certifications.{i}.issued_on", _("Give the date of the certificate."), "required")
        elif issued_on > today:
            errors.add(f"certifications.{i}.issued_on", _("This date cannot be in the future."), "in_future")
        elif expires_on is not None and expires_on <= issued_on:
            errors.add(
                f"certifications.{i}.expires_on", _("The expiry must be after the date issued."), "ends_before_start"
            )
        kept.append(
            {
                "issuer": issuer,
                "standard": standard[:200],
                "issued_on": issued_on.isoformat() if issued_on else "",
                "expires_on": expires_on.isoformat() if expires_on else "",
            }
        )
    return kept


def profile_problems(data: ProfileInput) -> tuple[FieldErrors, dict[str, Any]]:
    """Every rule of a profile, without writing: the errors and the cleaned values."""
    errors = FieldErrors()
    for name, rows in (
        ("experience", data.experience),
        ("languages", data.languages),
        ("skills", data.skills),
        ("certifications", data.certifications),
    ):
        _too_many(errors, name, rows)
    clean: dict[str, Any] = {
        "education_level": _choice(errors, "education_level", data.education_level, EducationLevel),
        "travel_reach": _choice(errors, "travel_reach", data.travel_reach, TravelReach),
        "availability": _choice(errors, "availability", data.availability, Availability),
        "municipality": _municipality(errors, "municipality", data.municipality_id, required=True),
        "desired_wage": _wage(errors, "desired_wage", data.desired_wage),
        "notes": (data.notes or "").strip()[:2000],
        "experience": _experience(errors, data.experience),
        "languages": _languages(errors, data.languages),
        "skills": _skills(errors, data.skills),
        "certifications": _certifications(errors, data.certifications),
    }
    desired = _occupation_code(errors, "desired_occupation", data.desired_occupation, required=False)
    clean["desired_occupation"] = selectors.occupation_by_code(desired) if desired else None
    for contract in data.desired_contracts:
        if contract not in ContractType.values:
            errors.add("desired_contracts", _("Choose a value from the list."), "invalid_choice")
            break
    clean["desired_contracts"] = sorted(set(data.desired_contracts) & set(ContractType.values))
    certified = [i for i, s in enumerate(clean["skills"]) if s["evidence"] == SkillEvidence.CERTIFIED]
    if certified and not clean["certifications"]:
        errors.add(
            f"skills.{certified[0]}.evidence",
            _("A certified skill needs its certificate: record it under certifications."),
            "certification_required",
        )
    return errors, clean


def _require_consent(case: Case) -> None:
    if not selectors.has_employment_consent(case):
        raise ValidationError(
            _(
                'The person has not consented to labour intermediation (consent purpose "employment"): '
                "record the consent first."
            ),
            code="no_consent",
        )


def save_profile(
    user: User, case: Case, data: ProfileInput, *, expected_version: int | None = None
) -> JobseekerProfile:
    """Create or revise the jobseeker profile of a case (version 0: there was none yet)."""
    permissions.require_profile_write(user, case)
    errors, clean = profile_problems(data)
    with _write(user):
        versioning.lock(case, None)
        profile = JobseekerProfile.objects.select_for_update().filter(case=case).first()
        versioning.check(profile, expected_version)
        _require_consent(case)
        errors.raise_if_any()
        created = profile is None
        profile = profile or JobseekerProfile(case=case)
        for name, value in clean.items():
            setattr(profile, name, value)
        codes = [row["isco"] for row in clean["experience"] if row["isco"]]
        if clean["desired_occupation"] is not None:
            codes.append(clean["desired_occupation"].code)
        profile.isco_codes = sorted(set(codes))
        profile.match_data = selectors.match_data(profile)
        profile.save()
        _event(
            case,
            user,
            "profile_created" if created else "profile_updated",
            skills=len(profile.skills),
            abroad=sum(1 for row in profile.experience if row["abroad"]),
        )
        return profile


# --- vacancies -------------------------------------------------------------------------------------


@dataclass
class VacancyInput:
    programme_id: int | None = None
    employer_id: int | None = None
    title: str = ""
    occupation: str = ""
    essential_skills: list[str] = field(default_factory=list)
    optional_skills: list[str] = field(default_factory=list)
    education_level: str = ""
    languages: list[dict[str, Any]] = field(default_factory=list)
    municipality_id: int | None = None
    wage_min: int | None = None
    wage_max: int | None = None
    contract_type: str = ""
    positions: int | None = 1
    closing_date: date | None = None
    incentive: str = Incentive.NONE


def _skill_names(errors: FieldErrors, name: str, values: list[str]) -> list[str]:
    kept: list[str] = []
    seen: set[str] = set()
    _too_many(errors, name, values)
    for value in values[:MAX_ROWS]:
        text = " ".join(str(value or "").split())[:120]
        key = matching.normalise_skill(text)
        if text and key not in seen:
            kept.append(text)
            seen.add(key)
    return kept


def _employer(errors: FieldErrors, user: User, employer_id: int | None, programme_id: int | None) -> Any:
    if employer_id is None:
        errors.add("employer", _("Choose the employer."), "required")
        return None
    employer = selectors.employers_for(user).filter(pk=employer_id).first()
    if employer is None or (programme_id is not None and employer.programme_id != programme_id):
        errors.add(
            "employer", _("Choose a private-sector stakeholder of the programme from the list."), "invalid_choice"
        )
        return None
    return employer


def vacancy_problems(user: User, data: VacancyInput, *, creating: bool) -> tuple[FieldErrors, dict[str, Any]]:
    errors = FieldErrors()
    title = " ".join((data.title or "").split())
    if not title:
        errors.add("title", _("Give the vacancy a title."), "required")
    code = _occupation_code(errors, "occupation", data.occupation, required=True)
    clean: dict[str, Any] = {
        "title": title[:200],
        "employer": _employer(errors, user, data.employer_id, data.programme_id),
        "occupation": selectors.occupation_by_code(code) if code else None,
        "essential_skills": _skill_names(errors, "essential_skills", data.essential_skills),
        "optional_skills": _skill_names(errors, "optional_skills", data.optional_skills),
        "education_level": _choice(errors, "education_level", data.education_level, EducationLevel, blank=True),
        "languages": _languages(errors, data.languages),
        "municipality": _municipality(errors, "municipality", data.municipality_id, required=True),
        "wage_min": _wage(errors, "wage_min", data.wage_min),
        "wage_max": _wage(errors, "wage_max", data.wage_max),
        "contract_type": _choice(errors, "contract_type", data.contract_type, ContractType),
        "positions": data.positions,
        "closing_date": data.closing_date,
        "incentive": _choice(errors, "incentive", data.incentive, Incentive),
    }
    if data.wage_min is not None and data.wage_max is not None and data.wage_max < data.wage_min:
        errors.add("wage_max", _("The maximum wage cannot be below the minimum."), "out_of_range")
    if data.positions is None or not 1 <= data.positions <= 1000:
        errors.add("positions", _("Give the number of positions, from 1 to 1,000."), "out_of_range")
    if data.closing_date is None:
        errors.add("closing_date", _("Give the closing date."), "required")
    elif creating and data.closing_date < timezone.localdate():
        errors.add("closing_date", _("The closing date cannot be in the past."), "in_past")
    return errors, clean


def save_vacancy(
    user: User, data: VacancyInput, vacancy: Vacancy | None = None, *, expected_version: int | None = None
) -> Vacancy:
    """Create a vacancy of a programme the user may edit, or revise one (its programme stays)."""
    if vacancy is not None:
        data.programme_id = vacancy.programme_id
    if data.programme_id is None:
        access_permissions.require(user, Capability.EDIT_STRUCTURAL)
        errors, _clean = vacancy_problems(user, data, creating=True)
        errors.add("programme", _("Choose the programme."), "required")
        errors.raise_if_any()
    permissions.require_vacancy_write(user, data.programme_id)
    errors, clean = vacancy_problems(user, data, creating=vacancy is None)
    with _write(user):
        if vacancy is not None:
            versioning.lock(vacancy, expected_version)
        errors.raise_if_any()
        assert data.programme_id is not None  # checked above
        vacancy = vacancy or Vacancy(programme_id=data.programme_id, created_by=user)
        for name, value in clean.items():
            setattr(vacancy, name, value)
        vacancy.save()
        return vacancy


def close_vacancy(user: User, vacancy: Vacancy, *, filled: bool = False) -> Vacancy:
    permissions.require_vacancy_write(user, vacancy.programme_id)
    with _write(user):
        vacancy.status = VacancyStatus.FILLED if filled else VacancyStatus.CLOSED
        vacancy.save(update_fields=["status"])
        return vacancy


# --- placements ------------------------------------------------------------------------------------


def shortlist(user: User, vacancy: Vacancy, profile: JobseekerProfile) -> Placement:
    """Put a jobseeker on a vacancy's shortlist (the case's holder decides; the vacancy must be one the user
    sees, still open; the person must still consent)."""
    permissions.require_profile_write(user, profile.case)
    permissions.require_vacancy_read(user, vacancy)
    errors = FieldErrors()
    if vacancy.status != VacancyStatus.OPEN or vacancy.closing_date < timezone.localdate():
        errors.add("vacancy", _("This vacancy is no longer open."), "closed")
    if Placement.objects.filter(vacancy=vacancy, profile=profile).exists():
        errors.add("vacancy", _("This person is already on the vacancy's shortlist."), "duplicate")
    errors.raise_if_any()
    _require_consent(profile.case)
    score = matching.match(selectors.job_of(vacancy), selectors.seeker_of(profile)).score
    with _write(user):
        try:
            with transaction.atomic():
                placement = Placement.objects.create(vacancy=vacancy, profile=profile, score=score, created_by=user)
        except IntegrityError:
            raise ValidationError(
                {"vacancy": ValidationError(_("This person is already on the vacancy's shortlist."), code="duplicate")}
            ) from None
        _event(profile.case, user, "shortlisted", vacancy=vacancy.pk, score=score)
        return placement


# --- the referral of a candidate ------------------------------------------------------------------------

# A referral may be made again after the provider declined it or the referring side withdrew it.
REFERRAL_ENDED = frozenset({ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN})
ANSWERED_YES = frozenset({ReferralStatus.ACCEPTED, ReferralStatus.SERVICE_DELIVERED, ReferralStatus.REFERRED_ONWARD})


def referral_accepted(referral: Referral | None) -> bool:
    """Whether the employer or intermediation service said yes (and did not turn the person away since)."""
    if referral is None:
        return False
    return referral.status in ANSWERED_YES or (
        referral.status == ReferralStatus.CLOSED and referral.outcome in ANSWERED_YES
    )


def may_refer(placement: Placement) -> bool:
    """Whether the candidate may be referred now: shortlisted, and not referred yet or the last referral ended."""
    return placement.status == PlacementStatus.SHORTLISTED and (
        placement.referral is None or placement.referral.status in REFERRAL_ENDED
    )


def referral_service_problem(user: User, case: Case, service: Service | None) -> tuple[str, str] | None:
    """Why this directory service cannot receive a candidate from the user's organisation ((message, code)),
    or None: an active employment service the organisation has a job-placement SOP with (the CV fields only)."""
    if service is None:
        return str(_("Choose the employment or intermediation service.")), "required"
    if not service.is_active or not service.provider.is_active:
        return str(_("Choose an employment or intermediation service from the list.")), "invalid_choice"
    if service.sector != ServiceSector.EMPLOYMENT:
        return str(_("A candidate is referred to an employment or intermediation service.")), "invalid_choice"
    pathway = selectors.referral_pathway(user, case, service)
    if pathway is None:
        return (
            str(
                _(
                    "Your organisation has no approved referral SOP with %(provider)s: a programme manager must "
                    "record one before referring (it says which case data the provider receives)."
                )
                % {"provider": service.provider.name}
            ),
            "invalid_choice",
        )
    if not cv.is_cv_only(pathway.fields):
        return (
            str(
                _(
                    "The SOP with %(provider)s is not a job-placement SOP: it must transfer the jobseeker's CV and "
                    "no case data beyond a CV (identity, contact, place, languages, the reason)."
                )
                % {"provider": service.provider.name}
            ),
            "not_cv_only",
        )
    return None


def refer_candidate(
    user: User,
    placement: Placement,
    *,
    service: Service | None,
    note: str = "",
    priority: str = ReferralPriority.NORMAL,
    channel: str = "web",
) -> Placement:
    """Propose a shortlisted candidate to the employer or intermediation service: a referral of the referral
    network, made and sent at once under the organisation's job-placement SOP (the CV fields only), with the
    person's consent naming the recipient (`send_referral` checks it: ConsentRequired). The provider answers
    in the referral network; the interview step waits for its acceptance."""
    case = placement.profile.case
    permissions.require_profile_write(user, case)
    errors = FieldErrors()
    if placement.status != PlacementStatus.SHORTLISTED:
        errors.add("placement", _("Only a shortlisted candidate is referred to the employer."), "invalid_transition")
    elif not may_refer(placement):
        assert placement.referral is not None
        errors.add(
            "placement",
            _("The candidate was already referred (%(reference)s).") % {"reference": placement.referral.reference},
            "duplicate",
        )
    problem = referral_service_problem(user, case, service)
    if problem is not None:
        errors.add("service", *problem)
    note = " ".join((note or "").split())
    if len(note) > 1000:
        errors.add("note", _("At most 1,000 characters."), "max_length")
    errors.raise_if_any()
    _require_consent(case)
    assert service is not None  # checked above
    vacancy = placement.vacancy
    # The reason is what the provider reads (if the SOP transfers it): the vacancy, never the case's needs.
    reason = _("Candidate for the vacancy %(title)s (%(employer)s), ISCO-08 %(code)s.") % {
        "title": vacancy.title,
        "employer": vacancy.employer.name,
        "code": vacancy.occupation.code,
    }
    if note:
        reason = f"{reason} {note}"
    with _write(user):
        versioning.lock(placement, None)
        referral = referral_services.create_referral(user, case, service, reason=reason, priority=priority)
        # No life-at-risk exception here: a job offer never justifies sharing without consent.
        referral = referral_services.send_referral(user, referral, channel=channel)
        placement.referral = referral
        placement.save()
        _event(case, user, "referred", vacancy=vacancy.pk, referral=referral.reference)
        return placement


# Which step may follow which status.
STEPS = {
    PlacementStatus.SHORTLISTED: {PlacementStatus.INTERVIEW, PlacementStatus.NOT_HIRED},
    PlacementStatus.INTERVIEW: {PlacementStatus.HIRED, PlacementStatus.NOT_HIRED},
    PlacementStatus.HIRED: set(),
    PlacementStatus.NOT_HIRED: set(),
}


def _referral_gate(errors: FieldErrors, placement: Placement) -> None:
    """The employer hears of the candidate through the referral network only (issue 16, placement workflow):
    the interview follows the provider's acceptance of the referral."""
    if placement.referral is None:
        errors.add(
            "step",
            _("Refer the candidate to the employer or intermediation service first (a referral with consent)."),
            "referral_required",
        )
    elif not referral_accepted(placement.referral):
        errors.add(
            "step",
            _("The interview follows the provider's acceptance of referral %(reference)s (now: %(status)s).")
            % {"reference": placement.referral.reference, "status": placement.referral.get_status_display()},
            "referral_not_accepted",
        )


def advance_placement(
    user: User, placement: Placement, *, step: str, on: date | None = None, reason: str = ""
) -> Placement:
    """shortlisted → interview → hired / not hired (with its reason). A hire schedules the retention checks
    at 3, 6 and 12 months."""
    case = placement.profile.case
    permissions.require_profile_write(user, case)
    errors = FieldErrors()
    _choice(errors, "step", step, PlacementStatus)
    on = on or timezone.localdate()
    if step in PlacementStatus.values and step not in STEPS[PlacementStatus(placement.status)]:
        errors.add("step", _("This step cannot follow the placement's current status."), "invalid_transition")
    if on > timezone.localdate() and step != PlacementStatus.INTERVIEW:
        errors.add("on", _("This date cannot be in the future."), "in_future")
    if on < placement.shortlisted_on:
        errors.add("on", _("This date cannot be before the shortlisting."), "before_shortlist")
    if step == PlacementStatus.NOT_HIRED:
        _choice(errors, "reason", reason, NotHiredReason)
    if step == PlacementStatus.INTERVIEW and placement.status == PlacementStatus.SHORTLISTED:
        _referral_gate(errors, placement)
    errors.raise_if_any()
    with _write(user):
        versioning.lock(placement, None)
        placement.status = step
        if step == PlacementStatus.INTERVIEW:
            placement.interview_on = on
        else:
            placement.decided_on = on
            placement.not_hired_reason = reason if step == PlacementStatus.NOT_HIRED else ""
        placement.save()
        if step == PlacementStatus.HIRED:
            for months in RETENTION_MONTHS:
                RetentionCheck.objects.create(placement=placement, months=months, due_on=add_months(on, months))
        _event(case, user, step, vacancy=placement.vacancy_id, on=on.isoformat(), reason=placement.not_hired_reason)
        return placement


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    return day + timedelta(days=30 * months)  # pragma: no cover - unreachable


def record_retention(
    user: User, check: RetentionCheck, *, outcome: str, checked_on: date | None = None
) -> RetentionCheck:
    case = check.placement.profile.case
    permissions.require_profile_write(user, case)
    errors = FieldErrors()
    _choice(errors, "outcome", outcome, RetentionOutcome)
    checked_on = checked_on or timezone.localdate()
    if checked_on > timezone.localdate():
        errors.add("checked_on", _("This date cannot be in the future."), "in_future")
    elif check.placement.decided_on and checked_on < check.placement.decided_on:
        errors.add("checked_on", _("This date cannot be before the hire."), "before_hire")
    errors.raise_if_any()
    with _write(user):
        check.outcome = outcome
        check.checked_on = checked_on
        check.save(update_fields=["outcome", "checked_on"])
        _event(case, user, "retention", months=check.months, outcome=outcome, on=checked_on.isoformat())
        return check
