"""Every write to reminders: collecting what is due, e-mailing it, marking it read."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reintegra.access import permissions
from reintegra.access.models import User
from reintegra.reminders.models import Reminder
from reintegra.reminders.registry import Due, producers

log = logging.getLogger(__name__)


@dataclass
class SendReport:
    new: dict[str, int] = field(default_factory=dict)  # kind -> reminders created
    emailed: int = 0

    @property
    def total_new(self) -> int:
        return sum(self.new.values())


def collect(today: date | None = None, kinds: list[str] | None = None) -> SendReport:
    """Store every reminder the producers say is due on `today`; the ones already stored are skipped."""
    today = today or timezone.localdate()
    report = SendReport()
    for kind, producer in producers().items():
        if kinds and kind not in kinds:
            continue
        due = list(producer(today))
        if not due:
            report.new[kind] = 0
            continue
        report.new[kind] = notify(kind, due)
        log.info("reminders: %s new of kind %s", report.new[kind], kind)
    return report


def notify(kind: str, due: list[Due]) -> int:
    """Store these reminders now (a notice that cannot wait for the daily run, e.g. a referral withdrawn);
    one already stored for the same recipient and key is skipped. Returns how many are new."""
    existing = set(Reminder.objects.filter(kind=kind, key__in={d.key for d in due}).values_list("recipient_id", "key"))
    fresh: dict[tuple[int, str], Reminder] = {}
    for d in due:
        if (d.recipient_id, d.key) in existing:
            continue
        fresh[(d.recipient_id, d.key)] = Reminder(
            recipient_id=d.recipient_id,
            kind=kind,
            key=d.key[:200],
            message=d.message,
            params=d.params,
            url=d.url,
            due_on=d.due_on,
        )
    with transaction.atomic():
        # ignore_conflicts: a concurrent run (cron + worker) may have stored the same one meanwhile.
        Reminder.objects.bulk_create(fresh.values(), ignore_conflicts=True, batch_size=500)
    return len(fresh)


def email_pending() -> int:
    """One e-mail per user with an address, listing their reminders not yet e-mailed. Returns e-mails sent."""
    pending = Reminder.objects.filter(emailed_at__isnull=True, read_at__isnull=True).select_related("recipient")
    by_user: dict[int, list[Reminder]] = defaultdict(list)
    users: dict[int, User] = {}
    for reminder in pending.order_by("recipient_id", "due_on", "id").iterator(chunk_size=1000):
        if reminder.recipient.email and reminder.recipient.is_active:
            by_user[reminder.recipient_id].append(reminder)
            users[reminder.recipient_id] = reminder.recipient
    sent = 0
    base = getattr(settings, "REINTEGRA_BASE_URL", "").rstrip("/")
    for user_id, items in by_user.items():
        user = users[user_id]
        with translation.override(settings.LANGUAGE_CODE):
            subject = ngettext("Reintegra: %(count)d reminder", "Reintegra: %(count)d reminders", len(items)) % {
                "count": len(items)
            }
            lines = [_("You have things to do in Reintegra:"), ""]
            for item in items:
                when = f" ({item.due_on.isoformat()})" if item.due_on else ""
                link = f" {base}{item.url}" if base and item.url else ""
                lines.append(f"- {item.text}{when}{link}")
        try:
            send_mail(subject, "\n".join(lines), None, [user.email])
        except Exception:
            log.exception("reminders: e-mail to user %s failed", user_id)
            continue
        Reminder.objects.filter(pk__in=[i.pk for i in items]).update(emailed_at=timezone.now())
        sent += 1
    return sent


def send_reminders(today: date | None = None, kinds: list[str] | None = None) -> SendReport:
    report = collect(today, kinds)
    report.emailed = email_pending()
    return report


def mark_read(user: User, reminder: Reminder) -> Reminder:
    if not (permissions.is_active_user(user) and reminder.recipient_id == user.pk):
        raise permissions.denied()
    if reminder.read_at is None:
        reminder.read_at = timezone.now()
        reminder.save(update_fields=["read_at"])
    return reminder


def mark_all_read(user: User) -> int:
    return Reminder.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(read_at=timezone.now())
