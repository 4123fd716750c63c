"""The child's case: profile, best-interests assessment (BIA) and determination (BID), child plan.
Family tracing and reunification live in `tracing_models` (imported below so Django registers them)."""

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reintegra.access.fields import EncryptedCharField, EncryptedJSONField, EncryptedTextField
from reintegra.access.roles import SensitiveCategory
from reintegra.access.versioning import Versioned
from reintegra.children.choices import (
    AssessmentStage,
    BiaPriority,
    BiaRecommendation,
    BiaStatus,
    BidDecision,
    CareStatus,
    ChildProtectionAuthority,
    GuardianshipStatus,
    HearingMethod,
    PanelRole,
    ParticipationDecision,
    ParticipationMethod,
    SchoolEnrolment,
)
from reintegra.children.plan_models import *  # noqa: F403  # child plan
from reintegra.children.tracing_models import *  # noqa: F403

PROTECTION = SensitiveCategory.PROTECTION


class ChildProtectionSettings(Versioned):
    """A programme's deadlines for completing a best-interests assessment, by priority (days)."""

    programme = models.OneToOneField("access.Programme", on_delete=models.CASCADE, related_name="child_settings")
    high_priority_days = models.PositiveSmallIntegerField(
        _("days to complete a high-priority BIA"), default=2, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    medium_priority_days = models.PositiveSmallIntegerField(
        _("days to complete a medium-priority BIA"), default=7, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    low_priority_days = models.PositiveSmallIntegerField(
        _("days to complete a low-priority BIA"), default=30, validators=[MinValueValidator(1), MaxValueValidator(180)]
    )

    class Meta:
        verbose_name = _("child-protection settings")
        verbose_name_plural = _("child-protection settings")


class ChildProfile(Versioned):
    """The child's own record beside the case: care situation, caregivers and guardian, the authority involved,
    school and health. Every free-text field is in the protection category (encrypted, seen only with it);
    the care status stays in clear like the attention flags, for the rules and the counts."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="child_profile")
    # The household member this child case was opened for, from an adult's case (the family group).
    household_member = models.OneToOneField(
        "cases.HouseholdMember", on_delete=models.SET_NULL, null=True, blank=True, related_name="child_profile"
    )
    care_status = models.CharField(_("care situation"), max_length=16, choices=CareStatus.choices)
    # [{"name", "relationship", "contact"}], encrypted as one document.
    caregivers: "models.Field[list[Any], list[Any]]" = EncryptedJSONField(
        _("caregivers"), category=PROTECTION, default=list
    )
    guardian_name = EncryptedCharField(_("legal guardian"), max_length=160, category=PROTECTION)
    guardian_relationship = EncryptedCharField(
        _("guardian's relationship to the child"), max_length=80, category=PROTECTION
    )
    guardian_contact = EncryptedCharField(_("guardian's contact"), max_length=160, category=PROTECTION)
    guardianship_status = models.CharField(
        _("legal status of the guardianship"),
        max_length=16,
        choices=GuardianshipStatus.choices,
        default=GuardianshipStatus.UNKNOWN,
    )
    guardian_informed = models.BooleanField(_("guardian informed"), default=False)
    authority = models.CharField(
        _("child-protection authority"), max_length=16, choices=ChildProtectionAuthority.choices, blank=True, default=""
    )
    authority_officer = EncryptedCharField(_("officer of the authority"), max_length=160, category=PROTECTION)
    authority_reference = EncryptedCharField(_("authority's file reference"), max_length=80, category=PROTECTION)
    school_enrolment = models.CharField(
        _("school enrolment"), max_length=16, choices=SchoolEnrolment.choices, default=SchoolEnrolment.UNKNOWN
    )
    school_notes = EncryptedTextField(_("school"), max_length=500, category=PROTECTION)
    health_status = EncryptedTextField(_("health status"), max_length=500, category=PROTECTION)
    languages = EncryptedCharField(_("the child's languages"), max_length=200, category=PROTECTION)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("child profile")
        verbose_name_plural = _("child profiles")

    @property
    def is_unaccompanied(self) -> bool:
        return self.care_status == CareStatus.UNACCOMPANIED


class BestInterestsAssessment(Versioned):
    """A best-interests assessment (BIA): repeatable along the path, in sections, with the child's
    participation, a recommendation, a priority that sets its deadline, and a supervisor's approval."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="best_interests_assessments")
    stage = models.CharField(_("stage"), max_length=20, choices=AssessmentStage.choices)
    priority = models.CharField(_("priority"), max_length=8, choices=BiaPriority.choices)
    started_on = models.DateField(_("started on"))
    due_on = models.DateField(_("to be completed by"), editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=BiaStatus.choices, default=BiaStatus.IN_PROGRESS, editable=False
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("best-interests assessment", "assessed by"),
    )
    # The child's views and wishes, and how the child was heard.
    child_participated = models.BooleanField(_("the child participated"), default=False)
    hearing_method = models.CharField(
        _("how the child was heard"), max_length=16, choices=HearingMethod.choices, blank=True, default=""
    )
    trusted_adult_present = models.BooleanField(_("a trusted adult was present"), default=False)
    child_views = EncryptedTextField(_("the child's views and wishes"), max_length=4000, category=PROTECTION)
    participation_note = EncryptedTextField(_("why the child was not heard"), max_length=1000, category=PROTECTION)
    # Sections.
    family_situation = EncryptedTextField(
        _("family situation and care arrangements"), max_length=4000, category=PROTECTION
    )
    risk_indicators: "models.Field[list[Any], list[Any]]" = EncryptedJSONField(
        _("safety and risk indicators"), category=PROTECTION, default=list
    )
    safety_risks = EncryptedTextField(_("safety and risks"), max_length=4000, category=PROTECTION)
    health = EncryptedTextField(_("health"), max_length=4000, category=PROTECTION)
    education = EncryptedTextField(_("education"), max_length=4000, category=PROTECTION)
    psychosocial = EncryptedTextField(_("psychosocial well-being"), max_length=4000, category=PROTECTION)
    family_needs = EncryptedTextField(
        _("the family's social, psychosocial and economic needs in the country of origin"),
        max_length=4000,
        category=PROTECTION,
    )
    local_context = EncryptedTextField(
        _("context: referral network and infrastructure"), max_length=4000, category=PROTECTION
    )
    cross_border = EncryptedTextField(_("cross-border consent and data issues"), max_length=4000, category=PROTECTION)
    recommendation = models.CharField(
        _("recommendation"), max_length=20, choices=BiaRecommendation.choices, blank=True, default=""
    )
    recommendation_reasons = EncryptedTextField(
        _("reasons for the recommendation"), max_length=4000, category=PROTECTION
    )
    submitted_on = models.DateField(_("completed on"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("approved by"),
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True, editable=False)
    approval_note = EncryptedTextField(_("supervisor's note"), max_length=1000, category=PROTECTION)
    # Set when a supervisor sent the completed assessment back to its author; cleared when it is completed again.
    returned_on = models.DateField(_("sent back for revision on"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("best-interests assessment")
        verbose_name_plural = _("best-interests assessments")
        ordering = ["-started_on", "-id"]
        indexes = [models.Index(fields=["status", "due_on"], name="bia_status_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=BiaStatus.APPROVED) | (Q(approved_on__isnull=False) & Q(approved_by__isnull=False)),
                name="approved_bia_has_approver",
            ),
        ]

    def is_overdue(self, today: object = None) -> bool:
        day = today or timezone.localdate()
        return self.status == BiaStatus.IN_PROGRESS and self.due_on < day  # type: ignore[operator]


class BestInterestsDetermination(Versioned):
    """A best-interests determination (BID) by a panel, for unaccompanied and separated children. Seen only
    by its panel members, the case manager and supervisors."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="best_interests_determinations")
    convened_on = models.DateField(_("panel convened on"))
    decision = models.CharField(_("decision"), max_length=24, choices=BidDecision.choices, blank=True, default="")
    reasons = EncryptedTextField(_("reasons"), max_length=4000, category=PROTECTION)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    review_on = models.DateField(_("review date"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("best-interests determination")
        verbose_name_plural = _("best-interests determinations")
        ordering = ["-convened_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(decision="") | Q(decided_on__isnull=False), name="decided_bid_has_date"),
        ]

    @property
    def is_decided(self) -> bool:
        return bool(self.decision)


class PanelMember(models.Model):
    """A member of a determination panel; part of the determination (its version covers the members). A member
    from outside the platform (the authority's officer) has a name and no user."""

    determination = models.ForeignKey(BestInterestsDetermination, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = EncryptedCharField(_("name"), max_length=160, category=PROTECTION)
    role = models.CharField(_("role on the panel"), max_length=20, choices=PanelRole.choices)
    no_conflict_declared = models.BooleanField(_("declared no conflict of interest"), default=False)
    conflict_note = EncryptedTextField(_("conflict of interest declared"), max_length=500, category=PROTECTION)
    confidentiality_declared = models.BooleanField(_("signed the confidentiality declaration"), default=False)

    class Meta:
        verbose_name = _("panel member")
        verbose_name_plural = _("panel members")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["determination", "user"], condition=Q(user__isnull=False), name="panel_member_once"
            ),
        ]


class ChildParticipation(models.Model):
    """How the child took part in a decision about their case (the plan, the closure). Recorded, not edited:
    a later entry supersedes an earlier one."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="child_participations")
    decision = models.CharField(_("decision"), max_length=10, choices=ParticipationDecision.choices)
    method = models.CharField(_("how the child took part"), max_length=16, choices=ParticipationMethod.choices)
    views = EncryptedTextField(
        _("the child's views, or why the child was not heard"), max_length=2000, category=PROTECTION
    )
    recorded_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("child participation")
        verbose_name_plural = _("child participations")
        ordering = ["-recorded_on", "-id"]
        indexes = [models.Index(fields=["case", "decision"], name="child_participation_idx")]

    @property
    def participated(self) -> bool:
        return self.method != ParticipationMethod.NOT_HEARD
