"""Background delivery of sealed packages (Django Tasks): one push per run, the next one scheduled with
exponential backoff (`services.record_attempt`); `reintegra handover-retry` (cron) and the outbox's retry
button pick up whatever is due when the task backend cannot defer."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from typing import Any

from django.db import transaction
from django.tasks import default_task_backend, task
from django.utils import timezone

from reintegra.handover import services
from reintegra.handover.choices import DeliveryStatus
from reintegra.handover.models import Delivery

logger = logging.getLogger("reintegra.handover")
INBOX_PATH = "/api/v1/handovers/inbox/"
TIMEOUT_SECONDS = 20


def push(delivery: Delivery) -> tuple[bool, str]:
    """POST the JWE to the partner's inbox. Returns (delivered, error code): only codes, never content."""
    url = delivery.partner.base_url.rstrip("/") + INBOX_PATH
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked when the partner is registered)
        url,
        data=delivery.token.encode(),
        headers={"Content-Type": "application/jose", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return 200 <= response.status < 300, f"http_{response.status}"
    except urllib.error.HTTPError as exc:
        if exc.code == 409:
            return True, ""  # the partner already has this package (our earlier attempt got through)
        return False, f"http_{exc.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        return False, type(exc).__name__


def attempt(delivery_id: int) -> Delivery | None:
    delivery = Delivery.objects.select_related("partner").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return delivery
    ok, error = push(delivery)
    delivery = services.record_attempt(delivery, ok=ok, error=error)
    if not ok:
        logger.warning("hand-over delivery %s failed (%s), attempt %s", delivery.pk, error, delivery.attempts)
    return delivery


@task
def deliver_task(delivery_id: int) -> dict[str, Any]:
    delivery = attempt(delivery_id)
    when = delivery.next_attempt_at if delivery is not None and delivery.status == DeliveryStatus.PENDING else None
    if delivery is not None and when is not None and default_task_backend.supports_defer:
        pk = delivery.pk
        transaction.on_commit(lambda: deliver_task.using(run_after=when).enqueue(pk))
    return {"status": delivery.status if delivery else "missing"}


def enqueue_delivery(delivery_id: int) -> None:
    deliver_task.enqueue(delivery_id)


def retry_due(now: Any = None) -> int:
    """Push every pending delivery whose next attempt is due (cron, or a backend without deferral)."""
    moment = now or timezone.now()
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=moment).values_list("pk", flat=True)
    )
    for pk in due:
        attempt(pk)
    return len(due)
