"""Controlled vocabularies of access: the access trail (consents are in protection.choices)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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


class ExportStatus(models.TextChoices):
    """Where a background export stands (models.ExportJob, issue 19)."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("In progress")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class ExportFormat(models.TextChoices):
    """The file formats of a table download (access.exports.FORMATS)."""

    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
