"""The jobseeker's CV as an SOP field of the referral network, and which fields a job-placement SOP may transfer.

A candidate is proposed to an employer or an intermediation service by a referral (`referrals`), under the
referring organisation's SOP with that provider; the SOP lists the case data the provider receives. For a job
placement that is a CV: who the person is and how to reach them, and the profile's work record, never the
case's needs, vulnerabilities, health or household (docs/employment.md "Referring a candidate").
"""

from __future__ import annotations

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


def cv_text(profile: Any) -> str:
    """The profile as the lines of a CV, in the reader's language (codes and labels, no free notes)."""
    if profile is None:
        return ""
    codes = [row.get("isco", "") for row in profile.experience or []]
    if profile.desired_occupation_id:
        codes.append(profile.desired_occupation.code)
    titles = _occupation_titles([c for c in codes if c])
    lines = []
    for row in profile.experience or []:
        where = (
            _("abroad (%(country)s)") % {"country": countries.name(row.get("country") or "")}
            if row.get("abroad")
            else _("in the country")
        )
        lines.append(
            _("Experience: %(occupation)s, %(years)s years, %(where)s")
            % {
                "occupation": titles.get(row.get("isco", ""), row.get("isco", "")),
                "years": row.get("years"),
                "where": where,
            }
        )
    lines.append(_("Education: %(level)s") % {"level": choice_label(EducationLevel, profile.education_level)})
    languages = ", ".join(
        f"{choice_label(JobLanguage, row.get('language', ''))} {choice_label(CefrLevel, row.get('level', ''))}"
        for row in profile.languages or []
    )
    if languages:
        lines.append(_("Languages: %(languages)s") % {"languages": languages})
    skills = ", ".join(
        f"{row.get('name', '')} ({choice_label(SkillEvidence, row.get('evidence', ''))})"
        for row in profile.skills or []
    )
    if skills:
        lines.append(_("Skills: %(skills)s") % {"skills": skills})
    for row in profile.certifications or []:
        lines.append(
            _("Certification: %(standard)s, %(issuer)s, %(issued_on)s")
            % {
                "standard": row.get("standard", ""),
                "issuer": choice_label(CertificationIssuer, row.get("issuer", "")),
                "issued_on": _day(row.get("issued_on") or ""),
            }
        )
    lines.append(
        _("Availability: %(availability)s") % {"availability": choice_label(Availability, profile.availability)}
    )
    if profile.desired_occupation_id:
        lines.append(_("Job sought: %(occupation)s") % {"occupation": titles.get(profile.desired_occupation.code, "")})
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
