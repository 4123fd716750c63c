"""Controlled vocabularies of the child's case: profile, best-interests assessment and determination, the
child's participation. (Tracing and reunification: `tracing_choices`.)"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CareStatus(models.TextChoices):
    """The child's care situation at return (docs/domain-individual.md: unaccompanied and separated children)."""

    UNACCOMPANIED = "unaccompanied", _("Unaccompanied")
    SEPARATED = "separated", _("Separated")
    ACCOMPANIED = "accompanied", _("Accompanied")
    UNKNOWN = "unknown", _("Not yet known")


class GuardianshipStatus(models.TextChoices):
    PARENTAL = "parental", _("Parental authority")
    COURT_ORDER = "court_order", _("Guardianship by court order")
    AUTHORITY = "authority", _("Provisional custody of the child-protection authority")
    INFORMAL = "informal", _("Informal care, not legally recognised")
    NONE = "none", _("No guardian identified")
    UNKNOWN = "unknown", _("Not yet known")


class ChildProtectionAuthority(models.TextChoices):
    PGN = "gt_pgn", _("Guatemala: Procuraduría General de la Nación (PGN)")
    SBS = "gt_sbs", _("Guatemala: Secretaría de Bienestar Social (SBS)")
    DIF = "mx_dif", _("Mexico: Sistema DIF")
    PPNNA = "mx_ppnna", _("Mexico: Procuraduría de Protección de Niñas, Niños y Adolescentes")
    DINAF = "hn_dinaf", _("Honduras: DINAF")
    CONAPINA = "sv_conapina", _("El Salvador: CONAPINA")
    OTHER = "other", _("Other authority")


class SchoolEnrolment(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled and attending")
    ENROLLED_NOT_ATTENDING = "not_attending", _("Enrolled, not attending")
    NOT_ENROLLED = "not_enrolled", _("Not enrolled")
    UNKNOWN = "unknown", _("Not yet known")


class AssessmentStage(models.TextChoices):
    """When a best-interests assessment is made: it is repeated along the path."""

    BEFORE_DEPARTURE = "before_departure", _("Before departure (host country)")
    ARRIVAL = "arrival", _("On arrival")
    FOLLOW_UP = "follow_up", _("During follow-up")


class BiaPriority(models.TextChoices):
    """How urgently a best-interests assessment must be completed (a deadline, in the programme's days)."""

    HIGH = "high", pgettext_lazy("best-interests assessment priority", "High")
    MEDIUM = "medium", pgettext_lazy("best-interests assessment priority", "Medium")
    LOW = "low", pgettext_lazy("best-interests assessment priority", "Low")


class BiaStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Awaiting supervisor approval")
    APPROVED = "approved", _("Approved")


class HearingMethod(models.TextChoices):
    """How the child was heard: an age-appropriate method."""

    CONVERSATION = "conversation", _("Conversation adapted to the child's age")
    PLAY = "play", _("Play or drawing")
    INTERPRETER = "interpreter", _("Conversation with an interpreter in the child's language")
    GROUP = "group", _("Together with the family")
    OTHER = "other", _("Other method")


class RiskIndicator(models.TextChoices):
    """Safety and risk indicators a best-interests assessment records."""

    VIOLENCE = "violence", _("Violence at home or in the community")
    EXPLOITATION = "exploitation", _("Labour or sexual exploitation")
    TRAFFICKING = "trafficking", _("Trafficking indicators")
    GANG = "gang", _("Recruitment by criminal groups")
    NEGLECT = "neglect", _("Neglect")
    STREET = "street", _("Living on the street")


class BiaRecommendation(models.TextChoices):
    STAY_WITH_FAMILY = "stay_with_family", _("Stay with the family, with support")
    REUNIFICATION = "reunification", _("Family reunification")
    FURTHER_TRACING = "further_tracing", _("Further family tracing")
    ALTERNATIVE_CARE = "alternative_care", _("Alternative care")
    DETERMINATION = "determination", _("Refer to a best-interests determination panel")
    OTHER = "other", pgettext_lazy("best-interests recommendation", "Other")


class BidDecision(models.TextChoices):
    REUNIFICATION = "reunification", _("Family reunification")
    REUNIFICATION_WITH_SUPPORT = "reunification_support", _("Reunification with support")
    FURTHER_TRACING = "further_tracing", _("Further tracing")
    ALTERNATIVE_CARE = "alternative_care", _("Alternative care")
    OTHER = "other", pgettext_lazy("best-interests decision", "Other")


class PanelRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    CASE_MANAGER = "case_manager", _("Case manager")
    CHILD_PROTECTION_OFFICER = "protection_officer", _("Child-protection officer")
    AUTHORITY = "authority", _("Child-protection authority")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    OTHER = "other", _("Other member")


class ParticipationDecision(models.TextChoices):
    """The decisions in which the child's participation is recorded apart from a BIA."""

    PLAN = "plan", _("Reintegration plan")
    CLOSURE = "closure", _("Closure of the case")


class ParticipationMethod(models.TextChoices):
    IN_PERSON = "in_person", _("Heard in person")
    WITH_TRUSTED_ADULT = "trusted_adult", _("Heard with a trusted adult present")
    THROUGH_INTERPRETER = "interpreter", _("Heard through an interpreter")
    WRITTEN = "written", _("Written or drawn contribution")
    NOT_HEARD = "not_heard", _("Not heard (say why)")
