"""The public portal's own records: practical guides (versioned), each programme's public page and feedback
deadlines, feedback items with their handling history, and information requests. What a requester writes
about themselves (contact, the text of a sensitive item, a question) is encrypted at rest; the address a
form came from is never stored, only counted under a keyed hash in the cache (`spam.py`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.access.fields import EncryptedTextField
from reintegra.public.choices import (
    FeedbackChannel,
    FeedbackKind,
    FeedbackPriority,
    FeedbackStatus,
    FeedbackStep,
    GuideLanguage,
    GuideTopic,
    InformationRequestStatus,
    RequesterKind,
    SatisfactionAnswer,
    SensitiveConcern,
)

DEFAULT_ACKNOWLEDGE_DAYS = 3
DEFAULT_RESOLVE_DAYS = 30
DEFAULT_SENSITIVE_ACKNOWLEDGE_DAYS = 1
DEFAULT_GUIDE_REVIEW_MONTHS = 6


class PublicSettings(models.Model):
    """A programme's public page (who is eligible) and its feedback deadlines; defaults when absent."""

    programme = models.OneToOneField(
        "access.Programme", on_delete=models.CASCADE, related_name="public_settings", verbose_name=_("programme")
    )
    is_listed = models.BooleanField(_("listed on the public portal"), default=False)
    summary = models.TextField(_("what the programme offers"), blank=True, default="")
    eligibility = models.TextField(_("who is eligible"), blank=True, default="")
    acknowledge_days = models.PositiveSmallIntegerField(
        _("days to acknowledge feedback"), default=DEFAULT_ACKNOWLEDGE_DAYS
    )
    sensitive_acknowledge_days = models.PositiveSmallIntegerField(
        _("days to acknowledge sensitive feedback"), default=DEFAULT_SENSITIVE_ACKNOWLEDGE_DAYS
    )
    resolve_days = models.PositiveSmallIntegerField(_("days to resolve feedback"), default=DEFAULT_RESOLVE_DAYS)
    guide_review_months = models.PositiveSmallIntegerField(
        _("months before a guide is reviewed again"), default=DEFAULT_GUIDE_REVIEW_MONTHS
    )

    class Meta:
        verbose_name = _("public settings")
        verbose_name_plural = _("public settings")


class Guide(models.Model):
    """A practical guide written by programme staff for one country, or one municipality of it. Each edit is a
    new version (`GuideVersion`); the guide holds the current text."""

    programme = models.ForeignKey(
        "access.Programme", on_delete=models.PROTECT, related_name="guides", verbose_name=_("programme")
    )
    country = models.CharField(_("country"), max_length=2)
    municipality = models.ForeignKey(
        "places.AdminArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
        help_text=_("Empty: the guide is for the whole country."),
    )
    topic = models.CharField(_("topic"), max_length=16, choices=GuideTopic.choices)
    language = models.CharField(_("language"), max_length=2, choices=GuideLanguage.choices, default="es")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    version = models.PositiveIntegerField(_("version"), default=1)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    last_reviewed_on = models.DateField(_("last reviewed on"))
    review_due_on = models.DateField(_("next review due on"))
    is_published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("guide")
        verbose_name_plural = _("guides")
        indexes = [models.Index(fields=["country", "is_published"])]

    def __str__(self) -> str:
        return self.title


class GuideVersion(models.Model):
    """The text of each version of a guide, append-only."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="versions", verbose_name=_("guide"))
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("edited by")
    )
    edited_at = models.DateTimeField(_("edited at"), default=timezone.now)

    class Meta:
        verbose_name = _("guide version")
        verbose_name_plural = _("guide versions")
        constraints = [models.UniqueConstraint(fields=["guide", "version"], name="public_guide_version_unique")]
        ordering = ["-version"]


class Feedback(models.Model):
    """A question, suggestion, complaint, appreciation or sensitive report, with its deadlines, response and
    whether the response was communicated back (the loop closed)."""

    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    programme = models.ForeignKey(
        "access.Programme", on_delete=models.PROTECT, related_name="feedback", verbose_name=_("programme")
    )
    kind = models.CharField(_("type"), max_length=14, choices=FeedbackKind.choices)
    concern = models.CharField(_("concern"), max_length=12, choices=SensitiveConcern.choices, blank=True, default="")
    channel = models.CharField(_("channel"), max_length=14, choices=FeedbackChannel.choices)
    priority = models.CharField(
        _("priority"), max_length=8, choices=FeedbackPriority.choices, default=FeedbackPriority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=14, choices=FeedbackStatus.choices, default=FeedbackStatus.RECEIVED
    )
    municipality = models.ForeignKey(
        "places.AdminArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("case")
    )
    case_consent = models.BooleanField(_("the person agreed to link the case"), default=False)
    # The service provider of the directory the item is about (a complaint about a clinic, thanks to a
    # training centre): optional, for the dashboard's breakdown by provider.
    provider = models.ForeignKey(
        "referrals.ServiceProvider",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service provider concerned"),
    )
    text = EncryptedTextField(_("what was said"))
    contact = EncryptedTextField(_("how to reach the person"), blank=True, default="")
    response = EncryptedTextField(_("response"), blank=True, default="")
    communicated_how = models.CharField(_("how the response was communicated"), max_length=200, blank=True, default="")
    acknowledge_by = models.DateField(_("acknowledge by"))
    resolve_by = models.DateField(_("resolve by"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("response communicated at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("feedback item")
        verbose_name_plural = _("feedback items")
        indexes = [models.Index(fields=["programme", "kind", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind=FeedbackKind.SENSITIVE) | models.Q(concern=""),
                name="public_feedback_concern_only_sensitive",
            ),
            models.CheckConstraint(
                condition=models.Q(case__isnull=True) | models.Q(case_consent=True),
                name="public_feedback_case_needs_consent",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code


class FeedbackEvent(models.Model):
    """The handling history of an item (append-only): who did what, when; a note is encrypted."""

    feedback = models.ForeignKey(
        Feedback, on_delete=models.CASCADE, related_name="events", verbose_name=_("feedback item")
    )
    step = models.CharField(_("step"), max_length=14, choices=FeedbackStep.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    note = EncryptedTextField(_("note"), blank=True, default="")

    class Meta:
        verbose_name = _("feedback handling step")
        verbose_name_plural = _("feedback handling steps")
        ordering = ["at", "pk"]


class InformationRequest(models.Model):
    """A question from abroad (a migrant, a relative, a consulate, a counsellor) about a municipality or a need.
    With the requester's agreement, staff publish an anonymised question and answer on the municipality's page."""

    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    programme = models.ForeignKey(
        "access.Programme",
        on_delete=models.PROTECT,
        related_name="information_requests",
        verbose_name=_("programme"),
    )
    municipality = models.ForeignKey(
        "places.AdminArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    topic = models.CharField(_("topic"), max_length=16, choices=GuideTopic.choices, default=GuideTopic.OTHER)
    requester_kind = models.CharField(_("who asks"), max_length=12, choices=RequesterKind.choices)
    question = EncryptedTextField(_("question"))
    contact = EncryptedTextField(_("how to reach the person"), blank=True, default="")
    agrees_to_publish = models.BooleanField(_("agrees to publish the anonymised question and answer"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=InformationRequestStatus.choices, default=InformationRequestStatus.OPEN
    )
    answer = EncryptedTextField(_("answer"), blank=True, default="")
    public_question = models.TextField(_("published question (anonymised)"), blank=True, default="")
    public_answer = models.TextField(_("published answer (anonymised)"), blank=True, default="")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=InformationRequestStatus.PUBLISHED) | models.Q(agrees_to_publish=True),
                name="public_request_published_only_with_agreement",
            )
        ]


class SatisfactionSurvey(models.Model):
    """The short satisfaction survey of a case (issue 17): four items the case manager asks the person and
    records. The answers stay in clear (codes an indicator counts and the dashboard averages, like the RSS
    scores); what the person adds in their own words is encrypted. `score` is the share of the four items
    answered "yes" (a "partly" counts half), 0–100. Why not the sustainability instrument engine:
    docs/public.md §6."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="satisfaction_surveys", verbose_name=_("case")
    )
    taken_on = models.DateField(_("date"))
    informed_of_options = models.CharField(
        _("was informed of the options"), max_length=8, choices=SatisfactionAnswer.choices
    )
    took_part_in_decisions = models.CharField(
        _("took part in the decisions"), max_length=8, choices=SatisfactionAnswer.choices
    )
    confidentiality_respected = models.CharField(
        _("confidentiality was respected"), max_length=8, choices=SatisfactionAnswer.choices
    )
    would_recommend = models.CharField(
        _("would recommend the programme"), max_length=8, choices=SatisfactionAnswer.choices
    )
    score = models.FloatField(_("satisfaction score (0–100)"))
    comment = EncryptedTextField(_("what the person added"), blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-taken_on", "-pk"]
