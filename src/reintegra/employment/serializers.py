"""API shapes of labour intermediation. They parse and present; every rule is the service's."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from reintegra.api.fields import IdField
from reintegra.employment import services
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
)
from reintegra.employment.models import JobseekerProfile, Placement, Vacancy


def _text(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, default="", **kwargs)


def _choice(choices: Any, **kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, required=False, allow_blank=True, default="", **kwargs)


class OccupationSerializer(serializers.Serializer):
    code = serializers.CharField()
    level = serializers.IntegerField()
    title = serializers.CharField()
    title_en = serializers.CharField()
    title_es = serializers.CharField()
    title_fr = serializers.CharField()


class OccupationFilters(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True, max_length=100)
    level = serializers.IntegerField(required=False, min_value=1, max_value=4)


class ExperienceSerializer(serializers.Serializer):
    isco = _text(max_length=4)
    years = serializers.FloatField(required=False, allow_null=True, default=None)
    abroad = serializers.BooleanField(required=False, default=False)
    country = _text(max_length=2)
    sector = _text(max_length=120)


class LanguageSerializer(serializers.Serializer):
    language = _choice(JobLanguage.choices)
    level = _choice(CefrLevel.choices)


class SkillSerializer(serializers.Serializer):
    name = _text(max_length=120)
    evidence = _choice(SkillEvidence.choices)


class CertificationSerializer(serializers.Serializer):
    issuer = _choice(CertificationIssuer.choices)
    standard = _text(max_length=200)
    issued_on = serializers.DateField(required=False, allow_null=True, default=None)
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)


class JobseekerSerializer(serializers.Serializer):
    """A jobseeker profile (read, and the PUT of a case's profile)."""

    id = serializers.IntegerField(read_only=True)
    case = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    education_level = _choice(EducationLevel.choices)
    municipality = IdField(required=False, allow_null=True, default=None)
    travel_reach = _choice(TravelReach.choices)
    availability = _choice(Availability.choices)
    desired_occupation = _text(max_length=4)
    desired_wage = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)
    desired_contracts = serializers.ListField(
        child=serializers.ChoiceField(choices=ContractType.choices), required=False, default=list
    )
    experience = ExperienceSerializer(many=True, required=False, default=list)
    languages = LanguageSerializer(many=True, required=False, default=list)
    skills = SkillSerializer(many=True, required=False, default=list)
    certifications = CertificationSerializer(many=True, required=False, default=list)
    notes = _text(max_length=2000)

    @staticmethod
    def present(profile: JobseekerProfile) -> dict[str, Any]:
        return {
            "id": profile.pk,
            "case": profile.case_id,
            "version": profile.revision,
            "education_level": profile.education_level,
            "municipality": profile.municipality_id,
            "travel_reach": profile.travel_reach,
            "availability": profile.availability,
            "desired_occupation": profile.desired_occupation.code if profile.desired_occupation else "",
            "desired_wage": profile.desired_wage,
            "desired_contracts": profile.desired_contracts,
            "experience": profile.experience,
            "languages": profile.languages,
            "skills": profile.skills,
            "certifications": [
                {**c, "issued_on": c.get("issued_on") or None, "expires_on": c.get("expires_on") or None}
                for c in profile.certifications
            ],
            "notes": profile.notes,
        }

    def to_input(self) -> services.ProfileInput:
        v = self.validated_data
        certifications = [
            {
                **c,
                "issued_on": c["issued_on"].isoformat() if c.get("issued_on") else "",
                "expires_on": c["expires_on"].isoformat() if c.get("expires_on") else "",
            }
            for c in v["certifications"]
        ]
        return services.ProfileInput(
            education_level=v["education_level"],
            travel_reach=v["travel_reach"],
            availability=v["availability"],
            municipality_id=v["municipality"],
            desired_occupation=v["desired_occupation"],
            desired_wage=v["desired_wage"],
            desired_contracts=list(v["desired_contracts"]),
            experience=[dict(row) for row in v["experience"]],
            languages=[dict(row) for row in v["languages"]],
            skills=[dict(row) for row in v["skills"]],
            certifications=certifications,
            notes=v["notes"],
        )


class VacancySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    programme = IdField(required=False, allow_null=True, default=None)
    employer = IdField(required=False, allow_null=True, default=None)
    employer_name = serializers.CharField(read_only=True, source="employer.name")
    title = _text(max_length=200)
    occupation = _text(max_length=4)
    essential_skills = serializers.ListField(child=serializers.CharField(max_length=120), required=False, default=list)
    optional_skills = serializers.ListField(child=serializers.CharField(max_length=120), required=False, default=list)
    education_level = _choice(EducationLevel.choices)
    languages = LanguageSerializer(many=True, required=False, default=list)
    municipality = IdField(required=False, allow_null=True, default=None)
    wage_min = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)
    wage_max = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)
    contract_type = _choice(ContractType.choices)
    positions = serializers.IntegerField(required=False, allow_null=True, default=1)
    closing_date = serializers.DateField(required=False, allow_null=True, default=None)
    incentive = serializers.ChoiceField(choices=Incentive.choices, required=False, default=Incentive.NONE)
    status = serializers.CharField(read_only=True)

    @staticmethod
    def present(vacancy: Vacancy) -> dict[str, Any]:
        return {
            "id": vacancy.pk,
            "programme": vacancy.programme_id,
            "employer": vacancy.employer_id,
            "employer_name": vacancy.employer.name,
            "title": vacancy.title,
            "occupation": vacancy.occupation.code,
            "essential_skills": vacancy.essential_skills,
            "optional_skills": vacancy.optional_skills,
            "education_level": vacancy.education_level,
            "languages": vacancy.languages,
            "municipality": vacancy.municipality_id,
            "wage_min": vacancy.wage_min,
            "wage_max": vacancy.wage_max,
            "contract_type": vacancy.contract_type,
            "positions": vacancy.positions,
            "closing_date": vacancy.closing_date,
            "incentive": vacancy.incentive,
            "status": vacancy.status,
        }

    def to_input(self) -> services.VacancyInput:
        v = self.validated_data
        return services.VacancyInput(
            programme_id=v["programme"],
            employer_id=v["employer"],
            title=v["title"],
            occupation=v["occupation"],
            essential_skills=list(v["essential_skills"]),
            optional_skills=list(v["optional_skills"]),
            education_level=v["education_level"],
            languages=[dict(row) for row in v["languages"]],
            municipality_id=v["municipality"],
            wage_min=v["wage_min"],
            wage_max=v["wage_max"],
            contract_type=v["contract_type"],
            positions=v["positions"],
            closing_date=v["closing_date"],
            incentive=v["incentive"],
        )


class FactorsSerializer(serializers.Serializer):
    skills = serializers.FloatField()
    occupation = serializers.FloatField()
    location = serializers.FloatField()
    requirements = serializers.FloatField()
    preferences = serializers.FloatField()


class ExplanationSerializer(serializers.Serializer):
    matched_skills = serializers.ListField(child=serializers.CharField())
    missing_skills = serializers.ListField(child=serializers.CharField())
    optional_skills = serializers.ListField(child=serializers.CharField())
    occupation_digits = serializers.IntegerField()


class CandidateSerializer(serializers.Serializer):
    jobseeker = serializers.IntegerField()
    case = serializers.IntegerField()
    score = serializers.FloatField()
    factors = FactorsSerializer()
    explanation = ExplanationSerializer()


class VacancyMatchSerializer(serializers.Serializer):
    vacancy = serializers.IntegerField()
    title = serializers.CharField()
    score = serializers.FloatField()
    factors = FactorsSerializer()
    explanation = ExplanationSerializer()


def explanation(m: Any) -> dict[str, Any]:
    return {
        "matched_skills": list(m.matched_skills),
        "missing_skills": list(m.missing_skills),
        "optional_skills": list(m.optional_skills),
        "occupation_digits": m.occupation_level,
    }


class RetentionCheckSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    months = serializers.IntegerField()
    due_on = serializers.DateField()
    checked_on = serializers.DateField(allow_null=True)
    outcome = serializers.CharField()


class PlacementReferralSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The referral (GET /api/v1/referrals/{id}/)")
    reference = serializers.CharField()
    status = serializers.CharField(help_text="The referral's status: the employer's or service's answer")


class PlacementSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    vacancy = IdField()
    jobseeker = IdField()
    status = serializers.CharField(read_only=True)
    score = serializers.FloatField(read_only=True)
    shortlisted_on = serializers.DateField(read_only=True)
    interview_on = serializers.DateField(read_only=True, allow_null=True)
    decided_on = serializers.DateField(read_only=True, allow_null=True)
    not_hired_reason = serializers.CharField(read_only=True)
    retention_checks = RetentionCheckSerializer(many=True, read_only=True)
    referral = PlacementReferralSerializer(read_only=True, allow_null=True)

    @staticmethod
    def present(p: Placement) -> dict[str, Any]:
        return {
            "id": p.pk,
            "vacancy": p.vacancy_id,
            "jobseeker": p.profile_id,
            "status": p.status,
            "score": p.score,
            "shortlisted_on": p.shortlisted_on,
            "interview_on": p.interview_on,
            "decided_on": p.decided_on,
            "not_hired_reason": p.not_hired_reason,
            "retention_checks": [
                {"id": c.pk, "months": c.months, "due_on": c.due_on, "checked_on": c.checked_on, "outcome": c.outcome}
                for c in p.retention_checks.all()
            ],
            "referral": (
                {"id": p.referral.pk, "reference": p.referral.reference, "status": p.referral.status}
                if p.referral is not None
                else None
            ),
        }


class PlacementReferSerializer(serializers.Serializer):
    """Refer the shortlisted candidate to an employment or intermediation service of the directory."""

    service = IdField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A service of the directory (sector employment) under a job-placement SOP",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PlacementStepSerializer(serializers.Serializer):
    step = _choice([c for c in PlacementStatus.choices if c[0] != PlacementStatus.SHORTLISTED])
    on = serializers.DateField(required=False, allow_null=True, default=None)
    reason = _choice(NotHiredReason.choices)


class RetentionSerializer(serializers.Serializer):
    months = serializers.ChoiceField(choices=[(3, "3"), (6, "6"), (12, "12")])
    outcome = _choice(RetentionOutcome.choices)
    checked_on = serializers.DateField(required=False, allow_null=True, default=None)


class SkillsGapFilters(serializers.Serializer):
    admin1 = IdField(required=False)


class SkillGapSerializer(serializers.Serializer):
    skill = serializers.CharField()
    vacancies = serializers.IntegerField()
    jobseekers = serializers.IntegerField(allow_null=True, help_text="null: hidden below the suppression threshold")


class SkillsGapsSerializer(serializers.Serializer):
    k = serializers.IntegerField()
    jobseekers = serializers.IntegerField(allow_null=True)
    gaps = SkillGapSerializer(many=True)
