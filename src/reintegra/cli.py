"""The `reintegra` command: django-admin with the project's settings."""

import os
import sys


def main() -> None:
    default = (
        "reintegra.settings.production"
        if os.environ.get("REINTEGRA_ENV") == "production"
        else "reintegra.settings"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
