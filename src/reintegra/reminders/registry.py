"""What each app says is due. Producers are plain functions `producer(today) -> Iterable[Due]`.

Apps register theirs in `AppConfig.ready()`:

    from reintegra.reminders.registry import Due, register
    register("rss_round_due", rss_rounds_due)

A producer must be cheap to run daily over the whole database (one or a few queries) and must not put
personal data in the message (case numbers, not names).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Due:
    recipient_id: int
    key: str  # unique per recipient and kind: the same thing due again is not a new reminder
    message: str  # untranslated text, marked with gettext_noop so makemessages extracts it
    params: dict[str, Any] = field(default_factory=dict)
    url: str = ""
    due_on: date | None = None


Producer = Callable[[date], Iterable[Due]]
_PRODUCERS: dict[str, Producer] = {}


def register(kind: str, producer: Producer) -> None:
    _PRODUCERS[kind] = producer


def producers() -> dict[str, Producer]:
    return dict(_PRODUCERS)
