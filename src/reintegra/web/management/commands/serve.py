"""`reintegra serve [--bind 127.0.0.1:8000] [--workers N]`: Reintegra on gunicorn, the production stack.

The settings are the ones the `reintegra` command chose (REINTEGRA_ENV=production → production settings);
WhiteNoise serves the static files (compressed); request lines are logged without query strings
(`reintegra.log_filters`). Workers default to two per core plus one, at most eight: requests wait on the
database more than on the processor.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

MAX_DEFAULT_WORKERS = 8


def default_workers(cores: int | None = None) -> int:
    cores = cores or os.cpu_count() or 1
    return max(2, min(2 * cores + 1, MAX_DEFAULT_WORKERS))


class Command(BaseCommand):
    help = "Serve Reintegra with gunicorn (workers from the cores, WhiteNoise static files, no query strings in logs)."
    requires_system_checks: list[str] = []  # the workers load the application, and Django checks it then

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="Address and port (default 127.0.0.1:8000).")
        parser.add_argument("--workers", type=int, default=None, help="Worker processes (default: from the cores).")
        parser.add_argument("--timeout", type=int, default=120, help="Seconds before a stuck worker is restarted.")

    def handle(self, *args: Any, **options: Any) -> None:
        from gunicorn.app.base import BaseApplication

        workers = options["workers"] or default_workers()
        if workers < 1:
            raise CommandError("--workers must be 1 or more.")
        config = {
            "bind": options["bind"],
            "workers": workers,
            "timeout": options["timeout"],
            "accesslog": "-",
            "errorlog": "-",
            # A worker restarted now and then frees what long exports held (jitter: not all at once).
            "max_requests": 2000,
            "max_requests_jitter": 200,
        }

        class ReintegraServer(BaseApplication):  # type: ignore[misc]  # gunicorn ships no types
            def load_config(self) -> None:
                for key, value in config.items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                # The settings the `reintegra` command chose are loaded already (what reintegra.wsgi does).
                from django.core.wsgi import get_wsgi_application

                return get_wsgi_application()

        self._collect_static_files()
        self.stdout.write(f"Serving on http://{options['bind']}/ with {workers} workers (gunicorn). Ctrl-C stops.")
        ReintegraServer().run()

    def _collect_static_files(self) -> None:
        """Static files under hashed names (cached for a year by browsers and proxies) with their gzip and brotli
        copies, collected once at start; the development settings serve the source folders instead."""
        from django.conf import settings
        from django.core.management import call_command

        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "reintegra.web.static_storage.HashedStaticFiles"},
        }
        settings.WHITENOISE_USE_FINDERS = False
        self.stdout.write("Collecting static files…")
        call_command("collectstatic", interactive=False, verbosity=0)
