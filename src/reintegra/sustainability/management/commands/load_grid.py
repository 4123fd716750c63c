"""`reintegra load-grid [FILE] --programme CODE [--language es]`: load a feasibility grid (CSV, XLSX or YAML).

Rows are matched by dimension + approach, so loading twice changes nothing. Without FILE, loads the
default grid (docs/domain-individual.md §4) in the chosen language.
"""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reintegra.access.models import Programme
from reintegra.sustainability import services


class Command(BaseCommand):
    help = "Load a feasibility grid for a programme (or the global default with no --programme)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?")
        parser.add_argument("--programme")
        parser.add_argument("--language", default="es", choices=["es", "en", "fr"])

    def handle(self, *args: Any, **options: Any) -> None:
        programme = None
        if options["programme"]:
            programme = Programme.objects.filter(code=options["programme"]).first()
            if programme is None:
                raise CommandError(f"No programme with code {options['programme']!r}.")
        try:
            if options["file"]:
                path = Path(options["file"])
                if not path.is_file():
                    raise CommandError(f"No such file: {path}")
                with path.open("rb") as handle:
                    rows = services.grid_rows_from_file(handle, path.name, options["language"])
            else:
                rows = services.default_grid_rows(options["language"])
            report = services.load_grid(None, programme, rows)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        if report.errors:
            lines = [f"row {e['row']}, {e['column']}: {e['reason']}" for e in report.errors]
            raise CommandError("Nothing loaded:\n" + "\n".join(lines))
        self.stdout.write(f"Grid loaded: {report.created} created, {report.updated} updated.")
