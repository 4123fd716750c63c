"""Every choices class of the public portal, feedback and information requests (docs/public.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class GuideTopic(models.TextChoices):
    ARRIVAL = "arrival", _("Arrival and first days")
    DOCUMENTS = "documents", _("Identity documents")
    HEALTH = "health", _("Health")
    WORK = "work", _("Work and income")
    EDUCATION = "education", _("Education")
    HOUSING = "housing", _("Housing")
    PROTECTION = "protection", _("Protection and safety")
    OTHER = "other", _("Other")


class GuideLanguage(models.TextChoices):
    ES = "es", _("Spanish")
    EN = "en", _("English")
    FR = "fr", _("French")


class FeedbackKind(models.TextChoices):
    QUESTION = "question", _("Question")
    SUGGESTION = "suggestion", _("Suggestion")
    COMPLAINT = "complaint", _("Complaint")
    APPRECIATION = "appreciation", _("Appreciation")
    SENSITIVE = "sensitive", _("Sensitive (abuse, fraud, misconduct, safety)")


class SensitiveConcern(models.TextChoices):
    """What a sensitive item is about; seen only by the feedback focal point."""

    SEA = "sea", _("Sexual exploitation and abuse")
    FRAUD = "fraud", _("Fraud or corruption")
    MISCONDUCT = "misconduct", _("Staff misconduct")
    SAFETY = "safety", _("Safety risk")


class FeedbackChannel(models.TextChoices):
    WEB = "web", _("Public form")
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    CASE_CLOSURE = "case_closure", _("At case closure")
    OTHER = "other", _("Other")


class FeedbackPriority(models.TextChoices):
    LOW = "low", pgettext_lazy("feedback priority", "Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", pgettext_lazy("feedback priority", "High")
    URGENT = "urgent", _("Urgent")


class FeedbackStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESPONDED = "responded", _("Responded")
    CLOSED = "closed", _("Closed: response communicated")


class FeedbackStep(models.TextChoices):
    """A line of an item's handling history."""

    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    NOTE = "note", _("Note")
    PROVIDER = "provider", _("Service provider concerned changed")
    RESPONDED = "responded", _("Responded")
    LOOP_CLOSED = "loop_closed", _("Response communicated back")


class RequesterKind(models.TextChoices):
    MIGRANT = "migrant", _("A migrant preparing a return")
    FAMILY = "family", _("A relative")
    CONSULATE = "consulate", _("A consulate")
    COUNSELLOR = "counsellor", _("A return counsellor or organisation")
    OTHER = "other", _("Other")


class InformationRequestStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")
    PUBLISHED = "published", _("Answered and published")


class SatisfactionAnswer(models.TextChoices):
    """An answer to an item of a case's satisfaction survey."""

    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")


# The survey's items, in the order asked (model field -> the question as the case manager reads it out).
SATISFACTION_ITEMS = (
    ("informed_of_options", _("Were you informed of the options open to you?")),
    ("took_part_in_decisions", _("Did you take part in the decisions about your support?")),
    ("confidentiality_respected", _("Was the confidentiality of what you told us respected?")),
    ("would_recommend", _("Would you recommend the programme to someone in your situation?")),
)
