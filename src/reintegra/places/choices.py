"""Controlled vocabularies of the administrative areas."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AdminLevel(models.IntegerChoices):
    """The tier of an administrative area (first-level division, then municipality): not a geographic
    level (`vocabulary.choices.GeographicLevel`) nor an intervention level."""

    FIRST = 1, _("State / department")
    SECOND = 2, _("Municipality")
