"""The `reintegra` command: django-admin with the project's settings (chosen by `reintegra.environment`)."""

import sys


def main() -> None:
    from reintegra import environment

    environment.select_settings()
    from django.conf import settings
    from django.core.management import execute_from_command_line

    # Loads the settings module now: a production deployment that would run without its settings stops here.
    environment.verify_loaded(settings)
    argv = list(sys.argv)
    # `reintegra apply-retention` and `reintegra apply_retention` are the same command.
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
