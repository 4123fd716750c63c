"""Request logs and Prometheus metrics (issue 19 "Health and observability"; docs/deploy.md "Metrics and request
logs").

`RequestObservabilityMiddleware` (first in MIDDLEWARE) times every request and then
- logs one line on the `reintegra.requests` logger: method, route name, status, duration in ms, database
  queries and the user's id. Never the path (it holds ids), never the query string (names and document
  numbers typed in searches), never a user name;
- counts it in the metrics: requests and latency by method, route name and status, database queries by
  database alias. The route name is the URL pattern's name (`cases:detail`), "unmatched" for an address no
  pattern matched: a label never takes a value from the address, so the series stay few.

`/metrics` answers the Prometheus text format to a scraper holding `REINTEGRA_METRICS_TOKEN`
(`Authorization: Bearer …`) or a signed-in staff user; a wrong token gets 401, anyone else 404 (the endpoint
does not show itself). Worker heartbeat age, the task queue's depth and the replica's lag are read when
scraped. Under gunicorn each worker process counts on its own; `reintegra serve` sets
`PROMETHEUS_MULTIPROC_DIR` so that a scrape adds up every worker (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import empty
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector

logger = logging.getLogger("reintegra.requests")

UNMATCHED = "unmatched"  # an address no URL pattern matched (a 404 from the resolver)

REQUESTS = Counter(
    "reintegra_http_requests",
    "HTTP requests answered, by method, route name and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "reintegra_http_request_duration_seconds",
    "Time to answer a request (to the response's first byte for a streamed one), by method and route name.",
    ["method", "route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
QUERIES = Counter("reintegra_db_queries", "Database queries run while answering requests, by database.", ["database"])


def route_name(request: HttpRequest) -> str:
    """The URL pattern's name (with its namespace), never the path: `cases:detail`, not `/casos/123/`."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED
    return match.view_name or UNMATCHED


def _user_id(request: HttpRequest) -> str:
    """The id of the user the request was answered for; "-" when anonymous or never looked up (reading
    `request.user` here would load the session of a request that did not need it, e.g. a probe)."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return "-"
    return str(user.pk) if user.is_authenticated else "-"


class _QueryCounter:
    def __init__(self) -> None:
        self.by_alias: dict[str, int] = {}

    def wrapper(self, alias: str) -> Callable[..., Any]:
        def count(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
            self.by_alias[alias] = self.by_alias.get(alias, 0) + 1
            return execute(sql, params, many, context)

        return count


class RequestObservabilityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counter = _QueryCounter()
        started = time.perf_counter()
        status = 500
        try:
            with ExitStack() as stack:
                for alias in connections:
                    stack.enter_context(connections[alias].execute_wrapper(counter.wrapper(alias)))
                response = self.get_response(request)
            status = response.status_code
            return response
        finally:
            self._record(request, status, time.perf_counter() - started, counter)

    def _record(self, request: HttpRequest, status: int, seconds: float, counter: _QueryCounter) -> None:
        method, route = request.method or "-", route_name(request)
        try:
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(seconds)
            for alias, count in counter.by_alias.items():
                QUERIES.labels(alias).inc(count)
        except Exception:  # metrics never break a request
            logger.exception("metrics: could not record a request")
        queries = sum(counter.by_alias.values())
        logger.info(
            "%s %s %s %.1fms queries=%d user=%s",
            method,
            route,
            status,
            seconds * 1000,
            queries,
            _user_id(request),
            extra={
                "http_method": method,
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 1),
                "db_queries": queries,
                "user_id": _user_id(request),
            },
        )


# --- what is read when scraped ----------------------------------------------------------------------------------


class ScrapeTimeCollector(Collector):
    """The worker's heartbeat age, the task queue's depth and the replica's lag, read at each scrape (one
    process answers a scrape, so these are never added up across workers)."""

    def collect(self) -> Iterator[Metric]:
        yield from _worker_heartbeat()
        yield from _queue_depth()
        yield from _replica_lag()

    def describe(self) -> Iterable[Metric]:
        return []  # not collected at registration (the database may not be ready then)


def _worker_heartbeat() -> Iterator[Metric]:
    from reintegra.web.models import WorkerHeartbeat

    gauge = GaugeMetricFamily(
        "reintegra_worker_heartbeat_age_seconds", "Seconds since the background worker's last heartbeat."
    )
    try:
        last = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
    except Exception:
        return
    if last is not None:
        gauge.add_metric([], (timezone.now() - last).total_seconds())
        yield gauge


def _queue_depth() -> Iterator[Metric]:
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    gauge = GaugeMetricFamily(
        "reintegra_task_queue_depth",
        "Background tasks by queue and status (READY: waiting).",
        labels=["queue", "status"],
    )
    try:
        rows = list(
            DBTaskResult.objects.filter(status__in=["READY", "RUNNING"])
            .values("queue_name", "status")
            .annotate(n=Count("id"))
            .order_by()
        )
    except Exception:
        return
    for row in rows:
        gauge.add_metric([row["queue_name"], row["status"]], row["n"])
    yield gauge


def _replica_lag() -> Iterator[Metric]:
    from reintegra import replica

    state = replica.status()
    if state is None:
        return
    up = GaugeMetricFamily("reintegra_replica_up", "1 when the streaming replica answers and is in recovery.")
    up.add_metric([], 1.0 if state["replica"] in ("ok", "lagging") else 0.0)
    yield up
    if "replica_lag_seconds" in state:
        lag = GaugeMetricFamily("reintegra_replica_lag_seconds", "How far the replica's replay is behind.")
        lag.add_metric([], state["replica_lag_seconds"])
        yield lag


def _registry() -> CollectorRegistry:
    """Every process's counters under gunicorn (multiprocess mode), else this process's; then what is read now."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ProcessCollectors())
    registry.register(ScrapeTimeCollector())
    return registry


class _ProcessCollectors(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


# --- the endpoint -----------------------------------------------------------------------------------------------


def _bearer(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _staff(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    expected = getattr(settings, "REINTEGRA_METRICS_TOKEN", "")
    given = _bearer(request)
    if given is not None and not (expected and hmac.compare_digest(given.encode(), expected.encode())):
        response = HttpResponse("", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if given is None and not _staff(request):
        raise Http404
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
