"""`reintegra serve [--bind 127.0.0.1:8000] [--workers N] [--with-worker]`: Reintegra on gunicorn, the production
stack.

The settings are the ones the `reintegra` command chose (REINTEGRA_ENV=production → production settings);
WhiteNoise serves the static files (compressed); each request is logged by the application with its route
name, never its path or query string (`reintegra.observability`), and the workers share their Prometheus
counters through `PROMETHEUS_MULTIPROC_DIR` (default `var/prometheus`, emptied at start). Workers default to
two per core plus one, at most eight: requests wait on the database more than on the processor.
`--with-worker` also runs the background worker (`reintegra worker`) as a child process, stopped with the
server: one command for a demo or a small office; a server runs the worker as its own service (docs/deploy.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

MAX_DEFAULT_WORKERS = 8


def default_workers(cores: int | None = None) -> int:
    cores = cores or os.cpu_count() or 1
    return max(2, min(2 * cores + 1, MAX_DEFAULT_WORKERS))


def _metrics_directory() -> None:
    """Prometheus counters shared by the workers (prometheus_client's multiprocess mode), emptied at each start;
    set before a worker imports prometheus_client."""
    from django.conf import settings

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    else:
        directory = Path(settings.VAR_DIR) / "prometheus"
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


def close_connections_before_forking() -> None:
    """The workers are forked from this process: a database connection it opened (`reintegra demo` migrates and
    seeds here first) must not be inherited, since SQLite's and psycopg's handles are not to be shared across a
    fork, and each process keeps its connection for a minute (`settings.database`). Each worker opens its own."""
    from django.db import connections

    connections.close_all()


def _worker_exited(server: Any, worker: Any) -> None:
    """gunicorn's child_exit hook: a dead worker's live gauges leave the sums."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


class Command(BaseCommand):
    help = "Serve Reintegra with gunicorn (workers from the cores, WhiteNoise static files, no query strings in logs)."
    requires_system_checks: list[str] = []  # the workers load the application, and Django checks it then

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="Address and port (default 127.0.0.1:8000).")
        parser.add_argument("--workers", type=int, default=None, help="Worker processes (default: from the cores).")
        parser.add_argument("--timeout", type=int, default=120, help="Seconds before a stuck worker is restarted.")
        parser.add_argument(
            "--with-worker", action="store_true", help="Also run the background worker (reintegra worker) beside it."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from gunicorn.app.base import BaseApplication

        workers = options["workers"] or default_workers()
        if workers < 1:
            raise CommandError("--workers must be 1 or more.")
        config = {
            "bind": options["bind"],
            "workers": workers,
            "timeout": options["timeout"],
            # Each request is logged by the application (reintegra.observability: route name, status, ms, user
            # id), not by gunicorn's access log, whose request line carries the path with its ids.
            "accesslog": None,
            "errorlog": "-",
            "child_exit": _worker_exited,
            # A worker restarted now and then frees what long exports held (jitter: not all at once). A restart
            # costs 1.4 CPU s before the new worker answers, so not too often: every 2,000 requests was 3 % of
            # the CPU at 200 users; a worker's RSS moved by 0.04 MB over 600 pages (docs/scaling.md).
            "max_requests": 10_000,
            "max_requests_jitter": 1_000,
        }

        class ReintegraServer(BaseApplication):  # type: ignore[misc]  # gunicorn ships no types
            def load_config(self) -> None:
                for key, value in config.items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                # The settings the `reintegra` command chose are loaded already (what reintegra.wsgi does).
                import gc

                from django.core.wsgi import get_wsgi_application
                from django.urls import get_resolver

                application = get_wsgi_application()
                get_resolver().url_patterns  # noqa: B018  # imports every app's URLs and views now
                # The application's long-lived objects leave the collector's generations: a full collection no
                # longer walks every module, view and URL pattern during a request (docs/scaling.md).
                gc.freeze()
                return application

        self._collect_static_files()
        _metrics_directory()
        close_connections_before_forking()
        self.stdout.write(f"Serving on http://{options['bind']}/ with {workers} workers (gunicorn). Ctrl-C stops.")
        background = self._start_background_worker() if options["with_worker"] else None
        try:
            ReintegraServer().run()
        finally:
            if background is not None:
                background.terminate()  # the worker finishes a running task first, then exits
                try:
                    background.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    background.kill()

    def _start_background_worker(self) -> subprocess.Popen[bytes]:
        # The same settings: the `reintegra` command put its choice in the environment the child inherits.
        self.stdout.write("Starting the background worker (reintegra worker)…")
        return subprocess.Popen([sys.executable, "-m", "reintegra", "worker"], env=os.environ.copy())

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
