"""Reminders of the management response (registered in apps.py through `register`).

- recommendation_action_due: an accepted or partially accepted recommendation's action is still open (not
  done nor dropped) and its due date is within `DUE_SOON_DAYS`, or past; to the action's owner. Two
  reminders at most per due date: one when it comes near, one once it is past. A new due date is a new
  reminder. The message names the evaluation and the date only.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext_noop

from reintegra.monitoring import evaluation_selectors
from reintegra.reminders.registry import Due


def recommendation_actions_due(today: date) -> Iterator[Due]:
    for pk, evaluation_id, title, owner_id, due_on in evaluation_selectors.actions_due(today).iterator(chunk_size=1000):
        if due_on is None or owner_id is None:
            continue
        past = due_on < today
        yield Due(
            recipient_id=owner_id,
            key=f"recommendation:{pk}:due:{due_on.isoformat()}:{'past' if past else 'near'}",
            message=(
                gettext_noop("The action on a recommendation of “%(evaluation)s” was due on %(date)s")
                if past
                else gettext_noop("The action on a recommendation of “%(evaluation)s” is due on %(date)s")
            ),
            params={"evaluation": title, "date": due_on.isoformat()},
            url=reverse("monitoring:evaluation-detail", args=[evaluation_id]) + f"#recommendation-{pk}",
            due_on=due_on,
        )


def register() -> None:
    """Called from MonitoringConfig.ready(): the reminder producer and the change log of these models."""
    from reintegra.access import audit
    from reintegra.reminders import registry

    for model in ("Evaluation", "Recommendation", "Lesson"):
        audit.register_model(f"monitoring.{model}", personal=False)
    registry.register("recommendation_action_due", recommendation_actions_due)
