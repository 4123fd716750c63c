"""`reintegra rebuild-round-facts`: make the M&E engine's narrow survey round rows (`sustainability.RoundFact`)
again from the rounds and their current scores (after a bulk load that bypassed the ORM's signals; set-based,
idempotent)."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from reintegra.sustainability import round_facts


class Command(BaseCommand):
    help = "Rebuild the M&E engine's survey round fact rows from the rounds and their current scores, set-based."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        rows = round_facts.rebuild()
        self.stdout.write(f"Round facts rebuilt: {rows} rows in {time.perf_counter() - started:.1f} s.")
