"""Controlled vocabularies of the child plan, the child's follow-up and the child closure checklist
(docs/domain-individual.md §7: planning, follow-up and review, closure). The core's words are in `choices`,
tracing's in `tracing_choices`."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChildPlanTimeframe(models.TextChoices):
    """How long a measure of the child plan runs: one-off or weeks is short term, months (up to two years) long
    term."""

    ONE_OFF = "one_off", _("One-off")
    WEEKS = "weeks", _("Weeks")
    MONTHS = "months", _("Months")


class ChildPlanTerm(models.TextChoices):
    SHORT = "short", _("Short term")
    LONG = "long", _("Long term")


class ChildPlanTarget(models.TextChoices):
    """Whom a measure of the child plan is for: the plan covers the child, the family and the community."""

    CHILD = "child", _("The child")
    FAMILY = "family", _("The family")
    COMMUNITY = "community", _("The community")


class ChildPlanSector(models.TextChoices):
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    SOCIAL_PROTECTION = "social_protection", _("Social protection")
    JUSTICE = "justice", _("Access to justice")
    CHILD_PROTECTION = "child_protection", _("Child protection")


class CommunityProtectionActor(models.TextChoices):
    """The community-based child-protection structure involved in a measure or in monitoring it."""

    COMMUNITY_COMMITTEE = "community_committee", _("Community child-protection committee or network")
    MUNICIPAL_OFFICE = "municipal_office", _("Municipal office for children and adolescents")
    SCHOOL = "school", _("School or teachers")
    HEALTH_CENTRE = "health_centre", _("Health centre or community health workers")
    FAITH_GROUP = "faith_group", _("Faith-based group")
    YOUTH_GROUP = "youth_group", _("Youth, women's or parents' group")
    COMMUNITY_LEADER = "community_leader", _("Community or indigenous authority")
    OTHER = "other", _("Other community actor")


class ChildVulnerability(models.TextChoices):
    """The child's current vulnerabilities, assessed at each follow-up visit."""

    NONE = "none", _("No current vulnerability")
    UNSAFE_CARE = "unsafe_care", _("Care arrangement not safe or not stable")
    VIOLENCE = "violence", _("Violence or abuse")
    EXPLOITATION = "exploitation", _("Child labour or exploitation")
    OUT_OF_SCHOOL = "out_of_school", _("Not attending school")
    NO_HEALTH_CARE = "no_health_care", _("No access to health care")
    DISTRESS = "distress", _("Psychosocial distress")
    FAMILY_HARDSHIP = "family_hardship", _("Family's economic hardship")
    NO_DOCUMENTS = "no_documents", _("No birth registration or identity document")
    STIGMA = "stigma", _("Stigma or discrimination after the return")
    REMIGRATION = "remigration", _("Risk of migrating again")


class MonitoringFrequency(models.TextChoices):
    """How often the child's situation is monitored, as agreed at a follow-up visit."""

    WEEKLY = "weekly", _("Every week")
    FORTNIGHTLY = "fortnightly", _("Every two weeks")
    MONTHLY = "monthly", _("Every month")
    QUARTERLY = "quarterly", _("Every three months")


class ClosureConditionStatus(models.TextChoices):
    """How far a condition of the child closure checklist is met."""

    MET = "met", _("Met")
    PARTLY_MET = "partly_met", _("Partly met")
    NOT_MET = "not_met", _("Not met")


class ChildViewOnClosure(models.TextChoices):
    """The child's own view on ending the assistance."""

    AGREES = "agrees", _("Agrees that the assistance ends")
    HAS_CONCERNS = "has_concerns", _("Agrees, with concerns")
    DISAGREES = "disagrees", _("Does not want the assistance to end")
    NOT_HEARD = "not_heard", _("Could not be heard (say why)")
