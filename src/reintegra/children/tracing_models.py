"""Family tracing and reunification: tracing requests and actions, family members found, the
reunification suitability assessment and the post-reunification follow-up visits.

Every record hangs off the child's `cases.Case` (not off the child profile), so tracing works on any case
the child-protection path applies to. Everything said about the child and the family is child-protection
data: encrypted at rest and tagged with the protection category (seen only with Capability.SEE_PROTECTION).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reintegra.access.fields import EncryptedCharField, EncryptedTextField
from reintegra.access.roles import SensitiveCategory
from reintegra.access.versioning import Versioned
from reintegra.children.tracing_choices import (
    Answer,
    AuthorityView,
    ChildWish,
    FollowUpMilestone,
    PlacementOutlook,
    ReunificationRecommendation,
    SoughtRelationship,
    TracingMethod,
    TracingResult,
    TracingStatus,
)

__all__ = [
    "FamilyMemberFound",
    "ReunificationAssessment",
    "ReunificationFollowUp",
    "TracingAction",
    "TracingRequest",
]

P = SensitiveCategory.PROTECTION


class TracingRequest(models.Model):
    """One person sought for the child (a mother, an uncle...). Its status moves once, under a lock."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="tracing_requests")
    relationship = models.CharField(_("relationship to the child"), max_length=20, choices=SoughtRelationship.choices)
    given_names = EncryptedCharField(_("given names"), max_length=120, category=P)
    family_names = EncryptedCharField(_("family names"), max_length=160, category=P)
    # An approximate year is enough to match on and says less than a date.
    birth_year = models.PositiveSmallIntegerField(_("approximate birth year"), null=True, blank=True)
    last_known_location = EncryptedTextField(_("last known location"), max_length=300, category=P)
    notes = EncryptedTextField(_("what the child said about this person"), max_length=2000, category=P)
    status = models.CharField(_("status"), max_length=10, choices=TracingStatus.choices, default=TracingStatus.OPEN)
    opened_on = models.DateField(pgettext_lazy("tracing request", "opened on"), default=timezone.localdate)
    closed_on = models.DateField(pgettext_lazy("tracing request", "closed on"), null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["opened_on", "pk"]
        verbose_name = _("tracing request")
        verbose_name_plural = _("tracing requests")

    def __str__(self) -> str:
        return f"tracing request #{self.pk}"


class TracingAction(models.Model):
    """One step taken to find the person: how, who, when and what came of it (recorded, not edited)."""

    request = models.ForeignKey(TracingRequest, on_delete=models.CASCADE, related_name="actions")
    method = models.CharField(_("method"), max_length=20, choices=TracingMethod.choices)
    taken_on = models.DateField(_("date"))
    # Who carried it out: a person or an organisation outside the platform (a consulate, DIF, a leader).
    carried_out_by = EncryptedCharField(_("carried out by"), max_length=160, category=P)
    result = models.CharField(_("result"), max_length=20, choices=TracingResult.choices)
    result_notes = EncryptedTextField(_("what was learnt"), max_length=2000, category=P)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["taken_on", "pk"]
        verbose_name = _("tracing action")
        verbose_name_plural = _("tracing actions")

    def __str__(self) -> str:
        return f"tracing action #{self.pk}"


class FamilyMemberFound(models.Model):
    """A relative found by tracing; `returnee` when the match with a registered person was confirmed."""

    request = models.ForeignKey(TracingRequest, on_delete=models.CASCADE, related_name="found")
    relationship = models.CharField(_("relationship to the child"), max_length=20, choices=SoughtRelationship.choices)
    given_names = EncryptedCharField(_("given names"), max_length=120, category=P)
    family_names = EncryptedCharField(_("family names"), max_length=160, category=P)
    contact = EncryptedTextField(_("how to reach them"), max_length=300, category=P)
    found_on = models.DateField(_("found on"))
    returnee = models.ForeignKey(
        "cases.Returnee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered person"),
    )
    notes = EncryptedTextField(_("notes"), max_length=2000, category=P)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["found_on", "pk"]
        verbose_name = _("family member found")
        verbose_name_plural = _("family members found")

    def __str__(self) -> str:
        return f"family member found #{self.pk}"


class ReunificationAssessment(Versioned):
    """Whether reunification with the family found is suitable, and when it happened. One per case, edited."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="reunification_assessment")
    family_member = models.ForeignKey(
        FamilyMemberFound,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("family assessed"),
    )
    assessed_on = models.DateField(_("assessed on"))
    family_willing = models.CharField(
        _("family willing to care for the child"), max_length=10, choices=Answer.choices, default=Answer.UNKNOWN
    )
    family_able = models.CharField(
        _("family able to care for the child"), max_length=10, choices=Answer.choices, default=Answer.UNKNOWN
    )
    home_safe = models.CharField(_("home is safe"), max_length=10, choices=Answer.choices, default=Answer.UNKNOWN)
    safety_notes = EncryptedTextField(_("safety of the home"), max_length=2000, category=P)
    child_wish = models.CharField(
        _("the child's wishes"), max_length=16, choices=ChildWish.choices, default=ChildWish.NOT_HEARD
    )
    child_views = EncryptedTextField(_("what the child said, in their words"), max_length=2000, category=P)
    authority = models.CharField(_("child-protection authority"), max_length=160, blank=True, default="")
    authority_view = models.CharField(
        _("the authority's view"), max_length=10, choices=AuthorityView.choices, default=AuthorityView.PENDING
    )
    authority_notes = EncryptedTextField(_("the authority's reasons"), max_length=2000, category=P)
    recommendation = models.CharField(
        _("recommendation"),
        max_length=24,
        choices=ReunificationRecommendation.choices,
        default=ReunificationRecommendation.PENDING,
    )
    reasons = EncryptedTextField(_("reasons for the recommendation"), max_length=2000, category=P)
    reunified_on = models.DateField(_("reunification date"), null=True, blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reunification assessment")
        verbose_name_plural = _("reunification assessments")

    def __str__(self) -> str:
        return f"reunification assessment #{self.pk}"


class ReunificationFollowUp(models.Model):
    """A scheduled visit after reunification; planned when the date is recorded, done once."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="reunification_follow_ups")
    milestone = models.CharField(_("visit"), max_length=4, choices=FollowUpMilestone.choices)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("visited on"), null=True, blank=True)
    outlook = models.CharField(_("placement"), max_length=10, choices=PlacementOutlook.choices, blank=True, default="")
    notes = EncryptedTextField(_("what the visit found"), max_length=2000, category=P)
    conducted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("post-reunification follow-up")
        verbose_name_plural = _("post-reunification follow-ups")
        constraints = [
            models.UniqueConstraint(fields=["case", "milestone"], name="children_one_follow_up_per_milestone"),
        ]
        indexes = [models.Index(fields=["done_on", "due_on"], name="children_follow_up_due")]

    def __str__(self) -> str:
        return f"reunification follow-up #{self.pk}"
