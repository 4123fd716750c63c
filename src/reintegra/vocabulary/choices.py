"""The shared vocabulary as Django choices (codes in `codes`). Each label has a message context, so that
"Community" as a level ("comunitario") never takes the translation of "Community" as a noun elsewhere."""

from typing import Any

from django.db import models
from django.utils.translation import pgettext_lazy

from reintegra.vocabulary import codes


class InterventionLevel(models.TextChoices):
    """Individual, community or structural: where an intervention acts (not a geographic level)."""

    INDIVIDUAL = codes.INDIVIDUAL, pgettext_lazy("intervention level", "Individual")
    COMMUNITY = codes.COMMUNITY, pgettext_lazy("intervention level", "Community")
    STRUCTURAL = codes.STRUCTURAL, pgettext_lazy("intervention level", "Structural")


class Dimension(models.TextChoices):
    """Economic, social or psychosocial (see `codes` for why there is no cross-cutting value)."""

    ECONOMIC = codes.ECONOMIC, pgettext_lazy("reintegration dimension", "Economic")
    SOCIAL = codes.SOCIAL, pgettext_lazy("reintegration dimension", "Social")
    PSYCHOSOCIAL = codes.PSYCHOSOCIAL, pgettext_lazy("reintegration dimension", "Psychosocial")


class GeographicLevel(models.TextChoices):
    """Local, national or international: the reach of a stakeholder, mechanism or referral. Not the tier
    of an administrative area (`places.choices.AdminLevel`) nor an intervention level."""

    LOCAL = codes.LOCAL, pgettext_lazy("geographic level", "Local")
    NATIONAL = codes.NATIONAL, pgettext_lazy("geographic level", "National")
    INTERNATIONAL = codes.INTERNATIONAL, pgettext_lazy("geographic level", "International")


def choice_label(choices: type[models.TextChoices], code: Any) -> str:
    """The translated label of a stored code; the code itself when it is no longer a choice (old data),
    "" for no code."""
    if code in (None, ""):
        return ""
    try:
        return str(choices(code).label)
    except ValueError:
        return str(code)
