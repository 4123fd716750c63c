"""Controlled vocabularies of the regional catalogue of actions."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reintegra.vocabulary.choices import Dimension as Dimension  # the matrix's columns (re-exported)
from reintegra.vocabulary.choices import InterventionLevel as InterventionLevel  # its rows (re-exported)


class InstitutionKind(models.TextChoices):
    # Stakeholder categories of Handbook Cuadro 4.1 (docs/domain-structural.md §2).
    GOVERNMENT = "government", _("Government ministry, secretariat or agency")
    LOCAL_GOVERNMENT = "local_government", _("Municipality or local government")
    NGO = "ngo", _("Non-governmental organisation")
    INTERNATIONAL = "international", _("International organisation or cooperation agency")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    ACADEMIA = "academia", _("Academic institution")
    DIASPORA = "diaspora", _("Diaspora or migrant association")
    OTHER = "other", pgettext_lazy("institution kind", "Other")


class FundingSource(models.TextChoices):
    NATIONAL_BUDGET = "national_budget", _("National budget")
    INTERNATIONAL_COOPERATION = "international_cooperation", _("International cooperation")
    MIXED = "mixed", _("Mixed (national and international)")
    PRIVATE = "private", _("Private funds")
    UNKNOWN = "unknown", _("Not known")


class EvaluationStatus(models.TextChoices):
    # CRM 2022 report §4: an action is a "good practice" only once evaluated with a specific methodology.
    NOT_EVALUATED = "not_evaluated", _("Not evaluated")
    EVALUATION_IN_PROGRESS = "in_progress", _("Evaluation in progress")
    EVALUATED = "evaluated", _("Evaluated")
    GOOD_PRACTICE = "good_practice", _("Good practice (evaluated)")
