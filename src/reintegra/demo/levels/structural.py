"""Demo data of the structural level: the Guatemala programme of "oim-gt" (Spanish, realistic), from
data/structural.yaml, saved through the structural services as the programme's manager."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone

from reintegra.access.models import Programme, User
from reintegra.demo import vocabulary
from reintegra.demo.levels.context import DemoContext
from reintegra.structural import choices as c
from reintegra.structural import services
from reintegra.structural.models import (
    ChecklistStep,
    CooperationFramework,
    CoordinationMechanism,
    MainstreamingProcess,
    Stakeholder,
)

_DATA = vocabulary.load("structural.yaml")
# Which field of a checklist names its owner, by the owner's model.
_CHECKLIST_OWNER: dict[type[models.Model], str] = {
    CoordinationMechanism: "mechanism",
    CooperationFramework: "framework",
    MainstreamingProcess: "process",
}


def load(context: DemoContext) -> str:
    org = context.organisations["oim-gt"]
    manager = context.users.get("gerente")
    programme = Programme.default_for(org.pk)
    if programme is None or manager is None:
        return "Structural level: no programme or manager for oim-gt; skipped."
    if Stakeholder.objects.filter(programme=programme).exists():
        return "Structural level: demo data already present."
    refs: dict[str, Any] = {"manager": manager}
    for entry in _DATA["records"]:
        _save(entry, programme, manager, refs)
    services.set_exchange_matrix(
        manager, refs["framework"], {(refs[party[1:]].pk, info, right) for party, info, right in _DATA["exchange"]}
    )
    for steps in _DATA["steps"]:
        _steps(refs[steps["owner"][1:]], steps["kind"], steps["statuses"], steps.get("evidence", ""))
    _checklists(programme)
    # The national coordination body ("coordinacion", mesa-gt) may change this programme's records and
    # oim-gt's regional actions: oim-gt's programme manager gave it write access.
    mesa = context.organisations.get("mesa-gt")
    if mesa is not None:
        services.grant_write(manager, mesa, c.GrantScope.STRUCTURAL, programme)
        services.grant_write(manager, mesa, c.GrantScope.REGIONAL)
    count = Counter(entry["model"] for entry in _DATA["records"])
    return (
        f"Structural level: {count['Stakeholder']} stakeholders, {count['Agreement']} agreements, "
        f"{count['CoordinationMechanism']} mechanisms, {count['CapacityPlan']} capacity plan, "
        f"{count['CooperationFramework']} cooperation framework, {count['MainstreamingProcess']} mainstreaming process."
    )


def _value(name: str, value: Any, refs: dict[str, Any], today: date) -> Any:
    """ "@key": the record saved under that key; a number in a date field (`…_on`): that many days from today."""
    if isinstance(value, str) and value.startswith("@"):
        return refs[value[1:]]
    if name.endswith("_on") and isinstance(value, int):
        return today + timedelta(days=value)
    return value


def _save(entry: dict[str, Any], programme: Programme, manager: User, refs: dict[str, Any]) -> None:
    values = {**_DATA["defaults"].get(entry["model"], {}), **entry}
    model: type[models.Model] = apps.get_model("structural", values.pop("model"))
    key = values.pop("key", None)
    m2m = {name: [refs[target[1:]] for target in targets] for name, targets in values.pop("m2m", {}).items()}
    today = timezone.localdate()
    fields = {name: _value(name, value, refs, today) for name, value in values.items()}
    saved = services.save_record(manager, model(programme=programme, **fields), m2m)  # type: ignore[arg-type]
    if key:
        refs[key] = saved


def _steps(owner: models.Model, kind: str, statuses: dict[str, str], evidence: str) -> None:
    """Mark steps of the owner's checklist done or under way (the demo's history, not a user's edit)."""
    field = _CHECKLIST_OWNER[type(owner)]
    today = timezone.localdate()
    for step in ChecklistStep.objects.filter(checklist__kind=kind, **{f"checklist__{field}_id": owner.pk}):
        if step.code in statuses:
            step.status = statuses[step.code]
            step.started_on = today - timedelta(days=60)
            step.completed_on = today - timedelta(days=10) if step.status == "done" else None
            step.evidence = evidence
            step.save()


def _checklists(programme: Programme) -> None:
    for kind, state in _DATA["checklists"].items():
        checklist = services.ensure_checklist(programme.pk, kind)
        if state["done"]:
            ChecklistStep.objects.filter(checklist=checklist, code__in=state["done"]).update(
                status="done", notes=state["notes"]
            )
