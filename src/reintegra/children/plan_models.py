"""The child plan, the child's follow-up and the child closure checklist (docs/domain-individual.md §7).

One plan per case: the child plan is the case's reintegration plan (`cases.ReintegrationPlan`), each of its
items with a child-plan detail (`ChildPlanItem`, one-to-one with a `cases.PlanItem`): its timeframe, whom
it is for, the sector and the community child-protection actor. The plan's version covers the details, as
it covers the items. A child follow-up (`ChildFollowUp`) is one-to-one with a `cases.FollowUpVisit`."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.access.fields import EncryptedCharField, EncryptedJSONField, EncryptedTextField
from reintegra.access.roles import SensitiveCategory
from reintegra.access.versioning import Versioned
from reintegra.children.plan_choices import (
    ChildPlanSector,
    ChildPlanTarget,
    ChildPlanTerm,
    ChildPlanTimeframe,
    ChildViewOnClosure,
    ChildVulnerability,
    ClosureConditionStatus,
    CommunityProtectionActor,
    MonitoringFrequency,
)

__all__ = ["ChildClosureChecklist", "ChildFollowUp", "ChildPlanItem"]

PROTECTION = SensitiveCategory.PROTECTION


class ChildPlanItem(models.Model):
    """What makes a plan item a measure of the child plan. No version of its own: part of the plan."""

    item = models.OneToOneField("cases.PlanItem", on_delete=models.CASCADE, related_name="child_detail")
    timeframe = models.CharField(_("timeframe"), max_length=8, choices=ChildPlanTimeframe.choices)
    # Weeks or months; none for a one-off measure.
    duration = models.PositiveSmallIntegerField(_("duration"), null=True, blank=True)
    target = models.CharField(_("for"), max_length=10, choices=ChildPlanTarget.choices)
    sector = models.CharField(_("sector"), max_length=20, choices=ChildPlanSector.choices)
    community_actor = models.CharField(
        _("community child-protection actor"),
        max_length=20,
        choices=CommunityProtectionActor.choices,
        blank=True,
        default="",
    )
    # The actor's name can point at the child's community: protection category.
    community_actor_name = EncryptedCharField(_("name of the community actor"), max_length=160, category=PROTECTION)

    class Meta:
        verbose_name = _("child plan measure")
        verbose_name_plural = _("child plan measures")
        constraints = [
            models.CheckConstraint(
                condition=Q(timeframe=ChildPlanTimeframe.ONE_OFF, duration__isnull=True)
                | (~Q(timeframe=ChildPlanTimeframe.ONE_OFF) & Q(duration__isnull=False)),
                name="child_plan_item_duration_fits_timeframe",
            ),
        ]

    @property
    def term(self) -> str:
        return ChildPlanTerm.LONG if self.timeframe == ChildPlanTimeframe.MONTHS else ChildPlanTerm.SHORT

    def get_term_display(self) -> str:
        return str(ChildPlanTerm(self.term).label)


class ChildFollowUp(models.Model):
    """The child's side of a follow-up visit: current vulnerabilities, the agreed monitoring frequency, the
    community structure that monitors with the programme, whether the child took part. Recorded, not edited."""

    visit = models.OneToOneField("cases.FollowUpVisit", on_delete=models.CASCADE, related_name="child_follow_up")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="child_follow_ups")
    vulnerabilities: "models.Field[list[Any], list[Any]]" = EncryptedJSONField(
        _("current vulnerabilities"), category=PROTECTION, default=list
    )
    vulnerability_note = EncryptedTextField(_("about the vulnerabilities"), max_length=2000, category=PROTECTION)
    monitoring_frequency = models.CharField(
        _("agreed monitoring frequency"), max_length=12, choices=MonitoringFrequency.choices
    )
    monitored_with = models.CharField(
        _("community structure involved in monitoring"),
        max_length=20,
        choices=CommunityProtectionActor.choices,
        blank=True,
        default="",
    )
    child_participated = models.BooleanField(_("the child took part in the visit"), default=False)
    # The visit's date plus the agreed frequency: when the next visit is due (reminders).
    next_due_on = models.DateField(_("next visit due by"), editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("child follow-up")
        verbose_name_plural = _("child follow-ups")
        indexes = [models.Index(fields=["case", "next_due_on"], name="child_follow_up_due_idx")]

    @property
    def vulnerability_labels(self) -> list[str]:
        return [
            str(ChildVulnerability(code).label)
            for code in self.vulnerabilities or []
            if code in ChildVulnerability.values
        ]


class ChildClosureChecklist(Versioned):
    """The standard child closure checklist: five conditions of a sustainable reintegration, the child's own
    view, and the good practice documented. Closing a child case needs it completed (`completed_at`)."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="child_closure_checklist")
    safe_care = models.CharField(
        _("safe and stable care"), max_length=12, choices=ClosureConditionStatus.choices, blank=True, default=""
    )
    safe_care_note = EncryptedTextField(_("about the care arrangement"), max_length=1000, category=PROTECTION)
    school = models.CharField(
        _("attending school"), max_length=12, choices=ClosureConditionStatus.choices, blank=True, default=""
    )
    school_note = EncryptedTextField(_("about school"), max_length=1000, category=PROTECTION)
    health = models.CharField(
        _("access to health"), max_length=12, choices=ClosureConditionStatus.choices, blank=True, default=""
    )
    health_note = EncryptedTextField(_("about access to health"), max_length=1000, category=PROTECTION)
    psychosocial = models.CharField(
        _("psychosocial well-being"), max_length=12, choices=ClosureConditionStatus.choices, blank=True, default=""
    )
    psychosocial_note = EncryptedTextField(_("about psychosocial well-being"), max_length=1000, category=PROTECTION)
    family_economy = models.CharField(
        _("family's economic situation"),
        max_length=12,
        choices=ClosureConditionStatus.choices,
        blank=True,
        default="",
    )
    family_economy_note = EncryptedTextField(
        _("about the family's economic situation"), max_length=1000, category=PROTECTION
    )
    child_view = models.CharField(
        _("the child's view"), max_length=12, choices=ChildViewOnClosure.choices, blank=True, default=""
    )
    child_view_note = EncryptedTextField(
        _("the child's words, or why the child was not heard"), max_length=2000, category=PROTECTION
    )
    good_practice = EncryptedTextField(_("good practice documented"), max_length=4000, category=PROTECTION)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True, editable=False)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("child closure checklist")
        verbose_name_plural = _("child closure checklists")
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True) | Q(completed_by__isnull=False),
                name="completed_checklist_has_author",
            ),
        ]

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None
