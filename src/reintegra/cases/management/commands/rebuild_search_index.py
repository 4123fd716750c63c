"""`reintegra rebuild-search-index [--batch-size N]`

Recomputes every blind index of the returnees' identity under the current REINTEGRA_BLIND_INDEX_KEY:
the name search tokens, the duplicate check's blocking keys, the birth-date hashes and the identity
documents' number indexes (cases/name_index.py). Run it after changing REINTEGRA_BLIND_INDEX_KEY
(or SECRET_KEY while that key is not set):

1. Set the new REINTEGRA_BLIND_INDEX_KEY and restart the application. From then until step 2 ends,
   search by name or document and the duplicate check miss the people not yet re-indexed: do it in a
   quiet hour.
2. Run `reintegra rebuild-search-index`.

It reads the encrypted names (so it needs REINTEGRA_FIELD_KEYS) and writes only keyed hashes. One
transaction per batch of returnees: if interrupted, run it again. Prints counts, never names. It also
repairs indexes left missing by data written around the services.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reintegra.cases import name_index


class Command(BaseCommand):
    help = "Recompute the name search index, duplicate-check keys and document indexes under the current key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000, help="Returnees per transaction (default 1000).")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = name_index.rebuild(max(1, options["batch_size"]))
        self.stdout.write(
            self.style.SUCCESS(
                f"{counts['returnees']} returnee(s) re-indexed: {counts['tokens']} name token(s), "
                f"{counts['match_keys']} duplicate-check key(s), {counts['documents']} document index(es), "
                f"{counts['case_tokens']} case search token(s)."
            )
        )
