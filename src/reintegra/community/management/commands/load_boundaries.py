"""`reintegra load-boundaries FILE.geojson --level municipality --code-field PCODE`: area outlines for the
hotspot map, matched to the gazetteer's codes."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reintegra.community import services
from reintegra.community.boundaries_core import BoundaryError
from reintegra.places.choices import AdminLevel

LEVELS = {"department": AdminLevel.FIRST, "state": AdminLevel.FIRST, "municipality": AdminLevel.SECOND}
MAX_BYTES = 200 * 1024 * 1024


class Command(BaseCommand):
    help = (
        "Load the boundaries of administrative areas from a GeoJSON FeatureCollection (WGS 84), matched to the "
        "gazetteer by the code in each feature's properties. Loading again replaces an area's boundary."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A GeoJSON file (FeatureCollection of Polygon / MultiPolygon).")
        parser.add_argument("--level", choices=sorted(LEVELS), default="municipality")
        parser.add_argument("--code-field", default="PCODE", help="The property holding the area's code.")
        parser.add_argument("--country", default="", help="Only areas of this country (ISO alpha-2).")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            if path.stat().st_size > MAX_BYTES:
                raise CommandError(f"{path} is larger than {MAX_BYTES // (1024 * 1024)} MB.")
            data = json.loads(path.read_bytes())
            report = services.load_boundaries(
                data,
                level=LEVELS[options["level"]],
                code_field=options["code_field"],
                country=options["country"].upper(),
                source=path.name,
            )
        except (OSError, ValueError) as exc:  # BoundaryError and JSON errors are ValueErrors
            problems = exc.problems if isinstance(exc, BoundaryError) else [str(exc)]
            raise CommandError(f"{path}: " + "; ".join(problems)) from exc
        for problem in report.skipped:
            self.stderr.write(f"skipped {problem}")
        if report.unmatched:
            shown = ", ".join(report.unmatched[:20]) + (" …" if len(report.unmatched) > 20 else "")
            self.stderr.write(f"{len(report.unmatched)} codes match no gazetteer area: {shown}")
        if not report.loaded:
            raise CommandError("No boundary matched a gazetteer area: check --code-field, --level and --country.")
        self.stdout.write(self.style.SUCCESS(f"Boundaries loaded: {report.loaded}."))
