"""Background task (Django Tasks, database backend): write a large export's file (`export_jobs.run`).

`export_jobs.start` enqueues it; the worker (`reintegra worker`) runs it. Expired files are deleted by
`export_jobs.purge_expired` (`reintegra send-reminders`, `reintegra purge-exports`), and by each run here.
"""

from typing import Any

from django.tasks import task


@task
def run_export(job_id: int) -> dict[str, Any]:
    from reintegra.access import export_jobs

    export_jobs.purge_expired()
    job = export_jobs.run(job_id)
    return {"export": job.pk, "status": job.status, "rows": job.rows_done}
