"""Reminders: things a user must do by a date (an RSS round due, a referral overdue, an agreement expiring).

Producers in each app say what is due (`reintegra.reminders.registry`); `send_reminders` stores each
reminder once per (recipient, kind, key), so running it again (cron, the background task) adds nothing.
The message is stored as its untranslated text and parameters and translated when shown, in the reader's
language. It never holds personal data: case numbers, organisation and stakeholder names, dates.
"""

import contextlib
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Reminder(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=40)
    key = models.CharField(max_length=200)  # what it is about, e.g. "case:12:round:6"
    message = models.CharField(max_length=300)  # untranslated msgid (marked with gettext_noop)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True, default="")
    due_on = models.DateField(_("due on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["read_at", "due_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "kind", "key"], name="reminder_once_per_subject"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="reminder_inbox_idx")]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        try:
            return gettext(self.message) % _shown(self.params) if self.params else gettext(self.message)
        except (KeyError, TypeError, ValueError):
            return gettext(self.message)


def _shown(params: dict[str, Any]) -> dict[str, Any]:
    """The parameters as the reader reads them: a date (stored ISO) in the reader's locale."""
    shown = dict(params)
    value = shown.get("date")
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            shown["date"] = date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
    return shown
