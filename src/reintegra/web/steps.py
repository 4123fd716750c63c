"""A step of a record's life shown as a button (docs/ARCHITECTURE.md, "The UI kit"): a link when it may be
taken now, otherwise a disabled button with the reason beside it, the same reason the service would give.

    steps = {"agree": Step(True), "close": Step(False, exc.message)}    # from the app's lifecycle rules
    {% include "web/includes/step.html" with step=steps.agree url=agree_url label=agree_label name="agree" %}

When the step is posted anyway (a stale page, a second tab) the service raises `TransitionError`; the view
shows it with `show_refused(request, exc)` and renders the page again, where the step is now disabled:

    except TransitionError as exc:
        show_refused(request, exc)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.contrib import messages
from django.http import HttpRequest


@dataclass(frozen=True)
class Step:
    """Whether a step may be taken now, and if not, why (shown next to the disabled button)."""

    allowed: bool
    reason: str = ""


class Refusal(Protocol):
    """`access.transitions.TransitionError`, named by its shape because `web` imports no app."""

    message: str
    code: str


def show_refused(request: HttpRequest, error: Refusal) -> None:
    """A step the record's status does not allow: its reason on top of the page. Not on the form, because
    the page shown again offers the step no more (a disabled button with the same reason)."""
    messages.error(request, error.message)
