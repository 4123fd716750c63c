"""The platform's health checks: `/healthz` (for a load balancer: the database answers) and the
administrator's home panel (`access.home`), which shows every check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy as _


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


def _migrations() -> bool:
    """Every migration applied (a deployment that forgot `reintegra migrate` fails pages one by one)."""
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        return not executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception:
        return False


def _cache() -> bool:
    from django.core.cache import cache

    try:
        cache.set("reintegra-health", "ok", 5)
        return bool(cache.get("reintegra-health") == "ok")
    except Exception:
        return False


CHECKS: list[tuple[str, Any, Callable[[], bool]]] = [  # (key, lazy label, check)
    ("database", _("Database answers"), _database),
    ("migrations", _("Every migration applied"), _migrations),
    ("cache", _("Cache works"), _cache),
]


def checks() -> list[Check]:
    """Every check, run now (the database first: the others need it)."""
    return [Check(key, str(label), run()) for key, label, run in CHECKS]


def healthz(request: HttpRequest) -> JsonResponse:
    if not _database():
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
