"""Reads that may come from the streaming replica (issue 19, docs/deploy.md "Read replica").

Nothing goes to the replica unless the code says so: a dashboard, a statistics page, an export or an indicator
computation reads inside `reading_from_replica()` (a context manager, or a decorator on a view), and
`ReplicaRouter` then answers "replica" for its reads. Everything else, every write and every migration stays
on the primary ("default"). Without `DATABASE_REPLICA_URL` there is no "replica" alias and nothing changes.

Four cases keep a read on the primary even inside `reading_from_replica()`:
- the primary is inside a transaction (a service reading what it is about to write, a snapshot being frozen);
- the browser wrote a moment ago (`ReplicaStickinessMiddleware`: after a POST, PUT, PATCH or DELETE a cookie
  pins its reads to the primary for `REINTEGRA_REPLICA_STICKY_SECONDS`), since the replica may not have
  replayed the user's own change yet;
- the replica cannot be reached: connecting to it failed (within its connect timeout), so the process reads the
  primary for `REINTEGRA_REPLICA_RETRY_SECONDS` (30) before trying again, with one warning on the
  "reintegra.replica" logger (no address, no personal data); `/readyz` says "degraded" meanwhile. A replica that
  fails in the middle of a query fails that one request; the next ones find it away when they connect;
- there is no replica.

Raw SQL does not pass through the router: code that opens a cursor asks `read_alias()` (or a queryset's
`.db`) which connection to use.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
STICKY_COOKIE = "reintegra_primary_until"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_reading = ContextVar("reintegra_replica_reading", default=False)
_pinned = ContextVar("reintegra_replica_pinned", default=False)
logger = logging.getLogger("reintegra.replica")
# Until this moment (time.monotonic()) the process reads the primary: the replica could not be reached. One
# value per process: every thread's connection to a replica that is away fails alike.
_away_until = 0.0


def configured() -> bool:
    return REPLICA in settings.DATABASES


def read_alias() -> str:
    """The database a read made now goes to: "replica" only inside `reading_from_replica()`, with a replica
    configured, the request not pinned to the primary and no transaction open on the primary."""
    if not _reading.get() or _pinned.get() or not configured():
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA if reachable() else DEFAULT_DB_ALIAS


def reachable() -> bool:
    """Whether this thread's replica connection is open or can be opened now. Cheap once connected (Django keeps
    the connection); a failed connection makes the process read the primary for a while (`_away_until`)."""
    global _away_until
    if time.monotonic() < _away_until:
        return False
    try:
        connections[REPLICA].ensure_connection()
    except DatabaseError as exc:
        retry = int(getattr(settings, "REINTEGRA_REPLICA_RETRY_SECONDS", 30))
        _away_until = time.monotonic() + retry
        # The exception's class only: its text may carry the host and user of the connection string.
        logger.warning("read replica unreachable (%s): reading from the primary for %d s", type(exc).__name__, retry)
        return False
    return True


def mark_reachable() -> None:
    """The replica answered (the readiness probe): stop waiting before trying it again."""
    global _away_until
    _away_until = 0.0


@contextmanager
def reading_from_replica() -> Iterator[None]:
    """Reads inside go to the replica when one may serve them (see `read_alias`); also a decorator:
    `@reading_from_replica()`."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


@contextmanager
def pinned_to_primary(pinned: bool = True) -> Iterator[None]:
    token = _pinned.set(pinned)
    try:
        yield
    finally:
        _pinned.reset(token)


def streamed[T](rows: Iterable[T]) -> Iterable[T]:
    """`rows` read from the replica while a streamed response is written, after the view (and the middleware
    that pinned the request) returned: the pinning in force when this is called is kept for the whole stream."""
    if not configured():
        return rows  # untouched: a queryset stays lazy
    return _streamed(rows, _pinned.get())


def _streamed[T](rows: Iterable[T], pinned: bool) -> Iterator[T]:
    iterator: Iterator[T] | None = None
    while True:
        with reading_from_replica(), pinned_to_primary(pinned):
            if iterator is None:
                iterator = iter(rows)  # a queryset runs its query here
            try:
                row = next(iterator)
            except StopIteration:
                return
        yield row


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: reads by `read_alias()`, writes and migrations on the primary only."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the primary's rows: an object read there may be linked to one read here

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


def _pinned_until(request: HttpRequest) -> float:
    try:
        return float(request.COOKIES.get(STICKY_COOKIE, "0"))
    except ValueError:
        return 0.0


class ReplicaStickinessMiddleware:
    """After a write, the browser's reads stay on the primary for a few seconds (a cookie holding the time it
    ends: no session write, nothing personal). Does nothing without a replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not configured():
            return self.get_response(request)
        with pinned_to_primary(_pinned_until(request) > time.time()):
            response = self.get_response(request)
        if request.method not in SAFE_METHODS:
            seconds = int(getattr(settings, "REINTEGRA_REPLICA_STICKY_SECONDS", 15))
            response.set_cookie(
                STICKY_COOKIE,
                str(int(time.time()) + seconds),
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response


# --- health ---------------------------------------------------------------------------------------------------

# A replica further behind than this makes /readyz say "degraded" (dashboards show older figures).
MAX_LAG_SECONDS = 60.0


def status() -> dict[str, Any] | None:
    """None without a replica; else {"replica": "ok" | "lagging" | "not_a_replica" | "unavailable",
    "replica_lag_seconds": …}. The lag is 0 when the replica replayed everything it received (an idle primary
    writes nothing, so the time since the last replayed transaction would overstate it)."""
    if not configured():
        return None
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), "
                "CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
                "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
            )
            in_recovery, lag = cursor.fetchone()
    except Exception:  # a replica away never turns the probe into a 500
        return {"replica": "unavailable"}
    mark_reachable()
    if not in_recovery:
        return {"replica": "not_a_replica"}
    lag = round(float(lag), 3)
    return {"replica": "ok" if lag <= MAX_LAG_SECONDS else "lagging", "replica_lag_seconds": lag}
