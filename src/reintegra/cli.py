"""The `reintegra` command: django-admin with the project's settings."""

import os
import sys


def main() -> None:
    default = (
        "reintegra.settings.production" if os.environ.get("REINTEGRA_ENV") == "production" else "reintegra.settings"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default)
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    # `reintegra apply-retention` and `reintegra apply_retention` are the same command.
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
