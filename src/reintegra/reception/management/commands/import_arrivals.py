"""`reintegra import-arrivals FILE --point CODE --mapping NAME [--organisation CODE] [--date YYYY-MM-DD]`:
import a manifest (CSV or XLSX) as arrivals and intakes at a reception point, with a saved column mapping.

Every row is checked first; with any bad row every problem is printed (row, column, reason) and nothing is
written. Otherwise all rows are written in one transaction, with progress on stderr; importing the same file
again changes nothing and says so. Uncertain duplicate matches wait on the review page of the import.
"""

from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reintegra.access.models import Organisation
from reintegra.access.uploads import UploadError
from reintegra.reception import manifest_services
from reintegra.reception.manifest_choices import ManifestStatus
from reintegra.reception.manifest_models import ManifestImport, ManifestMapping
from reintegra.reception.models import ReceptionPoint


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date expects a date as YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = "Import a manifest (CSV or XLSX) as arrivals and intakes at a reception point; all rows or none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A .csv (UTF-8) or .xlsx file.")
        parser.add_argument("--point", required=True, help="Code of the reception point.")
        parser.add_argument("--mapping", required=True, help="Name of the organisation's saved column mapping.")
        parser.add_argument(
            "--organisation", "--organization", help="Code of the organisation (when the point code is not unique)."
        )
        parser.add_argument("--date", type=_day, default=None, help="Arrival date of rows without one (YYYY-MM-DD).")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        point = self._point(options["point"], options.get("organisation"))
        organisation = Organisation.objects.get(pk=point.organisation_id)
        try:
            mapping = ManifestMapping.objects.get(organisation=organisation, name=options["mapping"])
        except ManifestMapping.DoesNotExist:
            raise CommandError(f"No mapping named {options['mapping']!r} in {organisation.code}.") from None
        try:
            with path.open("rb") as source:
                record = manifest_services.import_file(
                    organisation,
                    point=point,
                    mapping=mapping,
                    source=source,
                    file_name=path.name,
                    arrived_on=options["date"],
                    progress=self._progress,
                )
        except UploadError as exc:
            for line in exc.messages():
                self.stderr.write(line)
            raise CommandError("The file cannot be read; nothing was imported.") from None
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self._report(record)

    def _point(self, code: str, organisation: str | None) -> ReceptionPoint:
        points = ReceptionPoint.objects.filter(code=code)
        if organisation:
            points = points.filter(organisation__code=organisation)
        found = list(points[:2])
        if not found:
            raise CommandError(f"No reception point with code {code!r}.")
        if len(found) > 1:
            raise CommandError(f"Several organisations have a point {code!r}: give --organisation.")
        return found[0]

    def _progress(self, record: ManifestImport) -> None:
        if record.status == ManifestStatus.DONE:
            return
        if record.rows_written:
            self.stderr.write(f"written {record.rows_written} / {record.rows_total} rows")
        else:
            self.stderr.write(f"checked {record.rows_checked} rows")

    def _report(self, record: ManifestImport) -> None:
        if record.status != ManifestStatus.DONE:
            lines = manifest_services.report_lines(record)
            for line in lines:
                where = f"Row {line['row']}, column {line['column']}: " if line["row"] else ""
                self.stderr.write(f"{where}{line['message']}")
            more = record.report.get("more", 0)
            if more:
                self.stderr.write(f"… and {more} more problems.")
            raise CommandError(f"{len(lines) + more} problem(s) found; nothing was imported.")
        if record.new_returnees + record.repeat_returnees + record.to_review == 0:
            self.stdout.write(
                self.style.SUCCESS(f"Nothing changed: all {record.rows_total} rows were imported before.")
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Import {record.pk}: {record.rows_total} rows, {record.arrivals} arrivals; "
                f"{record.new_returnees} new returnees, {record.repeat_returnees} repeat returnees linked, "
                f"{record.within_file_duplicates} duplicates within the file, {record.unchanged} unchanged, "
                f"{record.to_review} uncertain matches to review."
            )
        )
