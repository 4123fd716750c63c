"""The timeline of a case no longer carries a best-interests determination's decision: everyone who sees the
case reads its timeline (page and API), the determination only its panel, the case manager and supervisors.
Removes the decision from the events written before."""

from typing import Any

from django.db import migrations


def strip_decisions(apps: Any, schema_editor: Any) -> None:
    CaseEvent = apps.get_model("cases", "CaseEvent")
    changed = []
    for event in CaseEvent.objects.filter(kind="child").only("pk", "data").iterator(chunk_size=2000):
        data = event.data or {}
        if str(data.get("what", "")).startswith("bid_") and "decision" in data:
            data.pop("decision")
            event.data = data
            changed.append(event)
    CaseEvent.objects.bulk_update(changed, ["data"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0004_settings_and_bia_return"),
        ("cases", "0012_alter_caseevent_kind"),
    ]

    operations = [migrations.RunPython(strip_decisions, migrations.RunPython.noop)]
