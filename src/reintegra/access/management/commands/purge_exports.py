from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Delete the files of background exports whose download link has expired (REINTEGRA_EXPORT_TTL_HOURS). "
        "`reintegra send-reminders` runs it too; safe to run from cron as often as you like."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        from reintegra.access import export_jobs

        self.stdout.write(f"Expired exports deleted: {export_jobs.purge_expired()}.")
