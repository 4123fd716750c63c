"""The platform's health checks: `/healthz` (liveness: the process answers and reaches its database),
`/readyz` (readiness: the database answers, every migration is applied, and whether a background worker beat
recently, and the streaming replica's state and lag when one is configured: `reintegra.replica.status`) and the
administrator's home panel (`access.home`), which shows every check. The probes answer JSON
without a login and say nothing about the data."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra import replica

# A worker beats every 30 s (`reintegra worker`); three missed beats and it counts as gone.
WORKER_STALE_AFTER = timedelta(seconds=90)
# Checking the migration graph reads every migration file: once a minute per process is enough.
MIGRATIONS_CHECK_SECONDS = 60
_migrations_checked: dict[str, Any] = {"at": 0.0, "pending": None}


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    ok: bool


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy", never a 500 page
        return False
    return True


def _pending_migrations() -> int:
    now = time.monotonic()
    if _migrations_checked["pending"] is None or now - _migrations_checked["at"] > MIGRATIONS_CHECK_SECONDS:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        _migrations_checked.update(at=now, pending=len(plan))
    return int(_migrations_checked["pending"])


def _migrations() -> bool:
    """Every migration applied (a deployment that forgot `reintegra migrate` fails pages one by one)."""
    try:
        return not _pending_migrations()
    except Exception:
        return False


def _cache() -> bool:
    from django.core.cache import cache

    try:
        cache.set("reintegra-health", "ok", 5)
        return bool(cache.get("reintegra-health") == "ok")
    except Exception:
        return False


def _worker() -> str:
    from reintegra.web.models import WorkerHeartbeat

    last = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
    if last is None:
        return "none"
    return "ok" if timezone.now() - last <= WORKER_STALE_AFTER else "stale"


def _worker_beats() -> bool:
    try:
        return _worker() == "ok"
    except DatabaseError:
        return False


CHECKS: list[tuple[str, Any, Callable[[], bool]]] = [  # (key, lazy label, check)
    ("database", _("Database answers"), _database),
    ("migrations", _("Every migration applied"), _migrations),
    ("cache", _("Cache works"), _cache),
    ("worker", _("The background worker runs (reintegra worker)"), _worker_beats),
]


def checks() -> list[Check]:
    """Every check, run now (the database first: the others need it)."""
    return [Check(key, str(label), run()) for key, label, run in CHECKS]


def healthz(request: HttpRequest) -> JsonResponse:
    if not _database():
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


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
    # A replica away or behind leaves the primary serving, but dashboards and exports read it: degraded.
    replica_state = replica.status()
    if replica_state is not None:
        body.update(replica_state)
        if replica_state["replica"] != "ok":
            body["status"] = "degraded"
    return JsonResponse(body)
