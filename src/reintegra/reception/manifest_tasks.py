"""Background task (Django Tasks, database backend): run a queued manifest import.

`manifest_services.start_import` enqueues it; the worker (`reintegra worker`) runs it. The task's id is
kept on the import (`ManifestImport.task_id`): `GET /api/v1/tasks/{id}/` answers its status and report.
"""

from typing import Any

from django.tasks import task


@task
def run_manifest_import(import_id: int) -> dict[str, Any]:
    from reintegra.reception import manifest_services

    record = manifest_services.run_import(import_id)
    return {"import": record.pk, "status": record.status}
