"""`reintegra rebuild-return-tally`: recount the hotspots' kept tally of case returns from the records (after a
bulk load that bypassed the services; idempotent)."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from reintegra.community import return_tally


class Command(BaseCommand):
    help = "Recount the kept tally of case returns (return hotspots) from the cases, in one set-based statement."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        rows = return_tally.rebuild()
        self.stdout.write(f"Return tally rebuilt: {rows} rows in {time.perf_counter() - started:.1f} s.")
