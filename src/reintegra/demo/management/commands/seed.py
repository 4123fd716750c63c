"""`reintegra seed --cases N [--seed S] [--organisation CODE]`: synthetic cases for demos and benchmarks.

Running it again appends: new returnees and cases with new case numbers (the same seed brings the
same names back, as when a person is returned twice); existing data is never changed.
"""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reintegra.demo import seeding, staff
from reintegra.places.services import load_gazetteer


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of expects a date as YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Create N synthetic returnees with cases in every status (assessments, counselling, plans, follow-up, "
        "closures, timeline), deterministic for a given seed and day. Creates the organisations, teams and "
        "case managers it needs. Running it again appends new cases."
    )
    # Seeding only writes rows; the project-wide system checks would add seconds to every run.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, required=True, help="Number of cases to create.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1): same seed, same data.")
        parser.add_argument(
            "--organisation",
            action="append",
            dest="organisations",
            metavar="CODE",
            help=(
                "Seed into this organisation (repeat for several). Default: one per return country "
                f"({', '.join(staff.known_codes())}), created when missing."
            ),
        )
        parser.add_argument(
            "--as-of",
            type=_day,
            default=None,
            help="Last day anything happens (default yesterday); return dates fall in the three years up to it.",
        )
        parser.add_argument("--chunk-size", type=int, default=5000, help="Cases per transaction (default 5000).")
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Processes generating cases while this one writes (default: one per CPU; 0: none).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar on stderr.")

    def handle(self, *args: Any, **options: Any) -> None:
        cases = options["cases"]
        if cases < 0:
            raise CommandError("--cases must be zero or more.")
        if options["chunk_size"] < 1:
            raise CommandError("--chunk-size must be at least 1.")
        load_gazetteer()
        try:
            organisations = (
                [staff.ensure_organisation(code) for code in options["organisations"]]
                if options["organisations"]
                else None
            )
            result = seeding.seed(
                cases,
                seed=options["seed"],
                organisations=organisations,
                as_of=options["as_of"],
                chunk_size=options["chunk_size"],
                workers=options["workers"],
                progress=not options["no_progress"] and options["verbosity"] > 0,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        per_org = ", ".join(f"{code}: {n}" for code, n in result.per_organisation.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {result.cases} cases ({per_org}) in {result.seconds:.1f} s; "
                f"{sum(result.rows.values())} rows written."
            )
        )
        if options["verbosity"] > 1:
            for label, count in result.rows.items():
                self.stdout.write(f"  {label}: {count}")
