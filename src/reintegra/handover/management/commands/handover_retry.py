"""`reintegra handover-retry`: push every hand-over package whose next attempt is due (run from cron)."""

from typing import Any

from django.core.management.base import BaseCommand

from reintegra.handover import tasks


class Command(BaseCommand):
    help = "Push the hand-over packages whose next delivery attempt is due."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{tasks.retry_due()} due")
