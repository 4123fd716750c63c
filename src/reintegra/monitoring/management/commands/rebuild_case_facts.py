"""`reintegra rebuild-case-facts`: make the monitoring engine's narrow case rows (`monitoring.CaseFact`) again
from the cases, returnees and plans (after a bulk load that bypassed the ORM's signals; set-based, idempotent)."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from reintegra.monitoring import case_facts


class Command(BaseCommand):
    help = "Rebuild the monitoring engine's case fact rows from the cases, returnees and plans, set-based."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        rows = case_facts.rebuild()
        self.stdout.write(f"Case facts rebuilt: {rows} rows in {time.perf_counter() - started:.1f} s.")
