"""`reintegra load-places`: load or refresh the gazetteer (states / departments, municipalities)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reintegra.places.services import DATA_DIR, GazetteerError, load_gazetteer


class Command(BaseCommand):
    help = (
        "Create or update administrative areas (states / departments and municipalities of MX, GT, HN, SV) "
        "from the bundled CSV files. Safe to run again: rows are matched by country and code."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--country",
            action="append",
            dest="countries",
            metavar="CC",
            help="Only this country (ISO alpha-2); repeat for several. Default: every file.",
        )
        parser.add_argument("--data-dir", default=str(DATA_DIR), help="Folder with the CSV files.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_gazetteer(Path(options["data_dir"]), options["countries"])
        except (GazetteerError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        if not result.countries:
            raise CommandError("No gazetteer rows found for the given countries.")
        for country, counts in sorted(result.countries.items()):
            self.stdout.write(f"{country}: {counts.states} states/departments, {counts.municipalities} municipalities")
        self.stdout.write(
            self.style.SUCCESS(
                f"Gazetteer loaded: {result.created} created, {result.updated} updated, {result.unchanged} unchanged."
            )
        )
