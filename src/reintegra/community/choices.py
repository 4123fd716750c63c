"""Controlled vocabularies of the community level (docs/community.md, docs/domain.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

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
