"""Controlled vocabularies of the community level (docs/community.md, docs/domain.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reintegra.vocabulary.choices import Dimension as Dimension


class SiteCriterion(models.TextChoices):
    """The seven criteria of a site favourable to community-based reintegration (docs/domain.md)."""

    MANY_RETURNS = "many_returns", _("Many returns in a short time")
    PROFILES_FIT = "profiles_fit", _("Returnee profiles that fit")
    COMMUNITY_INTEREST = "community_interest", _("Community interest")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure and services")
    STABILITY = "stability", _("Stability and security")
    ECONOMIC_OPPORTUNITY = "economic_opportunity", _("Economic opportunity")
    CIVIL_SOCIETY = "civil_society", _("Active civil society")


class SessionKind(models.TextChoices):
    """Participatory methods of a community assessment."""

    FOCUS_GROUP = "focus_group", _("Focus group")
    COMMUNITY_MEETING = "community_meeting", _("Community meeting")
    TRANSECT_WALK = "transect_walk", _("Transect walk")
    HOUSEHOLD_SURVEY = "household_survey", _("Household survey")
    PARTICIPATORY_RANKING = "participatory_ranking", _("Participatory ranking")


class ParticipantGroup(models.TextChoices):
    RETURNEE = "returnee", _("Returnees")
    NON_MIGRANT = "non_migrant", _("Non-migrant residents")


class ParticipantSex(models.TextChoices):
    FEMALE = "female", _("Women")
    MALE = "male", _("Men")


class AgeBand(models.TextChoices):
    YOUTH = "youth", _("Under 18")
    ADULT = "adult", _("18 to 59")
    OLDER = "older", _("60 and over")


class ProjectApproach(models.TextChoices):
    """How returnees take part in a community project (docs/community.md, community projects)."""

    RETURNEE_COLLECTIVE = "returnee_collective", _("Collective project of returnees")
    NEW_COMMUNITY = "new_community", _("New community project")
    EXISTING_PROJECT = "existing_project", _("Returnees included in an existing project")


class ProjectActivity(models.TextChoices):
    """What a community project does, each under one dimension (`services.ACTIVITY_DIMENSION`)."""

    COLLECTIVE_INCOME = "collective_income", _("Collective income generation")
    LOCAL_DEVELOPMENT = "local_development", _("Local development")
    SAVINGS_CREDIT = "savings_credit", _("Savings and credit groups")
    HOUSING = "housing", _("Housing")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    INFRASTRUCTURE = "infrastructure", _("Public infrastructure")
    SAFETY = "safety", _("Safety")
    JUSTICE_RIGHTS = "justice_rights", _("Justice and rights")
    MOBILISATION = "mobilisation", _("Community mobilisation")
    PEER_SUPPORT = "peer_support", _("Peer support")
    NETWORKS = "networks", _("Community networks")
    ANTI_STIGMA = "anti_stigma", _("Communication against stigma")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("community project status", "Planned")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class MilestoneStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DELAYED = "delayed", _("Delayed")
    CANCELLED = "cancelled", pgettext_lazy("community project milestone status", "Cancelled")


class ProjectResult(models.TextChoices):
    """The closing assessment of a community project."""

    ACHIEVED = "achieved", _("Objectives achieved")
    PARTLY = "partly", _("Objectives partly achieved")
    NOT_ACHIEVED = "not_achieved", _("Objectives not achieved")


class ParticipantKind(models.TextChoices):
    RETURNEE = "returnee", _("Returnee (linked to their case)")
    NON_MIGRANT = "non_migrant", _("Non-migrant residents")


class ParticipantRole(models.TextChoices):
    MEMBER = "member", _("Member")
    LEADER = "leader", _("Leader or committee member")
    TRAINER = "trainer", _("Trainer or mentor")
    BENEFICIARY = "beneficiary", _("Beneficiary")


class ProfileSection(models.TextChoices):
    """The six sections of a community profile (the Handbook)."""

    NEEDS = "needs", _("Needs")
    RESOURCES = "resources", _("Resources and services")
    IMPACT_OF_RETURNS = "impact_of_returns", _("Impact of returns on the community")
    DRIVERS = "drivers", _("Drivers of migration")
    BARRIERS = "barriers", _("Barriers to reintegration")
    RESILIENCE = "resilience", _("Resilience and social cohesion")
