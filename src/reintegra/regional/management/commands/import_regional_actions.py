"""`reintegra import-regional-actions FILE --organisation CODE`: add a CSV/XLSX of actions to the catalogue.

Every row is checked first; with any bad row every problem is printed (row, column, reason) and nothing is
written. Actions already in the catalogue (same country, institution and name) are skipped.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reintegra.access.models import Organisation
from reintegra.regional import importing, services


class Command(BaseCommand):
    help = "Import reintegration actions (CSV or XLSX) into the regional catalogue; all rows or none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A .csv (UTF-8) or .xlsx file.")
        parser.add_argument(
            "--organisation", "--organization", required=True, help="Code of the organisation entering the actions."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            organisation = Organisation.objects.get(code=options["organisation"])
        except Organisation.DoesNotExist:
            raise CommandError(f"No organisation with code {options['organisation']!r}.") from None
        with path.open("rb") as stream:
            parsed = importing.parse(stream, path.name)
        if not parsed.ok:
            for error in parsed.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(parsed.errors)} problem(s) found; nothing was imported.")
        result = services.import_actions(parsed.rows, organisation)
        self.stdout.write(
            self.style.SUCCESS(f"{result.created} actions imported; {result.skipped} already in the catalogue.")
        )
