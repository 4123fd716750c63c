"""Controlled vocabularies of access: consents and the access trail."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentPurpose(models.TextChoices):
    ASSISTANCE = "assistance", _("Reintegration assistance")
    REFERRAL = "referral", _("Referral to an organisation or service")
    DATA_SHARING = "data_sharing", _("Data sharing with a partner")
    CROSS_BORDER = "cross_border", _("Cross-border transfer")
    RESEARCH = "research", _("Research and monitoring & evaluation")


class ConsentMethod(models.TextChoices):
    SIGNED = "signed", _("Signed form")
    VERBAL = "verbal", _("Verbal, witnessed")
    DIGITAL = "digital", _("Digital")


class AccessAction(models.TextChoices):
    """What an entry of the access trail records (models.AccessEvent)."""

    VIEW = "view", _("Viewed")
    EXPORT = "export", _("Exported")
    SEARCH = "search", _("Searched")
    CONSENT_EXCEPTION = "consent_exception", _("Consent exception (life at risk)")
    LOGIN = "login", _("Logged in")
    # Account security (access/api_tokens.py, access/accounts.py).
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET_SENT = "password_reset_sent", _("Password reset link sent")
    PASSWORD_RESET = "password_reset", _("Password set through a reset link")
