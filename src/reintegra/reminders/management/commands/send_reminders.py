from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reintegra.reminders import services
from reintegra.reminders.registry import producers


class Command(BaseCommand):
    help = (
        "Store the reminders due today (RSS rounds, overdue referrals, stakeholder reviews, agreement renewals) "
        "and e-mail the new ones. Idempotent: safe to run from cron as often as you like."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Act as if today were this date (YYYY-MM-DD).")
        parser.add_argument("--kind", action="append", help="Only this kind of reminder (repeatable).")
        parser.add_argument(
            "--enqueue", action="store_true", help="Enqueue the background task instead of running it now."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("--date must be YYYY-MM-DD.") from exc
        unknown = set(options["kind"] or []) - set(producers())
        if unknown:
            raise CommandError(
                f"Unknown kind(s): {', '.join(sorted(unknown))}. Known: {', '.join(sorted(producers()))}"
            )
        from reintegra.access import export_jobs

        # The reminders timer is the installation's periodic job: it also deletes expired export files.
        self.stdout.write(f"Expired exports deleted: {export_jobs.purge_expired()}.")
        if options["enqueue"]:
            from reintegra.reminders.tasks import send_reminders_task

            result = send_reminders_task.enqueue(today.isoformat() if today else None)
            self.stdout.write(f"Enqueued task {result.id}.")
            return
        report = services.send_reminders(today, options["kind"])
        for kind, count in sorted(report.new.items()):
            self.stdout.write(f"{kind}: {count} new")
        self.stdout.write(f"Reminders: {report.total_new} new; e-mails sent: {report.emailed}.")
