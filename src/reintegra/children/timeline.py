"""How the case timeline words the child's-case events (their data holds codes and dates only)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from reintegra.children.choices import BiaPriority, CareStatus, ParticipationDecision
from reintegra.vocabulary.choices import choice_label


def describe(data: dict[str, Any]) -> list[str]:
    what = data.get("what", "")
    lines = {
        "profile_created": _("Child profile recorded"),
        "profile_updated": _("Child profile updated"),
        "child_case_opened": _("Child case opened from the family's case %(number)s"),
        "family_child_case": _("Child case %(number)s opened for a member of the household"),
        "bia_started": _("Best-interests assessment started (priority: %(priority)s)"),
        "bia_updated": _("Best-interests assessment updated"),
        "bia_submitted": _("Best-interests assessment completed, awaiting approval"),
        "bia_approved": _("Best-interests assessment approved"),
        "bia_returned": _("Best-interests assessment sent back to its author for revision"),
        "bid_started": _("Best-interests determination panel convened"),
        "bid_updated": _("Best-interests determination updated"),
        # Older events held the decision; the timeline never shows it (only the panel and its readers may).
        "bid_decided": _("Best-interests determination decided"),
        "participation": _("Child's participation recorded: %(decision)s"),
    }
    text = lines.get(what)
    if text is None:
        # Tracing and reunification events (tracing helper) word themselves; unknown ones say nothing.
        return []
    params = {
        "number": data.get("family_case") or data.get("child_case") or "",
        "priority": choice_label(BiaPriority, data.get("priority", "")),
        "decision": choice_label(ParticipationDecision, data.get("decision", "")),
        "care_status": choice_label(CareStatus, data.get("care_status", "")),
    }
    return [text % params]
