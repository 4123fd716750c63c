"""Every read of the employment app, scoped to what the user may see (cases through `cases.scoping`,
vacancies through the structural level's programmes)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from reintegra.access.permissions import own_organisation_id
from reintegra.cases import selectors as case_selectors
from reintegra.cases.models import Case
from reintegra.cases.scoping import case_visibility
from reintegra.employment import matching
from reintegra.employment.choices import VacancyStatus
from reintegra.employment.models import JobseekerProfile, Occupation, Placement, RetentionCheck, Vacancy
from reintegra.monitoring.indicators import suppress
from reintegra.places.choices import AdminLevel
from reintegra.places.models import AdminArea
from reintegra.protection.choices import ConsentPurpose
from reintegra.protection.models import Consent
from reintegra.referrals import selectors as referral_selectors
from reintegra.referrals.choices import ServiceSector
from reintegra.referrals.models import ReferralPathway, Service
from reintegra.structural import selectors as structural_selectors
from reintegra.structural.choices import StakeholderCategory
from reintegra.structural.models import Stakeholder

if TYPE_CHECKING:
    from reintegra.access.models import User


def _positive(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


# --- occupations (ISCO-08) -------------------------------------------------------------------------


def search_occupations(text: str = "", *, level: int | None = None) -> QuerySet[Occupation]:
    """Accent- and case-insensitive search on the code and the three titles; every word must match."""
    rows = Occupation.objects.all()
    if level is not None:
        rows = rows.filter(level=level)
    for word in matching.normalise_skill(text).split():
        rows = rows.filter(search_text__contains=word)
    return rows.order_by("code")


def occupation_by_code(code: str) -> Occupation | None:
    return Occupation.objects.filter(code=(code or "").strip()).first()


def occupations_by_code(codes: Iterable[str]) -> dict[str, Occupation]:
    return {o.code: o for o in Occupation.objects.filter(code__in=set(codes))}


# --- jobseekers ------------------------------------------------------------------------------------


def consented_returnee_ids(day: date | None = None) -> QuerySet[Any, Any]:
    day = day or timezone.localdate()
    return Consent.objects.filter(Consent.valid_q(day), purpose=ConsentPurpose.EMPLOYMENT).values("returnee_id")


def has_employment_consent(case: Case, day: date | None = None) -> bool:
    return consented_returnee_ids(day).filter(returnee_id=case.returnee_id).exists()


def profile_of(case: Case) -> JobseekerProfile | None:
    return JobseekerProfile.objects.filter(case=case).select_related("municipality", "desired_occupation").first()


def visible_profiles(user: User) -> QuerySet[JobseekerProfile]:
    """Profiles of the cases the user sees."""
    return JobseekerProfile.objects.filter(
        case__in=Case.objects.filter(case_visibility(user)).values("pk")
    ).select_related("case", "municipality", "desired_occupation")


def matchable_profiles(user: User) -> QuerySet[JobseekerProfile]:
    """Profiles the user sees whose person still consents to labour intermediation."""
    return visible_profiles(user).filter(case__returnee_id__in=consented_returnee_ids())


def get_profile(user: User, pk: Any) -> JobseekerProfile:
    number = _positive(pk)
    if number is None:
        raise JobseekerProfile.DoesNotExist
    return visible_profiles(user).get(pk=number)


# --- employers and vacancies -----------------------------------------------------------------------


def employers_for(user: User) -> QuerySet[Stakeholder]:
    """The private-sector stakeholders the user sees: the employers a vacancy may name."""
    return (
        structural_selectors.visible(user, Stakeholder)
        .filter(category=StakeholderCategory.PRIVATE_SECTOR)
        .select_related("programme")
    )


def visible_vacancies(user: User) -> QuerySet[Vacancy]:
    return Vacancy.objects.filter(programme_id__in=structural_selectors.visible_programme_ids(user)).select_related(
        "employer", "occupation", "municipality", "municipality__parent", "programme"
    )


def open_vacancies(user: User, day: date | None = None) -> QuerySet[Vacancy]:
    day = day or timezone.localdate()
    return visible_vacancies(user).filter(status=VacancyStatus.OPEN, closing_date__gte=day)


def get_vacancy(user: User, pk: Any) -> Vacancy:
    number = _positive(pk)
    if number is None:
        raise Vacancy.DoesNotExist
    return visible_vacancies(user).get(pk=number)


def editable_programmes(user: User) -> Any:
    return structural_selectors.editable_programmes(user)


# --- matching --------------------------------------------------------------------------------------


def _education(value: str) -> int | None:
    return int(value) if value and value.isdigit() else None


def match_data(profile: JobseekerProfile) -> dict[str, Any]:
    """The profile's matching inputs in one value (`JobseekerProfile.match_data`), skills normalised."""
    return {
        "isco": list(profile.isco_codes or ()),
        "skills": sorted({matching.normalise_skill(s.get("name", "")) for s in profile.skills or ()}),
        "languages": {row["language"]: row["level"] for row in profile.languages or () if "language" in row},
        "contracts": list(profile.desired_contracts or ()),
    }


# The clear columns matching reads: loaded as values, so that ranking thousands of jobseekers neither builds
# model instances nor decrypts their work history nor parses more than one JSON value each (docs/employment.md,
# benchmark).
SEEKER_COLUMNS = (
    "pk",
    "match_data",
    "municipality_id",
    "municipality__parent_id",
    "travel_reach",
    "education_level",
    "desired_wage",
    "availability",
)


def _seeker_of_values(
    pk: int,
    data: dict[str, Any],
    municipality_id: int | None,
    admin1_id: int | None,
    reach: str,
    education_level: str,
    desired_wage: int | None,
    availability: str,
) -> matching.Seeker:
    return matching.Seeker(
        id=pk,
        isco_codes=tuple(data.get("isco") or ()),
        skills=frozenset(data.get("skills") or ()),
        municipality_id=municipality_id,
        admin1_id=admin1_id,
        reach=reach,
        education=_education(education_level),
        languages=data.get("languages") or {},
        desired_wage=desired_wage,
        contracts=frozenset(data.get("contracts") or ()),
        availability=availability,
    )


def _seeker(
    pk: int,
    isco_codes: list[str] | None,
    skills: list[dict[str, Any]] | None,
    municipality_id: int | None,
    admin1_id: int | None,
    reach: str,
    education_level: str,
    languages: list[dict[str, str]] | None,
    desired_wage: int | None,
    contracts: list[str] | None,
    availability: str,
) -> matching.Seeker:
    return matching.Seeker(
        id=pk,
        isco_codes=tuple(isco_codes or ()),
        skills=frozenset(matching.normalise_skill(s.get("name", "")) for s in skills or ()),
        municipality_id=municipality_id,
        admin1_id=admin1_id,
        reach=reach,
        education=_education(education_level),
        languages={row["language"]: row["level"] for row in languages or () if "language" in row},
        desired_wage=desired_wage,
        contracts=frozenset(contracts or ()),
        availability=availability,
    )


def seeker_of(profile: JobseekerProfile) -> matching.Seeker:
    area = profile.municipality
    return _seeker(
        profile.pk,
        profile.isco_codes,
        profile.skills,
        profile.municipality_id,
        area.parent_id if area is not None else None,
        profile.travel_reach,
        profile.education_level,
        profile.languages,
        profile.desired_wage,
        profile.desired_contracts,
        profile.availability,
    )


def seekers_of(profiles: QuerySet[JobseekerProfile]) -> list[matching.Seeker]:
    return [_seeker_of_values(*row) for row in profiles.values_list(*SEEKER_COLUMNS)]


def job_of(vacancy: Vacancy) -> matching.Job:
    return matching.Job(
        id=vacancy.pk,
        isco=vacancy.occupation.code,
        essential=frozenset(matching.normalise_skill(s) for s in vacancy.essential_skills or ()),
        optional=frozenset(matching.normalise_skill(s) for s in vacancy.optional_skills or ()),
        municipality_id=vacancy.municipality_id,
        admin1_id=vacancy.municipality.parent_id,
        education=_education(vacancy.education_level),
        languages={row["language"]: row["level"] for row in vacancy.languages or () if "language" in row},
        wage_max=vacancy.wage_max,
        contract=vacancy.contract_type,
    )


@dataclass(frozen=True)
class ProfileMatch:
    profile: JobseekerProfile
    match: matching.Match


@dataclass(frozen=True)
class VacancyMatch:
    vacancy: Vacancy
    match: matching.Match


def matches_for_vacancy(user: User, vacancy: Vacancy, *, limit: int = 50) -> list[ProfileMatch]:
    """The candidates the user may see for a vacancy (consenting jobseekers of their cases), best first."""
    ranked = matching.candidates(job_of(vacancy), seekers_of(matchable_profiles(user)), limit=limit)
    # Only the kept candidates become records (their case number is shown), without their encrypted fields.
    profiles = JobseekerProfile.objects.filter(pk__in=[m.seeker_id for m in ranked]).select_related("case")
    by_pk = {p.pk: p for p in profiles.defer("experience", "certifications", "notes")}
    return [ProfileMatch(by_pk[m.seeker_id], m) for m in ranked]


def matches_for_profile(user: User, profile: JobseekerProfile, *, limit: int = 50) -> list[VacancyMatch]:
    """The open vacancies the user sees for a jobseeker, best first."""
    vacancies = {v.pk: v for v in open_vacancies(user)}
    ranked = matching.vacancies_for(seeker_of(profile), (job_of(v) for v in vacancies.values()), limit=limit)
    return [VacancyMatch(vacancies[m.job_id], m) for m in ranked]


@dataclass(frozen=True)
class SkillGap:
    skill: str
    vacancies: int  # open vacancies naming it as essential
    jobseekers: int | None  # jobseekers who have it; None when below the suppression threshold


def skills_gaps(user: User, *, admin1_id: int | None, k: int) -> tuple[list[SkillGap], int | None]:
    """The skills open vacancies (of the area) ask for, with how many jobseekers of the user's organisation
    (of the area) have each, the most demanded first; the counts of people are hidden below k. Also the
    number of jobseekers counted (None below k)."""
    vacancies = open_vacancies(user)
    profiles = JobseekerProfile.objects.filter(case__organisation_id=user.organisation_id or 0)
    if admin1_id is not None:
        vacancies = vacancies.filter(municipality__parent_id=admin1_id)
        profiles = profiles.filter(municipality__parent_id=admin1_id)
    seekers = seekers_of(profiles)
    rows = matching.skills_gaps((job_of(v) for v in vacancies), seekers)
    shown = suppress({skill: have for skill, _demand, have in rows}, k)
    total = len(seekers) if len(seekers) >= k else None
    gaps = [SkillGap(skill, demand, shown[skill] if total is not None else None) for skill, demand, _h in rows]
    return gaps, total


def suppression_threshold(user: User) -> int:
    """The k of the user's organisation's programmes (the strictest)."""
    from reintegra.access.models import Programme
    from reintegra.monitoring.permissions import threshold

    return int(threshold(Programme.objects.filter(organisation_id=user.organisation_id or 0)))


# --- placements ------------------------------------------------------------------------------------


def placements_of(profile: JobseekerProfile) -> QuerySet[Placement]:
    return profile.placements.select_related("vacancy", "vacancy__employer", "referral").prefetch_related(
        "retention_checks"
    )


def visible_placements(user: User) -> QuerySet[Placement]:
    return Placement.objects.filter(
        profile__case__in=Case.objects.filter(case_visibility(user)).values("pk")
    ).select_related("vacancy", "vacancy__employer", "profile", "profile__case", "referral")


def referral_pathway(user: User, case: Case, service: Service) -> ReferralPathway | None:
    """The SOP a referral from the user's organisation to this service would be made under."""
    return referral_selectors.pathway_for(own_organisation_id(user), service, child=case_selectors.is_child_case(case))


def placement_services(user: User, case: Case) -> list[tuple[Service, ReferralPathway]]:
    """The employment and intermediation services a candidate of this case may be referred to: active, covered
    by a current job-placement SOP of the user's organisation (the CV fields only; employment.cv)."""
    from reintegra.employment import cv

    found = []
    for service in referral_selectors.services_with_sop(own_organisation_id(user)):
        if service.sector != ServiceSector.EMPLOYMENT:
            continue
        pathway = referral_pathway(user, case, service)
        if pathway is not None and cv.is_cv_only(pathway.fields):
            found.append((service, pathway))
    return sorted(found, key=lambda pair: (pair[0].provider.name, pair[0].name))


def get_placement(user: User, pk: Any) -> Placement:
    number = _positive(pk)
    if number is None:
        raise Placement.DoesNotExist
    return visible_placements(user).get(pk=number)


def retention_check(placement: Placement, months: int) -> RetentionCheck | None:
    return placement.retention_checks.filter(months=months).first()


def placements_q_for_vacancy(user: User, vacancy: Vacancy) -> QuerySet[Placement]:
    return visible_placements(user).filter(vacancy=vacancy)


def profile_filter_admin1(admin1_id: int | None) -> Q:
    return Q() if admin1_id is None else Q(municipality__parent_id=admin1_id)


def get_retention_check(user: User, pk: Any) -> RetentionCheck | None:
    """A retention check of a placement the user sees (None otherwise)."""
    number = _positive(pk)
    if number is None:
        return None
    return (
        RetentionCheck.objects.filter(pk=number, placement__in=visible_placements(user))
        .select_related("placement__profile__case")
        .first()
    )


def admin1_of(raw: str) -> AdminArea | None:
    """The department/state of a query parameter (None when absent or not one)."""
    number = _positive(raw) if (raw or "").isdigit() and len(raw) < 19 else None
    return AdminArea.objects.filter(pk=number, level=AdminLevel.FIRST).first() if number else None


def admin1_areas() -> QuerySet[AdminArea]:
    return AdminArea.objects.filter(level=AdminLevel.FIRST).order_by("country", "name")


PAGE = 500


def vacancies_page(user: User) -> list[Vacancy]:
    """The first vacancies the user sees: open first, by closing date."""
    return list(visible_vacancies(user).order_by("status", "closing_date", "pk")[:PAGE])


def profiles_page(user: User) -> list[JobseekerProfile]:
    return list(visible_profiles(user).order_by("pk")[:PAGE])


def placements_page(user: User) -> list[Placement]:
    return list(visible_placements(user).prefetch_related("retention_checks").order_by("pk")[:PAGE])
