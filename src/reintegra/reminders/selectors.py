"""Reads of reminders: a user only ever sees their own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from reintegra.reminders.models import Reminder

if TYPE_CHECKING:
    from reintegra.access.models import User


def reminders_for(user: User, *, unread_only: bool = False) -> QuerySet[Reminder]:
    if not (user and user.is_authenticated):
        return Reminder.objects.none()
    qs = Reminder.objects.filter(recipient_id=user.pk)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def get_reminder(user: User, pk: Any) -> Reminder:
    """One of the user's own reminders; `Reminder.DoesNotExist` otherwise."""
    return reminders_for(user).get(pk=pk)


def unread_count(user: User) -> int:
    return reminders_for(user, unread_only=True).count()
