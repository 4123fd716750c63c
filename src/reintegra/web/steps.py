"""A step of a record's life shown as a button (docs/ARCHITECTURE.md, "The UI kit"): a link when it may be
taken now, otherwise a disabled button with the reason beside it, the same reason the service would give.

    steps = {"agree": Step(True), "close": Step(False, str(exc))}       # from the app's lifecycle rules
    {% include "web/includes/step.html" with step=steps.agree url=agree_url label=agree_label name="agree" %}
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """Whether a step may be taken now, and if not, why (shown next to the disabled button)."""

    allowed: bool
    reason: str = ""
