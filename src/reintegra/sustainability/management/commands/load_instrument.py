"""`reintegra load-instrument FILE [--programme CODE] [--publish]`: load an instrument definition (YAML/JSON).

Idempotent: loading the same file twice changes nothing; a published version is never modified (a
file with new weights must carry a higher `version`). Without FILE, loads the shipped RSS.
"""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reintegra.access.models import Programme
from reintegra.sustainability import services


class Command(BaseCommand):
    help = "Load an instrument definition file (YAML or JSON) as a new or updated version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="definition file; default: the shipped RSS")
        parser.add_argument("--programme", help="programme code (default: a global instrument)")
        parser.add_argument("--publish", action="store_true", help="publish the version (it becomes immutable)")

    def handle(self, *args: Any, **options: Any) -> None:
        programme = None
        if options["programme"]:
            programme = Programme.objects.filter(code=options["programme"]).first()
            if programme is None:
                raise CommandError(f"No programme with code {options['programme']!r}.")
        path = Path(options["file"]) if options["file"] else Path(services.__file__).parent / "instruments" / "rss.yaml"
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            with path.open("rb") as handle:
                raw = services.read_definition_file(handle, path.name)
            result = services.load_instrument(
                None, raw, programme=programme, publish=options["publish"], source=path.name
            )
        except ValidationError as exc:
            raise CommandError("\n".join(m for messages in exc.message_dict.values() for m in messages)) from None
        version = result.version
        where = f" for programme {programme.code}" if programme else " (global)"
        self.stdout.write(f"{version.instrument.code} v{version.number}{where}: {result.outcome} ({version.status})")
