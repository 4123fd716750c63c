"""`reintegra rebuild-return-tally`: recount the hotspots' kept tallies (case returns, and the sums of the
returnees' latest RSS scores) from the records (after a bulk load that bypassed the services; idempotent)."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from reintegra.community import return_tally, score_tally


class Command(BaseCommand):
    help = "Recount the kept tallies of the return hotspots (case returns, RSS score sums) from the records, set-based."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        rows = return_tally.rebuild()
        self.stdout.write(f"Return tally rebuilt: {rows} rows in {time.perf_counter() - started:.1f} s.")
        started = time.perf_counter()
        rows = score_tally.rebuild()
        self.stdout.write(f"Score tally rebuilt: {rows} rows in {time.perf_counter() - started:.1f} s.")
