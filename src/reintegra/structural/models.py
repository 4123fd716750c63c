"""The structural level (Handbook module 4): stakeholders and engagement, agreements, capacity building,
coordination mechanisms, international cooperation and policy mainstreaming.

Every record belongs to a `Programme` directly (children copy their parent's), so one scoping rule
(selectors.py) applies to every table with a single indexed filter. The programme's organisation owns
the records; another organisation's coordinators change them only under a `WriteGrant` from it.

Size (over 600 lines): the twenty record kinds of the structural level share `ProgrammeRecord` and
one scoping rule, and each is short; a reader finds them all in one place.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from reintegra.access.versioning import Versioned
from reintegra.structural import choices as c
from reintegra.structural import engagement, schedule
from reintegra.web.dates import local_date

SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class ProgrammeRecord(Versioned):
    programme = models.ForeignKey(
        "access.Programme", on_delete=models.PROTECT, related_name="+", verbose_name=_("programme")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class WriteGrant(models.Model):
    """Write access an organisation gives a coordination body (another organisation on the platform) to its
    shared records: the structural records of one of its programmes, or the regional actions it entered.

    Granted and revoked by the owner's programme managers. It lets the grantee's coordinators change
    what they already read (the programmes of their country; every regional action); reading is not
    granted here. Revoked grants stay, dated, as the record of who could write when."""

    organisation = models.ForeignKey(
        "access.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("granting organisation")
    )
    grantee = models.ForeignKey(
        "access.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("coordination body")
    )
    scope = models.CharField(_("what it covers"), max_length=12, choices=c.GrantScope.choices)
    programme = models.ForeignKey(
        "access.Programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("programme"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("granted by")
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("write grant")
        verbose_name_plural = _("write grants")
        ordering = ["-granted_at", "-id"]
        indexes = [models.Index(fields=["grantee", "scope", "revoked_at"], name="write_grant_grantee_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope="structural") & Q(programme__isnull=False))
                | (Q(scope="regional") & Q(programme__isnull=True)),
                name="write_grant_scope_programme",
            ),
            models.CheckConstraint(condition=~Q(grantee=models.F("organisation")), name="write_grant_other_org"),
            models.UniqueConstraint(
                fields=["organisation", "grantee", "programme"],
                condition=Q(scope="structural", revoked_at__isnull=True),
                name="write_grant_once_structural",
            ),
            models.UniqueConstraint(
                fields=["organisation", "grantee"],
                condition=Q(scope="regional", revoked_at__isnull=True),
                name="write_grant_once_regional",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} → {self.grantee_id} ({self.scope})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


# --- Stakeholders (§6.1) ------------------------------------------------------------------------


class Stakeholder(ProgrammeRecord):
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=30, choices=c.StakeholderCategory.choices)
    level = models.CharField(_("level"), max_length=20, choices=c.GeographicLevel.choices)
    country = CountryField(_("country"))
    area = models.CharField(_("area"), max_length=200, blank=True)
    relevance = models.TextField(_("relevance"), blank=True)
    functions = models.JSONField(_("possible functions"), default=list, blank=True)
    stance = models.CharField(
        _("anticipated stance towards the programme"), max_length=20, choices=c.Stance.choices, default=c.Stance.UNKNOWN
    )
    interest = models.PositiveSmallIntegerField(_("interest (1-5)"), validators=SCORE)
    influence = models.PositiveSmallIntegerField(_("influence (1-5)"), validators=SCORE)
    engagement_strategy = models.TextField(_("engagement strategy"), blank=True)
    concerns = models.TextField(_("concerns"), blank=True)
    expectations = models.TextField(_("expectations"), blank=True)
    perceptions = models.TextField(_("perceptions"), blank=True)
    engaged_on = models.DateField(_("initial engagement on"), null=True, blank=True)
    last_reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    significant_change_on = models.DateField(_("significant change on"), null=True, blank=True)
    next_review_on = models.DateField(_("next review on"), null=True, blank=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible in the programme"),
    )

    class Meta:
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(interest__gte=1, interest__lte=5), name="stakeholder_interest_1_5"),
            models.CheckConstraint(condition=Q(influence__gte=1, influence__lte=5), name="stakeholder_influence_1_5"),
        ]
        indexes = [
            models.Index(fields=["programme", "name"], name="stakeholder_prog_name_idx"),
            models.Index(fields=["programme", "category"], name="stakeholder_prog_cat_idx"),
            models.Index(fields=["next_review_on"], name="stakeholder_review_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def engagement_category(self) -> str:
        return engagement.engagement_category(self.interest, self.influence, self.programme.stakeholder_high_threshold)

    def get_engagement_category_display(self) -> str:
        return str(c.EngagementCategory(self.engagement_category).label)

    def refresh_next_review(self) -> None:
        self.next_review_on = schedule.next_review_on(
            self.engaged_on, self.last_reviewed_on, self.significant_change_on, self.programme.stakeholder_review_months
        )


class ContactPerson(ProgrammeRecord):
    """A person to contact at a stakeholder: personal data, kept out of logs and exports."""

    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Interaction(ProgrammeRecord):
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="interactions")
    kind = models.CharField(_("kind"), max_length=20, choices=c.InteractionKind.choices)
    occurred_on = models.DateField(_("date"))
    summary = models.TextField(_("summary of the discussion"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["stakeholder", "-occurred_on"], name="interaction_stk_date_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"


class CommonProduct(ProgrammeRecord):
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="products")
    kind = models.CharField(_("kind"), max_length=20, choices=c.ProductKind.choices)
    description = models.TextField(_("description"))
    owner = models.CharField(_("owner"), max_length=200, blank=True)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=c.ProductStatus.choices, default=c.ProductStatus.AGREED
    )

    class Meta:
        verbose_name = _("common product")
        verbose_name_plural = _("common products")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["programme", "status", "due_on"], name="product_prog_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description[:60]}"

    @property
    def is_behind(self) -> bool:
        from django.utils import timezone

        return engagement.product_is_behind(engagement.ProductState(self.status, self.due_on), timezone.localdate())


class StakeholderReview(ProgrammeRecord):
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    reason = models.CharField(
        _("reason"), max_length=20, choices=c.ReviewReason.choices, default=c.ReviewReason.SCHEDULED
    )
    progress = models.CharField(_("progress of common products"), max_length=20, choices=c.ProgressAssessment.choices)
    notes = models.TextField(_("notes and adaptations of the approach"), blank=True)

    class Meta:
        verbose_name = _("engagement review")
        verbose_name_plural = _("engagement reviews")
        ordering = ["-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.stakeholder} {self.reviewed_on}"


# --- Agreements ---------------------------------------------------------------------------------


class Agreement(ProgrammeRecord):
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=c.AgreementKind.choices)
    parties = models.ManyToManyField(Stakeholder, related_name="agreements", verbose_name=_("parties"), blank=True)
    scope = models.TextField(_("scope"), blank=True)
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=c.AgreementStatus.choices, default=c.AgreementStatus.DRAFT
    )

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["ends_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="agreement_ends_after_start",
            )
        ]
        indexes = [
            models.Index(fields=["programme", "title"], name="agreement_prog_title_idx"),
            models.Index(fields=["status", "ends_on"], name="agreement_status_end_idx"),
        ]

    def clean(self) -> None:
        # The constraint's rule, said on the end date (run by the web form and by services.save_record alike).
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError(
                {"ends_on": ValidationError(_("The end date cannot be before the start date."), "ends_before_start")}
            )

    def __str__(self) -> str:
        return self.title

    @property
    def renewal_notice_on(self) -> date | None:
        return schedule.renewal_notice_on(self.ends_on, self.programme.agreement_renewal_notice_days)


# --- Coordination (§6.3) ------------------------------------------------------------------------


class CoordinationMechanism(ProgrammeRecord):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=c.MechanismKind.choices)
    level = models.CharField(_("level"), max_length=20, choices=c.GeographicLevel.choices)
    chair = models.ForeignKey(
        Stakeholder, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("chair")
    )
    mandate = models.TextField(_("mandate"), blank=True)
    approved_on = models.DateField(_("officially approved on"), null=True, blank=True)
    approval_reference = models.CharField(_("approval reference"), max_length=200, blank=True)
    experts_observers = models.TextField(_("experts and observers"), blank=True)
    is_active = models.BooleanField(pgettext_lazy("coordination mechanism", "active"), default=True)

    class Meta:
        verbose_name = _("coordination mechanism")
        verbose_name_plural = _("coordination mechanisms")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["programme", "name"], name="mechanism_prog_name_idx")]

    def __str__(self) -> str:
        return self.name


class MechanismMember(ProgrammeRecord):
    mechanism = models.ForeignKey(CoordinationMechanism, on_delete=models.CASCADE, related_name="members")
    stakeholder = models.ForeignKey(
        Stakeholder, on_delete=models.CASCADE, related_name="+", verbose_name=_("stakeholder")
    )
    role = models.CharField(_("role"), max_length=20, choices=c.MemberRole.choices, default=c.MemberRole.MEMBER)
    representative = models.CharField(_("representative"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    is_senior = models.BooleanField(_("senior official"), default=False)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["role", "id"]
        constraints = [models.UniqueConstraint(fields=["mechanism", "stakeholder"], name="member_once_per_mechanism")]

    def __str__(self) -> str:
        return str(self.stakeholder)


class Meeting(ProgrammeRecord):
    mechanism = models.ForeignKey(
        CoordinationMechanism,
        on_delete=models.CASCADE,
        related_name="meetings",
        verbose_name=_("coordination mechanism"),
    )
    held_on = models.DateField(_("date"))
    location = models.CharField(_("place"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    attendees = models.ManyToManyField(Stakeholder, related_name="+", verbose_name=_("attendance"), blank=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["mechanism", "-held_on"], name="meeting_mech_date_idx")]

    def __str__(self) -> str:
        return f"{self.mechanism} {local_date(self.held_on)}"


# --- Policy mainstreaming (§6.5) ----------------------------------------------------------------


class MainstreamingProcess(ProgrammeRecord):
    title = models.CharField(_("title"), max_length=200)
    level = models.CharField(_("level"), max_length=20, choices=c.MAINSTREAMING_LEVELS)
    area = models.CharField(_("area"), max_length=200, blank=True)
    lead = models.ForeignKey(
        Stakeholder, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("lead")
    )
    purpose = models.TextField(_("purpose"), blank=True)
    started_on = models.DateField(_("start date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=c.WorkStatus.choices, default=c.WorkStatus.PLANNED)

    class Meta:
        verbose_name = _("mainstreaming process")
        verbose_name_plural = _("mainstreaming processes")
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["programme", "title"], name="process_prog_title_idx")]

    def __str__(self) -> str:
        return self.title


class SectorOpportunity(ProgrammeRecord):
    process = models.ForeignKey(MainstreamingProcess, on_delete=models.CASCADE, related_name="opportunities")
    sector = models.CharField(_("sector"), max_length=20, choices=c.PolicySector.choices)
    opportunity = models.TextField(_("opportunity chosen"))
    responsible = models.CharField(_("responsible"), max_length=200, blank=True)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=c.WorkStatus.choices, default=c.WorkStatus.PLANNED)

    class Meta:
        verbose_name = _("sectoral opportunity")
        verbose_name_plural = _("sectoral opportunities")
        ordering = ["sector", "id"]

    def __str__(self) -> str:
        return f"{self.get_sector_display()}: {self.opportunity[:60]}"


class ActionItem(ProgrammeRecord):
    """An action to complete: from a coordination meeting, or part of a mainstreaming action plan."""

    mechanism = models.ForeignKey(
        CoordinationMechanism, on_delete=models.CASCADE, null=True, blank=True, related_name="action_items"
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="action_items")
    process = models.ForeignKey(
        MainstreamingProcess, on_delete=models.CASCADE, null=True, blank=True, related_name="action_items"
    )
    description = models.TextField(_("action"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner (platform user)"),
    )
    owner_stakeholder = models.ForeignKey(
        Stakeholder,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner (institution)"),
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=c.WorkStatus.choices, default=c.WorkStatus.PLANNED)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["programme", "status", "due_on"], name="action_prog_status_idx"),
            models.Index(fields=["status", "due_on"], name="action_status_due_idx"),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        done = self.status in (c.WorkStatus.DONE, c.WorkStatus.CANCELLED)
        return schedule.is_overdue(self.due_on, done, timezone.localdate())


# --- Capacity building (§6.2) -------------------------------------------------------------------


class CapacityAssessment(ProgrammeRecord):
    stakeholder = models.ForeignKey(
        Stakeholder, on_delete=models.CASCADE, related_name="capacity_assessments", verbose_name=_("stakeholder")
    )
    area = models.CharField(_("capacity area"), max_length=200)
    aspect = models.CharField(_("aspect"), max_length=20, choices=c.Aspect.choices)
    current_level = models.PositiveSmallIntegerField(_("current level (1-5)"), validators=SCORE)
    target_level = models.PositiveSmallIntegerField(_("target level (1-5)"), validators=SCORE)
    gap = models.TextField(_("capacity gap"), blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=c.CapacityPriority.choices, default=c.CapacityPriority.MEDIUM
    )
    assessed_on = models.DateField(_("assessed on"))

    class Meta:
        verbose_name = _("capacity assessment")
        verbose_name_plural = _("capacity assessments")
        ordering = ["-assessed_on", "id"]
        indexes = [models.Index(fields=["programme", "priority"], name="capacity_prog_prio_idx")]

    def __str__(self) -> str:
        return f"{self.stakeholder}: {self.area}"

    def clean(self) -> None:
        # Run by the web form and by services.save_record alike (one rule path).
        if self.current_level is not None and self.target_level is not None and self.target_level < self.current_level:
            raise ValidationError(
                {
                    "target_level": ValidationError(
                        _("The target level cannot be below the current level."), "below_current"
                    )
                }
            )


class CapacityPlan(ProgrammeRecord):
    title = models.CharField(_("title"), max_length=200)
    stakeholders = models.ManyToManyField(Stakeholder, related_name="+", verbose_name=_("stakeholders"), blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    priorities_alignment = models.TextField(_("alignment with national and local priorities"), blank=True)
    assessment_summary = models.TextField(_("summary of the capacity assessments"), blank=True)
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=c.WorkStatus.choices, default=c.WorkStatus.PLANNED)

    class Meta:
        verbose_name = _("capacity-development plan")
        verbose_name_plural = _("capacity-development plans")
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["programme", "title"], name="capplan_prog_title_idx")]

    def __str__(self) -> str:
        return self.title


class CapacityActivity(ProgrammeRecord):
    plan = models.ForeignKey(CapacityPlan, on_delete=models.CASCADE, related_name="activities")
    phase = models.CharField(_("phase"), max_length=30, choices=c.CapacityPhase.choices)
    kind = models.CharField(_("type of activity"), max_length=30, choices=c.CapacityActivityKind.choices)
    title = models.CharField(_("activity"), max_length=200)
    responsible = models.CharField(_("responsible"), max_length=200, blank=True)
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    budget = models.DecimalField(_("budget (USD)"), max_digits=12, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=c.WorkStatus.choices, default=c.WorkStatus.PLANNED)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("capacity activity")
        verbose_name_plural = _("capacity activities")
        ordering = ["plan", "phase", "starts_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="capacity_activity_progress_100")]

    def __str__(self) -> str:
        return self.title

    @property
    def aspect(self) -> str:
        return str(c.ASPECT_OF_ACTIVITY[c.CapacityActivityKind(self.kind)].label)


class Training(ProgrammeRecord):
    plan = models.ForeignKey(CapacityPlan, on_delete=models.CASCADE, related_name="trainings")
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    institutions = models.ManyToManyField(
        Stakeholder, related_name="+", verbose_name=_("participating institutions"), blank=True
    )
    participants = models.PositiveIntegerField(_("number of participants"), default=0)
    results = models.TextField(_("results"), blank=True)

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["-held_on", "id"]

    def __str__(self) -> str:
        return self.title


class ProgressIndicator(ProgrammeRecord):
    plan = models.ForeignKey(CapacityPlan, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("indicator"), max_length=200)
    baseline = models.DecimalField(_("baseline"), max_digits=12, decimal_places=2, default=0)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    current = models.DecimalField(_("current value"), max_digits=12, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("progress indicator")
        verbose_name_plural = _("progress indicators")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def achieved(self) -> float:
        """Share of the way from baseline to target (0-1, capped)."""
        span = float(self.target - self.baseline)
        if span == 0:
            return 1.0 if self.current >= self.target else 0.0
        return max(0.0, min(1.0, float(self.current - self.baseline) / span))


# --- International cooperation (§6.4) -----------------------------------------------------------


class CooperationFramework(ProgrammeRecord):
    title = models.CharField(_("title"), max_length=200)
    host_country = CountryField(_("host country"))
    origin_country = CountryField(_("country of origin"))
    steering_committee = models.ForeignKey(
        CoordinationMechanism,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("steering committee"),
        limit_choices_to={"kind": c.MechanismKind.STEERING},
    )
    accountable_entity = models.ForeignKey(
        Stakeholder,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accountable entity"),
    )
    parties = models.ManyToManyField(Stakeholder, related_name="+", verbose_name=_("parties"), blank=True)
    agreements = models.ManyToManyField(Agreement, related_name="+", verbose_name=_("MoUs and agreements"), blank=True)
    objectives = models.TextField(_("agreed objectives"), blank=True)
    roles = models.TextField(_("agreed roles"), blank=True)
    system_owner = models.CharField(_("information system owner"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("cooperation framework")
        verbose_name_plural = _("cooperation frameworks")
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["programme", "title"], name="framework_prog_title_idx")]

    def __str__(self) -> str:
        return self.title


class DataExchangeRule(ProgrammeRecord):
    """Who may enter and who may consult which data, per party and data category."""

    framework = models.ForeignKey(CooperationFramework, on_delete=models.CASCADE, related_name="exchange_rules")
    party = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(_("data category"), max_length=30, choices=c.DataCategory.choices)
    may_enter = models.BooleanField(_("may enter"), default=False)
    may_consult = models.BooleanField(_("may consult"), default=False)

    class Meta:
        verbose_name = _("data-exchange rule")
        verbose_name_plural = _("data-exchange rules")
        constraints = [
            models.UniqueConstraint(fields=["framework", "party", "category"], name="exchange_rule_once"),
        ]

    def __str__(self) -> str:
        return f"{self.party} / {self.category}"


# --- Checklists: Cuadros 4.2, 4.4, 4.7 and Figures 4.2, 4.3, 4.5 -------------------------------


class Checklist(ProgrammeRecord):
    kind = models.CharField(_("checklist"), max_length=20, choices=c.ChecklistKind.choices)
    # The record the checklist belongs to; none for the programme-wide ones (private sector, diaspora).
    mechanism = models.ForeignKey(
        CoordinationMechanism, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    framework = models.ForeignKey(
        CooperationFramework, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    process = models.ForeignKey(MainstreamingProcess, on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "kind"],
                condition=Q(mechanism__isnull=True, framework__isnull=True, process__isnull=True),
                name="checklist_once_per_programme",
            ),
            models.UniqueConstraint(fields=["kind", "mechanism"], name="checklist_once_per_mechanism"),
            models.UniqueConstraint(fields=["kind", "framework"], name="checklist_once_per_framework"),
            models.UniqueConstraint(fields=["kind", "process"], name="checklist_once_per_process"),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class ChecklistStep(ProgrammeRecord):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="steps")
    code = models.CharField(max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(_("status"), max_length=20, choices=c.StepStatus.choices, default=c.StepStatus.PENDING)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    participants = models.TextField(_("participants"), blank=True)
    outputs = models.TextField(_("outputs"), blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    stakeholders = models.ManyToManyField(Stakeholder, related_name="+", verbose_name=_("stakeholders"), blank=True)

    class Meta:
        verbose_name = _("checklist step")
        verbose_name_plural = _("checklist steps")
        ordering = ["checklist", "position"]
        constraints = [models.UniqueConstraint(fields=["checklist", "code"], name="checklist_step_once")]

    def __str__(self) -> str:
        return str(self.label)

    def _definition(self) -> tuple[str, object, object]:
        for step in c.CHECKLIST_STEPS[self.checklist.kind]:
            if step[0] == self.code:
                return step
        return (self.code, self.code, "")

    @property
    def label(self) -> object:
        return self._definition()[1]

    @property
    def guidance(self) -> object:
        return self._definition()[2]


# --- Documents ----------------------------------------------------------------------------------


def _document_path(instance: Document, filename: str) -> str:
    return f"structural/{instance.programme_id}/{filename}"


class Document(ProgrammeRecord):
    """An uploaded file: an agreement's text, a mechanism's approval or SOP (versioned), step evidence."""

    kind = models.CharField(_("kind"), max_length=20, choices=c.DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    version = models.CharField(_("version"), max_length=20, default="1")
    issued_on = models.DateField(_("date"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=_document_path, max_length=300)
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, null=True, blank=True, related_name="documents")
    mechanism = models.ForeignKey(
        CoordinationMechanism, on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    step = models.ForeignKey(ChecklistStep, on_delete=models.CASCADE, null=True, blank=True, related_name="documents")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["kind", "title", "-created_at"]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class SOPDocumentManager(models.Manager["SOPDocument"]):
    def get_queryset(self) -> models.QuerySet[SOPDocument]:
        return super().get_queryset().filter(kind=c.DocumentKind.SOP)


class SOPDocument(Document):
    """Standard operating procedures attached to a coordination mechanism (versioned documents)."""

    objects: ClassVar[SOPDocumentManager] = SOPDocumentManager()  # only SOPs

    class Meta:
        proxy = True
        verbose_name = _("SOP document")
        verbose_name_plural = _("SOP documents")
