"""`/healthz` (liveness: the process answers and reaches its database) and `/readyz` (readiness: the database
answers, every migration is applied, and whether a background worker beat recently). Both answer JSON without
a login and say nothing about the data."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

# A worker beats every 30 s (`reintegra worker`); three missed beats and it counts as gone.
WORKER_STALE_AFTER = timedelta(seconds=90)
# Checking the migration graph reads every migration file: once a minute per process is enough.
MIGRATIONS_CHECK_SECONDS = 60
_migrations_checked: dict[str, Any] = {"at": 0.0, "pending": None}


def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy", never a 500 page
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def _pending_migrations() -> int:
    now = time.monotonic()
    if _migrations_checked["pending"] is None or now - _migrations_checked["at"] > MIGRATIONS_CHECK_SECONDS:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        _migrations_checked.update(at=now, pending=len(plan))
    return int(_migrations_checked["pending"])


def _worker() -> str:
    from reintegra.web.models import WorkerHeartbeat

    last = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
    if last is None:
        return "none"
    return "ok" if timezone.now() - last <= WORKER_STALE_AFTER else "stale"


def readyz(request: HttpRequest) -> JsonResponse:
    """503 when the site cannot serve (database away, migrations not applied). A missing or stale worker leaves
    pages working but queued work waiting: the answer says "degraded" with 200, for the monitoring to alert on
    without taking the site out of the load balancer."""
    try:
        pending = _pending_migrations()
        worker = _worker()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    body: dict[str, Any] = {
        "status": "ok",
        "database": "ok",
        "migrations": "ok" if not pending else "pending",
        "worker": worker,
    }
    if pending:
        body.update(status="error", pending_migrations=pending)
        return JsonResponse(body, status=503)
    if worker != "ok":
        body["status"] = "degraded"
    return JsonResponse(body)
