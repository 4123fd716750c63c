"""`reintegra worker`: the background worker (Django Tasks, database backend) with a heartbeat.

It runs what the pages and commands queue (manifest imports, reminders, hand-over retries) with
django-tasks-db's worker loop, and writes a heartbeat row every `--heartbeat` seconds from a thread of its own
(its own database connection), so `/readyz` can tell a live worker from a dead one. Stop it with SIGTERM or
Ctrl-C: a running task finishes first (django-tasks-db's behaviour). `reintegra db_worker` still works, without
the heartbeat.
"""

from __future__ import annotations

import os
import socket
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.crypto import get_random_string

HEARTBEAT_SECONDS = 30


def beat(worker_id: str, started_at: Any) -> None:
    from reintegra.web.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "beat_at": timezone.now(),
        },
    )


class Heartbeat(threading.Thread):
    def __init__(self, worker_id: str, every: float) -> None:
        super().__init__(name="reintegra-heartbeat", daemon=True)
        self.worker_id, self.every, self.stopped = worker_id, every, threading.Event()
        self.started_at = timezone.now()

    def run(self) -> None:
        # The first beat is the command's own, before the worker starts; this thread beats every `every` after.
        while not self.stopped.wait(self.every):
            try:
                beat(self.worker_id, self.started_at)
            except DatabaseError:
                pass  # the database is away for a moment; the next beat tries again, /readyz shows the gap
            finally:
                connection.close()  # this thread's own connection: never left open between beats

    def stop(self) -> None:
        self.stopped.set()


class Command(BaseCommand):
    help = "Run the background worker (queued imports, reminders, hand-over retries) with a heartbeat for /readyz."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls of an empty queue.")
        parser.add_argument("--heartbeat", type=float, default=HEARTBEAT_SECONDS, help="Seconds between heartbeats.")
        parser.add_argument("--batch", action="store_true", help="Run what is queued, then exit.")
        parser.add_argument("--queue-name", default="default", help="Queues to serve, comma-separated; '*' for all.")

    def handle(self, *args: Any, **options: Any) -> None:
        from django_tasks_db.management.commands.db_worker import Worker

        if options["interval"] <= 0 or options["heartbeat"] <= 0:
            raise CommandError("--interval and --heartbeat must be more than zero seconds.")
        worker_id = get_random_string(32)
        heartbeat = Heartbeat(worker_id, options["heartbeat"])
        beat(worker_id, heartbeat.started_at)  # at once, so /readyz sees the worker before the first interval
        heartbeat.start()
        worker = Worker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=not options["batch"],
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        self.stdout.write(f"Worker {worker_id[:8]} started (queues: {options['queue_name']}). Ctrl-C stops.")
        try:
            worker.run()
        finally:
            heartbeat.stop()
            heartbeat.join(timeout=5)
