"""`reintegra dumpdata` — Django's dumpdata, refusing to write personal data out in clear.

dumpdata reads records through the models, so encrypted fields come out decrypted: a fixture of the case
records is the whole caseload in clear in a file. It is not a backup route (a backup is taken at the
database level, where encrypted fields stay encrypted: `reintegra backup`, see docs/data-protection.md).

Models of reference data and configuration (`access.personal_data.NOT_PERSONAL`: places, instruments,
the service directory, the regional catalogue...) dump as before. Any other model is refused unless
`--purpose "…"` states why the records must be written out; the dump is then recorded in the access trail
(an export event, flagged, channel "cli", with the purpose, the models and the destination), attributed
to `--user USERNAME` when given so that the user's data-protection officer sees it in the trail.
"""

from typing import Any

from django.apps import apps
from django.core.management.base import CommandError, CommandParser
from django.core.management.commands import dumpdata
from django.core.management.utils import parse_apps_and_model_labels
from django.db import models
from django.utils.translation import gettext as _

from reintegra.access import audit
from reintegra.access.personal_data import holds_personal_data


def models_to_dump(app_labels: tuple[str, ...], excludes: list[str]) -> list[type[models.Model]]:
    """The concrete models dumpdata would serialize for these labels and exclusions (as Django resolves them)."""
    excluded_models, excluded_apps = parse_apps_and_model_labels(excludes)
    chosen: list[type[models.Model]] = []
    if not app_labels:
        for config in apps.get_app_configs():
            if config.models_module is not None and config not in excluded_apps:
                chosen.extend(config.get_models())
    else:
        for label in app_labels:
            app_label, _dot, model_name = label.partition(".")
            try:
                config = apps.get_app_config(app_label)
            except LookupError as exc:
                raise CommandError(str(exc)) from None
            if config.models_module is None or config in excluded_apps:
                continue
            if not model_name:
                chosen.extend(config.get_models())
                continue
            try:
                chosen.append(config.get_model(model_name))
            except LookupError:
                raise CommandError(f"Unknown model: {label}") from None
    return [m for m in dict.fromkeys(chosen) if m not in excluded_models and not m._meta.proxy]


class Command(dumpdata.Command):
    help = (
        "Output records of the database as a fixture. Refuses models holding personal data unless --purpose "
        "says why (recorded in the access trail); it is not a backup."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--purpose",
            default="",
            help="Why records holding personal data must be written out in clear (recorded in the access trail).",
        )
        parser.add_argument(
            "--user",
            dest="accountable_user",
            default="",
            help="Username of the person accountable for the dump (the access trail event is theirs).",
        )

    def handle(self, *app_labels: str, **options: Any) -> None:
        personal = [m for m in models_to_dump(app_labels, options["exclude"]) if holds_personal_data(m)]
        if personal:
            self._authorise(personal, options)
        super().handle(*app_labels, **options)

    def _authorise(self, personal: list[type[models.Model]], options: Any) -> None:
        labels = sorted(m._meta.label for m in personal)
        purpose = (options["purpose"] or "").strip()
        if not purpose:
            shown = ", ".join(labels[:8]) + (", …" if len(labels) > 8 else "")
            raise CommandError(
                _(
                    "dumpdata would write personal data in clear (%(models)s). It is not a backup: back up the "
                    "database with `reintegra backup` (encrypted fields stay encrypted). To write these records "
                    'out anyway, say why with --purpose "…"; the dump is recorded in the access trail.'
                )
                % {"models": shown}
            )
        user = None
        username = (options["accountable_user"] or "").strip()
        if username:
            from reintegra.access.models import User

            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(_("Unknown or inactive user %(username)s.") % {"username": username})
        destination = options["output"] or "standard output"
        audit.record_access(
            user,
            "export",
            object_type="dumpdata",
            object_id=str(len(labels)),
            # The stated purpose first: the trail keeps 300 characters.
            purpose=f"{purpose} (dumpdata to {destination}: {', '.join(labels)})",
            flagged=True,
            channel="cli",
        )
        self.stderr.write(
            _("Personal data written out in clear for: %(purpose)s (recorded in the access trail).")
            % {"purpose": purpose}
        )
