"""`reintegra createorg --code CODE --name NAME --country XX [--retention-months N]`
`[--programme NAME | --no-programme]`"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reintegra.access import services


def command_error(exc: ValidationError) -> CommandError:
    """A ValidationError as a CommandError, one line per problem (the command exits non-zero)."""
    if hasattr(exc, "error_dict"):
        lines = [
            message if name == "__all__" else f"{name}: {message}"
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        lines = list(exc.messages)
    return CommandError("\n".join(lines))


class Command(BaseCommand):
    help = "Create an organisation (an office or institution implementing a reintegration programme)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", required=True, help="Short unique code, e.g. oim-mx (stored in lower case).")
        parser.add_argument("--name", required=True, help="Full name.")
        parser.add_argument("--country", required=True, help="Two-letter ISO country code, e.g. MX, GT, HN, SV.")
        parser.add_argument(
            "--retention-months",
            type=int,
            default=None,
            help="Months personal data is kept after a case closes (default 60); see apply-retention.",
        )
        parser.add_argument(
            "--programme",
            default="",
            help="Name of the organisation's first reintegration programme "
            "(default: 'Programa de reintegración · NAME').",
        )
        parser.add_argument(
            "--no-programme",
            action="store_true",
            help="Create no programme (a service provider or a coordination body that runs none).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = services.create_organisation(
                options["code"], options["name"], options["country"], retention_months=options["retention_months"]
            )
            programme = None
            if not options["no_programme"]:
                programme = services.create_programme(org, options["programme"])
        except ValidationError as exc:
            raise command_error(exc) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Created organisation {org.code} ({org.name}, {org.country}), "
                f"retention {org.retention_months} months after closure."
            )
        )
        if programme is not None:
            self.stdout.write(f"Programme {programme.code}: {programme.name} (settings: /programas/).")
