"""Controlled vocabularies of the individual level (docs/domain.md §2-§3, docs/domain-individual.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from reintegra.vocabulary.choices import Dimension as Dimension  # shared by every level (re-exported)


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    INTERSEX = "intersex", _("Intersex")
    UNKNOWN = "unknown", _("Not recorded")


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national_id", _("National identity card")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    CONSULAR_ID = "consular_id", _("Consular identity card")
    RETURN_CERTIFICATE = "return_certificate", _("Return / deportation certificate")
    OTHER = "other", _("Other")


class Relationship(models.TextChoices):
    SPOUSE = "spouse", _("Spouse or partner")
    CHILD = "child", _("Son or daughter")
    PARENT = "parent", _("Mother or father")
    SIBLING = "sibling", _("Brother or sister")
    GRANDPARENT = "grandparent", _("Grandparent")
    GRANDCHILD = "grandchild", _("Grandchild")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    NON_RELATIVE = "non_relative", _("Non-relative")


class CaseStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ASSESSED = "assessed", _("Assessed")
    PLAN_AGREED = "plan_agreed", _("Plan agreed")
    IN_FOLLOW_UP = "in_follow_up", _("In follow-up")
    CLOSED = "closed", _("Closed")


class ReturnType(models.TextChoices):
    VOLUNTARY_ASSISTED = "voluntary_assisted", _("Assisted voluntary return")
    VOLUNTARY_SPONTANEOUS = "voluntary_spontaneous", _("Spontaneous voluntary return")
    FORCED = "forced", _("Forced return (deportation)")


class MigrationCause(models.TextChoices):
    ECONOMIC = "economic", _("Economic")
    VIOLENCE = "violence", _("Violence or insecurity")
    FAMILY = "family", _("Family reunification")
    CLIMATE = "climate", _("Climate or disaster")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    OTHER = "other", _("Other")


class ReceptionAssistance(models.TextChoices):
    """Immediate assistance on arrival (docs/domain.md §3, reception)."""

    REGISTRATION = "registration", _("Registration")
    HEALTH = "health", _("Basic health care")
    ORIENTATION = "orientation", _("Information and orientation")
    FOOD = "food", _("Food")
    HYGIENE_KIT = "hygiene_kit", _("Hygiene kit")
    TRANSPORT = "transport", _("Transport")
    SHELTER = "shelter", _("Shelter referral")
    COMMUNICATION = "communication", _("Phone call to family")


class NameTokenKind(models.IntegerChoices):
    """What a name search digest was computed from (models.NameToken, name_index.py); never shown."""

    WORD = 1, "word"
    PREFIX = 2, "prefix"
    PHONETIC = 3, "phonetic"


class NeedLevel(models.TextChoices):
    NONE = "none", _("No need")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class AssessmentKind(models.TextChoices):
    INITIAL = "initial", _("Initial assessment")
    REASSESSMENT = "reassessment", _("Reassessment")
    BEST_INTERESTS = "best_interests", _("Best-interests assessment (child)")


class ContactMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    REMOTE = "remote", _("Remote (video or messaging)")


class AssistanceForm(models.TextChoices):
    CASH = "cash", _("Cash")
    IN_KIND = "in_kind", _("In kind")
    SERVICE = "service", _("Service")
    MIXED = "mixed", _("Mixed")


class PlanItemStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class ClosureCategory(models.TextChoices):
    PLANNED = "planned", _("Planned exit")
    ABRUPT = "abrupt", _("Abrupt exit")
    INVOLUNTARY = "involuntary", _("Involuntary exit")


class ClosureReason(models.TextChoices):
    """Handbook §2.7 (docs/domain-individual.md §6): the reason determines the category."""

    SUPPORT_ENDED = "support_ended", _("Support period ended")
    NO_LONGER_ELIGIBLE = "no_longer_eligible", _("No longer meets the criteria")
    RETURNEE_DECIDED = "returnee_decided", _("Returnee decided to stop")
    LEFT_AREA = "left_area", _("Left the area")
    DIED = "died", _("Died")
    NO_LONGER_WANTS = "no_longer_wants", _("No longer wants assistance")
    ACCESS_BARRIER = "access_barrier", _("Major barrier to access")
    NOT_SUITABLE = "not_suitable", _("Assistance no longer suitable")
    AGGRESSIVE = "aggressive", _("Aggressive or threatening behaviour towards staff")
    NEGATIVE_REPERCUSSIONS = "negative_repercussions", _("Negative repercussions (stigma, burden)")
    REMIGRATED = "remigrated", _("Re-migrated")
    COSTS_OUTWEIGH = "costs_outweigh", _("Costs of taking part outweigh the benefits")
    FUNDING_ENDED = "funding_ended", _("Funding ended")
    SECURITY = "security", _("Security or context")


CLOSURE_CATEGORY = {
    ClosureReason.SUPPORT_ENDED: ClosureCategory.PLANNED,
    ClosureReason.NO_LONGER_ELIGIBLE: ClosureCategory.PLANNED,
    ClosureReason.RETURNEE_DECIDED: ClosureCategory.PLANNED,
    ClosureReason.LEFT_AREA: ClosureCategory.PLANNED,
    ClosureReason.DIED: ClosureCategory.PLANNED,
    ClosureReason.NO_LONGER_WANTS: ClosureCategory.ABRUPT,
    ClosureReason.ACCESS_BARRIER: ClosureCategory.ABRUPT,
    ClosureReason.NOT_SUITABLE: ClosureCategory.ABRUPT,
    ClosureReason.AGGRESSIVE: ClosureCategory.ABRUPT,
    ClosureReason.NEGATIVE_REPERCUSSIONS: ClosureCategory.ABRUPT,
    ClosureReason.REMIGRATED: ClosureCategory.ABRUPT,
    ClosureReason.COSTS_OUTWEIGH: ClosureCategory.ABRUPT,
    ClosureReason.FUNDING_ENDED: ClosureCategory.INVOLUNTARY,
    ClosureReason.SECURITY: ClosureCategory.INVOLUNTARY,
}


class AttentionFlag(models.TextChoices):
    """Differential-attention profile (docs/domain-individual.md §2; CRM 2022 report §2)."""

    WOMAN_HEAD_OF_HOUSEHOLD = "woman_head_of_household", _("Woman head of household")
    INDIGENOUS = "indigenous", _("Indigenous person")
    DISABILITY = "disability", _("Person with disability")
    LGBTIQ = "lgbtiq", _("LGBTIQ+ person")
    OLDER_PERSON = "older_person", _("Older person")
    YOUTH = "youth", _("Youth")
    CHILD = "child", _("Child or adolescent")
    UNACCOMPANIED_MINOR = "unaccompanied_minor", _("Unaccompanied minor")
    PREGNANT = "pregnant", _("Pregnant or breastfeeding")
    CHRONIC_ILLNESS = "chronic_illness", _("Chronic illness")
    VICTIM_OF_VIOLENCE = "victim_of_violence", _("Survivor of violence")


# Each flag's bit in `Returnee.attention_mask` (the flags as one small integer, for the monitoring engine's
# disaggregations). A new flag takes the next bit; an existing flag's bit never changes (the column is
# computed by the database from this map: changing it needs a migration).
ATTENTION_FLAG_BITS: dict[str, int] = {code: 1 << i for i, code in enumerate(AttentionFlag.values)}


class CaseEventKind(models.TextChoices):
    REGISTERED = "registered", _("Case opened")
    UPDATED = "updated", _("Case updated")
    ASSIGNED = "assigned", _("Case manager assigned")
    ASSESSMENT = "assessment", _("Assessment recorded")
    COUNSELLING = "counselling", _("Counselling session")
    PLAN_DRAFTED = "plan_drafted", _("Plan drafted")
    PLAN_UPDATED = "plan_updated", _("Plan updated")
    PLAN_AGREED = "plan_agreed", _("Plan agreed")
    FOLLOW_UP = "follow_up", _("Follow-up visit")
    STATUS_CHANGED = "status_changed", _("Status changed")
    CLOSED = "closed", _("Case closed")
    REOPENED = "reopened", _("Case reopened")
    SUSTAINABILITY = "sustainability", _("Sustainability survey round")
    REFERRAL = "referral", _("Referral")
    CHILD = "child", _("Children and families")
    EMPLOYMENT = "employment", _("Employment")
