"""Background task (Django Tasks, database backend): run the reminder producers and e-mail what is new.

Enqueue it with `reintegra send-reminders --enqueue` (from cron) and run the worker with
`reintegra worker`; or run `reintegra send-reminders` from cron directly.
"""

from typing import Any

from django.tasks import task

from reintegra.reminders import services


@task
def send_reminders_task(today: str | None = None) -> dict[str, Any]:
    from datetime import date

    report = services.send_reminders(date.fromisoformat(today) if today else None)
    return {"new": report.new, "emailed": report.emailed}
