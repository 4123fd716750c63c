"""Vocabularies of family tracing and reunification (the child-rights approach, Handbook overview §6).

In its own module while two helpers build the app; the lead folds it into `children/choices.py` on merge."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TracingStatus(models.TextChoices):
    OPEN = "open", _("Tracing under way")
    FOUND = "found", _("Family found")
    CLOSED = "closed", _("Closed without finding the family")


class TracingMethod(models.TextChoices):
    PHONE = "phone", _("Phone call")
    HOME_VISIT = "home_visit", _("Home visit")
    COMMUNITY_LEADERS = "community_leaders", _("Community leaders")
    CONSULATE = "consulate", _("Consulate")
    REFERRAL = "referral", _("Referral to another organisation")


class TracingResult(models.TextChoices):
    NO_RESULT = "no_result", _("No result")
    LEAD = "lead", _("A lead to follow")
    FAMILY_LOCATED = "family_located", _("Family located")
    FAMILY_CONTACTED = "family_contacted", _("Family contacted")


class SoughtRelationship(models.TextChoices):
    """Who is sought, from the child's point of view."""

    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    SIBLING = "sibling", _("Brother or sister")
    GRANDPARENT = "grandparent", _("Grandparent")
    AUNT_UNCLE = "aunt_uncle", _("Aunt or uncle")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    LEGAL_GUARDIAN = "legal_guardian", _("Legal guardian")
    OTHER_CAREGIVER = "other_caregiver", _("Other caregiver")


class Answer(models.TextChoices):
    """A yes / no the assessor may not know yet."""

    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Not known yet")


class ChildWish(models.TextChoices):
    WANTS = "wants", _("Wants to return to this family")
    DOES_NOT_WANT = "does_not_want", _("Does not want to return to this family")
    UNDECIDED = "undecided", _("Undecided")
    NOT_HEARD = "not_heard", _("Not heard yet")


class AuthorityView(models.TextChoices):
    AGREES = "agrees", _("Agrees with reunification")
    DISAGREES = "disagrees", _("Opposes reunification")
    PENDING = "pending", _("Not given yet")


class ReunificationRecommendation(models.TextChoices):
    REUNIFY = "reunify", _("Family reunification")
    REUNIFY_WITH_SUPPORT = "reunify_with_support", _("Reunification with support")
    FURTHER_TRACING = "further_tracing", _("Further tracing")
    ALTERNATIVE_CARE = "alternative_care", _("Alternative care")
    PENDING = "pending", _("No recommendation yet")


class FollowUpMilestone(models.TextChoices):
    """Post-reunification follow-up visits, counted from the reunification date."""

    WEEKS_2 = "2w", _("2 weeks after reunification")
    MONTH_1 = "1m", _("1 month after reunification")
    MONTHS_3 = "3m", _("3 months after reunification")
    MONTHS_6 = "6m", _("6 months after reunification")


class PlacementOutlook(models.TextChoices):
    """What the follow-up visit found of the placement."""

    STABLE = "stable", _("Stable, the child is safe")
    CONCERNS = "concerns", _("Concerns to follow")
    AT_RISK = "at_risk", _("The child is at risk: act now")
