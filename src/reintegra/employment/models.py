"""Labour intermediation: the ISCO-08 occupations (data), jobseeker profiles on a returnee's case, vacancies
of private-sector stakeholders (structural level: one record, not a copy), placements and their retention
checks. docs/employment.md."""

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from reintegra.access.fields import EncryptedJSONField, EncryptedTextField
from reintegra.access.versioning import Versioned
from reintegra.employment.choices import (
    Availability,
    ContractType,
    EducationLevel,
    Incentive,
    NotHiredReason,
    PlacementStatus,
    RetentionOutcome,
    TravelReach,
    VacancyStatus,
)


class Occupation(models.Model):
    """A group of ISCO-08 (ILO): major (1 digit), sub-major (2), minor (3) or unit (4), with its titles in
    English, Spanish and French. Loaded from `employment/data/isco08.csv` by the migration."""

    code = models.CharField(_("ISCO-08 code"), max_length=4, unique=True)
    level = models.PositiveSmallIntegerField(_("level"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_es = models.CharField(_("title (Spanish)"), max_length=300)
    title_fr = models.CharField(_("title (French)"), max_length=300)
    # The code and the three titles, lower case without accents: what `?search=` compares with.
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("occupation (ISCO-08)")
        verbose_name_plural = _("occupations (ISCO-08)")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def title(self) -> str:
        language = (translation.get_language() or "es")[:2]
        return str({"en": self.title_en, "fr": self.title_fr}.get(language, self.title_es))


class JobseekerProfile(Versioned):
    """A returnee's jobseeker profile, on their case, recorded only with a valid consent for the purpose
    "employment". Work history (including work abroad) and certifications are encrypted at rest; occupations,
    skills and languages stay in clear for matching and the skills-gap counts (never shown below k)."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="jobseeker_profile")
    # [{"isco": "7112", "years": 4, "abroad": true, "country": "US", "sector": "construction"}]
    experience: "models.Field[list[Any], list[Any]]" = EncryptedJSONField(_("work experience"), default=list)
    # Every ISCO code of the experience and the desired job (clear, for matching and counts).
    isco_codes = models.JSONField(default=list, editable=False)
    education_level = models.CharField(_("education (ISCED 2011)"), max_length=2, choices=EducationLevel.choices)
    # [{"language": "en", "level": "B1"}]
    languages = models.JSONField(_("languages"), default=list, blank=True)
    # [{"name": "soldadura", "evidence": "certified"}]
    skills = models.JSONField(_("skills"), default=list, blank=True)
    # [{"issuer": "intecap", "standard": "...", "issued_on": "2024-05-01", "expires_on": null}]
    certifications: "models.Field[list[Any], list[Any]]" = EncryptedJSONField(_("certifications"), default=list)
    municipality = models.ForeignKey(
        "places.AdminArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    travel_reach = models.CharField(_("how far the person can travel"), max_length=16, choices=TravelReach.choices)
    availability = models.CharField(_("availability"), max_length=16, choices=Availability.choices)
    desired_occupation = models.ForeignKey(
        Occupation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("desired job"),
    )
    desired_wage = models.PositiveIntegerField(_("desired monthly wage"), null=True, blank=True)
    desired_contracts = models.JSONField(_("contracts accepted"), default=list, blank=True)
    notes = EncryptedTextField(_("notes"), max_length=2000)
    # What matching reads, in one clear column written with the profile (`selectors.match_data`): the ISCO
    # codes, the skills already normalised, languages and contracts; one JSON value per jobseeker to load when
    # ranking thousands (docs/employment.md, benchmark).
    match_data = models.JSONField(default=dict, editable=False)
    registered_on = models.DateField(_("registered on"), default=timezone.localdate)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("jobseeker profile")
        verbose_name_plural = _("jobseeker profiles")


class Vacancy(Versioned):
    """A job an employer (a private-sector stakeholder of a programme) offers, owned by that programme."""

    programme = models.ForeignKey("access.Programme", on_delete=models.PROTECT, related_name="vacancies")
    employer = models.ForeignKey(
        "structural.Stakeholder", on_delete=models.PROTECT, related_name="vacancies", verbose_name=_("employer")
    )
    title = models.CharField(_("title"), max_length=200)
    occupation = models.ForeignKey(Occupation, on_delete=models.PROTECT, related_name="+", verbose_name=_("occupation"))
    essential_skills = models.JSONField(_("essential skills"), default=list, blank=True)
    optional_skills = models.JSONField(_("optional skills"), default=list, blank=True)
    education_level = models.CharField(
        _("minimum education (ISCED 2011)"), max_length=2, choices=EducationLevel.choices, blank=True, default=""
    )
    languages = models.JSONField(_("languages required"), default=list, blank=True)
    municipality = models.ForeignKey(
        "places.AdminArea", on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    wage_min = models.PositiveIntegerField(_("minimum monthly wage"), null=True, blank=True)
    wage_max = models.PositiveIntegerField(_("maximum monthly wage"), null=True, blank=True)
    contract_type = models.CharField(_("contract"), max_length=16, choices=ContractType.choices)
    positions = models.PositiveSmallIntegerField(_("positions"), default=1, validators=[MinValueValidator(1)])
    closing_date = models.DateField(_("closing date"))
    incentive = models.CharField(_("incentive"), max_length=30, choices=Incentive.choices, default=Incentive.NONE)
    status = models.CharField(_("status"), max_length=10, choices=VacancyStatus.choices, default=VacancyStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vacancy")
        verbose_name_plural = _("vacancies")
        ordering = ["closing_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(wage_min__isnull=True) | Q(wage_max__isnull=True) | Q(wage_max__gte=models.F("wage_min")),
                name="vacancy_wage_range",
            ),
            models.CheckConstraint(condition=Q(positions__gte=1), name="vacancy_positions_1"),
        ]

    def __str__(self) -> str:
        return self.title


class Placement(Versioned):
    """A jobseeker's way through one vacancy: shortlisted → interview → hired / not hired (reason); a hire is
    followed by retention checks at 3, 6 and 12 months."""

    vacancy = models.ForeignKey(Vacancy, on_delete=models.PROTECT, related_name="placements")
    profile = models.ForeignKey(JobseekerProfile, on_delete=models.CASCADE, related_name="placements")
    status = models.CharField(
        _("status"), max_length=12, choices=PlacementStatus.choices, default=PlacementStatus.SHORTLISTED
    )
    score = models.FloatField(_("match score when shortlisted"), default=0)
    shortlisted_on = models.DateField(_("shortlisted on"), default=timezone.localdate)
    interview_on = models.DateField(_("interview on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    not_hired_reason = models.CharField(
        _("reason"), max_length=16, choices=NotHiredReason.choices, blank=True, default=""
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The hand-off of the candidate to the employer or intermediation service: a referral of the referral
    # network (consent naming the recipient, the SOP's CV fields only, the provider's answer). The latest one:
    # after a refusal the candidate may be referred again, the earlier referral stays in the case's referrals.
    referral = models.OneToOneField(
        "referrals.Referral",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="placement",
        verbose_name=_("referral"),
    )

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["-shortlisted_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["vacancy", "profile"], name="placement_one_per_vacancy"),
        ]


class RetentionCheck(models.Model):
    """Whether a hired person is still in work 3, 6 and 12 months after the hire."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="retention_checks")
    months = models.PositiveSmallIntegerField(_("months after the hire"))
    due_on = models.DateField(_("due on"))
    checked_on = models.DateField(_("checked on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=RetentionOutcome.choices, blank=True, default="")

    class Meta:
        verbose_name = _("retention check")
        verbose_name_plural = _("retention checks")
        ordering = ["months"]
        constraints = [models.UniqueConstraint(fields=["placement", "months"], name="retention_check_once")]
