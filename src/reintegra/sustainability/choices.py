"""Controlled vocabularies of sustainability measurement."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from reintegra.vocabulary.choices import Dimension as Dimension  # of a question or grid row (re-exported)


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class RoundSource(models.TextChoices):
    WEB = "web", _("Case page")
    API = "api", _("API")
    IMPORT = "import", _("Imported submission")
