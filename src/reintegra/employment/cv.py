"""The jobseeker's CV as an SOP field of the referral network, and which fields a job-placement SOP may transfer.

A candidate is proposed to an employer or an intermediation service by a referral (`referrals`), under the
referring organisation's SOP with that provider; the SOP lists the case data the provider receives. For a job
placement that is a CV: who the person is and how to reach them, and the profile's work record, never the
case's needs, vulnerabilities, health or household (docs/employment.md "Referring a candidate").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from reintegra.employment.choices import (
    Availability,
    CefrLevel,
    CertificationIssuer,
    EducationLevel,
    JobLanguage,
    SkillEvidence,
)
from reintegra.vocabulary.choices import choice_label

CV_FIELD = "jobseeker_cv"
# What a job-placement SOP may transfer: identity and contact, the place, the reason (the vacancy), the CV.
CV_FIELDS = frozenset(
    {"case_number", "full_name", "sex", "age", "phone", "place", "languages", "referral_reason", CV_FIELD}
)


def _occupation_titles(codes: list[str]) -> dict[str, str]:
    from reintegra.employment import selectors

    return {code: str(o) for code, o in selectors.occupations_by_code(codes).items()}


def _day(value: str) -> str:
    try:
        return date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
    except ValueError:
        return value


@dataclass(frozen=True)
class PresentedProfile:
    """A jobseeker profile's stored codes as the reader's words: the case tab and the CV read the same labels."""

    experience: list[dict[str, Any]]
    languages: list[str]
    skills: list[str]
    certifications: list[str]
    education: str
    availability: str
    desired_occupation: str


def present_profile(profile: Any) -> PresentedProfile:
    codes = [row.get("isco", "") for row in profile.experience or []]
    if profile.desired_occupation_id:
        codes.append(profile.desired_occupation.code)
    titles = _occupation_titles([c for c in codes if c])
    experience = [
        {
            "occupation": titles.get(row.get("isco", ""), row.get("isco", "")),
            "years": row.get("years"),
            "abroad": bool(row.get("abroad")),
            "country": countries.name(row.get("country") or "") if row.get("abroad") else "",
            "sector": row.get("sector") or "",
        }
        for row in profile.experience or []
    ]
    return PresentedProfile(
        experience=experience,
        languages=[
            f"{choice_label(JobLanguage, row.get('language', ''))} {choice_label(CefrLevel, row.get('level', ''))}"
            for row in profile.languages or []
        ],
        skills=[
            f"{row.get('name', '')} ({choice_label(SkillEvidence, row.get('evidence', ''))})"
            for row in profile.skills or []
        ],
        certifications=[
            ", ".join(
                part
                for part in (
                    row.get("standard", ""),
                    choice_label(CertificationIssuer, row.get("issuer", "")),
                    _day(row.get("issued_on") or ""),
                    _("until %(day)s") % {"day": _day(row["expires_on"])} if row.get("expires_on") else "",
                )
                if part
            )
            for row in profile.certifications or []
        ],
        education=choice_label(EducationLevel, profile.education_level),
        availability=choice_label(Availability, profile.availability),
        desired_occupation=titles.get(profile.desired_occupation.code, "") if profile.desired_occupation_id else "",
    )


def cv_text(profile: Any) -> str:
    """The profile as the lines of a CV, in the reader's language (codes and labels, no free notes)."""
    if profile is None:
        return ""
    shown = present_profile(profile)
    lines = []
    for row in shown.experience:
        where = _("abroad (%(country)s)") % {"country": row["country"]} if row["abroad"] else _("in the country")
        lines.append(
            _("Experience: %(occupation)s, %(years)s years, %(where)s")
            % {"occupation": row["occupation"], "years": row["years"], "where": where}
        )
    lines.append(_("Education: %(level)s") % {"level": shown.education})
    if shown.languages:
        lines.append(_("Languages: %(languages)s") % {"languages": ", ".join(shown.languages)})
    if shown.skills:
        lines.append(_("Skills: %(skills)s") % {"skills": ", ".join(shown.skills)})
    for certification in shown.certifications:
        lines.append(_("Certification: %(certification)s") % {"certification": certification})
    lines.append(_("Availability: %(availability)s") % {"availability": shown.availability})
    if shown.desired_occupation:
        lines.append(_("Job sought: %(occupation)s") % {"occupation": shown.desired_occupation})
    return "\n".join(str(line) for line in lines)


def _read(referral: Any) -> str:
    from reintegra.employment.models import JobseekerProfile

    profile = JobseekerProfile.objects.filter(case_id=referral.case_id).select_related("desired_occupation").first()
    return cv_text(profile)


def register() -> None:
    from reintegra.referrals import catalogue

    catalogue.register_field(
        catalogue.CaseField(
            CV_FIELD,
            gettext_lazy("Jobseeker CV (occupations, experience, education, languages, skills, certifications)"),
            _read,
        )
    )


def is_cv_only(fields: list[str]) -> bool:
    """Whether an SOP's fields make a job-placement SOP: the CV, and nothing outside `CV_FIELDS`."""
    listed = set(fields or [])
    return CV_FIELD in listed and listed <= CV_FIELDS
