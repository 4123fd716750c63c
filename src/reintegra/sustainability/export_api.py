"""`GET /api/v1/survey-rounds/export.csv|xlsx`: the survey rounds of the cases the caller sees with their
current scores (`sustainability.exports`), through the API's one export endpoint (`api.exports`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from reintegra.access import exports
from reintegra.access.roles import Capability
from reintegra.api.exports import export_views
from reintegra.sustainability import exports as round_exports
from reintegra.sustainability import selectors

if TYPE_CHECKING:
    from reintegra.access.models import User

READERS = (Capability.VIEW_ASSIGNED_CASES, Capability.VIEW_ORGANISATION_CASES)


def round_table(user: User, query: dict[str, Any]) -> exports.Table:
    return round_exports.round_table(user)


ROUNDS = export_views("survey_rounds", round_table, readers=READERS, summary=_("Survey rounds"), tag="sustainability")


def background_table(user: User, params: dict[str, Any]) -> exports.Table:
    """The rounds for a background export (access.export_jobs; registered by SustainabilityConfig.ready)."""
    return round_exports.round_table(user)


def background_rows(user: User, params: dict[str, Any]) -> Any:
    return selectors.export_rounds(user)
