"""`reintegra createuser --username U --organization CODE --role ROLE [--role ROLE2] [--team T [--create-team]]
[--password-env VAR] [--mental-health-professional] [--email E] [--first-name F] [--last-name L]`

The password is read from an environment variable (REINTEGRA_PASSWORD unless --password-env names
another), never from the command line, where it would stay in the shell history and the process list.
"""

import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from reintegra.access import services
from reintegra.access.management.commands.createorg import command_error
from reintegra.access.models import Organisation, Team
from reintegra.access.roles import Role


class Command(BaseCommand):
    help = "Create a user of an organisation with one or more roles; the password comes from an environment variable."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument(
            "--organization", "--organisation", dest="organisation", required=True, help="Organisation code."
        )
        parser.add_argument(
            "--role",
            dest="roles",
            action="append",
            required=True,
            help=f"Role (repeat for several): {', '.join(r.value for r in Role)}.",
        )
        parser.add_argument("--team", default=None, help="Team name within the organisation; it must exist.")
        parser.add_argument("--create-team", action="store_true", help="Create the team when it does not exist.")
        parser.add_argument(
            "--password-env",
            default="REINTEGRA_PASSWORD",
            help="Environment variable holding the password (default REINTEGRA_PASSWORD).",
        )
        parser.add_argument(
            "--mental-health-professional",
            action="store_true",
            help="The user is a mental-health professional (may invoke the life-at-risk consent exception).",
        )
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        variable = options["password_env"]
        password = os.environ.get(variable, "")
        if not password:
            raise CommandError(
                _("Set the password in the environment variable %(variable)s (never on the command line).")
                % {"variable": variable}
            )
        code = options["organisation"].strip()
        organisation = Organisation.objects.filter(code__iexact=code).first()
        if organisation is None:
            raise CommandError(
                _("Unknown organisation %(code)s. Create it first with `reintegra createorg`.") % {"code": code}
            )
        try:
            with transaction.atomic():
                team = self._team(organisation, options["team"], options["create_team"])
                user = services.create_user(
                    options["username"],
                    organisation,
                    options["roles"],
                    team=team,
                    password=password,
                    is_mental_health_professional=options["mental_health_professional"],
                    email=options["email"],
                    first_name=options["first_name"],
                    last_name=options["last_name"],
                )
        except ValidationError as exc:
            raise command_error(exc) from None
        roles = ", ".join(sorted(r.value for r in user.roles))
        where = f"{organisation.code}" + (f" / {team.name}" if team else "")
        self.stdout.write(self.style.SUCCESS(f"Created user {user.username} ({where}) with roles: {roles}."))

    def _team(self, organisation: Organisation, name: str | None, create: bool) -> Team | None:
        if not name:
            if create:
                raise CommandError(_("--create-team needs --team NAME."))
            return None
        team = Team.objects.filter(organisation=organisation, name__iexact=name.strip()).first()
        if team is not None:
            return team
        if not create:
            raise CommandError(
                _("Organisation %(code)s has no team %(team)s. Add --create-team to create it.")
                % {"code": organisation.code, "team": name}
            )
        team = services.create_team(organisation, name)
        self.stdout.write(f"Created team {team.name} in {organisation.code}.")
        return team
