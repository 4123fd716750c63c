"""Reads of reminders: a user only ever sees their own."""

from typing import Any

from django.db.models import QuerySet

from reintegra.reminders.models import Reminder


def reminders_for(user: Any, *, unread_only: bool = False) -> QuerySet[Reminder]:
    if not (user and user.is_authenticated):
        return Reminder.objects.none()
    qs = Reminder.objects.filter(recipient_id=user.pk)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def get_reminder(user: Any, pk: Any) -> Reminder:
    """One of the user's own reminders; `Reminder.DoesNotExist` otherwise."""
    return reminders_for(user).get(pk=pk)


def unread_count(user: Any) -> int:
    return reminders_for(user, unread_only=True).count()
