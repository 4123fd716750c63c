"""Controlled vocabularies of the consent ledger (docs/domain-referrals.md §4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentPurpose(models.TextChoices):
    ASSISTANCE = "assistance", _("Reintegration assistance")
    REFERRAL = "referral", _("Referral to an organisation or service")
    DATA_SHARING = "data_sharing", _("Data sharing with a partner")
    CROSS_BORDER = "cross_border", _("Cross-border transfer")
    RESEARCH = "research", _("Research and monitoring & evaluation")
    EMPLOYMENT = "employment", _("Labour intermediation (employers, employment service)")


class ConsentMethod(models.TextChoices):
    SIGNED = "signed", _("Signed form")
    VERBAL = "verbal", _("Verbal, witnessed")
    DIGITAL = "digital", _("Digital")
